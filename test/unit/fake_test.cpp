// Type classification and the shape of fake expressions.
#include <gtest/gtest.h>

#include <set>

#include "fake.h"
#include "test_support.h"

namespace scrub {
namespace {

using testing::Column;
using testing::kQuote;

const SeedColumns kSeed{"s.seed", "s.seed_text"};

// `column` as a key of a unique index: its fake must never repeat.
ColumnInfo Key(ColumnInfo column) {
    column.unique_use = UniqueUse::kKey;
    column.unique_index = "some_key";
    return column;
}

ColumnInfo Enum(const std::string& name, int labels) {
    ColumnInfo column = Column(name, "public.mood");
    column.scalar = {"public", "mood", 'e', -1, labels};
    return column;
}

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
}

TEST(Fake, TextFakeTakesTheWholePrefixOrNone) {
    // A prefix cut to make room for the row number repeats values: in
    // char(6), "line2" + "1" and "line" + "21" are the same "line21".
    Statement statement;
    EXPECT_EQ(FakeExpression(Key(Column("line2", "bpchar", 4 + 8)), kSeed, kQuote, statement),
              "CASE WHEN pg_catalog.length($1) OPERATOR(pg_catalog.+) "
              "pg_catalog.length(s.seed_text) OPERATOR(pg_catalog.<=) 8 THEN "
              "pg_catalog.textcat($1, s.seed_text) ELSE s.seed_text END");
    // No room for even one digit behind the prefix: the number alone.
    Statement narrow;
    EXPECT_EQ(FakeExpression(Key(Column("a1", "varchar", 4 + 3)), kSeed, kQuote, narrow),
              "s.seed_text");
    EXPECT_TRUE(narrow.params.empty());
    // Unlimited or roomy: always prefixed.
    Statement roomy;
    EXPECT_EQ(FakeExpression(Column("a1", "varchar", 4 + 22), kSeed, kQuote, roomy),
              "pg_catalog.textcat($1, s.seed_text)");
}

TEST(Fake, TextFakesNeverRepeat) {
    // The SQL above, evaluated here for every row number up to 10^limit - 1
    // (FakeCapacity) of short columns whose names end in digits.
    for (const std::string name : {"line2", "a1", "x", "n12", "ab_1"}) {
        for (int limit = 1; limit <= 5; ++limit) {
            ColumnInfo column = Key(Column(name, "varchar", 4 + limit));
            Statement statement;
            std::string sql = FakeExpression(column, kSeed, kQuote, statement);
            const std::string whole_or_none =
                "CASE WHEN pg_catalog.length($1) OPERATOR(pg_catalog.+) "
                "pg_catalog.length(s.seed_text) OPERATOR(pg_catalog.<=) " +
                std::to_string(limit) +
                " THEN pg_catalog.textcat($1, s.seed_text) ELSE s.seed_text END";
            ASSERT_TRUE(sql == "s.seed_text" || sql == "pg_catalog.textcat($1, s.seed_text)" ||
                        sql == whole_or_none)
                << "a form this test does not evaluate: " << sql;
            std::set<std::string> seen;
            uint64_t capacity = FakeCapacity(column);
            std::string prefix = name + "_";
            for (uint64_t row = 1; row <= capacity; ++row) {
                std::string number = std::to_string(row);
                std::string fake = sql == "s.seed_text" ? number
                                   : prefix.size() + number.size() <= size_t(limit)
                                       ? prefix + number
                                       : number;
                ASSERT_LE(fake.size(), size_t(limit));
                ASSERT_TRUE(seen.insert(fake).second)
                    << name << " varchar(" << limit << ") repeats " << fake << " at row " << row;
            }
        }
    }
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
            FakeExpression(Key(Column("iv", "interval", typmod)), kSeed, kQuote, statement);
        EXPECT_EQ(sql, "pg_catalog.make_interval(years => CAST(s.seed AS pg_catalog.int4))")
            << typmod;
    }
    // Elsewhere the years wrap before make_interval() overflows the months.
    EXPECT_EQ(FakeExpression(Column("iv", "interval", kIntervalDay), kSeed, kQuote, statement),
              "pg_catalog.make_interval(years => CAST((((s.seed OPERATOR(pg_catalog.-) 1) "
              "OPERATOR(pg_catalog.%) 178956970) OPERATOR(pg_catalog.+) 1) AS pg_catalog.int4))");
    EXPECT_EQ(FakeExpression(Column("iv", "interval"), kSeed, kQuote, statement),
              "pg_catalog.make_interval(secs => s.seed)");
}

