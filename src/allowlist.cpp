// Allowlist parsing and validation. Every rejection names the key at fault
// and says how to write it correctly, because allowlists are edited by hand.
#include "allowlist.h"

#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_keep.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

const char* kKeyHint =
    "Write each key as \"table\" or \"schema.table\"; put double quotes around a name that "
    "contains a dot or a double quote, doubling any quote inside it.";

const char* kShapeHint =
    "Map each table to the array of its columns that are safe to copy, for example "
    "{\"users\": [\"id\", \"created_at\"]}; use [] to copy a table's structure without rows.";

const char* kObjectHint =
    "Write a table's object as {\"rows\": \"all\" | \"none\" | {\"where\": \"<boolean SQL>\"}, "
    "\"columns\": {\"<column>\": <rule>}}; both keys are optional.";

const char* kRuleHint =
    "A rule is one of \"keep\", \"fake\", \"null\", \"hash\", \"email\", \"first_name\", "
    "\"last_name\", \"full_name\", \"username\", \"phone\", \"url\", \"ip\", \"text\", or an "
    "object: {\"constant\": <value>}, {\"json\": {\"keep\": [\"<path>\", ...]}}, "
    "{\"sql\": \"<expression>\"}, {\"rule\": \"<rule>\"}; any of the objects may add "
    "\"why\": \"<reason>\".";

const char* const kRealisticRules[] = {"email", "first_name", "last_name", "full_name", "username",
                                       "phone", "url",        "ip",        "text"};

[[noreturn]] void Reject(const std::string& message, const std::string& detail,
                         const std::string& hint) {
    throw ScrubError(sqlstate::kInvalidParameterValue, message, detail, hint);
}

std::string JsonTypeName(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "object";
        case nlohmann::json::value_t::array:
            return "array";
        case nlohmann::json::value_t::string:
            return "string";
        case nlohmann::json::value_t::boolean:
            return "boolean";
        default:
            return "number";
    }
}

// Reads one part of a key starting at `pos`; advances `pos` past it.
std::string ReadKeyPart(const std::string& key, size_t& pos) {
    std::string part;
    if (pos < key.size() && key[pos] == '"') {
        for (++pos;; ++pos) {
            if (pos >= key.size())
                Reject("allowlist key \"" + key + "\" has an unterminated quoted name", "",
                       kKeyHint);
            if (key[pos] == '"') {
                if (pos + 1 < key.size() && key[pos + 1] == '"') {
                    part += '"';
                    ++pos;
                    continue;
                }
                ++pos;
                break;
            }
            part += key[pos];
        }
        if (part.empty())
            Reject("allowlist key \"" + key + "\" has an empty quoted name", "", kKeyHint);
        return part;
    }
    while (pos < key.size() && key[pos] != '.') {
        if (key[pos] == '"')
            Reject("allowlist key \"" + key + "\" has a double quote inside an unquoted name", "",
                   kKeyHint);
        part += key[pos++];
    }
    if (part.empty()) Reject("allowlist key \"" + key + "\" has an empty name part", "", kKeyHint);
    return part;
}

// Checks one key's column list and returns it.
std::vector<std::string> ParseColumns(const std::string& key, const nlohmann::json& value) {
    if (!value.is_array())
        Reject("allowlist entry \"" + key + "\" is not an array of column names or an object",
               "The value of key \"" + key + "\" is a JSON " + JsonTypeName(value) + ".",
               std::string(kShapeHint) + " " + kObjectHint);
    std::vector<std::string> columns;
    std::set<std::string> seen;
    size_t position = 0;
    for (const auto& element : value) {
        ++position;
        if (!element.is_string())
            Reject("allowlist entry \"" + key + "\" is not an array of column names",
                   "Element " + std::to_string(position) + " of key \"" + key + "\" is a JSON " +
                       JsonTypeName(element) + ".",
                   kShapeHint);
        const std::string& column = element.get_ref<const std::string&>();
        if (column.empty())
            Reject("allowlist entry \"" + key + "\" has an empty column name",
                   "Element " + std::to_string(position) + " of key \"" + key +
                       "\" is an empty string.",
                   "Remove the empty string from the list.");
        if (!seen.insert(column).second)
            Reject("allowlist entry \"" + key + "\" names column \"" + column + "\" twice", "",
                   "List each column once.");
        columns.push_back(column);
    }
    return columns;
}

