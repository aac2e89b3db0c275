// Allowlist parsing: accepted shapes and every rejection.
#include <gtest/gtest.h>

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

TEST(Allowlist, RejectsOtherSchemasAndDuplicateTables) {
    EXPECT_EQ(Rejection(R"({"other.t": []})").second,
              "allowlist key \"other.t\" names a table outside the source schema | Its schema is "
              "\"other\"; the source schema is \"public\".");
    EXPECT_EQ(Rejection(R"({"t": [], "public.t": ["a"]})").second,
              "allowlist names table \"t\" twice | Keys \"public.t\" and \"t\" both name table "
              "\"public.t\".");
}

}  // namespace
}  // namespace scrub
