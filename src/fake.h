// Default fakes: SQL expressions that replace a scrubbed column's values.
// A fake is built from a per-row sequence number only, never from the
// original value, so it is unique within the table and leaks nothing.
#pragma once

#include <string>

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

// True if the fake gives every row of a table a different value (or fails
// loudly when it cannot); false for booleans, enums, and numeric, time and
// real fakes, which repeat once the table outgrows their range.
bool FakeIsUnique(const ColumnInfo& column);

// The largest number of characters a text fake may take; -1 when unbounded.
int TextLengthLimit(const ScalarType& type);

// How the copy statement exposes the row's sequence number 1, 2, ...: as a
// bigint and, computed once per row for text fakes, as text.
struct SeedColumns {
    std::string number;
    std::string text;
};

// True if the fake for `column` uses the text form of the seed.
bool NeedsSeedText(const ColumnInfo& column);

// An expression giving the fake for `column` in the row whose sequence
// number is `seed`. It yields the scalar's type or an
// array of it; INSERT's assignment cast takes it to the column's type, so an
// out-of-range fake fails loudly instead of being truncated into a duplicate.
// Text values it needs are bound as parameters of `statement`.
std::string FakeExpression(const ColumnInfo& column, const SeedColumns& seed,
                           const IdentifierQuoter& quote, Statement& statement);

}  // namespace scrub
