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

    // Appends a parameter and returns its placeholder, e.g. "$3".
    std::string Bind(std::optional<std::string> value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
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
