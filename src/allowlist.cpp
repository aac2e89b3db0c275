// Allowlist parsing and validation. Every rejection names the key at fault
// and says how to write it correctly, because allowlists are edited by hand.
#include "allowlist.h"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

const char* kKeyHint =
    "Write each key as \"table\" or \"schema.table\"; put double quotes around a name that "
    "contains a dot or a double quote, doubling any quote inside it.";

const char* kShapeHint =
    "Map each table to the array of its columns that are safe to copy, for example "
    "{\"users\": [\"id\", \"created_at\"]}; use [] to copy a table's structure without rows.";

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
        Reject("allowlist entry \"" + key + "\" is not an array of column names",
               "The value of key \"" + key + "\" is a JSON " + JsonTypeName(value) + ".",
               kShapeHint);
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

}  // namespace

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
        allowlist.entries.push_back({key, name.table, ParseColumns(key, value), name.schema});
    }
    allowlist.schemas.push_back(source_schema);
    allowlist.schemas.insert(allowlist.schemas.end(), other_schemas.begin(), other_schemas.end());
    return allowlist;
}

}  // namespace scrub
