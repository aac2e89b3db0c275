// Column rules at plan time. Every refusal is collected first, so one
// error names every entry of its kind, each by allowlist key and column.
#include "rules.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "error.h"
#include "fake.h"
#include "preflight.h"
#include "realistic.h"
#include "sqlgen.h"
#include "sqlgen_checks.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// How errors name a column: by its qualified name and, when the allowlist
// gave its rule, by the entry.
std::string Entry(const TablePlan& table, const ColumnPlan& column) {
    std::string where = "Column \"" + table.table->schema + "." + table.table->name + "." +
                        column.column.name + "\"";
    if (!column.rule.named) return where;
    return where + " (allowlist entry \"" + table.key + "\")";
}

ColumnPlan* FindColumn(TablePlan& table, const std::string& name) {
    for (ColumnPlan& column : table.columns)
        if (column.column.name == name) return &column;
    return nullptr;
}

TablePlan* FindTablePlan(Plan& plan, const std::string& schema, const std::string& name) {
    for (TablePlan& table : plan.tables)
        if (table.table->schema == schema && table.table->name == name) return &table;
    return nullptr;
}

// The bytes of an integer type hashed as `as`; 0 for any other.
int IntegerWidth(const std::string& as) {
    if (as == "pg_catalog.int2") return 2;
    if (as == "pg_catalog.int4") return 4;
    if (as == "pg_catalog.int8") return 8;
    return 0;
}

// Whether a realistic rule can fill a column of this type: text types,
// and inet or cidr for ip; never an array.
bool RealisticFits(const ColumnPlan& column) {
    if (column.column.is_array) return false;
    FakeKind kind = ClassifyType(column.column.scalar);
    if (kind == FakeKind::kText) return true;
    return column.rule.realistic == "ip" && (kind == FakeKind::kInet || kind == FakeKind::kCidr);
}

bool JsonFits(const ColumnPlan& column) {
    FakeKind kind = ClassifyType(column.column.scalar);
    return !column.column.is_array && (kind == FakeKind::kJson || kind == FakeKind::kJsonb);
}

// Whether a unique index of the table (its keys, expressions or predicate)
// reads the column.
bool UniqueIndexReads(const SourceCatalog& catalog, const TablePlan& table,
                      const std::string& column) {
    for (const Index& index : catalog.indexes) {
        if (index.schema != table.table->schema || index.table != table.table->name ||
            !index.unique)
            continue;
        std::vector<std::string> read = index.ColumnsRead();
        if (std::find(read.begin(), read.end(), column) != read.end()) return true;
    }
    return false;
}

// A problem of column `column` of `table`.
Problem At(const TablePlan& table, const ColumnPlan& column, const std::string& text) {
    return {table.table->schema, table.table->name, column.column.name, text};
}

// Whether two hashed columns give every value the same pseudonym: the
// integer types always do (a hash keeps each value's band, pseudonym.h);
// uuids alike; text when cut to one length and brought to one form.
bool SameMapping(const ColumnPlan& a, const ColumnPlan& b) {
    std::string as = HashAs(a.hash_type), bs = HashAs(b.hash_type);
    if (IntegerWidth(as) != 0 && IntegerWidth(bs) != 0) return true;
    return as == bs && a.hash_max_length == b.hash_max_length && a.hash_fold == b.hash_fold;
}

// The qualified name of a column's collation, for lower() under it.
std::string CollationOf(const ColumnInfo& column) {
    return column.collation.empty() ? "pg_catalog.\"default\"" : column.collation;
}

// One pair of columns of a foreign key, both of tables copied with rows.
struct KeyPair {
    const ForeignKey* key;
    const TablePlan* table;
    ColumnPlan* column;
    ColumnPlan* referenced;
    const TablePlan* target;
};

std::vector<KeyPair> KeyPairs(Plan& plan, const SourceCatalog& catalog) {
    std::vector<KeyPair> pairs;
    for (const ForeignKey& key : catalog.foreign_keys) {
        TablePlan* table = FindTablePlan(plan, key.schema, key.table);
        TablePlan* target = FindTablePlan(plan, key.referenced_schema, key.referenced_table);
        if (table == nullptr || target == nullptr || !table->copy_rows || !target->copy_rows)
            continue;
        for (size_t i = 0; i < key.columns.size() && i < key.referenced_columns.size(); ++i) {
            ColumnPlan* column = FindColumn(*table, key.columns[i]);
            ColumnPlan* referenced = FindColumn(*target, key.referenced_columns[i]);
            if (column != nullptr && referenced != nullptr)
                pairs.push_back({&key, table, column, referenced, target});
        }
    }
    return pairs;
}

