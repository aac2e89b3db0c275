// Realistic fakes: word lists and the families of values built from them
// (see realistic.h). Each rule is a list of families ("tiers") whose values
// never coincide; seed n takes the n-th free value, walking the tiers in
// order, and each tier's values are visited in a scrambled but fixed order
// (index * multiplier + offset mod period, multiplier coprime with the
// period) so that consecutive rows look unrelated. Names, usernames and
// emails scramble the same (first, last) pairs the same way, so one row's
// full_name, username and email agree ("Maria Okafor", "maria_okafor",
// "maria.okafor@example.org") whenever the columns are wide enough.
#include "realistic.h"

#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// Given names from many languages, ASCII letters only.
constexpr const char kFirstNames[] =
    "Aaron Abigail Adam Adrian Ahmed Aiko Aisha Alan Albert Alejandro Alexander Alice Alicia "
    "Amara Amelia Amir Ana Andrea Andrew Angela Anika Anna Anton Arjun Arthur Astrid Aurora "
    "Ava Axel Ayumi Barbara Beatriz Ben Benjamin Bianca Bjorn Blake Bo Boris Brandon Brenda "
    "Bruno Caleb Camila Carla Carlos Carmen Caroline Catherine Cecilia Chen Chiara Chloe Chris "
    "Claire Clara Colin Connor Cristina Daniel Daniela Dario David Deepa Diana Diego Dmitri "
    "Dylan Edward Elena Eli Elif Elijah Elisa Ella Emil Emily Emma Eric Erik Esther Ethan Eva "
    "Ezra Fatima Felix Fernando Fiona Florian Frances Francesca Freya Gabriel Gabriela George "
    "Georgia Gianna Grace Greta Hana Hannah Harper Haruto Hassan Hector Helen Henry Hiro Hugo "
    "Ian Ibrahim Ida Ilse Imani Ines Ingrid Irene Isaac Isabel Ivan Jack Jacob Jade James "
    "Jamal Jana Jasmine Javier Jean Jenna Jiho Joanna Joel Jonas Jorge Jose Joseph Joshua Juan "
    "Julia Julian June Kai Kamal Karen Karin Kate Keiko Kenji Kevin Kim Kiran Klara Lana Lars "
    "Laura Layla Lea Leila Leo Leon Liam Lila Lina Linus Lisa Liu Lola Lorenzo Louis Lucas "
    "Lucia Luis Luka Mabel Magnus Maja Malik Marco Maria Mariam Marta Martin Mateo Matilda "
    "Maya Mei Mia Michael Miguel Mila Milan Mina Miriam Mohammed Nadia Naomi Nathan Nia Nico "
    "Nina Noah Nora Olga Oliver Olivia Omar Oscar Owen Pablo Paolo Patricia Paul Paula Pedro "
    "Peter Petra Philip Priya Quentin Rachel Rafael Rahul Ravi Rebecca Rhea Ricardo Rita "
    "Robert Rosa Ruby Ruth Ryan Sakura Salma Samir Samuel Sara Sean Selin Sergio Shira Simon "
    "Sofia Sonia Stefan Stella Sven Talia Tanvir Teresa Theo Thomas Tobias Tomas Uma Valentina "
    "Vera Victor Viktor Violet Walter Wei William Xavier Yara Yasmin Yuki Yusuf Zainab Zara "
    "Zoe Zofia Amos Bernard Cora Dalia Edgar Flora Gustav Hazel Ingo Jonah Kofi Leona Marius "
    "Nils Ottilie Pia Rosalind Silas Tariq Ursula Vivian Wanda Yosef Zeno ";

