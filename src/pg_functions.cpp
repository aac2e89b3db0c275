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
#include <sys/stat.h>

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
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
PG_FUNCTION_INFO_V1(scrub_json_keep_json);
Datum scrub_fake_text(PG_FUNCTION_ARGS);
Datum scrub_hash_int2(PG_FUNCTION_ARGS);
Datum scrub_hash_int4(PG_FUNCTION_ARGS);
Datum scrub_hash_int8(PG_FUNCTION_ARGS);
Datum scrub_hash_uuid(PG_FUNCTION_ARGS);
Datum scrub_hash_text(PG_FUNCTION_ARGS);
Datum scrub_json_keep(PG_FUNCTION_ARGS);
Datum scrub_json_keep_json(PG_FUNCTION_ARGS);
}

namespace scrub::pg {
namespace {

// scrub.key_file: the file holding the secret of scrub_hash, readable by
// the server's operating system user alone. There is no setting holding
// the key itself: members of pg_read_all_settings (pg_monitor) read every
// setting, superuser-only ones included (docs/operations.md).
char* scrub_key_file = nullptr;

// A scrub.key setting (a placeholder: postgresql.conf, ALTER SYSTEM,
// ALTER ROLE/DATABASE ... SET, or SET before scrub was loaded) was found
// when this backend loaded scrub. Its value is a key anyone could read
// before, so every run refuses to start (RefuseLeftoverKey).
bool leftover_key_setting = false;

// Bumped whenever either setting is assigned and whenever a run starts,
// so that the key schedule is derived again (and the key file read again)
// only then.
uint64_t key_generation = 0;

void AssignKey(const char*, void*) { ++key_generation; }

// The key schedule of the current key. Trivially destructible.
std::optional<Pseudonymizer> cached_key;
uint64_t cached_generation = std::numeric_limits<uint64_t>::max();

constexpr size_t kMaxKeyFileBytes = 1024;

// Wipes a string's bytes before its memory goes back to the heap.
void Wipe(char* bytes, size_t size) {
    volatile char* wipe = bytes;
    for (size_t i = 0; i < size; ++i) wipe[i] = 0;
}

// The secret read from scrub.key_file: its bytes without trailing
// whitespace. The file must be a regular file no group or other user may
// access.
std::string ReadKeyFile(const char* path) {
    static char buffer[kMaxKeyFileBytes + 1];
    struct Read {
        int error;      // errno of a failed stat, open or read, else 0
        bool not_file;  // a directory or the like
        bool exposed;   // group or others have permissions on it
        size_t length;
    };
    Read read = Guard([path]() noexcept {
        Read result{0, false, false, 0};
        struct stat st;
        if (stat(path, &st) != 0) {
            result.error = errno;
            return result;
        }
        if (!S_ISREG(st.st_mode)) {
            result.not_file = true;
            return result;
        }
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
            result.exposed = true;
            return result;
        }
        FILE* file = AllocateFile(path, "r");
        if (file == nullptr) {
            result.error = errno;
            return result;
        }
        result.length = fread(buffer, 1, sizeof buffer, file);
        if (ferror(file)) result.error = errno != 0 ? errno : EIO;
        FreeFile(file);
        return result;
    });
    std::string quoted = std::string("\"") + path + "\"";
    const char* hint =
        "Point scrub.key_file at a file of the server's operating system user, mode 0600, "
        "holding a random secret of at least 16 bytes.";
    if (read.error != 0) {
        Wipe(buffer, sizeof buffer);
        int error = read.error;
        const char* reason = Guard([error]() noexcept { return strerror(error); });
        throw ScrubError(sqlstate::kUndefinedFile, "could not read scrub.key_file " + quoted,
                         std::string(reason) + ".", hint);
    }
    if (read.not_file)
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         "scrub.key_file " + quoted + " is not a regular file", "", hint);
    if (read.exposed)
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         "scrub.key_file " + quoted + " is accessible to other users",
                         "Group and others must have no permissions on the key file.",
                         "Run chmod 600 on it.");
    if (read.length > kMaxKeyFileBytes) {
        Wipe(buffer, sizeof buffer);
        throw ScrubError(
            sqlstate::kInvalidParameterValue, "scrub.key_file " + quoted + " is too long",
            "A key file holds at most " + std::to_string(kMaxKeyFileBytes) + " bytes.", hint);
    }
    size_t length = read.length;
    while (length > 0 && (buffer[length - 1] == '\n' || buffer[length - 1] == '\r' ||
                          buffer[length - 1] == ' ' || buffer[length - 1] == '\t'))
        --length;
    std::string secret(buffer, length);
    Wipe(buffer, sizeof buffer);
    return secret;
}

