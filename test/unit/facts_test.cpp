// The files that cannot include src/facts.h state its facts again: the
// extension's SQL scripts (the functions' DEFAULT schemas) and
// bin/scrub-dump (its default schemas, the scratch schemas' names, the
// manifest's tables and the columns it reads). These tests fail when one
// of them drifts from facts.h.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "facts.h"
#include "sqlgen.h"
#include "test_support.h"

namespace scrub {
namespace {

std::string ReadSource(const std::string& path) {
    std::ifstream in(std::string(SCRUB_SOURCE_DIR) + "/" + path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every value `pattern`'s first group takes in `text`.
std::vector<std::string> Matches(const std::string& text, const std::string& pattern) {
    std::vector<std::string> found;
    std::regex re(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it)
        found.push_back((*it)[1]);
    return found;
}

TEST(Facts, SqlScriptsDefaultToTheSchemasOfFactsH) {
    for (const char* script : {"scrub--0.2.0.sql", "scrub--0.1.0--0.2.0.sql"}) {
        const std::string text = ReadSource(script);
        std::vector<std::string> targets =
            Matches(text, R"(target_schema\s+(?:pg_catalog\.)?text\s+DEFAULT\s+'([^']*)')");
        std::vector<std::string> sources =
            Matches(text, R"(source_schema\s+(?:pg_catalog\.)?text\s+DEFAULT\s+'([^']*)')");
        EXPECT_FALSE(targets.empty()) << script;
        EXPECT_GE(sources.size(), 5u) << script;
        for (const std::string& target : targets) EXPECT_EQ(target, kDefaultTargetSchema) << script;
        for (const std::string& source : sources) EXPECT_EQ(source, kDefaultSourceSchema) << script;
    }
}

TEST(Facts, ScrubDumpDefaultsToTheSchemasOfFactsH) {
    const std::string dump = ReadSource("bin/scrub-dump");
    // The options section sets the defaults before reading the command line.
    const size_t options = dump.find("\n# --- options ---");
    ASSERT_NE(options, std::string::npos);
    const std::string defaults = dump.substr(options, dump.find("\n# --- ", options + 1) - options);
    EXPECT_EQ(Matches(defaults, R"(\nsource_schema=(\S+)\n)"),
              std::vector<std::string>{kDefaultSourceSchema});
    EXPECT_EQ(Matches(defaults, R"(\ntarget=(\S+)\n)"),
              std::vector<std::string>{kDefaultTargetSchema});
    for (const std::string& documented : Matches(dump, R"(--target=NAME[^\n]*\(default: (\w+)\))"))
        EXPECT_EQ(documented, kDefaultTargetSchema);
    for (const std::string& documented : Matches(dump, R"(--schema=NAME[^\n]*\(default: (\w+)\))"))
        EXPECT_EQ(documented, kDefaultSourceSchema);
}

TEST(Facts, ScrubDumpNamesScratchSchemasAsTheRunDoes) {
    const std::string dump = ReadSource("bin/scrub-dump");
    std::vector<std::string> separators =
        Matches(dump, R"(:'target' AS pg_catalog\.text\) OPERATOR\(pg_catalog\.\|\|\) '([^']*)')");
    EXPECT_FALSE(separators.empty());
    for (const std::string& separator : separators) EXPECT_EQ(separator, kScratchSchemaSeparator);
    // The marker of the report line with the run's pid must not be a
    // possible table name.
    std::vector<std::string> markers = Matches(dump, R"(\npid_marker='([^']*)')");
    ASSERT_EQ(markers.size(), 1u);
    EXPECT_GT(markers[0].size(), kMaxNameBytes);
}

TEST(Facts, ScrubDumpReadsTheManifestOfFactsH) {
    const std::string dump = ReadSource("bin/scrub-dump");
    for (const std::string& table : Matches(dump, R"((_scrub_[a-z_]+))"))
        EXPECT_TRUE(table == kManifestRunTable || table == kManifestTablesTable ||
                    table == kManifestSequencesTable)
            << table;
    // The columns it checks the types of before reading them.
    std::regex checked(R"(\('(_scrub_[a-z_]+)', '([a-z_]+)', (?:CAST\()?'([a-z_.\[\]]+)')");
    size_t count = 0;
    for (auto it = std::sregex_iterator(dump.begin(), dump.end(), checked);
         it != std::sregex_iterator(); ++it, ++count) {
        const std::string table = (*it)[1], column = (*it)[2], type = (*it)[3];
        bool found = false;
        for (const ManifestColumn& known : kManifestColumns)
            if (table == known.table && column == known.name) {
                found = true;
                EXPECT_EQ(type, known.type) << table << "." << column;
            }
        EXPECT_TRUE(found) << table << "." << column << " is not a manifest column";
    }
    EXPECT_GE(count, 10u);
}

TEST(Facts, CreateManifestCreatesEveryColumnInOrder) {
    std::vector<Statement> statements = CreateManifest("s", testing::kQuote);
    ASSERT_EQ(statements.size(), 3u);
    std::string all;
    for (const Statement& statement : statements) all += statement.sql + "\n";
    size_t last = 0;
    const char* table = nullptr;
    for (const ManifestColumn& column : kManifestColumns) {
        std::string spelled =
            std::string(column.name) + " " + column.type + (column.not_null ? " NOT NULL" : "");
        size_t at = all.find(spelled, table == column.table ? last : 0);
        ASSERT_NE(at, std::string::npos) << spelled;
        EXPECT_NE(all.rfind(std::string("CREATE TABLE s.") + column.table, at), std::string::npos);
        table = column.table;
        last = at;
    }
}

}  // namespace
}  // namespace scrub
