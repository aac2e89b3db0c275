// Keyed pseudonyms: one-to-one, stable, keyed, sign-keeping.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdint>
#include <random>
#include <set>
#include <unordered_set>
#include <vector>

#include "error.h"
#include "pseudonym.h"

namespace scrub {
namespace {

const Pseudonymizer kKey = Pseudonymizer::FromKey("unit-test-key-0123456789", "scrub.key_file");
const Pseudonymizer kOtherKey =
    Pseudonymizer::FromKey("unit-test-key-0123456780", "scrub.key_file");

TEST(SipHash, MatchesTheReferenceVectors) {
    // Key 00..0f; messages 00, 00 01, ... (SipHash paper, appendix A).
    uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
    uint8_t message[64];
    for (int i = 0; i < 64; ++i) message[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(SipHash24(k0, k1, message, 0), 0x726fdb47dd0e0e31ULL);
    EXPECT_EQ(SipHash24(k0, k1, message, 1), 0x74f839c593dc67fdULL);
    EXPECT_EQ(SipHash24(k0, k1, message, 8), 0x93f5f5799a932462ULL);
    EXPECT_EQ(SipHash24(k0, k1, message, 15), 0xa129ca6149be45e5ULL);
    EXPECT_EQ(SipHash24(k0, k1, message, 63), 0x958a324ceb064572ULL);
    for (uint64_t word : {uint64_t{0}, uint64_t{0x0706050403020100}, ~uint64_t{0}}) {
        uint8_t bytes[8];
        for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(word >> (8 * i));
        EXPECT_EQ(SipHash24Word(k0, k1, word), SipHash24(k0, k1, bytes, 8));
    }
    EXPECT_EQ(SipHash24Word(k0, k1, 0x0706050403020100ULL), 0x93f5f5799a932462ULL);
}

TEST(Pseudonym, RefusesMissingOrShortKeysWithoutShowingThem) {
    for (const char* secret : {"", "Qz7", "fifteen-bytes!!"}) {
        try {
            Pseudonymizer::FromKey(secret, "scrub.key_file");
            FAIL() << "accepted " << secret;
        } catch (const ScrubError& e) {
            const ErrorReport& r = e.report();
            EXPECT_EQ(r.sqlstate, "22023");
            EXPECT_NE(r.message.find("scrub.key_file"), std::string::npos);
            if (*secret != '\0') {
                for (const std::string* field : {&r.message, &r.detail, &r.hint})
                    EXPECT_EQ(field->find(secret), std::string::npos) << *field;
            }
        }
    }
    EXPECT_NO_THROW(Pseudonymizer::FromKey("sixteen-bytes!!!", "scrub.key_file"));
}

// Exhaustive: every value of [0, max] has exactly one preimage, and
// Unpermute undoes Permute.
TEST(Pseudonym, PermuteIsOneToOneOnSmallDomains) {
    std::vector<uint64_t> maxes;
    for (uint64_t max = 0; max <= 70; ++max) maxes.push_back(max);
    for (uint64_t max : {255ull, 256ull, 999ull, 1000ull, 4095ull, 65535ull, 100000ull})
        maxes.push_back(max);
    for (uint64_t max : maxes) {
        std::vector<bool> hit(max + 1, false);
        for (uint64_t v = 0; v <= max; ++v) {
            uint64_t p = kKey.Permute(v, max);
            ASSERT_LE(p, max);
            ASSERT_FALSE(hit[p]) << "max " << max << ": two values give " << p;
            hit[p] = true;
            ASSERT_EQ(kKey.Unpermute(p, max), v);
        }
    }
}

TEST(Pseudonym, PermuteIsNotTheIdentity) {
    int fixed = 0;
    for (uint64_t v = 0; v <= 1000; ++v) fixed += kKey.Permute(v, 1000) == v;
    EXPECT_LT(fixed, 10);
}

// Exhaustive over smallint: a permutation of [-32768, 32767] keeping signs.
TEST(Pseudonym, PermuteIntegerIsOneToOneOnSmallint) {
    std::vector<bool> hit(65536, false);
    for (int32_t v = -32768; v <= 32767; ++v) {
        int64_t p = kKey.PermuteInteger(v);
        ASSERT_GE(p, -32768);
        ASSERT_LE(p, 32767);
        ASSERT_EQ(p < 0, v < 0) << v;
        ASSERT_FALSE(hit[static_cast<size_t>(p + 32768)]) << v;
        hit[static_cast<size_t>(p + 32768)] = true;
    }
}

// Sampled over integer and bigint: within the type, sign kept, no two
// samples alike, and each sample's band inverted exactly.
TEST(Pseudonym, PermuteIntegerSampledOnIntegerAndBigint) {
    std::mt19937_64 random(42);
    std::unordered_set<int64_t> int4_outputs, int8_outputs;
    std::unordered_set<int64_t> int4_inputs, int8_inputs;
    for (int i = 0; i < 200000; ++i) {
        int32_t v4 = static_cast<int32_t>(random());
        int64_t v8 = static_cast<int64_t>(random());
        if (int4_inputs.insert(v4).second) {
            int64_t p = kKey.PermuteInteger(v4);
            ASSERT_GE(p, INT32_MIN);
            ASSERT_LE(p, INT32_MAX);
            ASSERT_EQ(p < 0, v4 < 0);
            ASSERT_TRUE(int4_outputs.insert(p).second) << v4;
        }
        if (int8_inputs.insert(v8).second) {
            int64_t p = kKey.PermuteInteger(v8);
            ASSERT_EQ(p < 0, v8 < 0);
            ASSERT_TRUE(int8_outputs.insert(p).second) << v8;
        }
    }
    for (int64_t v :
         {int64_t{0}, int64_t{-1}, int64_t{32767}, int64_t{32768}, int64_t{-32769},
          int64_t{INT32_MAX}, int64_t{INT32_MIN}, int64_t{INT32_MAX} + 1, INT64_MAX, INT64_MIN}) {
        int64_t p = kKey.PermuteInteger(v);
        EXPECT_EQ(p < 0, v < 0) << v;
        if (v >= INT32_MIN && v <= INT32_MAX) {
            EXPECT_TRUE(p >= INT32_MIN && p <= INT32_MAX) << v;
        }
        if (v >= -32768 && v <= 32767) {
            EXPECT_TRUE(p >= -32768 && p <= 32767) << v;
        }
    }
    // The bigint band [2^31, 2^63): Unpermute proves those samples one-to-one.
    for (int i = 0; i < 10000; ++i) {
        uint64_t max = (uint64_t{1} << 63) - (uint64_t{1} << 31) - 1;
        uint64_t v = random() % (max + 1);
        ASSERT_EQ(kKey.Unpermute(kKey.Permute(v, max, 4), max, 4), v);
    }
}

TEST(Pseudonym, StableAcrossCallsAndInstances) {
    Pseudonymizer again = Pseudonymizer::FromKey("unit-test-key-0123456789", "scrub.key_file");
    for (int64_t v = -500; v <= 500; ++v) {
        EXPECT_EQ(kKey.PermuteInteger(v), kKey.PermuteInteger(v));
        EXPECT_EQ(kKey.PermuteInteger(v), again.PermuteInteger(v));
    }
    EXPECT_EQ(kKey.Text("alice", -1), again.Text("alice", -1));
}

TEST(Pseudonym, DifferentKeysGiveUnrelatedOutput) {
    int same_int = 0, same_text = 0, same_block = 0;
    for (int64_t v = 1; v <= 2000; ++v) {
        same_int += kKey.PermuteInteger(v * 1000003) == kOtherKey.PermuteInteger(v * 1000003);
        std::string s = std::to_string(v);
        same_text += kKey.Text(s, -1) == kOtherKey.Text(s, -1);
        std::array<uint8_t, 16> block{};
        block[15] = static_cast<uint8_t>(v);
        block[14] = static_cast<uint8_t>(v >> 8);
        same_block += kKey.PermuteBlock(block) == kOtherKey.PermuteBlock(block);
    }
    EXPECT_EQ(same_int, 0);
    EXPECT_EQ(same_text, 0);
    EXPECT_EQ(same_block, 0);
    // On smallint, agreement is what chance gives (1 in 32768 per value).
    int same_small = 0;
    for (int64_t v = 0; v < 32768; ++v)
        same_small += kKey.PermuteInteger(v) == kOtherKey.PermuteInteger(v);
    EXPECT_LT(same_small, 10);
}

TEST(Pseudonym, BlocksAreDistinctAndAvalanche) {
    std::set<std::array<uint8_t, 16>> seen;
    std::mt19937_64 random(7);
    for (int i = 0; i < 50000; ++i) {
        std::array<uint8_t, 16> block;
        for (uint8_t& b : block) b = static_cast<uint8_t>(random());
        std::array<uint8_t, 16> out = kKey.PermuteBlock(block);
        ASSERT_TRUE(seen.insert(out).second);
        std::array<uint8_t, 16> flipped = block;
        flipped[i % 16] ^= 1;
        std::array<uint8_t, 16> out2 = kKey.PermuteBlock(flipped);
        int changed = 0;
        for (int j = 0; j < 16; ++j) changed += __builtin_popcount(out[j] ^ out2[j]);
        ASSERT_GT(changed, 20);
    }
}

TEST(Pseudonym, TextLengthAlphabetAndPrefixes) {
    std::string full = kKey.Text("alice@example.com", -1);
    EXPECT_EQ(full.size(), size_t(Pseudonymizer::kTextLength));
    for (char c : full) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << full;
    EXPECT_EQ(kKey.Text("", -1), "");
    for (int limit = 0; limit <= 17; ++limit) {
        std::string capped = kKey.Text("alice@example.com", limit);
        EXPECT_EQ(capped.size(), static_cast<size_t>(std::min(limit, 16))) << limit;
        EXPECT_EQ(full.compare(0, capped.size(), capped), 0) << limit;
    }
}

// The pseudonym's length says nothing of the value's: one length for a
// value of 1 character, of 12, of 17, of 5,000, of multibyte text.
TEST(Pseudonym, TextLengthIsFixed) {
    for (const std::string& value :
         {std::string("a"), std::string("ab"), std::string(11, 'x'), std::string(12, 'x'),
          std::string(16, 'x'), std::string(17, 'x'), std::string(5000, 'x'),
          std::string("\xc3\xa9t\xc3\xa9 \xe2\x82\xac")})
        for (int limit : {-1, 16, 40, 5000})
            EXPECT_EQ(kKey.Text(value, limit).size(), 16u) << value.size() << " " << limit;
    for (int limit = 0; limit < 16; ++limit)
        EXPECT_EQ(kKey.Text(std::string(100, 'y'), limit).size(), static_cast<size_t>(limit));
}

TEST(Pseudonym, TextsAreDistinct) {
    std::unordered_set<std::string> seen;
    for (int v = 0; v < 50000; ++v) {
        std::string s = std::to_string(v);
        ASSERT_TRUE(seen.insert(kKey.Text(s, -1)).second);
    }
}

}  // namespace
}  // namespace scrub