// A problem of the referencing column of a key pair.
Problem AtPair(const KeyPair& pair, const std::string& text) {
    return At(*pair.table, *pair.column, text);
}

// Spreads hash along foreign keys until nothing changes (a chain of keys
// carries it to the end), refusing what would break a join. A column
// takes the mapping of the key it references, normalisation included
// (the constraint compares with the key's equality: a citext column
// referencing a text key is hashed as it is, not lower()ed), so that
// values the key's equality holds equal get one pseudonym. A column that
// references two hashed keys whose mappings differ cannot follow both.
void SpreadHash(Plan& plan, const SourceCatalog& catalog, Problems& broken) {
    std::vector<KeyPair> pairs = KeyPairs(plan, catalog);
    // Each pass settles at least one more link of every chain; more
    // passes than pairs means two keys pull a column both ways.
    size_t passes = 0;
    bool changed = true;
    for (; changed && passes <= pairs.size() + 1; ++passes) {
        changed = false;
        broken.clear();
        for (const KeyPair& pair : pairs) {
            const ForeignKey& key = *pair.key;
            ColumnPlan* column = pair.column;
            ColumnPlan* referenced = pair.referenced;
            const TablePlan* target = pair.target;
            std::string constraint =
                "Constraint \"" + key.name + "\" of table \"" + key.schema + "." + key.table + "\"";
            std::string referenced_name = "column \"" + referenced->column.name + "\" of table \"" +
                                          target->table->schema + "." + target->table->name + "\"";
            bool hashed = column->rule.kind == RuleKind::kHash;
            if (referenced->rule.kind != RuleKind::kHash) {
                if (hashed)
                    broken.push_back(AtPair(pair, constraint + ": its column \"" +
                                                      column->column.name + "\" is hashed, but " +
                                                      referenced_name +
                                                      ", which it references, has rule \"" +
                                                      referenced->rule.Name() + "\"."));
                continue;
            }
            if (!hashed && column->rule.named) {
                broken.push_back(
                    AtPair(pair, constraint + ": " + referenced_name +
                                     ", which it references, is hashed, but its column \"" +
                                     column->column.name + "\" has rule \"" + column->rule.Name() +
                                     "\"."));
                continue;
            }
            // Hashed as the key is, whatever its own type: equal values
            // must give equal hashes.
            std::string own = HashAs(column->column.scalar);
            std::string as = HashAs(referenced->hash_type);
            int own_limit = TextLengthLimit(column->column.scalar);
            // Integer hashes keep each value within its band of
            // magnitude (pseudonym.h), so a value that fits the
            // referencing column has a hash that fits it too.
            bool integers = IntegerWidth(own) != 0 && IntegerWidth(as) != 0;
            bool fits = !column->column.is_array && !own.empty() && (own == as || integers);
            if (fits && as == "pg_catalog.text")
                fits = own_limit < 0 || (referenced->hash_max_length >= 0 &&
                                         referenced->hash_max_length <= own_limit);
            if (!fits) {
                broken.push_back(AtPair(pair, constraint + ": its column \"" + column->column.name +
                                                  "\" (" + column->column.type_sql +
                                                  ") cannot hold the hashes of " + referenced_name +
                                                  " (" + referenced->column.type_sql + ")."));
                continue;
            }
            if (hashed && SameMapping(*column, *referenced)) continue;
            column->rule.kind = RuleKind::kHash;
            column->keep = false;
            // An integer is hashed as its own type (the hash is the same
            // in every width), so a value outside the key's type (a row a
            // NOT VALID constraint let in) still casts.
            column->hash_type = integers ? column->column.scalar : referenced->hash_type;
            column->hash_max_length = integers ? -1 : referenced->hash_max_length;
            column->hash_fold = referenced->hash_fold;
            column->hashed_through = key.name;
            changed = true;
        }
    }
    if (!changed) return;
    // Still changing: some column references hashed keys whose mappings
    // differ. Name each pair it does not match after the last pass.
    broken.clear();
    for (const KeyPair& pair : pairs)
        if (pair.column->rule.kind == RuleKind::kHash &&
            pair.referenced->rule.kind == RuleKind::kHash &&
            !SameMapping(*pair.column, *pair.referenced))
            broken.push_back(AtPair(
                pair, "Constraint \"" + pair.key->name + "\" of table \"" + pair.key->schema + "." +
                          pair.key->table + "\": its column \"" + pair.column->column.name +
                          "\" also references another hashed key whose hashes differ from "
                          "those of column \"" +
                          pair.referenced->column.name + "\" of table \"" +
                          pair.target->table->schema + "." + pair.target->table->name + "\" (" +
                          pair.referenced->column.type_sql + "); one column cannot match both."));
}

