// libFuzzer harness for everything scrub does with an allowlist before it
// touches the database: ParseAllowlist, BuildPlan and the SQL generators.
//
// The input is the allowlist's text. It goes through two pipelines:
//  1. against a fixed source catalog (tables of many types, a partitioned
//     table and its partition, generated and unsupported columns, a table
//     clashing with the manifest, foreign keys), as a run would;
//  2. against a catalog made from the allowlist itself, so that every name
//     the input spells reaches the SQL generators, under a hostile source
//     schema name.
// ScrubError is the expected way to reject input. Anything else is a
// finding: another exception (libFuzzer reports it as a crash), a crash,
// a leak, undefined behaviour, a timeout, or SQL text that fails the
// checks below (abort()).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist.h"
#include "catalog.h"
#include "error.h"
#include "plan.h"
#include "sqlgen.h"
#include "statement.h"

namespace {

using namespace scrub;

[[noreturn]] void Finding(const std::string& what, const std::string& sql) {
    std::fprintf(stderr, "FINDING: %s\nSQL: %s\n", what.c_str(), sql.c_str());
    std::abort();
}

// PostgreSQL's quote_identifier(): bare only for lower-case ASCII letters,
// digits and underscores not starting with a digit, and not a keyword;
// otherwise in double quotes with inner quotes doubled. The keyword list is
// the reserved subset scrub's names are likely to hit; quoting more than
// PostgreSQL would is harmless for the checks here.
std::string QuoteIdentifier(const std::string& name) {
    static const std::set<std::string> kReserved = {
        "all", "and", "any", "array", "as", "case", "cast", "check", "column", "create",
        "default", "distinct", "do", "else", "end", "false", "for", "from", "grant", "group",
        "in", "into", "limit", "not", "null", "offset", "on", "only", "or", "order", "select",
        "table", "then", "to", "true", "union", "user", "using", "when", "where", "with"};
    bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (char c : name)
        safe = safe && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (safe && kReserved.count(name) == 0) return name;
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

// Lexes generated SQL the way PostgreSQL's scanner would split it into
// quoted identifiers, string literals and the rest, and checks that no
// name escaped its quotes: the text outside quotes never holds a
// statement separator or a comment, every quote is closed, no dollar
// quoting appears, and every $n names a bound parameter. Returns the
// identifiers found in double quotes.
std::vector<std::string> CheckSql(const Statement& statement) {
    const std::string& sql = statement.sql;
    std::vector<std::string> identifiers;
    size_t i = 0;
    while (i < sql.size()) {
        char c = sql[i];
        if (c == '"' || c == '\'') {
            std::string text;
            size_t j = i + 1;
            for (;;) {
                if (j >= sql.size()) Finding("unterminated quote", sql);
                if (sql[j] == c) {
                    if (j + 1 < sql.size() && sql[j + 1] == c) {
                        text += c;
                        j += 2;
                        continue;
                    }
                    break;
                }
                text += sql[j++];
            }
            if (c == '"') {
                if (text.empty()) Finding("empty quoted identifier", sql);
                identifiers.push_back(text);
            } else if (i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e')) {
                Finding("escape string literal", sql);  // backslashes would change meaning
            }
            i = j + 1;
            continue;
        }
        if (c == ';') Finding("statement separator outside quotes", sql);
        if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') Finding("comment", sql);
        if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') Finding("comment", sql);
        if (c == '\\') Finding("backslash outside quotes", sql);
        if (c == '$') {
            size_t j = i + 1;
            size_t number = 0;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9' && number < 1000000)
                number = number * 10 + static_cast<size_t>(sql[j++] - '0');
            if (j == i + 1) Finding("dollar quoting", sql);
            if (number == 0 || number > statement.params.size())
                Finding("parameter $" + std::to_string(number) + " not bound", sql);
            i = j;
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n') Finding("control character", sql);
        ++i;
    }
    return identifiers;
}

// Parses a text[] literal as PostgreSQL's array_in would for scrub's
// output (every element double-quoted, backslash escapes).
std::vector<std::string> ParseTextArray(const std::string& literal) {
    std::vector<std::string> elements;
    if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}')
        Finding("malformed array literal", literal);
    size_t i = 1;
    while (i < literal.size() - 1) {
        if (literal[i] != '"') Finding("unquoted array element", literal);
        std::string element;
        ++i;
        for (;;) {
            if (i >= literal.size() - 1) Finding("unterminated array element", literal);
            if (literal[i] == '\\') {
                if (i + 1 >= literal.size() - 1) Finding("dangling backslash", literal);
                element += literal[i + 1];
                i += 2;
                continue;
            }
            if (literal[i] == '"') break;
            element += literal[i++];
        }
        elements.push_back(element);
        ++i;
        if (i < literal.size() - 1) {
            if (literal[i] != ',') Finding("missing array separator", literal);
            ++i;
        }
    }
    return elements;
}

ScalarType Builtin(const char* name, int32_t typmod = -1) { return {"pg_catalog", name, 'b', typmod}; }

ColumnInfo Column(const char* name, const char* type_sql, ScalarType scalar, bool is_array = false,
                  bool generated = false) {
    return {name, type_sql, std::move(scalar), is_array, generated};
}

constexpr int32_t kVarHeader = 4;

// The source catalog of pipeline 1: one of each thing BuildPlan treats
// differently.
const SourceCatalog& FixedCatalog() {
    static const SourceCatalog catalog = [] {
        SourceCatalog c;
        c.tables.push_back(
            {"users", 16400, false, "", 0, "",
             {Column("id", "integer", Builtin("int4")),
              Column("email", "character varying(20)", Builtin("varchar", 20 + kVarHeader)),
              Column("name", "text", Builtin("text")),
              Column("created_at", "timestamp with time zone", Builtin("timestamptz")),
              Column("tags", "text[]", Builtin("text"), true),
              Column("mood", "\"Mood\"", {"public", "Mood", 'e', -1}),
              Column("location", "point", Builtin("point")),
              Column("full_name", "text", Builtin("text"), false, true)}});
        c.tables.push_back(
            {"orders", 16410, false, "", 0, "",
             {Column("id", "bigint", Builtin("int8")),
              Column("user_id", "integer", Builtin("int4")),
              Column("total", "numeric(10,2)", Builtin("numeric", ((10 << 16) | 2) + kVarHeader)),
              Column("code", "character(3)", Builtin("bpchar", 3 + kVarHeader)),
              Column("token", "uuid", Builtin("uuid")),
              Column("meta", "jsonb", Builtin("jsonb")),
              Column("ip", "inet", Builtin("inet")),
              Column("span", "interval", Builtin("interval")),
              Column("nick", "citext", {"ext", "citext", 'b', -1})}});
        c.tables.push_back({"events", 16420, true, "", 0, "",
                            {Column("id", "bigint", Builtin("int8")),
                             Column("at", "timestamp without time zone", Builtin("timestamp")),
                             Column("payload", "json", Builtin("json")),
                             Column("blob", "bytea", Builtin("bytea"))}});
        c.tables.push_back({"events_2024", 16430, false, "events", 0, "",
                            {Column("id", "bigint", Builtin("int8")),
                             Column("at", "timestamp without time zone", Builtin("timestamp")),
                             Column("payload", "json", Builtin("json")),
                             Column("blob", "bytea", Builtin("bytea"))}});
        c.tables.back().partition_of_schema = "public";
        c.tables[c.tables.size() - 2].leaves = {{"public", "events_2024"}};
        c.tables[c.tables.size() - 2].foreign_leaves = {{"public", "events_remote"}};
        c.tables.push_back({"Mixed Case", 16440, false, "", 0, "",
                            {Column("we\"ird", "text", Builtin("text")),
                             Column("d", "date", Builtin("date")),
                             Column("mac", "macaddr", Builtin("macaddr")),
                             Column("addr", "composite_t", {"public", "composite_t", 'c', -1})}});
        c.tables.push_back({"_scrub_run", 16450, false, "", 0, "", {Column("id", "integer", Builtin("int4"))}});
        c.sequences = {{1, "public", "users_id_seq"}, {2, "public", "orders_id_seq"}};
        c.foreign_keys = {
            {"orders_user_fk", "orders", {"user_id"}, "public", "users", {"id"}},
            {"events_user_fk", "events", {"id"}, "public", "users", {"id"}},
            {"mixed_fk", "Mixed Case", {"we\"ird", "d"}, "other", "t\"x", {"a", "b"}}};
        return c;
    }();
    return catalog;
}

// Types the derived catalog draws from, by a hash of the column name.
ScalarType DerivedType(const std::string& name, bool* is_array, bool* generated) {
    uint32_t h = 2166136261u;
    for (unsigned char c : name) h = (h ^ c) * 16777619u;
    *is_array = (h >> 8) % 5 == 0;
    *generated = (h >> 12) % 11 == 0;
    auto typmod = static_cast<int32_t>(h >> 3);  // any value: fakes must not trust typmods
    switch (h % 23) {
        case 0: return Builtin("varchar", static_cast<int32_t>(h % 300));
        case 1: return Builtin("bpchar", static_cast<int32_t>(h % 70));
        case 2: return Builtin("numeric", typmod);
        case 3: return Builtin("numeric", static_cast<int32_t>(((h % 1001) << 16) | (h >> 21)) + kVarHeader);
        case 4: return Builtin("name");
        case 5: return {"s\"ch;--", "E\"num", 'e', -1};
        case 6: return {"x", "citext", 'b', -1};
        default: {
            static const char* const kNames[] = {"text", "int2", "int4", "int8", "float4", "float8",
                                                 "bool", "date", "time", "timetz", "timestamp",
                                                 "timestamptz", "interval", "uuid", "json", "jsonb"};
            return Builtin(kNames[h % 16], typmod % 2 == 0 ? -1 : typmod);
        }
    }
}

// PostgreSQL limits that a real catalog never exceeds; also keeps the
// quadratic matching of a catalog as large as the input itself bounded.
constexpr size_t kMaxColumns = 1600;
constexpr size_t kMaxTables = 200;

// The catalog of pipeline 2: a table per allowlist entry, with a column per
// listed name plus one unlisted column (so that something is faked), and a
// foreign key from each table to the one before it.
SourceCatalog DerivedCatalog(const Allowlist& allowlist, const std::string& source_schema) {
    SourceCatalog catalog;
    for (const AllowlistEntry& entry : allowlist.entries) {
        if (catalog.tables.size() >= kMaxTables) break;
        if (entry.table.find('\0') != std::string::npos) continue;  // no such name in PostgreSQL
        TableInfo table;
        table.name = entry.table;
        table.oid = static_cast<uint32_t>(16384 + catalog.tables.size());
        std::vector<std::string> names = entry.columns;
        std::string unlisted = entry.table + "_x";
        bool listed = false;
        for (const std::string& name : names) listed = listed || name == unlisted;
        if (!listed) names.push_back(unlisted);
        for (const std::string& name : names) {
            if (table.columns.size() >= kMaxColumns || name.find('\0') != std::string::npos) continue;
            ColumnInfo column;
            column.name = name;
            column.scalar = DerivedType(name, &column.is_array, &column.generated);
            column.type_sql = QualifiedName(QuoteIdentifier, column.scalar.schema, column.scalar.name) +
                              (column.is_array ? "[]" : "");
            table.columns.push_back(std::move(column));
        }
        catalog.tables.push_back(std::move(table));
    }
    catalog.sequences.push_back({3, "public", "seq\"; DROP"});
    // Each table's first column references the previous table's first.
    for (size_t i = 1; i < catalog.tables.size(); ++i) {
        const TableInfo& from = catalog.tables[i];
        const TableInfo& to = catalog.tables[i - 1];
        if (from.columns.empty() || to.columns.empty()) continue;
        catalog.foreign_keys.push_back({"fk\"" + std::to_string(i), from.name, {from.columns[0].name},
                                        i % 2 == 0 ? "elsewhere" : source_schema, to.name,
                                        {to.columns[0].name}});
    }
    return catalog;
}

// Checks the plan against the allowlist and every statement made from it.
void CheckPlan(const Plan& plan, const Allowlist& allowlist, const std::string& source_schema) {
    const std::string build_schema = "scrub_build_0123abcd";
    for (const TablePlan& table : plan.tables) {
        if (table.table == nullptr) Finding("plan without table", "");
        if (!table.table->partition_of.empty()) Finding("partition planned on its own", table.table->name);
        if (table.KeptCount() + table.ScrubbedCount() != table.columns.size())
            Finding("kept and scrubbed columns do not add up", table.table->name);
        const AllowlistEntry* entry = nullptr;
        for (const AllowlistEntry& e : allowlist.entries)
            if (e.table == table.table->name) entry = &e;
        if (table.copy_rows != (entry != nullptr && entry->rows != RowsMode::kNone))
            Finding("rows copied for a table the allowlist does not list with rows",
                    table.table->name);
        for (const ColumnPlan& column : table.columns) {
            if (column.column.generated) Finding("generated column planned", column.column.name);
            bool listed = false;
            if (entry != nullptr)
                for (size_t i = 0; i < entry->columns.size() && i < entry->rules.size(); ++i)
                    listed = listed || (entry->columns[i] == column.column.name &&
                                        entry->rules[i].kind == RuleKind::kKeep);
            if (column.keep != listed) Finding("column kept without being listed", column.column.name);
        }
        // The manifest's kept_columns and scrubbed_columns travel as text[]
        // literals: they must read back as the exact names.
        for (bool kept : {true, false}) {
            std::string literal = TextArrayLiteral(table.ColumnNames(kept));
            if (ParseTextArray(literal) != table.ColumnNames(kept))
                Finding("text[] literal does not round-trip", literal);
        }
        if (!table.copy_rows) continue;

        Statement create = CreateScratchTable(table, build_schema, QuoteIdentifier);
        CheckSql(create);
        // An sql rule's expression and a row filter are the caller's SQL,
        // spliced by design (the server parses each as one expression
        // first, Database::IsOneExpression): the checks below apply to the
        // rest of the statement, with those texts replaced.
        TablePlan guarded = table;
        if (!guarded.row_filter.empty()) guarded.row_filter = "true";
        for (ColumnPlan& column : guarded.columns)
            if (column.rule.kind == RuleKind::kSql) column.rule.sql = "NULL";
        Statement copy = CopyRows(guarded, source_schema, build_schema, QuoteIdentifier, "ext");
        std::vector<std::string> identifiers = CheckSql(copy);
        // Every name reaches the SQL as itself: the source table and each
        // column appear among the identifiers exactly as named (when they
        // needed quotes at all).
        std::set<std::string> seen(identifiers.begin(), identifiers.end());
        if (QuoteIdentifier(table.table->name)[0] == '"' && seen.count(table.table->name) == 0)
            Finding("table name lost its quotes", copy.sql);
        for (const ColumnPlan& column : table.columns)
            if (QuoteIdentifier(column.column.name)[0] == '"' && seen.count(column.column.name) == 0)
                Finding("column name lost its quotes", copy.sql);
        for (const auto& param : copy.params)
            if (!param) Finding("NULL parameter", copy.sql);
        CheckSql(CountRows(*table.table, source_schema, QuoteIdentifier));
    }
    CheckSql(LockSourceTables(plan, QuoteIdentifier));
    for (const Statement& statement : CreateManifest(build_schema, QuoteIdentifier)) CheckSql(statement);
}

void RunPipeline(std::string_view text, const std::string& source_schema, bool derived) {
    Allowlist allowlist;
    try {
        allowlist = ParseAllowlist(text, source_schema);
    } catch (const ScrubError& error) {
        if (error.report().sqlstate != sqlstate::kInvalidParameterValue)
            Finding("allowlist rejected with SQLSTATE " + error.report().sqlstate, error.report().message);
        return;
    }
    for (const AllowlistEntry& entry : allowlist.entries) {
        // The key always names the table it was parsed into.
        TableKey key = ParseTableKey(entry.key);
        if (key.table != entry.table) Finding("key and table disagree", entry.key);
        // A bare key names a table of the source schema, a qualified one
        // a table of its own schema.
        if (entry.schema != (key.schema.empty() ? source_schema : key.schema))
            Finding("key and schema disagree", entry.key);
    }
    SourceCatalog owned;
    const SourceCatalog* catalog = &FixedCatalog();
    if (derived) {
        owned = DerivedCatalog(allowlist, source_schema);
        catalog = &owned;
    }
    try {
        Plan plan = BuildPlan(allowlist, *catalog, source_schema);
        CheckPlan(plan, allowlist, source_schema);
        // Foreign keys the copy may break, and the probe run for each.
        for (const ForeignKeyRisk& risk : ForeignKeysAtRisk(plan, *catalog, source_schema)) {
            if (risk.key == nullptr || risk.reason.empty()) Finding("foreign key risk without cause", "");
            const TableInfo* table = FindTable(*catalog, risk.key->schema, risk.key->table);
            if (table == nullptr) Finding("foreign key risk on an unknown table", risk.key->table);
            CheckSql(AnyRowWithValues(*table, table->schema, risk.key->columns, QuoteIdentifier));
        }
    } catch (const ScrubError& error) {
        // Rejections name their cause; an empty message would leave the user guessing.
        if (error.report().message.empty()) Finding("ScrubError without a message", "");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    RunPipeline(text, "public", false);
    RunPipeline(text, "Src \"Q\" \\ ; $$ \xc3\x9cn\xc3\xaf", true);
    return 0;
}