// Family names, ASCII letters only.
constexpr const char kLastNames[] =
    "Abbott Acosta Adams Adeyemi Ahmed Akhtar Alvarez Andersen Anderson Arnold Bailey Baker "
    "Banerjee Barnes Becker Bell Bennett Berg Bianchi Bishop Blake Bowen Brandt Brooks Brown "
    "Bruno Burke Campbell Carter Castillo Chang Chen Choi Clark Cohen Collins Costa Cruz Dahl "
    "Das Davies Diaz Dubois Duncan Dunn Edwards Ellis Engel Evans Farah Ferrari Fischer "
    "Fleming Flores Foster Fox Garcia Gardner Gill Gomez Gonzalez Graham Grant Gray Green "
    "Gupta Haas Hall Hansen Harris Hart Hayes Henry Hernandez Hoffmann Holm Howard Hughes Hunt "
    "Ibrahim Ito Jackson Jansen Jensen Johansson Johnson Jones Jung Kaplan Kato Keller Kelly "
    "Khan Kim Klein Koch Kowalski Kraus Kumar Lambert Lang Larsen Laurent Lee Lehmann Lewis Li "
    "Lindqvist Lopez Lund Madsen Mahmoud Maier Marin Marshall Martin Martinez Mason Mehta "
    "Meyer Miller Mitchell Moreau Moreno Morgan Moss Murphy Nagy Nakamura Nash Navarro Nguyen "
    "Nielsen Novak Nowak Obi Ochoa Okafor Oliveira Olsen Ortiz Owens Park Patel Pereira Perez "
    "Peters Petrov Pham Phillips Popescu Porter Price Quinn Rahman Ramirez Ramos Reed Reyes "
    "Richter Rivera Roberts Rodriguez Romano Rossi Russo Ryan Saito Sanchez Santos Sato "
    "Schmidt Schneider Schulz Scott Shah Silva Singh Smith Sousa Stewart Suzuki Svensson "
    "Tanaka Taylor Thomas Torres Tran Turner Vargas Vasquez Vogel Wagner Walker Wang Ward "
    "Watson Weber Wolf Wong Wood Wright Wu Yamamoto Yang Young Yilmaz Zhang Ziegler Zimmermann "
    "Alves Bauer Brennan Carvalho Dalton Egan Falk Fontaine Gallo Hale Ingram Jovanovic Kaur "
    "Lindgren Moretti Nolan Osei Pike Quist Rowe Sandoval Thorne Ueda Varga Whitfield Xu Yoon "
    "Zeller Ali Berger Conti Delgado Eriksen Frost Greco Hussain Iyer Juarez Kovac Lowe Mendes "
    "Noor Ortega Pohl Rocha Sharma Thakur Ulrich Vidal Weiss Aydin Bakker Dekker Haddad Mensah ";

