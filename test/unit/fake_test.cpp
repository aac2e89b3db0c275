// Type classification and the shape of fake expressions.
#include <gtest/gtest.h>

#include "fake.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::kQuote;

const SeedColumns kSeed{"s.seed", "s.seed_text"};

TEST(Fake, ClassifiesSupportedTypes) {
    for (const char* name :
         {"text",   "varchar", "bpchar", "int2",  "int4",   "int8",      "numeric",     "float4",
          "float8", "bool",    "date",   "time",  "timetz", "timestamp", "timestamptz", "interval",
          "uuid",   "json",    "jsonb",  "bytea", "inet",   "cidr",      "macaddr",     "macaddr8"})
        EXPECT_NE(ClassifyType({"pg_catalog", name, 'b', -1}), FakeKind::kUnsupported) << name;
    EXPECT_EQ(ClassifyType({"public", "citext", 'b', -1}), FakeKind::kText);
    EXPECT_EQ(ClassifyType({"public", "mood", 'e', -1}), FakeKind::kEnum);
}

TEST(Fake, RejectsOtherTypes) {
    EXPECT_EQ(ClassifyType({"pg_catalog", "money", 'b', -1}), FakeKind::kUnsupported);
    EXPECT_EQ(ClassifyType({"pg_catalog", "point", 'b', -1}), FakeKind::kUnsupported);
    EXPECT_EQ(ClassifyType({"public", "pair", 'c', -1}), FakeKind::kUnsupported);
    // A user type named like a built-in is not the built-in.
    EXPECT_EQ(ClassifyType({"public", "text", 'b', -1}), FakeKind::kUnsupported);
}

TEST(Fake, TextLengthLimitComesFromTypmod) {
    EXPECT_EQ(TextLengthLimit({"pg_catalog", "varchar", 'b', 14}), 10);
    EXPECT_EQ(TextLengthLimit({"pg_catalog", "bpchar", 'b', 8}), 4);
    EXPECT_EQ(TextLengthLimit({"pg_catalog", "varchar", 'b', -1}), -1);
    EXPECT_EQ(TextLengthLimit({"pg_catalog", "text", 'b', -1}), -1);
}

TEST(Fake, TextFakeBindsThePrefixAsAParameter) {
    Statement statement;
    std::string sql = FakeExpression(Column("e'mail", "varchar", 14), kSeed, kQuote, statement);
    ASSERT_EQ(statement.params.size(), 1u);
    EXPECT_EQ(*statement.params[0], "e'mail_");
    EXPECT_EQ(sql.find("e'mail"), std::string::npos) << "column names never reach the SQL text";
    EXPECT_NE(sql.find("$1"), std::string::npos);
    EXPECT_NE(sql.find("GREATEST(0, 10 OPERATOR(pg_catalog.-)"), std::string::npos);
}

TEST(Fake, NumericFakeRespectsPrecisionAndScale) {
    Statement statement;
    auto numeric = [](int precision, int scale) {
        return Column("n", "numeric", ((precision << 16) | scale) + 4);
    };
    EXPECT_EQ(FakeExpression(numeric(5, 2), kSeed, kQuote, statement),
              "(s.seed OPERATOR(pg_catalog.%) 1000)");
    EXPECT_EQ(FakeExpression(numeric(3, 3), kSeed, kQuote, statement),
              "CAST(s.seed OPERATOR(pg_catalog.%) 1000 AS pg_catalog.numeric) "
              "OPERATOR(pg_catalog./) 1000");
    EXPECT_EQ(FakeExpression(Column("n", "numeric"), kSeed, kQuote, statement), "s.seed");
}

TEST(Fake, NumericFakeWithNegativeScaleStaysUnique) {
    Statement statement;
    // numeric(5,-2): multiples of 100 with five significant digits.
    ColumnInfo column = Column("n", "numeric", ((5 << 16) | (-2 & 0x7ff)) + 4);
    EXPECT_EQ(FakeExpression(column, kSeed, kQuote, statement),
              "((s.seed OPERATOR(pg_catalog.%) 100000) OPERATOR(pg_catalog.*) 100)");
}

TEST(Fake, RestrictedIntervalCountsYears) {
    Statement statement;
    // Seconds would be cut away by `interval day` and the like; whole years
    // survive every field restriction and precision.
    const int32_t kIntervalDay = (1 << 3) << 16 | 0xFFFF;  // INTERVAL_TYPMOD(full, DAY)
    for (int32_t typmod : {kIntervalDay, 0}) {
        std::string sql =
            FakeExpression(Column("iv", "interval", typmod), kSeed, kQuote, statement);
        EXPECT_EQ(sql, "pg_catalog.make_interval(years => CAST(s.seed AS pg_catalog.int4))")
            << typmod;
    }
    EXPECT_EQ(FakeExpression(Column("iv", "interval"), kSeed, kQuote, statement),
              "pg_catalog.make_interval(secs => s.seed)");
}