// The token of the scrub_to_schema run in progress in this backend (hex
// of kTokenBytes random bytes), or empty. Only the run's own statements
// know it: they pass it as a bound parameter, never in the query text.
constexpr size_t kTokenBytes = 16;
char run_token[2 * kTokenBytes + 1];
bool run_token_set = false;

void ClearToken() {
    Wipe(run_token, sizeof run_token);
    run_token_set = false;
}

void ResetPermits(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) ClearToken();
}

// Whether `given` is the token of the run in progress, compared in time
// independent of where the first difference is.
bool TokenMatches(std::string_view given) {
    if (!run_token_set || given.size() != 2 * kTokenBytes) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < given.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ run_token[i]);
    return difference == 0;
}

// The key schedule, after checking that the caller may use it: the call
// passes the run's token (argument `token_index`, when the call has that
// many arguments), or the caller is a superuser.
const Pseudonymizer& Key(FunctionCallInfo fcinfo, int token_index) {
    if (PG_NARGS() > token_index) {
        bool matches = false;
        if (!PG_ARGISNULL(token_index)) {
            text* token =
                Guard([fcinfo, token_index]() noexcept { return PG_GETARG_TEXT_PP(token_index); });
            matches = TokenMatches(std::string_view(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)));
        }
        if (!matches)
            throw ScrubError(sqlstate::kInsufficientPrivilege,
                             "permission denied for function scrub_hash",
                             "The run token is not that of the scrub_to_schema run in progress.",
                             "Give the column the rule \"hash\" in the allowlist and let "
                             "scrub_to_schema compute the pseudonyms.");
    } else if (!Guard([]() noexcept { return superuser(); })) {
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "permission denied for function scrub_hash",
                         "Only superusers may call scrub_hash directly, so that the key cannot "
                         "be probed.",
                         "Give the column the rule \"hash\" in the allowlist and let "
                         "scrub_to_schema compute the pseudonyms.");
    }
    RefuseLeftoverKey();
    if (!cached_key || cached_generation != key_generation) {
        cached_key.reset();
        if (scrub_key_file == nullptr || scrub_key_file[0] == '\0')
            throw ScrubError(sqlstate::kInvalidParameterValue, "scrub.key_file is not set",
                             "The hash rule needs a secret key to compute pseudonyms.",
                             "Write a random secret of at least 16 bytes (such as the output of "
                             "\"openssl rand -hex 32\") to a file of the server's operating "
                             "system user, mode 0600, and set scrub.key_file to its path "
                             "(superusers only) in postgresql.conf or with ALTER SYSTEM, and "
                             "reload.");
        std::string secret = ReadKeyFile(scrub_key_file);
        std::optional<ScrubError> error;
        try {
            cached_key = Pseudonymizer::FromKey(secret, "scrub.key_file");
        } catch (const ScrubError& e) {
            error = e;
        }
        Wipe(secret.data(), secret.size());
        if (error) throw *error;
        cached_generation = key_generation;
    }
    return *cached_key;
}

ScrubError NullArgument(const char* name) {
    return ScrubError(sqlstate::kNullValueNotAllowed, std::string(name) + " must not be NULL");
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
    // One block per call site, overwritten when the rule or limit changes
    // (never in a run; possibly per row in a hand-written query).
    void* memory = fcinfo->flinfo->fn_extra;
    if (memory == nullptr) {
        MemoryContext context = fcinfo->flinfo->fn_mcxt;
        memory = Guard(
            [context]() noexcept { return MemoryContextAlloc(context, sizeof(FakeTextCache)); });
        new (memory) FakeTextCache{RealisticGenerator(*rule, max_length)};
        fcinfo->flinfo->fn_extra = memory;  // only once it holds a generator
    }
    auto* cache = static_cast<FakeTextCache*>(memory);
    if (cache->generator.rule() != *rule || cache->generator.max_length() != max_length)
        cache->generator = RealisticGenerator(*rule, max_length);
    int64 seed = PG_GETARG_INT64(1);
    return TextResult(cache->generator.Generate(static_cast<uint64_t>(seed), source_length));
}

Datum HashInt2(FunctionCallInfo fcinfo) {
    return Int16GetDatum(static_cast<int16>(Key(fcinfo, 1).PermuteInteger(PG_GETARG_INT16(0))));
}

