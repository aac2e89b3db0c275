// One scrub run: validate, plan, lock, snapshot, copy, verify, record the
// manifest and swap the new schema in. Pure C++ over the Database interface.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "database.h"

namespace scrub {

// Converts text between the server's encoding and UTF-8.
using EncodingConverter = std::function<std::string(const std::string&)>;

struct RunOptions {
    std::string allowlist_json;  // jsonb's text form, in the server's encoding
    // The allowlist's JSON parser reads UTF-8 only: in a database of another
    // encoding the text is converted to UTF-8 for it, and the names it finds
    // back. Unset: the server's encoding is UTF-8 (or SQL_ASCII).
    EncodingConverter to_utf8;
    EncodingConverter from_utf8;
    std::string target_schema = "scrubbed";
    std::string source_schema = "public";
    // The schema scrub's SQL objects are installed in (pg_extension): the
    // copy calls scrub_fake_text(), scrub_hash() and scrub_json_keep()
    // qualified with it.
    std::string extension_schema;
    // Fail the run (23000) when any scrubbed value equals a source value
    // of its column (the counts are recorded in _scrub_tables.leaked
    // either way).
    bool leak_check = false;
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

// Runs the whole job inside the caller's transaction; throws ScrubError (or
// any exception) on failure, leaving the transaction to roll everything back.
std::vector<TableReport> RunScrub(Database& db, const RunOptions& options);

}  // namespace scrub
