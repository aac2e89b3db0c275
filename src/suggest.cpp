#include "suggest.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "allowlist.h"
#include "error.h"
#include "fake.h"
#include "json_keep.h"
#include "plan.h"
#include "realistic.h"
#include "rules.h"
#include "sqlgen_run.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiWordChar(char c) { return IsLower(c) || IsUpper(c) || IsDigit(c); }

// What a column's name says it holds, strongest signal first.
enum class Meaning {
    kNone,
    kSecret,
    kBirth,
    kEmail,
    kPhone,
    kFirstName,
    kLastName,
    kUsername,
    kFullName,
    kOtherName,
    kUrl,
    kIp,
    kAddress,
    kIdentity,
    kFreeText,
    kCategory,
};

struct Words {
    std::vector<std::string> list;
    std::string joined;  // the words run together: "first_name" and "FirstName" give "firstname"

    bool Has(std::initializer_list<const char*> words) const {
        for (const char* word : words)
            if (std::find(list.begin(), list.end(), word) != list.end()) return true;
        return false;
    }
    bool Contains(std::initializer_list<const char*> parts) const {
        for (const char* part : parts)
            if (joined.find(part) != std::string::npos) return true;
        return false;
    }
};

Meaning NameMeaning(const std::string& name) {
    Words words;
    words.list = NameWords(name);
    for (const std::string& word : words.list) words.joined += word;
    // Plural forms count as their word.
    std::vector<std::string> singular;
    for (const std::string& word : words.list)
        if (word.size() > 3 && word.back() == 's')
            singular.push_back(word.substr(0, word.size() - 1));
    words.list.insert(words.list.end(), singular.begin(), singular.end());

    if (words.Contains({"password", "passwd", "secret", "token", "apikey", "privatekey",
                        "credential", "session", "cookie", "passphrase", "signingkey", "accesskey",
                        "authkey"}) ||
        words.Has({"pwd", "pw", "hash", "hashed", "salt", "otp", "nonce", "key", "jwt", "totp",
                   "mfa", "pin", "cvv", "cvc", "auth", "digest", "encrypted", "crypt"}))
        return Meaning::kSecret;
    if (words.Contains({"birth", "dateofbirth", "birthday"}) || words.Has({"dob", "bday"}))
        return Meaning::kBirth;
    if (words.Contains({"email"}) || words.Has({"mail", "emails"})) return Meaning::kEmail;
    if (words.Contains({"phone", "telephone", "msisdn", "whatsapp"}) ||
        words.Has({"tel", "fax", "cell", "ext", "extension", "sms", "mobile"}))
        return Meaning::kPhone;
    if (words.Contains({"firstname", "givenname", "forename", "middlename"}))
        return Meaning::kFirstName;
    if (words.Contains({"lastname", "surname", "familyname", "maidenname"}))
        return Meaning::kLastName;
    if (words.Contains({"username", "nickname", "screenname", "login", "userhandle"}) ||
        words.Has({"nick", "handle", "alias"}))
        return Meaning::kUsername;
    if (words.Contains({"fullname", "contactname", "displayname", "realname", "legalname",
                        "personname", "customername", "employeename", "ownername", "authorname",
                        "shipname", "recipientname", "sendername", "patientname", "membername",
                        "clientname", "billingname"}))
        return Meaning::kFullName;
    if (words.Contains({"name"})) return Meaning::kOtherName;
    if (words.Contains(
            {"website", "homepage", "webpage", "linkedin", "twitter", "facebook", "instagram"}) ||
        words.Has({"url", "uri", "web", "link", "href", "site"}))
        return Meaning::kUrl;
    // Words, not parts: "ship_address" holds "ipaddr".
    if (words.Has({"ip", "ips", "ipaddr", "ipaddress", "ipv4", "ipv6"})) return Meaning::kIp;
    // "capacity" holds "city", "allocation" "location": those are words.
    if (words.Contains({"address", "street", "postcode", "postalcode", "zipcode", "housenumber",
                        "latitude", "longitude", "geolocation", "country", "province"}) ||
        words.Has({"addr",     "zip",         "postal", "town",   "state",  "line1",    "line2",
                   "building", "apartment",   "flat",   "lat",    "lng",    "lon",      "geo",
                   "gps",      "coordinates", "city",   "cities", "county", "location", "region"}))
        return Meaning::kAddress;
    if (words.Contains({"passport",      "taxid",      "vatid",       "nationality", "licen",
                        "accountnumber", "cardnumber", "creditcard",  "salary",      "income",
                        "gender",        "ethnic",     "religion",    "health",      "medical",
                        "diagnos",       "biometric",  "fingerprint", "avatar",      "photo",
                        "picture",       "signature",  "marital",     "nationality", "sexual",
                        "disabilit",     "criminal"}) ||
        words.Has({"ssn",  "iban", "national", "sex",   "race",  "age",   "card",
                   "bank", "bic",  "swift",    "image", "img",   "title", "courtesy",
                   "ni",   "nin",  "sin",      "bsn",   "pesel", "cpf",   "dni"}))
        return Meaning::kIdentity;
    if (words.Has({"note",         "notes",    "comment", "bio",     "biography", "description",
                   "desc",         "body",     "message", "msg",     "text",      "content",
                   "remark",       "summary",  "about",   "memo",    "reason",    "feedback",
                   "review",       "details",  "detail",  "subject", "answer",    "question",
                   "instructions", "log",      "payload", "data",    "info",      "profile",
                   "preferences",  "metadata", "meta",    "extra",   "attributes"}))
        return Meaning::kFreeText;
    if (words.Has({"status",   "kind",       "type",    "category", "currency", "role",
                   "priority", "level",      "locale",  "language", "lang",     "timezone",
                   "tz",       "unit",       "mode",    "format",   "stage",    "tier",
                   "plan",     "visibility", "channel", "source",   "method"}))
        return Meaning::kCategory;
    return Meaning::kNone;
}

