// Reading the catalog over a scripted Database: the indexes and CHECK
// constraints of the tables and those of partitions come from one query
// generator each, and are told apart by partition; partitions name their
// root, sequences attach to the columns that draw from them, and foreign
// keys are grouped per constraint. The scripts match each query by a short
// fragment of its text, so that they follow the text wherever it lives.
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

// Schema public: events (partitioned; its leaves public.events_2026,
// archive.events_2025 and the foreign remote.events_remote), orders and
// users; schema billing: no tables, but a sequence, and users_id_seq of
// public again (a billing table's default could draw from it).
ScriptedDatabase::Script ShopCatalog() {
    return [](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        auto Has = [&sql](const char* text) { return Contains(sql, text); };
        const bool billing = !statement.params.empty() && statement.params[0] == "billing";
        if (Has("pg_partition_root")) {
            if (billing) return {};
            return {{"100", "events", "p", std::nullopt, std::nullopt, "10", "app"},
                    {"101", "events_2026", "r", "events", "public", "10", "app"},
                    {"102", "orders", "r", std::nullopt, std::nullopt, "10", "app"},
                    {"103", "users", "r", std::nullopt, std::nullopt, "11", "crm"}};
        }
        if (Has("ORDER BY n.nspname, s.relname")) {  // the sequences
            if (billing)
                return {{"205", "billing", "invoice_seq", "10", "app"},
                        {"201", "public", "users_id_seq", "10", "app"}};
            return {{"201", "public", "users_id_seq", "10", "app"},
                    {"202", "public", "users_id_seq1", "11", "crm"}};
        }
        if (Has("a.attrelid, a.attname, a.atttypid"))  // the columns
            return {{"100", "day", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                    {"101", "day", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                    {"102", "a", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt},
                    {"102", "b", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt},
                    {"102", "user_id", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt},
                    {"103", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                    {"103", "x", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt},
                    {"103", "y", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt}};
        if (Has("SELECT ad.adrelid, a.attname, d.refobjid"))  // what each column draws from
            return {{"103", "id", "201"},
                    {"103", "id", "202"},
                    {"103", "gone", "203"},  // a column the columns query did not list
                    {"999", "id", "204"}};   // a table of no covered schema
        if (Has("SELECT r.oid, c.relkind, n.nspname, c.relname"))  // the leaves
            return {{"100", "r", "archive", "events_2025"},
                    {"100", "r", "public", "events_2026"},
                    {"100", "f", "remote", "events_remote"},
                    {"999", "r", "ext", "leaf"}};       // the tree of an extension's table
        if (Has("contype OPERATOR(pg_catalog.=) 'f'"))  // per column pair, in key order
            return {{"orders", "orders_pair_fk", "public", "users", "a", "x",
                     "OPERATOR(pg_catalog.=)", "f"},
                    {"orders", "orders_pair_fk", "public", "users", "b", "y",
                     "OPERATOR(public.===)", "f"},
                    {"orders", "orders_user_fk", "public", "users", "user_id", "id",
                     "OPERATOR(pg_catalog.=)", "t"},
                    {"users", "orders_user_fk", "public", "orders", "x", "a",
                     "OPERATOR(pg_catalog.=)", "t"}};
        return {};
    };
}

// A partition is a table of the catalog that names its root; the root
// lists the leaves of its tree in every schema, foreign ones apart, and a
// tree whose root is no table read (an extension's) is left out.
TEST(Catalog, PartitionsNameTheirRootAndTheRootListsItsLeaves) {
    ScriptedDatabase db(ShopCatalog());
    SourceCatalog catalog = ReadSourceCatalog(db, {"public"});
    ASSERT_EQ(catalog.tables.size(), 4u);
    const TableInfo& events = catalog.tables[0];
    const TableInfo& partition = catalog.tables[1];
    EXPECT_TRUE(events.partitioned);
    EXPECT_TRUE(events.partition_of.empty());
    EXPECT_FALSE(partition.partitioned);
    EXPECT_EQ(partition.partition_of, "events");
    EXPECT_EQ(partition.partition_of_schema, "public");
    ASSERT_EQ(events.leaves.size(), 2u);
    EXPECT_EQ(events.leaves[0].schema + "." + events.leaves[0].name, "archive.events_2025");
    EXPECT_EQ(events.leaves[1].schema + "." + events.leaves[1].name, "public.events_2026");
    ASSERT_EQ(events.foreign_leaves.size(), 1u);
    EXPECT_EQ(events.foreign_leaves[0].schema + "." + events.foreign_leaves[0].name,
              "remote.events_remote");
    for (size_t i = 1; i < catalog.tables.size(); ++i) {
        EXPECT_TRUE(catalog.tables[i].leaves.empty()) << catalog.tables[i].name;
        EXPECT_TRUE(catalog.tables[i].foreign_leaves.empty()) << catalog.tables[i].name;
    }
    EXPECT_EQ(catalog.tables[3].owner, "crm");
    EXPECT_EQ(catalog.tables[3].owner_oid, 11u);
}

// The sequences a column's default or identity draws from are attached to
// that column, in order; a sequence found by the reads of two schemas is
// listed once, as the first found it.
TEST(Catalog, SequencesAreAttachedToTheColumnsThatDrawFromThem) {
    ScriptedDatabase db(ShopCatalog());
    SourceCatalog catalog = ReadSourceCatalog(db, {"public", "billing"});
    const TableInfo* users = FindTable(catalog, "public", "users");
    ASSERT_NE(users, nullptr);
    ASSERT_EQ(users->columns.size(), 3u);
    EXPECT_EQ(users->columns[0].name, "id");
    EXPECT_EQ(users->columns[0].sequences, (std::vector<uint32_t>{201, 202}));
    for (const TableInfo& table : catalog.tables) {
        for (const ColumnInfo& column : table.columns) {
            if (&table != users || column.name != "id") {
                EXPECT_TRUE(column.sequences.empty()) << table.name << "." << column.name;
            }
        }
    }

    ASSERT_EQ(catalog.sequences.size(), 3u);
    EXPECT_EQ(catalog.sequences[0].oid, 201u);
    EXPECT_EQ(catalog.sequences[1].oid, 202u);
    EXPECT_EQ(catalog.sequences[2].oid, 205u);
    EXPECT_EQ(catalog.sequences[2].schema + "." + catalog.sequences[2].name, "billing.invoice_seq");
    EXPECT_EQ(catalog.schemas, (std::vector<std::string>{"public", "billing"}));
    for (const TableInfo& table : catalog.tables) EXPECT_EQ(table.schema, "public");
}

// A foreign key's rows (one per column pair) make one constraint, its
// columns and operators in the key's order; two tables' constraints of
// one name stay two.
TEST(Catalog, ForeignKeysAreGroupedPerConstraintInColumnOrder) {
    ScriptedDatabase db(ShopCatalog());
    SourceCatalog catalog = ReadSourceCatalog(db, {"public"});
    ASSERT_EQ(catalog.foreign_keys.size(), 3u);
    const ForeignKey& pair = catalog.foreign_keys[0];
    EXPECT_EQ(pair.table, "orders");
    EXPECT_EQ(pair.name, "orders_pair_fk");
    EXPECT_EQ(pair.schema, "public");
    EXPECT_EQ(pair.referenced_schema + "." + pair.referenced_table, "public.users");
    EXPECT_EQ(pair.columns, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(pair.referenced_columns, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(pair.equality_operators,
              (std::vector<std::string>{"OPERATOR(pg_catalog.=)", "OPERATOR(public.===)"}));
    EXPECT_FALSE(pair.validated);

    const ForeignKey& user = catalog.foreign_keys[1];
    EXPECT_EQ(user.name, "orders_user_fk");
    EXPECT_EQ(user.columns, std::vector<std::string>{"user_id"});
    EXPECT_TRUE(user.validated);

    const ForeignKey& back = catalog.foreign_keys[2];
    EXPECT_EQ(back.table, "users");
    EXPECT_EQ(back.name, "orders_user_fk");
    EXPECT_EQ(back.columns, std::vector<std::string>{"x"});
    EXPECT_EQ(back.referenced_table, "orders");
}

}  // namespace
}  // namespace scrub
