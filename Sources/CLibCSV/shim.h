#include <csv.h>

/* libcsv trims spaces and tabs around unquoted fields unless told no character is a space;
   a C function keeps that per-byte call cheap. */
static inline int sluice_csv_no_space(unsigned char c) {
    (void)c;
    return 0;
}
