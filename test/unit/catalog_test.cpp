// Reading the catalog over a scripted Database: the indexes and CHECK
// constraints of the tables and those of partitions come from one query
// generator each, and are told apart by partition.
#include <gtest/gtest.h>

#include "catalog.h"
#include "scripted_database.h"

namespace scrub {
namespace {

using testing::Contains;
using testing::ScriptedDatabase;

// public.events, partitioned, whose partitions a.p1 and b.p1 each have an
// index of their own called p1_email_key (a unique index on email under a
// nondeterministic collation) and a CHECK called positive.
ScriptedDatabase::Script PartitionedCatalog() {
    return [](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        auto Has = [&sql](const char* text) { return Contains(sql, text); };
        bool partitions = Has("pg_partition_tree");
        if (Has("pg_partition_root"))
            return {{"100", "events", "p", std::nullopt, std::nullopt, "10", "app"}};
        if (Has("pg_catalog.format_type(a.atttypid"))
            return {{"100", "email", "25", "-1", "text", "f", "f", std::nullopt, std::nullopt,
                     std::nullopt}};
        if (Has("indnullsnotdistinct")) {
            if (!partitions)
                return {{"events", "events_pkey", "email", "f", std::nullopt, "t", std::nullopt,
                         std::nullopt, "f", "t", std::nullopt, std::nullopt}};
            return {{"events", "p1_email_key", "email", "f", "public.ci", "t", std::nullopt,
                     std::nullopt, "t", "f", "a.p1", "(day = 1)"},
                    {"events", "p1_email_key", "email", "f", std::nullopt, "t", std::nullopt,
                     std::nullopt, "f", "f", "b.p1", "(day = 2)"}};
        }
        if (Has("pg_catalog.pg_index ix")) {  // the columns each index reads
            if (!partitions) return {{"events", "events_pkey", "email", "1", std::nullopt}};
            return {{"events", "p1_email_key", "email", "1", "a.p1"},
                    {"events", "p1_email_key", "day", "2", "b.p1"}};
        }
        if (Has("contype OPERATOR(pg_catalog.=) 'c'")) {
            if (!partitions) return {};
            return {{"events", "positive", "(n > 0)", "n", "a.p1", "(day = 1)"},
                    {"events", "positive", "(n > 0)", "n", "b.p1", "(day = 2)"}};
        }
        return {};
    };
}

TEST(Catalog, PartitionsOwnIndexesAndChecksAreToldApartByPartition) {
    ScriptedDatabase db(PartitionedCatalog());
    SourceCatalog catalog = ReadSourceCatalog(db, {"public"});

    ASSERT_EQ(catalog.indexes.size(), 3u);
    const Index& table = catalog.indexes[0];
    EXPECT_EQ(table.name, "events_pkey");
    EXPECT_TRUE(table.primary);
    EXPECT_TRUE(table.partition.empty());
    EXPECT_EQ(table.reads, std::vector<std::string>{"email"});

    const Index& a = catalog.indexes[1];
    const Index& b = catalog.indexes[2];
    EXPECT_EQ(a.partition, "a.p1");
    EXPECT_EQ(a.partition_constraint, "(day = 1)");
    EXPECT_EQ(a.collations, std::vector<std::string>{"public.ci"});
    EXPECT_EQ(a.nondeterministic, std::vector<bool>{true});
    EXPECT_EQ(a.reads, std::vector<std::string>{"email"});
    EXPECT_EQ(b.partition, "b.p1");
    EXPECT_EQ(b.columns, std::vector<std::string>{"email"});
    EXPECT_EQ(b.nondeterministic, std::vector<bool>{false});
    EXPECT_EQ(b.reads, std::vector<std::string>{"day"});
    for (const Index& index : catalog.indexes) EXPECT_EQ(index.schema, "public");

    ASSERT_EQ(catalog.checks.size(), 2u);
    EXPECT_EQ(catalog.checks[0].partition, "a.p1");
    EXPECT_EQ(catalog.checks[1].partition, "b.p1");
    EXPECT_EQ(catalog.checks[1].partition_constraint, "(day = 2)");
}

TEST(Catalog, BothScopesReadTheSameColumnsOfTheirRelations) {
    ScriptedDatabase db(PartitionedCatalog());
    ReadSourceCatalog(db, {"public"});
    std::vector<std::string> index_queries, check_queries;
    for (const testing::Issued& statement : db.issued) {
        if (Contains(statement.sql, "indnullsnotdistinct")) index_queries.push_back(statement.sql);
        if (Contains(statement.sql, "contype OPERATOR(pg_catalog.=) 'c'"))
            check_queries.push_back(statement.sql);
    }
    ASSERT_EQ(index_queries.size(), 2u);
    ASSERT_EQ(check_queries.size(), 2u);
    // The tables' queries read the OIDs given; the partitions' the schema's
    // trees, only partitions of the root's owner, and only their own objects.
    EXPECT_TRUE(Contains(index_queries[0], "ANY (CAST($1 AS pg_catalog.oid[]))"));
    EXPECT_FALSE(Contains(index_queries[0], "pg_inherits"));
    EXPECT_TRUE(Contains(index_queries[1], "p.relowner OPERATOR(pg_catalog.=) r.relowner"));
    EXPECT_TRUE(Contains(index_queries[1], "pg_inherits"));
    EXPECT_FALSE(Contains(check_queries[0], "coninhcount"));
    EXPECT_TRUE(Contains(check_queries[1], "coninhcount"));
    EXPECT_TRUE(Contains(check_queries[1], "p.relowner OPERATOR(pg_catalog.=) r.relowner"));
}

}  // namespace
}  // namespace scrub
