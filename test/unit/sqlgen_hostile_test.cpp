// Every generator of sqlgen.h with hostile names in every place a name
// can take: schemas, tables, columns, partitions, constraints, indexes,
// roles. Names reach the text only quoted, and every call and operator
// scrub writes is pg_catalog-qualified (the catalog's deparsed
// expressions, spliced as they are, are qualified by the server).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog.h"
#include "plan.h"
#include "sql_checks.h"
#include "sqlgen.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::ExpectSafe;
using testing::kHostileNames;
using testing::kQuote;
using testing::Table;

// A table named `name` in schema `name` whose columns are named `name`
// and "Id", the first scrubbed with `kind`, the second kept.
struct Fixture {
    explicit Fixture(const std::string& name, RuleKind kind = RuleKind::kFake)
        : table(Table(name, {Column(name, "text"), Column("Id", "int4")}, name)) {
        plan.table = &table;
        plan.copy_rows = true;
        plan.key = name + "." + name;
        ColumnPlan scrubbed;
        scrubbed.column = table.columns[0];
        scrubbed.rule.kind = kind;
        scrubbed.hash_type = table.columns[0].scalar;
        plan.columns.push_back(scrubbed);
        ColumnPlan kept;
        kept.column = table.columns[1];
        kept.keep = true;
        plan.columns.push_back(kept);
    }
    TableInfo table;
    TablePlan plan;
};

TEST(SqlGenHostile, SourceReadsQuoteTablesPartitionsAndColumns) {
    for (const std::string& name : kHostileNames) {
        Fixture fixture(name);
        const std::vector<std::string> columns{name, "Id"};
        ExpectSafe({SourceRows(fixture.table, name, columns, kQuote), {}}, name);
        ExpectSafe(CountRows(fixture.table, name, kQuote), name);
        ExpectSafe(AnyRowWithValues(fixture.table, name, columns, kQuote), name);
        // A partitioned table with a foreign partition reads each local
        // leaf, in any schema, by name.
        TableInfo root = fixture.table;
        root.partitioned = true;
        root.leaves = {{name, name}, {"other", name}};
        root.foreign_leaves = {{name, "remote"}};
        const std::string rows = SourceRows(root, name, columns, kQuote);
        ExpectSafe({rows, {}}, name);
        EXPECT_NE(rows.find("UNION ALL"), std::string::npos) << rows;
        EXPECT_EQ(rows.find("remote"), std::string::npos) << "a foreign partition is read";
        ExpectSafe(CountRows(root, name, kQuote), name);
    }
}

TEST(SqlGenHostile, CopyAndScratchStatementsQuoteEveryName) {
    for (const std::string& name : kHostileNames) {
        Fixture fixture(name);
        Plan plan;
        plan.tables.push_back(fixture.plan);
        ExpectSafe(LockSourceTables(plan, kQuote), name);
        ExpectSafe(CreateScratchTable(fixture.plan, name, kQuote), name);
        ExpectSafe(CopyRows(fixture.plan, name, name, kQuote, name), name);
        Statement select;
        select.sql = ScrubbingSelect(fixture.plan, name, kQuote, name, select, true, "token");
        ExpectSafe(select, name);
        for (bool grant : {true, false})
            for (const Statement& access : ScratchTableAccess(grant, name, name, name, kQuote))
                ExpectSafe(access, name);
        for (const Statement& create : CreateManifest(name, kQuote)) ExpectSafe(create, name);
    }
}

TEST(SqlGenHostile, ScrubbedValuesQuoteTheirColumnsUnderEveryRule) {
    for (const std::string& name : kHostileNames)
        for (RuleKind kind : {RuleKind::kFake, RuleKind::kNull, RuleKind::kHash,
                              RuleKind::kRealistic, RuleKind::kJson}) {
            Fixture fixture(name, kind);
            if (kind == RuleKind::kRealistic) fixture.plan.columns[0].rule.realistic = "email";
            ExpectSafe(CopyRows(fixture.plan, name, name, kQuote, name, "token"), name);
        }
}

TEST(SqlGenHostile, ForeignKeyChecksQuoteBothSides) {
    for (const std::string& name : kHostileNames) {
        ForeignKey key;
        key.name = name;
        key.schema = name;
        key.table = name;
        key.columns = {name, "Id"};
        key.referenced_schema = name;
        key.referenced_table = name;
        key.referenced_columns = {name, "Id"};
        key.equality_operators = {"OPERATOR(pg_catalog.=)", "OPERATOR(pg_catalog.=)"};
        ExpectSafe(AnyRowPointingNowhere(name, name, key, kQuote), name);
        Statement streamed = AnyRowPointingNowhere(name, name, key, kQuote, "SELECT 1", "SELECT 2");
        ExpectSafe(streamed, name);
        EXPECT_NE(streamed.sql.find("(SELECT 1)"), std::string::npos) << streamed.sql;
        EXPECT_NE(streamed.sql.find("(SELECT 2)"), std::string::npos) << streamed.sql;
    }
}

TEST(SqlGenHostile, ConstraintAndIndexChecksQuoteEveryName) {
    for (const std::string& name : kHostileNames) {
        Fixture fixture(name);
        ColumnInfo generated = Column("g", "int4");
        generated.generated = true;
        generated.generation = "(pg_catalog.char_length(src." + kQuote(name) + "))";
        generated.generated_from = {name};
        fixture.table.columns.push_back(generated);

        CheckConstraint check;
        check.name = name;
        check.table = name;
        check.schema = name;
        check.expression = "(g OPERATOR(pg_catalog.>) 0)";
        check.columns = {"g"};
        check.partition = name + "." + name;
        check.partition_constraint = "(" + kQuote(name) + " IS NOT NULL)";
        ExpectSafe(FindCheckViolations(name, fixture.table, {&check}, kQuote), name);

        Index index;
        index.name = name;
        index.table = name;
        index.schema = name;
        index.columns = {name, ""};
        index.expressions = {"", "pg_catalog.lower(" + kQuote(name) + ")"};
        index.collations = {"pg_catalog.\"C\"", ""};
        index.nondeterministic = {false, false};
        index.predicate = "(" + kQuote("Id") + " OPERATOR(pg_catalog.>) 0)";
        for (bool nulls_not_distinct : {false, true}) {
            index.nulls_not_distinct = nulls_not_distinct;
            ExpectSafe(FindDuplicates(name, fixture.table, index, kQuote), name);
            ExpectSafe(FindDuplicates(name, fixture.table, index, kQuote, "SELECT 1"), name);
        }
        ExpectSafe(EvaluateIndex(name, fixture.table, index, kQuote), name);
        ExpectSafe(EvaluateGenerated(name, fixture.table, generated, kQuote), name);
    }
}

TEST(SqlGenHostile, LeakCountQuotesEveryNameAndMeasuresScrubbedText) {
    for (const std::string& name : kHostileNames) {
        Fixture fixture(name, RuleKind::kHash);
        EXPECT_EQ(LeakCheckedColumns(fixture.plan), std::vector<std::string>{name});
        ExpectSafe(LeakCount(fixture.plan, name, kQuote), name);
    }
    // A kept column or one written as NULL leaks nothing scrub chose.
    Fixture nulled("t", RuleKind::kNull);
    EXPECT_TRUE(LeakCheckedColumns(nulled.plan).empty());
}

}  // namespace
}  // namespace scrub
