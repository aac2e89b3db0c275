// What a run checks after copying, on its scratch tables (an export
// checks the same over its scrubbing SELECTs): that the copy wrote every
// row, that no code added rows or
// changed column types meanwhile, the leak counts, that the scrubbed rows
// satisfy the constraints and indexes a restore builds, that filtered and
// hashed foreign keys still match, and that nothing outside the copy was
// made to depend on it. Pure C++ over the Database interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "database.h"
#include "plan.h"
#include "run.h"

namespace scrub {

// Fails (XX001), naming the table, unless the copy wrote as many rows
// (`copied`) as the source has at the run snapshot (`source_rows`).
void CheckCopiedEveryRow(const TableInfo& table, uint64_t source_rows, uint64_t copied);

// Fails (42501) unless the scratch table holds exactly the rows the copy
// wrote (counted with the caller's rights, after the owner's grant is gone).
void CheckNoRowsAdded(Database& db, const TablePlan& table, const TableReport& report,
                      const std::string& source_schema, const std::string& build_schema,
                      const IdentifierQuoter& quote);

// Fails (40001) unless each scratch column has its source column's type
// and modifier.
void CheckScratchColumnsMatch(Database& db, const TablePlan& table,
                              const std::string& source_schema, const std::string& build_schema);

// Per column of LeakCheckedColumns (sqlgen.h): how many scrubbed values
// equal a source value, counted as the table's owner.
std::vector<std::pair<std::string, uint64_t>> CountLeaks(Database& db, const TablePlan& table,
                                                         const std::string& build_schema,
                                                         const IdentifierQuoter& quote);

// Fails (23000) naming every column with a leaked value.
void ThrowIfLeaked(const std::vector<TableReport>& reports);

// Fails (23503, or 42501 if the probe would run another role's code)
// naming every filtered or hashed foreign key whose copied rows point
// nowhere. `build_schema_of` gives the scratch schema of a source schema;
// with `rows_of`, the probes read those SELECTs (an export) instead.
void CheckFilteredForeignKeys(
    Database& db, const Plan& plan, const SourceCatalog& catalog,
    const std::function<std::string(const std::string& schema)>& build_schema_of,
    const std::string& caller, const IdentifierQuoter& quote,
    const std::function<std::string(const TablePlan& table)>& rows_of = {});

// Fails, naming the copy by its target, if an object outside
// `build_schema` was made to depend on it during the run.
void CheckNothingMadeOnCopy(Database& db, const std::string& build_schema,
                            const std::string& target);

// Constraints a fake may break, found on the scratch rows of one table:
// unique indexes whose keys may repeat, CHECKs that read scrubbed columns,
// NOT NULL generated columns computed from them.
struct Violations {
    std::vector<std::string> unique;
    std::vector<std::string> checks;
    std::vector<std::string> not_null;
};

// Adds to `violations` what the faked rows of `table` break; `scrubbed_rows`
// (an export's typed ScrubbingSelect) replaces the scratch table if given.
void FindViolations(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                    const std::string& source_schema, const std::string& build_schema,
                    const IdentifierQuoter& quote, Violations& violations,
                    const std::string& scrubbed_rows = {});

// Fails (23505, 23514, 23502, or 23000 for several kinds) naming every
// violated constraint.
void ThrowIfViolated(const Violations& violations);

}  // namespace scrub
