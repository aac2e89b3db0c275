// Implementation of the error boundary described in pg_boundary.h.
#include "pg_boundary.h"

#include <string>

#include "error.h"

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace scrub::pg {
namespace {

// The report of a C++ exception, kept outside any C++ frame so that the
// ereport() that follows may longjmp freely. Backends are single-threaded.
ErrorReport pending_report;

int SqlstateCode(const std::string& code) {
    if (code.size() != 5) return ERRCODE_INTERNAL_ERROR;
    return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

}  // namespace

const char* PostgresError::what() const noexcept {
    return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

ErrorData* RunCatchingErrors(void (*call)(void*), void* arg) noexcept {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile error = nullptr;
    PG_TRY();
    { call(arg); }
    PG_CATCH();
    {
        // Copy the error out of ErrorContext before clearing it; the caller
        // rethrows it unchanged at the boundary.
        MemoryContextSwitchTo(caller_context);
        error = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    return error;
}

Datum InvokeCpp(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo) noexcept {
    ErrorContextCallback* entry_context_stack = error_context_stack;
    ErrorData* postgres_error = nullptr;
    bool failed = true;
    try {
        Datum result = impl(fcinfo);
        failed = false;
        return result;
    } catch (const PostgresError& e) {
        postgres_error = e.data();
    } catch (const ScrubError& e) {
        pending_report = e.report();
    } catch (const std::bad_alloc&) {
        pending_report = {"53200", "out of memory in scrub", "", ""};
    } catch (const std::exception& e) {
        pending_report = {sqlstate::kInternalError,
                          std::string("scrub internal error: ") + e.what(), "",
                          "Report this as a bug in scrub."};
    } catch (...) {
        pending_report = {sqlstate::kInternalError, "scrub internal error: unknown exception", "",
                          "Report this as a bug in scrub."};
    }
    // No C++ object of this call is alive past this point.
    error_context_stack = entry_context_stack;
    if (failed && postgres_error != nullptr) ReThrowError(postgres_error);
    ereport(ERROR, (errcode(SqlstateCode(pending_report.sqlstate)),
                    errmsg_internal("%s", pending_report.message.c_str()),
                    pending_report.detail.empty()
                        ? 0
                        : errdetail_internal("%s", pending_report.detail.c_str()),
                    pending_report.hint.empty() ? 0 : errhint("%s", pending_report.hint.c_str())));
    pg_unreachable();
}

}  // namespace scrub::pg
