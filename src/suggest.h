// A starter allowlist (scrub_suggest): a decision with a reason for every
// column of every table of a schema, from the catalog alone (names, types,
// keys, constraints), never from the data. Keys are kept so that joins
// survive; a column whose name or type suggests personal data gets the
// realistic rule that fits it, else a fake or null; a column is kept only
// when its type says it holds no personal data (booleans, times, numbers,
// enums) and its name does not suggest otherwise. When in doubt: fake.
// Pure C++: no PostgreSQL headers, unit-tested in test/unit/suggest_test.cpp.
#pragma once

#include <string>
#include <vector>

#include "catalog.h"
#include "database.h"

namespace scrub {

struct ColumnSuggestion {
    std::string column;
    std::string rule;  // "keep", "fake", "null", "email", ... (a rule written as a string)
    std::string why;
};

struct TableSuggestion {
    std::string key;           // the allowlist key (bare for a table of the source schema)
    std::string rows = "all";  // "all", or "none" for a table the copy cannot hold
    // For rows "none": the reason (the object form has no place for a
    // table's why, so SuggestionJson leaves it out); else empty.
    std::string why;
    std::vector<ColumnSuggestion> columns;
};

// The lower-case words of a column name: split at every character that is
// not an ASCII letter or digit and where lower case turns to upper
// ("ContactName": contact, name); bytes beyond ASCII stay in their word.
std::vector<std::string> NameWords(const std::string& name);

// The decision for every table of `source_schema` in the catalog (the
// roots of partition trees, not their partitions) and every column of it.
std::vector<TableSuggestion> SuggestRules(const SourceCatalog& catalog,
                                          const std::string& source_schema);

// The suggestion as allowlist JSON in the object form:
// {"key": {"rows": "all", "columns": {"col": {"rule": "...", "why": "..."}}}}.
std::string SuggestionJson(const std::vector<TableSuggestion>& tables);

// Reads the catalog of `source_schema` and returns SuggestionJson of it;
// fails (3F000) when the schema does not exist.
std::string SuggestAllowlist(Database& db, const std::string& source_schema);

}  // namespace scrub
