// Default fake expressions for each supported type. Every function and
// operator is schema-qualified: the text must mean the same whatever a
// user has put on the search_path.
#include "fake.h"

#include <map>

#include "facts.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

const std::map<std::string, FakeKind>& BuiltinKinds() {
    static const std::map<std::string, FakeKind> kinds = {
        {"text", FakeKind::kText},           {"varchar", FakeKind::kText},
        {"bpchar", FakeKind::kText},         {"name", FakeKind::kText},
        {"int2", FakeKind::kInteger},        {"int4", FakeKind::kInteger},
        {"int8", FakeKind::kInteger},        {"numeric", FakeKind::kNumeric},
        {"float4", FakeKind::kFloat},        {"float8", FakeKind::kFloat},
        {"bool", FakeKind::kBoolean},        {"date", FakeKind::kDate},
        {"time", FakeKind::kTime},           {"timetz", FakeKind::kTime},
        {"timestamp", FakeKind::kTimestamp}, {"timestamptz", FakeKind::kTimestampTz},
        {"interval", FakeKind::kInterval},   {"uuid", FakeKind::kUuid},
        {"json", FakeKind::kJson},           {"jsonb", FakeKind::kJsonb},
        {"bytea", FakeKind::kBytea},         {"inet", FakeKind::kInet},
        {"cidr", FakeKind::kCidr},           {"macaddr", FakeKind::kMacaddr},
        {"macaddr8", FakeKind::kMacaddr8},
    };
    return kinds;
}

constexpr int32_t kVarHeaderSize = 4;  // typmods of varchar, bpchar, numeric carry it

constexpr int kMaxSeedDigits = 19;  // a bigint row number

// Rows whose fake still fits its type, for fakes that count from a base:
// days from 2000-01-01 to 5874897-12-31, date's last day; whole years an
// interval holds (its months are an int4); addresses from 10.0.0.0 to
// 255.255.255.255.
constexpr uint64_t kDateCapacity = 2145031948;
constexpr uint64_t kIntervalYearsCapacity = 2147483647 / 12;
constexpr uint64_t kInetCapacity = 4294967295ull - 167772160;

uint64_t PowerOfTen(int digits) {
    uint64_t power = 1;
    for (int i = 0; i < digits; ++i) power *= 10;
    return power;
}

// numeric(p,s)'s precision and scale, when its typmod sets them.
bool NumericPrecisionScale(const ScalarType& type, int32_t& precision, int32_t& scale) {
    if (type.typmod < kVarHeaderSize) return false;
    precision = ((type.typmod - kVarHeaderSize) >> 16) & 0xffff;
    scale = (type.typmod - kVarHeaderSize) & 0x7ff;
    if (scale & 0x400) scale -= 0x800;  // PostgreSQL 15 allows negative scales
    return true;
}

// Whether the fake of `column` wraps around past FakeCapacity() rows
// instead of failing: always, unless a unique index needs it distinct.
bool Wraps(const ColumnInfo& column) {
    return column.unique_use != UniqueUse::kKey && FakeCapacity(column) != 0;
}

// The row number `seed` brought into 1 .. capacity: unchanged up to the
// capacity, then counting from 1 again.
std::string WrappedSeed(const std::string& seed, uint64_t capacity) {
    return "(((" + seed + " OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.%) " +
           std::to_string(capacity) + ") OPERATOR(pg_catalog.+) 1)";
}

bool IsAscii(const std::string& text) {
    for (unsigned char c : text)
        if (c >= 0x80) return false;
    return true;
}

