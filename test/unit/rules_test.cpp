// Column rules: parsing of the object form, the plan's per-column
// decisions, plan-time refusals, hash spreading along foreign keys and
// the SQL each rule becomes, with hostile names throughout.
#include <gtest/gtest.h>

#include "allowlist.h"
#include "error.h"
#include "plan.h"
#include "rules.h"
#include "scripted_database.h"
#include "sqlgen.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::kQuote;
using testing::Table;

const char* kHostile = "x\"; DROP TABLE users; --";

ErrorReport ParseError(const std::string& json) {
    try {
        ParseAllowlist(json, "public");
    } catch (const ScrubError& e) {
        return e.report();
    }
    return {"", "accepted", "", ""};
}

TEST(Rules, ParsesEveryRuleForm) {
    Allowlist list = ParseAllowlist(R"j({"users": {"rows": {"where": "is_test"}, "columns": {
        "id": "keep", "a": "fake", "b": "null", "c": "hash", "d": "email", "e": "ip",
        "f": {"constant": "GB"}, "g": {"constant": 5}, "h": {"constant": null},
        "i": {"json": {"keep": ["theme", "n.email"]}}, "j": {"sql": "upper(x)"},
        "k": {"rule": "full_name", "why": "shown on invoices"}, "l": {"constant": true, "why": "w"}
    }}})j",
                                    "public");
    ASSERT_EQ(list.entries.size(), 1u);
    const AllowlistEntry& entry = list.entries[0];
    EXPECT_EQ(entry.rows, RowsMode::kWhere);
    EXPECT_EQ(entry.where, "is_test");
    ASSERT_EQ(entry.columns.size(), entry.rules.size());
    std::map<std::string, ColumnRule> rules;
    for (size_t i = 0; i < entry.columns.size(); ++i) rules[entry.columns[i]] = entry.rules[i];
    EXPECT_EQ(rules["id"].kind, RuleKind::kKeep);
    EXPECT_EQ(rules["a"].kind, RuleKind::kFake);
    EXPECT_EQ(rules["b"].kind, RuleKind::kNull);
    EXPECT_EQ(rules["c"].kind, RuleKind::kHash);
    EXPECT_EQ(rules["d"].kind, RuleKind::kRealistic);
    EXPECT_EQ(rules["d"].Name(), "email");
    EXPECT_EQ(rules["e"].realistic, "ip");
    EXPECT_EQ(rules["f"].constant, std::optional<std::string>("GB"));
    EXPECT_EQ(rules["g"].constant, std::optional<std::string>("5"));
    EXPECT_EQ(rules["h"].kind, RuleKind::kConstant);
    EXPECT_FALSE(rules["h"].constant.has_value());
    EXPECT_EQ(rules["i"].json_keep, (std::vector<std::string>{"theme", "n.email"}));
    EXPECT_EQ(rules["j"].sql, "upper(x)");
    EXPECT_EQ(rules["k"].realistic, "full_name");
    EXPECT_EQ(rules["k"].why, "shown on invoices");
    EXPECT_EQ(rules["l"].constant, std::optional<std::string>("true"));
    for (const ColumnRule& rule : entry.rules) EXPECT_TRUE(rule.named);
}

TEST(Rules, PlainFormMeansKeepAndEmptyMeansNoRows) {
    Allowlist list =
        ParseAllowlist(R"({"a": ["x"], "b": [], "c": {}, "d": {"rows": "none"}})", "public");
    ASSERT_EQ(list.entries.size(), 4u);
    EXPECT_EQ(list.entries[0].rows, RowsMode::kAll);
    EXPECT_EQ(list.entries[0].rules[0].kind, RuleKind::kKeep);
    EXPECT_EQ(list.entries[1].rows, RowsMode::kNone);
    EXPECT_EQ(list.entries[2].rows, RowsMode::kAll);
    EXPECT_TRUE(list.entries[2].columns.empty());
    EXPECT_EQ(list.entries[3].rows, RowsMode::kNone);
}

