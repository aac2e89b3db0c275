// Allowlist x catalog -> per-table plan. Partitions are copied through
// their root (the copy reads every local leaf of the tree), so the
// allowlist names roots and the plan has no entry for a partition.
#include "plan.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "error.h"
#include "facts.h"
#include "fake.h"
#include "rules.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

void Refuse(Problems* sink, const Problems& found, const char* code, const std::string& message,
            const std::string& hint) {
    if (found.empty()) return;
    if (sink != nullptr) {
        sink->insert(sink->end(), found.begin(), found.end());
        return;
    }
    std::vector<std::string> lines;
    for (const Problem& problem : found) lines.push_back(problem.text);
    throw ScrubError(code, message, JoinLines(lines), hint);
}

std::string ScratchSchemaName(const std::string& target, const std::string& schema) {
    std::string name = target + kScratchSchemaSeparator + schema;
    if (name.size() > kMaxNameBytes)
        throw ScrubError(
            sqlstate::kNameTooLong,
            "the scratch schema name for schema \"" + schema + "\" is too long",
            "A run into target schema \"" + target + "\" builds the copy of schema \"" + schema +
                "\" in schema \"" + name + "\", which has " + std::to_string(name.size()) +
                " bytes; schema names have at most " + std::to_string(kMaxNameBytes) + ".",
            "Choose a shorter target_schema.");
    return name;
}

size_t TablePlan::KeptCount() const { return ColumnNames(true).size(); }

size_t TablePlan::ScrubbedCount() const { return ColumnNames(false).size(); }

std::vector<std::string> TablePlan::ColumnNames(bool kept) const {
    std::vector<std::string> names;
    for (const ColumnPlan& column : columns)
        if (column.keep == kept) names.push_back(column.column.name);
    return names;
}

