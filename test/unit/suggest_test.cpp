// scrub_suggest's heuristics: every column decided, personal-looking ones
// never kept, realistic rules only where they fit, and the JSON accepted
// by the allowlist parser and the planner as it stands.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "allowlist.h"
#include "error.h"
#include "plan.h"
#include "realistic.h"
#include "suggest.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::Table;

Index UniqueIndex(const std::string& name, const std::string& table, const std::string& column,
                  bool primary = false) {
    Index index;
    index.name = name;
    index.table = table;
    index.columns = {column};
    index.collations = {""};
    index.expressions = {""};
    index.primary = primary;
    index.schema = "public";
    return index;
}

ColumnInfo NotNull(ColumnInfo column) {
    column.not_null = true;
    return column;
}

// varchar(n) as the catalog describes it: typmod n + 4.
ColumnInfo Varchar(const std::string& name, int length) {
    return Column(name, "varchar", length + 4);
}

std::map<std::string, ColumnSuggestion> Columns(const std::vector<TableSuggestion>& tables,
                                                const std::string& key) {
    std::map<std::string, ColumnSuggestion> columns;
    for (const TableSuggestion& table : tables)
        if (table.key == key)
            for (const ColumnSuggestion& column : table.columns) columns[column.column] = column;
    return columns;
}

SourceCatalog People() {
    SourceCatalog catalog;
    catalog.schemas = {"public"};
    catalog.tables.push_back(Table("people", {NotNull(Column("id", "int8")),
                                              Column("org_id", "int4"),
                                              Varchar("Email", 255),
                                              Column("EmailAddress", "text"),
                                              Varchar("mobile_phone", 30),
                                              Column("FirstName", "text"),
                                              Column("last_name", "text"),
                                              Column("ContactName", "text"),
                                              Column("user_name", "text"),
                                              Column("HomePage", "text"),
                                              Column("last_login_ip", "inet"),
                                              Column("remote", "inet"),
                                              Column("street_address", "text"),
                                              Column("PostalCode", "text"),
                                              Column("date_of_birth", "date"),
                                              Column("created_at", "timestamptz"),
                                              Column("is_active", "bool"),
                                              Column("balance", "numeric"),
                                              Column("password_hash", "text"),
                                              NotNull(Column("api_token", "text")),
                                              Column("notes", "text"),
                                              Column("bio", "varchar"),
                                              Column("settings", "jsonb"),
                                              Column("status", "text"),
                                              Column("external_uuid", "uuid"),
                                              Column("misc", "text"),
                                              Varchar("tiny_email", 3),
                                              Column("tags", "text", -1, true),
                                              Column("point", "point"),
                                              Column("email_verified", "bool"),
                                              Column("last_login_at", "timestamptz"),
                                              Column("phone_bigint", "int8"),
                                              Column("ship_address", "text"),
                                              Column("capacity", "int4"),
                                              Column("allocation", "numeric"),
                                              Column("automobile", "bool")}));
    catalog.tables.push_back(
        Table("orgs", {NotNull(Column("id", "int4")), Column("name", "text")}));
    catalog.indexes.push_back(UniqueIndex("people_pkey", "people", "id", true));
    catalog.indexes.push_back(UniqueIndex("orgs_pkey", "orgs", "id", true));
    ForeignKey fk;
    fk.name = "people_org_fk";
    fk.table = "people";
    fk.schema = "public";
    fk.columns = {"org_id"};
    fk.referenced_schema = "public";
    fk.referenced_table = "orgs";
    fk.referenced_columns = {"id"};
    catalog.foreign_keys.push_back(fk);
    return catalog;
}

TEST(Suggest, SplitsNamesIntoWords) {
    EXPECT_EQ(NameWords("ContactName"), (std::vector<std::string>{"contact", "name"}));
    EXPECT_EQ(NameWords("user_e-mail.2"), (std::vector<std::string>{"user", "e", "mail", "2"}));
    EXPECT_EQ(NameWords("HTTPReferer"), (std::vector<std::string>{"http", "referer"}));
    EXPECT_EQ(NameWords("\"; DROP TABLE x; --"), (std::vector<std::string>{"drop", "table", "x"}));
    EXPECT_EQ(NameWords(""), std::vector<std::string>{});
    EXPECT_EQ(NameWords("名前_email"), (std::vector<std::string>{"名前", "email"}));
}

