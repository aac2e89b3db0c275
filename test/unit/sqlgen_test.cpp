// SQL generation, with hostile identifiers: every name reaches the text
// only through the quoter, every value only as a parameter.
#include <gtest/gtest.h>

#include "plan.h"
#include "sqlgen.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::kQuote;
using testing::Table;

const char* kHostile = "x\"; DROP TABLE users; --";

TablePlan PlanFor(const TableInfo& table, std::vector<bool> keep) {
    TablePlan plan;
    plan.table = &table;
    plan.copy_rows = true;
    for (size_t i = 0; i < table.columns.size(); ++i)
        plan.columns.push_back({table.columns[i], keep[i]});
    return plan;
}

TEST(SqlGen, CopyRowsKeepsAndFakesByPosition) {
    TableInfo table = Table("users", {Column("id", "int8"), Column("email", "text")});
    Statement copy = CopyRows(PlanFor(table, {true, false}), "public", "build", kQuote, "ext");
    EXPECT_EQ(copy.sql,
              "INSERT INTO build.users (id, email) SELECT s.c1, CASE WHEN s.c2 IS NULL THEN NULL "
              "ELSE pg_catalog.textcat($1, s.seed_text) END FROM (SELECT src.id AS c1, src.email "
              "AS c2, CAST(pg_catalog.row_number() OVER () AS pg_catalog.text) AS seed_text FROM "
              "ONLY public.users AS src) AS s");
    ASSERT_EQ(copy.params.size(), 1u);
    EXPECT_EQ(*copy.params[0], "email_");
}

TEST(SqlGen, NumberAndTextSeedsAreEachComputedOnce) {
    TableInfo table = Table("t", {Column("a", "int4"), Column("b", "text"), Column("c", "text")});
    Statement copy =
        CopyRows(PlanFor(table, {false, false, false}), "public", "build", kQuote, "ext");
    EXPECT_NE(copy.sql.find("row_number() OVER () AS seed,"), std::string::npos) << copy.sql;
    EXPECT_NE(copy.sql.find("AS seed_text FROM"), std::string::npos) << copy.sql;
    EXPECT_EQ(copy.sql.find("CAST(s.seed"), std::string::npos) << "no per-reference casts";
}

TEST(SqlGen, AllKeptTablesNeedNoRowNumber) {
    TableInfo table = Table("t", {Column("a", "int4")});
    Statement copy = CopyRows(PlanFor(table, {true}), "public", "build", kQuote, "ext");
    EXPECT_EQ(copy.sql.find("row_number"), std::string::npos);
    EXPECT_TRUE(copy.params.empty());
}

TEST(SqlGen, PartitionedTablesReadEveryLocalLeaf) {
    TableInfo table = Table("orders", {Column("id", "int4"), Column("note", "text")});
    table.partitioned = true;
    table.leaves = {{"public", "orders_2024"}, {"archive", "orders_2023"}};
    table.foreign_leaves = {{"public", "orders_remote"}};
    Statement copy = CopyRows(PlanFor(table, {true, true}), "public", "build", kQuote, "ext");
    EXPECT_NE(copy.sql.find("FROM (SELECT id, note FROM ONLY public.orders_2024 UNION ALL "
                            "SELECT id, note FROM ONLY archive.orders_2023) AS src"),
              std::string::npos)
        << copy.sql;
    EXPECT_EQ(copy.sql.find("orders_remote"), std::string::npos)
        << "a foreign partition's rows are never read";
    EXPECT_EQ(CountRows(table, "public", kQuote).sql,
              "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ONLY public.orders_2024 UNION ALL "
              "SELECT 1 FROM ONLY archive.orders_2023) AS src");
    EXPECT_EQ(AnyRowWithValues(table, "public", {"id"}, kQuote).sql,
              "SELECT EXISTS (SELECT FROM (SELECT id FROM ONLY public.orders_2024 UNION ALL "
              "SELECT id FROM ONLY archive.orders_2023) AS src WHERE id IS NOT NULL)");
    table.leaves.clear();
    EXPECT_EQ(CountRows(table, "public", kQuote).sql,
              "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ONLY public.orders) AS src")
        << "no local leaf: no rows";
    TableInfo plain = Table("t", {Column("a", "int4")});
    EXPECT_EQ(CountRows(plain, "s", kQuote).sql, "SELECT pg_catalog.count(*) FROM ONLY s.t AS src");
    table.foreign_leaves.clear();
    EXPECT_EQ(CountRows(table, "public", kQuote).sql,
              "SELECT pg_catalog.count(*) FROM public.orders AS src")
        << "without a foreign partition, through the root: partitions need no rights of "
           "their own";
}

TEST(SqlGen, WideTablesGetTextFakesWithoutPrefix) {
    std::vector<ColumnInfo> columns{Column("id", "int4")};
    for (int i = 0; i < 80; ++i) columns.push_back(Column("column_" + std::to_string(i), "text"));
    TableInfo wide = Table("wide", columns);
    std::vector<bool> keep(columns.size(), false);
    keep[0] = true;
    Statement copy = CopyRows(PlanFor(wide, keep), "public", "build", kQuote, "ext");
    EXPECT_TRUE(copy.params.empty()) << "no prefix is bound";
    EXPECT_NE(copy.sql.find("ELSE s.seed_text END"), std::string::npos) << copy.sql;

    TableInfo narrow = Table("narrow", {Column("id", "int4"), Column("email", "text")});
    Statement prefixed = CopyRows(PlanFor(narrow, {true, false}), "public", "build", kQuote, "ext");
    ASSERT_EQ(prefixed.params.size(), 1u);
    EXPECT_EQ(*prefixed.params[0], "email_");
}

