// Planning: the allowlist semantics table and every planning error.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "error.h"
#include "plan.h"
#include "sqlgen.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::Table;

SourceCatalog Catalog() {
    SourceCatalog catalog;
    catalog.tables.push_back(Table(
        "users", {Column("id", "int8"), Column("email", "text"), Column("balance", "money")}));
    catalog.tables.push_back(Table("sessions", {Column("key", "text")}));
    catalog.tables.push_back(Table("audit", {Column("id", "int4")}));
    TableInfo orders = Table("orders", {Column("id", "int4"), Column("total", "numeric")});
    orders.partitioned = true;
    catalog.tables.push_back(orders);
    TableInfo orders_2024 =
        Table("orders_2024", {Column("id", "int4"), Column("total", "numeric")});
    orders_2024.partition_of = "orders";
    orders_2024.partition_of_schema = "public";
    catalog.tables.push_back(orders_2024);
    TableInfo orders_eu = Table("orders_eu", {Column("id", "int4")});
    orders_eu.partition_of = "orders";  // a partition of another schema's table
    orders_eu.partition_of_schema = "archive";
    catalog.tables.push_back(orders_eu);
    ColumnInfo generated = Column("doubled", "int4");
    generated.generated = true;
    catalog.tables.push_back(Table("calc", {Column("x", "int4"), generated}));
    return catalog;
}

// Marks every record without a schema as one of schema public.
void InPublic(SourceCatalog& catalog) {
    auto mark = [](auto& records) {
        for (auto& record : records)
            if (record.schema.empty()) record.schema = "public";
    };
    mark(catalog.tables);
    mark(catalog.foreign_keys);
    mark(catalog.checks);
    mark(catalog.indexes);
    mark(catalog.partition_keys);
    mark(catalog.exclusions);
    mark(catalog.other_relations);
}

ErrorReport PlanError(const std::string& json, SourceCatalog catalog = Catalog()) {
    try {
        BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
    } catch (const ScrubError& e) {
        return e.report();
    }
    return {"", "planned", "", ""};
}

const TablePlan& Find(const Plan& plan, const std::string& name) {
    for (const TablePlan& table : plan.tables)
        if (table.table->name == name) return table;
    throw std::runtime_error("no plan for " + name);
}

TEST(Plan, FollowsTheAllowlistTable) {
    SourceCatalog catalog = Catalog();
    Plan plan = BuildPlan(
        ParseAllowlist(R"({"users": ["id", "balance"], "sessions": [], "orders": ["id"]})",
                       "public"),
        catalog, "public");
    const TablePlan& users = Find(plan, "users");
    EXPECT_TRUE(users.copy_rows);
    EXPECT_EQ(users.ColumnNames(true), (std::vector<std::string>{"id", "balance"}));
    EXPECT_EQ(users.ColumnNames(false), (std::vector<std::string>{"email"}));
    EXPECT_FALSE(Find(plan, "sessions").copy_rows) << "[] copies no rows";
    EXPECT_FALSE(Find(plan, "audit").copy_rows) << "unlisted copies no rows";
    EXPECT_TRUE(Find(plan, "orders").copy_rows);
}

TEST(Plan, LeavesOutPartitionsAndGeneratedColumns) {
    SourceCatalog catalog = Catalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({"calc": ["x"]})", "public"), catalog, "public");
    for (const TablePlan& table : plan.tables) EXPECT_NE(table.table->name, "orders_2024");
    const TablePlan& calc = Find(plan, "calc");
    ASSERT_EQ(calc.columns.size(), 1u);
    EXPECT_EQ(calc.columns[0].column.name, "x");
}

TEST(Plan, NamesEveryMissingTableAndColumnAtOnce) {
    ErrorReport report =
        PlanError(R"({"users": ["id", "nope"], "ghost": [], "audit": ["x", "y"]})");
    EXPECT_EQ(report.sqlstate, "42704");
    EXPECT_EQ(report.detail,
              "Column \"x\" of table \"public.audit\" does not exist (key \"audit\").\n"
              "Column \"y\" of table \"public.audit\" does not exist (key \"audit\").\n"
              "Table \"public.ghost\" does not exist (key \"ghost\").\n"
              "Column \"nope\" of table \"public.users\" does not exist (key \"users\").");
}