TEST(Rules, RejectionsNameTheEntryAndColumn) {
    ErrorReport unknown = ParseError(
        R"j({"\"x\"\"; DROP TABLE users; --\"": {"columns": {"c\"'); --": "scramble"}}})j");
    EXPECT_EQ(unknown.sqlstate, "22023");
    EXPECT_EQ(
        unknown.message,
        "allowlist entry \"\"x\"\"; DROP TABLE users; --\"\" column \"c\"'); --\" has unknown "
        "rule \"scramble\"");
    EXPECT_FALSE(unknown.hint.empty());
    EXPECT_EQ(ParseError(R"({"t": {"columns": {"c": {"constant": 1, "sql": "1"}}}})").message,
              "allowlist entry \"t\" column \"c\" has more than one rule");
    EXPECT_EQ(ParseError(R"({"t": {"columns": {"c": {"rule": 1}}}})").message,
              "allowlist entry \"t\" column \"c\" has a \"rule\" that is not a string");
    EXPECT_EQ(ParseError(R"({"t": {"columns": {"c": {"rule": "json"}}}})").message,
              "allowlist entry \"t\" column \"c\" writes rule \"json\" as a string");
    EXPECT_EQ(
        ParseError(R"({"t": {"columns": {"c": {"json": {"keep": [], "drop": []}}}}})").message,
        "allowlist entry \"t\" column \"c\" has a malformed \"json\" rule");
    EXPECT_EQ(ParseError(R"({"t": {"rows": {"where": ""}}})").message,
              "allowlist entry \"t\" has a malformed \"rows\"");
    EXPECT_EQ(ParseError(R"({"t": {"rows": {"where": "x", "or": "y"}}})").message,
              "allowlist entry \"t\" has a malformed \"rows\"");
    EXPECT_EQ(ParseError(R"({"t": {"columns": 3}})").message,
              "allowlist entry \"t\" has \"columns\" that are not an object");
    EXPECT_EQ(ParseError(R"({"t": {"select": "*"}})").message,
              "allowlist entry \"t\" has unknown key \"select\"");
    for (const char* json :
         {R"({"t": {"columns": {"c": ["keep"]}}})", R"({"t": {"columns": {"c": null}}})",
          R"({"t": {"columns": {"c": {"sql": 5}}}})", R"({"t": {"columns": {"c": {}}}})"})
        EXPECT_EQ(ParseError(json).sqlstate, "22023") << json;
}

// users (id int8 PK, email text UNIQUE, nick varchar(8), country char(2)
// NOT NULL, meta jsonb, born date); orders (id, user_id -> users.id,
// buyer_ref int4 -> users.id); notes (order_id -> orders.id).
SourceCatalog ShopCatalog() {
    SourceCatalog catalog;
    ColumnInfo country = Column("country", "bpchar", 6);
    country.not_null = true;
    catalog.tables.push_back(Table(
        "users", {Column("id", "int8"), Column("email", "text"), Column("nick", "varchar", 12),
                  country, Column("meta", "jsonb"), Column("born", "date")}));
    catalog.tables.push_back(Table(
        "orders", {Column("id", "int4"), Column("user_id", "int8"), Column("buyer_ref", "int4")}));
    catalog.tables.push_back(Table("notes", {Column("order_id", "int4"), Column("body", "text")}));
    catalog.indexes.push_back({"users_pkey", "users", {"id"}, {""}});
    catalog.indexes.push_back({"users_email_key", "users", {"email"}, {""}});
    catalog.foreign_keys.push_back(
        {"orders_user_fk", "orders", {"user_id"}, "public", "users", {"id"}, "public"});
    catalog.foreign_keys.push_back(
        {"notes_order_fk", "notes", {"order_id"}, "public", "orders", {"id"}, "public"});
    for (Index& index : catalog.indexes) index.schema = "public";
    for (ForeignKey& key : catalog.foreign_keys) key.schema = "public";
    return catalog;
}

ErrorReport PlanError(const std::string& json, const SourceCatalog& catalog) {
    try {
        BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
    } catch (const ScrubError& e) {
        return e.report();
    }
    return {"", "planned", "", ""};
}

const ColumnPlan& PlannedColumn(const Plan& plan, const std::string& table,
                                const std::string& column) {
    for (const TablePlan& candidate : plan.tables)
        if (candidate.table->name == table)
            for (const ColumnPlan& planned : candidate.columns)
                if (planned.column.name == column) return planned;
    throw std::runtime_error("no column " + table + "." + column);
}

TEST(Rules, EveryRuleButKeepScrubs) {
    SourceCatalog catalog = ShopCatalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({"users": {"columns": {"id": "keep", "email": "email",
        "nick": "null", "country": {"constant": "GB"}, "meta": {"json": {"keep": ["a"]}}}}})",
                                         "public"),
                          catalog, "public");
    EXPECT_TRUE(PlannedColumn(plan, "users", "id").keep);
    for (const char* name : {"email", "nick", "country", "meta", "born"})
        EXPECT_FALSE(PlannedColumn(plan, "users", name).keep) << name;
    EXPECT_TRUE(PlannedColumn(plan, "users", "born").DefaultFake())
        << "a column not named is faked";
    EXPECT_FALSE(PlannedColumn(plan, "users", "email").DefaultFake());
    const TablePlan& users = plan.tables[0];
    EXPECT_EQ(users.KeptCount(), 1u);
    EXPECT_EQ(users.ScrubbedCount(), 5u);
    // A unique index over a realistic fake is checked for duplicates; over
    // the default fake it holds by construction.
    std::vector<std::string> verified;
    for (const Index* index : UniqueIndexesToVerify(users, catalog))
        verified.push_back(index->name);
    EXPECT_EQ(verified, std::vector<std::string>{"users_email_key"});
}

