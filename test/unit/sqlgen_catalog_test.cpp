// The catalog's statements (sqlgen_catalog.h): a schema name, hostile or
// not, and the table OIDs travel as the one parameter and never reach the
// text; every function, operator, relation and type is pg_catalog-qualified;
// each statement gives the columns catalog.cpp reads; and the partition
// scope reads only what the run may evaluate as the root's owner.
#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <string>
#include <vector>

#include "scripted_database.h"
#include "sql_checks.h"
#include "sqlgen_catalog.h"
#include "statement.h"

namespace scrub {
namespace {

using testing::Contains;
using testing::ExpectBound;
using testing::kHostileNames;
using testing::OutsideQuotes;
using testing::UnqualifiedCalls;

struct Named {
    const char* name;
    Statement statement;
    size_t columns;  // what the statement's rows hold (sqlgen_catalog.h)
};

// The statements keyed by schema `schema`.
std::vector<Named> BySchema(const std::string& schema) {
    return {{"CatalogRelations", CatalogRelations(schema), 7},
            {"CatalogOtherRelations", CatalogOtherRelations(schema), 2},
            {"CatalogSequences", CatalogSequences(schema), 5},
            {"CatalogPartitionLeaves", CatalogPartitionLeaves(schema), 4},
            {"CatalogPartitionKeys", CatalogPartitionKeys(schema), 3},
            {"CatalogPartitionChecks", CatalogPartitionChecks(schema), 6},
            {"CatalogPartitionIndexes", CatalogPartitionIndexes(schema), 12},
            {"CatalogPartitionIndexColumns", CatalogPartitionIndexColumns(schema), 5}};
}

// The statements keyed by the tables `oids`.
std::vector<Named> ByTables(const std::vector<std::string>& oids) {
    return {{"CatalogColumns", CatalogColumns(oids), 10},
            {"CatalogSequenceUses", CatalogSequenceUses(oids), 3},
            {"CatalogGeneratedColumns", CatalogGeneratedColumns(oids), 3},
            {"CatalogForeignKeys", CatalogForeignKeys(oids), 8},
            {"CatalogExclusions", CatalogExclusions(oids), 4},
            {"CatalogTableChecks", CatalogTableChecks(oids), 6},
            {"CatalogTableIndexes", CatalogTableIndexes(oids), 12},
            {"CatalogTableIndexColumns", CatalogTableIndexColumns(oids), 5}};
}

std::vector<Named> All() {
    std::vector<Named> all = BySchema("public");
    for (Named& named : ByTables({"16384", "16385"})) all.push_back(std::move(named));
    return all;
}

// The placeholders ($1, $2, ...) the text uses.
std::vector<std::string> Placeholders(const std::string& sql) {
    std::vector<std::string> found;
    static const std::regex kPlaceholder(R"(\$[0-9]+)");
    const std::string text = OutsideQuotes(sql);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
         it != std::sregex_iterator(); ++it)
        found.push_back(it->str());
    return found;
}

// What FROM and JOIN name, and the types CAST(... AS type) names, that are
// not pg_catalog's: a user's pg_class or oid[] earlier on a search_path
// must not be read instead.
std::vector<std::string> UnqualifiedRelationsAndTypes(const std::string& sql) {
    std::vector<std::string> found;
    const std::string text = OutsideQuotes(sql);
    static const std::regex kRelation(R"(\b(?:FROM|JOIN)\s+([^\s]+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kRelation);
         it != std::sregex_iterator(); ++it) {
        const std::string named = (*it)[1];
        if (named.rfind("pg_catalog.", 0) == 0 || named == "LATERAL" || named[0] == '(') continue;
        found.push_back(named);
    }
    // In the raw text: a type may be quoted (pg_catalog."char").
    static const std::regex kCastType(R"(\bAS\s+([^\s(),]+)\))");
    for (auto it = std::sregex_iterator(sql.begin(), sql.end(), kCastType);
         it != std::sregex_iterator(); ++it) {
        const std::string type = (*it)[1];
        if (type.rfind("pg_catalog.", 0) != 0) found.push_back(type);
    }
    return found;
}

// The number of columns of the statement's first SELECT list: its commas
// outside parentheses and quotes, before its FROM.
size_t SelectedColumns(const std::string& sql) {
    const std::string text = OutsideQuotes(sql);
    size_t at = text.find("SELECT");
    EXPECT_NE(at, std::string::npos) << sql;
    int depth = 0;
    size_t columns = 1;
    for (at += 6; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (depth == 0 && c == ',') ++columns;
        if (depth == 0 && text.compare(at, 6, " FROM ") == 0) return columns;
        if (depth == 0 && text.compare(at, 6, "\nFROM ") == 0) return columns;
        if (depth == 0 && text.compare(at, 7, "  FROM ") == 0) return columns;
    }
    ADD_FAILURE() << "no FROM: " << sql;
    return 0;
}

TEST(SqlGenCatalog, SchemaNamesAreBoundAsTheOneParameter) {
    std::vector<std::string> names = kHostileNames;
    names.push_back("public");
    for (const std::string& name : names)
        for (const Named& named : BySchema(name)) {
            SCOPED_TRACE(named.name);
            ExpectBound(named.statement, name);
            ASSERT_EQ(named.statement.params.size(), 1u);
            EXPECT_EQ(*named.statement.params[0], name);
            for (const std::string& placeholder : Placeholders(named.statement.sql))
                EXPECT_EQ(placeholder, "$1") << named.statement.sql;
            // The parameter is compared with a schema's name, not taken
            // for anything else.
            EXPECT_TRUE(Contains(named.statement.sql, "nspname OPERATOR(pg_catalog.=) $1"))
                << named.statement.sql;
        }
}

TEST(SqlGenCatalog, TableOidsAreBoundAsOneOidArray) {
    // The OIDs come from the catalog, but whatever they hold stays a value.
    for (const std::string& hostile : kHostileNames) {
        const std::vector<std::string> oids{"16384", hostile};
        for (const Named& named : ByTables(oids)) {
            SCOPED_TRACE(named.name);
            const Statement& statement = named.statement;
            ASSERT_EQ(statement.params.size(), 1u);
            EXPECT_EQ(*statement.params[0], TextArrayLiteral(oids));
            EXPECT_EQ(statement.sql.find(hostile), std::string::npos) << statement.sql;
            EXPECT_EQ(statement.sql.find("16384"), std::string::npos) << statement.sql;
            for (const std::string& placeholder : Placeholders(statement.sql))
                EXPECT_EQ(placeholder, "$1") << statement.sql;
            EXPECT_TRUE(Contains(statement.sql, "ANY (CAST($1 AS pg_catalog.oid[]))"))
                << statement.sql;
            EXPECT_EQ(UnqualifiedCalls(statement.sql), std::vector<std::string>{}) << statement.sql;
        }
    }
}

TEST(SqlGenCatalog, EveryNameTheTextUsesIsPgCatalogs) {
    for (const Named& named : All()) {
        SCOPED_TRACE(named.name);
        EXPECT_EQ(UnqualifiedCalls(named.statement.sql), std::vector<std::string>{})
            << named.statement.sql;
        EXPECT_EQ(UnqualifiedRelationsAndTypes(named.statement.sql), std::vector<std::string>{})
            << named.statement.sql;
    }
}

TEST(SqlGenCatalog, TheCheckersFindWhatIsNotQualified) {
    EXPECT_EQ(UnqualifiedRelationsAndTypes("SELECT 1 FROM pg_class c JOIN pg_catalog.pg_index i"
                                           " ON CAST($1 AS oid[]) OPERATOR(pg_catalog.=) i.x"),
              (std::vector<std::string>{"pg_class", "oid[]"}));
    EXPECT_EQ(UnqualifiedCalls("SELECT 1 FROM pg_catalog.pg_class c CROSS JOIN LATERAL "
                               "generate_series(1, 2) LEFT JOIN LATERAL (SELECT 1) AS l ON true"),
              std::vector<std::string>{"generate_series"});
    EXPECT_EQ(SelectedColumns("SELECT a, f(b, c), CASE WHEN x THEN 'y,z' END\n  FROM t"), 3u);
}

// catalog.cpp reads rows by position: each statement must give as many
// columns as sqlgen_catalog.h says, the two scopes alike.
TEST(SqlGenCatalog, EachStatementGivesTheColumnsItsReaderReads) {
    for (const Named& named : All()) {
        SCOPED_TRACE(named.name);
        EXPECT_EQ(SelectedColumns(named.statement.sql), named.columns) << named.statement.sql;
    }
}

// The partitions of a schema are the members, other than the root, of
// the trees whose root is a table of the schema, and only those the
// root's owner owns: their expressions are evaluated as that role.
TEST(SqlGenCatalog, PartitionScopeReadsOnlyPartitionsOfTheRootsOwner) {
    for (const Statement& statement : {CatalogPartitionChecks("s"), CatalogPartitionIndexes("s"),
                                       CatalogPartitionIndexColumns("s")}) {
        const std::string& sql = statement.sql;
        EXPECT_TRUE(Contains(sql, "p.relowner OPERATOR(pg_catalog.=) r.relowner")) << sql;
        EXPECT_TRUE(Contains(sql, "p.oid OPERATOR(pg_catalog.<>) r.oid")) << sql;
        EXPECT_TRUE(Contains(sql, "pg_catalog.pg_partition_tree(r.oid)")) << sql;
        EXPECT_TRUE(Contains(sql, "rn.nspname OPERATOR(pg_catalog.=) $1")) << sql;
        EXPECT_TRUE(Contains(sql, "NOT r.relispartition")) << sql;
    }
    // The tables' scope reads the tables listed, and no partition tree.
    for (const Statement& statement :
         {CatalogTableChecks({"1"}), CatalogTableIndexes({"1"}), CatalogTableIndexColumns({"1"})}) {
        EXPECT_TRUE(Contains(statement.sql,
                             "p.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"))
            << statement.sql;
        EXPECT_FALSE(Contains(statement.sql, "pg_partition_tree")) << statement.sql;
    }
}

// An exclusion constraint's index is read with the constraint
// (CatalogExclusions), not as an index: a unique-looking index the copy
// would have to keep distinct.
TEST(SqlGenCatalog, IndexesLeaveOutThoseOfExclusionConstraints) {
    const std::string kNotExclusion =
        "AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint x\n"
        "                    WHERE x.conindid OPERATOR(pg_catalog.=) ix.indexrelid\n"
        "                      AND x.contype OPERATOR(pg_catalog.=) 'x')";
    EXPECT_TRUE(Contains(CatalogTableIndexes({"1"}).sql, kNotExclusion));
    EXPECT_TRUE(Contains(CatalogPartitionIndexes("s").sql, kNotExclusion));
    EXPECT_TRUE(Contains(CatalogExclusions({"1"}).sql, "con.contype OPERATOR(pg_catalog.=) 'x'"));
}

// A partition's index attached to its parent's, and a CHECK it inherits,
// are the parent's: read once, with the parent.
TEST(SqlGenCatalog, PartitionsGiveOnlyTheirOwnIndexesAndChecks) {
    const std::string kNotAttached =
        "NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h\n"
        "                    WHERE h.inhrelid "
        "OPERATOR(pg_catalog.=) ix.indexrelid)";
    EXPECT_TRUE(Contains(CatalogPartitionIndexes("s").sql, kNotAttached));
    EXPECT_FALSE(Contains(CatalogTableIndexes({"1"}).sql, "pg_inherits"));
    const std::string kOwn = "con.coninhcount OPERATOR(pg_catalog.=) 0";
    EXPECT_TRUE(Contains(CatalogPartitionChecks("s").sql, kOwn));
    EXPECT_FALSE(Contains(CatalogTableChecks({"1"}).sql, "coninhcount"));
    // Only validated CHECKs bind the copied rows (NOT VALID ones may be
    // broken by existing rows).
    for (const Statement& statement : {CatalogTableChecks({"1"}), CatalogPartitionChecks("s")})
        EXPECT_TRUE(
            Contains(statement.sql, "con.contype OPERATOR(pg_catalog.=) 'c' AND con.convalidated"));
}

// An extension's tables and sequences are the extension's to restore.
TEST(SqlGenCatalog, ExtensionMembersAreLeftOut) {
    const std::string kNotMember = "d.deptype OPERATOR(pg_catalog.=) 'e'";
    EXPECT_TRUE(
        Contains(CatalogRelations("s").sql, "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"));
    EXPECT_TRUE(Contains(CatalogRelations("s").sql, kNotMember));
    EXPECT_TRUE(Contains(CatalogSequences("s").sql, kNotMember));
}

// Dropped and system columns are no columns of the copy; a foreign key
// cloned onto a partition from its parent's is the parent's.
TEST(SqlGenCatalog, ColumnsAndForeignKeysAreTheTablesOwn) {
    const std::string columns = CatalogColumns({"1"}).sql;
    EXPECT_TRUE(Contains(columns, "a.attnum OPERATOR(pg_catalog.>) 0")) << columns;
    EXPECT_TRUE(Contains(columns, "NOT a.attisdropped")) << columns;
    EXPECT_TRUE(
        Contains(CatalogForeignKeys({"1"}).sql, "con.conparentid OPERATOR(pg_catalog.=) 0"));
}

}  // namespace
}  // namespace scrub
