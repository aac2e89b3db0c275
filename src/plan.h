// Planning: matches the allowlist against the source catalog and decides,
// per table, whether rows are copied and which columns are kept or faked.
// Every problem is collected first so one error names them all.
#pragma once

#include <string>
#include <vector>

#include "allowlist.h"
#include "catalog.h"
#include "facts.h"

namespace scrub {

// The scratch schema a run into target schema `target` builds the copy of
// another source schema `schema` in: "<target>__<schema>"
// (kScratchSchemaSeparator; the target itself holds the source schema's
// copy and the manifest). Throws ScrubError (42622) when that name has
// more than kMaxNameBytes, which PostgreSQL would cut short.
std::string ScratchSchemaName(const std::string& target, const std::string& schema);

// One thing a run would fail on, found while planning: the run throws
// each kind as one error naming every entry (the `text` lines are its
// detail); scrub_plan lists them per column instead.
struct Problem {
    std::string schema;  // the table's schema
    std::string table;   // the table (one the allowlist names may not exist)
    std::string column;  // empty: the problem is the whole table's
    std::string text;    // the line the run's error detail gives
};

// Where planning puts the problems it finds: nullptr makes each check
// throw its ScrubError as the run always has.
using Problems = std::vector<Problem>;

// Throws ScrubError(code, message, every line of `found`, hint) when
// `sink` is null and `found` is not empty; otherwise appends `found` to
// `sink`. Every check that refuses a plan reports through it, so the run
// and scrub_plan share one set of checks.
void Refuse(Problems* sink, const Problems& found, const char* code, const std::string& message,
            const std::string& hint);

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
    // The foreign key that made this column hashed (SpreadHash), when the
    // allowlist gave it no rule of its own; empty otherwise.
    std::string hashed_through;
    // For rule sql: the expression cast to the column's type as the
    // owner-rights check analysed it, written back with every name pinned
    // (Database::ForeignObjectsIn); empty until CheckRulesOnServer or
    // PinExpressions sets it. Every statement uses it (SqlRuleText).
    std::string pinned_sql;

    // True if the type's default fake replaces the values (fake.h).
    bool DefaultFake() const { return !keep && rule.kind == RuleKind::kFake; }
    // Scrubbed by the hash rule: its values become keyed pseudonyms.
    bool Hashed() const { return !keep && rule.kind == RuleKind::kHash; }
    // The rule's name as the manifest records it: "keep", "fake", "email", ...
    std::string RuleName() const { return keep ? "keep" : rule.Name(); }
};

struct TablePlan {
    const TableInfo* table = nullptr;
    bool copy_rows = false;           // false: structure only, no rows
    std::vector<ColumnPlan> columns;  // generated columns left out
    std::string key;                  // the allowlist key naming the table, or empty
    std::string row_filter;           // rows {"where": ...}: the boolean expression
    // row_filter as the owner-rights check analysed it, every name pinned
    // (as pinned_sql of ColumnPlan); what every statement uses
    // (FilterCondition). The manifest and errors name row_filter.
    std::string pinned_filter;
    const AllowlistEntry* entry = nullptr;  // the allowlist entry naming the table, or null

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
// whose type has no fake (0A000), or a clash with the manifest (42P07);
// with `strict`, every table or column the allowlist leaves undecided
// (StrictProblems, 22023). With `problems`, nothing is thrown for these:
// each is appended there and the plan is built as far as it can be.
Plan BuildPlan(const Allowlist& allowlist, const SourceCatalog& catalog,
               const std::string& source_schema, bool strict = false, Problems* problems = nullptr);
// The plan points into the catalog, so the catalog must outlive it.
Plan BuildPlan(const Allowlist&, SourceCatalog&&, const std::string&, bool = false,
               Problems* = nullptr) = delete;

// Strict mode (docs/allowlist.md): every table of a covered schema must be
// listed, and every column of a table copied with rows decided. A column
// is decided when the allowlist names it (in the plain form, a listed
// column is kept), when it is generated (recomputed from the copied row),
// or when a foreign key to a hashed key hashes it (ColumnPlan::
// hashed_through). Returns one problem per undecided table or column, in
// plan order, after ApplyRules has run.
Problems StrictProblems(const Plan& plan, const std::string& source_schema);

// The allowlist text a strict run's hint proposes for `undecided`: one
// entry per table, valid JSON to paste into the allowlist object. An
// unlisted table gets [] (no rows, as now); the undecided columns of a
// listed table get "fake" (what the run does now), and a table written in
// the plain form is rewritten in the object form with its listed columns
// as "keep".
std::string StrictFragment(const Plan& plan, const Problems& undecided,
                           const std::string& source_schema);

// How a column is decided, for scrub_plan: the decision ("keep", a rule
// name, "generated" or "no rows") and the reason ("listed", "rule",
// "default fake", "table not listed", "table listed without rows",
// "generated", "hashed through foreign key \"k\"").
struct Decision {
    std::string decision;
    std::string reason;
    std::string why;
};
Decision DecisionOf(const TablePlan& table, const ColumnInfo& column);

}  // namespace scrub