TEST(Rules, RefusesRulesThatCannotWork) {
    SourceCatalog catalog = ShopCatalog();
    ErrorReport types = PlanError(R"({"users": {"columns": {"id": "email", "born": "hash",
        "email": {"json": {"keep": []}}, "meta": "ip", "nick": "hash", "country": "hash"}}})",
                                  catalog);
    EXPECT_EQ(types.sqlstate, "42804");
    EXPECT_NE(types.detail.find("Column \"public.users.id\" (allowlist entry \"users\") has type "
                                "int8, which rule \"email\" cannot fill."),
              std::string::npos)
        << types.detail;
    EXPECT_NE(types.detail.find("public.users.born"), std::string::npos);
    EXPECT_NE(types.detail.find("public.users.email"), std::string::npos);
    EXPECT_NE(types.detail.find("public.users.meta"), std::string::npos);
    EXPECT_NE(types.detail.find("public.users.country"), std::string::npos) << "no hash of char(n)";
    EXPECT_EQ(types.detail.find("public.users.nick"), std::string::npos) << "varchar hashes";

    ErrorReport nulls = PlanError(
        R"({"users": {"columns": {"country": "null", "id": {"constant": null}}}})", catalog);
    EXPECT_EQ(nulls.sqlstate, "23502");
    EXPECT_NE(nulls.detail.find("public.users.country"), std::string::npos);

    ErrorReport unique =
        PlanError(R"({"users": {"columns": {"email": {"constant": "a@b.test"}}}})", catalog);
    EXPECT_EQ(unique.sqlstate, "23505");
    EXPECT_NE(unique.detail.find("public.users.email"), std::string::npos);

    // None of this matters for a table copied without rows.
    EXPECT_EQ(
        PlanError(R"({"users": {"rows": "none", "columns": {"id": "email"}}})", catalog).message,
        "planned");
}

TEST(Rules, HashSpreadsAlongForeignKeys) {
    SourceCatalog catalog = ShopCatalog();
    Plan plan = BuildPlan(ParseAllowlist(R"({"users": {"columns": {"id": "hash"}},
        "orders": {"columns": {"id": "hash"}}, "notes": {}})",
                                         "public"),
                          catalog, "public");
    const ColumnPlan& user_id = PlannedColumn(plan, "orders", "user_id");
    EXPECT_EQ(user_id.rule.kind, RuleKind::kHash) << "a referencing column not named follows";
    EXPECT_FALSE(user_id.rule.named);
    EXPECT_EQ(user_id.hash_type.name, "int8");
    const ColumnPlan& order_id = PlannedColumn(plan, "notes", "order_id");
    EXPECT_EQ(order_id.rule.kind, RuleKind::kHash) << "along a chain too";
    EXPECT_EQ(order_id.hash_type.name, "int4");
    // Hashed on both sides, the foreign key is not at risk.
    EXPECT_TRUE(ForeignKeysAtRisk(plan, catalog, "public").empty());
    // A referencing int8 column is hashed as the int4 key it points at.
    catalog.foreign_keys.push_back(
        {"orders_buyer_fk", "orders", {"buyer_ref"}, "public", "orders", {"id"}, "public"});
    Plan self = BuildPlan(ParseAllowlist(R"({"users": ["id"], "orders": {"columns": {"id": "hash",
        "user_id": "keep"}}})",
                                         "public"),
                          catalog, "public");
    EXPECT_EQ(PlannedColumn(self, "orders", "buyer_ref").hash_type.name, "int4");
}

