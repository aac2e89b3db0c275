// The run's own statements (sqlgen_run.h) with hostile names: quotes,
// spaces, "; DROP", non-ASCII and 63-byte names reach the text only
// through the quoter or as parameters; every function and operator is
// pg_catalog-qualified; the manifest's statements follow kManifestColumns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.h"
#include "facts.h"
#include "plan.h"
#include "run.h"
#include "sql_checks.h"
#include "sqlgen_run.h"
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

TablePlan PlanFor(const TableInfo& table, std::vector<bool> keep) {
    TablePlan plan;
    plan.table = &table;
    plan.copy_rows = true;
    for (size_t i = 0; i < table.columns.size(); ++i) {
        ColumnPlan column;
        column.column = table.columns[i];
        column.keep = keep[i];
        plan.columns.push_back(column);
    }
    return plan;
}

// The column list of an INSERT: the names between the first "(" after
// the table and the following ")".
std::vector<std::string> InsertedColumns(const std::string& sql, const std::string& table) {
    size_t open = sql.find(table + " (");
    EXPECT_NE(open, std::string::npos) << sql;
    open += table.size() + 2;
    size_t close = sql.find(')', open);
    std::vector<std::string> names;
    std::string list = sql.substr(open, close - open);
    for (size_t start = 0;;) {
        size_t comma = list.find(", ", start);
        names.push_back(list.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 2;
    }
    return names;
}

std::vector<std::string> ManifestColumnsOf(const char* table) {
    std::vector<std::string> names;
    for (const ManifestColumn& column : kManifestColumns)
        if (std::string(column.table) == table) names.push_back(column.name);
    return names;
}

TEST(SqlGenRun, SessionStatementsAreQualified) {
    for (const Statement& statement :
         {ClockTimestamp(), CurrentRole(), CurrentSnapshot(), CurrentRoleIsSuperuser()}) {
        EXPECT_TRUE(statement.params.empty());
        EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
    }
}

TEST(SqlGenRun, SchemaNamesAreBoundAsValues) {
    for (const std::string& name : kHostileNames) {
        ExpectBound(CountSchemasNamed(name), name);
        ExpectBound(SchemaOwner(name), name);
        ExpectBound(TargetSchemaState(name), name);
        ExpectBound(CountManifestScratchColumns(name), name);
        ExpectBound(ScratchColumnsDiffering(name, "t", 7), name);
        ExpectBound(ScratchColumnsDiffering("s", name, 7), name);
    }
}

TEST(SqlGenRun, SchemaAndTableNamesAreQuoted) {
    for (const std::string& name : kHostileNames) {
        ExpectSafe(DropSchema(name, kQuote), name);
        ExpectSafe(RenameSchema(name, name, kQuote), name);
        ExpectSafe(ManifestScratchSchemas(name, kQuote), name);
        ExpectSafe(CountScratchRows(name, name, kQuote), name);
        ExpectSafe(ScratchColumnBounds(name, name, name, kQuote), name);
        ExpectSafe(ReadSequence(name, name, kQuote), name);
        EXPECT_EQ(DropSchema(name, kQuote).sql, "DROP SCHEMA " + kQuote(name) + " CASCADE");
        EXPECT_EQ(RenameSchema(name, "b", kQuote).sql,
                  "ALTER SCHEMA " + kQuote(name) + " RENAME TO b");
    }
}

TEST(SqlGenRun, ObjectIdentifiersAreBoundAsValues) {
    const std::vector<std::string> oids{"16384", "16385"};
    for (const Statement& statement :
         {UnreadableTables(oids), FirstUnreadableTable(oids), UnreadableSequences(oids)}) {
        ASSERT_EQ(statement.params.size(), 1u);
        EXPECT_EQ(*statement.params[0], "{\"16384\",\"16385\"}");
        EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
    }
    Statement partitions = PartitionsOfOtherOwners(16384, 10);
    ASSERT_EQ(partitions.params.size(), 2u);
    EXPECT_EQ(*partitions.params[0], "16384");
    EXPECT_EQ(*partitions.params[1], "10");
    EXPECT_EQ(UnqualifiedCalls(partitions.sql), std::vector<std::string>{});
    for (bool partitioned : {false, true}) {
        Statement size = RelationSize(16384, partitioned);
        ASSERT_EQ(size.params.size(), 1u);
        EXPECT_EQ(UnqualifiedCalls(size.sql), std::vector<std::string>{}) << size.sql;
    }
    Statement holder = RunLockHolder(4242);
    ASSERT_EQ(holder.params.size(), 3u);
    EXPECT_EQ(*holder.params[0], std::to_string(kRunLockClass));
    EXPECT_EQ(*holder.params[1], "4242");
    EXPECT_EQ(*holder.params[2], std::to_string(kRunLockField));
    EXPECT_EQ(UnqualifiedCalls(holder.sql), std::vector<std::string>{});
}

TEST(SqlGenRun, ManifestScratchColumnsAreTheManifestsOwn) {
    Statement count = CountManifestScratchColumns("t");
    ASSERT_EQ(count.params.size(), 3u);
    EXPECT_EQ(*count.params[1], kManifestTablesTable);
    EXPECT_EQ(*count.params[2], "{\"source_schema\",\"scratch_schema\"}");
    EXPECT_EQ(ManifestScratchSchemas("t", kQuote).sql,
              "SELECT DISTINCT t.source_schema, t.scratch_schema FROM ONLY t._scrub_tables t");
}

TEST(SqlGenRun, ManifestRunRowFollowsManifestColumns) {
    for (const std::string& name : kHostileNames) {
        Statement insert =
            InsertManifestRun(name, kQuote, name, "{\"a\": []}", "2026-01-01", "1:2:");
        ExpectSafe(insert, name);
        EXPECT_EQ(InsertedColumns(insert.sql, kManifestRunTable),
                  ManifestColumnsOf(kManifestRunTable));
        bool bound = false;
        for (const auto& param : insert.params) bound = bound || (param && *param == name);
        EXPECT_TRUE(bound) << "the source schema is a value";
    }
}

TEST(SqlGenRun, ManifestTableRowFollowsManifestColumns) {
    for (const std::string& name : kHostileNames) {
        TableInfo info = Table(name, {Column(name, "text"), Column("id", "int4")}, name);
        info.oid = 16384;
        TablePlan table = PlanFor(info, {false, true});
        table.row_filter = "id > 0";
        TableReport report;
        report.rows = 3;
        report.milliseconds = 1.5;
        report.leaks = {{name, 1}};
        for (const TableReport* with : std::vector<const TableReport*>{&report, nullptr}) {
            Statement insert =
                InsertManifestTable(name, kQuote, "ext.scrub_table_signature", table, with, name);
            ExpectSafe(insert, name);
            EXPECT_EQ(InsertedColumns(insert.sql, kManifestTablesTable),
                      ManifestColumnsOf(kManifestTablesTable));
            EXPECT_EQ(insert.sql.find("id > 0"), std::string::npos) << "the filter is a value";
        }
    }
}

TEST(SqlGenRun, ManifestSequenceStatementsFollowManifestColumns) {
    for (const std::string& name : kHostileNames) {
        SequenceInfo sequence{16390, name, name};
        Statement insert = InsertManifestSequence(name, sequence, "41", "t", kQuote);
        ExpectSafe(insert, name);
        // The position travels as values, read beforehand as the
        // sequence's owner: the statement never names the sequence.
        EXPECT_EQ(insert.sql.find("FROM"), std::string::npos) << insert.sql;
        ASSERT_EQ(insert.params.size(), 4u);
        EXPECT_EQ(*insert.params[1], "41");
        EXPECT_EQ(*insert.params[2], "t");
        EXPECT_EQ(InsertedColumns(insert.sql, kManifestSequencesTable),
                  ManifestColumnsOf(kManifestSequencesTable));
        Statement move = MoveSequencePosition(name, sequence, 16390, "10", "1", kQuote);
        ExpectSafe(move, name);
        for (const char* column : {"last_value", "is_called", "sequence_schema", "sequence_name"})
            EXPECT_NE(move.sql.find(column), std::string::npos) << column;
        Statement lock = LockSequencesByName({sequence, sequence});
        ASSERT_EQ(lock.params.size(), 2u);
        EXPECT_EQ(lock.sql.find(name), std::string::npos);
        EXPECT_EQ(*lock.params[0], TextArrayLiteral({name, name}));
        EXPECT_EQ(UnqualifiedCalls(lock.sql), std::vector<std::string>{});
    }
}

TEST(SqlGenRun, TheQualificationCheckFindsUnqualifiedCalls) {
    // The checker itself: it must not pass what it is meant to catch.
    EXPECT_EQ(UnqualifiedCalls("SELECT count(*) FROM t"), std::vector<std::string>{"count"});
    EXPECT_EQ(UnqualifiedCalls("SELECT a OPERATOR(public.=) b"),
              std::vector<std::string>{"OPERATOR"});
    EXPECT_TRUE(UnqualifiedCalls("SELECT pg_catalog.count(*) FROM \"f(x)\"").empty());
}

}  // namespace
}  // namespace scrub
