// Checks for generated SQL shared by the unit tests: hostile names, and
// whether every call and operator is pg_catalog-qualified.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "facts.h"
#include "statement.h"
#include "test_support.h"

namespace scrub::testing {

// Names a generator must survive: each would change the statement if it
// reached the text unquoted.
inline const std::vector<std::string> kHostileNames = {
    "x\"; DROP TABLE users; --",
    "two words",
    "Mixed\"Quote",
    "naïve_schéma_ß",
    std::string(kMaxNameBytes - 1, 'q') + "\"",  // 63 bytes, one of them a quote
};

// The statement's text with every quoted occurrence of `name` removed.
inline std::string WithoutQuoted(std::string sql, const std::string& name) {
    const std::string quoted = kQuote(name);
    for (size_t at; (at = sql.find(quoted)) != std::string::npos;) sql.erase(at, quoted.size());
    return sql;
}

// Text outside string literals ('...') and quoted identifiers ("...").
inline std::string OutsideQuotes(const std::string& sql) {
    std::string out;
    char in = 0;
    for (char c : sql) {
        if (in) {
            if (c == in) in = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            in = c;
            continue;
        }
        out += c;
    }
    return out;
}

// Calls of functions that are not pg_catalog-qualified, and OPERATOR()s
// of another schema: "name(" not preceded by a '.', other than SQL's own
// syntax.
inline std::vector<std::string> UnqualifiedCalls(const std::string& sql) {
    static const std::set<std::string> kSyntax = {
        "cast", "exists", "coalesce", "any",   "from",  "values", "in",
        "as",   "select", "operator", "array", "and",   "or",     "not",
        "on",   "when",   "then",     "else",  "where", "lateral"};
    std::vector<std::string> found;
    const std::string text = OutsideQuotes(sql);
    static const std::regex kCall(R"(([A-Za-z_][A-Za-z_0-9]*)\s*\()");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kCall);
         it != std::sregex_iterator(); ++it) {
        size_t at = static_cast<size_t>(it->position(0));
        std::string word = (*it)[1];
        std::string lower;
        for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (at > 0 && text[at - 1] == '.') continue;
        if (kSyntax.count(lower)) continue;
        // ROWS FROM (...) AS r (name, ...): a column list, not a call.
        if (at >= 3 && text.compare(at - 3, 3, "AS ") == 0) continue;
        found.push_back(word);
    }
    for (size_t at = text.find("OPERATOR("); at != std::string::npos;
         at = text.find("OPERATOR(", at + 1))
        if (text.compare(at, 20, "OPERATOR(pg_catalog.") != 0) found.push_back("OPERATOR");
    return found;
}

// The checks every statement must pass for hostile `name`: no trace of it
// outside its quoted form, and no unqualified call.
inline void ExpectSafe(const Statement& statement, const std::string& name) {
    const std::string stripped = WithoutQuoted(statement.sql, name);
    EXPECT_EQ(stripped.find("DROP TABLE"), std::string::npos) << statement.sql;
    EXPECT_EQ(stripped.find(';'), std::string::npos) << statement.sql;
    EXPECT_EQ(stripped.find(name), std::string::npos) << statement.sql;
    EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
}

// `name` travels as a parameter, never in the text.
inline void ExpectBound(const Statement& statement, const std::string& name) {
    EXPECT_EQ(statement.sql.find(name), std::string::npos) << statement.sql;
    bool bound = false;
    for (const auto& param : statement.params) bound = bound || (param && *param == name);
    EXPECT_TRUE(bound) << statement.sql;
    EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
}

}  // namespace scrub::testing
