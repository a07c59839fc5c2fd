#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call. Memory statistics take a global
 * mutex on every allocation SQLite makes (one per inserted row at least); nothing reads them. */
static inline int sluice_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