TEST(SqlGen, ScratchColumnsKeepTheirCollation) {
    TableInfo table = Table("t", {Column("a", "text"), Column("b", "text")});
    table.columns[1].collation = "public.ci";
    EXPECT_EQ(CreateScratchTable(PlanFor(table, {true, true}), "build", kQuote).sql,
              "CREATE TABLE build.t (a text, b text COLLATE public.ci)");
}

TEST(SqlGen, HostileIdentifiersAreQuotedEverywhere) {
    TableInfo table = Table(kHostile, {Column(kHostile, "text"), Column("Id", "int4")}, kHostile);
    Plan plan;
    plan.tables.push_back(PlanFor(table, {false, true}));
    const std::string quoted = "\"x\"\"; DROP TABLE users; --\"";

    Statement copy = CopyRows(plan.tables[0], kHostile, kHostile, kQuote, kHostile);
    Statement create = CreateScratchTable(plan.tables[0], kHostile, kQuote);
    Statement lock = LockSourceTables(plan, kQuote);
    for (const Statement* statement : {&copy, &create, &lock}) {
        // With every quoted occurrence removed, no trace of the name is left.
        std::string stripped = statement->sql;
        for (size_t pos; (pos = stripped.find(quoted)) != std::string::npos;)
            stripped.erase(pos, quoted.size());
        EXPECT_EQ(stripped.find("DROP"), std::string::npos) << statement->sql;
        EXPECT_EQ(stripped.find(';'), std::string::npos) << statement->sql;
    }
    EXPECT_EQ(lock.sql, "LOCK TABLE " + quoted + "." + quoted + " IN ACCESS SHARE MODE");
    EXPECT_EQ(create.sql,
              "CREATE TABLE " + quoted + "." + quoted + " (" + quoted + " text, \"Id\" int4)");
    ASSERT_EQ(copy.params.size(), 1u);
    EXPECT_EQ(*copy.params[0], std::string(kHostile) + "_");
}

TEST(SqlGen, ScratchTableAccessNamesOneTableAndQuotesTheRole) {
    std::vector<Statement> grant = ScratchTableAccess(true, "build", "t", "Owner \"x\"", kQuote);
    ASSERT_EQ(grant.size(), 2u);
    EXPECT_EQ(grant[0].sql, "GRANT USAGE ON SCHEMA build TO \"Owner \"\"x\"\"\"");
    EXPECT_EQ(grant[1].sql, "GRANT SELECT, INSERT ON TABLE build.t TO \"Owner \"\"x\"\"\"");
    std::vector<Statement> revoke = ScratchTableAccess(false, "build", "t", "o", kQuote);
    ASSERT_EQ(revoke.size(), 2u);
    EXPECT_EQ(revoke[0].sql, "REVOKE USAGE ON SCHEMA build FROM o");
    EXPECT_EQ(revoke[1].sql, "REVOKE SELECT, INSERT ON TABLE build.t FROM o");
}

TEST(SqlGen, LockOnlyTablesWhoseRowsAreRead) {
    TableInfo copied = Table("a", {Column("x", "int4")});
    TableInfo skipped = Table("b", {Column("x", "int4")});
    Plan plan;
    plan.tables.push_back(PlanFor(copied, {true}));
    plan.tables.push_back(PlanFor(skipped, {true}));
    plan.tables.back().copy_rows = false;
    EXPECT_EQ(LockSourceTables(plan, kQuote).sql, "LOCK TABLE public.a IN ACCESS SHARE MODE");
    TableInfo other = Table("a", {Column("x", "int4")}, "audit \"x\"");
    plan.tables.push_back(PlanFor(other, {true}));
    EXPECT_EQ(LockSourceTables(plan, kQuote).sql,
              "LOCK TABLE public.a, \"audit \"\"x\"\"\".a IN ACCESS SHARE MODE")
        << "one statement over the tables of every schema";
    plan.tables.front().copy_rows = false;
    plan.tables.back().copy_rows = false;
    EXPECT_TRUE(LockSourceTables(plan, kQuote).sql.empty());
}

TEST(SqlGen, TextArrayLiteralEscapesQuotesAndBackslashes) {
    EXPECT_EQ(TextArrayLiteral({}), "{}");
    EXPECT_EQ(TextArrayLiteral({"a", "b c", "q\"x", "back\\slash", "{,}"}),
              "{\"a\",\"b c\",\"q\\\"x\",\"back\\\\slash\",\"{,}\"}");
}

TEST(SqlGen, ManifestTablesUseQualifiedTypes) {
    for (const Statement& statement : CreateManifest(kHostile, kQuote)) {
        EXPECT_EQ(statement.sql.rfind("CREATE TABLE \"x\"\"; DROP TABLE users; --\"._scrub_", 0),
                  0u);
        EXPECT_EQ(statement.sql.find(" text"), std::string::npos)
            << "types are pg_catalog-qualified";
    }
}

TEST(SqlGen, ManifestTablesCreateNoIndexes) {
    // An index would take a name (_scrub_tables_pkey, ...) in the build
    // schema that a copied source table may already have.
    for (const Statement& statement : CreateManifest("build", kQuote)) {
        EXPECT_EQ(statement.sql.find("PRIMARY KEY"), std::string::npos) << statement.sql;
        EXPECT_EQ(statement.sql.find("UNIQUE"), std::string::npos) << statement.sql;
    }
}

}  // namespace
}  // namespace scrub