TEST(Fake, NameFakeDropsAMultibytePrefix) {
    // name's 63-byte limit is in bytes, left() counts characters: a
    // multibyte prefix could clip the row number, so it is left out.
    Statement statement;
    EXPECT_EQ(FakeExpression(Column("\xc3\xa9t\xc3\xa9", "name"), kSeed, kQuote, statement),
              "s.seed_text");
    EXPECT_TRUE(statement.params.empty());
    std::string ascii = FakeExpression(Column("nm", "name"), kSeed, kQuote, statement);
    ASSERT_EQ(statement.params.size(), 1u);
    EXPECT_EQ(*statement.params[0], "nm_");
    EXPECT_NE(ascii.find("$1"), std::string::npos);
}

TEST(Fake, EnumFakeQuotesTheTypeName) {
    Statement statement;
    ColumnInfo column = Column("state", "\"My Schema\".\"Mood\"");
    column.scalar = {"My Schema", "Mood \"x\"", 'e', -1};
    EXPECT_EQ(FakeExpression(column, kSeed, kQuote, statement),
              "pg_catalog.enum_first(CAST(NULL AS \"My Schema\".\"Mood \"\"x\"\"\"))");
}

TEST(Fake, ArraysWrapTheElementFake) {
    Statement statement;
    EXPECT_EQ(FakeExpression(Column("ids", "int4", -1, true), kSeed, kQuote, statement),
              "ARRAY[s.seed]");
}

TEST(Fake, CapacityIsTheRowsWhoseNumberFits) {
    EXPECT_EQ(FakeCapacity(Column("flag", "bpchar", 4 + 1)), 9u) << "char(1): rows 1 to 9";
    EXPECT_EQ(FakeCapacity(Column("code", "varchar", 4 + 3)), 999u);
    EXPECT_EQ(FakeCapacity(Column("code", "varchar", 4 + 3, true)), 999u) << "arrays alike";
    EXPECT_EQ(FakeCapacity(Column("code", "varchar", 4 + 19)), 0u) << "any bigint fits";
    EXPECT_EQ(FakeCapacity(Column("note", "text")), 0u);
    EXPECT_EQ(FakeCapacity(Column("n", "int2")), 32767u);
    EXPECT_EQ(FakeCapacity(Column("n", "int4")), 2147483647u);
    EXPECT_EQ(FakeCapacity(Column("n", "int8")), 0u);
    EXPECT_EQ(FakeCapacity(Column("flag", "bool")), 0u) << "repeats, never overflows";
}

TEST(Fake, RowBytesOfFakes) {
    std::vector<ColumnInfo> columns{Column("note", "text"), Column("n", "int4")};
    EXPECT_EQ(PrefixedTextFakeBytes(columns), 1u + 5 + 19) << "header, \"note_\", 19 digits";
    EXPECT_EQ(MinimumFakeBytes(columns, 9), (1u + 1) + 1);
    EXPECT_EQ(MinimumFakeBytes(columns, 12345), (1u + 5) + 1);
    std::vector<ColumnInfo> wide(1600, Column("c", "text"));
    EXPECT_LE(MinimumFakeBytes(wide, 9999), kMaxRowBytes);
    EXPECT_GT(MinimumFakeBytes(wide, 10000), kMaxRowBytes) << "1600 columns of 5 digits";
}

TEST(Fake, EveryFunctionIsSchemaQualified) {
    for (const char* type :
         {"text", "date", "time", "timestamp", "timestamptz", "interval", "uuid", "json", "jsonb",
          "bytea", "inet", "cidr", "macaddr", "macaddr8", "numeric"}) {
        Statement statement;
        std::string sql =
            FakeExpression(Column("c", type, type == std::string("numeric") ? 327686 : -1), kSeed,
                           kQuote, statement);
        // Every identifier followed by "(" must be a pg_catalog function,
        // CAST, GREATEST or ARRAY.
        for (size_t pos = sql.find('('); pos != std::string::npos; pos = sql.find('(', pos + 1)) {
            size_t start = pos;
            while (start > 0 &&
                   (std::isalnum(static_cast<unsigned char>(sql[start - 1])) ||
                    sql[start - 1] == '_' || sql[start - 1] == '.' || sql[start - 1] == '"'))
                --start;
            std::string callee = sql.substr(start, pos - start);
            if (callee.empty() || callee == "CAST" || callee == "GREATEST" || callee == "OPERATOR")
                continue;
            EXPECT_EQ(callee.rfind("pg_catalog.", 0), 0u)
                << type << ": " << callee << " in " << sql;
        }
    }
}

}  // namespace
}  // namespace scrub
