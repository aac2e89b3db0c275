// Keyed pseudonyms: SipHash-2-4 driving Feistel networks (see pseudonym.h).
#include "pseudonym.h"

#include <cstring>

#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

constexpr int kRounds = 8;  // Feistel rounds (even); 4 already make a strong permutation

// Domain separation: each use of the PRF hashes a different tag first.
constexpr uint64_t kIntegerTagByte = 0x69;  // 'i', the top byte of a round's block

enum Tag : uint64_t {
    kTagBlock = 0x73637275622d3132ULL,  // "scrub-12"
    kTagTextDigest0 = 0x7363727562747830ULL,
    kTagTextDigest1 = 0x7363727562747831ULL,
    kTagTextStream = 0x7363727562747873ULL,
};

// Fixed key under which the secret is compressed into the real key.
constexpr uint64_t kDerive0 = 0x0706050403020100ULL ^ 0x5f73637275625f6bULL;
constexpr uint64_t kDerive1 = 0x0f0e0d0c0b0a0908ULL ^ 0x65795f6465726976ULL;

// The bands PermuteInteger keeps: [lower, upper] for non-negative values.
struct Band {
    uint64_t lower;
    uint64_t upper;
};
constexpr Band kBands[] = {
    {0, (uint64_t{1} << 15) - 1},
    {uint64_t{1} << 15, (uint64_t{1} << 31) - 1},
    {uint64_t{1} << 31, (uint64_t{1} << 63) - 1},
};

inline uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
}

inline uint64_t LoadLittle64(const uint8_t* p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i) x = (x << 8) | p[i];
    return x;
}

inline void StoreLittle64(uint8_t* p, uint64_t x) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(x >> (8 * i));
}

// SipHash of a few 64-bit words (their little-endian bytes).
template <size_t N>
uint64_t HashWords(uint64_t k0, uint64_t k1, const uint64_t (&words)[N]) {
    uint8_t bytes[8 * N];
    for (size_t i = 0; i < N; ++i) StoreLittle64(bytes + 8 * i, words[i]);
    return SipHash24(k0, k1, bytes, sizeof bytes);
}

// The width of the network for [0, max]: just enough bits, at least 2 so
// that both halves have one.
int BitsFor(uint64_t max) {
    int bits = 64 - __builtin_clzll(max);  // max > 0
    return bits < 2 ? 2 : bits;
}

inline uint64_t Mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

}  // namespace