TEST(Rules, RefusesRulesThatBreakHashedJoins) {
    SourceCatalog catalog = ShopCatalog();
    ErrorReport kept = PlanError(
        R"({"users": {"columns": {"id": "hash"}}, "orders": {"columns": {"user_id": "keep"}}})",
        catalog);
    EXPECT_EQ(kept.sqlstate, "23503");
    EXPECT_EQ(kept.detail,
              "Constraint \"orders_user_fk\" of table \"public.orders\": column \"id\" of table "
              "\"public.users\", which it references, is hashed, but its column \"user_id\" has "
              "rule \"keep\".");
    ErrorReport plain =
        PlanError(R"({"users": {"columns": {"id": "hash"}}, "orders": ["user_id"]})", catalog);
    EXPECT_EQ(plain.sqlstate, "23503") << "the plain form keeps what it lists";
    ErrorReport unhashed_key =
        PlanError(R"({"users": ["id"], "orders": {"columns": {"user_id": "hash"}}})", catalog);
    EXPECT_EQ(unhashed_key.sqlstate, "23503");
    EXPECT_NE(unhashed_key.detail.find("is hashed, but column \"id\" of table \"public.users\", "
                                       "which it references, has rule \"keep\""),
              std::string::npos)
        << unhashed_key.detail;
    // A shorter referencing text column cannot hold a longer key's hashes;
    // a narrower integer one can (integer hashes keep each value's band).
    catalog.tables[2].columns[0] = Column("order_id", "int2");
    EXPECT_EQ(
        PlanError(R"({"orders": {"columns": {"id": "hash", "user_id": "null"}}, "notes": {}})",
                  catalog)
            .message,
        "planned");
    catalog.tables[1].columns[0] = Column("id", "varchar", 14);
    catalog.tables[2].columns[0] = Column("order_id", "varchar", 8);
    ErrorReport narrow = PlanError(
        R"({"orders": {"columns": {"id": "hash", "user_id": "null"}}, "notes": {}})", catalog);
    EXPECT_EQ(narrow.sqlstate, "23503");
    EXPECT_NE(narrow.detail.find("cannot hold the hashes"), std::string::npos) << narrow.detail;
}

TEST(Rules, SqlOfEachRuleQuotesNamesAndBindsValues) {
    TableInfo table =
        Table(kHostile, {Column(kHostile, "text"), Column("n", "varchar", 24), Column("k", "int4"),
                         Column("j", "json"), Column("c", "date"), Column("e", "text")});
    table.columns[1].type_sql = "character varying(20)";
    TablePlan plan;
    plan.table = &table;
    plan.copy_rows = true;
    plan.row_filter = "true";
    auto rule = [](RuleKind kind) {
        ColumnRule made;
        made.kind = kind;
        made.named = true;
        return made;
    };
    ColumnRule sql = rule(RuleKind::kSql);
    sql.sql = "'a' -- comment";
    ColumnRule email = rule(RuleKind::kRealistic);
    email.realistic = "email";
    ColumnRule json = rule(RuleKind::kJson);
    json.json_keep = {kHostile};
    ColumnRule constant = rule(RuleKind::kConstant);
    constant.constant = "2024-01-01'); --";
    ColumnPlan hashed{table.columns[2], false, rule(RuleKind::kHash), table.columns[2].scalar, -1};
    plan.columns = {{table.columns[0], false, sql, {}, -1},
                    {table.columns[1], false, email, {}, -1},
                    hashed,
                    {table.columns[3], false, json, {}, -1},
                    {table.columns[4], false, constant, {}, -1},
                    {table.columns[5], false, rule(RuleKind::kNull), {}, -1}};
    const std::string token = "0123456789abcdef0123456789abcdef";
    Statement copy = CopyRows(plan, "public", "build", kQuote, kHostile, token);
    const std::string ext = "\"x\"\"; DROP TABLE users; --\"";
    EXPECT_NE(copy.sql.find(", CAST(('a' -- comment\n) AS text) AS x1"), std::string::npos)
        << copy.sql;
    EXPECT_NE(copy.sql.find("CASE WHEN s.c2 IS NULL THEN NULL ELSE CAST(" + ext +
                            ".scrub_fake_text(CAST($"),
              std::string::npos)
        << copy.sql;
    EXPECT_NE(copy.sql.find("AS pg_catalog.text), CAST(s.seed AS pg_catalog.int8), CAST(20 AS "
                            "pg_catalog.int4), CAST(pg_catalog.length(CAST(s.c2 AS "
                            "pg_catalog.text)) AS pg_catalog.int4)) AS character varying(20)) END"),
              std::string::npos)
        << copy.sql;
    EXPECT_NE(copy.sql.find("CAST(" + ext + ".scrub_hash(CAST(s.c3 AS pg_catalog.int4), CAST($"),
              std::string::npos)
        << copy.sql;
    // The run's hash token is a bound parameter, never text of the query.
    EXPECT_EQ(copy.sql.find(token), std::string::npos) << copy.sql;
    EXPECT_NE(std::find(copy.params.begin(), copy.params.end(), std::optional(token)),
              copy.params.end());
    EXPECT_NE(copy.sql.find("CAST(" + ext +
                            ".scrub_json_keep_json(CAST(s.c4 AS pg_catalog.json), "
                            "CAST($"),
              std::string::npos)
        << copy.sql;
    EXPECT_NE(copy.sql.find("CAST(NULL AS text)"), std::string::npos);
    EXPECT_NE(copy.sql.find(" WHERE (true\n)) AS s"), std::string::npos) << copy.sql;
    EXPECT_NE(copy.sql.find("row_number() OVER () AS seed"), std::string::npos);
    EXPECT_EQ(copy.sql.find("DROP TABLE users; --\n"), std::string::npos);
    // Values travel as parameters only.
    std::vector<std::string> params;
    for (const auto& param : copy.params) params.push_back(param.value_or("NULL"));
    EXPECT_NE(std::find(params.begin(), params.end(), "email"), params.end());
    EXPECT_NE(std::find(params.begin(), params.end(), "2024-01-01'); --"), params.end());
    EXPECT_EQ(copy.sql.find("2024-01-01"), std::string::npos);
}