TEST(Plan, RejectsPartitionsByName) {
    ErrorReport report = PlanError(R"({"orders_2024": ["id"]})");
    EXPECT_EQ(report.sqlstate, "22023");
    EXPECT_EQ(report.detail, "Key \"orders_2024\" names a partition of table \"public.orders\".");
    EXPECT_EQ(PlanError(R"({"orders_eu": ["id"]})").detail,
              "Key \"orders_eu\" names a partition of table \"archive.orders\".")
        << "the root is named in its own schema";
}

TEST(Plan, RejectsUnsupportedTypesOnlyWhenScrubbed) {
    ErrorReport report = PlanError(R"({"users": ["id"]})");
    EXPECT_EQ(report.sqlstate, "0A000");
    EXPECT_EQ(report.detail, "Column \"public.users.balance\" has type money.");
    EXPECT_EQ(PlanError(R"({"users": ["id", "balance"]})").message, "planned");
    EXPECT_EQ(PlanError(R"({"users": []})").message, "planned")
        << "structure-only tables are not faked";
}

TEST(Plan, RejectsTablesNamedLikeTheManifest) {
    SourceCatalog catalog = Catalog();
    catalog.tables.push_back(Table("_scrub_tables", {Column("id", "int4")}));
    try {
        BuildPlan(ParseAllowlist(R"({"_scrub_tables": ["id"]})", "public"), catalog, "public");
        FAIL() << "expected a clash";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "42P07");
    }
    EXPECT_NO_THROW(
        BuildPlan(ParseAllowlist(R"({"_scrub_tables": []})", "public"), catalog, "public"));
}

TEST(ForeignKeys, FlagsKeysTheCopyCannotSatisfy) {
    SourceCatalog catalog;
    catalog.tables.push_back(Table("parent", {Column("id", "int4"), Column("name", "text")}));
    catalog.tables.push_back(Table("child", {Column("id", "int4"), Column("parent_id", "int4")}));
    catalog.foreign_keys.push_back(
        {"child_parent_fk", "child", {"parent_id"}, "public", "parent", {"id"}});
    catalog.foreign_keys.push_back({"child_ext_fk", "child", {"id"}, "other", "ext", {"id"}});
    InPublic(catalog);
    auto risks = [&](const std::string& json) {
        Plan plan = BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
        std::vector<std::string> reasons;
        for (const ForeignKeyRisk& risk : ForeignKeysAtRisk(plan, catalog, "public"))
            reasons.push_back(risk.key->name + ": " + risk.reason);
        return reasons;
    };
    using Reasons = std::vector<std::string>;
    EXPECT_EQ(
        risks(R"({"child": ["id", "parent_id"], "parent": ["id"]})"),
        Reasons{"child_ext_fk: table \"other.ext\", which it references, is in schema \"other\", "
                "which the allowlist does not name"});
    EXPECT_EQ(
        risks(R"({"child": ["id", "parent_id"]})")[0],
        "child_parent_fk: table \"public.parent\", which it references, is copied without rows");
    EXPECT_EQ(risks(R"({"child": ["id"], "parent": ["id"]})")[0],
              "child_parent_fk: its column \"parent_id\" is scrubbed");
    EXPECT_EQ(risks(R"({"child": ["id", "parent_id"], "parent": ["name"]})")[0],
              "child_parent_fk: column \"id\" of table \"public.parent\", which it references, is "
              "scrubbed");
    EXPECT_TRUE(risks(R"({"child": [], "parent": ["id"]})").empty())
        << "a table copied without rows breaks nothing";
}