// Common English words for URLs and text, lower case.
constexpr const char kWords[] =
    "able about above account across action active actor add address after again age agent "
    "agree air alarm album alert all alpha amber amount anchor angle animal answer apple april "
    "area arm army around arrow art ask aspect atlas audio autumn average award away baker "
    "balance ball band bank base basket battery beach beam bear bell belt bench berry best "
    "better bird black blade blanket blue board boat body bold bone book border bottle bottom "
    "box brave bread bridge bright brush bubble budget build button cabin cable cake calm "
    "camera camp canal candle canvas captain card care carpet case castle cedar cell center "
    "chain chair chalk change chapter charge chart check cherry chest chief circle city claim "
    "class clay clean clear clever cliff clock cloud coast coffee coin cold color column comet "
    "common copper coral corner cotton county course cover craft crane cream credit crisp "
    "cross crown crystal cup current curve cycle daily dance dawn day deal deep delta desert "
    "design desk detail dial diamond digital dinner direct door double draft dragon drawer "
    "dream dress drift drum dune during eagle early earth east easy echo edge eight elder "
    "element ember empty energy engine entry equal even event evening exact extra fabric face "
    "fair falcon family famous farm feather fence ferry field figure final finger fire first "
    "flag flame flat fleet flight float floor flower focus forest fork form forward fossil "
    "frame free fresh friend front frost fruit garden gate gentle giant glass globe gold good "
    "grain grand grape grass gravel great green grid ground group guide gulf habit half hall "
    "harbor harvest hawk heart heavy hedge helmet hill hollow home honey hope horizon horse "
    "hotel house idea index inland iron island ivory jacket jade jar jewel journey juice "
    "jungle keen kettle key kind king kite knot label ladder lake lamp land large laser late "
    "lawn layer leaf ledge lemon lens letter level light lily limit line linen list little "
    "local lodge long loop lucky lunar magnet main major maple march marble market meadow "
    "medal melody metal middle mild mill mineral minute mirror model moment month moon morning "
    "motor mountain music narrow native nature navy near needle nest net new night noble north "
    "note novel number oak ocean offer office olive open orange orbit order origin outer owl "
    "paint palm panel paper parade park path pearl pebble pencil pepper piano pilot pine pixel "
    "plain planet plant plate plaza pocket point polar pond portal post prairie press prime "
    "print prism pulse quartz quick quiet radar radio rain range rapid raven ready record reef "
    "ridge right ring river road robin rocket roof room root rose round route royal ruby rural "
    "saddle safe sage sail salt sample sand satin scale school screen sea season second seed "
    "shadow shell shore signal silent silk silver simple sketch sky slate small smooth snow "
    "solar solid sound south space spark spring square stable stage star steady steel stone "
    "storm story stream street strong studio summer sun swift table tail tall teal tide tiger "
    "timber title today token tower track trail train tree trophy tulip tunnel union upper "
    "urban valley velvet vessel view village violet vivid voice wagon walnut warm water wave "
    "west wheat wheel white wide wild willow window winter wise wonder wood world yard year "
    "yellow young zebra zero zone ";

// A word list sorted by length, then by its letters: the words of at most
// n characters are a prefix of it. Duplicates are dropped, so distinct
// indexes give distinct words.
class WordList {
  public:
    explicit WordList(const char* text) {
        std::string_view rest(text);
        while (!rest.empty()) {
            size_t space = rest.find(' ');
            std::string_view word = rest.substr(0, space);
            if (!word.empty()) words_.push_back(word);
            if (space == std::string_view::npos) break;
            rest.remove_prefix(space + 1);
        }
        std::sort(words_.begin(), words_.end(), [](std::string_view a, std::string_view b) {
            return a.size() != b.size() ? a.size() < b.size() : a < b;
        });
        words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
    }

    // The number of words of at most `length` characters.
    uint32_t CountUpTo(int64_t length) const {
        if (length < 0) return 0;
        auto end = std::upper_bound(
            words_.begin(), words_.end(), length,
            [](int64_t n, std::string_view word) { return n < static_cast<int64_t>(word.size()); });
        return static_cast<uint32_t>(end - words_.begin());
    }

    std::string_view operator[](uint64_t index) const { return words_[index]; }

  private:
    std::vector<std::string_view> words_;
};

const WordList& FirstNames() {
    static const WordList list(kFirstNames);
    return list;
}

const WordList& LastNames() {
    static const WordList list(kLastNames);
    return list;
}

const WordList& Words() {
    static const WordList list(kWords);
    return list;
}

const char* const kDomains[] = {"example.com", "example.org", "example.net"};  // RFC 2606
constexpr uint64_t kDomainCount = 3;
constexpr int kDomainLength = 11;  // each of kDomains

constexpr uint64_t kNumberCount = 9999;  // suffixes 1..9999
constexpr int kNumberDigits = 4;

