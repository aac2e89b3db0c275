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

// The scratch schema a run into target schema `target` builds the copy of
// another source schema `schema` in: "<target>__<schema>" (the target
// itself holds the source schema's copy and the manifest). Throws
// ScrubError (42622) when that name has more than 63 bytes, which
// PostgreSQL would cut short.
std::string ScratchSchemaName(const std::string& target, const std::string& schema);

struct ColumnPlan {
    ColumnInfo column;
    bool keep = false;  // copied verbatim; otherwise scrubbed by its rule
    // What the copy makes of its values when not kept (BuildPlan sets it
    // to kKeep exactly when `keep`; `keep` decides, so a plan written as
    // {column, true} keeps the column whatever the rule says).
    ColumnRule rule;
    // For rule hash: the type the values are hashed as and its length limit
    // (-1: none). A column whose foreign key points at a hashed key is
    // hashed as that key is, so that equal values stay equal (rules.h).
    ScalarType hash_type;
    int hash_max_length = -1;
    // For rule hash on text: the collation under which values are lower()ed
    // before hashing, so that values the key's equality holds equal (citext:
    // 'Alice' = 'alice') get one pseudonym; empty: hashed as they are. Set
    // by the key a foreign key points at, not by the column's own type.
    std::string hash_fold;

    // True if the type's default fake replaces the values (fake.h).
    bool DefaultFake() const { return !keep && rule.kind == RuleKind::kFake; }
    // The rule's name as the manifest records it: "keep", "fake", "email", ...
    std::string RuleName() const { return keep ? "keep" : rule.Name(); }
};

struct TablePlan {
    const TableInfo* table = nullptr;
    bool copy_rows = false;           // false: structure only, no rows
    std::vector<ColumnPlan> columns;  // generated columns left out
    std::string key;                  // the allowlist key naming the table, or empty
    std::string row_filter;           // rows {"where": ...}: the boolean expression

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

// The scrubbed columns that `columns` of the table read, in the table's
// order: each one named, and those a generated one among them is computed
// from.
std::vector<std::string> ScrubbedColumnsRead(const TablePlan& table,
                                             const std::vector<std::string>& columns);

// Whether any of `columns` of the table is scrubbed, or is a generated
// column computed from a scrubbed one.
bool ReadsScrubbed(const TablePlan& table, const std::vector<std::string>& columns);

// The unique indexes of a table copied with rows that read a scrubbed
// column (in a key column, a key expression or the predicate of a partial
// index): the run looks for duplicates in the scratch rows. (An index that
// reads kept columns only holds as in the source; one over plain columns
// with a unique fake among its keys holds by construction.)
std::vector<const Index*> UniqueIndexesToVerify(const TablePlan& table,
                                                const SourceCatalog& catalog);

// The other indexes of such a table whose key expressions or predicate
// read a scrubbed column: a restore evaluates them when it builds the
// index, so the run evaluates them on the scratch rows first.
std::vector<const Index*> IndexesToEvaluate(const TablePlan& table, const SourceCatalog& catalog);

// The generated columns of such a table computed from a scrubbed column: a
// restore computes them from the fakes, so the run does first.
std::vector<const ColumnInfo*> GeneratedToEvaluate(const TablePlan& table);

// Builds the plan; throws ScrubError naming every missing table or column
// (42704), every partition named instead of its root (22023), every column
// whose type has no fake (0A000), or a clash with the manifest (42P07).
Plan BuildPlan(const Allowlist& allowlist, const SourceCatalog& catalog,
               const std::string& source_schema);
// The plan points into the catalog, so the catalog must outlive it.
Plan BuildPlan(const Allowlist&, SourceCatalog&&, const std::string&) = delete;

}  // namespace scrub
