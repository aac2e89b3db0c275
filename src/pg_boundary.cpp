// Implementation of the error boundary described in pg_boundary.h.
#include "pg_boundary.h"

#include <cstring>
#include <new>
#include <type_traits>

#include "error.h"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace scrub::pg {
namespace {

// The report of a C++ exception, kept outside any C++ frame so that the
// ereport() that follows may longjmp freely. Backends are single-threaded.
// Fixed-size buffers: the handlers that fill it must not allocate, or a
// std::bad_alloc would become std::terminate and restart every backend.
struct PendingReport {
    char sqlstate[6];
    char message[1024];
    char detail[4096];
    char hint[1024];
};
static_assert(std::is_trivially_destructible_v<PendingReport>);

PendingReport pending_report;

// Copies `text` into `buffer` of `size` bytes, cutting it at a character
// boundary of the server encoding if it does not fit. Never allocates.
void CopyClipped(char* buffer, size_t size, const char* text) noexcept {
    int length = static_cast<int>(std::strlen(text));
    if (static_cast<size_t>(length) >= size)
        length = pg_mbcliplen(text, length, static_cast<int>(size) - 1);
    std::memcpy(buffer, text, static_cast<size_t>(length));
    buffer[length] = '\0';
}

template <size_t N>
void CopyTruncated(char (&buffer)[N], const char* text) noexcept {
    CopyClipped(buffer, N, text);
}

void SetPendingReport(const char* sqlstate, const char* message, const char* detail,
                      const char* hint) noexcept {
    // A malformed code is not cut down to a valid-looking one.
    CopyTruncated(pending_report.sqlstate, std::strlen(sqlstate) == 5 ? sqlstate : "");
    CopyTruncated(pending_report.message, message);
    CopyTruncated(pending_report.detail, detail);
    CopyTruncated(pending_report.hint, hint);
}

int SqlstateCode(const char* code) {
    if (std::strlen(code) != 5) return ERRCODE_INTERNAL_ERROR;
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
        const ErrorReport& report = e.report();
        SetPendingReport(report.sqlstate.c_str(), report.message.c_str(), report.detail.c_str(),
                         report.hint.c_str());
    } catch (const std::bad_alloc&) {
        SetPendingReport(scrub::sqlstate::kOutOfMemory, "out of memory in scrub", "", "");
    } catch (const std::exception& e) {
        static const char kPrefix[] = "scrub internal error: ";
        SetPendingReport(sqlstate::kInternalError, kPrefix, "", "Report this as a bug in scrub.");
        CopyClipped(pending_report.message + sizeof kPrefix - 1,
                    sizeof pending_report.message - (sizeof kPrefix - 1), e.what());
    } catch (...) {
        SetPendingReport(sqlstate::kInternalError, "scrub internal error: unknown exception", "",
                         "Report this as a bug in scrub.");
    }
    // No C++ object of this call is alive past this point.
    error_context_stack = entry_context_stack;
    if (failed && postgres_error != nullptr) ReThrowError(postgres_error);
    ereport(ERROR,
            (errcode(SqlstateCode(pending_report.sqlstate)),
             errmsg_internal("%s", pending_report.message),
             pending_report.detail[0] == '\0' ? 0 : errdetail_internal("%s", pending_report.detail),
             pending_report.hint[0] == '\0' ? 0 : errhint("%s", pending_report.hint)));
    pg_unreachable();
}

}  // namespace scrub::pg
