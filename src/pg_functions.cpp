// SQL-callable value generators: scrub_fake_text (realistic fakes),
// scrub_hash (keyed pseudonyms) and scrub_json_keep (the json rule). Each
// is a one-line extern "C" wrapper around a C++ implementation run through
// pg::InvokeCpp; every PostgreSQL call inside goes through pg::Guard. What
// a call can reuse from row to row (the realistic generator's layout, the
// key schedule) is kept in fn_extra or in this backend's memory, so a call
// per row allocates nothing that outlives the row and runs no SPI.
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg_boundary.h"
#include "pg_functions.h"
#include "error.h"
#include "json_keep.h"
#include "pseudonym.h"
#include "realistic.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(scrub_fake_text);
PG_FUNCTION_INFO_V1(scrub_hash_int2);
PG_FUNCTION_INFO_V1(scrub_hash_int4);
PG_FUNCTION_INFO_V1(scrub_hash_int8);
PG_FUNCTION_INFO_V1(scrub_hash_uuid);
PG_FUNCTION_INFO_V1(scrub_hash_text);
PG_FUNCTION_INFO_V1(scrub_json_keep);
Datum scrub_fake_text(PG_FUNCTION_ARGS);
Datum scrub_hash_int2(PG_FUNCTION_ARGS);
Datum scrub_hash_int4(PG_FUNCTION_ARGS);
Datum scrub_hash_int8(PG_FUNCTION_ARGS);
Datum scrub_hash_uuid(PG_FUNCTION_ARGS);
Datum scrub_hash_text(PG_FUNCTION_ARGS);
Datum scrub_json_keep(PG_FUNCTION_ARGS);
}

namespace scrub::pg {
namespace {

// scrub.key: the secret of scrub_hash. Superuser-only (set, shown and
// read), never in SHOW ALL or the sample file; no check hook, because
// PostgreSQL's message for a rejected value would quote the value.
char* scrub_key = nullptr;

// Bumped whenever scrub.key is assigned, so the cached key schedule is
// derived again only when the setting changed.
uint64_t key_generation = 0;

void AssignKey(const char*, void*) { ++key_generation; }

// The key schedule of the current scrub.key. Trivially destructible.
std::optional<Pseudonymizer> cached_key;
uint64_t cached_generation = std::numeric_limits<uint64_t>::max();

// Live HashPermits of this backend.
int hash_permits = 0;

void ResetPermits(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) hash_permits = 0;
}

// The key schedule, after checking that the caller may use it.
const Pseudonymizer& Key() {
    if (hash_permits == 0 && !Guard([]() noexcept { return superuser(); }))
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "permission denied for function scrub_hash",
                         "Only superusers may call scrub_hash outside a scrub run, so that the "
                         "key cannot be probed.",
                         "Give the column the rule \"hash\" in the allowlist and let "
                         "scrub_to_schema compute the pseudonyms.");
    if (!cached_key || cached_generation != key_generation) {
        cached_key.reset();
        cached_key = Pseudonymizer::FromKey(scrub_key != nullptr ? scrub_key : "", "scrub.key");
        cached_generation = key_generation;
    }
    return *cached_key;
}

ScrubError NullArgument(const char* name) {
    return ScrubError("22004", std::string(name) + " must not be NULL");
}

// An optional integer argument: -1 when NULL; negative values refused.
int OptionalLength(FunctionCallInfo fcinfo, int index, const char* name) {
    if (PG_ARGISNULL(index)) return -1;
    int32 value = PG_GETARG_INT32(index);
    if (value < 0)
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         std::string(name) + " must not be negative",
                         "It is " + std::to_string(value) + ".", "Pass NULL for no limit.");
    return value;
}

// The bytes of a text argument (detoasted in the call's memory).
std::string_view TextBytes(FunctionCallInfo fcinfo, int index) {
    text* value = Guard([fcinfo, index]() noexcept { return PG_GETARG_TEXT_PP(index); });
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

Datum TextResult(const std::string& result) {
    const char* data = result.data();
    int length = static_cast<int>(result.size());
    return Guard([data, length]() noexcept {
        return PointerGetDatum(cstring_to_text_with_len(data, length));
    });
}

// Cached in fn_extra by scrub_fake_text: the generator of the last rule
// and length limit it was called with (constants in a scrub run).
struct FakeTextCache {
    RealisticGenerator generator;
};

Datum FakeText(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(1)) {
        fcinfo->isnull = true;
        return static_cast<Datum>(0);
    }
    if (PG_ARGISNULL(0)) throw NullArgument("rule");
    std::string_view name = TextBytes(fcinfo, 0);
    std::optional<RealisticRule> rule = ParseRealisticRule(name);
    if (!rule)
        throw ScrubError(sqlstate::kInvalidParameterValue, "unknown realistic rule",
                         "The rule \"" + std::string(name) +
                             "\" is not one of email, first_name, "
                             "last_name, full_name, username, phone, url, ip, text.",
                         "Use one of the rules docs/allowlist.md lists.");
    int max_length = OptionalLength(fcinfo, 2, "max_length");
    int source_length = PG_ARGISNULL(3) ? -1 : PG_GETARG_INT32(3);
    if (source_length < 0) source_length = -1;
    auto* cache = static_cast<FakeTextCache*>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr || cache->generator.rule() != *rule ||
        cache->generator.max_length() != max_length) {
        MemoryContext context = fcinfo->flinfo->fn_mcxt;
        void* memory = Guard(
            [context]() noexcept { return MemoryContextAlloc(context, sizeof(FakeTextCache)); });
        cache = new (memory) FakeTextCache{RealisticGenerator(*rule, max_length)};
        fcinfo->flinfo->fn_extra = cache;
    }
    int64 seed = PG_GETARG_INT64(1);
    return TextResult(cache->generator.Generate(static_cast<uint64_t>(seed), source_length));
}

