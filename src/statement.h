// A SQL statement with its parameters. Every value scrub puts into SQL
// travels as a text parameter; only identifiers, quoted by the quoter
// handed in, are spliced into the text.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scrub {

// Quotes an identifier exactly as PostgreSQL's quote_identifier() does.
using IdentifierQuoter = std::function<std::string(const std::string&)>;

struct Statement {
    std::string sql;
    std::vector<std::optional<std::string>> params;  // all of type text
    // Values become text literals in the SQL instead of parameters, for SQL
    // that leaves the extension (scrub_export_plan: a client's COPY takes
    // no parameters). Same type, same value: CAST(E'...' AS pg_catalog.text).
    bool inline_values = false;

    // Appends a parameter and returns its placeholder, e.g. "$3"; or, with
    // inline_values, the value as a literal.
    std::string Bind(std::optional<std::string> value) {
        if (inline_values) return TextLiteral(value);
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    }

    // A text literal as an escape string: backslashes and quotes doubled,
    // every other byte as it is (the server's encodings are ASCII-safe).
    static std::string TextLiteral(const std::optional<std::string>& value) {
        if (!value) return "CAST(NULL AS pg_catalog.text)";
        std::string literal = "CAST(E'";
        for (char c : *value) {
            if (c == '\\' || c == '\'') literal += c;
            literal += c;
        }
        return literal + "' AS pg_catalog.text)";
    }
};

// "schema"."name", each part quoted as needed.
inline std::string QualifiedName(const IdentifierQuoter& quote, const std::string& schema,
                                 const std::string& name) {
    return quote(schema) + "." + quote(name);
}

// A text[] literal for the given elements, to be bound as a parameter.
std::string TextArrayLiteral(const std::vector<std::string>& elements);

}  // namespace scrub