TEST(Suggest, DecidesEveryColumnByNameAndType) {
    SourceCatalog catalog = People();
    auto tables = SuggestRules(catalog, "public");
    ASSERT_EQ(tables.size(), 2u);
    auto people = Columns(tables, "people");
    EXPECT_EQ(people.size(), catalog.tables[0].columns.size());
    std::map<std::string, std::string> expected = {
        {"id", "keep"},
        {"org_id", "keep"},
        {"Email", "email"},
        {"EmailAddress", "email"},
        {"mobile_phone", "phone"},
        {"FirstName", "first_name"},
        {"last_name", "last_name"},
        {"ContactName", "full_name"},
        {"user_name", "username"},
        {"HomePage", "url"},
        {"last_login_ip", "ip"},
        {"remote", "ip"},  // inet by its type
        {"street_address", "fake"},
        {"PostalCode", "fake"},
        {"date_of_birth", "fake"},
        {"created_at", "keep"},
        {"is_active", "keep"},
        {"balance", "keep"},
        {"password_hash", "null"},
        {"api_token", "fake"},  // NOT NULL: never null
        {"notes", "text"},
        {"bio", "text"},
        {"settings", "fake"},
        {"status", "keep"},
        {"external_uuid", "fake"},
        {"misc", "fake"},
        {"tiny_email", "fake"},  // varchar(3): no address fits
        {"tags", "fake"},
        {"point", "null"},  // no default fake for point; nullable
        {"email_verified", "keep"},
        {"last_login_at", "keep"},
        {"phone_bigint", "fake"},
        {"ship_address", "fake"},  // an address, not an IP ("sh-ip-address")
        {"capacity", "keep"},      // not a city
        {"allocation", "keep"},    // not a location
        {"automobile", "keep"},    // not a mobile phone
    };
    for (const auto& [column, rule] : expected) {
        ASSERT_TRUE(people.count(column)) << column;
        EXPECT_EQ(people[column].rule, rule) << column << ": " << people[column].why;
        EXPECT_FALSE(people[column].why.empty()) << column;
    }
    EXPECT_NE(people["org_id"].why.find("people_org_fk"), std::string::npos);
    EXPECT_EQ(Columns(tables, "orgs")["name"].rule, "fake");
}

TEST(Suggest, NeverKeepsWhatLooksPersonalUnlessAKeyNeedsIt) {
    const char* personal[] = {
        "email",    "Phone",      "first_name",   "SURNAME",      "full_name",   "login",
        "website",  "ip_address", "addressLine1", "zip",          "city",        "dob",
        "birthday", "secret",     "Token",        "session_data", "description", "comment",
        "message",  "body",       "ssn",          "iban",         "gender",      "salary",
        "api_key",  "cookie",     "passport_no",  "display_name"};
    for (const char* type : {"text", "int4", "int8", "numeric", "date", "timestamptz", "bool",
                             "jsonb", "bytea", "uuid"})
        for (const char* name : personal) {
            SourceCatalog catalog;
            catalog.tables.push_back(Table("t", {Column(name, type)}));
            auto columns = Columns(SuggestRules(catalog, "public"), "t");
            // A flag or a time about a contact detail ("email_verified",
            // "email_sent_at") is kept; a birth date, a secret, an
            // identifying value or a place never is.
            bool about = std::string(type) == "bool" || std::string(type) == "date" ||
                         std::string(type) == "timestamptz";
            std::string word = NameWords(name)[0];
            bool contact = word == "email" || word == "phone" || word == "login" ||
                           word == "website" || word == "ip" || word == "description" ||
                           word == "comment" || word == "message" || word == "body";
            if (about && contact)
                EXPECT_EQ(columns[name].rule, "keep") << name << " " << type;
            else
                EXPECT_NE(columns[name].rule, "keep") << name << " " << type;
        }
}

TEST(Suggest, RealisticRulesOnlyWhereTheyFit) {
    SourceCatalog catalog;
    catalog.tables.push_back(
        Table("t", {Column("email", "int4"), Column("phone", "bpchar", 4 + 4),
                    Column("first_name", "varchar", 4 + 1), Column("ip", "text"),
                    Column("unique_phone", "text"), Column("unique_email", "text"),
                    Column("email_list", "text", -1, true), Column("nick", "name")}));
    for (const char* column : {"unique_phone", "unique_email"}) {
        catalog.indexes.push_back(UniqueIndex(std::string(column) + "_key", "t", column));
    }
    auto columns = Columns(SuggestRules(catalog, "public"), "t");
    EXPECT_EQ(columns["email"].rule, "fake");       // an integer
    EXPECT_EQ(columns["phone"].rule, "fake");       // char(4)
    EXPECT_EQ(columns["first_name"].rule, "fake");  // varchar(1)
    EXPECT_EQ(columns["ip"].rule, "ip");
    EXPECT_EQ(columns["email_list"].rule, "fake");
    EXPECT_EQ(columns["nick"].rule, "username");  // name: 63 characters
    // A unique column gets a realistic rule only if the rule cannot run out.
    EXPECT_EQ(
        columns["unique_phone"].rule,
        RealisticCapacity(RealisticRule::kPhone, -1) >= (uint64_t{1} << 32) ? "phone" : "fake");
    EXPECT_EQ(
        columns["unique_email"].rule,
        RealisticCapacity(RealisticRule::kEmail, -1) >= (uint64_t{1} << 32) ? "email" : "fake");
}

