// The target schema and the scratch schemas a run builds: the run lock,
// who holds a schema, and which scratch schemas a run builds and drops.
#include "scratch.h"

#include <string>
#include <vector>

#include "db_util.h"
#include "error.h"
#include "facts.h"
#include "preflight.h"
#include "sqlgen_run.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// The run lock's key for a target schema (FNV-1a of its name): runs for
// different targets take different locks.
uint32_t RunLockKey(const std::string& target) {
    uint32_t hash = 2166136261u;
    for (unsigned char c : target) hash = (hash ^ c) * 16777619u;
    return hash;
}

}  // namespace

// Takes the per-target run lock for the transaction, or fails naming the
// process that holds it: two runs must never interleave on one schema.
// Only a run can hold this lock (Database::TryLockRun), so the holder is
// a run still executing or a transaction that ran one and is still open.
void LockTarget(Database& db, const std::string& target) {
    uint32_t key = RunLockKey(target);
    if (db.TryLockRun(key)) return;

    Statement holder = RunLockHolder(key);
    std::vector<Row> rows = db.Query(holder, Visibility::kLatest);
    std::string pid = rows.empty() || !rows[0][0] ? "unknown" : *rows[0][0];
    std::string state = rows.empty() ? "" : rows[0][1].value_or("");
    std::string hint =
        state == "active"
            ? "Wait for that run to finish, or stop it with pg_cancel_backend(" + pid + ")."
        : state.rfind("idle in transaction", 0) == 0
            ? "That session ran scrub_to_schema in a transaction it has not ended yet (" + state +
                  "): end the transaction there, or end the session with "
                  "pg_terminate_backend(" +
                  pid +
                  "); pg_cancel_backend() does not stop an idle "
                  "session."
            : "Wait for the transaction of that run to end. pg_cancel_backend(" + pid +
                  ") stops a run that is executing; a session idle in the transaction of a "
                  "finished run must end it, or be ended with pg_terminate_backend(" +
                  pid + ").";
    throw ScrubError(sqlstate::kLockNotAvailable,
                     "another scrub_to_schema run is building schema \"" + target + "\"",
                     "Process " + pid + " holds the run lock for this schema.", hint);
}

// True if the target schema exists; fails if it exists but scrub did not
// build it, so that a run can never drop somebody else's schema. A
// manifest table proves nothing by itself (any role that may create a
// schema can create one holding a table _scrub_run, and make objects
// elsewhere depend on it): the schema must also belong to the calling
// role, as every schema its runs build does.
bool TargetExists(Database& db, const std::string& target) {
    Statement probe = TargetSchemaState(target);
    std::vector<Row> rows = db.Query(probe, Visibility::kLatest);
    if (rows.empty()) return false;
    if (rows[0][0].value_or("") != "t")
        throw ScrubError(
            sqlstate::kDuplicateSchema,
            "schema \"" + target + "\" exists and was not created by scrub",
            "scrub only replaces schemas that hold its manifest table _scrub_run.",
            "Choose another target_schema, or drop or rename schema \"" + target + "\" yourself.");
    if (rows[0][2].value_or("") != "t")
        throw ScrubError(
            sqlstate::kInsufficientPrivilege,
            "schema \"" + target + "\" is not owned by the role running scrub_to_schema",
            "Schema \"" + target + "\" is owned by role \"" + rows[0][1].value_or("") +
                "\"; a run replaces only a target schema that the role running it owns, as "
                "every schema it builds is.",
            "Choose another target_schema, or, if that schema holds nothing but an earlier "
            "scrubbed copy, drop it yourself or have its owner run scrub_to_schema.");
    return true;
}

SchemaHolder HolderOf(Database& db, const std::string& name) {
    Statement probe = SchemaOwner(name);
    std::vector<Row> rows = db.Query(probe, Visibility::kLatest);
    if (rows.empty()) return {};
    return {true, rows[0][1].value_or("") == "t", rows[0][0].value_or("")};
}

namespace {
// The scratch schemas of other source schemas that the run which built
// `target` recorded in its manifest, each under the name this target
// gives it (anything else recorded there is not one of ours, whoever
// wrote it). None for a manifest older than the columns that record them.
std::vector<std::string> EarlierScratchSchemas(Database& db, const std::string& target,
                                               const IdentifierQuoter& quote) {
    Statement recorded = CountManifestScratchColumns(target);
    std::vector<std::string> names;
    if (FirstValue(db, recorded, Visibility::kLatest) != kManifestScratchColumnCount) return names;
    Statement pairs = ManifestScratchSchemas(target, quote);
    for (const Row& row : db.Query(pairs, Visibility::kLatest)) {
        if (!row[0] || !row[1] || *row[1] == target) continue;
        try {
            if (ScratchSchemaName(target, *row[0]) == *row[1]) names.push_back(*row[1]);
        } catch (const ScrubError&) {
            // a name too long to be one this target builds
        }
    }
    return names;
}

}  // namespace

