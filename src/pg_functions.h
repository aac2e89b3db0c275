// The value generators' PostgreSQL side: the scrub.key setting and the
// permit that lets a non-superuser's scrub run call scrub_hash (see
// pg_functions.cpp). Included by scrub.cpp after pg_boundary.h.
#pragma once

#include <string>

namespace scrub::pg {

// Defines scrub.key_file and registers what the generators need; called
// once from _PG_init, before scrub's setting prefix is reserved (it notes
// a leftover scrub.key placeholder, see RefuseLeftoverKey).
void InitGenerators();

// Throws (22023) if a scrub.key setting was found when this backend loaded
// scrub: the key setting was removed (anyone who may read settings could
// read it), and a leftover value is a disclosed key, so no run may start.
void RefuseLeftoverKey();

// The capability of one scrub_to_schema run to call scrub_hash: a random
// token of 128 bits (pg_strong_random), made when the run's allowlist has
// a hash rule. The run's copy passes it to scrub_hash(value, ...,
// run_token) as a bound parameter, so it appears in no query text;
// scrub_hash compares it with the token of the run in progress. Code of
// other roles that runs in the same backend meanwhile (a table owner's
// domain check, trigger or cast) does not know it, so it cannot use the
// function as an oracle for the key; without a token only superusers may
// call scrub_hash. The token is wiped with the object, on the error path
// too (InvokeCpp unwinds every C++ frame before it reports), and at the
// latest when the transaction aborts.
class HashPermit {
  public:
    HashPermit();
    ~HashPermit();
    HashPermit(const HashPermit&) = delete;
    HashPermit& operator=(const HashPermit&) = delete;

    // The token, 32 hex digits.
    std::string Token() const;
};

}  // namespace scrub::pg
