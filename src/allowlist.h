// Allowlist parsing: JSON text in, validated table/column entries out.
// Pure C++: no PostgreSQL headers, unit-tested in test/unit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace scrub {

// One key of the allowlist, resolved against the source schema.
struct AllowlistEntry {
    std::string key;                   // the key exactly as written
    std::string table;                 // table name inside the source schema
    std::vector<std::string> columns;  // columns to copy verbatim; empty: no rows
};

struct Allowlist {
    std::vector<AllowlistEntry> entries;  // in key order, no two naming one table
};

// A key split into its parts: `table` or `schema.table`, with double quotes
// around a part that contains a dot or a quote.
struct TableKey {
    std::string schema;  // empty when the key is bare
    std::string table;
};

// Splits an allowlist key; throws ScrubError (22023) on a malformed key.
TableKey ParseTableKey(const std::string& key);

// Parses and validates allowlist JSON text; throws ScrubError (22023)
// naming the offending key on any malformed entry.
Allowlist ParseAllowlist(std::string_view json_text, const std::string& source_schema);

}  // namespace scrub