// North American area codes. In every one of them 555-0100..555-0199 is
// reserved for fiction.
// Geographic area codes of the US and Canada only, so that every number
// is a fiction number of a plain phone line: no easily recognisable code
// (N00 such as 800 and 900, N11, N22 ... N88: toll-free 833 to 888,
// personal 5XX, Canadian 622 and 633), no other toll-free (88X),
// personal-communication (52X to 59X), government (710), international
// inbound (456) or premium (976) code, none reserved for expansion (N9X,
// 37X, 96X), and none of the other countries and territories inside +1.
bool IsGeographicAreaCode(int code) {
    static const int kOtherNanp[] = {242, 246, 264, 268, 284, 340, 345, 441, 473,
                                     649, 658, 664, 670, 671, 684, 721, 758, 767,
                                     784, 787, 809, 829, 849, 868, 869, 876, 939};
    static const int kNonGeographic[] = {456, 710, 950, 976};
    const int b = code / 10 % 10, c = code % 10;
    if (b == 9 || b == c) return false;
    if (code / 100 == 5 && b >= 2) return false;
    if (code / 10 == 88 || code / 10 == 37 || code / 10 == 96) return false;
    for (int other : kOtherNanp)
        if (code == other) return false;
    for (int other : kNonGeographic)
        if (code == other) return false;
    return true;
}

const std::vector<int>& AreaCodes() {
    static const std::vector<int> codes = [] {
        std::vector<int> list;
        for (int code = 200; code <= 999; ++code)
            if (IsGeographicAreaCode(code)) list.push_back(code);
        return list;
    }();
    return codes;
}
constexpr int kNanpLength = 12;  // +1 NPA 555 01XX

// ACMA's numbers for use in drama: 5550 xxxx and 7010 xxxx in the
// geographic areas 2, 3, 7 and 8.
const char* const kAuBlocks[] = {"25550", "27010", "35550", "37010",
                                 "75550", "77010", "85550", "87010"};
constexpr uint64_t kAuBlockCount = 8;
constexpr int kAuLength = 12;  // +61 A BBBB xxxx

// Ofcom's numbers for use in drama, 1000 each: the prefix after +44.
const char* const kUkBlocks[] = {"1134960", "1144960", "1154960", "1164960", "1174960", "1184960",
                                 "1214960", "1314960", "1414960", "1514960", "1614960", "2079460",
                                 "2896496", "2920180", "1632960", "7700900"};
constexpr uint64_t kUkBlockCount = 16;
constexpr int kUkLength = 13;  // +44 and ten digits

// Documentation networks (RFC 5737), shortest text first, and 2001:db8::/32
// (RFC 3849).
const char* const kIpv4Networks[] = {"192.0.2.", "203.0.113.", "198.51.100."};
constexpr uint64_t kIpv4Hosts = 254;  // .1 .. .254
const char kIpv6Prefix[] = "2001:db8::";
constexpr int kIpv6PrefixLength = 10;

const char kUrlPrefix[] = "https://example.org/";
constexpr int kUrlPrefixLength = 20;

constexpr int kTextMaxWords = 3;  // words that tell one text from another
constexpr int kWordsPerSentence = 10;

enum TierKind {
    kSingleName,        // Maria
    kDoubleName,        // Maria-Lena
    kFirstLast,         // Maria Okafor
    kFirstInitialLast,  // Maria J. Okafor
    kFirstDoubleLast,   // Maria Okafor-Lund
    kEmailPlain,        // maria.okafor@example.com
    kEmailNumbered,     // maria.okafor42@example.org
    kUserUnderscore,    // maria_okafor
    kUserNumbered,      // maria42
    kUserDotNumbered,   // maria.okafor42
    kPhoneNanp,         // +12125550142
    kPhoneAu,           // +61255501234
    kPhoneUk,           // +442079460123
    kUrlPlain,          // https://example.org/river/stone
    kUrlNumbered,       // https://example.org/river/stone/42
    kIpv4,              // 192.0.2.17
    kIpv6Short,         // 2001:db8::1f
    kIpv6Long,          // 2001:db8::1f:a0
    kText,              // Amber stone river ...
};

uint64_t MulMod(uint64_t a, uint64_t b, uint64_t m) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % m);
}

