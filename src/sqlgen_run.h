// SQL text for the run's own steps around the copy (sqlgen.h has the copy
// and the checks over the plan, sqlgen_checks.h the dependency walk, the
// extension's schema and the rules' probes): session facts, the schemas a run reads
// and builds, the preflight and post-copy checks, the manifest (written
// from kManifestColumns in facts.h) and the streaming export's lookups.
// Pure functions of names and values; identifiers go through the quoter
// handed in, values become parameters, and every function, operator and
// type is pg_catalog-qualified.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog.h"
#include "plan.h"
#include "run.h"
#include "statement.h"

namespace scrub {

// --- The session ---------------------------------------------------------

// SELECT clock_timestamp() as text: when the run started.
Statement ClockTimestamp();

// SELECT CURRENT_USER as text: the role running scrub.
Statement CurrentRole();

// SELECT pg_current_snapshot() as text (xmin:xmax:xip): the run snapshot
// as the manifest records it.
Statement CurrentSnapshot();

// SELECT whether the current role is a superuser ("true"/"false").
Statement CurrentRoleIsSuperuser();

// --- Schemas -------------------------------------------------------------

// SELECT count(*) of the schemas named `schema` (0 or 1).
Statement CountSchemasNamed(const std::string& schema);

// The owner of schema `schema` and whether it is the current role; no
// row if the schema does not exist.
Statement SchemaOwner(const std::string& schema);

// For schema `target`: whether it holds a table named kManifestRunTable,
// its owner, and whether the current role owns it; no row if the schema
// does not exist.
Statement TargetSchemaState(const std::string& target);

// The process (pid, state) holding scrub's run lock `key` in this
// database (kRunLockClass, kRunLockField in database.h).
Statement RunLockHolder(uint32_t key);

// DROP SCHEMA ... CASCADE, and ALTER SCHEMA ... RENAME TO: the swap.
Statement DropSchema(const std::string& schema, const IdentifierQuoter& quote);
Statement RenameSchema(const std::string& schema, const std::string& new_name,
                       const IdentifierQuoter& quote);

// --- Preflight -----------------------------------------------------------

// Of the tables with OIDs `oids`, those the current role may not read in
// full: (schema, table, whether it holds SELECT), by schema and table;
// without SELECT, or with row-level security active.
Statement UnreadableTables(const std::vector<std::string>& oids);

// The first of UnreadableTables: (table, whether SELECT is missing, schema).
Statement FirstUnreadableTable(const std::vector<std::string>& oids);

// The members of the partition tree of table `oid` (itself included) that
// a role other than `owner_oid` owns: (schema, name, owner).
Statement PartitionsOfOtherOwners(uint32_t oid, uint32_t owner_oid);

// Of the sequences with OIDs `oids`, those the current role may not read,
// each as schema.name quoted, in order.
Statement UnreadableSequences(const std::vector<std::string>& oids);

// --- The manifest --------------------------------------------------------

// The count of the manifest's scratch-schema columns (source_schema and
// scratch_schema of kManifestTablesTable) that schema `target`'s
// kManifestTablesTable has: 2 when it records the scratch schemas, less
// for a manifest older than those columns.
Statement CountManifestScratchColumns(const std::string& target);

// The number of columns CountManifestScratchColumns counts when all are
// there.
inline constexpr const char* kManifestScratchColumnCount = "2";

// The distinct (source schema, scratch schema) pairs recorded in schema
// `target`'s kManifestTablesTable.
Statement ManifestScratchSchemas(const std::string& target, const IdentifierQuoter& quote);

// INSERT of the run's row into `build_schema`'s kManifestRunTable, in the
// order of kManifestColumns.
Statement InsertManifestRun(const std::string& build_schema, const IdentifierQuoter& quote,
                            const std::string& source_schema, const std::string& allowlist_json,
                            const std::string& started_at, const std::string& run_snapshot);

// INSERT of one table's row into `build_schema`'s kManifestTablesTable:
// copied or not, row counts, kept and scrubbed columns, milliseconds, the
// source's signature (`signature_function`, SignatureFunction in
// preflight.h; none if empty), the scratch schema, each column's rule and
// reason, the row filter and the leak counts. `report` is null for a table
// copied without rows.
Statement InsertManifestTable(const std::string& build_schema, const IdentifierQuoter& quote,
                              const std::string& signature_function, const TablePlan& table,
                              const TableReport* report, const std::string& scratch_schema);

// Locks each sequence, found by schema and name through the catalog only,
// with pg_sequence_last_value() (by OID): (position in `sequences`, OID).
Statement LockSequencesByName(const std::vector<SequenceInfo>& sequences);

// INSERT of the sequence's position (ReadSequence's `last_value` and
// `is_called`, bound as values) into `build_schema`'s
// kManifestSequencesTable.
Statement InsertManifestSequence(const std::string& build_schema, const SequenceInfo& sequence,
                                 const std::string& last_value, const std::string& is_called,
                                 const IdentifierQuoter& quote);

// SELECT max and min, as text, of column `column` of scratch table
// `schema`.`table`.
Statement ScratchColumnBounds(const std::string& schema, const std::string& table,
                              const std::string& column, const IdentifierQuoter& quote);

// UPDATE of `sequence`'s row (OID `oid`) in `manifest_schema`'s
// kManifestSequencesTable: its position moves to `high` (or `low`, for a
// descending sequence) with is_called, if that is at or beyond the
// recorded one.
Statement MoveSequencePosition(const std::string& manifest_schema, const SequenceInfo& sequence,
                               uint32_t oid, const std::string& high, const std::string& low,
                               const IdentifierQuoter& quote);

// --- After the copy ------------------------------------------------------

// SELECT count(*) FROM ONLY scratch table `schema`.`table`.
Statement CountScratchRows(const std::string& schema, const std::string& table,
                           const IdentifierQuoter& quote);

// The columns of scratch table `schema`.`table` whose type or modifier
// differs from the column of that name of source table `source_oid`:
// (column, source type, scratch type), by position.
Statement ScratchColumnsDiffering(const std::string& schema, const std::string& table,
                                  uint32_t source_oid);

// --- The streaming export ------------------------------------------------

// SELECT last_value as text, is_called of sequence `schema`.`name`. The
// name is resolved when the statement runs, and may lead elsewhere by
// then (a view, after a rename of the schema): run it as the sequence's
// owner (OwnerOfSequence in manifest.h), in a schema only a superuser or
// that owner controls (CheckSchemaOwnersTrusted in preflight.h).
Statement ReadSequence(const std::string& schema, const std::string& name,
                       const IdentifierQuoter& quote);

// SELECT the size in bytes of table `oid`, or of every member of its
// partition tree if `partitioned`.
Statement RelationSize(uint32_t oid, bool partitioned);

}  // namespace scrub