TEST(Checks, VerifiesChecksOnScrubbedColumns) {
    SourceCatalog catalog;
    catalog.tables.push_back(
        Table("people", {Column("id", "int4"), Column("email", "text"), Column("age", "int4")}));
    catalog.checks.push_back({"email_at", "people", "(email ~~ '%@%'::text)", {"email"}});
    catalog.checks.push_back({"age_adult", "people", "(age >= 18)", {"age"}});
    catalog.checks.push_back({"email_owner_fn", "people", "other.f(email)", {"email"}});
    InPublic(catalog);
    Plan plan =
        BuildPlan(ParseAllowlist(R"({"people": ["id", "age"]})", "public"), catalog, "public");
    std::vector<const CheckConstraint*> checks = ChecksToVerify(plan.tables[0], catalog);
    ASSERT_EQ(checks.size(), 2u) << "kept columns hold as in the source";
    EXPECT_EQ(checks[0]->name, "email_at");
    EXPECT_EQ(checks[1]->name, "email_owner_fn")
        << "another role's function is evaluated too (as the table's owner)";
    EXPECT_EQ(FindCheckViolations("build", catalog.tables[0], {checks[0]}, testing::kQuote).sql,
              "SELECT pg_catalog.bool_or(((email ~~ '%@%'::text)) IS FALSE) FROM build.people");

    Plan empty = BuildPlan(ParseAllowlist(R"({"people": []})", "public"), catalog, "public");
    EXPECT_TRUE(ChecksToVerify(empty.tables[0], catalog).empty()) << "no rows, nothing to check";
}

TEST(UniqueIndexes, VerifiesOnlyKeysWhoseFakesMayRepeat) {
    SourceCatalog catalog;
    ColumnInfo tier = Column("tier", "tier");
    tier.scalar = {"public", "tier", 'e', -1};
    catalog.tables.push_back(Table("members", {Column("id", "int4"), tier, Column("active", "bool"),
                                               Column("handle", "text")}));
    catalog.indexes.push_back({"members_pkey", "members", {"id"}, {""}, false});
    catalog.indexes.push_back({"members_tier_key", "members", {"tier"}, {""}, false});
    catalog.indexes.push_back({"one_per_handle", "members", {"active", "handle"}, {"", ""}, false});
    catalog.indexes.push_back({"tier_active", "members", {"tier", "active"}, {"", ""}, true});
    InPublic(catalog);
    auto names = [&](const std::string& json) {
        Plan plan = BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
        std::vector<std::string> result;
        for (const Index* index : UniqueIndexesToVerify(plan.tables[0], catalog))
            result.push_back(index->name);
        return result;
    };
    using Names = std::vector<std::string>;
    EXPECT_EQ(names(R"({"members": ["id"]})"), (Names{"members_tier_key", "tier_active"}))
        << "a text fake (handle) keeps one_per_handle unique by construction";
    EXPECT_EQ(names(R"({"members": ["tier"]})"), Names{"tier_active"})
        << "an integer fake keeps the primary key unique; a kept enum with a faked boolean may not";
    EXPECT_EQ(names(R"({"members": ["id", "tier", "active", "handle"]})"), Names{});
    EXPECT_EQ(FindDuplicates("b", catalog.tables[0], catalog.indexes[1], testing::kQuote).sql,
              "SELECT EXISTS (SELECT FROM b.members WHERE tier IS NOT NULL GROUP BY tier HAVING "
              "pg_catalog.count(*) OPERATOR(pg_catalog.>) 1)");
    EXPECT_EQ(FindDuplicates("b", catalog.tables[0], catalog.indexes[3], testing::kQuote).sql,
              "SELECT EXISTS (SELECT FROM b.members GROUP BY tier, active HAVING "
              "pg_catalog.count(*) OPERATOR(pg_catalog.>) 1)")
        << "NULLS NOT DISTINCT counts NULLs as equal";
    Index folded{"handle_ci", "members", {"handle", "active"}, {"public.ci", ""}, false};
    EXPECT_EQ(FindDuplicates("b", catalog.tables[0], folded, testing::kQuote).sql,
              "SELECT EXISTS (SELECT FROM b.members WHERE handle IS NOT NULL AND active IS NOT "
              "NULL GROUP BY handle COLLATE public.ci, active HAVING pg_catalog.count(*) "
              "OPERATOR(pg_catalog.>) 1)")
        << "values are compared under the index's collation";
}