TEST(Rules, HashOfTextTakesLimitTokenAndFoldsCitext) {
    ColumnInfo nick = Column("nick", "varchar", 12);
    ColumnInfo handle = Column("handle", "citext");
    handle.scalar.schema = "public";
    ColumnRule hash;
    hash.kind = RuleKind::kHash;
    Statement statement;
    EXPECT_EQ(RuleExpression({nick, false, hash, nick.scalar, 8}, "s.c1", "s.seed", "ext", kQuote,
                             statement),
              "CAST(ext.scrub_hash(CAST(s.c1 AS pg_catalog.text), CAST(8 AS pg_catalog.int4)) AS "
              "varchar)");
    EXPECT_EQ(RuleExpression({handle, false, hash, handle.scalar, -1, "pg_catalog.\"default\""},
                             "s.c1", "s.seed", "ext", kQuote, statement),
              "CAST(ext.scrub_hash(pg_catalog.lower(CAST(s.c1 AS pg_catalog.text) COLLATE "
              "pg_catalog.\"default\"), CAST(NULL AS pg_catalog.int4)) AS citext)");
    // The fold is the key's, not the type's: a citext column following a
    // text key is hashed as it is.
    EXPECT_EQ(RuleExpression({handle, false, hash, nick.scalar, -1}, "s.c1", "s.seed", "ext",
                             kQuote, statement),
              "CAST(ext.scrub_hash(CAST(s.c1 AS pg_catalog.text), CAST(NULL AS pg_catalog.int4)) "
              "AS citext)");
    // With the run's token: a bound parameter, after the other arguments.
    Statement bound;
    EXPECT_EQ(RuleExpression({nick, false, hash, nick.scalar, 8}, "s.c1", "s.seed", "ext", kQuote,
                             bound, "0123456789abcdef0123456789abcdef"),
              "CAST(ext.scrub_hash(CAST(s.c1 AS pg_catalog.text), CAST(8 AS pg_catalog.int4), "
              "CAST($1 AS pg_catalog.text)) AS varchar)");
    EXPECT_EQ(bound.params.size(), 1u);
    // SQL with values inlined (an export's) never takes a token.
    Statement inlined;
    inlined.inline_values = true;
    EXPECT_THROW(RuleExpression({nick, false, hash, nick.scalar, 8}, "s.c1", "s.seed", "ext",
                                kQuote, inlined, "0123456789abcdef0123456789abcdef"),
                 ScrubError);
    EXPECT_EQ(HashAs(Column("d", "numeric").scalar), "");
    EXPECT_EQ(HashAs(Column("u", "uuid").scalar), "pg_catalog.uuid");
}

// p (code text PK), c (code citext -> p.code, text equality), cp (code
// citext PK under collation public.tr), cc (code citext -> cp.code).
SourceCatalog CaseCatalog() {
    SourceCatalog catalog;
    ColumnInfo folded = Column("code", "citext");
    folded.scalar.schema = "public";
    ColumnInfo folded_tr = folded;
    folded_tr.collation = "public.tr";
    catalog.tables.push_back(Table("p", {Column("code", "text")}));
    catalog.tables.push_back(Table("c", {folded, Column("id", "int4")}));
    catalog.tables.push_back(Table("cp", {folded_tr}));
    catalog.tables.push_back(Table("cc", {folded}));
    catalog.indexes.push_back({"p_pkey", "p", {"code"}, {""}});
    catalog.indexes.push_back({"cp_pkey", "cp", {"code"}, {""}});
    catalog.foreign_keys.push_back(
        {"c_code_fkey", "c", {"code"}, "public", "p", {"code"}, "public"});
    catalog.foreign_keys.push_back(
        {"cc_code_fkey", "cc", {"code"}, "public", "cp", {"code"}, "public"});
    for (Index& index : catalog.indexes) index.schema = "public";
    for (ForeignKey& key : catalog.foreign_keys) key.schema = "public";
    return catalog;
}

