// Checks made before anything is written, over a scripted Database.
#include <gtest/gtest.h>

#include <functional>

#include "error.h"
#include "plan.h"
#include "preflight.h"
#include "scripted_database.h"

namespace scrub {
namespace {

using testing::Column;
using testing::Table;

using testing::Contains;
using testing::ScriptedDatabase;

TEST(Preflight, BuildSchemaThatExistsIsNeverUsed) {
    ScriptedDatabase db([](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "gen_random_uuid")) return {{"scrub_build_42_abc"}};
        if (Contains(statement.sql, "nspowner")) return {{"mallory"}};
        return {};
    });
    try {
        CreateBuildSchema(db, testing::kQuote);
        ADD_FAILURE() << "created";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "42P06");
        EXPECT_EQ(e.report().message, "build schema \"scrub_build_42_abc\" already exists");
        EXPECT_NE(e.report().detail.find("owned by role \"mallory\""), std::string::npos);
        EXPECT_NE(e.report().hint.find("drop it"), std::string::npos);
    }
    EXPECT_TRUE(db.ExecutedByCaller().empty()) << "nothing was created";
}

TEST(Preflight, BuildSchemaIsCreatedUnderItsRandomName) {
    ScriptedDatabase db([](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "gen_random_uuid")) return {{"scrub_build_42_abc"}};
        return {};
    });
    EXPECT_EQ(CreateBuildSchema(db, testing::kQuote), "scrub_build_42_abc");
    ASSERT_EQ(db.ExecutedByCaller().size(), 1u);
    EXPECT_EQ(db.ExecutedByCaller()[0], "CREATE SCHEMA scrub_build_42_abc");
}

TEST(Preflight, FakesThatCannotFitFailNamingEachColumnAndTable) {
    SourceCatalog catalog;
    catalog.tables.push_back(
        Table("flags", {Column("id", "int4"), Column("flag", "bpchar", 4 + 1)}));
    std::vector<ColumnInfo> wide_columns{Column("id", "int4")};
    for (int i = 0; i < 1600 - 1; ++i)
        wide_columns.push_back(Column("c" + std::to_string(i), "text"));
    catalog.tables.push_back(Table("wide", wide_columns));
    catalog.tables.push_back(Table("plain", {Column("id", "int4"), Column("note", "text")}));
    Plan plan =
        BuildPlan(ParseAllowlist(R"({"flags": ["id"], "wide": ["id"], "plain": ["id"]})", "public"),
                  catalog, "public");
    std::vector<std::string> counted;
    ScriptedDatabase db([&](const Statement& statement) -> std::vector<Row> {
        counted.push_back(statement.sql);
        return {{Contains(statement.sql, "flags") ? "10" : "100000"}};
    });
    try {
        CheckFakesFit(db, plan, "public", testing::kQuote);
        ADD_FAILURE() << "passed";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "54000") << "a row that cannot be stored comes first";
        EXPECT_EQ(e.report().detail,
                  "The fakes of the 1599 scrubbed columns of table \"public.wide\" take at least "
                  "11193 bytes per row; a row holds at most 8160.");
    }
    EXPECT_EQ(counted.size(), 2u) << "tables no limit can reach are not counted";
    EXPECT_EQ(db.OwnerRoles().size(), 2u) << "rows are counted with the table owner's rights only";

    Plan narrow = BuildPlan(ParseAllowlist(R"({"flags": ["id"]})", "public"), catalog, "public");
    try {
        CheckFakesFit(db, narrow, "public", testing::kQuote);
        ADD_FAILURE() << "passed";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "22001");
        EXPECT_EQ(e.report().detail,
                  "Column \"public.flags.flag\" has type bpchar, whose fakes number at most 9 "
                  "rows; the table has 10.");
    }
}

}  // namespace
}  // namespace scrub
