// SQL generation, with hostile identifiers: every name reaches the text
// only through the quoter, every value only as a parameter.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

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

// The argument types of every signature of scrub's functions, as the
// install script of the default version declares them: name -> each
// signature's list of types ("pg_catalog.text", ...).
std::map<std::string, std::set<std::vector<std::string>>> DeclaredSignatures() {
    std::ifstream control(std::string(SCRUB_SOURCE_DIR) + "/scrub.control");
    std::string line, version;
    std::smatch match;
    while (std::getline(control, line))
        if (std::regex_search(line, match, std::regex("default_version = '([^']+)'")))
            version = match[1];
    std::ifstream in(std::string(SCRUB_SOURCE_DIR) + "/scrub--" + version + ".sql");
    std::stringstream text;
    text << in.rdbuf();
    std::string script = text.str();
    std::map<std::string, std::set<std::vector<std::string>>> declared;
    std::regex function(R"(CREATE FUNCTION (\w+)\(([^)]*)\))");
    for (std::sregex_iterator it(script.begin(), script.end(), function), end; it != end; ++it) {
        std::vector<std::string> types;
        std::stringstream arguments((*it)[2].str());
        std::string argument;
        while (std::getline(arguments, argument, ',')) {
            std::stringstream words(argument);
            std::string name, type;
            words >> name >> type;  // "value pg_catalog.text DEFAULT NULL"
            if (type == "jsonb" || type == "text" || type == "boolean") type = "pg_catalog." + type;
            types.push_back(type);
        }
        declared[(*it)[1]].insert(types);
    }
    return declared;
}

// The top-level arguments of the call whose "(" is at `open` in `sql`.
std::vector<std::string> CallArguments(const std::string& sql, size_t open) {
    std::vector<std::string> arguments;
    int depth = 0;
    bool quoted = false;
    std::string current;
    for (size_t i = open + 1; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '\'') quoted = !quoted;
        if (!quoted && c == '(') ++depth;
        if (!quoted && c == ')' && depth-- == 0) break;
        if (!quoted && c == ',' && depth == 0) {
            arguments.push_back(current);
            current.clear();
            if (i + 1 < sql.size() && sql[i + 1] == ' ') ++i;
            continue;
        }
        current += c;
    }
    arguments.push_back(current);
    return arguments;
}

// Every call the generated SQL makes to scrub's functions passes each
// argument cast to exactly the type its declaration has: an overload of
// other argument types (an int8 max_length, an oid, ...) that another
// role creates in the extension's schema then never matches better.
TEST(SqlGen, CallsToScrubFunctionsCastEachArgumentToItsDeclaredType) {
    auto declared = DeclaredSignatures();
    ASSERT_TRUE(declared.count("scrub_hash") && declared.count("scrub_fake_text"))
        << "install script not read from " << SCRUB_SOURCE_DIR;
    TableInfo table = Table(
        "t", {Column("a", "int2"), Column("b", "int4"), Column("c", "int8"), Column("d", "uuid"),
              Column("e", "text"), Column("f", "varchar", 24), Column("g", "text"),
              Column("h", "int4"), Column("i", "jsonb"), Column("j", "json")});
    TablePlan plan = PlanFor(table, std::vector<bool>(table.columns.size(), false));
    for (size_t i = 0; i < 6; ++i) {
        plan.columns[i].rule.kind = RuleKind::kHash;
        plan.columns[i].hash_type = plan.columns[i].column.scalar;
    }
    plan.columns[5].hash_max_length = 24;
    plan.columns[6].rule.kind = RuleKind::kRealistic;
    plan.columns[6].rule.realistic = "email";
    plan.columns[7].rule.kind = RuleKind::kRealistic;
    plan.columns[7].rule.realistic = "phone";
    plan.columns[8].rule.kind = RuleKind::kJson;
    plan.columns[8].rule.json_keep = {"a.b"};
    plan.columns[9].rule.kind = RuleKind::kJson;
    for (const std::string& token : {std::string(), std::string("token")}) {
        std::string sql = CopyRows(plan, "public", "build", kQuote, "ext", token).sql;
        const std::regex call(R"(ext\.(scrub_\w+)\()");
        int calls = 0;
        for (std::sregex_iterator it(sql.begin(), sql.end(), call), end; it != end; ++it) {
            ++calls;
            std::string name = (*it)[1];
            size_t open = static_cast<size_t>(it->position(0) + it->length(0) - 1);
            std::vector<std::string> types;
            for (const std::string& argument : CallArguments(sql, open)) {
                std::smatch cast;
                ASSERT_TRUE(
                    std::regex_match(argument, cast, std::regex(R"(CAST\((.*) AS ([\w.\[\]]+)\))")))
                    << name << ": argument \"" << argument << "\" is not cast\n"
                    << sql;
                types.push_back(cast[2]);
            }
            EXPECT_TRUE(declared[name].count(types))
                << name
                << " called with types not declared together: " << ::testing::PrintToString(types)
                << "\n"
                << sql;
        }
        EXPECT_EQ(calls, 10) << sql;
    }
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