// "entry "t" column "c"": where a rule error is.
std::string RuleAt(const std::string& key, const std::string& column) {
    return "allowlist entry \"" + key + "\" column \"" + column + "\"";
}

// A rule written as a string: "keep", "email", ...
ColumnRule ParseRuleName(const std::string& key, const std::string& column,
                         const std::string& name) {
    ColumnRule rule;
    rule.named = true;
    if (name == "keep")
        rule.kind = RuleKind::kKeep;
    else if (name == "fake")
        rule.kind = RuleKind::kFake;
    else if (name == "null")
        rule.kind = RuleKind::kNull;
    else if (name == "hash")
        rule.kind = RuleKind::kHash;
    else if (IsRealisticRuleName(name)) {
        rule.kind = RuleKind::kRealistic;
        rule.realistic = name;
    } else if (name == "constant" || name == "json" || name == "sql")
        Reject(RuleAt(key, column) + " writes rule \"" + name + "\" as a string",
               "Rule \"" + name + "\" takes a value.",
               name == "constant" ? "Write {\"constant\": <value>}."
               : name == "json"   ? "Write {\"json\": {\"keep\": [\"<path>\", ...]}}."
                                  : "Write {\"sql\": \"<expression>\"}.");
    else
        Reject(RuleAt(key, column) + " has unknown rule \"" + name + "\"", "", kRuleHint);
    return rule;
}

ColumnRule ParseRule(const std::string& key, const std::string& column,
                     const nlohmann::json& value) {
    if (value.is_string()) return ParseRuleName(key, column, value.get_ref<const std::string&>());
    if (!value.is_object())
        Reject(RuleAt(key, column) + " is not a rule",
               "The rule is a JSON " + JsonTypeName(value) + ".", kRuleHint);
    ColumnRule rule;
    std::vector<std::string> forms;
    std::optional<std::string> why;
    for (const auto& [name, part] : value.items()) {
        if (name == "why") {
            if (!part.is_string())
                Reject(RuleAt(key, column) + " has a \"why\" that is not a string",
                       "Its \"why\" is a JSON " + JsonTypeName(part) + ".",
                       "Write the reason as a string.");
            why = part.get<std::string>();
            continue;
        }
        forms.push_back(name);
        if (name == "rule") {
            if (!part.is_string())
                Reject(RuleAt(key, column) + " has a \"rule\" that is not a string",
                       "Its \"rule\" is a JSON " + JsonTypeName(part) + ".", kRuleHint);
            rule = ParseRuleName(key, column, part.get<std::string>());
        } else if (name == "constant") {
            rule.kind = RuleKind::kConstant;
            // The allowlist is parsed into doubles: a number with a
            // fraction or an exponent, and any number inside an object or
            // an array, would reach the column rounded (1.10 as 1.1). The
            // exact value is written as a string, cast by PostgreSQL.
            if (part.is_string())
                rule.constant = part.get<std::string>();
            else if (part.is_boolean() || part.is_number_integer())
                rule.constant = part.dump();
            else if (!part.is_null())
                Reject(RuleAt(key, column) + " has a constant that may not keep its exact value",
                       "Its constant is a JSON " +
                           std::string(part.is_number() ? "number with a fraction or exponent"
                                                        : JsonTypeName(part)) +
                           " (" + part.dump() +
                           "); the allowlist's numbers are read as doubles, which round them.",
                       "Write the value as a JSON string, which PostgreSQL casts to the column's "
                       "type, for example {\"constant\": \"1.10\"} or "
                       "{\"constant\": \"{\\\"n\\\": 1.10}\"}.");
        } else if (name == "json") {
            rule.kind = RuleKind::kJson;
            if (!part.is_object() || part.size() != 1 || !part.contains("keep") ||
                !part["keep"].is_array())
                Reject(RuleAt(key, column) + " has a malformed \"json\" rule",
                       "Its value is " + part.dump() + ".",
                       "Write {\"json\": {\"keep\": [\"<dotted.path>\", ...]}}.");
            for (const auto& path : part["keep"]) {
                if (!path.is_string())
                    Reject(RuleAt(key, column) + " has a malformed \"json\" rule",
                           "A path of its \"keep\" is a JSON " + JsonTypeName(path) + ".",
                           "Write each path as a string, for example \"notifications.email\".");
                rule.json_keep.push_back(path.get<std::string>());
            }
            try {
                ValidateJsonPaths(rule.json_keep);
            } catch (const ScrubError& error) {
                Reject(
                    RuleAt(key, column) + " has a malformed \"json\" rule",
                    error.report().detail.empty() ? error.report().message : error.report().detail,
                    "Write each path as keys joined by dots, for example "
                    "\"notifications.email\".");
            }
        } else if (name == "sql") {
            rule.kind = RuleKind::kSql;
            if (!part.is_string() || part.get<std::string>().empty())
                Reject(RuleAt(key, column) + " has a malformed \"sql\" rule",
                       "Its value is a JSON " + JsonTypeName(part) +
                           (part.is_string() ? " that is empty." : "."),
                       "Write {\"sql\": \"<expression over the row's columns>\"}.");
            rule.sql = part.get<std::string>();
        } else {
            Reject(RuleAt(key, column) + " has unknown key \"" + name + "\"", "", kRuleHint);
        }
    }
    if (forms.size() != 1)
        Reject(RuleAt(key, column) + (forms.empty() ? " has no rule" : " has more than one rule"),
               forms.empty() ? "The object holds no \"rule\", \"constant\", \"json\" or \"sql\"."
                             : "It holds \"" + JoinLines(forms, "\", \"") + "\".",
               kRuleHint);
    rule.named = true;
    if (why) rule.why = *why;
    return rule;
}