// The realistic rule for a meaning, if it has one.
std::optional<RealisticRule> RealisticFor(Meaning meaning) {
    switch (meaning) {
        case Meaning::kEmail:
            return RealisticRule::kEmail;
        case Meaning::kPhone:
            return RealisticRule::kPhone;
        case Meaning::kFirstName:
            return RealisticRule::kFirstName;
        case Meaning::kLastName:
            return RealisticRule::kLastName;
        case Meaning::kUsername:
            return RealisticRule::kUsername;
        case Meaning::kFullName:
            return RealisticRule::kFullName;
        case Meaning::kUrl:
            return RealisticRule::kUrl;
        case Meaning::kIp:
            return RealisticRule::kIp;
        case Meaning::kFreeText:
            return RealisticRule::kText;
        default:
            return std::nullopt;
    }
}

const char* MeaningText(Meaning meaning) {
    switch (meaning) {
        case Meaning::kSecret:
            return "a secret (password, token, key, session)";
        case Meaning::kBirth:
            return "a birth date";
        case Meaning::kEmail:
            return "an email address";
        case Meaning::kPhone:
            return "a phone number";
        case Meaning::kFirstName:
            return "a first name";
        case Meaning::kLastName:
            return "a last name";
        case Meaning::kUsername:
            return "a login name";
        case Meaning::kFullName:
            return "a person's name";
        case Meaning::kOtherName:
            return "a name, perhaps a person's";
        case Meaning::kUrl:
            return "a URL, perhaps a person's page";
        case Meaning::kIp:
            return "an IP address";
        case Meaning::kAddress:
            return "part of an address or a location";
        case Meaning::kIdentity:
            return "personal or identifying data";
        case Meaning::kFreeText:
            return "free text or a document, which may hold anything";
        default:
            return "";
    }
}

// Unique indexes that have the column as their one key column: a rule's
// values must then be distinct in every row.
bool SoleUniqueKey(const SourceCatalog& catalog, const TableInfo& table,
                   const std::string& column) {
    for (const Index& index : catalog.indexes)
        if (index.unique && index.schema == table.schema && index.table == table.name &&
            index.partition.empty() && index.columns.size() == 1 && index.columns[0] == column)
            return true;
    return false;
}

// The name of a CHECK constraint of the table that reads the column, or
// empty.
std::string CheckReading(const SourceCatalog& catalog, const TableInfo& table,
                         const std::string& column) {
    for (const CheckConstraint& check : catalog.checks)
        if (check.schema == table.schema && check.table == table.name &&
            std::find(check.columns.begin(), check.columns.end(), column) != check.columns.end())
            return check.name;
    return {};
}

