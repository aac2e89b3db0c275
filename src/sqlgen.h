// SQL text for the copy and the checks over the plan; the checks before a
// run writes have theirs in sqlgen_checks.h, the run's other steps in
// sqlgen_run.h. Pure functions of the plan and names;
// identifiers go through the quoter handed in, values become parameters.
#pragma once

#include <string>
#include <vector>

#include "plan.h"
#include "statement.h"

namespace scrub {

// LOCK TABLE ... IN ACCESS SHARE MODE over every table whose rows are
// read, of every schema: one statement, so one wait, before the snapshot.
Statement LockSourceTables(const Plan& plan, const IdentifierQuoter& quote);

// CREATE TABLE in the build schema with the table's copied columns, their
// exact types, and no constraints, defaults or indexes.
Statement CreateScratchTable(const TablePlan& table, const std::string& build_schema,
                             const IdentifierQuoter& quote);

// The SELECT of the copy (without its INSERT): the scrubbed rows of the
// table, in its copied columns' order. `typed` casts every fake to its
// column's type and names each output column as the table does, for a
// SELECT that a client's COPY reads, or a check reads as a table
// (scrub_export_plan); values are bound to `statement`. A non-empty
// `hash_token` (the run's, see pg_functions.h) goes into every scrub_hash
// call as a bound parameter; empty, scrub_hash is called without one,
// which only a superuser may. A token is never inlined: with
// `statement.inline_values` it must be empty.
std::string ScrubbingSelect(const TablePlan& table, const std::string& source_schema,
                            const IdentifierQuoter& quote, const std::string& extension_schema,
                            Statement& statement, bool typed, const std::string& hash_token = "");

// One INSERT ... SELECT that copies every row the table's filter keeps,
// each column as its rule says (RuleExpression, FakeExpression); scrub's
// functions are qualified with `extension_schema`.
Statement CopyRows(const TablePlan& table, const std::string& source_schema,
                   const std::string& build_schema, const IdentifierQuoter& quote,
                   const std::string& extension_schema, const std::string& hash_token = "");

// The value a column with a rule other than fake and sql gets, from its
// source value `value` and the row number `seed` (bigint): the rule's
// function of the extension's schema, cast to the column's type, with
// values bound as parameters of `statement`. NULL stays NULL. The hash
// rule's scrub_hash call takes `hash_token` (the run's permit, see
// pg_functions.h) as a bound parameter, never as text of the query (it
// throws if `statement` inlines its values); an empty token, none.
std::string RuleExpression(const ColumnPlan& column, const std::string& value,
                           const std::string& seed, const std::string& extension_schema,
                           const IdentifierQuoter& quote, Statement& statement,
                           const std::string& hash_token = "");

// The rows of a source table as a FROM item: ONLY the table; a
// partitioned table through its root; or, for a partitioned table with a
// foreign partition, the UNION ALL of its local leaf partitions'
// `columns` (any schema). Foreign partitions are never read: their rows
// live on another server, and a restore would send copies there.
std::string SourceRows(const TableInfo& table, const std::string& source_schema,
                       const std::vector<std::string>& columns, const IdentifierQuoter& quote);

// SELECT count(*) of a source table's rows, as SourceRows reads them, of
// those `filter` (FilterCondition, over the alias src) keeps if given.
Statement CountRows(const TableInfo& table, const std::string& source_schema,
                    const IdentifierQuoter& quote, const std::string& filter = {});

// GRANT (or REVOKE) what a table's owner needs to fill and check its one
// scratch table: USAGE on the build schema, INSERT and SELECT on the table.
std::vector<Statement> ScratchTableAccess(bool grant, const std::string& build_schema,
                                          const std::string& table, const std::string& role,
                                          const IdentifierQuoter& quote);

// SELECT EXISTS: a row of the source table (as SourceRows reads them) with
// a value in every one of `columns`, among those `filter` keeps if given.
Statement AnyRowWithValues(const TableInfo& table, const std::string& source_schema,
                           const std::vector<std::string>& columns, const IdentifierQuoter& quote,
                           const std::string& filter = {});

// SELECT EXISTS: a scratch row of the foreign key's table with a value in
// every key column that no scratch row of the referenced table matches,
// under the constraint's own equality operators.
// The two tables may live in different scratch schemas (one per source
// schema): `build_schema` holds the referencing table's copy,
// `referenced_build_schema` the referenced one's.
//
// The checks below read the scratch table; given `rows` (a SELECT, the
// typed ScrubbingSelect), they read its rows instead, so that an export
// checks the rows it streams without writing them anywhere.
Statement AnyRowPointingNowhere(const std::string& build_schema,
                                const std::string& referenced_build_schema, const ForeignKey& key,
                                const IdentifierQuoter& quote, const std::string& rows = {},
                                const std::string& referenced_rows = {});

// One scan of a scratch table: for each check, whether any row fails it
// (a CHECK fails when its expression is false, not when it is NULL). The
// table's generated columns that the checks read are computed from their
// expressions.
Statement FindCheckViolations(const std::string& schema, const TableInfo& table,
                              const std::vector<const CheckConstraint*>& checks,
                              const IdentifierQuoter& quote, const std::string& rows = {});

// SELECT EXISTS: two scratch rows with equal keys (columns or
// expressions, under the index's collations) among those the index's
// predicate selects; rows with a NULL key do not count, unless NULLS NOT
// DISTINCT. Generated columns the index reads are computed.
Statement FindDuplicates(const std::string& schema, const TableInfo& table, const Index& index,
                         const IdentifierQuoter& quote, const std::string& rows = {});

// Evaluates the index's predicate on every scratch row and its keys on
// those it selects, as building the index does; the result is a count.
Statement EvaluateIndex(const std::string& schema, const TableInfo& table, const Index& index,
                        const IdentifierQuoter& quote, const std::string& rows = {});

// Computes the generated column from its expression over every scratch
// row, cast to its type; the result says whether any value came out NULL.
Statement EvaluateGenerated(const std::string& schema, const TableInfo& table,
                            const ColumnInfo& column, const IdentifierQuoter& quote,
                            const std::string& rows = {});

// The functions of the extension's schema the copy of `table` calls, each
// with the rule and column that call it: (function, "rule \"email\" of
// column \"t.c\""), in column order. Rules added after 0.1.0 call
// functions that version's SQL objects lack.
std::vector<std::pair<std::string, std::string>> ExtensionFunctionsCalled(const TablePlan& table);

// The manifest tables (kManifestColumns in facts.h), created empty in the
// build schema.
std::vector<Statement> CreateManifest(const std::string& build_schema,
                                      const IdentifierQuoter& quote);

// The scrubbed columns of a copied table whose values the leak check
// compares with the source's: those of a text type (text, varchar, char,
// name, citext), bytea, json, jsonb, uuid, inet or cidr, or an array of
// one, whose rule is not null or a constant (rules that write no value, or
// one chosen by the allowlist's author). Keep is not scrubbed; hash, sql,
// realistic, json and default fakes are measured.
std::vector<std::string> LeakCheckedColumns(const TablePlan& table);

// One statement, run as the table's owner under the run snapshot (which
// sees the scratch rows the run wrote): per column of LeakCheckedColumns,
// how many non-NULL scratch values equal some value of the same column in
// the source (every source row, a row filter's rejects too), compared as
// text in the C collation (byte for byte). Rows (column number 1..n,
// count) for the columns with a count above zero. One scan of each side:
// the columns are unpivoted into (column number, value) pairs, and the
// scratch pairs are semi-joined to the source pairs on both.
Statement LeakCount(const TablePlan& table, const std::string& build_schema,
                    const IdentifierQuoter& quote);

}  // namespace scrub