// A fake for string types: a prefix from the column name ending in "_",
// then the row number. The prefix is never cut: where a length limit
// leaves no room for the whole prefix and the row number, the row number
// stands alone. That keeps the fakes distinct by construction (a prefixed
// fake holds a "_", a bare one is digits only, and two fakes of one kind
// differ in their number); a shortened prefix would not (the column
// "line2" would give "line2" + "1" and "line" + "21" alike). Nor can a
// prefix be cut inside a multibyte character. The fit is measured as the
// type measures its limit: characters for varchar(n) and char(n) (bytes
// when the database is SQL_ASCII, for both), bytes for name. Where the
// fake wraps, a number too long for the limit keeps its last digits.
std::string TextFake(const ColumnInfo& column, const std::string& seed_text, bool bare,
                     Statement& statement) {
    int limit = TextLengthLimit(column.scalar);
    std::string number =
        Wraps(column) ? "pg_catalog.\"right\"(" + seed_text + ", " + std::to_string(limit) + ")"
                      : seed_text;
    if (bare) return number;
    std::string prefix_text = column.name + "_";
    // Bytes bound the characters from above: no row number can overflow.
    if (limit < 0 || prefix_text.size() + kMaxSeedDigits <= size_t(limit))
        return "pg_catalog.textcat(" + statement.Bind(prefix_text) + ", " + seed_text + ")";
    // Not even a one-digit row number fits behind the prefix.
    if (prefix_text.size() >= size_t(limit) && IsAscii(prefix_text)) return number;
    const bool bytes = column.scalar.schema == "pg_catalog" && column.scalar.name == "name";
    const std::string length = bytes ? "pg_catalog.octet_length" : "pg_catalog.length";
    std::string prefix = statement.Bind(prefix_text);
    return "CASE WHEN " + length + "(" + prefix + ") OPERATOR(pg_catalog.+) " + length + "(" +
           seed_text + ") OPERATOR(pg_catalog.<=) " + std::to_string(limit) +
           " THEN pg_catalog.textcat(" + prefix + ", " + seed_text + ") ELSE " + number + " END";
}

// The row number brought into numeric(p,s): integers below 10^(p-s) where
// the precision leaves room for an integer part, else fractions; with a
// negative scale, multiples of 10^-s. Each form takes FakeCapacity()
// values, then repeats.
std::string NumericFake(const ColumnInfo& column, const std::string& seed) {
    int32_t precision = 0, scale = 0;
    if (!NumericPrecisionScale(column.scalar, precision, scale)) return seed;
    if (scale < 0)
        return "((" + seed + " OPERATOR(pg_catalog.%) 1" +
               std::string(static_cast<size_t>(precision), '0') + ") OPERATOR(pg_catalog.*) 1" +
               std::string(static_cast<size_t>(-scale), '0') + ")";
    std::string modulus = "1" + std::string(static_cast<size_t>(precision), '0');
    if (precision > scale) {
        std::string integer_modulus =
            "1" + std::string(static_cast<size_t>(precision - scale), '0');
        return "(" + seed + " OPERATOR(pg_catalog.%) " + integer_modulus + ")";
    }
    return "CAST(" + seed + " OPERATOR(pg_catalog.%) " + modulus +
           " AS pg_catalog.numeric) OPERATOR(pg_catalog./) 1" +
           std::string(static_cast<size_t>(scale), '0');
}

// An enum's labels, in their sort order, fetched once per statement (an
// uncorrelated subquery runs once, as an InitPlan), then subscripted per
// row: label `index` (1-based).
std::string EnumLabel(const ColumnInfo& column, const std::string& index,
                      const IdentifierQuoter& quote) {
    std::string type = QualifiedName(quote, column.scalar.schema, column.scalar.name);
    // An enum without labels has no values, so no row reaches its fake.
    if (column.scalar.enum_labels <= 0) return "CAST(NULL AS " + type + ")";
    return "(SELECT pg_catalog.enum_range(CAST(NULL AS " + type + ")))[" + index + "]";
}

// A hexadecimal rendering of the row number, zero-padded to `digits`.
std::string HexFake(const std::string& seed, int digits, const char* type) {
    return "CAST(pg_catalog.lpad(pg_catalog.to_hex(" + seed + "), " + std::to_string(digits) +
           ", '0') AS pg_catalog." + type + ")";
}

