// Realistic fakes: distinct per seed up to their capacity, within the
// length limit, valid syntax on reserved names.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "error.h"
#include "realistic.h"

namespace scrub {
namespace {

const std::vector<RealisticRule> kRules = {
    RealisticRule::kEmail,    RealisticRule::kFirstName, RealisticRule::kLastName,
    RealisticRule::kFullName, RealisticRule::kUsername,  RealisticRule::kPhone,
    RealisticRule::kUrl,      RealisticRule::kIp,        RealisticRule::kText};

TEST(Realistic, ParsesEveryRuleName) {
    for (RealisticRule rule : kRules) {
        std::optional<RealisticRule> parsed = ParseRealisticRule(RealisticRuleName(rule));
        ASSERT_TRUE(parsed.has_value()) << RealisticRuleName(rule);
        EXPECT_EQ(*parsed, rule);
    }
    EXPECT_FALSE(ParseRealisticRule("ssn").has_value());
    EXPECT_FALSE(ParseRealisticRule("Email").has_value());
    EXPECT_FALSE(ParseRealisticRule("").has_value());
}

// Every rule, at every length from its shortest up and unbounded: as many
// distinct values as seeds (up to the capacity), none longer than allowed,
// and after the capacity the same values again.
TEST(Realistic, InjectiveUpToCapacityAndWithinLength) {
    std::vector<int> lengths = {-1, 14, 16, 20, 24, 30, 40, 64, 100};
    for (RealisticRule rule : kRules) {
        int shortest = RealisticMinLength(rule);
        for (int extra = 0; extra < 6; ++extra) lengths.push_back(shortest + extra);
        for (int max_length : lengths) {
            RealisticGenerator generator(rule, max_length);
            uint64_t capacity = generator.capacity();
            EXPECT_EQ(capacity, RealisticCapacity(rule, max_length));
            if (max_length >= 0 && max_length < shortest) {
                EXPECT_EQ(capacity, 0u) << RealisticRuleName(rule) << " " << max_length;
                continue;
            }
            ASSERT_GT(capacity, 0u) << RealisticRuleName(rule) << " " << max_length;
            uint64_t seeds = std::min<uint64_t>(capacity, 4000);
            std::unordered_set<std::string> seen;
            for (uint64_t seed = 1; seed <= seeds; ++seed) {
                std::string value = generator.Generate(seed, 50);
                if (max_length >= 0) {
                    ASSERT_LE(value.size(), static_cast<size_t>(max_length))
                        << RealisticRuleName(rule) << " " << value;
                }
                ASSERT_TRUE(seen.insert(value).second)
                    << RealisticRuleName(rule) << " max " << max_length << " seed " << seed
                    << " repeats " << value;
            }
            EXPECT_EQ(generator.Generate(capacity + 1, 50), generator.Generate(1, 50));
            EXPECT_EQ(generator.Generate(capacity + 7, 50), generator.Generate(7, 50));
        }
        lengths.resize(9);
    }
}

// Where the capacity is small enough, every value of it is distinct.
TEST(Realistic, InjectiveOverWholeSmallCapacities) {
    struct Case {
        RealisticRule rule;
        int max_length;
    };
    for (Case c : {Case{RealisticRule::kPhone, -1}, Case{RealisticRule::kIp, 13},
                   Case{RealisticRule::kFirstName, 9}, Case{RealisticRule::kLastName, -1},
                   Case{RealisticRule::kFullName, 7}, Case{RealisticRule::kText, 9}}) {
        RealisticGenerator generator(c.rule, c.max_length);
        ASSERT_LT(generator.capacity(), 400000u) << RealisticRuleName(c.rule);
        std::unordered_set<std::string> seen;
        for (uint64_t seed = 1; seed <= generator.capacity(); ++seed)
            ASSERT_TRUE(seen.insert(generator.Generate(seed, -1)).second)
                << RealisticRuleName(c.rule) << " seed " << seed;
    }
}

// The lower-cased families (emails, usernames) over their whole first
// tier: no two names differ only by case.
TEST(Realistic, LowerCasedFamiliesStayDistinct) {
    for (RealisticRule rule : {RealisticRule::kEmail, RealisticRule::kUsername}) {
        std::unordered_set<std::string> seen;
        for (uint64_t seed = 1; seed <= 300000; ++seed)
            ASSERT_TRUE(seen.insert(RealisticFake(rule, seed, -1, -1)).second)
                << RealisticRuleName(rule) << " seed " << seed;
    }
}

TEST(Realistic, ThrowsWhenNothingFits) {
    EXPECT_EQ(RealisticCapacity(RealisticRule::kEmail, 5), 0u);
    try {
        RealisticFake(RealisticRule::kEmail, 1, 5, -1);
        FAIL() << "no error";
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "22023");
        EXPECT_EQ(e.report().message, "no email fake fits in 5 characters");
    }
}

// Django's EmailValidator: its user_regex (dot-atom) and domain_regex, the
// latter's "(?<!-)" written as a separate check, and 320 characters.
bool DjangoValidEmail(const std::string& email) {
    static const std::regex user(
        R"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$)", std::regex::icase);
    static const std::regex domain(
        R"(^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63})$)", std::regex::icase);
    size_t at = email.rfind('@');
    if (at == std::string::npos || email.size() > 320) return false;
    std::string user_part = email.substr(0, at), domain_part = email.substr(at + 1);
    return std::regex_match(user_part, user) && std::regex_match(domain_part, domain) &&
           domain_part.back() != '-';
}

TEST(Realistic, EmailsPassDjangosValidatorOnReservedDomains) {
    EXPECT_FALSE(DjangoValidEmail("a..b@example.com"));  // the stand-in rejects what Django does
    EXPECT_FALSE(DjangoValidEmail("a@example"));
    EXPECT_FALSE(DjangoValidEmail("a b@example.com"));
    for (int max_length : {-1, 17, 20, 25}) {
        for (uint64_t seed : {1ull, 2ull, 99ull, 100000ull, 5000000ull, 2000000000ull}) {
            for (uint64_t step = 0; step < 300; ++step) {
                std::string email =
                    RealisticFake(RealisticRule::kEmail, seed + step, max_length, -1);
                ASSERT_TRUE(DjangoValidEmail(email)) << email;
                std::string domain = email.substr(email.rfind('@') + 1);
                ASSERT_TRUE(domain == "example.com" || domain == "example.org" ||
                            domain == "example.net")
                    << email;
            }
        }
    }
}

TEST(Realistic, PhonesAreE164InFictionalRanges) {
    static const std::regex e164(R"(^\+[1-9][0-9]{6,14}$)");
    static const std::regex fictional(
        R"(^(\+1[2-9][0-8][0-9]55501[0-9]{2}|\+61[2378](5550|7010)[0-9]{4}|\+44(11[3-8]4960|1[2-6]14960|2079460|2896496|2920180|1632960|7700900)[0-9]{3})$)");
    RealisticGenerator generator(RealisticRule::kPhone, -1);
    std::set<std::string> countries;
    std::set<int> area_codes;
    for (uint64_t seed = 1; seed <= generator.capacity(); ++seed) {
        std::string phone = generator.Generate(seed, -1);
        ASSERT_TRUE(std::regex_match(phone, e164)) << phone;
        ASSERT_TRUE(std::regex_match(phone, fictional)) << phone;
        countries.insert(phone.substr(0, 3));
        if (phone.substr(0, 2) == "+1") area_codes.insert(std::stoi(phone.substr(2, 3)));
    }
    // Geographic US and Canadian area codes only: no toll-free, premium,
    // personal, Canadian non-geographic, service (N11) or reserved code,
    // and none of the Caribbean and Pacific countries and territories
    // that share +1.
    for (int code : {800, 833, 844, 855, 866, 877, 888, 822, 880, 889, 900, 976, 500, 521, 533,
                     544, 555, 566, 577, 588, 589, 600, 622, 633, 700, 710, 456, 211, 911, 370,
                     960, 242, 246, 264, 268, 284, 340, 345, 441, 473, 649, 658, 664, 670, 671,
                     684, 721, 758, 767, 784, 787, 809, 829, 849, 868, 869, 876, 939})
        EXPECT_EQ(area_codes.count(code), 0u) << code;
    for (int code : {201, 212, 415, 514, 604, 617, 718, 905, 989})
        EXPECT_EQ(area_codes.count(code), 1u) << code;
    EXPECT_EQ(countries, (std::set<std::string>{"+1" + std::string("2"), "+13", "+14", "+15", "+16",
                                                "+17", "+18", "+19", "+61", "+44"}));
}

TEST(Realistic, IpsAreDocumentationAddresses) {
    static const std::regex ipv4(R"(^(192\.0\.2|198\.51\.100|203\.0\.113)\.([1-9][0-9]{0,2})$)");
    static const std::regex ipv6(
        R"(^2001:db8::[1-9a-f][0-9a-f]{0,3}(:([1-9a-f][0-9a-f]{0,3}|0))?$)");
    RealisticGenerator generator(RealisticRule::kIp, -1);
    for (uint64_t seed = 1; seed < 200000; seed += 13) {
        std::string ip = generator.Generate(seed, -1);
        std::smatch match;
        if (std::regex_match(ip, match, ipv4)) {
            int host = std::stoi(match[2]);
            ASSERT_TRUE(host >= 1 && host <= 254) << ip;
        } else {
            ASSERT_TRUE(std::regex_match(ip, ipv6)) << ip;
        }
    }
}

TEST(Realistic, ValuesLookVaried) {
    std::set<std::string> first_names, last_names;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        first_names.insert(RealisticFake(RealisticRule::kFirstName, seed, -1, -1));
        std::string full = RealisticFake(RealisticRule::kFullName, seed, -1, -1);
        last_names.insert(full.substr(full.find(' ') + 1));
    }
    EXPECT_EQ(first_names.size(), 10u);
    EXPECT_EQ(last_names.size(), 10u);
}