Datum HashInt4(FunctionCallInfo fcinfo) {
    return Int32GetDatum(static_cast<int32>(Key(fcinfo, 1).PermuteInteger(PG_GETARG_INT32(0))));
}

Datum HashInt8(FunctionCallInfo fcinfo) {
    return Int64GetDatum(Key(fcinfo, 1).PermuteInteger(PG_GETARG_INT64(0)));
}

Datum HashUuid(FunctionCallInfo fcinfo) {
    const Pseudonymizer& key = Key(fcinfo, 1);
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

Datum HashText(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) {
        fcinfo->isnull = true;
        return static_cast<Datum>(0);
    }
    const Pseudonymizer& key = Key(fcinfo, 2);
    int max_length = OptionalLength(fcinfo, 1, "max_length");
    std::string_view value = TextBytes(fcinfo, 0);
    // The UTF-8 form is hashed, so that one text has one pseudonym in a
    // database of any encoding. SQL_ASCII has no encoding to convert
    // from: its bytes are hashed as they are.
    bool convert = Guard([]() noexcept {
        return GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII;
    });
    if (convert) return TextResult(key.Text(Convert(value, true), max_length));
    return TextResult(key.Text(value, max_length));
}

// Cached in fn_extra by scrub_json_keep(_json): the keep paths of the
// last call (the array's bytes, a constant in a run) and their tree, so
// that a row neither reads the array nor builds the tree. A reset
// callback on fn_mcxt destroys it with the statement's memory.
struct JsonKeepCache {
    std::vector<char> paths;
    std::optional<KeepTree> tree;
    MemoryContextCallback callback;
};

const KeepTree& CachedKeepTree(FunctionCallInfo fcinfo, bool utf8) {
    const ArrayType* array = Guard([fcinfo]() noexcept { return PG_GETARG_ARRAYTYPE_P(1); });
    const char* bytes = reinterpret_cast<const char*>(array);
    size_t size = VARSIZE(array);
    auto* cache = static_cast<JsonKeepCache*>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr) {
        MemoryContext context = fcinfo->flinfo->fn_mcxt;
        void* memory = Guard(
            [context]() noexcept { return MemoryContextAlloc(context, sizeof(JsonKeepCache)); });
        cache = new (memory) JsonKeepCache();
        cache->callback.func = [](void* arg) {
            static_cast<JsonKeepCache*>(arg)->~JsonKeepCache();
        };
        cache->callback.arg = cache;
        MemoryContextCallback* callback = &cache->callback;
        Guard([context, callback]() noexcept {
            MemoryContextRegisterResetCallback(context, callback);
        });
        fcinfo->flinfo->fn_extra = cache;
    }
    if (cache->tree && cache->paths.size() == size &&
        std::memcmp(cache->paths.data(), bytes, size) == 0)
        return *cache->tree;
    cache->tree.reset();
    cache->paths.clear();
    struct Paths {
        Datum* values;
        bool* nulls;
        int count;
    };
    Paths paths = Guard([array]() noexcept {
        Paths result{nullptr, nullptr, 0};
        deconstruct_array(const_cast<ArrayType*>(array), TEXTOID, -1, false, TYPALIGN_INT,
                          &result.values, &result.nulls, &result.count);
        return result;
    });
    std::vector<std::string> keep;
    keep.reserve(static_cast<size_t>(paths.count));
    for (int i = 0; i < paths.count; ++i) {
        if (paths.nulls[i]) throw NullArgument("a keep path");
        text* path = reinterpret_cast<text*>(
            Guard([&paths, i]() noexcept { return PG_DETOAST_DATUM_PACKED(paths.values[i]); }));
        std::string_view path_bytes(VARDATA_ANY(path), VARSIZE_ANY_EXHDR(path));
        keep.push_back(utf8 ? std::string(path_bytes) : Convert(path_bytes, true));
    }
    cache->tree.emplace(keep);
    cache->paths.assign(bytes, bytes + size);
    return *cache->tree;
}

