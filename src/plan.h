// Planning: matches the allowlist against the source catalog and decides,
// per table, whether rows are copied and which columns are kept or faked.
// Every problem is collected first so one error names them all.
#pragma once

#include <string>
#include <vector>

#include "allowlist.h"
#include "catalog.h"

namespace scrub {

// Names scrub reserves in the target schema for its manifest.
inline constexpr const char* kManifestRunTable = "_scrub_run";
inline constexpr const char* kManifestTablesTable = "_scrub_tables";
inline constexpr const char* kManifestSequencesTable = "_scrub_sequences";

struct ColumnPlan {
    ColumnInfo column;
    bool keep = false;  // copied verbatim; otherwise replaced by a fake
};

struct TablePlan {
    const TableInfo* table = nullptr;
    bool copy_rows = false;           // false: structure only, no rows
    std::vector<ColumnPlan> columns;  // generated columns left out

    size_t KeptCount() const;
    size_t ScrubbedCount() const;
    std::vector<std::string> ColumnNames(bool kept) const;
};

struct Plan {
    std::vector<TablePlan> tables;  // one per table outside any partition tree's leaves
};

// A foreign key that the scrubbed rows cannot satisfy if any copied row has
// a value in every one of its columns (rows with a NULL there are exempt).
struct ForeignKeyRisk {
    const ForeignKey* key = nullptr;
    std::string reason;  // why the copied values would point nowhere
};

// The foreign keys of tables copied with rows whose referenced rows are not
// copied, or whose columns on either side are scrubbed.
std::vector<ForeignKeyRisk> ForeignKeysAtRisk(const Plan& plan, const SourceCatalog& catalog,
                                              const std::string& source_schema);

// The CHECK constraints of a table copied with rows that read a scrubbed
// column: fakes may violate them, so the run evaluates them on the scratch
// table, as the table's owner. (Constraints on kept columns only hold as
// they did in the source.)
std::vector<const CheckConstraint*> ChecksToVerify(const TablePlan& table,
                                                   const SourceCatalog& catalog);

// The unique indexes of a table copied with rows whose scrubbed key
// columns all have fakes that may repeat: the run looks for duplicates in
// the scratch rows. (An index with a kept-only key holds as in the source;
// one with a unique fake among its columns holds by construction.)
std::vector<const UniqueIndex*> UniqueIndexesToVerify(const TablePlan& table,
                                                      const SourceCatalog& catalog);

// Builds the plan; throws ScrubError naming every missing table or column
// (42704), every partition named instead of its root (22023), every column
// whose type has no fake (0A000), or a clash with the manifest (42P07).
Plan BuildPlan(const Allowlist& allowlist, const SourceCatalog& catalog,
               const std::string& source_schema);
// The plan points into the catalog, so the catalog must outlive it.
Plan BuildPlan(const Allowlist&, SourceCatalog&&, const std::string&) = delete;

}  // namespace scrub