TEST(Fake, NameFakeMeasuresItsPrefixInBytes) {
    // name's 63-byte limit is in bytes: the fit is measured with
    // octet_length(), and the prefix is never cut (not inside a character).
    Statement statement;
    std::string wide(31 * 2, 'x');
    for (size_t i = 0; i < wide.size(); i += 2) wide.replace(i, 2, "\xc3\xa9");
    EXPECT_EQ(FakeExpression(Key(Column(wide, "name")), kSeed, kQuote, statement),
              "CASE WHEN pg_catalog.octet_length($1) OPERATOR(pg_catalog.+) "
              "pg_catalog.octet_length(s.seed_text) OPERATOR(pg_catalog.<=) 63 THEN "
              "pg_catalog.textcat($1, s.seed_text) ELSE s.seed_text END");
    Statement short_name;
    EXPECT_EQ(FakeExpression(Column("\xc3\xa9t\xc3\xa9", "name"), kSeed, kQuote, short_name),
              "pg_catalog.textcat($1, s.seed_text)");
    ASSERT_EQ(short_name.params.size(), 1u);
    EXPECT_EQ(*short_name.params[0], "\xc3\xa9t\xc3\xa9_");
}

TEST(Fake, NoTextFakeCutsItsPrefix) {
    // A cut prefix could split a multibyte character (in SQL_ASCII,
    // left() counts bytes): no text fake calls left() or substr().
    for (const char* type : {"varchar", "bpchar", "name", "text"})
        for (int limit : {1, 3, 6, 10, 30}) {
            Statement statement;
            std::string sql = FakeExpression(Key(Column("\xc3\xa7"
                                                        "a",
                                                        type, 4 + limit)),
                                             kSeed, kQuote, statement);
            EXPECT_EQ(sql.find("left"), std::string::npos) << type << limit << ": " << sql;
            EXPECT_EQ(sql.find("substr"), std::string::npos) << type << limit << ": " << sql;
        }
}

TEST(Fake, EnumFakeQuotesTheTypeName) {
    Statement statement;
    ColumnInfo column = Column("state", "\"My Schema\".\"Mood\"");
    column.scalar = {"My Schema", "Mood \"x\"", 'e', -1, 1};
    EXPECT_EQ(FakeExpression(column, kSeed, kQuote, statement),
              "(SELECT pg_catalog.enum_range(CAST(NULL AS \"My Schema\".\"Mood \"\"x\"\"\")))[1]");
}

TEST(Fake, EnumFakesCycleThroughTheLabels) {
    // The labels are fetched once per statement (an uncorrelated subquery
    // is an InitPlan) and subscripted by the row number modulo their count.
    Statement statement;
    EXPECT_EQ(FakeExpression(Enum("state", 3), kSeed, kQuote, statement),
              "(SELECT pg_catalog.enum_range(CAST(NULL AS public.mood)))[(((s.seed "
              "OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.%) 3) OPERATOR(pg_catalog.+) 1)]");
    EXPECT_TRUE(statement.params.empty());
    // A unique index reading it: one label, which leaves a partial index
    // over the column's rows empty rather than half full.
    for (UniqueUse use : {UniqueUse::kKey, UniqueUse::kRead}) {
        ColumnInfo column = Enum("state", 3);
        column.unique_use = use;
        EXPECT_EQ(FakeExpression(column, kSeed, kQuote, statement),
                  "(SELECT pg_catalog.enum_range(CAST(NULL AS public.mood)))[1]");
    }
    // An enum with no label has no value to fake.
    EXPECT_EQ(FakeExpression(Enum("state", 0), kSeed, kQuote, statement),
              "CAST(NULL AS public.mood)");
}