// SplitMix64's finalizer: a fixed scrambling of 64 bits.
uint64_t Mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void AppendLower(std::string& out, std::string_view word) {
    for (char c : word) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

void AppendCapitalized(std::string& out, std::string_view word) {
    size_t start = out.size();
    out += word;
    if (start < out.size() && out[start] >= 'a' && out[start] <= 'z')
        out[start] = static_cast<char>(out[start] - 'a' + 'A');
}

void AppendNumber(std::string& out, uint64_t n, int width = 0) {
    std::string digits = std::to_string(n);
    if (static_cast<int>(digits.size()) < width)
        out.append(static_cast<size_t>(width) - digits.size(), '0');
    out += digits;
}

void AppendHex(std::string& out, uint64_t n) {
    static const char kHex[] = "0123456789abcdef";
    char buffer[16];
    int length = 0;
    do {
        buffer[length++] = kHex[n & 0xf];
        n >>= 4;
    } while (n != 0);
    while (length > 0) out += buffer[--length];
}

// Two distinct indexes below `count` from one index below count * (count - 1).
void DistinctPair(uint64_t index, uint64_t count, uint64_t& a, uint64_t& b) {
    a = index / (count - 1);
    b = index % (count - 1);
    if (b >= a) ++b;
}

struct RuleName {
    const char* name;
    RealisticRule rule;
};
constexpr RuleName kRuleNames[] = {
    {"email", RealisticRule::kEmail},
    {"first_name", RealisticRule::kFirstName},
    {"last_name", RealisticRule::kLastName},
    {"full_name", RealisticRule::kFullName},
    {"username", RealisticRule::kUsername},
    {"phone", RealisticRule::kPhone},
    {"url", RealisticRule::kUrl},
    {"ip", RealisticRule::kIp},
    {"text", RealisticRule::kText},
};

constexpr int kLongestScanned = 64;  // RealisticMinLength looks no further

}  // namespace

static_assert(std::is_trivially_copyable_v<RealisticGenerator> &&
                  std::is_trivially_destructible_v<RealisticGenerator>,
              "the PostgreSQL layer keeps generators in palloc'd memory");

std::optional<RealisticRule> ParseRealisticRule(std::string_view name) {
    for (const RuleName& entry : kRuleNames)
        if (name == entry.name) return entry.rule;
    return std::nullopt;
}

const char* RealisticRuleName(RealisticRule rule) {
    for (const RuleName& entry : kRuleNames)
        if (rule == entry.rule) return entry.name;
    return "unknown";
}