// Columns hashed (by the allowlist or along a foreign key) whose equality
// is not equality of bytes: a nondeterministic collation on the column,
// or on a key column of a unique index over it. Values it holds equal
// ('Alice' and 'alice' under a case-insensitive collation) would get
// different pseudonyms, and a foreign key through it would break.
Problems NondeterministicHashes(const Plan& plan, const SourceCatalog& catalog) {
    Problems lines;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        for (const ColumnPlan& column : table.columns) {
            if (!column.Hashed()) continue;
            std::string why;
            if (!column.column.nondeterministic_collation.empty())
                why = "its collation " + column.column.nondeterministic_collation;
            for (const Index& index : catalog.indexes) {
                if (!why.empty()) break;
                if (index.schema != table.table->schema || index.table != table.table->name ||
                    !index.unique)
                    continue;
                for (size_t i = 0; i < index.columns.size() && why.empty(); ++i)
                    if (index.columns[i] == column.column.name &&
                        i < index.nondeterministic.size() && index.nondeterministic[i])
                        why = "its unique index \"" + index.name + "\" compares it under " +
                              (i < index.collations.size() ? index.collations[i] : "") + ", which";
            }
            if (why.empty()) continue;
            if (why.rfind("its collation", 0) == 0) why += ", which";
            lines.push_back(
                At(table, column,
                   Entry(table, column) + " is hashed" +
                       (column.rule.named ? "" : " (a foreign key points it at a hashed key)") +
                       ", but " + why +
                       " is nondeterministic: values it holds equal (such as 'Alice' and "
                       "'alice') would get different pseudonyms."));
        }
    }
    return lines;
}

}  // namespace

std::string HashAs(const ScalarType& type) {
    if (type.typtype != 'b') return {};
    if (type.name == "citext") return "pg_catalog.text";  // contrib type, any schema
    if (type.schema != "pg_catalog") return {};
    if (type.name == "int2" || type.name == "int4" || type.name == "int8" || type.name == "uuid")
        return "pg_catalog." + type.name;
    if (type.name == "text" || type.name == "varchar") return "pg_catalog.text";
    return {};
}

std::string HashInput(const ColumnPlan& column, const std::string& value) {
    if (!column.hash_fold.empty())
        return "pg_catalog.lower(CAST(" + value + " AS pg_catalog.text) COLLATE " +
               column.hash_fold + ")";
    return "CAST(" + value + " AS " + HashAs(column.hash_type) + ")";
}

std::string FilterCondition(const TablePlan& table) {
    if (table.row_filter.empty()) return {};
    return "(" + (table.pinned_filter.empty() ? table.row_filter : table.pinned_filter) + "\n)";
}

std::string SqlRuleText(const ColumnPlan& column) {
    return "(" + (column.pinned_sql.empty() ? column.rule.sql : column.pinned_sql) + "\n)";
}

