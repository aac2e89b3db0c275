// The value generators' PostgreSQL side: the scrub.key setting and the
// permit that lets a non-superuser's scrub run call scrub_hash (see
// pg_functions.cpp). Included by scrub.cpp after pg_boundary.h.
#pragma once

namespace scrub::pg {

// Defines scrub.key and registers what the generators need; called once
// from _PG_init.
void InitGenerators();

// While one is alive, scrub_hash may be called by the backend's current
// user even if not a superuser: scrub_to_schema holds one around its run.
// Every other non-superuser call is refused, so that nobody can use the
// function as an oracle for the key. The permit ends with the object, on
// the error path too (InvokeCpp unwinds every C++ frame before it reports),
// and at the latest when the transaction aborts.
class HashPermit {
  public:
    HashPermit();
    ~HashPermit();
    HashPermit(const HashPermit&) = delete;
    HashPermit& operator=(const HashPermit&) = delete;
};

}  // namespace scrub::pg