RealisticGenerator::RealisticGenerator(RealisticRule rule, int max_length)
    : rule_(rule), max_length_(max_length < 0 ? -1 : max_length) {
    int limit = max_length_;
    // The longest word each of `parts` words may have when `overhead`
    // characters go to separators and fixed text; -1 when none fits.
    auto width = [limit](int overhead, int parts) -> int64_t {
        if (limit < 0) return INT32_MAX;
        if (limit < overhead) return -1;
        return (limit - overhead) / parts;
    };
    auto fits = [limit](int length) { return limit < 0 || length <= limit; };
    const WordList& first = FirstNames();
    const WordList& last = LastNames();
    const WordList& words = Words();
    switch (rule) {
        case RealisticRule::kFirstName:
        case RealisticRule::kLastName: {
            const WordList& list = rule == RealisticRule::kFirstName ? first : last;
            uint64_t one = list.CountUpTo(width(0, 1));
            AddTier(kSingleName, one, static_cast<uint32_t>(one));
            uint64_t two = list.CountUpTo(width(1, 2));
            AddTier(kDoubleName, two < 2 ? 0 : two * (two - 1), static_cast<uint32_t>(two));
            break;
        }
        case RealisticRule::kFullName: {
            uint64_t f = first.CountUpTo(width(1, 2)), l = last.CountUpTo(width(1, 2));
            AddTier(kFirstLast, f * l, uint32_t(f), uint32_t(l));
            f = first.CountUpTo(width(4, 2)), l = last.CountUpTo(width(4, 2));
            AddTier(kFirstInitialLast, f * 26 * l, uint32_t(f), uint32_t(l));
            f = first.CountUpTo(width(2, 3)), l = last.CountUpTo(width(2, 3));
            AddTier(kFirstDoubleLast, l < 2 ? 0 : f * l * (l - 1), uint32_t(f), uint32_t(l));
            break;
        }
        case RealisticRule::kEmail: {
            int overhead = 2 + kDomainLength;  // "." and "@"
            uint64_t f = first.CountUpTo(width(overhead, 2));
            uint64_t l = last.CountUpTo(width(overhead, 2));
            AddTier(kEmailPlain, f * l * kDomainCount, uint32_t(f), uint32_t(l), 0, f * l);
            f = first.CountUpTo(width(overhead + kNumberDigits, 2));
            l = last.CountUpTo(width(overhead + kNumberDigits, 2));
            AddTier(kEmailNumbered, f * l * kDomainCount * kNumberCount, uint32_t(f), uint32_t(l),
                    0, f * l);
            break;
        }
        case RealisticRule::kUsername: {
            uint64_t f = first.CountUpTo(width(1, 2)), l = last.CountUpTo(width(1, 2));
            AddTier(kUserUnderscore, f * l, uint32_t(f), uint32_t(l));
            f = first.CountUpTo(width(kNumberDigits, 1));
            AddTier(kUserNumbered, f * kNumberCount, uint32_t(f));
            f = first.CountUpTo(width(1 + kNumberDigits, 2));
            l = last.CountUpTo(width(1 + kNumberDigits, 2));
            AddTier(kUserDotNumbered, f * l * kNumberCount, uint32_t(f), uint32_t(l), 0, f * l);
            break;
        }
        case RealisticRule::kPhone:
            if (fits(kNanpLength)) AddTier(kPhoneNanp, AreaCodes().size() * 100);
            if (fits(kAuLength)) AddTier(kPhoneAu, kAuBlockCount * 10000);
            if (fits(kUkLength)) AddTier(kPhoneUk, kUkBlockCount * 1000);
            break;
        case RealisticRule::kUrl: {
            uint64_t w = words.CountUpTo(width(kUrlPrefixLength + 1, 2));
            AddTier(kUrlPlain, w * w, uint32_t(w));
            w = words.CountUpTo(width(kUrlPrefixLength + 2 + kNumberDigits, 2));
            AddTier(kUrlNumbered, w * w * kNumberCount, uint32_t(w));
            break;
        }
        case RealisticRule::kIp:
            for (uint32_t network = 0; network < 3; ++network)
                if (fits(static_cast<int>(std::string_view(kIpv4Networks[network]).size()) + 3))
                    AddTier(kIpv4, kIpv4Hosts, network);
            if (fits(kIpv6PrefixLength + 4)) AddTier(kIpv6Short, 0xffff);
            if (fits(kIpv6PrefixLength + 9)) AddTier(kIpv6Long, uint64_t{0xffff} << 16);
            break;
        case RealisticRule::kText: {
            // k words, k - 1 spaces and a full stop; the k giving the most
            // distinct texts within the limit.
            uint64_t best = 0;
            uint32_t best_words = 0, best_count = 0;
            for (uint32_t k = 1; k <= kTextMaxWords; ++k) {
                uint64_t count = words.CountUpTo(width(static_cast<int>(k), static_cast<int>(k)));
                uint64_t total = 1;
                for (uint32_t i = 0; i < k; ++i) total *= count;
                if (count > 0 && total >= best) {
                    best = total;
                    best_words = k;
                    best_count = static_cast<uint32_t>(count);
                }
            }
            AddTier(kText, best, best_count, best_words);
            break;
        }
    }
}