TEST(Rules, HashNormalisationFollowsTheReferencedKey) {
    SourceCatalog catalog = CaseCatalog();
    // Not named, or named "hash": either way the key decides.
    for (const char* child : {"{}", R"({"columns": {"code": "hash"}})"}) {
        std::string json = std::string(R"({"p": {"columns": {"code": "hash"}}, "c": )") + child +
                           R"(, "cp": {"columns": {"code": "hash"}}, "cc": )" + child + "}";
        Plan plan = BuildPlan(ParseAllowlist(json, "public"), catalog, "public");
        EXPECT_EQ(PlannedColumn(plan, "p", "code").hash_fold, "");
        EXPECT_EQ(PlannedColumn(plan, "c", "code").rule.kind, RuleKind::kHash) << json;
        EXPECT_EQ(PlannedColumn(plan, "c", "code").hash_fold, "")
            << "a citext column referencing a text key compares as text: " << json;
        EXPECT_EQ(PlannedColumn(plan, "cp", "code").hash_fold, "public.tr")
            << "citext lower()s under its column's collation";
        EXPECT_EQ(PlannedColumn(plan, "cc", "code").hash_fold, "public.tr")
            << "the referencing column lower()s as the key does: " << json;
    }
    // Alone, a citext column folds under its type's collation.
    Plan alone = BuildPlan(ParseAllowlist(R"({"cc": {"columns": {"code": "hash"}}})", "public"),
                           catalog, "public");
    EXPECT_EQ(PlannedColumn(alone, "cc", "code").hash_fold, "pg_catalog.\"default\"");
}

TEST(Rules, RefusesHashesUnderNondeterministicCollations) {
    SourceCatalog catalog = CaseCatalog();
    // The key's own collation.
    catalog.tables[0].columns[0].nondeterministic_collation = "public.ci";
    ErrorReport key = PlanError(R"({"p": {"columns": {"code": "hash"}}, "c": {}})", catalog);
    EXPECT_EQ(key.sqlstate, "0A000");
    EXPECT_NE(key.detail.find("Column \"public.p.code\" (allowlist entry \"p\") is hashed, but its "
                              "collation public.ci, which is nondeterministic"),
              std::string::npos)
        << key.detail;
    // The referencing column's, though it is hashed only by the spread.
    catalog = CaseCatalog();
    catalog.tables[1].columns[0].nondeterministic_collation = "public.ci";
    ErrorReport child = PlanError(R"({"p": {"columns": {"code": "hash"}}, "c": {}})", catalog);
    EXPECT_EQ(child.sqlstate, "0A000");
    EXPECT_NE(child.detail.find("Column \"public.c.code\" is hashed (a foreign key points it at a "
                                "hashed key), but its collation public.ci"),
              std::string::npos)
        << child.detail;
    EXPECT_EQ(child.detail.find("public.p.code"), std::string::npos) << child.detail;
    // A unique index comparing it under one.
    catalog = CaseCatalog();
    catalog.indexes[0].collations = {"public.ci"};
    catalog.indexes[0].nondeterministic = {true};
    ErrorReport index = PlanError(R"({"p": {"columns": {"code": "hash"}}, "c": {}})", catalog);
    EXPECT_EQ(index.sqlstate, "0A000");
    EXPECT_NE(index.detail.find("its unique index \"p_pkey\" compares it under public.ci"),
              std::string::npos)
        << index.detail;
    // Not hashed, nothing to refuse.
    EXPECT_EQ(PlanError(R"({"p": ["code"], "c": ["code"]})", catalog).message, "planned");
}

TEST(Rules, AColumnReferencingTwoHashedKeysMatchesBothOrFails) {
    // orders.buyer_ref (int4) references users.id (int8) and orders.id
    // (int4): integer hashes agree in every width, so this plans (and
    // ends: the mapping does not flip between the keys' types).
    SourceCatalog catalog = ShopCatalog();
    catalog.foreign_keys.push_back(
        {"orders_buyer_fk", "orders", {"buyer_ref"}, "public", "users", {"id"}, "public"});
    catalog.foreign_keys.push_back(
        {"orders_self_fk", "orders", {"buyer_ref"}, "public", "orders", {"id"}, "public"});
    Plan plan = BuildPlan(ParseAllowlist(R"({"users": {"columns": {"id": "hash"}},
        "orders": {"columns": {"id": "hash"}}})",
                                         "public"),
                          catalog, "public");
    EXPECT_EQ(PlannedColumn(plan, "orders", "buyer_ref").rule.kind, RuleKind::kHash);
    EXPECT_EQ(PlannedColumn(plan, "orders", "buyer_ref").hash_type.name, "int4")
        << "an integer is hashed as its own type";
    // Text keys cut to different lengths cannot both be matched.
    SourceCatalog text;
    text.tables.push_back(Table("a", {Column("code", "varchar", 14)}));
    text.tables.push_back(Table("b", {Column("code", "varchar", 24)}));
    text.tables.push_back(Table("c", {Column("code", "varchar", 24)}));
    text.foreign_keys.push_back({"c_a_fk", "c", {"code"}, "public", "a", {"code"}, "public"});
    text.foreign_keys.push_back({"c_b_fk", "c", {"code"}, "public", "b", {"code"}, "public"});
    ErrorReport both = PlanError(
        R"({"a": {"columns": {"code": "hash"}}, "b": {"columns": {"code": "hash"}}, "c": {}})",
        text);
    EXPECT_EQ(both.sqlstate, "23503");
    EXPECT_NE(both.detail.find("one column cannot match both"), std::string::npos) << both.detail;
}

