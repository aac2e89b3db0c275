// Column rules: what each column of a copied table becomes (keep, fake,
// null, a constant, a realistic fake, a keyed hash, a JSON skeleton, an
// SQL expression; ApplyRules), the spreading of hash along foreign keys,
// the plan-time refusals, the checks on the server before anything is
// copied (CheckRulesOnServer, PinExpressions, CheckRealisticFit), the
// hash collision check after the copy (CheckHashCollisions), and the
// expression fragments the statements splice in (HashInput,
// FilterCondition, SqlRuleText). Pure C++: no PostgreSQL headers,
// unit-tested in test/unit/rules_test.cpp.
#pragma once

#include <string>

#include "database.h"
#include "plan.h"

namespace scrub {

// The type scrub_hash() hashes a column of this scalar type as:
// "pg_catalog.int2", "pg_catalog.int4", "pg_catalog.int8",
// "pg_catalog.uuid" or "pg_catalog.text"; empty when it has no overload
// for it (a domain is hashed as its base type).
std::string HashAs(const ScalarType& type);

// Completes the rules of a plan whose columns have their allowlist rules
// (BuildPlan calls it), then refuses every rule that cannot work on its
// column, each kind in one error naming every entry:
// - a realistic, json or hash rule on a type it cannot fill (42804);
// - null on a NOT NULL column (23502);
// - a constant on a column a unique index reads (23505);
// - a foreign key a hash would break (23503): when a referenced key column
//   is hashed, every column whose foreign key points at it and that the
//   allowlist does not name is hashed the same way (as the key's type and
//   normalisation, so values the key's equality holds equal stay equal);
//   a referencing column named with another rule, a hashed referencing
//   column whose key is not hashed, one whose type cannot hold the key's
//   hashes, or one referencing two hashed keys whose hashes differ, fails
//   naming the constraint;
// - a hashed column whose equality is not equality of bytes: a
//   nondeterministic collation on it or on a unique index's key over it
//   (0A000).
// With `problems`, nothing is thrown: each refusal is appended there.
void ApplyRules(Plan& plan, const SourceCatalog& catalog, Problems* problems = nullptr);

// The checks that need the server, run after the run snapshot is taken and
// before any row is copied, each as the table's owner (whose rights the
// copy has): each constant cast to its column's type; each sql expression
// and row filter parsed as one expression (Database::IsOneExpression) and
// planned over the table (a filter must be boolean, an expression must
// cast to the column's type). The first failure ends the run, naming its
// allowlist entry and column, with PostgreSQL's error in the detail. When
// a column is hashed, scrub_hash() (of the extension's schema) is called
// once first, with the run's `hash_token` bound as a parameter, so that a
// missing or short key fails the run here, with scrub_hash()'s own error,
// before anything is copied.
//
// Before either is planned, each is analysed (Database::ForeignObjectsIn):
// it runs with the owner's rights, so a function, operator, cast, domain or
// aggregate it would call, or a relation it would read, that neither a
// superuser nor the table's owner owns is refused (42501), naming the
// allowlist entry, the object and its owner, and is not planned.
// The same analysis pins the expression: the plan's pinned_filter and
// pinned_sql get the analysed tree written back as SQL with every name
// qualified and every implicit cast written out, and every statement
// generated from then on (FilterCondition, SqlRuleText), the planning
// check here included, uses that text, not the allowlist's. Names cannot
// resolve differently between the check and the copy: an overload of a
// function or operator, or a relation or type of the same name, that
// owner code or another session creates in between is never reached.
// With `problems` (scrub_plan), each check runs in a subtransaction of its
// own (Database::Attempt) and its failure or refusal becomes a problem of
// its column (of the table for a row filter; of every hashed column for
// scrub_hash) with the run's message and detail; the checks go on.
void CheckRulesOnServer(Database& db, Plan& plan, const std::string& extension_schema,
                        const IdentifierQuoter& quote, const std::string& hash_token = "",
                        Problems* problems = nullptr);

// Only the analysis of CheckRulesOnServer: each row filter and sql
// expression checked as one expression using only trusted objects (the
// first failure or refusal thrown, as there) and pinned. For an export,
// whose SELECTs (ScrubbingSelect) other sessions run later.
void PinExpressions(Database& db, Plan& plan, const IdentifierQuoter& quote);

// Fails (23505), naming every column, if a column that a unique index has
// as its one key gets a realistic rule with fewer distinct values within
// the column's length (RealisticCapacity) than the table has rows (of
// those its filter keeps), as CheckFakesFit does for the default fakes.
// Counts as the table's owner under the run snapshot.
// With `problems`, appends them there instead of throwing.
void CheckRealisticFit(Database& db, const Plan& plan, const SourceCatalog& catalog,
                       const IdentifierQuoter& quote, Problems* problems = nullptr);

// After a table is copied, while its owner may read the scratch table:
// fails (23505) if a text column's hashes, cut to its length, collide,
// i.e. if the scratch rows hold fewer distinct hashes than the source rows
// the copy read hold distinct values. Integer and uuid hashes are
// one-to-one and never collide.
void CheckHashCollisions(Database& db, const TablePlan& table, const std::string& build_schema,
                         const IdentifierQuoter& quote, const std::string& rows = {});

// The value `value` of a hashed column as scrub_hash() takes it: cast to
// the type the column is hashed as (HashAs of hash_type), or, when the
// key's equality ignores case (hash_fold), lower()ed under that collation.
std::string HashInput(const ColumnPlan& column, const std::string& value);

// The row filter of a table as a SQL condition over the alias `src` of its
// rows: "(filter\n)", or empty for a table without one; the pinned text
// once CheckRulesOnServer or PinExpressions has set it. The newline ends a
// "--" comment the filter may end with.
std::string FilterCondition(const TablePlan& table);

// The expression text of a column's sql rule as spliced into a statement:
// "(expression\n)", the pinned text once set (as FilterCondition).
std::string SqlRuleText(const ColumnPlan& column);

}  // namespace scrub
