// One scrub run: validate, plan, lock, snapshot, copy, verify, record the
// manifest and swap the new schema in. Pure C++ over the Database interface.
#pragma once

#include <string>
#include <vector>

#include "database.h"

namespace scrub {

struct RunOptions {
    std::string allowlist_json;  // jsonb's text form
    std::string target_schema = "scrubbed";
    std::string source_schema = "public";
};

// One line of the report scrub_to_schema returns, per table copied with rows.
struct TableReport {
    std::string table_name;
    uint64_t rows = 0;
    int columns_kept = 0;
    int columns_scrubbed = 0;
    double milliseconds = 0;
};

// Runs the whole job inside the caller's transaction; throws ScrubError (or
// any exception) on failure, leaving the transaction to roll everything back.
std::vector<TableReport> RunScrub(Database& db, const RunOptions& options);

}  // namespace scrub