TEST(Rules, ServerChecksRunAsTheOwnerAndRefuseMoreThanOneExpression) {
    SourceCatalog catalog = ShopCatalog();
    catalog.tables[0].owner = "app";
    catalog.tables[0].owner_oid = 42;
    Plan plan = BuildPlan(ParseAllowlist(R"j({"users": {"rows": {"where": "id > 0"}, "columns": {
        "id": "keep", "born": {"constant": "2000-01-01"}, "nick": {"sql": "upper(nick)"}}}})j",
                                         "public"),
                          catalog, "public");
    testing::ScriptedDatabase db([](const Statement&) { return std::vector<Row>{}; });
    CheckRulesOnServer(db, plan, "ext", kQuote);
    ASSERT_EQ(db.issued.size(), 3u);
    for (const testing::Issued& issued : db.issued) {
        EXPECT_TRUE(issued.as_owner) << issued.sql;
        EXPECT_EQ(issued.owner_name, "app");
    }
    EXPECT_EQ(db.issued[0].sql, "SELECT FROM ONLY public.users AS src WHERE (id > 0\n) LIMIT 0");
    db.not_one_expression = {"upper(nick)"};
    try {
        CheckRulesOnServer(db, plan, "ext", kQuote);
        FAIL() << "accepted";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "22023");
        EXPECT_EQ(e.report().message,
                  "allowlist entry \"users\" column \"nick\" has an sql expression that is not "
                  "valid");
    }
}

// Each expression is analysed as the owner before it is planned; one that
// would use another role's object is refused without being planned, or,
// with a problem list, reported there and not planned.
TEST(Rules, ExpressionsUsingAnotherRolesObjectsAreNotPlanned) {
    SourceCatalog catalog = ShopCatalog();
    catalog.tables[0].owner = "app";
    catalog.tables[0].owner_oid = 42;
    Plan plan = BuildPlan(ParseAllowlist(R"j({"users": {"rows": {"where": "s.f(id)"}, "columns": {
        "id": "keep", "nick": {"sql": "s.g(nick)"}}}})j",
                                         "public"),
                          catalog, "public");
    testing::ScriptedDatabase db([](const Statement&) { return std::vector<Row>{}; });
    db.foreign_objects = {{"s.g(nick)", {{"function s.g(text)", "mallory"}}}};
    Problems problems;
    CheckRulesOnServer(db, plan, "ext", kQuote, "", &problems);
    ASSERT_EQ(db.analysed.size(), 2u);
    for (const testing::Issued& analysed : db.analysed) EXPECT_EQ(analysed.owner_name, "app");
    ASSERT_EQ(db.issued.size(), 1u) << "only the filter is planned";
    EXPECT_NE(db.issued[0].sql.find("s.f(id)"), std::string::npos);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].column, "nick");
    EXPECT_EQ(problems[0].text,
              "The expression for column \"nick\" of table \"public.users\" runs as role "
              "\"app\", the table's owner, and would use function s.g(text), owned by role "
              "\"mallory\".");
    db.issued.clear();
    try {
        CheckRulesOnServer(db, plan, "ext", kQuote);
        FAIL() << "accepted";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "42501");
        EXPECT_EQ(e.report().message,
                  "allowlist entry \"users\" column \"nick\" has an sql expression that uses "
                  "objects of another role");
    }
    EXPECT_EQ(db.issued.size(), 1u);
}