// The json rule walked over a jsonb document's own tree (no text round
// trip): every token is pushed to a new document as it is read, a scalar
// replaced unless a path keeps it. The places and fakes are JsonKeep's
// (src/json_keep.h): a faked string is the key holding it (or "value"),
// "_", the seed, and "_<index>" per enclosing array; a faked number is 0.
// For a UTF-8 or SQL_ASCII database only: JsonKeep works on UTF-8.
Datum KeepJsonb(FunctionCallInfo fcinfo, const KeepTree& tree) {
    struct Frame {
        const KeepTree::Node* node;
        bool kept;
        bool array;
        bool raw_scalar;  // jsonb's one-element array around a top-level scalar
        int label_start;  // the container's place label, in `labels`
        int label_length;
        int64 count;
    };
    int64 seed = PG_GETARG_INT64(2);
    return Guard([fcinfo, &tree, seed]() noexcept {
        Jsonb* jsonb = PG_GETARG_JSONB_P(0);
        char seed_text[MAXINT8LEN + 2];
        seed_text[0] = '_';
        int seed_length = 1 + pg_lltoa(seed, seed_text + 1);
        // The place of the next value: its path node, whether it is kept,
        // and its fake.
        const KeepTree::Node* node = tree.root();
        bool kept = KeepTree::Keeps(node);
        StringInfoData label;
        initStringInfo(&label);
        appendStringInfoString(&label, "value");
        appendBinaryStringInfo(&label, seed_text, seed_length);
        StringInfoData labels;  // the open containers' labels, end to end
        initStringInfo(&labels);
        int capacity = 8;
        int depth = 0;
        Frame* frames = static_cast<Frame*>(palloc(sizeof(Frame) * capacity));
        Numeric zero = nullptr;
        JsonbParseState* state = nullptr;
        JsonbValue* result = nullptr;
        JsonbValue value;
        JsonbIterator* iterator = JsonbIteratorInit(&jsonb->root);
        JsonbIteratorToken token;
        // An element's place: its array's, with "_<index>" added to the
        // label (not for a top-level scalar).
        auto element = [&]() {
            Frame& array = frames[depth - 1];
            node = array.node;
            kept = array.kept;
            resetStringInfo(&label);
            appendBinaryStringInfo(&label, labels.data + array.label_start, array.label_length);
            if (!array.raw_scalar) {
                char index[MAXINT8LEN + 2];
                index[0] = '_';
                int length = 1 + pg_lltoa(array.count, index + 1);
                appendBinaryStringInfo(&label, index, length);
            }
            ++array.count;
        };
        while ((token = JsonbIteratorNext(&iterator, &value, false)) != WJB_DONE) {
            switch (token) {
                case WJB_BEGIN_ARRAY:
                case WJB_BEGIN_OBJECT:
                    if (depth > 0 && frames[depth - 1].array) element();
                    if (depth == capacity) {
                        capacity *= 2;
                        frames = static_cast<Frame*>(repalloc(frames, sizeof(Frame) * capacity));
                    }
                    frames[depth++] = {node,
                                       kept,
                                       token == WJB_BEGIN_ARRAY,
                                       token == WJB_BEGIN_ARRAY && value.val.array.rawScalar,
                                       labels.len,
                                       label.len,
                                       0};
                    appendBinaryStringInfo(&labels, label.data, label.len);
                    result =
                        pushJsonbValue(&state, token, token == WJB_BEGIN_ARRAY ? &value : nullptr);
                    break;
                case WJB_END_ARRAY:
                case WJB_END_OBJECT:
                    --depth;
                    labels.len = frames[depth].label_start;
                    result = pushJsonbValue(&state, token, nullptr);
                    break;
                case WJB_KEY: {
                    const Frame& object = frames[depth - 1];
                    node = KeepTree::Child(
                        object.node, std::string_view(value.val.string.val,
                                                      static_cast<size_t>(value.val.string.len)));
                    kept = object.kept || KeepTree::Keeps(node);
                    resetStringInfo(&label);
                    appendBinaryStringInfo(&label, value.val.string.val, value.val.string.len);
                    appendBinaryStringInfo(&label, seed_text, seed_length);
                    result = pushJsonbValue(&state, token, &value);
                    break;
                }
                case WJB_ELEM:
                case WJB_VALUE:
                    if (token == WJB_ELEM) element();
                    if (!kept && value.type == jbvString) {
                        char* fake = static_cast<char*>(palloc(label.len));
                        std::memcpy(fake, label.data, label.len);
                        value.val.string.val = fake;
                        value.val.string.len = label.len;
                    } else if (!kept && value.type == jbvNumeric) {
                        if (zero == nullptr)
                            zero = DatumGetNumeric(DirectFunctionCall3(
                                numeric_in, CStringGetDatum("0"), ObjectIdGetDatum(InvalidOid),
                                Int32GetDatum(-1)));
                        value.val.numeric = zero;
                    }
                    result = pushJsonbValue(&state, token, &value);
                    break;
                case WJB_DONE:
                    break;
            }
        }
        return JsonbPGetDatum(JsonbValueToJsonb(result));
    });
}