TEST(Fake, BooleanFakesAlternate) {
    Statement statement;
    EXPECT_EQ(FakeExpression(Column("b", "bool"), kSeed, kQuote, statement),
              "((s.seed OPERATOR(pg_catalog.%) 2) OPERATOR(pg_catalog.=) 0)")
        << "false, true, false, ...";
    ColumnInfo read = Column("b", "bool");
    read.unique_use = UniqueUse::kRead;
    EXPECT_EQ(FakeExpression(read, kSeed, kQuote, statement), "false");
    EXPECT_EQ(FakeExpression(Key(Column("b", "bool")), kSeed, kQuote, statement), "false");
}

TEST(Fake, NarrowFakesWrapUnlessAUniqueIndexNeedsThem) {
    Statement statement;
    // varchar(3): the last three digits once the row number is longer.
    std::string text = FakeExpression(Column("code", "varchar", 4 + 3), kSeed, kQuote, statement);
    EXPECT_EQ(text, "pg_catalog.\"right\"(s.seed_text, 3)") << "\"code_\" leaves no room";
    text = FakeExpression(Column("c", "varchar", 4 + 3), kSeed, kQuote, statement);
    EXPECT_NE(text.find(" ELSE pg_catalog.\"right\"(s.seed_text, 3) END"), std::string::npos)
        << text;
    std::string key =
        FakeExpression(Key(Column("code", "varchar", 4 + 3)), kSeed, kQuote, statement);
    EXPECT_EQ(key.find("right"), std::string::npos) << key;
    // Wide rows drop the prefix: the digits alone, wrapped likewise.
    const SeedColumns bare{"s.seed", "s.seed_text", true};
    EXPECT_EQ(FakeExpression(Column("code", "bpchar", 4 + 2), bare, kQuote, statement),
              "pg_catalog.\"right\"(s.seed_text, 2)");
    EXPECT_EQ(FakeExpression(Key(Column("code", "bpchar", 4 + 2)), bare, kQuote, statement),
              "s.seed_text");
    // Counting fakes: the row number modulo the capacity, from 1.
    EXPECT_EQ(FakeExpression(Column("n", "int2"), kSeed, kQuote, statement),
              "(((s.seed OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.%) 32767) "
              "OPERATOR(pg_catalog.+) 1)");
    EXPECT_EQ(FakeExpression(Key(Column("n", "int2")), kSeed, kQuote, statement), "s.seed");
    EXPECT_EQ(FakeExpression(Column("n", "int8"), kSeed, kQuote, statement), "s.seed");
    EXPECT_NE(FakeExpression(Column("d", "date"), kSeed, kQuote, statement)
                  .find("OPERATOR(pg_catalog.%) 2145031948"),
              std::string::npos);
    EXPECT_NE(FakeExpression(Column("ip", "inet"), kSeed, kQuote, statement)
                  .find("OPERATOR(pg_catalog.%) 4127195135"),
              std::string::npos);
    // Time fakes wrap by their form, real ones only round: no added wrap.
    EXPECT_EQ(FakeExpression(Column("t", "time"), kSeed, kQuote, statement),
              FakeExpression(Key(Column("t", "time")), kSeed, kQuote, statement));
    EXPECT_EQ(FakeExpression(Column("f", "float4"), kSeed, kQuote, statement), "s.seed");
    EXPECT_EQ(FakeExpression(Column("ts", "timestamp"), kSeed, kQuote, statement),
              FakeExpression(Key(Column("ts", "timestamp")), kSeed, kQuote, statement))
        << "no table outgrows a timestamp";
}

TEST(Fake, FakeIsUniqueWhereItNeverWraps) {
    EXPECT_TRUE(FakeIsUnique(Key(Column("code", "varchar", 4 + 3))));
    EXPECT_FALSE(FakeIsUnique(Column("code", "varchar", 4 + 3)));
    EXPECT_TRUE(FakeIsUnique(Column("note", "text")));
    EXPECT_TRUE(FakeIsUnique(Key(Column("n", "int4"))));
    EXPECT_FALSE(FakeIsUnique(Column("n", "int4")));
    EXPECT_TRUE(FakeIsUnique(Column("n", "int8")));
    EXPECT_TRUE(FakeIsUnique(Key(Column("n", "numeric", ((3 << 16) | 0) + 4))));
    EXPECT_FALSE(FakeIsUnique(Column("n", "numeric", ((3 << 16) | 0) + 4)));
    EXPECT_TRUE(FakeIsUnique(Column("n", "numeric"))) << "unconstrained: the row number";
    EXPECT_FALSE(FakeIsUnique(Key(Column("b", "bool"))));
    EXPECT_FALSE(FakeIsUnique(Key(Enum("state", 3))));
    EXPECT_TRUE(FakeIsUnique(Key(Column("t", "time")))) << "86,400 rows, checked before the copy";
    EXPECT_FALSE(FakeIsUnique(Column("t", "time")));
    EXPECT_TRUE(FakeIsUnique(Key(Column("f", "float4"))));
    EXPECT_FALSE(FakeIsUnique(Column("f", "float4")));
    EXPECT_TRUE(FakeIsUnique(Column("f", "float8")));
}

