// Realistic fakes: plausible values (emails, names, phone numbers, ...)
// built from word lists compiled into the extension. A value is computed
// from the row's sequence number (the seed) alone, never from the real
// value, and is distinct for every seed up to RealisticCapacity (after
// that the values repeat in the same order). Every value is ASCII, so its
// length in characters is its length in bytes in any server encoding.
//
// Reserved names only: emails and URLs use example.com, example.org and
// example.net (RFC 2606); phone numbers the ranges set aside for fiction
// (NANP 555-0100..0199 in every area code, ACMA's 5550 / 7010 ranges,
// Ofcom's drama ranges); IP addresses the documentation networks
// (RFC 5737, RFC 3849).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace scrub {

enum class RealisticRule {
    kEmail,
    kFirstName,
    kLastName,
    kFullName,
    kUsername,
    kPhone,
    kUrl,
    kIp,
    kText
};

// The rule named `name` (as the allowlist spells it: "email", "first_name",
// ...); nullopt for any other name.
std::optional<RealisticRule> ParseRealisticRule(std::string_view name);

// The allowlist's name of a rule.
const char* RealisticRuleName(RealisticRule rule);

// The fake for row `seed` (1, 2, ...) of a column holding at most
// `max_length` characters (-1: unbounded). `source_length` is the length of
// the real value (-1: unknown); only kText uses it, to give words of about
// that length, up to kMaxTextLength characters. Throws ScrubError (22023) when no value of the rule
// fits max_length (RealisticCapacity is 0).
std::string RealisticFake(RealisticRule rule, uint64_t seed, int max_length, int source_length);

// How many distinct values RealisticFake gives for seeds 1..n before it
// repeats, within `max_length` characters; 0 when not even one fits.
uint64_t RealisticCapacity(RealisticRule rule, int max_length);

// The length of the shortest value the rule can produce.
int RealisticMinLength(RealisticRule rule);

// The longest text kText writes, whatever the real value's length: a
// megabyte of words per row is enough to exercise any application.
inline constexpr int kMaxTextLength = 1 << 20;

// The generator for one rule and length limit, with its layout worked out
// once: callers that make many values (one per row) keep one. Plain data,
// trivially copyable and destructible, so the PostgreSQL layer may keep it
// in a function's cache memory.
class RealisticGenerator {
  public:
    RealisticGenerator(RealisticRule rule, int max_length);

    RealisticRule rule() const { return rule_; }
    int max_length() const { return max_length_; }
    uint64_t capacity() const { return capacity_; }

    // As RealisticFake.
    std::string Generate(uint64_t seed, int source_length) const;

    static constexpr int kMaxTiers = 5;

  private:
    // A family of values of one shape ("First Last", "first.last42@..."):
    // the families of a rule never share a value.
    struct Tier {
        int kind = 0;
        uint64_t capacity = 0;
        // index -> (index mod period) * multiplier + offset mod period, plus
        // the rest of the index: the period divides the capacity, and the
        // multiplier is coprime with it, so this is one-to-one.
        uint64_t period = 1;
        uint64_t multiplier = 1;
        uint64_t offset = 0;
        uint32_t counts[3] = {0, 0, 0};  // words usable from each list of the shape
    };

    void AddTier(int kind, uint64_t capacity, uint32_t c0 = 0, uint32_t c1 = 0, uint32_t c2 = 0,
                 uint64_t period = 0);
    std::string Render(const Tier& tier, uint64_t index, int source_length) const;

    RealisticRule rule_;
    int max_length_;
    uint64_t capacity_ = 0;
    int tier_count_ = 0;
    Tier tiers_[kMaxTiers];
};

}  // namespace scrub