Datum HashInt2(FunctionCallInfo fcinfo) {
    return Int16GetDatum(static_cast<int16>(Key().PermuteInteger(PG_GETARG_INT16(0))));
}

Datum HashInt4(FunctionCallInfo fcinfo) {
    return Int32GetDatum(static_cast<int32>(Key().PermuteInteger(PG_GETARG_INT32(0))));
}

Datum HashInt8(FunctionCallInfo fcinfo) {
    return Int64GetDatum(Key().PermuteInteger(PG_GETARG_INT64(0)));
}

Datum HashUuid(FunctionCallInfo fcinfo) {
    const Pseudonymizer& key = Key();
    const pg_uuid_t* input = PG_GETARG_UUID_P(0);
    std::array<uint8_t, 16> block;
    std::memcpy(block.data(), input->data, UUID_LEN);
    std::array<uint8_t, 16> result = key.PermuteBlock(block);
    const uint8_t* bytes = result.data();
    return Guard([bytes]() noexcept {
        pg_uuid_t* out = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
        std::memcpy(out->data, bytes, UUID_LEN);
        return UUIDPGetDatum(out);
    });
}

Datum HashText(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) {
        fcinfo->isnull = true;
        return static_cast<Datum>(0);
    }
    const Pseudonymizer& key = Key();
    int max_length = OptionalLength(fcinfo, 1, "max_length");
    std::string_view value = TextBytes(fcinfo, 0);
    const char* data = value.data();
    int size = static_cast<int>(value.size());
    int characters = Guard([data, size]() noexcept { return pg_mbstrlen_with_len(data, size); });
    return TextResult(key.Text(value, characters, max_length));
}

// Text converted from the server's encoding to UTF-8 (to_utf8) or back.
std::string Convert(std::string_view text, bool to_utf8) {
    const char* data = text.data();
    int length = static_cast<int>(text.size());
    const char* converted = Guard([data, length, to_utf8]() noexcept {
        return to_utf8 ? pg_server_to_any(data, length, PG_UTF8)
                       : pg_any_to_server(data, length, PG_UTF8);
    });
    // pg_server_to_any returns its input unchanged when nothing converts.
    return converted == data ? std::string(text) : std::string(converted);
}

Datum JsonKeepFunction(FunctionCallInfo fcinfo) {
    bool utf8 = Guard([]() noexcept {
        return GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII;
    });
    const char* document = Guard([fcinfo]() noexcept {
        Jsonb* jsonb = PG_GETARG_JSONB_P(0);
        return JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb));
    });
    struct Paths {
        Datum* values;
        bool* nulls;
        int count;
    };
    Paths paths = Guard([fcinfo]() noexcept {
        Paths result{nullptr, nullptr, 0};
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
                          &result.values, &result.nulls, &result.count);
        return result;
    });
    std::vector<std::string> keep;
    keep.reserve(static_cast<size_t>(paths.count));
    for (int i = 0; i < paths.count; ++i) {
        if (paths.nulls[i]) throw NullArgument("a keep path");
        text* path = reinterpret_cast<text*>(
            Guard([&paths, i]() noexcept { return PG_DETOAST_DATUM_PACKED(paths.values[i]); }));
        std::string_view bytes(VARDATA_ANY(path), VARSIZE_ANY_EXHDR(path));
        keep.push_back(utf8 ? std::string(bytes) : Convert(bytes, true));
    }
    std::string input = utf8 ? std::string(document) : Convert(document, true);
    std::string result = JsonKeep(input, keep, PG_GETARG_INT64(2));
    if (!utf8) result = Convert(result, false);
    const char* text = result.c_str();
    return Guard(
        [text]() noexcept { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text)); });
}

}  // namespace

HashPermit::HashPermit() { ++hash_permits; }

HashPermit::~HashPermit() {
    if (hash_permits > 0) --hash_permits;
}

void InitGenerators() {
    DefineCustomStringVariable(
        "scrub.key", "Secret key of scrub_hash, the hash rule's keyed pseudonyms.",
        "At least 16 bytes. Changing it changes every pseudonym. Superusers only.", &scrub_key, "",
        PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, AssignKey,
        nullptr);
    RegisterXactCallback(ResetPermits, nullptr);
}

}  // namespace scrub::pg

extern "C" Datum scrub_fake_text(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::FakeText, fcinfo);
}

extern "C" Datum scrub_hash_int2(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::HashInt2, fcinfo);
}

extern "C" Datum scrub_hash_int4(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::HashInt4, fcinfo);
}

extern "C" Datum scrub_hash_int8(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::HashInt8, fcinfo);
}

extern "C" Datum scrub_hash_uuid(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::HashUuid, fcinfo);
}

extern "C" Datum scrub_hash_text(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::HashText, fcinfo);
}

extern "C" Datum scrub_json_keep(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::JsonKeepFunction, fcinfo);
}