// The json rule over a jsonb document (`json_text` false) or a json one
// (true: its text as stored, so that key order, duplicate keys and the
// spelling of numbers survive). A jsonb document in a UTF-8 (or SQL_ASCII)
// database is walked as jsonb (KeepJsonb); otherwise the document goes
// through its text: jsonb's output, or converted to UTF-8.
Datum JsonKeepOf(FunctionCallInfo fcinfo, bool json_text) {
    bool utf8 = Guard([]() noexcept {
        return GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII;
    });
    const KeepTree& tree = CachedKeepTree(fcinfo, utf8);
    if (utf8 && !json_text) return KeepJsonb(fcinfo, tree);
    const char* document = Guard([fcinfo, json_text]() noexcept {
        if (json_text) return static_cast<const char*>(text_to_cstring(PG_GETARG_TEXT_PP(0)));
        Jsonb* jsonb = PG_GETARG_JSONB_P(0);
        return static_cast<const char*>(JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb)));
    });
    std::string converted;
    std::string_view input(document);
    if (!utf8) {
        converted = Convert(input, true);
        input = converted;
    }
    std::string result = JsonKeep(input, tree, PG_GETARG_INT64(2));
    if (!utf8) result = Convert(result, false);
    const char* text = result.c_str();
    return Guard([text, json_text]() noexcept {
        return DirectFunctionCall1(json_text ? json_in : jsonb_in, CStringGetDatum(text));
    });
}

Datum JsonKeepFunction(FunctionCallInfo fcinfo) { return JsonKeepOf(fcinfo, false); }
Datum JsonKeepJsonFunction(FunctionCallInfo fcinfo) { return JsonKeepOf(fcinfo, true); }

}  // namespace

HashPermit::HashPermit() {
    if (run_token_set)
        throw ScrubError(sqlstate::kObjectInUse,
                         "a scrub_to_schema run is already in progress in this session",
                         "Code a run executes cannot start another run that hashes.",
                         "Remove the nested call to scrub_to_schema.");
    unsigned char bytes[kTokenBytes];
    bool random = Guard([&bytes]() noexcept { return pg_strong_random(bytes, sizeof bytes); });
    if (!random)
        throw ScrubError(sqlstate::kInternalError, "could not generate a random run token");
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < kTokenBytes; ++i) {
        run_token[2 * i] = kHex[bytes[i] >> 4];
        run_token[2 * i + 1] = kHex[bytes[i] & 0xf];
    }
    run_token[2 * kTokenBytes] = '\0';
    Wipe(reinterpret_cast<char*>(bytes), sizeof bytes);
    run_token_set = true;
    ++key_generation;  // each run reads the key (file) afresh
}

HashPermit::~HashPermit() { ClearToken(); }

std::string HashPermit::Token() const { return std::string(run_token, 2 * kTokenBytes); }

void RefuseLeftoverKey() {
    if (leftover_key_setting)
        throw ScrubError(
            sqlstate::kInvalidParameterValue, "scrub.key is no longer supported",
            "A setting scrub.key was found when this session loaded scrub (from postgresql.conf, "
            "ALTER SYSTEM, ALTER DATABASE or ROLE ... SET, or SET). Members of "
            "pg_read_all_settings (such as pg_monitor), and every role in a session that has not "
            "loaded scrub, can read such a setting: the key it holds is disclosed.",
            "Remove scrub.key everywhere it is set and reconnect; write a new random key to a "
            "file of the server's operating system user, mode 0600, and point scrub.key_file at "
            "it.");
}

void InitGenerators() {
    // Before scrub's prefix is reserved, which removes the placeholder.
    const char* leftover = GetConfigOption("scrub.key", true, false);
    leftover_key_setting = leftover != nullptr;
    DefineCustomStringVariable(
        "scrub.key_file", "File holding the secret key of scrub_hash.",
        "Read when a run starts; mode 0600, at least 16 bytes. Superusers only.", &scrub_key_file,
        "", PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE, nullptr, AssignKey, nullptr);
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

extern "C" Datum scrub_json_keep_json(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(scrub::pg::JsonKeepJsonFunction, fcinfo);
}
