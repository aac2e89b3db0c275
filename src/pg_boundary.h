// The error boundary between PostgreSQL and scrub's C++ code.
//
// PostgreSQL reports errors with ereport(), which longjmps; C++ unwinds with
// exceptions. Neither may cross the other:
//  - Guard(fn) runs `fn`, a noexcept lambda that calls PostgreSQL and owns
//    no objects with destructors. A PostgreSQL error inside it is copied
//    and rethrown as a C++ PostgresError, so the longjmp never leaves the
//    Guard's own frame and never skips a destructor.
//  - InvokeCpp(impl, fcinfo) is the only way a SQL-callable function enters
//    C++. Every exception is caught there; only after all C++ objects of the
//    call are destroyed does it ereport (a PostgresError is rethrown as the
//    original error, with its SQLSTATE, detail, hint and context).
// Pure modules never include this file; see docs/architecture.md.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
}

// Supported PostgreSQL major versions: 15 only (README.md, META.json and
// debian/pgversions say the same; test/t/000_release.pl checks that they
// agree). 14 and older lack APIs scrub uses (InitMaterializedSRF); 16 and
// newer have not been built and tested. CONTRIBUTING.md says how to add a
// version.
#if PG_VERSION_NUM < 150000
#error "scrub needs PostgreSQL 15: this server's headers are older (see README.md, Requirements)"
#elif PG_VERSION_NUM >= 160000
#error \
    "scrub supports PostgreSQL 15 only: it has not been built and tested on this newer version (see CONTRIBUTING.md, Supported PostgreSQL versions)"
#endif

#include <exception>
#include <type_traits>

namespace scrub::pg {

// A PostgreSQL error caught by Guard, travelling as a C++ exception.
class PostgresError : public std::exception {
  public:
    explicit PostgresError(ErrorData* data) : data_(data) {}
    ErrorData* data() const noexcept { return data_; }
    const char* what() const noexcept override;

  private:
    ErrorData* data_;  // palloc'd in the caller's memory context
};

// Runs call(arg) under PG_TRY; returns the caught error, or nullptr. The
// only setjmp in scrub: its frame holds no C++ objects and no locals that
// change after the setjmp.
ErrorData* RunCatchingErrors(void (*call)(void*), void* arg) noexcept;

// Runs a PostgreSQL call; a PostgreSQL error becomes a PostgresError.
template <typename Fn>
auto Guard(Fn&& fn) -> decltype(fn()) {
    static_assert(noexcept(fn()), "guarded code must be a noexcept lambda");
    using Result = decltype(fn());
    if constexpr (std::is_void_v<Result>) {
        auto trampoline = [](void* f) { (*static_cast<Fn*>(f))(); };
        if (ErrorData* error = RunCatchingErrors(trampoline, &fn)) throw PostgresError(error);
    } else {
        static_assert(std::is_trivially_copyable_v<Result>,
                      "guarded code returns plain values, never objects with destructors");
        struct Call {
            Fn* fn;
            Result result;
        } call{&fn, Result{}};
        auto trampoline = [](void* c) {
            Call* call = static_cast<Call*>(c);
            call->result = (*call->fn)();
        };
        if (ErrorData* error = RunCatchingErrors(trampoline, &call)) throw PostgresError(error);
        return call.result;
    }
}

// Calls a C++ implementation of a SQL function, turning any exception into
// a PostgreSQL error once no C++ frame of the call is left.
Datum InvokeCpp(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo) noexcept;

}  // namespace scrub::pg