void ApplyRules(Plan& plan, const SourceCatalog& catalog, Problems* sink) {
    Problems mismatched, not_null, unique, broken, too_short;
    for (TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        for (ColumnPlan& column : table.columns) {
            const ColumnRule& rule = column.rule;
            std::string entry = Entry(table, column);
            switch (rule.kind) {
                case RuleKind::kNull:
                case RuleKind::kConstant:
                    if (column.column.not_null && (rule.kind == RuleKind::kNull || !rule.constant))
                        not_null.push_back(
                            At(table, column, entry + " is NOT NULL, but its rule makes it NULL."));
                    if (rule.kind == RuleKind::kConstant &&
                        UniqueIndexReads(catalog, table, column.column.name))
                        unique.push_back(
                            At(table, column,
                               entry + " is read by a unique index, but its rule gives every "
                                       "row the same value."));
                    break;
                case RuleKind::kRealistic: {
                    if (!RealisticFits(column)) {
                        mismatched.push_back(At(table, column,
                                                entry + " has type " + column.column.type_sql +
                                                    ", which rule \"" + rule.realistic +
                                                    "\" cannot fill."));
                        break;
                    }
                    std::optional<RealisticRule> realistic = ParseRealisticRule(rule.realistic);
                    int limit = TextLengthLimit(column.column.scalar);
                    if (realistic && limit >= 0 && RealisticCapacity(*realistic, limit) == 0)
                        too_short.push_back(
                            At(table, column,
                               entry + " holds at most " + std::to_string(limit) +
                                   " characters; rule \"" + rule.realistic + "\" needs at least " +
                                   std::to_string(RealisticMinLength(*realistic)) + "."));
                    break;
                }
                case RuleKind::kJson:
                    if (!JsonFits(column))
                        mismatched.push_back(
                            At(table, column,
                               entry + " has type " + column.column.type_sql +
                                   ", which rule \"json\" cannot fill: it needs json "
                                   "or jsonb."));
                    break;
                case RuleKind::kHash:
                    if (column.column.is_array || HashAs(column.column.scalar).empty()) {
                        mismatched.push_back(
                            At(table, column,
                               entry + " has type " + column.column.type_sql +
                                   ", which rule \"hash\" cannot fill: it hashes "
                                   "smallint, integer, bigint, uuid, text, varchar and "
                                   "citext, and domains over them."));
                        break;
                    }
                    column.hash_type = column.column.scalar;
                    column.hash_max_length = TextLengthLimit(column.column.scalar);
                    // citext compares lower()ed values under the column's
                    // collation: equal values must hash alike.
                    if (column.column.scalar.name == "citext")
                        column.hash_fold = CollationOf(column.column);
                    break;
                default:
                    break;
            }
        }
    }
    Refuse(sink, mismatched, sqlstate::kDatatypeMismatch,
           "allowlist rules do not fit the types of their columns",
           "Choose a rule that fits each column's type (docs/allowlist.md lists them), or "
           "keep, fake or null the column.");
    Refuse(sink, too_short, sqlstate::kStringDataRightTruncation,
           "columns are too short for their realistic rules",
           "Give these columns another rule (fake, hash, text), or widen them.");
    Refuse(sink, not_null, sqlstate::kNotNullViolation,
           "allowlist rules make NOT NULL columns NULL",
           "Give these columns another rule: fake, a constant or a realistic rule.");
    Refuse(sink, unique, sqlstate::kUniqueViolation,
           "allowlist rules repeat one value in unique columns",
           "A constant cannot fill a column whose values must differ: give it another rule "
           "(fake, hash, or a realistic rule).");
    SpreadHash(plan, catalog, broken);
    Refuse(sink, broken, sqlstate::kForeignKeyViolation,
           "allowlist rules break joins through hashed keys",
           "A column whose foreign key points at a hashed key is hashed too, with the same "
           "mapping, when the allowlist does not name it: remove its rule, or write "
           "\"hash\"; hash a key only where every column referencing it can be hashed.");
    Refuse(sink, NondeterministicHashes(plan, catalog), sqlstate::kFeatureNotSupported,
           "hashed columns compare under nondeterministic collations",
           "A hash tells values apart by their bytes. Keep these columns, give them (and the "
           "columns whose foreign keys point at them) another rule, or give them a "
           "deterministic collation.");
}

namespace {

// The realistic rule of a column and the number of distinct values it
// has within the column's length.
uint64_t RealisticCapacityOf(const ColumnPlan& column) {
    std::optional<RealisticRule> rule = ParseRealisticRule(column.rule.realistic);
    if (!rule) return 0;
    return RealisticCapacity(*rule, TextLengthLimit(column.column.scalar));
}

// Whether a unique index has the column as its one plain key.
bool UniqueAlone(const SourceCatalog& catalog, const TablePlan& table, const std::string& column) {
    for (const Index& index : catalog.indexes)
        if (index.schema == table.table->schema && index.table == table.table->name &&
            index.unique && !index.HasExpressions() && index.columns.size() == 1 &&
            index.columns[0] == column)
            return true;
    return false;
}

}  // namespace

