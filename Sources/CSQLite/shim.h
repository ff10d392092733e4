#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast Swift cannot import; this is the same value.
static inline sqlite3_destructor_type retort_sqlite_transient(void) { return SQLITE_TRANSIENT; }
