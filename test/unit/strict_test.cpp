// Strict mode and scrub_plan's decisions: which tables and columns count
// as decided, the hint's JSON, and problems collected instead of thrown.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error.h"
#include "plan.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::Table;

SourceCatalog Catalog() {
    SourceCatalog catalog;
    ColumnInfo doubled = Column("doubled", "int4");
    doubled.generated = true;
    catalog.tables.push_back(Table(
        "users", {Column("id", "int4"), Column("email", "text"), Column("nick", "text"), doubled}));
    catalog.tables.push_back(
        Table("orders", {Column("id", "int4"), Column("user_id", "int4"), Column("note", "text")}));
    catalog.tables.push_back(Table("tags", {Column("id", "int4")}));
    catalog.tables.push_back(Table("events", {Column("id", "int4")}, "audit"));
    catalog.schemas = {"public", "audit"};
    ForeignKey key;
    key.name = "orders_user_fk";
    key.schema = "public";
    key.table = "orders";
    key.columns = {"user_id"};
    key.referenced_schema = "public";
    key.referenced_table = "users";
    key.referenced_columns = {"id"};
    catalog.foreign_keys.push_back(key);
    return catalog;
}

const TablePlan& Find(const Plan& plan, const std::string& name) {
    for (const TablePlan& table : plan.tables)
        if (table.table->name == name) return table;
    throw std::runtime_error("no plan for " + name);
}

const ColumnInfo& ColumnOf(const TablePlan& table, const std::string& name) {
    for (const ColumnInfo& column : table.table->columns)
        if (column.name == name) return column;
    throw std::runtime_error("no column " + name);
}

std::vector<std::string> Texts(const Problems& problems) {
    std::vector<std::string> texts;
    for (const Problem& problem : problems) texts.push_back(problem.text);
    return texts;
}

TEST(Strict, EveryTableListedAndEveryCopiedColumnNamed) {
    SourceCatalog catalog = Catalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({"users": ["id"],
        "orders": {"columns": {"id": "keep", "note": {"rule": "null", "why": "x"}}},
        "audit.events": []})",
                                         "public"),
                          catalog, "public");
    Problems undecided = StrictProblems(plan, "public");
    // In the catalog's order (the server reads it sorted by schema and name).
    EXPECT_EQ(Texts(undecided),
              (std::vector<std::string>{
                  R"(Column "public.users.email" has no decision (key "users").)",
                  R"(Column "public.users.nick" has no decision (key "users").)",
                  R"(Column "public.orders.user_id" has no decision (key "orders").)",
                  R"(Table "public.tags" is not listed (key "tags").)"}));
    // Generated columns and tables listed without rows need nothing more.
    for (const Problem& problem : undecided) {
        EXPECT_NE(problem.column, "doubled");
        EXPECT_NE(problem.table, "events");
    }
    EXPECT_EQ(undecided[3].column, "");
    EXPECT_EQ(undecided[2].column, "user_id");
}

TEST(Strict, AStrictRunFailsWithOneErrorAndPasteableHint) {
    SourceCatalog catalog = Catalog();
    catalog.tables.push_back(Table("we\"ird\\", {Column("a\"b", "text")}, "public"));
    try {
        BuildPlan(
            ParseAllowlist(R"({"users": ["id"], "orders": {"columns": {"id": "keep"}}})", "public"),
            catalog, "public", true);
        FAIL() << "strict plan passed";
    } catch (const ScrubError& error) {
        const ErrorReport& report = error.report();
        EXPECT_EQ(report.sqlstate, "22023");
        EXPECT_EQ(report.message,
                  "strict mode: the allowlist leaves 7 tables or columns undecided");
        EXPECT_NE(report.detail.find(R"(Table "audit.events" is not listed (key "audit.events").)"),
                  std::string::npos);
        std::string fragment = report.hint.substr(report.hint.find('\n') + 1);
        nlohmann::json entries = nlohmann::json::parse("{" + fragment + "}");
        EXPECT_EQ(entries["tags"], nlohmann::json::array());
        EXPECT_EQ(entries["audit.events"], nlohmann::json::array());
        // Keys as the allowlist writes them: a part with a quote is quoted.
        EXPECT_EQ(entries["\"we\"\"ird\\\""], nlohmann::json::array());
        // A plain-form table is rewritten with its kept columns.
        EXPECT_EQ(entries["users"]["columns"],
                  (nlohmann::json{{"id", "keep"}, {"email", "fake"}, {"nick", "fake"}}));
        // An object-form table gets only what to add.
        EXPECT_EQ(entries["orders"]["columns"],
                  (nlohmann::json{{"user_id", "fake"}, {"note", "fake"}}));
    }
}

