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

Index UniqueIndex(const std::string& name, const std::string& table,
                  std::vector<std::string> columns) {
    Index index;
    index.name = name;
    index.table = table;
    index.schema = "public";
    index.columns = std::move(columns);
    return index;
}

TEST(Preflight, FakesThatCannotFitFailNamingEachColumnAndTable) {
    SourceCatalog catalog;
    catalog.tables.push_back(
        Table("flags", {Column("id", "int4"), Column("flag", "bpchar", 4 + 1)}));
    catalog.indexes.push_back(UniqueIndex("flags_flag_key", "flags", {"flag"}));
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
                  "Column \"public.flags.flag\" has type bpchar, whose distinct fakes number at "
                  "most 9; the table has 10 rows, and unique index \"flags_flag_key\" needs a "
                  "different value in each.");
        EXPECT_NE(e.report().hint.find("widen their types"), std::string::npos);
    }
}

TEST(Preflight, FakesNoUniqueIndexNeedsDistinctWrapWithoutCounting) {
    // char(1) and smallint in a table of a million rows: no unique index
    // covers them, so their fakes wrap and no row is counted.
    SourceCatalog catalog;
    catalog.tables.push_back(Table("codes", {Column("id", "int4"), Column("code", "bpchar", 4 + 1),
                                             Column("n", "int2"), Column("d", "date")}));
    catalog.indexes.push_back(UniqueIndex("codes_pkey", "codes", {"id"}));
    // Unique by its kept column alone: (id, code) holds whatever code is.
    catalog.indexes.push_back(UniqueIndex("codes_id_code_key", "codes", {"id", "code"}));
    Plan plan = BuildPlan(ParseAllowlist(R"({"codes": ["id"]})", "public"), catalog, "public");
    std::vector<std::string> counted;
    ScriptedDatabase db([&](const Statement& statement) -> std::vector<Row> {
        counted.push_back(statement.sql);
        return {{"1000000"}};
    });
    CheckFakesFit(db, plan, "public", testing::kQuote);
    EXPECT_TRUE(counted.empty());
}

}  // namespace
}  // namespace scrub
