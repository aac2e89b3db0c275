// Small helpers the run's modules share (run, preflight, scratch,
// manifest, verify, sqlgen_run): reading one value of a result, timing,
// whether a list holds a name. Internal to the pure code; one definition
// each. No PostgreSQL header.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "database.h"
#include "error.h"

namespace scrub {

// The first value of a statement's result, which must have one.
inline std::string FirstValueOf(const std::vector<Row>& rows, const Statement& statement) {
    if (rows.empty() || rows[0].empty() || !rows[0][0])
        throw ScrubError(sqlstate::kInternalError, "query returned no value: " + statement.sql);
    return *rows[0][0];
}

inline std::string FirstValue(Database& db, const Statement& statement, Visibility visibility) {
    return FirstValueOf(db.Query(statement, visibility), statement);
}

inline double MillisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

inline std::string FormatMilliseconds(double ms) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", ms);
    return buffer;
}

inline std::string FirstValueAsOwner(Database& db, const TableOwner& owner,
                                     const Statement& statement, Visibility visibility) {
    return FirstValueOf(db.QueryAsOwner(owner, statement, visibility), statement);
}

// Whether `names` holds `name`.
inline bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace scrub
