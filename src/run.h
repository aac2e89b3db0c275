// The three entry points over one plan of the allowlist: RunScrub (one
// scrub run: validate, plan, lock, snapshot, copy, verify, record the
// manifest and swap the new schema in), PlanScrub (scrub_plan: the plan
// and every problem the run would fail on, writing nothing) and
// ExportScrub (the streaming export: scrub_export_plan's plan,
// scrub_export_check's checks and scrub_export_sequences' values). Pure C++ over the Database
// interface.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allowlist.h"
#include "database.h"
#include "facts.h"

namespace scrub {

struct RunOptions {
    std::string allowlist_json;  // jsonb's text form, in the server's encoding
    // The allowlist's JSON parser reads UTF-8 only: in a database of another
    // encoding the text is converted to UTF-8 for it, and the names it finds
    // back. Unset: the server's encoding is UTF-8 (or SQL_ASCII).
    EncodingConverter to_utf8;
    EncodingConverter from_utf8;
    std::string target_schema = kDefaultTargetSchema;
    std::string source_schema = kDefaultSourceSchema;
    // The schema scrub's SQL objects are installed in (pg_extension): the
    // copy calls scrub_fake_text(), scrub_hash() and scrub_json_keep()
    // qualified with it.
    std::string extension_schema;
    // Strict mode: every table and column decided (BuildPlan).
    bool strict = false;
    // Fail the run (23000) when any scrubbed value equals a source value
    // of its column (the counts are recorded in _scrub_tables.leaked
    // either way).
    bool leak_check = false;
    // Called once, when the plan hashes some column: opens the run's
    // permit to call scrub_hash and returns its token, which the copy
    // binds as a parameter of every scrub_hash call. Unset: no token (only
    // a superuser's run can then hash).
    std::function<std::string()> open_hash_permit;
};

// One line of the report scrub_to_schema returns, per table copied with rows.
struct TableReport {
    std::string table_name;
    uint64_t rows = 0;
    int columns_kept = 0;
    int columns_scrubbed = 0;
    double milliseconds = 0;
    // Per column the leak check measured (sqlgen.h, LeakCheckedColumns),
    // in the table's order: how many scrubbed values equal a source value.
    std::vector<std::pair<std::string, uint64_t>> leaks;
};

// One row of scrub_plan: a column of a table the run covers, and what the
// run would do with it; or, with no column, a problem of a whole table; or
// an allowlist entry that names nothing the catalog holds. NULL: nullopt.
struct PlanRow {
    std::string table_name;  // as the run reports it: bare in source_schema, else its key
    std::optional<std::string> column_name;
    std::optional<std::string> type;
    std::optional<std::string> decision;
    std::optional<std::string> reason;
    std::optional<std::string> why;
    std::optional<std::string> problem;  // what the run would fail on, one line each
};

// scrub_plan: plans as RunScrub does (same parse, catalog read, BuildPlan
// and checks) but collects every problem instead of failing on the first
// kind, and writes and locks nothing (no run lock, no LOCK TABLE). The
// checks that count rows or probe foreign keys read the source as the
// tables' owners, like the run; the allowlist's expressions and the hash
// key are checked by CheckRulesOnServer, each in a subtransaction whose
// error becomes a problem of its entry. With such a problem, each probe
// runs in a subtransaction too: one that fails (on the broken expression)
// adds nothing, the others add what they find.
std::vector<PlanRow> PlanScrub(Database& db, const RunOptions& options);

// What scrub_export_plan gives a client for one table copied with rows.
struct ExportTable {
    std::string schema;
    std::string name;
    std::vector<std::string> columns;  // the copied columns, in the table's order
    std::string select_sql;            // the typed ScrubbingSelect, values inlined: no parameters
    std::string owner;
    // The caller owns the table (and so its partitions): a client may run
    // the SELECT with its own rights, which are the owner's.
    bool owned_by_caller = false;
    bool uses_hash = false;  // calls scrub_hash, which only superusers may call outside a run
    uint64_t estimated_bytes = 0;
};

struct ExportSequence {
    std::string schema;
    std::string name;
    std::string last_value;
    bool is_called = false;
};

enum class ExportMode {
    kPlan,       // plan, lock, snapshot checks; the tables
    kCheck,      // every check a run makes, over the scrubbing SELECTs
    kSequences,  // the sequences' values, read under their locks
};

struct ExportResult {
    std::vector<ExportTable> tables;
    std::vector<ExportSequence> sequences;
};

// The streaming export's side of a run, in the caller's transaction
// (REPEATABLE READ, READ ONLY: its snapshot is the one exported to the
// client's other sessions). Writes nothing: no scratch schema, no lock
// but ACCESS SHARE on the tables read and those on the sequences.
ExportResult ExportScrub(Database& db, const RunOptions& options, ExportMode mode);

// Runs the whole job inside the caller's transaction; throws ScrubError (or
// any exception) on failure, leaving the transaction to roll everything back.
std::vector<TableReport> RunScrub(Database& db, const RunOptions& options);

}  // namespace scrub