// Checks every schema the allowlist names besides the source schema, names
// the scratch schema of each, and lists the scratch schemas of the earlier
// run into the target that the swap drops: those replaced and those no
// longer needed. Refuses a scratch schema name that is taken by a schema
// scrub did not build for this target, or owned by another role, or that
// objects outside it depend on.
std::vector<Scratch> PlanScratchSchemas(Database& db, const RunOptions& options,
                                        const Allowlist& allowlist, bool replace,
                                        const IdentifierQuoter& quote,
                                        std::vector<std::string>& to_drop) {
    const std::string& target = options.target_schema;
    std::vector<std::string> earlier;
    if (replace) earlier = EarlierScratchSchemas(db, target, quote);
    if (Contains(earlier, options.source_schema))
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         "source_schema \"" + options.source_schema +
                             "\" is a scratch schema of target schema \"" + target + "\"",
                         "The run into \"" + target + "\" replaces it.",
                         "Pass the schema it was built from as source_schema.");
    std::vector<Scratch> scratches{{options.source_schema, target, ""}};
    for (const std::string& schema : allowlist.schemas) {
        if (schema == options.source_schema) continue;
        const std::string key = KeyNamingSchema(allowlist, schema);
        CheckKeySchemaName(key, schema);
        const std::string names = "allowlist key \"" + key + "\" names a table of ";
        if (schema == target)
            throw ScrubError(sqlstate::kInvalidParameterValue,
                             names + "the target schema \"" + target + "\"", "",
                             "scrub writes into a schema of its own and never reads from it.");
        if (Contains(earlier, schema))
            throw ScrubError(sqlstate::kInvalidParameterValue,
                             names + "schema \"" + schema +
                                 "\", a scratch schema of target schema \"" + target + "\"",
                             "The run into \"" + target + "\" replaces it.",
                             "Name the tables of the schema it was built from.");
        CheckKeySchemaExists(db, key, schema);
        scratches.push_back({schema, ScratchSchemaName(target, schema), ""});
    }
    for (const Scratch& scratch : scratches) {
        if (scratch.name == target) continue;
        if (Contains(allowlist.schemas, scratch.name) || scratch.name == options.source_schema)
            throw ScrubError(sqlstate::kDuplicateSchema,
                             "the scratch schema of schema \"" + scratch.source +
                                 "\" would be schema \"" + scratch.name + "\", which the run reads",
                             "A run into target schema \"" + target +
                                 "\" builds the copy of schema \"" + scratch.source +
                                 "\" in schema \"" + scratch.name + "\".",
                             "Choose another target_schema.");
        SchemaHolder holder = HolderOf(db, scratch.name);
        if (!holder.exists) continue;
        if (!Contains(earlier, scratch.name))
            throw ScrubError(
                sqlstate::kDuplicateSchema,
                "schema \"" + scratch.name +
                    "\" exists and was not created by scrub for target \"" + target + "\"",
                "A run into target schema \"" + target + "\" builds the copy of schema \"" +
                    scratch.source + "\" in schema \"" + scratch.name + "\"; the manifest of \"" +
                    target + "\" does not list that schema.",
                "Choose another target_schema, or drop or rename schema \"" + scratch.name +
                    "\" yourself.");
    }
    for (const std::string& name : earlier) {
        SchemaHolder holder = HolderOf(db, name);
        if (!holder.exists) continue;
        if (!holder.caller)
            throw ScrubError(
                sqlstate::kInsufficientPrivilege,
                "schema \"" + name + "\" is not owned by the role running scrub_to_schema",
                "Schema \"" + name + "\" is a scratch schema of target schema \"" + target +
                    "\", owned by role \"" + holder.owner +
                    "\"; a run replaces only scratch schemas that the role running it owns.",
                "Choose another target_schema, or, if that schema holds nothing but an earlier "
                "scrubbed copy, drop it yourself or have its owner run scrub_to_schema.");
        CheckNothingOutsideDepends(db, name);
        to_drop.push_back(name);
    }
    return scratches;
}

const Scratch& ScratchOf(const std::vector<Scratch>& scratches, const std::string& schema) {
    for (const Scratch& scratch : scratches)
        if (scratch.source == schema) return scratch;
    throw ScrubError(sqlstate::kInternalError, "no scratch schema for schema \"" + schema + "\"");
}

}  // namespace scrub