std::string ScalarFake(FakeKind kind, const ColumnInfo& column, const SeedColumns& seeds,
                       const IdentifierQuoter& quote, Statement& statement) {
    // Fakes that count from a base wrap around where they may; numeric
    // and time fakes wrap by their own form, real ones round (no error).
    const bool wraps = Wraps(column) && kind != FakeKind::kNumeric && kind != FakeKind::kTime &&
                       kind != FakeKind::kFloat;
    const std::string seed = wraps ? WrappedSeed(seeds.number, FakeCapacity(column)) : seeds.number;
    const std::string interval = "pg_catalog.make_interval(secs => " + seed + ")";
    // Booleans and enums cycle through their values, so that a filter on
    // them still finds rows, unless a unique index reads them: one value
    // then, as a partial index such as UNIQUE (user_id) WHERE is_primary
    // holds for no row rather than for every other one.
    const bool cycles = column.unique_use == UniqueUse::kNone;
    switch (kind) {
        case FakeKind::kText:
            return TextFake(column, seeds.text, seeds.bare_text, statement);
        case FakeKind::kInteger:
        case FakeKind::kFloat:
            return seed;
        case FakeKind::kNumeric:
            return NumericFake(column, seed);
        case FakeKind::kBoolean:
            if (!cycles) return "false";
            return "((" + seed + " OPERATOR(pg_catalog.%) 2) OPERATOR(pg_catalog.=) 0)";
        case FakeKind::kDate:
            return "pg_catalog.make_date(2000, 1, 1) OPERATOR(pg_catalog.+) CAST(" + seed +
                   " AS pg_catalog.int4)";
        case FakeKind::kTime:
            return "pg_catalog.make_time(0, 0, 0) OPERATOR(pg_catalog.+) "
                   "pg_catalog.make_interval(secs => " +
                   seed + " OPERATOR(pg_catalog.%) 86400)";
        case FakeKind::kTimestamp:
            return "pg_catalog.make_timestamp(2000, 1, 1, 0, 0, 0) OPERATOR(pg_catalog.+) " +
                   interval;
        case FakeKind::kTimestampTz:
            // A typed literal is converted once, when the statement is
            // parsed; make_timestamptz() is only stable and runs per row.
            return "CAST('2000-01-01 00:00:00+00' AS pg_catalog.timestamptz) "
                   "OPERATOR(pg_catalog.+) " +
                   interval;
        case FakeKind::kInterval:
            // A field restriction (interval day, interval hour to minute,
            // ...) truncates the value: seconds would all become zero days.
            // Whole years survive every restriction, so a restricted
            // interval counts years instead.
            if (column.scalar.typmod != -1)
                return "pg_catalog.make_interval(years => CAST(" + seed + " AS pg_catalog.int4))";
            return interval;
        case FakeKind::kUuid:
            // Decimal digits are hex digits too; cheaper than to_hex().
            return "CAST(pg_catalog.textcat('00000000-0000-0000-0000-', pg_catalog.lpad(" +
                   seeds.text + ", 12, '0')) AS pg_catalog.uuid)";
        case FakeKind::kJson:
            return "pg_catalog.json_build_object('scrubbed', " + seed + ")";
        case FakeKind::kJsonb:
            return "pg_catalog.jsonb_build_object('scrubbed', " + seed + ")";
        case FakeKind::kBytea:
            return "pg_catalog.int8send(" + seed + ")";
        case FakeKind::kInet:
            return "CAST('10.0.0.0' AS pg_catalog.inet) OPERATOR(pg_catalog.+) " + seed;
        case FakeKind::kCidr:
            return "CAST(CAST('10.0.0.0' AS pg_catalog.inet) OPERATOR(pg_catalog.+) " + seed +
                   " AS pg_catalog.cidr)";
        case FakeKind::kMacaddr:
            return HexFake(seed, 12, "macaddr");
        case FakeKind::kMacaddr8:
            return HexFake(seed, 16, "macaddr8");
        case FakeKind::kEnum:
            if (!cycles || column.scalar.enum_labels <= 1) return EnumLabel(column, "1", quote);
            return EnumLabel(
                column, WrappedSeed(seed, static_cast<uint64_t>(column.scalar.enum_labels)), quote);
        case FakeKind::kUnsupported:
            break;
    }
    return {};
}

}  // namespace

FakeKind ClassifyType(const ScalarType& type) {
    if (type.typtype == 'e') return FakeKind::kEnum;
    if (type.typtype != 'b') return FakeKind::kUnsupported;
    if (type.name == "citext") return FakeKind::kText;  // contrib type, any schema
    if (type.schema != "pg_catalog") return FakeKind::kUnsupported;
    auto it = BuiltinKinds().find(type.name);
    return it == BuiltinKinds().end() ? FakeKind::kUnsupported : it->second;
}

