// The one error type of scrub's pure C++ code: a PostgreSQL-style report
// (SQLSTATE, message, detail, hint) that the boundary layer turns into an
// ereport. Pure modules include this instead of any PostgreSQL header.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace scrub {

// SQLSTATE codes scrub raises, spelled as PostgreSQL's errcodes.txt does.
namespace sqlstate {
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kUndefinedObject = "42704";
inline constexpr const char* kUndefinedFunction = "42883";
inline constexpr const char* kFeatureNotSupported = "0A000";
inline constexpr const char* kDuplicateSchema = "42P06";
inline constexpr const char* kDuplicateTable = "42P07";
inline constexpr const char* kLockNotAvailable = "55P03";
inline constexpr const char* kObjectInUse = "55006";
inline constexpr const char* kSerializationFailure = "40001";
inline constexpr const char* kDataCorrupted = "XX001";
inline constexpr const char* kInternalError = "XX000";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kInvalidSchemaName = "3F000";
inline constexpr const char* kNameTooLong = "42622";
inline constexpr const char* kWrongObjectType = "42809";
inline constexpr const char* kStringDataRightTruncation = "22001";
inline constexpr const char* kProgramLimitExceeded = "54000";
inline constexpr const char* kNullValueNotAllowed = "22004";
inline constexpr const char* kInvalidTextRepresentation = "22P02";
inline constexpr const char* kDatatypeMismatch = "42804";
inline constexpr const char* kReservedName = "42939";
inline constexpr const char* kIntegrityConstraintViolation = "23000";
inline constexpr const char* kNotNullViolation = "23502";
inline constexpr const char* kForeignKeyViolation = "23503";
inline constexpr const char* kUniqueViolation = "23505";
inline constexpr const char* kCheckViolation = "23514";
inline constexpr const char* kDependentObjectsStillExist = "2BP01";
inline constexpr const char* kOutOfMemory = "53200";
inline constexpr const char* kUndefinedFile = "58P01";
}  // namespace sqlstate

// An error with everything PostgreSQL's ereport can carry.
struct ErrorReport {
    std::string sqlstate = sqlstate::kInternalError;
    std::string message;
    std::string detail;
    std::string hint;
};

// Joins the items of an error detail: one per line by default.
inline std::string JoinLines(const std::vector<std::string>& lines, const char* separator = "\n") {
    std::string joined;
    for (const std::string& line : lines) joined += (joined.empty() ? "" : separator) + line;
    return joined;
}

// Thrown by pure code; converted to ereport(ERROR) at the C boundary.
class ScrubError : public std::exception {
  public:
    explicit ScrubError(ErrorReport report) : report_(std::move(report)) {}
    ScrubError(std::string sqlstate, std::string message, std::string detail = {},
               std::string hint = {})
        : report_{std::move(sqlstate), std::move(message), std::move(detail), std::move(hint)} {}

    const ErrorReport& report() const noexcept { return report_; }
    const char* what() const noexcept override { return report_.message.c_str(); }

  private:
    ErrorReport report_;
};

}  // namespace scrub