void CheckRealisticFit(Database& db, const Plan& plan, const SourceCatalog& catalog,
                       const IdentifierQuoter& quote, Problems* sink) {
    Problems lines;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        std::optional<uint64_t> count;
        for (const ColumnPlan& column : table.columns) {
            if (column.keep || column.rule.kind != RuleKind::kRealistic ||
                !UniqueAlone(catalog, table, column.column.name))
                continue;
            uint64_t capacity = RealisticCapacityOf(column);
            if (!count) {
                std::vector<Row> rows = db.QueryAsOwner(
                    OwnerOf(*table.table, table.table->schema),
                    CountRows(*table.table, table.table->schema, quote, FilterCondition(table)),
                    Visibility::kRunSnapshot);
                count = rows.empty() || !rows[0][0] ? 0 : std::stoull(*rows[0][0]);
            }
            if (*count > capacity)
                lines.push_back(At(table, column,
                                   "Column \"" + table.table->schema + "." + table.table->name +
                                       "." + column.column.name + "\" (" + column.column.type_sql +
                                       ") is unique, but rule \"" + column.rule.realistic +
                                       "\" has " + std::to_string(capacity) +
                                       " distinct values for its " + std::to_string(*count) +
                                       " rows."));
        }
    }
    Refuse(sink, lines, sqlstate::kUniqueViolation,
           "realistic rules have too few values for unique columns",
           "Give these columns a rule with more values (fake, hash, or a longer "
           "one such as email), or widen them. Nothing was changed.");
}

void CheckHashCollisions(Database& db, const TablePlan& table, const std::string& build_schema,
                         const IdentifierQuoter& quote, const std::string& rows) {
    const std::string& source_schema = table.table->schema;
    TableOwner owner = OwnerOf(*table.table, source_schema);
    for (const ColumnPlan& column : table.columns) {
        if (!column.Hashed() || HashAs(column.hash_type) != "pg_catalog.text") continue;
        Statement inputs = CountDistinctHashInputs(table, column, quote);
        Statement outputs = CountDistinctHashes(table, column, build_schema, rows, quote);
        std::vector<Row> before = db.QueryAsOwner(owner, inputs, Visibility::kRunSnapshot);
        std::vector<Row> after = db.QueryAsOwner(
            owner, outputs, rows.empty() ? Visibility::kLatest : Visibility::kRunSnapshot);
        std::string distinct_in = before.empty() ? "" : before[0][0].value_or("");
        std::string distinct_out = after.empty() ? "" : after[0][0].value_or("");
        if (distinct_in != distinct_out)
            throw ScrubError(sqlstate::kUniqueViolation,
                             "hashes of column \"" + source_schema + "." + table.table->name + "." +
                                 column.column.name + "\" collide",
                             "Its " + distinct_in + " distinct values have " + distinct_out +
                                 " distinct hashes within the column's " +
                                 (column.hash_max_length < 0
                                      ? std::string("type")
                                      : std::to_string(column.hash_max_length) + " characters") +
                                 ".",
                             "Widen the column (and the columns referencing it), or give it "
                             "another rule. Nothing was changed.");
    }
}

