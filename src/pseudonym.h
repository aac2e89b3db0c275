// Keyed pseudonyms: the same value and key always give the same pseudonym,
// distinct values give distinct pseudonyms (integers, uuids), and without
// the key the pseudonym says nothing about the value.
//
// The pseudorandom function is SipHash-2-4 under a 128-bit key derived
// from the secret. Integers go through a Feistel network over the smallest
// even number of bits that covers the range, with cycle walking (the
// network is re-applied until the result falls in the range), which gives
// a permutation of exactly [0, max]. The secret itself is never stored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace scrub {

// SipHash-2-4 of `data` under the key (k0, k1), as in the reference
// implementation (k0 holds key bytes 0-7, little-endian).
uint64_t SipHash24(uint64_t k0, uint64_t k1, const void* data, size_t size);

// SipHash24 of the 8 little-endian bytes of `word`, faster.
uint64_t SipHash24Word(uint64_t k0, uint64_t k1, uint64_t word);

class Pseudonymizer {
  public:
    static constexpr size_t kMinKeyBytes = 16;

    // Derives the key schedule from a secret of at least kMinKeyBytes
    // bytes; throws ScrubError (22023) naming only the setting, never the
    // secret, when it is empty or shorter. `setting` names where the
    // secret comes from ("scrub.key_file").
    static Pseudonymizer FromKey(std::string_view secret, const char* setting);

    // A permutation of [0, max]: every value of the range has exactly one
    // preimage in it. value must be <= max. `tweak` selects an independent
    // permutation.
    uint64_t Permute(uint64_t value, uint64_t max, uint8_t tweak = 0) const;

    // The inverse of Permute (for tests and for proving the bijection).
    uint64_t Unpermute(uint64_t value, uint64_t max, uint8_t tweak = 0) const;

    // A permutation of the 64-bit integers that keeps the sign and each
    // band of magnitude: [0, 2^15), [2^15, 2^31), [2^31, 2^63) and their
    // negative mirrors each map onto themselves. So a smallint, an integer
    // and a bigint holding the same number get the same pseudonym, and a
    // value stays within its type (a foreign key from an integer column to
    // a bigint one still joins).
    int64_t PermuteInteger(int64_t value) const;

    // A permutation of 128-bit values (uuids, big-endian bytes).
    std::array<uint8_t, 16> PermuteBlock(const std::array<uint8_t, 16>& block) const;

    // A pseudonym of `value` made of ASCII letters and digits, of
    // kTextLength characters whatever the value's length (a length that
    // followed the value's would disclose it), or `max_length` when that
    // is shorter (-1: no limit); the empty text stays empty. The
    // pseudonym for a shorter limit is a prefix of the one for a longer
    // limit, so columns of different widths agree as far as they can.
    // Distinct values may collide, more likely the shorter the limit
    // (62^16 > 2^95 values at full length).
    std::string Text(std::string_view value, int max_length) const;
    static constexpr int kTextLength = 16;

  private:
    Pseudonymizer(uint64_t k0, uint64_t k1) : k0_(k0), k1_(k1) {}
    uint64_t Round(uint8_t tweak, int bits, int round, uint64_t half) const;
    uint64_t Feistel(uint64_t value, int bits, uint8_t tweak, bool inverse) const;

    uint64_t k0_;
    uint64_t k1_;
};

}  // namespace scrub
