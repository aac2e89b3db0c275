// Default fakes: SQL expressions that replace a scrubbed column's values.
// A fake is built from a per-row sequence number only, never from the
// original value, so it leaks nothing; it is unique within the table where
// a unique index needs it, and wraps to fit its type elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog.h"
#include "statement.h"

namespace scrub {

enum class FakeKind {
    kUnsupported,
    kText,  // text, varchar, bpchar, name, citext
    kInteger,
    kNumeric,
    kFloat,
    kBoolean,
    kDate,
    kTime,
    kTimestamp,
    kTimestampTz,
    kInterval,
    kUuid,
    kJson,
    kJsonb,
    kBytea,
    kInet,
    kCidr,
    kMacaddr,
    kMacaddr8,
    kEnum,
};

// The kind of fake a scalar type gets; kUnsupported when there is none.
FakeKind ClassifyType(const ScalarType& type);

// True if the fake gives every row of a table a different value (or the
// run fails loudly before it copies, when it cannot: CheckFakesFit); false
// for booleans and enums, and for fakes that wrap around (those of columns
// that no unique index needs distinct, column.unique_use).
bool FakeIsUnique(const ColumnInfo& column);

// The largest number of characters a text fake may take; -1 when unbounded.
int TextLengthLimit(const ScalarType& type);

// The most rows a table may have before the fake for `column` runs out of
// distinct values that fit its type (the row number outgrows a char(n) /
// varchar(n), an integer type, numeric(p,s)'s digits, date's last day, the
// years of an interval restricted to some fields, the IPv4 range, the
// seconds of a day, the integers a real holds exactly); 0 when no table
// reaches the limit. Past it, a column a unique index needs
// distinct (UniqueUse::kKey) fails the run; any other fake wraps around,
// starting from row 1's value again.
uint64_t FakeCapacity(const ColumnInfo& column);

// How the copy statement exposes the row's sequence number 1, 2, ...: as a
// bigint and, computed once per row for text fakes, as text.
struct SeedColumns {
    std::string number;
    std::string text;
    bool bare_text = false;  // text fakes are the row number alone, without the column name
};

// The bytes a faked row takes at most in these scrubbed columns' text
// fakes with their prefix (column name, "_", a row number of up to 19
// digits). Past kWideRowBytes the prefixes are left out: values this short
// cannot be moved out of line by TOAST, and a wide table whose real values
// are shorter than its fakes would otherwise get rows too big to store.
size_t PrefixedTextFakeBytes(const std::vector<ColumnInfo>& scrubbed);
inline constexpr size_t kWideRowBytes = 2000;  // about TOAST_TUPLE_THRESHOLD

// The fewest bytes the fakes of these scrubbed columns take in a row of a
// table of `rows` rows (text fakes without prefix, as many digits as the
// row count has or the length limit allows, one byte for any other type):
// past kMaxRowBytes, no faked row can be stored.
size_t MinimumFakeBytes(const std::vector<ColumnInfo>& scrubbed, uint64_t rows);
inline constexpr size_t kMaxRowBytes = 8160;  // the largest heap tuple on 8 kB pages

// True if the fake for `column` uses the text form of the seed.
bool NeedsSeedText(const ColumnInfo& column);

// An expression giving the fake for `column` in the row whose sequence
// number is `seed`. It yields the scalar's type or an
// array of it; INSERT's assignment cast takes it to the column's type, so an
// out-of-range fake fails loudly instead of being truncated into a duplicate.
// Past FakeCapacity() rows it wraps around unless column.unique_use is
// kKey; booleans and enums cycle through their values (false, true; the
// labels in sort order) unless a unique index reads them (then: false, the
// first label). Text values it needs are bound as parameters of `statement`.
std::string FakeExpression(const ColumnInfo& column, const SeedColumns& seed,
                           const IdentifierQuoter& quote, Statement& statement);

}  // namespace scrub