TEST(UniqueIndexes, VerifiesFakesUnderACollationThatMayEquateThem) {
    // A nondeterministic collation may hold distinct fakes equal ("a_1"
    // and "A_1", or "a_1" and "a1" where punctuation is ignored): the
    // fake's uniqueness is trusted under byte-wise collations only.
    SourceCatalog catalog;
    catalog.tables.push_back(Table("members", {Column("id", "int4"), Column("handle", "text")}));
    catalog.indexes.push_back({"members_pkey", "members", {"id"}, {""}, false});
    for (const char* collation :
         {"public.ci", "pg_catalog.\"en-x-icu\"", "pg_catalog.\"default\"", "pg_catalog.\"C\"",
          "pg_catalog.\"POSIX\"", "pg_catalog.ucs_basic"})
        catalog.indexes.push_back({std::string("handle_") + collation,
                                   "members",
                                   {"id", "handle"},
                                   {"", collation},
                                   false});
    InPublic(catalog);
    Plan plan = BuildPlan(ParseAllowlist(R"({"members": ["id"]})", "public"), catalog, "public");
    std::vector<std::string> verified;
    for (const Index* index : UniqueIndexesToVerify(plan.tables[0], catalog))
        verified.push_back(index->name);
    EXPECT_EQ(verified,
              (std::vector<std::string>{"handle_public.ci", "handle_pg_catalog.\"en-x-icu\""}));
}

TEST(Checks, ComputesGeneratedColumnsFromTheirExpressions) {
    SourceCatalog catalog;
    ColumnInfo domain = Column("domain", "text");
    domain.generated = true;
    domain.generation = "split_part(email, '@'::text, 2)";
    domain.generated_from = {"email"};
    ColumnInfo shout = Column("shout", "text");
    shout.generated = true;
    shout.generation = "other.upper(name)";
    shout.generated_from = {"name"};
    catalog.tables.push_back(Table("people", {Column("id", "int4"), Column("email", "text"),
                                              Column("name", "text"), domain, shout}));
    catalog.checks.push_back({"has_domain", "people", "(domain <> ''::text)", {"domain"}});
    catalog.checks.push_back({"loud", "people", "(shout <> ''::text)", {"shout"}});
    InPublic(catalog);
    Plan plan = BuildPlan(ParseAllowlist(R"({"people": ["id"]})", "public"), catalog, "public");
    std::vector<const CheckConstraint*> checks = ChecksToVerify(plan.tables[0], catalog);
    ASSERT_EQ(checks.size(), 2u)
        << "a check reading a generated column of a scrubbed one is verified, whoever wrote "
           "the generation (it runs as the table's owner)";
    EXPECT_EQ(checks[0]->name, "has_domain");
    EXPECT_EQ(checks[1]->name, "loud");
    EXPECT_EQ(FindCheckViolations("build", catalog.tables[0], {checks[0]}, testing::kQuote).sql,
              "SELECT pg_catalog.bool_or(((domain <> ''::text)) IS FALSE) FROM (SELECT *, "
              "CAST((split_part(email, '@'::text, 2)) AS text) AS domain FROM build.people) AS "
              "scratch");
    Plan kept =
        BuildPlan(ParseAllowlist(R"({"people": ["id", "email"]})", "public"), catalog, "public");
    std::vector<const CheckConstraint*> kept_checks = ChecksToVerify(kept.tables[0], catalog);
    ASSERT_EQ(kept_checks.size(), 1u)
        << "has_domain, computed from kept columns only, holds as in the source";
    EXPECT_EQ(kept_checks[0]->name, "loud");
}

TEST(Restorable, RefusesScrubbedPartitionKeysAndExclusionColumns) {
    SourceCatalog catalog = Catalog();
    catalog.partition_keys.push_back({"orders", "public.orders", "id"});
    catalog.partition_keys.push_back({"orders", "archive.orders_old", "total"});
    InPublic(catalog);
    ErrorReport keys = PlanError(R"({"orders": ["id"]})", catalog);
    EXPECT_EQ(keys.sqlstate, "0A000");
    EXPECT_EQ(keys.message, "scrubbed columns are partition keys");
    EXPECT_EQ(keys.detail,
              "Column \"public.orders.total\" is scrubbed, but the partition key of table "
              "archive.orders_old reads it.")
        << "a key at any level counts";
    EXPECT_NE(keys.hint.find("[]"), std::string::npos);
    EXPECT_EQ(PlanError(R"({"orders": []})", catalog).message, "planned")
        << "no rows, nothing to fit";

    SourceCatalog bookings;
    bookings.tables.push_back(Table(
        "bookings", {Column("id", "int4"), Column("room", "int4"), Column("during", "text")}));
    bookings.exclusions.push_back({"no_overlap", "bookings", {"room", "during"}});
    InPublic(bookings);
    try {
        BuildPlan(ParseAllowlist(R"({"bookings": ["id", "room"]})", "public"), bookings, "public");
        ADD_FAILURE() << "planned";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().message, "scrubbed columns are in exclusion constraints");
        EXPECT_EQ(e.report().detail,
                  "Exclusion constraint \"no_overlap\" of table \"public.bookings\" reads "
                  "scrubbed column \"during\".");
    }
    EXPECT_NO_THROW(BuildPlan(ParseAllowlist(R"({"bookings": ["id", "room", "during"]})", "public"),
                              bookings, "public"));
}