TEST(Suggest, NullOnlyWhereNothingForbidsIt) {
    SourceCatalog catalog;
    catalog.tables.push_back(Table(
        "t",
        {Column("password", "text"), NotNull(Column("token", "text")), Column("secret", "text"),
         NotNull(Column("shape", "point")), Column("course", "text"), Column("email", "text")}));
    CheckConstraint check;
    check.name = "secret_set";
    check.table = "t";
    check.schema = "public";
    check.columns = {"secret"};
    catalog.checks.push_back(check);
    check.name = "course_check";
    check.columns = {"course"};
    catalog.checks.push_back(check);
    check.name = "email_check";
    check.columns = {"email"};
    catalog.checks.push_back(check);
    auto columns = Columns(SuggestRules(catalog, "public"), "t");
    EXPECT_EQ(columns["password"].rule, "null");
    EXPECT_EQ(columns["token"].rule, "fake");
    EXPECT_EQ(columns["secret"].rule, "fake");  // a CHECK reads it
    EXPECT_EQ(columns["course"].rule, "keep");  // a CHECK lists its values
    EXPECT_EQ(columns["email"].rule, "email");  // personal: a CHECK does not keep it
    EXPECT_EQ(columns["shape"].rule, "keep");   // no fake, NOT NULL: kept, flagged
    EXPECT_NE(columns["shape"].why.find("REVIEW"), std::string::npos);
}

TEST(Suggest, KeepsKeysPartitionKeysAndSkipsPartitions) {
    SourceCatalog catalog;
    TableInfo events = Table("events", {Column("email", "text"), Column("at", "date")});
    events.partitioned = true;
    catalog.tables.push_back(events);
    TableInfo part = Table("events_2024", {Column("email", "text"), Column("at", "date")});
    part.partition_of = "events";
    part.partition_of_schema = "public";
    catalog.tables.push_back(part);
    catalog.partition_keys.push_back({"events", "public.events", "email", "public"});
    TableInfo other = Table("elsewhere", {Column("x", "int4")}, "audit");
    catalog.tables.push_back(other);
    auto tables = SuggestRules(catalog, "public");
    ASSERT_EQ(tables.size(), 1u);
    EXPECT_EQ(tables[0].key, "events");
    auto columns = Columns(tables, "events");
    EXPECT_EQ(columns["email"].rule, "keep");
    EXPECT_NE(columns["email"].why.find("partition key"), std::string::npos);
    EXPECT_NE(columns["email"].why.find("review"), std::string::npos);
}

// The JSON parses as an allowlist naming every table and column, and plans
// without error, hostile names included.
TEST(Suggest, JsonIsAnAllowlistThePlannerAccepts) {
    SourceCatalog catalog = People();
    const char* hostile[] = {"odd.name",   "say \"hi\"", "back\\slash", "new\nline", "tab\there",
                             "_scrub_run", "Users",      "ünïcødé",     " "};
    for (const char* name : hostile)
        catalog.tables.push_back(Table(
            name, {NotNull(Column(std::string("e\"mail.") + name, "text")), Column("\\", "text"),
                   Column("x\x01y", "int4"), Column("é-mail", "text")}));
    for (TableInfo& table : catalog.tables) table.schema = "public";
    std::string json = SuggestionJson(SuggestRules(catalog, "public"));
    nlohmann::json parsed = nlohmann::json::parse(json);
    EXPECT_EQ(parsed.size(), catalog.tables.size());
    Allowlist allowlist = ParseAllowlist(json, "public");
    EXPECT_EQ(allowlist.entries.size(), catalog.tables.size());
    Plan plan = BuildPlan(allowlist, catalog, "public");
    for (const TablePlan& table : plan.tables) {
        if (table.table->name == "_scrub_run") {
            EXPECT_FALSE(table.copy_rows);
            continue;
        }
        EXPECT_TRUE(table.copy_rows) << table.table->name;
        for (const ColumnPlan& column : table.columns)
            EXPECT_TRUE(column.rule.named) << table.table->name << "." << column.column.name;
    }
    EXPECT_EQ(parsed["\"odd.name\""]["columns"]["e\"mail.odd.name"]["rule"], "email");
    EXPECT_EQ(parsed["\"say \"\"hi\"\"\""]["rows"], "all");
}

}  // namespace
}  // namespace scrub