int TextLengthLimit(const ScalarType& type) {
    if (type.schema == "pg_catalog" && (type.name == "varchar" || type.name == "bpchar") &&
        type.typmod >= kVarHeaderSize)
        return type.typmod - kVarHeaderSize;
    if (type.schema == "pg_catalog" && type.name == "name") return static_cast<int>(kMaxNameBytes);
    return -1;
}

bool FakeIsUnique(const ColumnInfo& column) {
    switch (ClassifyType(column.scalar)) {
        case FakeKind::kBoolean:
        case FakeKind::kEnum:
        case FakeKind::kUnsupported:
            return false;
        default:
            return !Wraps(column);
    }
}

uint64_t FakeCapacity(const ColumnInfo& column) {
    switch (ClassifyType(column.scalar)) {
        case FakeKind::kText: {
            // The prefix shrinks to make room, so the row number alone must
            // fit: at most 10^limit - 1 rows.
            int limit = TextLengthLimit(column.scalar);
            if (limit < 0 || limit >= kMaxSeedDigits) return 0;
            return PowerOfTen(limit) - 1;
        }
        case FakeKind::kInteger:
            if (column.scalar.name == "int2") return 32767;
            if (column.scalar.name == "int4") return 2147483647;
            return 0;
        case FakeKind::kFloat:
            // real holds every integer exactly up to 2^24; double up to 2^53.
            return column.scalar.name == "float4" ? 16777216 : 0;
        case FakeKind::kTime:
            return 86400;  // the seconds of a day
        case FakeKind::kNumeric: {
            int32_t precision = 0, scale = 0;
            if (!NumericPrecisionScale(column.scalar, precision, scale)) return 0;
            int digits = scale >= 0 && precision > scale ? precision - scale : precision;
            return digits >= kMaxSeedDigits ? 0 : PowerOfTen(digits);
        }
        case FakeKind::kDate:
            return kDateCapacity;
        case FakeKind::kInterval:
            return column.scalar.typmod != -1 ? kIntervalYearsCapacity : 0;
        case FakeKind::kInet:
        case FakeKind::kCidr:
            return kInetCapacity;
        default:
            // Timestamps and unrestricted intervals count seconds: a table
            // of 2^63 / 10^6 rows would not fit in PostgreSQL's 32 TB.
            return 0;
    }
}

size_t PrefixedTextFakeBytes(const std::vector<ColumnInfo>& scrubbed) {
    size_t bytes = 0;
    for (const ColumnInfo& column : scrubbed)
        if (ClassifyType(column.scalar) == FakeKind::kText)
            bytes += 1 + column.name.size() + 1 + kMaxSeedDigits;
    return bytes;
}

size_t MinimumFakeBytes(const std::vector<ColumnInfo>& scrubbed, uint64_t rows) {
    size_t digits = 1;
    for (uint64_t n = rows; n >= 10; n /= 10) ++digits;
    size_t bytes = 0;
    for (const ColumnInfo& column : scrubbed) {
        if (ClassifyType(column.scalar) != FakeKind::kText) {
            bytes += 1;
            continue;
        }
        // A length limit caps a wrapped fake; a unique one fails to fit first.
        int limit = TextLengthLimit(column.scalar);
        bytes += 1 + (limit >= 0 && size_t(limit) < digits ? size_t(limit) : digits);
    }
    return bytes;
}

bool NeedsSeedText(const ColumnInfo& column) {
    FakeKind kind = ClassifyType(column.scalar);
    return kind == FakeKind::kText || kind == FakeKind::kUuid;
}

std::string FakeExpression(const ColumnInfo& column, const SeedColumns& seed,
                           const IdentifierQuoter& quote, Statement& statement) {
    std::string scalar = ScalarFake(ClassifyType(column.scalar), column, seed, quote, statement);
    if (column.is_array) return "ARRAY[" + scalar + "]";
    return scalar;
}

}  // namespace scrub
