// Included last by every pure module (PURE_OBJS in the Makefile): the
// build fails if anything included before it pulled in a PostgreSQL
// header. Pure modules reach the server only through Database
// (database.h); PostgreSQL's longjmp errors and its macros (elog, palloc,
// PG_TRY) must never meet their C++ frames. See CONTRIBUTING.md.
//
// No include guard: each inclusion checks again.

#if defined(POSTGRES_H) || defined(C_H) || defined(PG_VERSION_NUM)
#error \
    "a pure scrub module includes a PostgreSQL header: only pg_boundary, pg_database, pg_functions and scrub.cpp may"
#endif
