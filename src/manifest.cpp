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
#include "sqlgen_run.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {

// One row of _scrub_tables per table of the plan.
void RecordTable(Database& db, const std::string& build_schema, const IdentifierQuoter& quote,
                 const std::string& signature_function, const TablePlan& table,
                 const TableReport* report, const std::string& scratch_schema) {
    db.Execute(
        InsertManifestTable(build_schema, quote, signature_function, table, report, scratch_schema),
        Visibility::kLatest);
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
    Statement lock = LockSequencesByName(sequences);
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
        SequencePosition position = ReadSequencePosition(db, sequence, quote);
        db.Execute(InsertManifestSequence(build_schema, sequence, position.last_value,
                                          position.is_called ? "t" : "f", quote),
                   Visibility::kLatest);
    }
}

TableOwner OwnerOfSequence(const SequenceInfo& sequence) {
    return {sequence.owner_oid, sequence.owner, sequence.schema + "." + sequence.name};
}

std::optional<SequencePosition> ReadSequencePositionIfAny(Database& db,
                                                          const SequenceInfo& sequence,
                                                          const IdentifierQuoter& quote) {
    std::vector<Row> rows =
        db.QueryAsOwner(OwnerOfSequence(sequence),
                        ReadSequence(sequence.schema, sequence.name, quote), Visibility::kLatest);
    if (rows.empty() || rows[0].size() < 2) return std::nullopt;
    return SequencePosition{rows[0][0].value_or("0"), rows[0][1].value_or("") == "t"};
}

SequencePosition ReadSequencePosition(Database& db, const SequenceInfo& sequence,
                                      const IdentifierQuoter& quote) {
    std::optional<SequencePosition> position = ReadSequencePositionIfAny(db, sequence, quote);
    if (!position)
        throw ScrubError(sqlstate::kInternalError,
                         "sequence \"" + sequence.schema + "." + sequence.name + "\" has no row");
    return *position;
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
        Statement bounds =
            ScratchColumnBounds(scratch_schema, table.table->name, column.column.name, quote);
        std::vector<Row> rows = db.QueryAsOwner(OwnerOf(*table.table, table.table->schema), bounds,
                                                Visibility::kLatest);
        if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1]) continue;
        for (uint32_t oid : column.column.sequences)
            for (const SequenceInfo& sequence : catalog.sequences) {
                if (sequence.oid != oid) continue;
                db.Execute(MoveSequencePosition(manifest_schema, sequence, oid, *rows[0][0],
                                                *rows[0][1], quote),
                           Visibility::kLatest);
            }
    }
}

void RecordRun(Database& db, const RunOptions& options, const std::string& build_schema,
               const IdentifierQuoter& quote, const std::string& started_at,
               const std::string& run_snapshot) {
    db.Execute(InsertManifestRun(build_schema, quote, options.source_schema, options.allowlist_json,
                                 started_at, run_snapshot),
               Visibility::kLatest);
}

}  // namespace scrub
