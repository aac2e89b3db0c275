// Allowlist parsing: accepted shapes and every rejection.
#include <gtest/gtest.h>

#include <algorithm>

#include "allowlist.h"
#include "error.h"

namespace scrub {
namespace {

// The SQLSTATE and message of the ScrubError `json` raises.
std::pair<std::string, std::string> Rejection(const std::string& json) {
    try {
        ParseAllowlist(json, "public");
    } catch (const ScrubError& e) {
        return {e.report().sqlstate, e.report().message + " | " + e.report().detail};
    }
    return {"", "accepted"};
}

TEST(Allowlist, ConstantsKeepTheirExactValue) {
    // Numbers are read as doubles: a fraction, an exponent, an integer
    // past 64 bits, or a number inside an object or array would be rounded
    // silently, so those constants are refused naming the column.
    for (const char* constant :
         {"12345678901234567890123.5", "0.30000000000000004441", "1.10", "1e2", "-0.5",
          "123456789012345678901234", R"({"n": 1.10})", R"({"n": "x"})", "[1, 2]", "[]"}) {
        auto [state, text] = Rejection(std::string(R"({"t": {"columns": {"price": {"constant": )") +
                                       constant + "}}}}");
        EXPECT_EQ(state, "22023") << constant << ": " << text;
        EXPECT_NE(text.find("\"price\""), std::string::npos) << text;
        EXPECT_NE(text.find("exact value"), std::string::npos) << text;
    }
    // Strings, booleans, null and 64-bit integers are exact.
    for (const char* constant : {R"("1.10")", R"("{\"n\": 1.10}")", "true", "false", "null", "-7",
                                 "9223372036854775807", "-9223372036854775808"}) {
        auto [state, text] =
            Rejection(std::string(R"({"t": {"columns": {"c": {"constant": )") + constant + "}}}}");
        EXPECT_EQ(state, "") << constant << ": " << text;
    }
    Allowlist list = ParseAllowlist(
        R"({"t": {"columns": {"a": {"constant": "1.10"}, "b": {"constant": -7}}}})", "public");
    ASSERT_EQ(list.entries.size(), 1u);
}

TEST(Allowlist, NumberOverflowIsAClearError) {
    for (const char* json : {R"({"t": {"columns": {"c": {"constant": 1e400}}}})",
                             R"({"t": {"columns": {"c": {"why": 1e309, "rule": "keep"}}}})",
                             R"({"t": ["a"], "x": -1e400})"}) {
        auto [state, text] = Rejection(json);
        EXPECT_EQ(state, "22023") << json;
        EXPECT_NE(text.find("allowlist holds a number out of range"), std::string::npos) << text;
        EXPECT_EQ(text.find("json.exception"), std::string::npos) << text;
    }
}

TEST(Allowlist, ParsesTablesAndColumnsInKeyOrder) {
    Allowlist list = ParseAllowlist(R"({"users": ["id", "email"], "sessions": []})", "public");
    ASSERT_EQ(list.entries.size(), 2u);
    EXPECT_EQ(list.entries[0].table, "sessions");
    EXPECT_TRUE(list.entries[0].columns.empty());
    EXPECT_EQ(list.entries[1].table, "users");
    EXPECT_EQ(list.entries[1].columns, (std::vector<std::string>{"id", "email"}));
}

TEST(Allowlist, AcceptsQualifiedAndQuotedKeys) {
    Allowlist list = ParseAllowlist(
        R"({"app.users": ["id"], "\"app\".\"Odd.Name\"": ["x"], "\"say \"\"hi\"\"\"": ["y"]})",
        "app");
    ASSERT_EQ(list.entries.size(), 3u);
    std::vector<std::string> tables;
    for (const auto& entry : list.entries) tables.push_back(entry.table);
    EXPECT_NE(std::find(tables.begin(), tables.end(), "users"), tables.end());
    EXPECT_NE(std::find(tables.begin(), tables.end(), "Odd.Name"), tables.end());
    EXPECT_NE(std::find(tables.begin(), tables.end(), "say \"hi\""), tables.end());
}

