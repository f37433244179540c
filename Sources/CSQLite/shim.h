#ifndef WATTLINE_CSQLITE_SHIM_H
#define WATTLINE_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro over a cast that Swift does not import.
static inline sqlite3_destructor_type wattline_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_db_config is variadic; Swift cannot call it directly.
static inline int wattline_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
#endif