uint64_t SipHash24(uint64_t k0, uint64_t k1, const void* data, size_t size) {
    const uint8_t* in = static_cast<const uint8_t*>(data);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    size_t full = size - size % 8;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = LoadLittle64(in + i);
        v3 ^= m;
        SipRound(v0, v1, v2, v3);
        SipRound(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t last = static_cast<uint64_t>(size) << 56;
    for (size_t i = 0; i < size % 8; ++i) last |= static_cast<uint64_t>(in[full + i]) << (8 * i);
    v3 ^= last;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= last;
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) SipRound(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t SipHash24Word(uint64_t k0, uint64_t k1, uint64_t word) {
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    v3 ^= word;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= word;
    uint64_t last = uint64_t{8} << 56;
    v3 ^= last;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= last;
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) SipRound(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

Pseudonymizer Pseudonymizer::FromKey(std::string_view secret, const char* setting) {
    const char* hint =
        "Write a random secret of at least 16 bytes, such as the output of \"openssl rand -hex "
        "32\", to the key file (mode 0600, of the server's operating system user).";
    if (secret.empty())
        throw ScrubError(sqlstate::kInvalidParameterValue, std::string(setting) + " holds no key",
                         "The hash rule needs a secret key to compute pseudonyms.", hint);
    if (secret.size() < kMinKeyBytes)
        throw ScrubError(
            sqlstate::kInvalidParameterValue, std::string(setting) + " is too short",
            "The key must be at least " + std::to_string(kMinKeyBytes) + " bytes long.", hint);
    std::string buffer(secret);
    buffer.push_back('\0');
    uint64_t k0 = SipHash24(kDerive0, kDerive1, buffer.data(), buffer.size());
    buffer.back() = '\1';
    uint64_t k1 = SipHash24(kDerive0, kDerive1, buffer.data(), buffer.size());
    // Wipe the copy of the secret before its memory goes back to the heap.
    volatile char* wipe = buffer.data();
    for (size_t i = 0; i < buffer.size(); ++i) wipe[i] = 0;
    return Pseudonymizer(k0, k1);
}

// The round function: one SipHash block holding the half (at most 32
// bits), the round, the width and the tweak, so every round, width and
// tweak gets an independent function.
uint64_t Pseudonymizer::Round(uint8_t tweak, int bits, int round, uint64_t half) const {
    uint64_t word = half | (static_cast<uint64_t>(round) << 32) |
                    (static_cast<uint64_t>(bits) << 40) | (static_cast<uint64_t>(tweak) << 48) |
                    (kIntegerTagByte << 56);
    return SipHash24Word(k0_, k1_, word);
}

// An alternating Feistel network over `bits` bits: the left part has
// bits / 2 bits and the right part the rest; each round the parts swap
// widths, and after an even number of rounds they are back, so any width
// works and each round is invertible.
uint64_t Pseudonymizer::Feistel(uint64_t value, int bits, uint8_t tweak, bool inverse) const {
    static_assert(kRounds % 2 == 0, "the parts must end at their starting widths");
    int left_bits = bits / 2, right_bits = bits - left_bits;
    uint64_t left = value >> right_bits;
    uint64_t right = value & Mask(right_bits);
    if (!inverse) {
        for (int round = 0; round < kRounds; ++round) {
            // Before this round the parts have widths (left_bits, right_bits)
            // for even rounds and swapped for odd ones.
            int width = round % 2 == 0 ? left_bits : right_bits;
            uint64_t next = (left ^ Round(tweak, bits, round, right)) & Mask(width);
            left = right;
            right = next;
        }
    } else {
        for (int round = kRounds - 1; round >= 0; --round) {
            int width = round % 2 == 0 ? left_bits : right_bits;
            uint64_t previous = (right ^ Round(tweak, bits, round, left)) & Mask(width);
            right = left;
            left = previous;
        }
    }
    return (left << right_bits) | right;
}

uint64_t Pseudonymizer::Permute(uint64_t value, uint64_t max, uint8_t tweak) const {
    if (max == 0) return 0;
    int bits = BitsFor(max);
    // Cycle walking: the network permutes [0, 2^bits); following the cycle
    // of `value` until it re-enters [0, max] permutes [0, max].
    uint64_t x = value;
    do x = Feistel(x, bits, tweak, false);
    while (x > max);
    return x;
}

uint64_t Pseudonymizer::Unpermute(uint64_t value, uint64_t max, uint8_t tweak) const {
    if (max == 0) return 0;
    int bits = BitsFor(max);
    uint64_t x = value;
    do x = Feistel(x, bits, tweak, true);
    while (x > max);
    return x;
}

int64_t Pseudonymizer::PermuteInteger(int64_t value) const {
    bool negative = value < 0;
    // -1 - value: the negatives [-2^63, -1] onto [0, 2^63 - 1].
    uint64_t magnitude = negative ? ~static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    uint64_t band = 0;
    while (magnitude > kBands[band].upper) ++band;
    uint8_t tweak = static_cast<uint8_t>(band * 2 + (negative ? 1 : 0));
    uint64_t permuted =
        kBands[band].lower +
        Permute(magnitude - kBands[band].lower, kBands[band].upper - kBands[band].lower, tweak);
    return negative ? static_cast<int64_t>(~permuted) : static_cast<int64_t>(permuted);
}

std::array<uint8_t, 16> Pseudonymizer::PermuteBlock(const std::array<uint8_t, 16>& block) const {
    uint64_t left = 0, right = 0;
    for (int i = 0; i < 8; ++i) {
        left = (left << 8) | block[i];
        right = (right << 8) | block[8 + i];
    }
    for (int round = 0; round < kRounds; ++round) {
        const uint64_t words[] = {kTagBlock, static_cast<uint64_t>(round), right};
        uint64_t next = left ^ HashWords(k0_, k1_, words);
        left = right;
        right = next;
    }
    std::array<uint8_t, 16> out{};
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<uint8_t>(left);
        out[8 + i] = static_cast<uint8_t>(right);
        left >>= 8;
        right >>= 8;
    }
    return out;
}

std::string Pseudonymizer::Text(std::string_view value, int max_length) const {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr uint64_t kAlphabetSize = 62;
    constexpr int kCharsPerBlock = 10;  // 62^10 < 2^64
    if (value.empty()) return {};
    int64_t length = kTextLength;
    if (max_length >= 0 && length > max_length) length = max_length;
    // A 128-bit keyed digest of the value, then a keyed stream from it.
    std::string tagged(value);
    uint64_t digest[2];
    const uint64_t tags[] = {kTagTextDigest0, kTagTextDigest1};
    for (int i = 0; i < 2; ++i) {
        uint8_t tag[8];
        StoreLittle64(tag, tags[i]);
        tagged.replace(0, i == 0 ? 0 : 8, reinterpret_cast<const char*>(tag), 8);
        digest[i] = SipHash24(k0_, k1_, tagged.data(), tagged.size());
    }
    std::string out;
    out.reserve(static_cast<size_t>(length));
    for (uint64_t block = 0; static_cast<int64_t>(out.size()) < length; ++block) {
        const uint64_t words[] = {kTagTextStream, digest[0], digest[1], block};
        uint64_t bits = HashWords(k0_, k1_, words);
        for (int i = 0; i < kCharsPerBlock && static_cast<int64_t>(out.size()) < length; ++i) {
            out += kAlphabet[bits % kAlphabetSize];
            bits /= kAlphabetSize;
        }
    }
    return out;
}

}  // namespace scrub
