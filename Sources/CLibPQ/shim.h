/* Debian's libpq-dev installs its headers under postgresql/ and ships no module map. The
 * module declares libpq's functions only: SluicePostgres loads the library with dlopen when a
 * pipeline uses PostgreSQL, so runs into SQLite do not map it (see LibPQ.swift). */
#include <postgresql/libpq-fe.h>