// An object whose schema another role owns is refused as one of another
// role, the detail naming the schema and its owner (and, for
// pg_database_owner, the database's owner it stands for); with both
// reasons, both are named.
TEST(Rules, ExpressionsUsingObjectsInAnotherRolesSchemaAreRefused) {
    SourceCatalog catalog = ShopCatalog();
    catalog.tables[0].owner = "app";
    catalog.tables[0].owner_oid = 42;
    Plan plan = BuildPlan(ParseAllowlist(R"j({"users": {"rows": {"where": "s.f(id)"}, "columns": {
        "id": "keep", "nick": {"sql": "s.g(nick)"}}}})j",
                                         "public"),
                          catalog, "public");
    testing::ScriptedDatabase db([](const Statement&) { return std::vector<Row>{}; });
    ForeignObject in_schema{"function s.f(integer)", "", false, "s", "pg_database_owner", "web"};
    ForeignObject both{"function s.g(text)", "mallory", false, "s", "eve", ""};
    db.foreign_objects = {{"s.f(id)", {in_schema}}, {"s.g(nick)", {both}}};
    Problems problems;
    CheckRulesOnServer(db, plan, "ext", kQuote, "", &problems);
    EXPECT_TRUE(db.issued.empty()) << "nothing is planned";
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].text,
              "The filter of table \"public.users\" runs as role \"app\", the table's owner, "
              "and would use function s.f(integer), in schema \"s\" owned by role "
              "\"pg_database_owner\" (the database's owner, role \"web\"), which can rename the "
              "schema and put an object of its own in its place.");
    EXPECT_EQ(problems[1].text,
              "The expression for column \"nick\" of table \"public.users\" runs as role "
              "\"app\", the table's owner, and would use function s.g(text), owned by role "
              "\"mallory\" and in schema \"s\" owned by role \"eve\", which can rename the "
              "schema and put an object of its own in its place.");
    try {
        CheckRulesOnServer(db, plan, "ext", kQuote);
        FAIL() << "accepted";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "42501");
        EXPECT_EQ(e.report().message,
                  "row filter of allowlist entry \"users\" uses objects in a schema of another "
                  "role");
        EXPECT_NE(e.report().hint.find("ALTER SCHEMA"), std::string::npos);
    }
}

// The expressions' texts are parsed again by every statement after the
// check: each must use the text the check's own analysis pinned (names
// qualified, implicit casts written out), so that an object created in
// between (a better-matching overload) is never reached. The manifest
// keeps the allowlist's text.
TEST(Rules, StatementsUseTheTextsTheCheckPinned) {
    SourceCatalog catalog = ShopCatalog();
    catalog.tables[0].owner = "app";
    catalog.tables[0].owner_oid = 42;
    const std::string allowlist = R"j({"users": {"rows": {"where": "s.f(id)"}, "columns": {
        "id": "keep", "nick": {"sql": "s.g(nick)"}}}})j";
    auto pinned_db = [] {
        testing::ScriptedDatabase db([](const Statement&) { return std::vector<Row>{}; });
        db.canonical_texts = {{"s.f(id)", "p.f((id)::text)"}, {"s.g(nick)", "(p.g(nick))::text"}};
        return db;
    };
    auto uses_pinned = [](const std::string& sql, bool filter, bool rule) {
        EXPECT_EQ(sql.find("s.f(id)"), std::string::npos) << sql;
        EXPECT_EQ(sql.find("s.g(nick)"), std::string::npos) << sql;
        if (filter) {
            EXPECT_NE(sql.find("(p.f((id)::text)\n)"), std::string::npos) << sql;
        }
        if (rule) {
            EXPECT_NE(sql.find("((p.g(nick))::text\n)"), std::string::npos) << sql;
        }
    };
    for (bool run : {true, false}) {
        Plan plan = BuildPlan(ParseAllowlist(allowlist, "public"), catalog, "public");
        testing::ScriptedDatabase db = pinned_db();
        if (run) {
            CheckRulesOnServer(db, plan, "ext", kQuote);
            // Analysed in the allowlist's text, over the table as src;
            // planned in the pinned one.
            ASSERT_EQ(db.analysed.size(), 2u);
            EXPECT_NE(db.analysed[0].sql.find("FROM ONLY public.users AS src WHERE (s.f(id)\n)"),
                      std::string::npos)
                << db.analysed[0].sql;
            EXPECT_NE(db.analysed[1].sql.find("SELECT CAST((s.g(nick)\n) AS "), std::string::npos)
                << db.analysed[1].sql;
            ASSERT_EQ(db.issued.size(), 2u);
            uses_pinned(db.issued[0].sql, true, false);
            uses_pinned(db.issued[1].sql, false, true);
        } else {
            PinExpressions(db, plan, kQuote);
            EXPECT_EQ(db.analysed.size(), 2u);
            EXPECT_TRUE(db.issued.empty()) << "an export's pinning plans nothing";
        }
        const TablePlan& users = plan.tables[0];
        EXPECT_EQ(users.row_filter, "s.f(id)");
        EXPECT_EQ(FilterCondition(users), "(p.f((id)::text)\n)");
        uses_pinned(CopyRows(users, "public", "build", kQuote, "ext", "").sql, true, true);
        uses_pinned(CountRows(*users.table, "public", kQuote, FilterCondition(users)).sql, true,
                    false);
        Statement inlined;
        inlined.inline_values = true;
        uses_pinned(ScrubbingSelect(users, "public", kQuote, "ext", inlined, true), true, true);
    }
}

}  // namespace
}  // namespace scrub