// An allowlist of (key, columns) entries as JSON text.
std::string Json(const std::vector<std::pair<std::string, std::vector<std::string>>>& entries) {
    nlohmann::json document = nlohmann::json::object();
    for (const auto& [key, columns] : entries) document[key] = columns;
    return document.dump();
}

// Two schemas with tables of one name, one of them hostile, and foreign
// keys within and across them.
SourceCatalog TwoSchemas() {
    SourceCatalog catalog;
    const std::string odd = "a.\"b c\"; --";
    catalog.schemas = {"public", odd};
    catalog.tables.push_back(Table("users", {Column("id", "int4"), Column("email", "text")}));
    catalog.tables.push_back(
        Table("users", {Column("id", "int4"), Column("user_id", "int4")}, odd));
    catalog.tables.push_back(Table("events", {Column("id", "int4"), Column("who", "int4")}, odd));
    catalog.other_relations.push_back({"report", "view", odd});
    ForeignKey into_public{"events_who", "events", {"who"}, "public", "users", {"id"}, odd};
    ForeignKey across{"users_user", "users", {"user_id"}, "public", "users", {"id"}, odd};
    catalog.foreign_keys = {into_public, across};
    CheckConstraint positive{"positive", "users", "(id > 0)", {"id"}};
    positive.schema = odd;
    catalog.checks.push_back(positive);
    return catalog;
}

TEST(Schemas, KeysFindTablesOfTheirOwnSchema) {
    SourceCatalog catalog = TwoSchemas();
    const std::string odd = catalog.schemas[1];
    const std::string odd_key = "\"a.\"\"b c\"\"; --\"";
    Plan plan =
        BuildPlan(ParseAllowlist(Json({{"users", {"id"}}, {odd_key + ".users", {"id", "user_id"}}}),
                                 "public"),
                  catalog, "public");
    ASSERT_EQ(plan.tables.size(), 3u);
    EXPECT_EQ(plan.tables[0].table->schema, "public");
    EXPECT_EQ(plan.tables[0].ColumnNames(true), (std::vector<std::string>{"id"}));
    EXPECT_EQ(plan.tables[1].table->schema, odd);
    EXPECT_EQ(plan.tables[1].ColumnNames(true), (std::vector<std::string>{"id", "user_id"}));
    EXPECT_FALSE(plan.tables[2].copy_rows) << "a table of a covered schema not named gets no rows";
    EXPECT_EQ(FindTable(catalog, odd, "users"), &catalog.tables[1]);
    EXPECT_EQ(FindTable(catalog, "public", "events"), nullptr);
    EXPECT_EQ(FindTable(catalog, "a", "users"), nullptr);

    // The check of the other schema's "users" is not the public one's.
    Plan scrubbed =
        BuildPlan(ParseAllowlist(R"({"users": ["email"]})", "public"), catalog, "public");
    EXPECT_TRUE(ChecksToVerify(scrubbed.tables[0], catalog).empty());
    Plan other = BuildPlan(ParseAllowlist(Json({{odd_key + ".users", {"user_id"}}}), "public"),
                           catalog, "public");
    ASSERT_EQ(ChecksToVerify(other.tables[1], catalog).size(), 1u);

    // Foreign keys across schemas: kept when both sides are copied with
    // their keys, flagged otherwise, each named by its own schema.
    auto reasons = [&](const std::string& json) {
        Plan p = BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
        std::vector<std::string> result;
        for (const ForeignKeyRisk& risk : ForeignKeysAtRisk(p, catalog, "public"))
            result.push_back(risk.key->schema + "|" + risk.key->name + ": " + risk.reason);
        return result;
    };
    EXPECT_TRUE(reasons(Json({{"users", {"id"}},
                              {odd_key + ".users", {"id", "user_id"}},
                              {odd_key + ".events", {"id", "who"}}}))
                    .empty());
    EXPECT_EQ(reasons(Json({{odd_key + ".events", {"id", "who"}}})),
              std::vector<std::string>{odd + "|events_who: table \"public.users\", which it "
                                             "references, is copied without rows"});
    EXPECT_EQ(
        reasons(Json({{"users", {"email"}}, {odd_key + ".events", {"id", "who"}}})),
        std::vector<std::string>{odd + "|events_who: column \"id\" of table \"public.users\", "
                                       "which it references, is scrubbed"});
}