// A table's object: {"rows": ..., "columns": {...}}.
void ParseEntryObject(const std::string& key, const nlohmann::json& value, AllowlistEntry& entry) {
    for (const auto& [name, part] : value.items()) {
        if (name == "rows") {
            if (part.is_string() && part.get<std::string>() == "all") {
                entry.rows = RowsMode::kAll;
            } else if (part.is_string() && part.get<std::string>() == "none") {
                entry.rows = RowsMode::kNone;
            } else if (part.is_object() && part.size() == 1 && part.contains("where") &&
                       part["where"].is_string() && !part["where"].get<std::string>().empty()) {
                entry.rows = RowsMode::kWhere;
                entry.where = part["where"].get<std::string>();
            } else {
                Reject("allowlist entry \"" + key + "\" has a malformed \"rows\"",
                       "Its value is " + part.dump() + ".",
                       "Write \"rows\": \"all\", \"rows\": \"none\" or "
                       "\"rows\": {\"where\": \"<boolean SQL over the table's columns>\"}.");
            }
        } else if (name == "columns") {
            if (!part.is_object())
                Reject("allowlist entry \"" + key + "\" has \"columns\" that are not an object",
                       "Its \"columns\" is a JSON " + JsonTypeName(part) + ".",
                       "Map each column to its rule, for example "
                       "{\"columns\": {\"id\": \"keep\", \"email\": \"email\"}}.");
            for (const auto& [column, rule] : part.items()) {
                if (column.empty())
                    Reject("allowlist entry \"" + key + "\" has an empty column name", "",
                           "Remove the empty name from \"columns\".");
                entry.columns.push_back(column);
                entry.rules.push_back(ParseRule(key, column, rule));
            }
        } else {
            Reject("allowlist entry \"" + key + "\" has unknown key \"" + name + "\"", "",
                   kObjectHint);
        }
    }
}

}  // namespace

bool IsRealisticRuleName(const std::string& name) {
    for (const char* rule : kRealisticRules)
        if (name == rule) return true;
    return false;
}

std::string ColumnRule::Name() const {
    switch (kind) {
        case RuleKind::kKeep:
            return "keep";
        case RuleKind::kFake:
            return "fake";
        case RuleKind::kNull:
            return "null";
        case RuleKind::kConstant:
            return "constant";
        case RuleKind::kRealistic:
            return realistic;
        case RuleKind::kHash:
            return "hash";
        case RuleKind::kJson:
            return "json";
        case RuleKind::kSql:
            return "sql";
    }
    return "fake";
}

TableKey ParseTableKey(const std::string& key) {
    if (key.empty()) Reject("allowlist has an empty key", "", kKeyHint);
    std::vector<std::string> parts;
    size_t pos = 0;
    for (;;) {
        parts.push_back(ReadKeyPart(key, pos));
        if (pos == key.size()) break;
        if (key[pos] != '.')
            Reject("allowlist key \"" + key + "\" has text after a quoted name", "", kKeyHint);
        ++pos;
    }
    if (parts.size() > 2)
        Reject("allowlist key \"" + key + "\" is not a table name",
               "The key has " + std::to_string(parts.size()) + " dot-separated parts.", kKeyHint);
    if (parts.size() == 1) return {"", parts[0]};
    return {parts[0], parts[1]};
}

