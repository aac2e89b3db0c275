// The manifest a run records in the target schema (facts.h,
// kManifestColumns): the run, each table and each sequence.
#include "manifest.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db_util.h"
#include "error.h"
#include "facts.h"
#include "preflight.h"
#include "sqlgen.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// The source table's signature (scrub_table_signature(), called through
// the extension's schema), so that an export of this scratch schema can
// tell whether the table changed since; NULL for a table without rows.
std::string SignatureOf(const TablePlan& table, const std::string& signature_function,
                        Statement& statement) {
    if (!table.copy_rows || signature_function.empty()) return "CAST(NULL AS pg_catalog.text)";
    return signature_function + "(CAST(" + statement.Bind(std::to_string(table.table->oid)) +
           " AS pg_catalog.oid))";
}

// The manifest's record of each copied column's rule and the reason the
// allowlist gives for it: {"email": {"rule": "email", "why": "..."}}. Built
// by the server from text arrays, so names in any encoding stay as they are.
// A constant's value, an expression's text, the hash key: none is recorded
// here (the allowlist itself is in _scrub_run, the key nowhere).
std::string ColumnRules(const TablePlan& table, Statement& statement) {
    if (!table.copy_rows) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, rules, whys;
    for (const ColumnPlan& column : table.columns) {
        names.push_back(column.column.name);
        rules.push_back(column.RuleName());
        whys.push_back(column.rule.why);
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(r.name,"
           " pg_catalog.jsonb_build_object('rule', r.rule) OPERATOR(pg_catalog.||)"
           " CASE WHEN r.why OPERATOR(pg_catalog.=) '' THEN CAST('{}' AS pg_catalog.jsonb)"
           " ELSE pg_catalog.jsonb_build_object('why', r.why) END), CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(rules)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(whys)) +
           " AS pg_catalog.text[]))) AS r (name, rule, why))";
}

// The manifest's leak counts of a copied table: {"column": count} for
// every column the leak check measured ({} when none); NULL for a table
// copied without rows.
std::string LeakedColumn(const TableReport* report, Statement& statement) {
    if (report == nullptr) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, counts;
    for (const auto& [name, count] : report->leaks) {
        names.push_back(name);
        counts.push_back(std::to_string(count));
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(l.name, l.count),"
           " CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(counts)) +
           " AS pg_catalog.int8[]))) AS l (name, count))";
}

}  // namespace
void RecordTable(Database& db, const std::string& build_schema, const IdentifierQuoter& quote,
                 const std::string& signature_function, const TablePlan& table,
                 const TableReport* report, const std::string& scratch_schema) {
    Statement insert;
    insert.sql =
        "INSERT INTO " + QualifiedName(quote, build_schema, kManifestTablesTable) + " VALUES (" +
        insert.Bind(table.table->name) + ", " +
        insert.Bind(std::string(table.copy_rows ? "t" : "f")) + "::pg_catalog.bool, " +
        insert.Bind(report ? std::optional(std::to_string(report->rows)) : std::nullopt) +
        "::pg_catalog.int8, " +
        insert.Bind(report ? std::optional(std::to_string(report->rows)) : std::nullopt) +
        "::pg_catalog.int8, " + insert.Bind(TextArrayLiteral(table.ColumnNames(true))) +
        "::pg_catalog.text[], " + insert.Bind(TextArrayLiteral(table.ColumnNames(false))) +
        "::pg_catalog.text[], " +
        insert.Bind(report ? std::optional(FormatMilliseconds(report->milliseconds))
                           : std::nullopt) +
        "::pg_catalog.numeric, " + SignatureOf(table, signature_function, insert) + ", " +
        insert.Bind(table.table->schema) + ", " + insert.Bind(scratch_schema) + ", " +
        ColumnRules(table, insert) + ", " +
        insert.Bind(table.row_filter.empty() ? std::nullopt : std::optional(table.row_filter)) +
        "::pg_catalog.text, " + LeakedColumn(report, insert) + ")";
    db.Execute(insert, Visibility::kLatest);
}

// Locks every sequence to be recorded and proves that each name still
// names the sequence the catalog read found: since then the run may have
// waited (for a lock, for CREATE SCHEMA), or run a table owner's code,
// while another role renamed a sequence and made a view of the same name,
// whose query a read by name would run with the caller's rights. Names
// are resolved through the catalog only, and each sequence is locked by
// OID (pg_sequence_last_value() holds its lock to the end of the
// transaction), so none can be renamed or dropped before it is read.
void LockSequences(Database& db, const std::vector<SequenceInfo>& sequences) {
    if (sequences.empty()) return;
    std::vector<std::string> schemas, names;
    for (const SequenceInfo& sequence : sequences) {
        schemas.push_back(sequence.schema);
        names.push_back(sequence.name);
    }
    // The CASE keeps pg_sequence_last_value() from meeting anything but a
    // sequence; its result is unused, it is called for its lock.
    Statement lock{
        "SELECT s.position, c.oid,"
        " CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S'"
        " THEN pg_catalog.pg_sequence_last_value(c.oid) END"
        " FROM ROWS FROM (pg_catalog.unnest(CAST($1 AS pg_catalog.text[])),"
        "                 pg_catalog.unnest(CAST($2 AS pg_catalog.text[])))"
        "   WITH ORDINALITY AS s (schema_name, relation_name, position)"
        " JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.schema_name"
        " JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
        "  AND c.relname OPERATOR(pg_catalog.=) s.relation_name"
        "  AND c.relkind OPERATOR(pg_catalog.=) 'S'",
        {}};
    lock.Bind(TextArrayLiteral(schemas));
    lock.Bind(TextArrayLiteral(names));
    // Twice: a sequence renamed by a transaction that committed while the
    // first statement waited for its lock still had its old name in that
    // statement's catalog snapshot. The second sees the names as they are
    // under the locks; every name must lead to the sequence the catalog
    // read found both times.
    std::vector<std::map<size_t, std::string>> passes(2);
    for (auto& found : passes)
        for (const Row& row : db.Query(lock, Visibility::kLatest))
            found[std::stoul(row[0].value_or("0")) - 1] = row[1].value_or("");
    std::vector<std::string> replaced;
    for (size_t i = 0; i < sequences.size(); ++i) {
        std::string oid = std::to_string(sequences[i].oid);
        if (passes[0][i] != oid || passes[1][i] != oid)
            replaced.push_back("\"" + sequences[i].schema + "." + sequences[i].name + "\"");
    }
    if (!replaced.empty())
        throw ScrubError(sqlstate::kSerializationFailure,
                         "sequences changed while scrub_to_schema ran",
                         "These names no longer name the sequences the run read from the "
                         "catalog: " +
                             JoinLines(replaced, ", ") + ".",
                         "Run scrub_to_schema again. If this repeats, code that runs as a table's "
                         "owner during the run (a domain or CHECK constraint, an index or "
                         "statistics expression) renames or replaces sequences: remove it.");
}

// Records each sequence's current value, with its schema, so a restore can
// set it and new rows do not collide with copied keys. LockSequences has
// made sure that each name is the sequence's.
void RecordSequences(Database& db, const std::vector<SequenceInfo>& sequences,
                     const std::string& build_schema, const IdentifierQuoter& quote) {
    LockSequences(db, sequences);
    for (const SequenceInfo& sequence : sequences) {
        Statement insert;
        insert.sql = "INSERT INTO " + QualifiedName(quote, build_schema, kManifestSequencesTable) +
                     " SELECT " + insert.Bind(sequence.name) + ", last_value, is_called, " +
                     insert.Bind(sequence.schema) + " FROM " +
                     QualifiedName(quote, sequence.schema, sequence.name);
        db.Execute(insert, Visibility::kLatest);
    }
}
namespace {

// Whether a column holds integers (smallint, integer, bigint, or a domain
// over one), whose values a sequence position can be compared with.
bool HoldsIntegers(const ColumnInfo& column) {
    const ScalarType& type = column.scalar;
    return !column.is_array && type.typtype == 'b' && type.schema == "pg_catalog" &&
           (type.name == "int2" || type.name == "int4" || type.name == "int8");
}

}  // namespace

// The position RecordSequences recorded for a sequence assumes that the
// columns drawing from it keep the source's values. A column copied with
// another rule holds others (row numbers, hashes spread over the type's
// range), and the restored application's next insert would draw a value
// the copy already holds. So for each integer column not kept whose
// default or identity draws from a recorded sequence, the scratch
// column's greatest value (least, for a descending sequence) is read as
// the table's owner, who may read its scratch table for now, and the
// recorded position moved past it: last_value becomes that value, with
// is_called, when it is at or beyond the recorded one.
void MoveSequencesPastCopy(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                           const std::string& scratch_schema, const std::string& manifest_schema,
                           const IdentifierQuoter& quote) {
    for (const ColumnPlan& column : table.columns) {
        if (column.keep || column.column.sequences.empty() || !HoldsIntegers(column.column))
            continue;
        const std::string name = quote(column.column.name);
        Statement bounds{"SELECT CAST(pg_catalog.max(" + name +
                             ") AS pg_catalog.text), CAST(pg_catalog.min(" + name +
                             ") AS pg_catalog.text) FROM ONLY " +
                             QualifiedName(quote, scratch_schema, table.table->name),
                         {}};
        std::vector<Row> rows = db.QueryAsOwner(OwnerOf(*table.table, table.table->schema), bounds,
                                                Visibility::kLatest);
        if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1]) continue;
        for (uint32_t oid : column.column.sequences)
            for (const SequenceInfo& sequence : catalog.sequences) {
                if (sequence.oid != oid) continue;
                Statement update;
                update.sql =
                    "UPDATE " + QualifiedName(quote, manifest_schema, kManifestSequencesTable) +
                    " AS m SET last_value = CASE WHEN v.up THEN v.high ELSE v.low END,"
                    " is_called = true FROM (SELECT CAST(" +
                    update.Bind(*rows[0][0]) + " AS pg_catalog.int8) AS high, CAST(" +
                    update.Bind(*rows[0][1]) +
                    " AS pg_catalog.int8) AS low,"
                    " (SELECT q.seqincrement OPERATOR(pg_catalog.>) 0"
                    " FROM pg_catalog.pg_sequence q WHERE q.seqrelid OPERATOR(pg_catalog.=) CAST(" +
                    update.Bind(std::to_string(oid)) +
                    " AS pg_catalog.oid)) AS up) AS v"
                    " WHERE m.sequence_schema OPERATOR(pg_catalog.=) " +
                    update.Bind(sequence.schema) + " AND m.sequence_name OPERATOR(pg_catalog.=) " +
                    update.Bind(sequence.name) +
                    " AND CASE WHEN v.up THEN v.high OPERATOR(pg_catalog.>=) m.last_value"
                    " ELSE v.low OPERATOR(pg_catalog.<=) m.last_value END";
                db.Execute(update, Visibility::kLatest);
            }
    }
}

void RecordRun(Database& db, const RunOptions& options, const std::string& build_schema,
               const IdentifierQuoter& quote, const std::string& started_at,
               const std::string& run_snapshot) {
    Statement insert;
    std::string allowlist = insert.Bind(options.allowlist_json);
    insert.sql =
        "INSERT INTO " + QualifiedName(quote, build_schema, kManifestRunTable) + " SELECT " +
        insert.Bind(options.source_schema) + ", CAST(" + allowlist + " AS pg_catalog.jsonb)," +
        " pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(CAST(CAST(" + allowlist +
        " AS pg_catalog.jsonb) AS pg_catalog.text), 'UTF8')), 'hex'),"
        " (SELECT e.extversion FROM pg_catalog.pg_extension e"
        "   WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'),"
        " CAST(" +
        insert.Bind(started_at) +
        " AS pg_catalog.timestamptz),"
        " pg_catalog.clock_timestamp(), pg_catalog.pg_backend_pid(), " +
        insert.Bind(run_snapshot);
    db.Execute(insert, Visibility::kLatest);
}

}  // namespace scrub