bool CheckReads(const SourceCatalog& catalog, const TableInfo& table, const std::string& column) {
    return !CheckReading(catalog, table, column).empty();
}

// How a key column is used: "primary key", "foreign key to ...",
// "referenced by foreign key ...", or empty.
std::string KeyUse(const SourceCatalog& catalog, const TableInfo& table,
                   const std::string& column) {
    for (const Index& index : catalog.indexes)
        if (index.primary && index.schema == table.schema && index.table == table.name &&
            index.partition.empty() &&
            std::find(index.columns.begin(), index.columns.end(), column) != index.columns.end())
            return "primary key";
    for (const ForeignKey& key : catalog.foreign_keys)
        if (key.schema == table.schema && key.table == table.name &&
            std::find(key.columns.begin(), key.columns.end(), column) != key.columns.end())
            return "foreign key " + key.name + " to " + key.referenced_schema + "." +
                   key.referenced_table;
    for (const ForeignKey& key : catalog.foreign_keys)
        if (key.referenced_schema == table.schema && key.referenced_table == table.name &&
            std::find(key.referenced_columns.begin(), key.referenced_columns.end(), column) !=
                key.referenced_columns.end())
            return "referenced by foreign key " + key.name + " of " + key.schema + "." + key.table;
    return {};
}

// Why a column cannot be scrubbed at all: a partition key or an exclusion
// constraint reads it (the run refuses fakes there), or empty.
std::string MustKeep(const SourceCatalog& catalog, const TableInfo& table,
                     const std::string& column) {
    for (const PartitionKeyColumn& key : catalog.partition_keys)
        if (key.schema == table.schema && key.table == table.name && key.column == column)
            return "read by the partition key of " + key.partitioned;
    for (const ExclusionConstraint& exclusion : catalog.exclusions)
        if (exclusion.schema == table.schema && exclusion.table == table.name &&
            std::find(exclusion.columns.begin(), exclusion.columns.end(), column) !=
                exclusion.columns.end())
            return "read by exclusion constraint " + exclusion.name;
    return {};
}

// The rule, if the realistic rule fits the column: a text type (or inet /
// cidr for ip) long enough for one value, and for a column whose values
// must be distinct, enough values for any table.
std::optional<std::string> FittingRealistic(const ColumnInfo& column, RealisticRule rule,
                                            bool distinct) {
    if (column.is_array) return std::nullopt;
    FakeKind kind = ClassifyType(column.scalar);
    bool inet = kind == FakeKind::kInet || kind == FakeKind::kCidr;
    if (kind != FakeKind::kText && !(rule == RealisticRule::kIp && inet)) return std::nullopt;
    int limit = inet ? -1 : TextLengthLimit(column.scalar);
    uint64_t capacity = RealisticCapacity(rule, limit);
    if (capacity == 0) return std::nullopt;
    // A unique column of a table with more rows than the rule has values
    // fails the run (23505): only a rule that cannot run out is suggested.
    constexpr uint64_t kEnoughForAnyTable = uint64_t{1} << 32;
    if (distinct && capacity < kEnoughForAnyTable) return std::nullopt;
    return std::string(RealisticRuleName(rule));
}