TEST(Schemas, ErrorsNameTheKeysSchema) {
    SourceCatalog catalog = TwoSchemas();
    const std::string odd_key = "\"a.\"\"b c\"\"; --\"";
    ErrorReport missing = PlanError(
        Json({{odd_key + ".ghost", {}}, {odd_key + ".users", {"nope"}}, {"events", {}}}), catalog);
    EXPECT_EQ(missing.sqlstate, "42704");
    EXPECT_EQ(
        missing.detail,
        "Table \"a.\"b c\"; --.ghost\" does not exist (key \"" + odd_key +
            ".ghost\").\nColumn \"nope\" of table \"a.\"b c\"; --.users\" does not exist (key \"" +
            odd_key + ".users\").\nTable \"public.events\" does not exist (key \"events\").");
    ErrorReport view = PlanError(Json({{odd_key + ".report", {}}}), catalog);
    EXPECT_EQ(view.sqlstate, "42809");
    EXPECT_EQ(PlanError(R"({"report": []})", catalog).sqlstate, "42704")
        << "the view is in the other schema only";
}

TEST(Schemas, ManifestNamesAreReservedInTheSourceSchemaOnly) {
    SourceCatalog catalog;
    catalog.schemas = {"public", "audit"};
    catalog.tables.push_back(Table("_scrub_run", {Column("id", "int4")}, "audit"));
    EXPECT_EQ(PlanError(R"({"audit._scrub_run": ["id"]})", catalog).message, "planned")
        << "the other schema's copy is in a scratch schema of its own";
    catalog.tables.push_back(Table("_scrub_run", {Column("id", "int4")}));
    EXPECT_EQ(PlanError(R"({"_scrub_run": ["id"]})", catalog).sqlstate, "42P07");
}

TEST(Schemas, ScratchSchemaNamesAreDerivedAndBounded) {
    EXPECT_EQ(ScratchSchemaName("scrubbed", "audit"), "scrubbed__audit");
    EXPECT_EQ(ScratchSchemaName("t", "a.\"b c\""), "t__a.\"b c\"");
    EXPECT_EQ(ScratchSchemaName("t", std::string(60, 'x')), "t__" + std::string(60, 'x'))
        << "63 bytes fit";
    try {
        ScratchSchemaName("tt", std::string(60, 'x'));
        ADD_FAILURE() << "64 bytes accepted";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "42622");
        EXPECT_NE(e.report().detail.find("64 bytes"), std::string::npos) << e.report().detail;
    }
}

TEST(Plan, SaysWhatANonTableIs) {
    SourceCatalog catalog = Catalog();
    catalog.other_relations.push_back({"user_report", "view"});
    catalog.other_relations.push_back({"remote_users", "foreign table"});
    InPublic(catalog);
    ErrorReport report = PlanError(R"({"user_report": ["id"], "remote_users": []})", catalog);
    EXPECT_EQ(report.sqlstate, "42809");
    EXPECT_EQ(report.detail,
              "Key \"remote_users\" names foreign table \"public.remote_users\".\nKey "
              "\"user_report\" names view \"public.user_report\".");
}

