// The steps of a run before it copies anything: the refusal of impostors
// in the extension's schema (RefuseForeignExtensionObjects), the checks of
// its arguments and schemas (CheckSchemaName, CheckSourceSchema,
// KeyNamingSchema, CheckKeySchemaName, CheckKeySchemaExists,
// CheckExportSchemas), the walk for objects outside a schema that depend
// on it (CheckNothingOutsideDepends: before the target is replaced, and
// for the scratch and build schemas), the checks under the run snapshot
// that fail with an error naming every offending object
// (CheckTablesMatchSnapshot, CheckCallerMayReadAll,
// CheckPartitionTreesHaveOneOwner, CheckSequencesReadable,
// CheckForeignKeys, CheckFakesFit), the creation of the build schema, and
// the lookups they and the copy need (OwnerOf, SignatureFunction). The
// target's other checks and the scratch schemas are in scratch.h. Pure
// C++ over the Database interface.
#pragma once

#include <string>

#include "allowlist.h"
#include "database.h"
#include "plan.h"
#include "run.h"

namespace scrub {

// The role whose rights read and check `table`'s rows: its owner.
TableOwner OwnerOf(const TableInfo& table, const std::string& source_schema);

// Fails (2BP01), naming each dependent and what it depends on, if any
// object outside schema `target` depends on anything inside it: a table,
// type, function, operator, sequence, collation, text search object, ...
// (whatever pg_depend records). The swap's DROP SCHEMA ... CASCADE would
// otherwise drop such production objects silently.
void CheckNothingOutsideDepends(Database& db, const std::string& target);

// Creates the schema a run builds in before it takes the target's name and
// returns its name: scrub_build_<backend pid>_<128 random bits>, so that no
// role can create it first and block runs. Should it exist all the same,
// fails (42P06) naming the schema and its owner.
std::string CreateBuildSchema(Database& db, const IdentifierQuoter& quote);

// Fails (22001), naming each column, its type, the row count and the
// unique index, if a table copied with rows has more rows than the fake of
// a scrubbed key of a unique index can number distinctly (a char(1) fake
// fits rows 1 to 9; FakeCapacity), instead of a "value too long" error
// naming no column halfway through the copy; other fakes wrap to fit.
// Fails (54000) if the fakes of a row would be too big to store. Counts
// under the run snapshot.
// With `problems`, appends them there instead of throwing.
void CheckFakesFit(Database& db, const Plan& plan, const std::string& source_schema,
                   const IdentifierQuoter& quote, Problems* problems = nullptr);

// Fails (42501), naming the table, unless every table an export copies
// with hash rules is owned by `caller` and `caller` is a superuser. The
// SELECTs of an export leave the extension for a client's COPY, so they
// carry no run token (pg_functions.h): their scrub_hash calls are of the
// superuser-only form, which the checks evaluate as each table's owner,
// as a client's COPY evaluates them as its role. Everyone else goes
// through scrub_to_schema.
void CheckExportMayHash(Database& db, const Plan& plan, const std::string& caller);

// Fails (42501), naming the schema and its owner, if the schema the
// extension is installed in is owned by a role that is not a superuser
// (for pg_database_owner: if the database's owner is not): scrub's calls
// name it, and its owner could rename it and put its own functions in
// their place. Then fails (42501), naming each object and its owner, if
// the extension's schema holds a function, procedure or aggregate that is not a member of
// the extension but has the name of one that is (scrub_hash,
// scrub_table_signature, ...). scrub calls its own functions qualified
// with that schema and with arguments of exactly their declared types, so
// such an object can no longer be chosen instead of scrub's; but an
// overload with extra DEFAULT arguments makes a call ambiguous, and its
// presence means roles other than scrub's installer create objects where
// scrub's calls are resolved. Every entry point but scrub_suggest checks
// this first (two catalog queries).
void RefuseForeignExtensionObjects(Database& db);

// Fails (42883), naming each rule and column, if the copy would call a
// function of the extension's schema (a realistic rule's scrub_fake_text,
// scrub_hash, scrub_json_keep) that the extension's installed version does
// not have: the library of a newer release runs behind the SQL objects of
// an older one until ALTER EXTENSION scrub UPDATE.
void CheckExtensionHasRuleFunctions(Database& db, const Plan& plan);

// scrub_table_signature, qualified with the schema the extension is
// installed in, as recorded in pg_extension.
// Empty if the installed SQL objects predate scrub_table_signature().
std::string SignatureFunction(Database& db, const IdentifierQuoter& quote);

// Fails (22023, 42622, 42939) unless `name`, passed as `argument`, can be
// a schema's name scrub reads or builds: not empty, at most kMaxNameBytes,
// not beginning with "pg_".
void CheckSchemaName(const std::string& name, const char* argument);

// Fails (3F000) if the source schema does not exist.
void CheckSourceSchema(Database& db, const std::string& source);

// The first allowlist key naming a table of `schema`, for errors.
std::string KeyNamingSchema(const Allowlist& allowlist, const std::string& schema);

// Fails, naming `key`, if `schema` is a system schema (42939) or its name
// is longer than an identifier may be (42622).
void CheckKeySchemaName(const std::string& key, const std::string& schema);

// Fails (3F000), naming `key`, if `schema` does not exist.
void CheckKeySchemaExists(Database& db, const std::string& key, const std::string& schema);

// Fails (42939, 42622, 3F000) unless every schema the allowlist names
// besides the source schema exists and is an application's schema (an
// export's check; a run's is PlanScratchSchemas, scratch.h, which makes
// the same checks and those of the target's names).
void CheckExportSchemas(Database& db, const RunOptions& options, const Allowlist& allowlist);

// Fails (40001) if a table the run reads changed after the run snapshot
// was taken (REPEATABLE READ and SERIALIZABLE).
void CheckTablesMatchSnapshot(Database& db, const Plan& plan, const SourceCatalog& catalog);

// Fails (42501) unless the caller may read every row of every table the
// run copies: SELECT, and no row-level security hiding rows.
// With `sink`, appends the problems there instead of throwing.
void CheckCallerMayReadAll(Database& db, const Plan& plan, Problems* sink = nullptr);

// Fails (42501), naming each, if a table copied with rows, a member of its
// partition tree or the type of one of their columns, or one of
// `sequences`, lives in a schema owned by a role that is neither a
// superuser nor the relation's owner (pg_database_owner counts as the
// database's owner). Every statement of a run names these by schema and
// name, so the schema's owner could rename the schema mid-run and put
// objects of its own in their place, which the run would then read or
// call with the relation owner's rights. With `sink`, appends the
// problems there.
void CheckSchemaOwnersTrusted(Database& db, const Plan& plan,
                              const std::vector<SequenceInfo>& sequences, Problems* sink = nullptr);

// Fails (42501) if a partition of a copied partitioned table has another
// owner than the table. With `sink`, appends the problems there.
void CheckPartitionTreesHaveOneOwner(Database& db, const Plan& plan, Problems* sink = nullptr);

// Fails (42501) if the caller may not read a sequence the manifest records.
// With `sink` (scrub_plan), one problem per unreadable sequence, named by
// its schema and name, instead of the error.
void CheckSequencesReadable(Database& db, const SourceCatalog& catalog, Problems* sink = nullptr);

// Fails (23503), naming every constraint, if the copy would break foreign
// keys (ForeignKeysAtRisk with rows on the source under the run
// snapshot). With `sink`, appends the problems there.
void CheckForeignKeys(Database& db, const Plan& plan, const SourceCatalog& catalog,
                      const RunOptions& options, const IdentifierQuoter& quote,
                      Problems* sink = nullptr);

}  // namespace scrub