namespace {

// The plan that covers table `name` of `schema`: its own, or its root's
// for a partition (whose rows are copied through the root). A table of a
// schema the run does not cover has none, nor has a partition of such a
// table: this run does not read their rows.
const TablePlan* FindPlan(const Plan& plan, const SourceCatalog& catalog, const std::string& schema,
                          const std::string& name) {
    const TableInfo* info = FindTable(catalog, schema, name);
    if (info == nullptr) return nullptr;
    const bool partition = !info->partition_of.empty();
    const std::string& covering_schema = partition ? info->partition_of_schema : schema;
    const std::string& covering = partition ? info->partition_of : name;
    for (const TablePlan& table : plan.tables)
        if (table.table->schema == covering_schema && table.table->name == covering) return &table;
    return nullptr;
}

// Whether a record of table `table` of `schema` belongs to `plan`'s table.
bool IsOf(const TablePlan& plan, const std::string& schema, const std::string& table) {
    return plan.table->schema == schema && plan.table->name == table;
}

// The first of `columns` that `table` does not keep, or empty.
std::string FirstScrubbed(const TablePlan& table, const std::vector<std::string>& columns) {
    std::vector<std::string> kept = table.ColumnNames(true);
    for (const std::string& column : columns)
        if (std::find(kept.begin(), kept.end(), column) == kept.end()) return column;
    return {};
}

const ColumnPlan* PlannedColumn(const TablePlan& table, const std::string& name) {
    for (const ColumnPlan& column : table.columns)
        if (column.column.name == name) return &column;
    return nullptr;
}

// The first column of a foreign key's pairs whose values the copy does
// not carry over as the other side's are: a pair joins when both sides are
// kept, or both hashed (with one mapping, rules.h). Of the referencing
// side, or with `referenced` of the referenced side; empty if none.
std::string FirstBroken(const TablePlan& table, const std::vector<std::string>& columns,
                        const TablePlan& target, const std::vector<std::string>& referenced_columns,
                        bool referenced) {
    for (size_t i = 0; i < columns.size() && i < referenced_columns.size(); ++i) {
        const ColumnPlan* column = PlannedColumn(table, columns[i]);
        const ColumnPlan* key = PlannedColumn(target, referenced_columns[i]);
        if (column != nullptr && key != nullptr && !column->keep && !key->keep &&
            column->rule.kind == RuleKind::kHash && key->rule.kind == RuleKind::kHash)
            continue;
        const ColumnPlan* side = referenced ? key : column;
        if (side == nullptr || !side->keep) return referenced ? referenced_columns[i] : columns[i];
    }
    return {};
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

const OtherRelation* FindOtherRelation(const SourceCatalog& catalog, const std::string& schema,
                                       const std::string& name) {
    for (const OtherRelation& other : catalog.other_relations)
        if (other.schema == schema && other.name == name) return &other;
    return nullptr;
}

// Fails if rows with fakes could not be restored whatever their values:
// a scrubbed column in a partition key (fakes would not fit the
// partitions, or move rows between them) or in an exclusion constraint
// (fakes may overlap). Unlike CHECKs and unique indexes, these cannot be
// verified on the scratch table, which is neither partitioned nor indexed.
void CheckRestorable(const Plan& plan, const SourceCatalog& catalog, Problems* sink) {
    Problems keys;
    for (const PartitionKeyColumn& key : catalog.partition_keys) {
        const TablePlan* table = FindPlan(plan, catalog, key.schema, key.table);
        if (table == nullptr || !table->copy_rows || Contains(table->ColumnNames(true), key.column))
            continue;
        keys.push_back({table->table->schema, table->table->name, key.column,
                        "Column " + Quoted(key.schema + "." + key.table + "." + key.column) +
                            " is scrubbed, but the partition key of table " + key.partitioned +
                            " reads it."});
    }
    Refuse(sink, keys, sqlstate::kFeatureNotSupported, "scrubbed columns are partition keys",
           "Faked rows would not fit their partitions. Keep these columns verbatim "
           "if they are safe, or list the table with [] to copy no rows.");
    Problems exclusions;
    for (const ExclusionConstraint& constraint : catalog.exclusions) {
        const TablePlan* table = FindPlan(plan, catalog, constraint.schema, constraint.table);
        if (table == nullptr || !table->copy_rows) continue;
        std::string column = FirstScrubbed(*table, constraint.columns);
        if (column.empty()) continue;
        exclusions.push_back({table->table->schema, table->table->name, column,
                              "Exclusion constraint " + Quoted(constraint.name) + " of table " +
                                  Quoted(constraint.schema + "." + constraint.table) +
                                  " reads scrubbed column " + Quoted(column) + "."});
    }
    Refuse(sink, exclusions, sqlstate::kFeatureNotSupported,
           "scrubbed columns are in exclusion constraints",
           "Fakes may overlap where the real values did not. Keep these columns "
           "verbatim if they are safe, or list the table with [] to copy no rows.");
}

// Whether `index` holds whatever the scrubbed columns become: another
// unique index of the table (or the index itself), over all its rows and
// plain columns, has kept key columns only, all among `index`'s keys.
// (Rows a NULL leaves out of that one must be left out of `index` too.)
bool UniqueByKeptColumns(const Index& index, const TablePlan& table, const SourceCatalog& catalog) {
    std::vector<std::string> kept = table.ColumnNames(true);
    for (const Index& other : catalog.indexes) {
        if (other.schema != index.schema || other.table != index.table || !other.unique ||
            !other.predicate.empty() || other.HasExpressions() || other.columns.empty() ||
            (!other.partition.empty() && other.partition != index.partition) ||
            (index.nulls_not_distinct && !other.nulls_not_distinct))
            continue;
        bool covered = true;
        for (const std::string& column : other.columns)
            covered = covered && Contains(kept, column) && Contains(index.columns, column);
        if (covered) return true;
    }
    return false;
}

// Records on each column of `table` how its unique indexes use it, so that
// its fake wraps to fit its type only where no index needs it distinct. A
// key expression is not taken apart: every column such an index reads is
// a key.
void MarkUniqueUse(TablePlan& table, const SourceCatalog& catalog) {
    for (const Index& index : catalog.indexes) {
        if (!IsOf(table, index.schema, index.table) || !index.unique ||
            UniqueByKeptColumns(index, table, catalog))
            continue;
        std::vector<std::string> read = index.ColumnsRead();
        for (ColumnPlan& column : table.columns) {
            ColumnInfo& info = column.column;
            if (!Contains(read, info.name) || info.unique_use == UniqueUse::kKey) continue;
            if (index.HasExpressions() || Contains(index.columns, info.name)) {
                info.unique_use = UniqueUse::kKey;
                info.unique_index = index.name;
            } else {
                info.unique_use = UniqueUse::kRead;
            }
        }
    }
}

}  // namespace

std::vector<ForeignKeyRisk> ForeignKeysAtRisk(const Plan& plan, const SourceCatalog& catalog,
                                              const std::string& source_schema) {
    std::vector<ForeignKeyRisk> risks;
    for (const ForeignKey& key : catalog.foreign_keys) {
        const TablePlan* table = FindPlan(plan, catalog, key.schema, key.table);
        if (table == nullptr || !table->copy_rows) continue;
        std::string referenced = Quoted(key.referenced_schema + "." + key.referenced_table);
        // A table of a schema the run does not cover gets no rows, as one
        // of a covered schema that the allowlist does not name.
        const TablePlan* target =
            FindPlan(plan, catalog, key.referenced_schema, key.referenced_table);
        bool covered = key.referenced_schema == source_schema ||
                       Contains(catalog.schemas, key.referenced_schema);
        std::string reason;
        if (target == nullptr && !covered) {
            reason = "table " + referenced + ", which it references, is in schema " +
                     Quoted(key.referenced_schema) + ", which the allowlist does not name";
        } else if (target == nullptr || !target->copy_rows) {
            reason = "table " + referenced + ", which it references, is copied without rows";
        } else if (std::string column =
                       FirstBroken(*table, key.columns, *target, key.referenced_columns, false);
                   !column.empty()) {
            reason = "its column " + Quoted(column) + " is scrubbed";
        } else if (std::string column =
                       FirstBroken(*table, key.columns, *target, key.referenced_columns, true);
                   !column.empty()) {
            reason = "column " + Quoted(column) + " of table " + referenced + ", which it " +
                     "references, is scrubbed";
        }
        if (!reason.empty()) risks.push_back({&key, reason});
    }
    return risks;
}

std::vector<std::string> ScrubbedColumnsRead(const TablePlan& table,
                                             const std::vector<std::string>& columns) {
    std::vector<std::string> read;
    for (const std::string& scrubbed : table.ColumnNames(false)) {
        bool reads = false;
        // A generated column stands for the columns it is computed from.
        for (const std::string& name : columns) {
            reads = reads || name == scrubbed;
            for (const ColumnInfo& column : table.table->columns)
                if (column.name == name && column.generated)
                    reads = reads || Contains(column.generated_from, scrubbed);
        }
        if (reads) read.push_back(scrubbed);
    }
    return read;
}

bool ReadsScrubbed(const TablePlan& table, const std::vector<std::string>& columns) {
    return !ScrubbedColumnsRead(table, columns).empty();
}

std::vector<const CheckConstraint*> ChecksToVerify(const TablePlan& table,
                                                   const SourceCatalog& catalog) {
    std::vector<const CheckConstraint*> checks;
    if (!table.copy_rows) return checks;
    for (const CheckConstraint& check : catalog.checks)
        if (IsOf(table, check.schema, check.table) && ReadsScrubbed(table, check.columns))
            checks.push_back(&check);
    return checks;
}

namespace {

// Whether an index key column's collation (qualified, as the catalog
// reads it; empty for a type without one) is deterministic for certain:
// the database's default collation, or C, POSIX, ucs_basic.
bool ComparesBytewise(const std::string& collation) {
    return collation.empty() || collation == "pg_catalog.\"default\"" ||
           collation == "pg_catalog.\"C\"" || collation == "pg_catalog.\"POSIX\"" ||
           collation == "pg_catalog.ucs_basic";
}

}  // namespace

std::vector<const Index*> UniqueIndexesToVerify(const TablePlan& table,
                                                const SourceCatalog& catalog) {
    std::vector<const Index*> indexes;
    if (!table.copy_rows) return indexes;
    for (const Index& index : catalog.indexes) {
        if (!IsOf(table, index.schema, index.table) || !index.unique ||
            !ReadsScrubbed(table, index.ColumnsRead()))
            continue;
        // A unique fake in a plain key column keeps every row's key
        // distinct, whatever the predicate selects; an expression over it
        // (lower(), say) may not, nor may a collation other than the
        // database's default and the byte-wise ones: a nondeterministic
        // collation may hold distinct fakes equal ("a_1" and "A1").
        bool unique_fake = false;
        if (!index.HasExpressions())
            for (const ColumnPlan& column : table.columns)
                for (size_t i = 0; i < index.columns.size(); ++i)
                    unique_fake =
                        unique_fake ||
                        (column.DefaultFake() && index.columns[i] == column.column.name &&
                         (i >= index.collations.size() || ComparesBytewise(index.collations[i])) &&
                         FakeIsUnique(column.column));
        if (!unique_fake) indexes.push_back(&index);
    }
    return indexes;
}

std::vector<const Index*> IndexesToEvaluate(const TablePlan& table, const SourceCatalog& catalog) {
    std::vector<const Index*> indexes;
    if (!table.copy_rows) return indexes;
    for (const Index& index : catalog.indexes)
        if (IsOf(table, index.schema, index.table) && !index.unique &&
            (index.HasExpressions() || !index.predicate.empty()) &&
            ReadsScrubbed(table, index.ColumnsRead()))
            indexes.push_back(&index);
    return indexes;
}

std::vector<const ColumnInfo*> GeneratedToEvaluate(const TablePlan& table) {
    std::vector<const ColumnInfo*> columns;
    if (!table.copy_rows) return columns;
    for (const ColumnInfo& column : table.table->columns)
        if (column.generated && !column.generation.empty() && ReadsScrubbed(table, {column.name}))
            columns.push_back(&column);
    return columns;
}

Plan BuildPlan(const Allowlist& allowlist, const SourceCatalog& catalog,
               const std::string& source_schema, bool strict, Problems* problems) {
    Problems missing;
    Problems partitions;
    Problems not_tables;
    std::map<std::pair<std::string, std::string>, const AllowlistEntry*> entry_by_table;

    for (const AllowlistEntry& entry : allowlist.entries) {
        const TableInfo* table = FindTable(catalog, entry.schema, entry.table);
        std::string qualified = Quoted(entry.schema + "." + entry.table);
        if (table == nullptr) {
            const OtherRelation* other = FindOtherRelation(catalog, entry.schema, entry.table);
            if (other != nullptr)
                not_tables.push_back(
                    {entry.schema, entry.table, "",
                     "Key " + Quoted(entry.key) + " names " + other->kind + " " + qualified + "."});
            else
                missing.push_back(
                    {entry.schema, entry.table, "",
                     "Table " + qualified + " does not exist (key " + Quoted(entry.key) + ")."});
            continue;
        }
        if (!table->partition_of.empty()) {
            partitions.push_back(
                {entry.schema, entry.table, "",
                 "Key " + Quoted(entry.key) + " names a partition of table " +
                     Quoted(table->partition_of_schema + "." + table->partition_of) + "."});
            continue;
        }
        for (const std::string& column : entry.columns) {
            bool found = false;
            for (const ColumnInfo& info : table->columns) found = found || info.name == column;
            if (!found)
                missing.push_back({entry.schema, entry.table, column,
                                   "Column " + Quoted(column) + " of table " + qualified +
                                       " does not exist (key " + Quoted(entry.key) + ")."});
        }
        entry_by_table[{entry.schema, entry.table}] = &entry;
    }
    Refuse(problems, missing, sqlstate::kUndefinedObject,
           "allowlist names tables or columns that do not exist",
           "Correct or remove these entries: the allowlist must match the source "
           "schema, so that a renamed or dropped column is noticed.");
    Refuse(problems, not_tables, sqlstate::kWrongObjectType,
           "allowlist names relations that are not tables",
           "Remove these entries: scrub copies the rows of tables only. A view or "
           "materialized view is restored from its definition over the copied "
           "tables; a foreign table's rows live on its server and are never copied.");
    Refuse(problems, partitions, sqlstate::kInvalidParameterValue,
           "allowlist names partitions instead of their partitioned tables",
           "Name the partitioned table (\"schema.table\" if it is in another "
           "schema than source_schema): its entry covers the rows of every "
           "partition.");

    Plan plan;
    for (const TableInfo& table : catalog.tables) {
        if (!table.partition_of.empty()) continue;
        TablePlan table_plan;
        table_plan.table = &table;
        auto entry = entry_by_table.find({table.schema, table.name});
        const AllowlistEntry* listed = entry != entry_by_table.end() ? entry->second : nullptr;
        table_plan.copy_rows = listed != nullptr && listed->rows != RowsMode::kNone;
        table_plan.entry = listed;
        if (listed != nullptr) {
            table_plan.key = listed->key;
            table_plan.row_filter = listed->where;
        }
        for (const ColumnInfo& column : table.columns) {
            if (column.generated) continue;
            ColumnPlan column_plan{column, false, {}, {}, -1, {}};
            if (listed != nullptr)
                for (size_t i = 0; i < listed->columns.size() && i < listed->rules.size(); ++i)
                    if (listed->columns[i] == column.name) column_plan.rule = listed->rules[i];
            column_plan.keep = column_plan.rule.kind == RuleKind::kKeep;
            table_plan.columns.push_back(std::move(column_plan));
        }
        MarkUniqueUse(table_plan, catalog);
        // The manifest shares the target schema with the source schema's
        // tables only: every other schema has a scratch schema of its own.
        if (table_plan.copy_rows && table.schema == source_schema &&
            (table.name == kManifestRunTable || table.name == kManifestTablesTable ||
             table.name == kManifestSequencesTable))
            Refuse(problems,
                   {{table.schema, table.name, "",
                     "scrub reserves the names _scrub_run, _scrub_tables and "
                     "_scrub_sequences in the target schema."}},
                   sqlstate::kDuplicateTable,
                   "table \"" + table.name + "\" clashes with scrub's manifest",
                   "Rename the table, or list it with [] to copy its structure only.");
        plan.tables.push_back(std::move(table_plan));
    }
    ApplyRules(plan, catalog, problems);
    if (strict) {
        Problems undecided = StrictProblems(plan, source_schema);
        if (problems == nullptr && !undecided.empty())
            Refuse(nullptr, undecided, sqlstate::kInvalidParameterValue,
                   "strict mode: the allowlist leaves " + std::to_string(undecided.size()) +
                       (undecided.size() == 1 ? " table or column" : " tables or columns") +
                       " undecided",
                   "Decide each in the allowlist. These entries keep what the run does now "
                   "(no rows for an unlisted table, the default fake for a column): add an "
                   "unlisted table's entry, a table's columns to its \"columns\", and "
                   "replace a table's array by its entry here:\n" +
                       StrictFragment(plan, undecided, source_schema));
        Refuse(problems, undecided, sqlstate::kInvalidParameterValue, "", "");
    }
    Problems unsupported;
    for (const TablePlan& table : plan.tables)
        for (const ColumnPlan& column : table.columns)
            if (table.copy_rows && column.DefaultFake() &&
                ClassifyType(column.column.scalar) == FakeKind::kUnsupported)
                unsupported.push_back({table.table->schema, table.table->name, column.column.name,
                                       "Column " +
                                           Quoted(table.table->schema + "." + table.table->name +
                                                  "." + column.column.name) +
                                           " has type " + column.column.type_sql + "."});
    Refuse(problems, unsupported, sqlstate::kFeatureNotSupported,
           "scrub has no default fake for the types of some scrubbed columns",
           "Add each column to its table's allowlist entry if its values are safe "
           "to copy verbatim, or change the column to a supported type.");
    CheckRestorable(plan, catalog, problems);
    return plan;
}

namespace {

// A JSON string literal of `text`: quotes, backslashes and control
// characters escaped, every other byte as it is (names stay in the
// server's encoding, as the allowlist that names them is).
std::string JsonString(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace

Problems StrictProblems(const Plan& plan, const std::string& source_schema) {
    Problems undecided;
    for (const TablePlan& table : plan.tables) {
        const std::string key = TableKeyOf(table.table->schema, table.table->name, source_schema);
        if (table.entry == nullptr) {
            undecided.push_back({table.table->schema, table.table->name, "",
                                 "Table " + Quoted(table.table->schema + "." + table.table->name) +
                                     " is not listed (key " + Quoted(key) + ")."});
            continue;
        }
        if (!table.copy_rows) continue;
        for (const ColumnPlan& column : table.columns) {
            if (column.rule.named || !column.hashed_through.empty()) continue;
            undecided.push_back({table.table->schema, table.table->name, column.column.name,
                                 "Column " +
                                     Quoted(table.table->schema + "." + table.table->name + "." +
                                            column.column.name) +
                                     " has no decision (key " + Quoted(table.key) + ")."});
        }
    }
    return undecided;
}

std::string StrictFragment(const Plan& plan, const Problems& undecided,
                           const std::string& source_schema) {
    std::vector<std::string> entries;
    for (const TablePlan& table : plan.tables) {
        std::vector<std::string> columns;
        bool whole_table = false;
        for (const Problem& problem : undecided) {
            if (problem.schema != table.table->schema || problem.table != table.table->name)
                continue;
            if (problem.column.empty())
                whole_table = true;
            else
                columns.push_back(JsonString(problem.column) + ": \"fake\"");
        }
        const std::string key =
            JsonString(TableKeyOf(table.table->schema, table.table->name, source_schema));
        if (whole_table) {
            entries.push_back(key + ": []");
            continue;
        }
        if (columns.empty()) continue;
        if (table.entry != nullptr && !table.entry->object_form) {
            // The array's columns are kept: say so in the object form.
            std::vector<std::string> kept;
            for (const std::string& name : table.entry->columns)
                kept.push_back(JsonString(name) + ": \"keep\"");
            columns.insert(columns.begin(), kept.begin(), kept.end());
        }
        entries.push_back(key + ": {\"columns\": {" + JoinLines(columns, ", ") + "}}");
    }
    return JoinLines(entries, ",\n");
}

Decision DecisionOf(const TablePlan& table, const ColumnInfo& column) {
    if (!table.copy_rows)
        return {"no rows",
                table.entry == nullptr ? "table not listed" : "table listed without rows", ""};
    if (column.generated) return {"generated", "generated", ""};
    const ColumnPlan* planned = PlannedColumn(table, column.name);
    if (planned == nullptr) return {"", "", ""};
    const std::string why = planned->rule.why;
    if (!planned->hashed_through.empty())
        return {"hash", "hashed through foreign key " + Quoted(planned->hashed_through), why};
    if (!planned->rule.named) return {planned->RuleName(), "default fake", why};
    if (planned->keep && table.entry != nullptr && !table.entry->object_form)
        return {"keep", "listed", why};
    return {planned->RuleName(), "rule", why};
}

}  // namespace scrub
