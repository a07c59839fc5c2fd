/* Debian's libpq-dev installs its headers under postgresql/ and ships no module map. */
#include <postgresql/libpq-fe.h>