ColumnSuggestion SuggestColumn(const SourceCatalog& catalog, const TableInfo& table,
                               const ColumnInfo& column) {
    const std::string& name = column.name;
    Meaning meaning = NameMeaning(name);
    FakeKind kind = ClassifyType(column.scalar);
    // An address column is an IP address whatever its name says
    // ("last_login_ip"), a secret's aside.
    bool inet = !column.is_array && (kind == FakeKind::kInet || kind == FakeKind::kCidr);
    if (inet && meaning != Meaning::kSecret) meaning = Meaning::kIp;
    std::string looks = MeaningText(meaning);
    std::string review = looks.empty()
                             ? ""
                             : "; its name suggests " + looks +
                                   ": review, and consider \"hash\" on it and every column "
                                   "that references it";
    if (column.generated)
        return {name, "keep",
                "generated column: never copied, the restore computes it from the copied "
                "columns"};
    std::string key = KeyUse(catalog, table, name);
    if (!key.empty())
        return {name, "keep",
                key + ": kept so that joins survive; its values are identifiers" + review};
    std::string must = MustKeep(catalog, table, name);
    if (!must.empty()) return {name, "keep", must + ": scrub cannot replace its values" + review};

    bool distinct = SoleUniqueKey(catalog, table, name);
    // A flag or a time about a contact detail ("email_verified",
    // "last_login_at") is not the detail itself.
    bool about = !column.is_array && (kind == FakeKind::kBoolean || kind == FakeKind::kDate ||
                                      kind == FakeKind::kTime || kind == FakeKind::kTimestamp ||
                                      kind == FakeKind::kTimestampTz);
    if (about && (meaning == Meaning::kEmail || meaning == Meaning::kPhone ||
                  meaning == Meaning::kUsername || meaning == Meaning::kUrl ||
                  meaning == Meaning::kIp || meaning == Meaning::kFreeText))
        return {name, "keep",
                std::string(kind == FakeKind::kBoolean ? "a boolean flag" : "a time") + " about " +
                    looks + ", not the value itself: not personal by itself"};
    // Fakes exist for every supported type; for the others only null or
    // keep is possible.
    auto fake = [&](const std::string& why) -> ColumnSuggestion {
        if (kind != FakeKind::kUnsupported) return {name, "fake", why};
        if (!column.not_null && !CheckReads(catalog, table, name))
            return {name, "null", why + "; scrub has no fake for type " + column.type_sql};
        return {name, "keep",
                why + "; REVIEW: scrub has no fake for type " + column.type_sql +
                    " and the column is NOT NULL: kept; change the table's rows to \"none\" if "
                    "its values are personal"};
    };

    switch (meaning) {
        case Meaning::kSecret:
            if (!column.not_null && !CheckReads(catalog, table, name))
                return {name, "null", "looks like " + looks + ": emptied"};
            return fake("looks like " + looks + ": NOT NULL, so faked");
        case Meaning::kBirth:
        case Meaning::kAddress:
        case Meaning::kIdentity:
        case Meaning::kOtherName:
            return fake("looks like " + looks + ": faked");
        case Meaning::kNone:
        case Meaning::kCategory:
            break;
        default: {
            std::optional<RealisticRule> rule = RealisticFor(meaning);
            if (rule) {
                std::optional<std::string> fits = FittingRealistic(column, *rule, distinct);
                if (fits) return {name, *fits, "looks like " + looks + ": realistic fake"};
            }
            return fake("looks like " + looks + ": faked (no realistic rule fits its type" +
                        std::string(distinct ? " and uniqueness" : "") + ")");
        }
    }

    // The name says nothing personal: the type decides.
    if (kind == FakeKind::kInet || kind == FakeKind::kCidr) {
        std::optional<std::string> fits = FittingRealistic(column, RealisticRule::kIp, distinct);
        if (fits) return {name, *fits, "an IP address by its type: realistic fake"};
        return fake("an IP address by its type: faked");
    }
    if (column.is_array) return fake("an array: its elements may hold anything; faked");
    switch (kind) {
        case FakeKind::kBoolean:
            return {name, "keep", "a boolean flag: not personal by itself"};
        case FakeKind::kDate:
        case FakeKind::kTime:
        case FakeKind::kTimestamp:
        case FakeKind::kTimestampTz:
        case FakeKind::kInterval:
            return {name, "keep",
                    "a time or duration (not a birth date by its name): not personal by itself"};
        case FakeKind::kInteger:
        case FakeKind::kNumeric:
        case FakeKind::kFloat:
            return {name, "keep", "a number (an amount, count or code): not personal by itself"};
        case FakeKind::kEnum:
            return {name, "keep", "an enum label: one of a fixed set of values"};
        case FakeKind::kText: {
            // A CHECK over a text column most often lists the values it
            // may hold (course IN ('entrée', 'plat')): a fake would fail it.
            std::string check = CheckReading(catalog, table, name);
            if (!check.empty())
                return {name, "keep",
                        "text whose values CHECK constraint " + check +
                            " restricts, which a fake would likely violate; its name does not "
                            "suggest personal data"};
            if (meaning == Meaning::kCategory)
                return {name, "keep",
                        "text naming a status, kind or category by its name: not personal by "
                        "itself; fake it if it holds free text"};
            return fake("text of unknown content: faked (keep it if its values are safe)");
        }
        case FakeKind::kJson:
        case FakeKind::kJsonb:
            return fake(
                "a JSON document, which may hold anything: faked (or keep chosen "
                "paths with the json rule)");
        case FakeKind::kUuid:
            return fake(
                "an identifier that is not a key here: it may identify a person "
                "elsewhere; faked");
        case FakeKind::kBytea:
            return fake("binary data, which may hold anything: faked");
        case FakeKind::kMacaddr:
        case FakeKind::kMacaddr8:
            return fake("a hardware address, which identifies a device: faked");
        default:
            return fake("a value of type " + column.type_sql + " of unknown content");
    }
}

