// Checks a run makes before it writes anything, each failing with an error
// that names every offending object. Pure C++ over the Database interface.
#pragma once

#include <string>

#include "database.h"

namespace scrub {

// Fails (2BP01), naming each dependent and what it depends on, if any
// object outside schema `target` depends on anything inside it: a table,
// type, function, operator, sequence, collation, text search object, ...
// (whatever pg_depend records). The swap's DROP SCHEMA ... CASCADE would
// otherwise drop such production objects silently.
void CheckNothingOutsideDepends(Database& db, const std::string& target);

}  // namespace scrub