namespace {

// Whether the expression (in `statement`, as it will run as the table's
// owner) uses only what a superuser or that owner owns; otherwise refuses
// it (42501), as `what` ("row filter of allowlist entry ...") naming each
// object and its owner, or appends the refusal to `problems`. Analysed
// before anything plans or runs it: planning folds constant calls of
// immutable functions, which would run them.
bool UsesOnlyTrustedObjects(Database& db, const TableOwner& owner, const Statement& statement,
                            const std::string& what, const std::string& expression_of,
                            const std::function<ScrubError(const ErrorReport&)>& explain,
                            const TableInfo& table, const std::string& column, Problems* problems,
                            std::string* pinned) {
    std::vector<ForeignObject> found = db.ForeignObjectsIn(owner, statement, {}, explain, pinned);
    if (found.empty()) return true;
    Problems lines;
    bool only_schemas = true;
    for (const ForeignObject& object : found) {
        if (object.runs_sql_text || !object.owner.empty()) only_schemas = false;
        lines.push_back({table.schema, table.name, column,
                         expression_of + " runs as role \"" + owner.name +
                             "\", the table's owner, and would use " + object.object +
                             WhyForeign(object)});
    }
    std::string hint =
        "An expression of the allowlist runs with the rights of its table's owner, so it may "
        "only call functions, operators, casts and types, and read tables, that a superuser "
        "or that owner owns, in schemas that a superuser or that owner owns (pg_database_owner "
        "counts as the database's owner). Qualify the built-in ones with pg_catalog "
        "(pg_catalog.lower(x), x OPERATOR(pg_catalog.=) y); have the table's owner own the "
        "others, and move them to such a schema or make such a role the schema's owner "
        "(ALTER SCHEMA ... OWNER TO).";
    Refuse(problems, lines, sqlstate::kInsufficientPrivilege,
           what + (only_schemas ? " uses objects in a schema of another role"
                                : " uses objects of another role"),
           hint);
    return false;
}

// A check's error: `message` and `hint`, PostgreSQL's error in the detail.
std::function<ScrubError(const ErrorReport&)> Explain(const std::string& message,
                                                      const std::string& hint) {
    return [message, hint](const ErrorReport& cause) {
        std::string detail = cause.message;
        if (!cause.detail.empty()) detail += "\n" + cause.detail;
        return ScrubError(cause.sqlstate, message, detail, hint);
    };
}

const char* const kFilterHint =
    "Write \"rows\": {\"where\": \"...\"} as one boolean SQL expression over the "
    "table's columns, for example \"created_at > now() - interval '90 days'\".";
const char* const kSqlRuleHint =
    "Write {\"sql\": \"...\"} as one SQL expression over the table's columns, "
    "of the column's type or castable to it, without aggregates, window or "
    "set-returning functions.";

std::string FilterMessage(const TablePlan& table) {
    return "row filter of allowlist entry \"" + table.key + "\" is not valid";
}

std::string SqlRuleAt(const TablePlan& table, const ColumnPlan& column) {
    return "allowlist entry \"" + table.key + "\" column \"" + column.column.name + "\"";
}

std::string Qualified(const TablePlan& table) {
    return "\"" + table.table->schema + "." + table.table->name + "\"";
}

// Checks that the row filter is one expression that uses only trusted
// objects (UsesOnlyTrustedObjects) and sets its pinned text from that
// same analysis (Database::ForeignObjectsIn). False if refused into
// `problems`; other failures are thrown.
bool PinFilter(Database& db, TablePlan& table, const TableOwner& owner,
               const IdentifierQuoter& quote, Problems* problems) {
    const std::string message = FilterMessage(table);
    if (!db.IsOneExpression(table.row_filter, Explain(message, kFilterHint)))
        throw ScrubError(sqlstate::kInvalidParameterValue, message,
                         "The filter of table " + Qualified(table) + " is not one SQL expression.",
                         kFilterHint);
    Statement analysed = AnalyseFilter(table, quote);
    std::string pinned;
    if (!UsesOnlyTrustedObjects(db, owner, analysed,
                                "row filter of allowlist entry \"" + table.key + "\"",
                                "The filter of table " + Qualified(table),
                                Explain(message, kFilterHint), *table.table, "", problems, &pinned))
        return false;
    table.pinned_filter = pinned;
    return true;
}

// As PinFilter, for the sql rule of `column`: analysed cast to the
// column's type, in WHERE too, where aggregates, window and set-returning
// functions are refused, as they would be per row.
bool PinSqlRule(Database& db, TablePlan& table, ColumnPlan& column, const TableOwner& owner,
                const IdentifierQuoter& quote, Problems* problems) {
    const std::string at = SqlRuleAt(table, column);
    const std::string message = at + " has an sql expression that is not valid";
    if (!db.IsOneExpression(column.rule.sql, Explain(message, kSqlRuleHint)))
        throw ScrubError(sqlstate::kInvalidParameterValue, message,
                         "The expression for column \"" + column.column.name + "\" of table " +
                             Qualified(table) + " is not one SQL expression.",
                         kSqlRuleHint);
    Statement analysed = AnalyseSqlRule(table, column, quote);
    std::string pinned;
    if (!UsesOnlyTrustedObjects(
            db, owner, analysed, at + " has an sql expression that",
            "The expression for column \"" + column.column.name + "\" of table " + Qualified(table),
            Explain(message, kSqlRuleHint), *table.table, column.column.name, problems, &pinned))
        return false;
    column.pinned_sql = pinned;
    return true;
}

// A failed check as a line of scrub_plan's problem column: the run's
// message as a sentence (its first word capitalized unless it is a name
// such as scrub.key), then its detail.
std::string ProblemText(const ScrubError& error) {
    const ErrorReport& report = error.report();
    std::string text = report.message;
    const std::string first = text.substr(0, text.find(' '));
    bool word = !first.empty() && std::all_of(first.begin(), first.end(),
                                              [](char c) { return c >= 'a' && c <= 'z'; });
    if (word) text[0] = static_cast<char>(text[0] - 'a' + 'A');
    text += ".";
    if (!report.detail.empty()) text += "\n" + report.detail;
    return text;
}

}  // namespace

