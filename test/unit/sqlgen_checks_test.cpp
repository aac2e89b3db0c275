// The statements of the checks before a run writes (sqlgen_checks.h) with
// hostile names: schema, table and column names reach the text only
// through the quoter, values and the run's token only as parameters, the
// allowlist's expressions only as the delimited text each check needs;
// every other call and operator is pg_catalog-qualified.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "facts.h"
#include "plan.h"
#include "sql_checks.h"
#include "sqlgen_checks.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::ExpectBound;
using testing::ExpectSafe;
using testing::kHostileNames;
using testing::kQuote;
using testing::Table;
using testing::UnqualifiedCalls;

// A plan for `table` that copies its rows, each column with rule `kind`.
TablePlan PlanOf(const TableInfo& table, RuleKind kind) {
    TablePlan plan;
    plan.table = &table;
    plan.copy_rows = true;
    plan.key = table.schema + "." + table.name;
    for (const ColumnInfo& info : table.columns) {
        ColumnPlan column;
        column.column = info;
        column.rule.kind = kind;
        column.hash_type = info.scalar;
        plan.columns.push_back(column);
    }
    return plan;
}

size_t Occurrences(const std::string& text, const std::string& part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

TEST(SqlGenChecks, TargetSchemaIsBoundAsAValue) {
    for (const std::string& name : kHostileNames) {
        Statement dependents = OutsideDependents(name);
        ExpectBound(dependents, name);
        ASSERT_EQ(dependents.params.size(), 1u);
    }
    // The walk stops at the schema's edge: pg_toast and the schema itself
    // (quoted, as pg_identify_object names it) count as inside.
    const std::string sql = OutsideDependents("s").sql;
    EXPECT_NE(sql.find("pg_catalog.quote_ident($1), 'pg_toast'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("WITH RECURSIVE"), std::string::npos) << sql;
}

TEST(SqlGenChecks, BuildSchemaIsNamedByTheServerAndCreatedQuoted) {
    Statement name = NewBuildSchemaName();
    EXPECT_TRUE(name.params.empty());
    EXPECT_NE(name.sql.find(std::string("'") + kBuildSchemaPrefix + "%s_%s'"), std::string::npos)
        << name.sql;
    EXPECT_NE(name.sql.find("pg_catalog.gen_random_uuid()"), std::string::npos) << name.sql;
    EXPECT_EQ(UnqualifiedCalls(name.sql), std::vector<std::string>{}) << name.sql;
    for (const std::string& hostile : kHostileNames) {
        ExpectSafe(CreateSchema(hostile, kQuote), hostile);
        EXPECT_EQ(CreateSchema(hostile, kQuote).sql, "CREATE SCHEMA " + kQuote(hostile));
    }
}

TEST(SqlGenChecks, ExtensionLookupsReadOnlyTheCatalog) {
    for (const Statement& statement : {ExtensionImpostors(), ExtensionSchemaAndSignature()}) {
        EXPECT_TRUE(statement.params.empty());
        EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
        EXPECT_NE(statement.sql.find("e.extname OPERATOR(pg_catalog.=) 'scrub'"), std::string::npos)
            << statement.sql;
    }
    // Impostors: named like a member (deptype 'e') and not one themselves.
    const std::string impostors = ExtensionImpostors().sql;
    EXPECT_EQ(Occurrences(impostors, "d.deptype OPERATOR(pg_catalog.=) 'e'"), 2u) << impostors;
    EXPECT_NE(impostors.find("AND NOT EXISTS"), std::string::npos) << impostors;
}

TEST(SqlGenChecks, SchemaOwnersAreReadByObjectIdentifier) {
    Statement owners = SchemasOfOtherOwners({"16384", "16385"});
    ASSERT_EQ(owners.params.size(), 1u);
    EXPECT_EQ(*owners.params[0], "{\"16384\",\"16385\"}");
    EXPECT_EQ(UnqualifiedCalls(owners.sql), std::vector<std::string>{}) << owners.sql;
    // The tables, every partition, and the column types and their
    // elements; trusted: superusers, the table's owner, and
    // pg_database_owner when the database's owner is one of those.
    for (const char* part : {"pg_catalog.pg_partition_tree(t.relid)", "x.typelem AS element",
                             "s.nspowner OPERATOR(pg_catalog.<>) d.owner", "r.rolsuper",
                             "CAST('pg_database_owner' AS pg_catalog.regrole)",
                             "b.datdba OPERATOR(pg_catalog.=) d.owner"})
        EXPECT_NE(owners.sql.find(part), std::string::npos) << part;
}

TEST(SqlGenChecks, HashKeyProbeBindsTheTokenAndQuotesTheSchema) {
    const std::string token = "t0k3n'); SELECT 1; --";
    for (const std::string& schema : kHostileNames) {
        Statement probe = ProbeHashKey(schema, token, kQuote);
        ExpectSafe(probe, schema);
        EXPECT_EQ(probe.sql.find(token), std::string::npos) << probe.sql;
        ASSERT_EQ(probe.params.size(), 1u);
        EXPECT_EQ(*probe.params[0], token);
        EXPECT_EQ(probe.sql, "SELECT " + kQuote(schema) +
                                 ".scrub_hash(CAST(0 AS pg_catalog.int8), CAST($1 AS "
                                 "pg_catalog.text))");
    }
    // Without a token: the superuser-only form, one argument.
    Statement superuser = ProbeHashKey("scrub", "", kQuote);
    EXPECT_TRUE(superuser.params.empty());
    EXPECT_EQ(superuser.sql, "SELECT scrub.scrub_hash(CAST(0 AS pg_catalog.int8))");
}

TEST(SqlGenChecks, ConstantsAreBoundNeverSpliced) {
    TableInfo table = Table("t", {Column("c", "varchar", 14)});
    TablePlan plan = PlanOf(table, RuleKind::kConstant);
    ColumnPlan& column = plan.columns[0];
    column.column.type_sql = "character varying(10)";
    column.rule.constant = "x'); DROP TABLE users; --";
    Statement cast = CastConstant(column);
    EXPECT_EQ(cast.sql.find("DROP"), std::string::npos) << cast.sql;
    ASSERT_EQ(cast.params.size(), 1u);
    EXPECT_EQ(*cast.params[0], *column.rule.constant);
    EXPECT_EQ(cast.sql, "SELECT CAST(CAST($1 AS pg_catalog.text) AS character varying(10))");
    column.rule.constant.reset();
    Statement null_constant = CastConstant(column);
    ASSERT_EQ(null_constant.params.size(), 1u);
    EXPECT_FALSE(null_constant.params[0].has_value());
}

TEST(SqlGenChecks, AnalysesReadTheTableItselfUnderHostileNames) {
    for (const std::string& name : kHostileNames) {
        TableInfo table = Table(name, {Column(name, "text")}, name);
        TablePlan plan = PlanOf(table, RuleKind::kSql);
        plan.row_filter = "true";
        plan.columns[0].rule.sql = "'x'";
        ExpectSafe(AnalyseFilter(plan, kQuote), name);
        ExpectSafe(AnalyseSqlRule(plan, plan.columns[0], kQuote), name);
        const std::string from = "FROM ONLY " + kQuote(name) + "." + kQuote(name) + " AS src";
        EXPECT_NE(AnalyseFilter(plan, kQuote).sql.find(from), std::string::npos);
        EXPECT_NE(AnalyseSqlRule(plan, plan.columns[0], kQuote).sql.find(from), std::string::npos);
    }
}

TEST(SqlGenChecks, AnExpressionEndingInACommentEndsWithIt) {
    TableInfo table = Table("t", {Column("c", "int4")});
    TablePlan plan = PlanOf(table, RuleKind::kSql);
    plan.row_filter = "c > 0 -- recent only";
    plan.columns[0].rule.sql = "c + 1 -- shifted";
    plan.columns[0].column.type_sql = "integer";
    EXPECT_EQ(AnalyseFilter(plan, kQuote).sql,
              "SELECT FROM ONLY public.t AS src WHERE (c > 0 -- recent only\n) LIMIT 0");
    EXPECT_EQ(AnalyseSqlRule(plan, plan.columns[0], kQuote).sql,
              "SELECT CAST((c + 1 -- shifted\n) AS integer) FROM ONLY public.t AS src WHERE "
              "CAST((c + 1 -- shifted\n) AS integer) IS NULL LIMIT 0");
}

TEST(SqlGenChecks, PlanningUsesThePinnedTextNotTheAllowlists) {
    TableInfo table = Table("t", {Column("c", "int4")});
    TablePlan plan = PlanOf(table, RuleKind::kSql);
    plan.row_filter = "c > lower_bound()";
    plan.pinned_filter = "src.c OPERATOR(pg_catalog.>) public.lower_bound()";
    ColumnPlan& column = plan.columns[0];
    column.column.type_sql = "integer";
    column.rule.sql = "c + shift()";
    column.pinned_sql = "src.c OPERATOR(pg_catalog.+) public.shift()";
    const std::string rows = "ONLY public.t AS src";
    EXPECT_EQ(PlanFilter(plan, rows).sql,
              "SELECT FROM ONLY public.t AS src WHERE (src.c OPERATOR(pg_catalog.>) "
              "public.lower_bound()\n) LIMIT 0");
    EXPECT_EQ(PlanSqlRule(column, rows).sql,
              "SELECT FROM ONLY public.t AS src WHERE CAST((src.c OPERATOR(pg_catalog.+) "
              "public.shift()\n) AS integer) IS NULL LIMIT 0");
    EXPECT_EQ(PlanFilter(plan, rows).sql.find(plan.row_filter), std::string::npos);
    EXPECT_EQ(PlanSqlRule(column, rows).sql.find(column.rule.sql), std::string::npos);
}

TEST(SqlGenChecks, HashCollisionCountsQuoteEveryName) {
    for (const std::string& name : kHostileNames) {
        TableInfo table = Table(name, {Column(name, "text"), Column("other", "text")}, name);
        TablePlan plan = PlanOf(table, RuleKind::kHash);
        const ColumnPlan& column = plan.columns[0];
        Statement inputs = CountDistinctHashInputs(plan, column, kQuote);
        ExpectSafe(inputs, name);
        EXPECT_NE(inputs.sql.find("pg_catalog.count(DISTINCT "), std::string::npos);
        EXPECT_EQ(inputs.sql.find(" WHERE "), std::string::npos) << "no filter, no WHERE";
        Statement scratch = CountDistinctHashes(plan, column, name, "", kQuote);
        ExpectSafe(scratch, name);
        EXPECT_NE(scratch.sql.find("FROM ONLY " + kQuote(name) + "." + kQuote(name)),
                  std::string::npos)
            << scratch.sql;
        Statement streamed = CountDistinctHashes(plan, column, name, "SELECT 1", kQuote);
        EXPECT_NE(streamed.sql.find("FROM (SELECT 1) AS scrubbed"), std::string::npos)
            << streamed.sql;
    }
    // A filtered table counts only the rows it keeps, in the pinned text.
    TableInfo table = Table("t", {Column("c", "text")});
    TablePlan plan = PlanOf(table, RuleKind::kHash);
    plan.row_filter = "c <> ''";
    plan.pinned_filter = "src.c OPERATOR(pg_catalog.<>) ''::text";
    Statement inputs = CountDistinctHashInputs(plan, plan.columns[0], kQuote);
    EXPECT_NE(inputs.sql.find(" AS src WHERE (src.c OPERATOR(pg_catalog.<>) ''::text\n)"),
              std::string::npos)
        << inputs.sql;
}

}  // namespace
}  // namespace scrub