TEST(Realistic, OneRowsNameUsernameAndEmailAgree) {
    for (uint64_t seed = 1; seed <= 50; ++seed) {
        std::string full = RealisticFake(RealisticRule::kFullName, seed, -1, -1);
        std::string lower;
        for (char c : full) lower += c == ' ' ? '.' : static_cast<char>(std::tolower(c));
        std::string email = RealisticFake(RealisticRule::kEmail, seed, -1, -1);
        EXPECT_EQ(email.substr(0, email.find('@')), lower);
        std::string username = RealisticFake(RealisticRule::kUsername, seed, -1, -1);
        std::replace(lower.begin(), lower.end(), '.', '_');
        EXPECT_EQ(username, lower);
    }
}

TEST(Realistic, TextHasAboutTheSourceLength) {
    for (int source : {0, 5, 20, 60, 200, 1000}) {
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            std::string text = RealisticFake(RealisticRule::kText, seed, -1, source);
            int shortest = 0;  // the words that tell texts apart always come
            if (source > 30) {
                EXPECT_LE(static_cast<int>(text.size()), source) << text;
                EXPECT_GE(static_cast<int>(text.size()), source - 9) << text;
            }
            EXPECT_GT(static_cast<int>(text.size()), shortest);
            EXPECT_EQ(text.back(), '.');
            EXPECT_TRUE(text[0] >= 'A' && text[0] <= 'Z') << text;
            std::string capped = RealisticFake(RealisticRule::kText, seed, 25, source);
            EXPECT_LE(capped.size(), 25u) << capped;
        }
    }
}

TEST(Realistic, TextStopsAtItsLimit) {
    std::string text = RealisticFake(RealisticRule::kText, 3, -1, 50 * 1024 * 1024);
    EXPECT_LE(text.size(), static_cast<size_t>(kMaxTextLength));
    EXPECT_GT(text.size(), static_cast<size_t>(kMaxTextLength) - 10);
}

TEST(Realistic, EveryValueIsAscii) {
    for (RealisticRule rule : kRules)
        for (uint64_t seed = 1; seed <= 2000; ++seed)
            for (char c : RealisticFake(rule, seed * 7919, -1, 80))
                ASSERT_TRUE(c > 0x20 - 1 && c < 0x7f) << RealisticRuleName(rule);
}

}  // namespace
}  // namespace scrub