TEST(Strict, NotStrictPlansAsBefore) {
    SourceCatalog catalog = Catalog();
    EXPECT_NO_THROW(BuildPlan(ParseAllowlist(R"({"users": ["id"]})", "public"), catalog, "public"));
    EXPECT_NO_THROW(BuildPlan(ParseAllowlist(R"({"users": ["id", "email", "nick"],
        "orders": ["id", "user_id", "note"], "tags": [], "audit.events": []})",
                                             "public"),
                              catalog, "public", true));
}

TEST(Strict, AColumnHashedThroughItsForeignKeyIsDecided) {
    SourceCatalog catalog = Catalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({
        "users": {"columns": {"id": "hash", "email": "email", "nick": "null"}},
        "orders": {"columns": {"id": "keep", "note": "fake"}},
        "tags": [], "audit.events": []})",
                                         "public"),
                          catalog, "public", true);
    const TablePlan& orders = Find(plan, "orders");
    Decision decision = DecisionOf(orders, ColumnOf(orders, "user_id"));
    EXPECT_EQ(decision.decision, "hash");
    EXPECT_EQ(decision.reason, "hashed through foreign key \"orders_user_fk\"");
}

TEST(Decisions, SayWhatTheRunDoesAndWhy) {
    SourceCatalog catalog = Catalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({"users": {"columns": {"id": "keep",
        "email": {"rule": "email", "why": "contact"}}}, "orders": ["id", "user_id"],
        "audit.events": []})",
                                         "public"),
                          catalog, "public");
    auto decision = [&](const std::string& table, const std::string& column) {
        const TablePlan& planned = Find(plan, table);
        Decision d = DecisionOf(planned, ColumnOf(planned, column));
        return d.decision + "/" + d.reason + "/" + d.why;
    };
    EXPECT_EQ(decision("users", "id"), "keep/rule/");
    EXPECT_EQ(decision("users", "email"), "email/rule/contact");
    EXPECT_EQ(decision("users", "nick"), "fake/default fake/");
    EXPECT_EQ(decision("users", "doubled"), "generated/generated/");
    EXPECT_EQ(decision("orders", "user_id"), "keep/listed/");
    EXPECT_EQ(decision("orders", "note"), "fake/default fake/");
    EXPECT_EQ(decision("tags", "id"), "no rows/table not listed/");
    EXPECT_EQ(decision("events", "id"), "no rows/table listed without rows/");
}

TEST(Problems, AreCollectedInsteadOfThrown) {
    SourceCatalog catalog = Catalog();
    catalog.tables[0].columns[1].not_null = true;
    catalog.tables.push_back(Table("odd", {Column("id", "int4"), Column("spot", "point")}));
    Problems problems;
    Plan plan = BuildPlan(ParseAllowlist(R"({"missing": [], "users": {"columns": {
        "id": "keep", "gone": "keep", "email": "null", "nick": "hash"}},
        "odd": ["id"]})",
                                         "public"),
                          catalog, "public", true, &problems);
    auto has = [&](const std::string& table, const std::string& column, const std::string& part) {
        for (const Problem& problem : problems)
            if (problem.table == table && problem.column == column &&
                problem.text.find(part) != std::string::npos)
                return true;
        return false;
    };
    EXPECT_TRUE(has("missing", "", "does not exist"));
    EXPECT_TRUE(has("users", "gone", "does not exist"));
    EXPECT_TRUE(has("users", "email", "is NOT NULL, but its rule makes it NULL"));
    EXPECT_TRUE(has("odd", "spot", "has type point"));
    EXPECT_TRUE(has("odd", "spot", "has no decision"));
    EXPECT_TRUE(has("orders", "", "is not listed"));
    // The plan is still made, as far as it goes.
    EXPECT_TRUE(Find(plan, "users").copy_rows);
    // Without a sink, the first kind is thrown as the run always threw it.
    try {
        BuildPlan(
            ParseAllowlist(R"({"missing": [], "users": {"columns": {"gone": "keep"}}})", "public"),
            catalog, "public", true);
        FAIL();
    } catch (const ScrubError& error) {
        EXPECT_EQ(error.report().sqlstate, "42704");
        EXPECT_EQ(error.report().detail,
                  "Table \"public.missing\" does not exist (key \"missing\").\n"
                  "Column \"gone\" of table \"public.users\" does not exist (key \"users\").");
    }
}

}  // namespace
}  // namespace scrub
