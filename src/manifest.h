// The manifest a run records in its build schema, which becomes the
// target (the tables are kManifestColumns in facts.h, created by
// CreateManifest in sqlgen.h): the run (_scrub_run), each table
// (_scrub_tables) and each sequence's position (_scrub_sequences). Pure
// C++ over the Database interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "database.h"
#include "plan.h"
#include "run.h"

namespace scrub {

// Records one table in _scrub_tables: copied or not, its row counts,
// columns kept and scrubbed, each column's rule, its row filter, its leak
// counts and its source signature. `report` is null for a table copied
// without rows.
void RecordTable(Database& db, const std::string& build_schema, const IdentifierQuoter& quote,
                 const std::string& signature_function, const TablePlan& table,
                 const TableReport* report, const std::string& scratch_schema);

// Locks every sequence (by OID) and fails (40001) unless each name still
// names the sequence the catalog read found.
void LockSequences(Database& db, const std::vector<SequenceInfo>& sequences);

// A sequence's position as a restore sets it (setval's value and is_called).
struct SequencePosition {
    std::string last_value;
    bool is_called = false;
};

// The role whose rights read a sequence's value: its owner.
TableOwner OwnerOfSequence(const SequenceInfo& sequence);

// Reads the sequence's position by its name as its owner, in a
// security-restricted operation: the name is resolved when the statement
// runs, and whatever it leads to runs then with the owner's rights, not
// the caller's. None if it gives no row; ReadSequencePosition fails then.
std::optional<SequencePosition> ReadSequencePositionIfAny(Database& db,
                                                          const SequenceInfo& sequence,
                                                          const IdentifierQuoter& quote);
SequencePosition ReadSequencePosition(Database& db, const SequenceInfo& sequence,
                                      const IdentifierQuoter& quote);

// LockSequences, then records each sequence's position in _scrub_sequences.
void RecordSequences(Database& db, const std::vector<SequenceInfo>& sequences,
                     const std::string& build_schema, const IdentifierQuoter& quote);

// Moves the recorded position of each sequence a scrubbed integer column
// of `table` draws from past the values the copy wrote.
void MoveSequencesPastCopy(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                           const std::string& scratch_schema, const std::string& manifest_schema,
                           const IdentifierQuoter& quote);

// Records the run in _scrub_run: source schema, allowlist and its digest,
// extension version, start and end, backend and run snapshot.
void RecordRun(Database& db, const RunOptions& options, const std::string& build_schema,
               const IdentifierQuoter& quote, const std::string& started_at,
               const std::string& run_snapshot);

}  // namespace scrub