TEST(Allowlist, KeepsSqlTextAsAName) {
    Allowlist list = ParseAllowlist(R"({"users; DROP TABLE users; --": ["id'); --"]})", "public");
    ASSERT_EQ(list.entries.size(), 1u);
    EXPECT_EQ(list.entries[0].table, "users; DROP TABLE users; --");
    EXPECT_EQ(list.entries[0].columns[0], "id'); --");
}

TEST(Allowlist, RejectsMalformedDocuments) {
    EXPECT_EQ(Rejection("[]").first, "22023");
    EXPECT_EQ(Rejection("[]").second,
              "allowlist must be a JSON object | The allowlist is a JSON array.");
    EXPECT_EQ(Rejection("null").second,
              "allowlist must be a JSON object | The allowlist is a JSON null.");
    EXPECT_EQ(Rejection("{").first, "22023");
    EXPECT_EQ(Rejection(R"({"t": 5})").second,
              "allowlist entry \"t\" is not an array of column names or an object | The value of "
              "key \"t\" is a JSON number.");
    EXPECT_EQ(Rejection(R"({"t": ["a", true]})").second,
              "allowlist entry \"t\" is not an array of column names | Element 2 of key \"t\" is a "
              "JSON boolean.");
    EXPECT_EQ(Rejection(R"({"t": [""]})").first, "22023");
    EXPECT_EQ(Rejection(R"({"t": ["a", "a"]})").second,
              "allowlist entry \"t\" names column \"a\" twice | ");
}

TEST(Allowlist, RejectsBadKeys) {
    EXPECT_EQ(Rejection(R"({"": []})").second, "allowlist has an empty key | ");
    EXPECT_EQ(Rejection(R"({"a.b.c": []})").second,
              "allowlist key \"a.b.c\" is not a table name | The key has 3 dot-separated parts.");
    EXPECT_EQ(Rejection(R"({".t": []})").first, "22023");
    EXPECT_EQ(Rejection(R"({"t.": []})").first, "22023");
    EXPECT_EQ(Rejection(R"({"\"t": []})").first, "22023");
    EXPECT_EQ(Rejection(R"({"\"\"": []})").first, "22023");
    EXPECT_EQ(Rejection(R"({"\"t\"x": []})").first, "22023");
    EXPECT_EQ(Rejection(R"({"t\"x": []})").first, "22023");
}

TEST(Allowlist, ResolvesKeysToTheirSchemas) {
    Allowlist list = ParseAllowlist(
        R"({"users": ["id"], "audit.users": [], "\"a.\"\"b c\"\"; --\".t": ["x"], "app.orders": []})",
        "app");
    ASSERT_EQ(list.entries.size(), 4u);
    std::vector<std::string> resolved;
    for (const auto& entry : list.entries) resolved.push_back(entry.schema + "|" + entry.table);
    std::sort(resolved.begin(), resolved.end());
    EXPECT_EQ(resolved, (std::vector<std::string>{"a.\"b c\"; --|t", "app|orders", "app|users",
                                                  "audit|users"}))
        << "a bare key means the source schema";
    EXPECT_EQ(list.schemas, (std::vector<std::string>{"app", "a.\"b c\"; --", "audit"}))
        << "the source schema first, then the others, each once";
}

TEST(Allowlist, RejectsDuplicateTablesAcrossSpellings) {
    EXPECT_EQ(Rejection(R"({"other.t": []})").second, "accepted");
    EXPECT_EQ(Rejection(R"({"t": [], "public.t": ["a"]})").second,
              "allowlist names table \"public.t\" twice | Keys \"public.t\" and \"t\" both name "
              "table \"public.t\" (a bare key names a table of the source schema \"public\").");
    EXPECT_EQ(Rejection(R"({"other.t": [], "\"other\".\"t\"": ["a"]})").first, "22023");
    EXPECT_EQ(Rejection(R"({"other.t": [], "t": ["a"], "\"other.t\"": []})").second, "accepted")
        << "three tables: other.t, public.t and public.\"other.t\"";
}

TEST(Allowlist, TableKeysReadBackAsTheirTable) {
    for (const auto& [schema, table] :
         std::vector<std::pair<std::string, std::string>>{{"public", "t"},
                                                          {"audit", "t"},
                                                          {"a.b", "c.d"},
                                                          {"q\"x", "\"y\""},
                                                          {"public", "x.y"}}) {
        std::string key = TableKeyOf(schema, table, "public");
        TableKey parsed = ParseTableKey(key);
        EXPECT_EQ(parsed.schema.empty() ? "public" : parsed.schema, schema) << key;
        EXPECT_EQ(parsed.table, table) << key;
    }
    EXPECT_EQ(TableKeyOf("public", "t", "public"), "t");
    EXPECT_EQ(TableKeyOf("audit", "t", "public"), "audit.t");
}

}  // namespace
}  // namespace scrub
