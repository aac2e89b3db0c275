// Helpers shared by the unit tests: a quoter with PostgreSQL's rules and
// small catalog builders.
#pragma once

#include <string>

#include "catalog.h"
#include "statement.h"

namespace scrub::testing {

// quote_identifier() for the identifiers the tests use: bare when all
// lower-case letters, digits and underscores and not starting with a digit
// (keywords are not tested), else double-quoted with quotes doubled.
inline std::string PgQuote(const std::string& name) {
    bool safe = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name)
        safe = safe && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (safe) return name;
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

inline const IdentifierQuoter kQuote = PgQuote;

inline ColumnInfo Column(const std::string& name, const std::string& type, int32_t typmod = -1,
                         bool is_array = false) {
    ColumnInfo column;
    column.name = name;
    column.type_sql = type;
    column.scalar = {"pg_catalog", type, 'b', typmod};
    column.is_array = is_array;
    return column;
}

inline TableInfo Table(const std::string& name, std::vector<ColumnInfo> columns,
                       const std::string& schema = "public") {
    TableInfo table;
    table.name = name;
    table.schema = schema;
    table.columns = std::move(columns);
    return table;
}

}  // namespace scrub::testing
