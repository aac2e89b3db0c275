// SQL text for the checks a run makes before it writes: the objects
// outside the target schema that depend on it, the build schema's name,
// the functions in the extension's schema, and the probes of the
// allowlist's rules on the server (the key, constants, filters, sql rules
// and hash collisions). Pure functions of the plan and names; identifiers
// go through the quoter handed in, values become parameters, and every
// function, operator and type outside the allowlist's own expressions is
// pg_catalog-qualified.
#pragma once

#include <string>
#include <vector>

#include "plan.h"
#include "statement.h"

namespace scrub {

// --- Preflight -----------------------------------------------------------

// Each dependency of an object outside schema `target` on an object inside
// it (what DROP SCHEMA ... CASCADE would drop with the schema), one line
// each ("view x depends on table y."), found by walking pg_depend from the
// schema; a view is named rather than its _RETURN rule.
Statement OutsideDependents(const std::string& target);

// A fresh build schema's name: kBuildSchemaPrefix, the backend's pid, and
// 128 random bits.
Statement NewBuildSchemaName();

// CREATE SCHEMA `schema`.
Statement CreateSchema(const std::string& schema, const IdentifierQuoter& quote);

// The functions, procedures and aggregates of the schema extension scrub
// is installed in that are not members of scrub but share a member's name:
// ("function x(int), owned by role r", the schema), by name.
Statement ExtensionImpostors();

// The schema extension scrub is installed in, and whether it holds a
// function named scrub_table_signature ("t" or "f"); no row if scrub is
// not installed.
Statement ExtensionSchemaAndSignature();

// Of the tables (copied with rows) and sequences with OIDs `oids`, what a
// run names in a schema whose owner is neither a superuser nor the
// relation's owner (pg_database_owner counting as the database's owner):
// the relation and every member of its partition tree, and the types of
// their columns (and the element types of arrays). Rows (relation's
// schema, its name, what is named, its schema, the schema's owner as
// 'role "name"', with the database's owner after pg_database_owner, the
// relation's owner), in that order.
Statement SchemasOfOtherOwners(const std::vector<std::string>& oids);

// The schema extension scrub is installed in, its owner as 'role "name"'
// (with the database's owner after pg_database_owner), and whether that
// owner is a superuser ("t"/"f"; for pg_database_owner, the database's
// owner); no row if scrub is not installed.
Statement ExtensionSchemaOwner();

// The version of extension scrub and the names of its member functions,
// one row each: (extversion, proname); no row if it has none.
Statement ExtensionMemberFunctions();

// --- The rules' probes ---------------------------------------------------

// SELECT `extension_schema`.scrub_hash(0), with the run's `hash_token` as a
// parameter (without one if empty: the superuser-only form): fails unless
// the key is readable.
Statement ProbeHashKey(const std::string& extension_schema, const std::string& hash_token,
                       const IdentifierQuoter& quote);

// The column's constant, bound as text, cast to the column's type: fails
// unless it is a valid value of the type.
Statement CastConstant(const ColumnPlan& column);

// The table's row filter as the allowlist wrote it, in the WHERE of a
// SELECT over ONLY the table AS src that returns nothing: what the
// ownership check analyses and deparses (PinFilter in rules.cpp).
Statement AnalyseFilter(const TablePlan& table, const IdentifierQuoter& quote);

// The column's sql rule as the allowlist wrote it, cast to the column's
// type, as the output and in the WHERE of a SELECT over ONLY the table AS
// src that returns nothing: WHERE refuses aggregates, window and
// set-returning functions.
Statement AnalyseSqlRule(const TablePlan& table, const ColumnPlan& column,
                         const IdentifierQuoter& quote);

// The table's pinned filter (FilterCondition) over `rows` (a FROM item
// with alias src, as SourceRows reads the table), returning nothing: for
// planning.
Statement PlanFilter(const TablePlan& table, const std::string& rows);

// The column's pinned sql rule (SqlRuleText) cast to the column's type
// over `rows`, as PlanFilter.
Statement PlanSqlRule(const ColumnPlan& column, const std::string& rows);

// SELECT count(DISTINCT hash input) of a hashed column (HashInput) over
// the table's rows its filter keeps.
Statement CountDistinctHashInputs(const TablePlan& table, const ColumnPlan& column,
                                  const IdentifierQuoter& quote);

// SELECT count(DISTINCT value as text) of the column's hashes: in scratch
// table `build_schema`.table, or, given `rows` (the typed
// ScrubbingSelect), in those rows.
Statement CountDistinctHashes(const TablePlan& table, const ColumnPlan& column,
                              const std::string& build_schema, const std::string& rows,
                              const IdentifierQuoter& quote);

}  // namespace scrub
