/* The insert floor: the good rows Sluice loaded, already parsed and in memory, inserted
 * through one prepared statement in one transaction into a fresh database with the same
 * columns, WAL and synchronous=FULL. Prints the seconds of the insert phase alone. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { int type; sqlite3_int64 i; double d; char *text; int length; } cell;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: insert_floor SOURCE.sqlite TABLE TARGET.sqlite\n"); return 2; }
    sqlite3 *source, *target;
    if (sqlite3_open_v2(argv[1], &source, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 1;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", argv[2]);
    sqlite3_stmt *read;
    if (sqlite3_prepare_v2(source, sql, -1, &read, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(source)); return 1; }
    int columns = sqlite3_column_count(read);
    size_t capacity = 1 << 20, rows = 0;
    cell *cells = malloc(capacity * columns * sizeof(cell));
    while (sqlite3_step(read) == SQLITE_ROW) {
        if (rows == capacity) { capacity *= 2; cells = realloc(cells, capacity * columns * sizeof(cell)); }
        for (int c = 0; c < columns; c++) {
            cell *x = &cells[rows * columns + c];
            x->type = sqlite3_column_type(read, c);
            if (x->type == SQLITE_INTEGER) x->i = sqlite3_column_int64(read, c);
            else if (x->type == SQLITE_FLOAT) x->d = sqlite3_column_double(read, c);
            else if (x->type == SQLITE_TEXT) {
                x->length = sqlite3_column_bytes(read, c);
                x->text = malloc(x->length + 1);
                memcpy(x->text, sqlite3_column_text(read, c), x->length);
            }
        }
        rows++;
    }
    sqlite3_finalize(read);
    remove(argv[3]);
    sqlite3_open(argv[3], &target);
    sqlite3_exec(target, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, NULL);
    char create[4096] = "CREATE TABLE t (", insert[4096] = "INSERT INTO t VALUES (";
    for (int c = 0; c < columns; c++) {
        char part[64];
        snprintf(part, sizeof part, "%sc%d", c ? ", " : "", c);
        strcat(create, part);
        strcat(insert, c ? ", ?" : "?");
    }
    strcat(create, ")");
    strcat(insert, ")");
    sqlite3_exec(target, create, NULL, NULL, NULL);
    sqlite3_stmt *write;
    sqlite3_prepare_v2(target, insert, -1, &write, NULL);
    double start = now();
    sqlite3_exec(target, "BEGIN", NULL, NULL, NULL);
    for (size_t r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
            cell *x = &cells[r * columns + c];
            if (x->type == SQLITE_INTEGER) sqlite3_bind_int64(write, c + 1, x->i);
            else if (x->type == SQLITE_FLOAT) sqlite3_bind_double(write, c + 1, x->d);
            else if (x->type == SQLITE_TEXT) sqlite3_bind_text(write, c + 1, x->text, x->length, SQLITE_STATIC);
            else sqlite3_bind_null(write, c + 1);
        }
        sqlite3_step(write);
        sqlite3_reset(write);
    }
    sqlite3_exec(target, "COMMIT", NULL, NULL, NULL);
    printf("%.4f %zu\n", now() - start, rows);
    return 0;
}
