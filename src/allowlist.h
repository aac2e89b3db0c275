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
    std::string table;                 // table name inside `schema`
    std::vector<std::string> columns;  // columns to copy verbatim; empty: no rows
    std::string schema;                // the key's schema; the source schema for a bare key
};

struct Allowlist {
    std::vector<AllowlistEntry> entries;  // in key order, no two naming one table
    // The schemas a run covers: the source schema first, then every other
    // schema a key names, in byte order, each once.
    std::vector<std::string> schemas;
};

// A key split into its parts: `table` or `schema.table`, with double quotes
// around a part that contains a dot or a quote.
struct TableKey {
    std::string schema;  // empty when the key is bare
    std::string table;
};

// Splits an allowlist key; throws ScrubError (22023) on a malformed key.
TableKey ParseTableKey(const std::string& key);

// The allowlist key naming table `table` of `schema` as a run from
// `source_schema` writes it: the bare name in the source schema, else
// "schema.table", each part double-quoted if it holds a dot or a quote.
std::string TableKeyOf(const std::string& schema, const std::string& table,
                       const std::string& source_schema);

// Parses and validates allowlist JSON text; throws ScrubError (22023)
// naming the offending key on any malformed entry. A bare key names a
// table of `source_schema`, a qualified one a table of its schema.
Allowlist ParseAllowlist(std::string_view json_text, const std::string& source_schema);

}  // namespace scrub