bool IsManifestName(const std::string& name) {
    return name == kManifestRunTable || name == kManifestTablesTable ||
           name == kManifestSequencesTable;
}

}  // namespace

std::vector<std::string> NameWords(const std::string& name) {
    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) words.push_back(word);
        word.clear();
    };
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool high = static_cast<unsigned char>(c) >= 0x80;
        if (!IsAsciiWordChar(c) && !high) {
            flush();
            continue;
        }
        // A new word starts at an upper-case letter after a lower-case one
        // or a digit ("contactName"), or before a lower-case one after an
        // upper-case run ("HTTPServer": http, server).
        if (IsUpper(c) && !word.empty()) {
            char before = name[i - 1];
            bool next_lower = i + 1 < name.size() && IsLower(name[i + 1]);
            if (IsLower(before) || IsDigit(before) || (IsUpper(before) && next_lower)) flush();
        }
        word += IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
    }
    flush();
    return words;
}

std::vector<TableSuggestion> SuggestRules(const SourceCatalog& catalog,
                                          const std::string& source_schema) {
    std::vector<TableSuggestion> tables;
    for (const TableInfo& table : catalog.tables) {
        if (table.schema != source_schema || !table.partition_of.empty()) continue;
        TableSuggestion suggestion;
        suggestion.key = TableKeyOf(table.schema, table.name, source_schema);
        for (const ColumnInfo& column : table.columns)
            suggestion.columns.push_back(SuggestColumn(catalog, table, column));
        if (IsManifestName(table.name)) {
            suggestion.rows = "none";
            suggestion.why =
                "its name is one of scrub's manifest tables in the target schema: structure "
                "only";
        }
        tables.push_back(std::move(suggestion));
    }
    return tables;
}

std::string SuggestionJson(const std::vector<TableSuggestion>& tables) {
    std::string out = "{";
    bool first_table = true;
    for (const TableSuggestion& table : tables) {
        if (!first_table) out += ", ";
        first_table = false;
        AppendJsonString(out, table.key);
        out += ": {\"rows\": ";
        AppendJsonString(out, table.rows);
        if (table.rows == "none") {
            out += "}";
            continue;
        }
        out += ", \"columns\": {";
        bool first_column = true;
        for (const ColumnSuggestion& column : table.columns) {
            if (!first_column) out += ", ";
            first_column = false;
            AppendJsonString(out, column.column);
            out += ": {\"rule\": ";
            AppendJsonString(out, column.rule);
            out += ", \"why\": ";
            AppendJsonString(out, column.why);
            out += "}";
        }
        out += "}}";
    }
    out += "}";
    return out;
}

std::string SuggestAllowlist(Database& db, const std::string& source_schema) {
    std::vector<Row> rows = db.Query(CountSchemasNamed(source_schema), Visibility::kLatest);
    if (rows.empty() || rows[0].empty() || rows[0][0].value_or("0") == "0")
        throw ScrubError(sqlstate::kInvalidSchemaName,
                         "source schema \"" + source_schema + "\" does not exist", "",
                         "Pass the schema that holds the application's tables.");
    SourceCatalog catalog = ReadSourceCatalog(db, {source_schema});
    return SuggestionJson(SuggestRules(catalog, source_schema));
}

}  // namespace scrub
