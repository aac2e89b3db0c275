// Allowlist parsing: JSON text in, validated table/column entries out.
// Pure C++: no PostgreSQL headers, unit-tested in test/unit.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scrub {

// What a column's values become in the copy (docs/allowlist.md, "Rules").
enum class RuleKind {
    kKeep,       // copied verbatim
    kFake,       // the type's default fake (fake.h)
    kNull,       // NULL
    kConstant,   // one value, cast to the column's type
    kRealistic,  // scrub_fake_text(): email, first_name, ...
    kHash,       // scrub_hash(): a keyed pseudonym
    kJson,       // scrub_json_keep(): the document's shape and the listed paths
    kSql,        // the caller's expression over the row's columns
};

// One column's rule, as the allowlist writes it.
struct ColumnRule {
    RuleKind kind = RuleKind::kFake;
    std::string realistic;                // kRealistic: the rule's name ("email", ...)
    std::optional<std::string> constant;  // kConstant: the value's text; nullopt: NULL
    std::vector<std::string> json_keep;   // kJson: the dotted paths kept
    std::string sql;                      // kSql: the expression
    std::string why;                      // the reason given, if any
    bool named = false;                   // given in the allowlist, not a default

    // The rule as the allowlist spells it: "keep", "email", "constant", ...
    std::string Name() const;
};

// Which rows of a table the copy holds.
enum class RowsMode { kAll, kNone, kWhere };

// One key of the allowlist, resolved against the source schema.
struct AllowlistEntry {
    std::string key;    // the key exactly as written
    std::string table;  // table name inside `schema`
    // Every column the entry names, in its order: in the plain form the
    // columns to copy verbatim (empty: no rows); in the object form the
    // keys of "columns".
    std::vector<std::string> columns;
    std::vector<ColumnRule> rules;  // one per entry of `columns`
    RowsMode rows = RowsMode::kAll;
    std::string where;         // RowsMode::kWhere: the boolean SQL expression
    std::string schema;        // the key's schema; the source schema for a bare key
    bool object_form = false;  // written as {"rows": ..., "columns": ...}, not as an array
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

// The realistic rules scrub_fake_text() knows, in the allowlist's spelling.
bool IsRealisticRuleName(const std::string& name);

// Parses and validates allowlist JSON text; throws ScrubError (22023)
// naming the offending key (and column) on any malformed entry. A bare key
// names a table of `source_schema`, a qualified one a table of its schema.
// A table maps to an array of column names (plain form: those kept, the
// others faked; [] copies no rows) or to an object
// {"rows": "all" | "none" | {"where": "..."}, "columns": {column: rule}}.
Allowlist ParseAllowlist(std::string_view json_text, const std::string& source_schema);

// Converts text between the server's encoding and UTF-8.
using EncodingConverter = std::function<std::string(const std::string&)>;

// ParseAllowlist for text in the server's encoding: parsed as UTF-8 (the
// JSON parser's), then each name, expression and constant, and an error's
// text, converted back. Without converters (a UTF-8 server), as it is.
Allowlist ParseAllowlistInServerEncoding(const std::string& json_text,
                                         const std::string& source_schema,
                                         const EncodingConverter& to_utf8,
                                         const EncodingConverter& from_utf8);

}  // namespace scrub