void RealisticGenerator::AddTier(int kind, uint64_t capacity, uint32_t c0, uint32_t c1, uint32_t c2,
                                 uint64_t period) {
    if (capacity == 0 || tier_count_ == kMaxTiers) return;
    if (period == 0) period = capacity;
    Tier& tier = tiers_[tier_count_++];
    tier.kind = kind;
    tier.capacity = capacity;
    tier.counts[0] = c0;
    tier.counts[1] = c1;
    tier.counts[2] = c2;
    tier.period = period;
    tier.multiplier = 0x9e3779b97f4a7c15ULL % period;
    if (tier.multiplier == 0) tier.multiplier = 1;
    while (std::gcd(tier.multiplier, period) != 1) ++tier.multiplier;
    tier.offset = 0x632be59bd9b4e019ULL % period;
    capacity_ += capacity;
}

std::string RealisticGenerator::Generate(uint64_t seed, int source_length) const {
    if (capacity_ == 0) {
        std::string limit = std::to_string(max_length_);
        int shortest = RealisticMinLength(rule_);
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         std::string("no ") + RealisticRuleName(rule_) + " fake fits in " + limit +
                             " characters",
                         std::string("The shortest ") + RealisticRuleName(rule_) + " fake has " +
                             std::to_string(shortest) + " characters.",
                         "Widen the column or give it another rule.");
    }
    uint64_t index = (seed - 1) % capacity_;
    for (int i = 0; i < tier_count_; ++i) {
        const Tier& tier = tiers_[i];
        if (index < tier.capacity) {
            uint64_t low = index % tier.period;
            uint64_t scrambled =
                (MulMod(low, tier.multiplier, tier.period) + tier.offset) % tier.period +
                (index - low);
            return Render(tier, scrambled, source_length);
        }
        index -= tier.capacity;
    }
    return {};  // unreachable: the tiers' capacities add up to capacity_
}