namespace {

// One part of a key: quoted if ParseTableKey would not read it back bare.
std::string KeyPart(const std::string& name) {
    if (name.find_first_of(".\"") == std::string::npos && !name.empty()) return name;
    std::string quoted = "\"";
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace

std::string TableKeyOf(const std::string& schema, const std::string& table,
                       const std::string& source_schema) {
    if (schema == source_schema) return KeyPart(table);
    return KeyPart(schema) + "." + KeyPart(table);
}

Allowlist ParseAllowlist(std::string_view json_text, const std::string& source_schema) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::out_of_range& e) {
        // A valid number past a double's range, such as 1e400.
        std::string what = e.what();
        size_t end = what.find("] ");
        Reject(
            "allowlist holds a number out of range",
            "The allowlist has a " + (end == std::string::npos ? what : what.substr(end + 2)) + ".",
            "Write a number this large as a JSON string, for example {\"constant\": "
            "\"1e400\"}.");
    } catch (const nlohmann::json::exception& e) {
        Reject("allowlist is not valid JSON", e.what(), kShapeHint);
    }
    if (!document.is_object())
        Reject("allowlist must be a JSON object",
               "The allowlist is a JSON " + JsonTypeName(document) + ".", kShapeHint);

    Allowlist allowlist;
    std::map<std::pair<std::string, std::string>, std::string> key_by_table;
    std::set<std::string> other_schemas;
    for (const auto& [key, value] : document.items()) {
        TableKey name = ParseTableKey(key);
        if (name.schema.empty()) name.schema = source_schema;
        auto [previous, inserted] = key_by_table.emplace(std::pair(name.schema, name.table), key);
        if (!inserted)
            Reject("allowlist names table \"" + name.schema + "." + name.table + "\" twice",
                   "Keys \"" + previous->second + "\" and \"" + key + "\" both name table \"" +
                       name.schema + "." + name.table + "\" (a bare key names a table of the " +
                       "source schema \"" + source_schema + "\").",
                   "Keep one of the two keys.");
        if (name.schema != source_schema) other_schemas.insert(name.schema);
        AllowlistEntry entry{key, name.table, {}, {}, RowsMode::kAll, {}, name.schema};
        if (value.is_object()) {
            entry.object_form = true;
            ParseEntryObject(key, value, entry);
        } else {
            entry.columns = ParseColumns(key, value);
            for (size_t i = 0; i < entry.columns.size(); ++i) {
                ColumnRule keep;
                keep.kind = RuleKind::kKeep;
                keep.named = true;
                entry.rules.push_back(keep);
            }
            if (entry.columns.empty()) entry.rows = RowsMode::kNone;
        }
        allowlist.entries.push_back(std::move(entry));
    }
    allowlist.schemas.push_back(source_schema);
    allowlist.schemas.insert(allowlist.schemas.end(), other_schemas.begin(), other_schemas.end());
    return allowlist;
}

Allowlist ParseAllowlistInServerEncoding(const std::string& json_text,
                                         const std::string& source_schema,
                                         const EncodingConverter& to_utf8,
                                         const EncodingConverter& from_utf8) {
    if (!to_utf8 || !from_utf8) return ParseAllowlist(json_text, source_schema);
    Allowlist allowlist;
    try {
        allowlist = ParseAllowlist(to_utf8(json_text), to_utf8(source_schema));
    } catch (const ScrubError& error) {
        ErrorReport report = error.report();
        report.message = from_utf8(report.message);
        report.detail = from_utf8(report.detail);
        report.hint = from_utf8(report.hint);
        throw ScrubError(report);
    }
    for (std::string& schema : allowlist.schemas) schema = from_utf8(schema);
    for (AllowlistEntry& entry : allowlist.entries) {
        entry.key = from_utf8(entry.key);
        entry.schema = from_utf8(entry.schema);
        entry.table = from_utf8(entry.table);
        for (std::string& column : entry.columns) column = from_utf8(column);
        entry.where = from_utf8(entry.where);
        for (ColumnRule& rule : entry.rules) {
            rule.sql = from_utf8(rule.sql);
            rule.why = from_utf8(rule.why);
            if (rule.constant) rule.constant = from_utf8(*rule.constant);
            for (std::string& path : rule.json_keep) path = from_utf8(path);
        }
    }
    return allowlist;
}

}  // namespace scrub