TEST(UniqueIndexes, MarkWhichColumnsNeedDistinctFakes) {
    SourceCatalog catalog;
    catalog.tables.push_back(Table(
        "items", {Column("id", "int4"), Column("sku", "varchar", 4 + 3),
                  Column("code", "bpchar", 4 + 2), Column("slot", "int2"),
                  Column("lower_name", "text"), Column("live", "bool"), Column("note", "int2"),
                  Column("extra", "int2"), Column("owner", "int4"), Column("rank", "int2")}));
    catalog.indexes.push_back({"items_pkey", "items", {"id"}, {""}, false});
    catalog.indexes.push_back({"items_sku_key", "items", {"sku"}, {""}, false});
    // Unique by its kept key id alone: code needs nothing.
    catalog.indexes.push_back({"items_id_code_key", "items", {"id", "code"}, {"", ""}, false});
    // Not unique by owner alone (no unique index on it): slot is a key.
    catalog.indexes.push_back(
        {"items_owner_slot_key", "items", {"owner", "slot"}, {"", ""}, false});
    // An expression key: every column it reads is a key.
    Index by_name{"items_name_key", "items", {""}, {""}, false};
    by_name.expressions = {"lower(lower_name)"};
    by_name.reads = {"lower_name"};
    catalog.indexes.push_back(by_name);
    // A predicate and an INCLUDE column are read, not keys.
    Index partial{"items_owner_live", "items", {"owner"}, {""}, false};
    partial.predicate = "live";
    partial.reads = {"owner", "live", "note"};
    catalog.indexes.push_back(partial);
    // A non-unique index asks for nothing.
    Index plain{"items_extra", "items", {"extra"}, {""}, false};
    plain.unique = false;
    catalog.indexes.push_back(plain);
    // NULLS NOT DISTINCT is not implied by the primary key (owner may be
    // NULL in several rows), nor is a partial unique index a guarantee.
    Index nnd{"items_owner_rank", "items", {"owner", "rank"}, {"", ""}, true};
    catalog.indexes.push_back(nnd);
    for (Index& index : catalog.indexes) index.schema = "public";

    Plan plan =
        BuildPlan(ParseAllowlist(R"({"items": ["id", "owner"]})", "public"), catalog, "public");
    std::map<std::string, std::pair<UniqueUse, std::string>> uses;
    for (const ColumnPlan& column : plan.tables[0].columns)
        uses[column.column.name] = {column.column.unique_use, column.column.unique_index};
    using Use = std::pair<UniqueUse, std::string>;
    EXPECT_EQ(uses["id"], (Use{UniqueUse::kNone, ""})) << "kept: the primary key holds as it is";
    EXPECT_EQ(uses["sku"], (Use{UniqueUse::kKey, "items_sku_key"}));
    EXPECT_EQ(uses["code"], (Use{UniqueUse::kNone, ""}));
    EXPECT_EQ(uses["slot"], (Use{UniqueUse::kKey, "items_owner_slot_key"}));
    EXPECT_EQ(uses["lower_name"], (Use{UniqueUse::kKey, "items_name_key"}));
    EXPECT_EQ(uses["live"], (Use{UniqueUse::kRead, ""}));
    EXPECT_EQ(uses["note"], (Use{UniqueUse::kRead, ""}));
    EXPECT_EQ(uses["extra"], (Use{UniqueUse::kNone, ""}));
    EXPECT_EQ(uses["rank"], (Use{UniqueUse::kKey, "items_owner_rank"}));

    // Once id is scrubbed, (id, code) is no longer unique by kept columns.
    Plan scrubbed =
        BuildPlan(ParseAllowlist(R"({"items": ["owner"]})", "public"), catalog, "public");
    EXPECT_EQ(scrubbed.tables[0].columns[2].column.name, "code");
    EXPECT_EQ(scrubbed.tables[0].columns[2].column.unique_use, UniqueUse::kKey);
    // The wrapped code makes items_id_code_key depend on the kept id: it is
    // verified on the fakes, not assumed.
    std::vector<std::string> verified;
    for (const Index* index : UniqueIndexesToVerify(plan.tables[0], catalog))
        verified.push_back(index->name);
    EXPECT_EQ(verified, (std::vector<std::string>{"items_id_code_key", "items_name_key",
                                                  "items_owner_live"}));
}