std::string RealisticGenerator::Render(const Tier& tier, uint64_t index, int source_length) const {
    const WordList& first = FirstNames();
    const WordList& last = LastNames();
    std::string out;
    uint64_t a = 0, b = 0;
    switch (tier.kind) {
        case kSingleName:
            out += (rule_ == RealisticRule::kFirstName ? first : last)[index];
            break;
        case kDoubleName: {
            const WordList& list = rule_ == RealisticRule::kFirstName ? first : last;
            DistinctPair(index, tier.counts[0], a, b);
            out += list[a];
            out += '-';
            out += list[b];
            break;
        }
        case kFirstLast:
            out += first[index % tier.counts[0]];
            out += ' ';
            out += last[index / tier.counts[0]];
            break;
        case kFirstInitialLast:
            out += first[index % tier.counts[0]];
            index /= tier.counts[0];
            out += ' ';
            out += static_cast<char>('A' + index % 26);
            out += ". ";
            out += last[index / 26];
            break;
        case kFirstDoubleLast:
            out += first[index % tier.counts[0]];
            DistinctPair(index / tier.counts[0], tier.counts[1], a, b);
            out += ' ';
            out += last[a];
            out += '-';
            out += last[b];
            break;
        case kEmailPlain:
        case kEmailNumbered: {
            // The name pair as kFirstLast has it; the domain turns with it.
            uint64_t pair = index % tier.period;
            uint64_t above = index / tier.period;
            AppendLower(out, first[pair % tier.counts[0]]);
            out += '.';
            AppendLower(out, last[pair / tier.counts[0]]);
            if (tier.kind == kEmailNumbered) AppendNumber(out, above / kDomainCount + 1);
            out += '@';
            out += kDomains[(above + pair) % kDomainCount];
            break;
        }
        case kUserUnderscore:
            AppendLower(out, first[index % tier.counts[0]]);
            out += '_';
            AppendLower(out, last[index / tier.counts[0]]);
            break;
        case kUserNumbered:
            AppendLower(out, first[index % tier.counts[0]]);
            AppendNumber(out, index / tier.counts[0] + 1);
            break;
        case kUserDotNumbered: {
            uint64_t pair = index % tier.period;
            AppendLower(out, first[pair % tier.counts[0]]);
            out += '.';
            AppendLower(out, last[pair / tier.counts[0]]);
            AppendNumber(out, index / tier.period + 1);
            break;
        }
        case kPhoneNanp:
            out += "+1";
            AppendNumber(out, static_cast<uint64_t>(AreaCodes()[index / 100]));
            out += "55501";
            AppendNumber(out, index % 100, 2);
            break;
        case kPhoneAu:
            out += "+61";
            out += kAuBlocks[index / 10000];
            AppendNumber(out, index % 10000, 4);
            break;
        case kPhoneUk:
            out += "+44";
            out += kUkBlocks[index / 1000];
            AppendNumber(out, index % 1000, 3);
            break;
        case kUrlPlain:
        case kUrlNumbered: {
            const WordList& words = Words();
            out += kUrlPrefix;
            out += words[index % tier.counts[0]];
            index /= tier.counts[0];
            out += '/';
            out += words[index % tier.counts[0]];
            index /= tier.counts[0];
            if (tier.kind == kUrlNumbered) {
                out += '/';
                AppendNumber(out, index + 1);
            }
            break;
        }
        case kIpv4:
            out += kIpv4Networks[tier.counts[0]];
            AppendNumber(out, index + 1);
            break;
        case kIpv6Short:
            out += kIpv6Prefix;
            AppendHex(out, index + 1);
            break;
        case kIpv6Long:
            out += kIpv6Prefix;
            AppendHex(out, (index >> 16) + 1);
            out += ':';
            AppendHex(out, index & 0xffff);
            break;
        case kText: {
            // The first counts[1] words spell the index (so texts differ);
            // filler words chosen from the index follow, up to the length
            // of the real value, in sentences of kWordsPerSentence words.
            const WordList& words = Words();
            uint32_t count = tier.counts[0];
            uint32_t spelled = tier.counts[1];
            uint64_t rest = index;
            for (uint32_t i = 0; i < spelled; ++i) {
                if (i == 0) {
                    AppendCapitalized(out, words[rest % count]);
                } else {
                    out += ' ';
                    out += words[rest % count];
                }
                rest /= count;
            }
            int64_t target = source_length < 0 ? 0 : source_length;
            target = std::min<int64_t>(target, kMaxTextLength);
            if (max_length_ >= 0) target = std::min<int64_t>(target, max_length_);
            uint64_t state = Mix(index);
            for (uint32_t position = spelled;; ++position) {
                bool new_sentence = position % kWordsPerSentence == 0;
                int64_t separator = new_sentence ? 2 : 1;
                // Room for the word, leaving one character for the full stop.
                int64_t room = target - static_cast<int64_t>(out.size()) - separator - 1;
                uint32_t usable = words.CountUpTo(room);
                if (usable == 0) break;
                state = Mix(state);
                std::string_view word = words[state % usable];
                if (new_sentence) {
                    out += ". ";
                    AppendCapitalized(out, word);
                } else {
                    out += ' ';
                    out += word;
                }
            }
            out += '.';
            break;
        }
    }
    return out;
}

std::string RealisticFake(RealisticRule rule, uint64_t seed, int max_length, int source_length) {
    return RealisticGenerator(rule, max_length).Generate(seed, source_length);
}

uint64_t RealisticCapacity(RealisticRule rule, int max_length) {
    return RealisticGenerator(rule, max_length).capacity();
}

int RealisticMinLength(RealisticRule rule) {
    for (int length = 0; length <= kLongestScanned; ++length)
        if (RealisticGenerator(rule, length).capacity() > 0) return length;
    return kLongestScanned + 1;
}

}  // namespace scrub
