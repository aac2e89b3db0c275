// The target schema and the scratch schemas of a run: the per-target run
// lock, whether the target exists and may be replaced, and which scratch
// schemas the run builds (one per source schema) and drops. Pure C++ over
// the Database interface.
#pragma once

#include <string>
#include <vector>

#include "allowlist.h"
#include "database.h"
#include "run.h"

namespace scrub {

// One source schema's scratch schema: built under a random name, then
// renamed to `name` (ScratchSchemaName) at the swap.
struct Scratch {
    std::string source;
    std::string name;
    std::string build;
};

// Who holds schema `name`: nobody (it does not exist), the caller, or
// another role.
struct SchemaHolder {
    bool exists = false;
    bool caller = false;
    std::string owner;
};

// Takes the per-target run lock for the transaction, or fails (55P03)
// naming the process that holds it.
void LockTarget(Database& db, const std::string& target);

// True if the target schema exists; fails (42P06, 42501) if it exists but
// scrub did not build it, or another role owns it.
bool TargetExists(Database& db, const std::string& target);

// Who holds schema `name`.
SchemaHolder HolderOf(Database& db, const std::string& name);

// Checks every schema the allowlist names besides the source schema and
// returns the scratch schema of each (the source schema's first: the
// target); appends to `to_drop` the earlier run's scratch schemas the swap
// drops.
std::vector<Scratch> PlanScratchSchemas(Database& db, const RunOptions& options,
                                        const Allowlist& allowlist, bool replace,
                                        const IdentifierQuoter& quote,
                                        std::vector<std::string>& to_drop);

// The scratch schema of source schema `schema`; fails (XX000) if none.
const Scratch& ScratchOf(const std::vector<Scratch>& scratches, const std::string& schema);

}  // namespace scrub