TEST(Indexes, PartialAndExpressionIndexesAreEvaluatedOnTheFakes) {
    SourceCatalog catalog;
    ColumnInfo state = Column("state", "state");
    state.scalar = {"public", "state", 'e', -1};
    ColumnInfo prefix = Column("prefix", "int4");
    prefix.generated = true;
    prefix.generation = "(\"left\"(zip, 2))::integer";
    prefix.generated_from = {"zip"};
    catalog.tables.push_back(Table("subs", {Column("id", "int4"), Column("customer", "int4"), state,
                                            Column("zip", "text"), prefix}));
    Index active{"one_active", "subs", {"customer"}, {""}, false};
    active.predicate = "(state = 'active'::public.state)";
    active.reads = {"customer", "state"};
    Index by_prefix{"by_prefix", "subs", {""}, {""}, false};
    by_prefix.unique = false;
    by_prefix.expressions = {"(prefix + 1)"};
    by_prefix.reads = {"prefix"};
    Index plain{"by_customer", "subs", {"customer"}, {""}, false};
    plain.unique = false;
    catalog.indexes = {active, by_prefix, plain};
    InPublic(catalog);
    auto names = [](const std::vector<const Index*>& indexes) {
        std::vector<std::string> result;
        for (const Index* index : indexes) result.push_back(index->name);
        return result;
    };
    using Names = std::vector<std::string>;
    Plan plan =
        BuildPlan(ParseAllowlist(R"({"subs": ["id", "customer"]})", "public"), catalog, "public");
    EXPECT_EQ(names(UniqueIndexesToVerify(plan.tables[0], catalog)), Names{"one_active"})
        << "the predicate reads the scrubbed state, though the key is kept";
    EXPECT_EQ(names(IndexesToEvaluate(plan.tables[0], catalog)), Names{"by_prefix"})
        << "an expression over a generated column computed from a scrubbed one; a plain index "
           "needs no evaluation";
    ASSERT_EQ(GeneratedToEvaluate(plan.tables[0]).size(), 1u);
    EXPECT_EQ(FindDuplicates("b", catalog.tables[0], active, testing::kQuote).sql,
              "SELECT EXISTS (SELECT FROM b.subs WHERE ((state = 'active'::public.state)) AND "
              "customer IS NOT NULL GROUP BY customer HAVING pg_catalog.count(*) "
              "OPERATOR(pg_catalog.>) 1)");
    EXPECT_EQ(EvaluateIndex("b", catalog.tables[0], by_prefix, testing::kQuote).sql,
              "SELECT pg_catalog.count(ROW(((prefix + 1)))) FROM (SELECT *, "
              "CAST(((\"left\"(zip, 2))::integer) AS int4) AS prefix FROM b.subs) AS scratch");
    EXPECT_EQ(
        EvaluateGenerated("b", catalog.tables[0], catalog.tables[0].columns[4], testing::kQuote)
            .sql,
        "SELECT pg_catalog.bool_or(prefix IS NULL) FROM (SELECT *, "
        "CAST(((\"left\"(zip, 2))::integer) AS int4) AS prefix FROM b.subs) AS scratch");

    Index local = active;
    local.partition = "archive.subs_2024";
    local.partition_constraint = "((customer IS NOT NULL) AND (customer < 100))";
    EXPECT_EQ(FindDuplicates("b", catalog.tables[0], local, testing::kQuote).sql,
              "SELECT EXISTS (SELECT FROM b.subs WHERE (((customer IS NOT NULL) AND (customer < "
              "100))) AND ((state = 'active'::public.state)) AND customer IS NOT NULL GROUP BY "
              "customer HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1)")
        << "a partition's own index holds the rows of its partition only";

    Plan kept =
        BuildPlan(ParseAllowlist(R"({"subs": ["id", "customer", "state", "zip"]})", "public"),
                  catalog, "public");
    EXPECT_TRUE(UniqueIndexesToVerify(kept.tables[0], catalog).empty());
    EXPECT_TRUE(IndexesToEvaluate(kept.tables[0], catalog).empty());
    EXPECT_TRUE(GeneratedToEvaluate(kept.tables[0]).empty()) << "all read kept columns only";
}

}  // namespace
}  // namespace scrub