TEST(Fake, ArraysWrapTheElementFake) {
    Statement statement;
    EXPECT_EQ(FakeExpression(Column("ids", "int8", -1, true), kSeed, kQuote, statement),
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
    auto numeric = [](int precision, int scale) {
        return Column("n", "numeric", ((precision << 16) | (scale & 0x7ff)) + 4);
    };
    EXPECT_EQ(FakeCapacity(numeric(3, 0)), 1000u) << "0 to 999";
    EXPECT_EQ(FakeCapacity(numeric(5, 2)), 1000u) << "integers below 1000";
    EXPECT_EQ(FakeCapacity(numeric(2, 2)), 100u) << "0.00 to 0.99";
    EXPECT_EQ(FakeCapacity(numeric(3, -2)), 1000u) << "multiples of 100";
    EXPECT_EQ(FakeCapacity(numeric(40, 2)), 0u);
    EXPECT_EQ(FakeCapacity(Column("n", "numeric")), 0u);
    EXPECT_EQ(FakeCapacity(Column("d", "date")), 2145031948u) << "2000-01-02 to 5874897-12-31";
    EXPECT_EQ(FakeCapacity(Column("iv", "interval", 0)), 178956970u) << "years in int4 months";
    EXPECT_EQ(FakeCapacity(Column("iv", "interval")), 0u) << "seconds";
    EXPECT_EQ(FakeCapacity(Column("ip", "inet")), 4127195135u) << "up to 255.255.255.255";
    EXPECT_EQ(FakeCapacity(Column("ts", "timestamptz")), 0u);
    EXPECT_EQ(FakeCapacity(Column("t", "time")), 86400u) << "00:00:01 to 23:59:59, 00:00";
    EXPECT_EQ(FakeCapacity(Column("f", "float4")), 16777216u) << "2^24: exact in a real";
    EXPECT_EQ(FakeCapacity(Column("f", "float8")), 0u);
}

TEST(Fake, RowBytesOfFakes) {
    std::vector<ColumnInfo> columns{Column("note", "text"), Column("n", "int4")};
    EXPECT_EQ(PrefixedTextFakeBytes(columns), 1u + 5 + 19) << "header, \"note_\", 19 digits";
    EXPECT_EQ(MinimumFakeBytes(columns, 9), (1u + 1) + 1);
    EXPECT_EQ(MinimumFakeBytes(columns, 12345), (1u + 5) + 1);
    std::vector<ColumnInfo> wide(1600, Column("c", "text"));
    EXPECT_LE(MinimumFakeBytes(wide, 9999), kMaxRowBytes);
    EXPECT_GT(MinimumFakeBytes(wide, 10000), kMaxRowBytes) << "1600 columns of 5 digits";
    std::vector<ColumnInfo> narrow(1600, Column("c", "bpchar", 4 + 2));
    EXPECT_EQ(MinimumFakeBytes(narrow, 1000000), 1600u * (1 + 2)) << "wrapped to two digits";
}

TEST(Fake, EveryFunctionIsSchemaQualified) {
    for (const char* type : {"text", "date", "time", "timestamp", "timestamptz", "interval", "uuid",
                             "json", "jsonb", "bytea", "inet", "cidr", "macaddr", "macaddr8",
                             "numeric", "varchar", "int2", "bool", "enum"}) {
        Statement statement;
        ColumnInfo column = Column("c", type,
                                   type == std::string("numeric")   ? 327686
                                   : type == std::string("varchar") ? 4 + 2
                                                                    : -1);
        if (type == std::string("enum")) column = Enum("c", 3);
        std::string sql = FakeExpression(column, kSeed, kQuote, statement);
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