void CheckRulesOnServer(Database& db, Plan& plan, const std::string& extension_schema,
                        const IdentifierQuoter& quote, const std::string& hash_token,
                        Problems* problems) {
    // Without `problems` a check runs as it is and its error ends the run;
    // with them it runs in a subtransaction, and its error becomes the
    // problems `at` makes of it.
    auto check = [&](const std::function<void()>& body,
                     const std::function<void(const std::string&)>& at) {
        if (problems == nullptr) return body();
        if (std::optional<ScrubError> error = db.Attempt(body)) at(ProblemText(*error));
    };
    auto hashed = [](const TablePlan& table, const ColumnPlan& column) {
        return table.copy_rows && column.Hashed();
    };
    bool hashes = false;
    for (const TablePlan& table : plan.tables)
        for (const ColumnPlan& column : table.columns) hashes = hashes || hashed(table, column);
    if (hashes)
        check(
            [&] {
                // The key must be readable; the run's token travels as a
                // parameter (none: the superuser-only form, as an export
                // calls it).
                Statement probe = ProbeHashKey(extension_schema, hash_token, quote);
                db.Query(probe, Visibility::kLatest);
            },
            [&](const std::string& text) {
                for (const TablePlan& table : plan.tables)
                    for (const ColumnPlan& column : table.columns)
                        if (hashed(table, column))
                            problems->push_back(
                                {table.table->schema, table.table->name, column.column.name, text});
            });
    for (TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        const std::string& source_schema = table.table->schema;
        TableOwner owner = OwnerOf(*table.table, source_schema);
        auto problem_of = [&](const std::string& column) {
            return [&, column](const std::string& text) {
                problems->push_back({source_schema, table.table->name, column, text});
            };
        };
        std::vector<std::string> names;
        for (const ColumnPlan& column : table.columns) names.push_back(column.column.name);
        const std::string rows = SourceRows(*table.table, source_schema, names, quote) + " AS src";

        // Each expression is planned (not run) over the rows as they are
        // read, in its pinned text: planning folds constant calls of
        // immutable functions, which must be those the analysis checked.
        if (!table.row_filter.empty())
            check(
                [&] {
                    if (PinFilter(db, table, owner, quote, problems))
                        db.QueryAsOwnerExplained(owner, PlanFilter(table, rows),
                                                 Visibility::kRunSnapshot,
                                                 Explain(FilterMessage(table), kFilterHint));
                },
                problem_of(""));
        for (ColumnPlan& column : table.columns) {
            const ColumnRule& rule = column.rule;
            const std::string at = SqlRuleAt(table, column);
            if (rule.kind == RuleKind::kConstant && rule.constant) {
                check(
                    [&] {
                        Statement cast = CastConstant(column);
                        db.QueryAsOwnerExplained(
                            owner, cast, Visibility::kLatest,
                            Explain(at + " has a constant that is not a valid " +
                                        column.column.type_sql,
                                    "Write the constant as the column's type reads it, for "
                                    "example {\"constant\": \"GB\"}."));
                    },
                    problem_of(column.column.name));
            }
            if (rule.kind == RuleKind::kSql)
                check(
                    [&] {
                        if (PinSqlRule(db, table, column, owner, quote, problems))
                            db.QueryAsOwnerExplained(
                                owner, PlanSqlRule(column, rows), Visibility::kRunSnapshot,
                                Explain(at + " has an sql expression that is not valid",
                                        kSqlRuleHint));
                    },
                    problem_of(column.column.name));
        }
    }
}

void PinExpressions(Database& db, Plan& plan, const IdentifierQuoter& quote) {
    for (TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        TableOwner owner = OwnerOf(*table.table, table.table->schema);
        if (!table.row_filter.empty()) PinFilter(db, table, owner, quote, nullptr);
        for (ColumnPlan& column : table.columns)
            if (column.rule.kind == RuleKind::kSql)
                PinSqlRule(db, table, column, owner, quote, nullptr);
    }
}

}  // namespace scrub
