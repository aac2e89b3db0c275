// The json rule: shape kept, listed paths kept, the rest faked.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_keep.h"

namespace scrub {
namespace {

using nlohmann::json;

json Keep(const std::string& document, const std::vector<std::string>& paths, int64_t seed = 7) {
    return json::parse(JsonKeep(document, paths, seed));
}

TEST(JsonKeep, KeepsShapeAndListedPaths) {
    json out = Keep(R"({"theme": "dark", "n": {"email": true, "sms": "+4477", "hour": 9},
                        "gone": null, "list": [], "obj": {}})",
                    {"theme"});
    EXPECT_EQ(out, json::parse(R"({"theme": "dark", "n": {"email": true, "sms": "sms_7", "hour": 0},
                                  "gone": null, "list": [], "obj": {}})"));
}

TEST(JsonKeep, WalksArraysAndKeepsWholeSubtrees) {
    json out = Keep(R"({"items": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1, "x": [1, "y"]}],
                        "address": {"city": "Leeds", "lines": ["1 Main St"], "zip": 12}})",
                    {"items.sku", "address"});
    EXPECT_EQ(out, json::parse(R"({"items": [{"sku": "A", "qty": 0},
                                             {"sku": "B", "qty": 0, "x": [0, "x_7_1"]}],
                                  "address": {"city": "Leeds", "lines": ["1 Main St"], "zip": 12}})"));
    // Nested arrays are walked too.
    EXPECT_EQ(Keep(R"({"m": [[{"k": "v", "o": "w"}]]})", {"m.k"}),
              json::parse(R"({"m": [[{"k": "v", "o": "o_7"}]]})"));
}

TEST(JsonKeep, FakesComeFromShapeAndSeedNotValues) {
    EXPECT_EQ(Keep(R"({"a": "secret one"})", {}), Keep(R"({"a": "another"})", {}));
    EXPECT_NE(Keep(R"({"a": "x"})", {}, 1), Keep(R"({"a": "x"})", {}, 2));
    EXPECT_EQ(Keep(R"("top")", {}), json("value_7"));
    EXPECT_EQ(Keep(R"(["a", ["b"]])", {}), json::parse(R"(["value_7_0", ["value_7_1_0"]])"));
}

TEST(JsonKeep, KeptNumbersKeepTheirText) {
    std::string out = JsonKeep(
        R"({"big": 123456789012345678901234567890.10, "i": -5, "u": 18446744073709551615, "f": 1.10})",
        {"big", "i", "u", "f"}, 1);
    EXPECT_NE(out.find("123456789012345678901234567890.10"), std::string::npos) << out;
    EXPECT_NE(out.find("-5"), std::string::npos) << out;
    EXPECT_NE(out.find("18446744073709551615"), std::string::npos) << out;
    EXPECT_NE(out.find("1.10"), std::string::npos) << out;
}

TEST(JsonKeep, KeyWithADotIsNotAPath) {
    EXPECT_EQ(Keep(R"({"a.b": "x", "a": {"b": "y"}})", {"a.b"}),
              json::parse(R"({"a.b": "a.b_7", "a": {"b": "y"}})"));
}

TEST(JsonKeep, UnicodeAndEscapesSurvive) {
    EXPECT_EQ(Keep(R"({"k": "caf\u00e9 \"q\"\n", "ñ": "x"})", {"k"}),
              json::parse(R"({"k": "café \"q\"\n", "ñ": "ñ_7"})"));
    EXPECT_EQ(Keep(R"({"k": "back\\slash \u0001 \t \/"})", {"k"}),
              json::parse(R"({"k": "back\\slash \u0001 \t /"})"));
}

TEST(JsonKeep, RejectsMalformedPaths) {
    for (const char* path : {"", ".", "a.", ".a", "a..b"}) {
        EXPECT_THROW(ValidateJsonPaths({"ok", path}), ScrubError) << path;
        EXPECT_THROW(JsonKeep("{}", {path}, 1), ScrubError) << path;
    }
    try {
        ValidateJsonPaths({"a..b"});
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "22023");
        EXPECT_NE(e.report().detail.find("\"a..b\""), std::string::npos);
    }
    EXPECT_NO_THROW(ValidateJsonPaths({"a", "a.b", "x y.z", "items.sku"}));
}

TEST(JsonKeep, RejectsMalformedDocuments) {
    EXPECT_THROW(JsonKeep("{", {}, 1), ScrubError);
    EXPECT_THROW(JsonKeep("\"\xff\"", {}, 1), ScrubError);
    for (const char* bad : {"",
                            " ",
                            "[1,]",
                            "{\"a\":1,}",
                            "{\"a\" 1}",
                            "{1:2}",
                            "[1 2]",
                            "01",
                            "1.",
                            ".5",
                            "+1",
                            "-",
                            "1e",
                            "1e+",
                            "tru",
                            "nul",
                            "[1]x",
                            "{} {}",
                            "\"a",
                            "\"\\x\"",
                            "\"\\u12g4\"",
                            "\"\\udc00\"",
                            "\"\\ud800\"",
                            "\"\\ud800\\u0041\"",
                            "\"\xc0\x80\"",
                            "\"\xed\xa0\x80\"",
                            "\"\xf4\x90\x80\x80\"",
                            "\"\xe2\x82\"",
                            "\"tab\there\"",
                            "[",
                            "]",
                            "{\"a\":}"}) {
        EXPECT_THROW(JsonKeep(bad, {}, 1), ScrubError) << bad;
        EXPECT_THROW(JsonKeep(bad, {"a"}, 1), ScrubError) << bad;
    }
    try {
        JsonKeep("[1, 2,]", {}, 1);
        ADD_FAILURE();
    } catch (const ScrubError& e) {
        EXPECT_EQ(e.report().sqlstate, "22P02");
        EXPECT_NE(e.report().detail.find("byte 6"), std::string::npos) << e.report().detail;
    }
}

TEST(JsonKeep, NumbersBeyondADoubleAreValid) {
    // jsonb holds numbers no double can: they are never converted, so the
    // document passes whether or not the path is kept, kept ones verbatim.
    for (const char* number : {"1e400", "1e309", "-1e400", "1E+2", "0.30000000000000004441",
                               "123456789012345678901234567890123456789", "-0", "0e0", "1e-400"}) {
        std::string document = std::string("{\"big\": ") + number + ", \"x\": " + number + "}";
        EXPECT_EQ(JsonKeep(document, {"x"}, 1), std::string("{\"big\":0,\"x\":") + number + "}");
        EXPECT_EQ(JsonKeep(document, {"big"}, 1), std::string("{\"big\":") + number + ",\"x\":0}");
    }
}

TEST(JsonKeep, KeepsKeyOrderDuplicatesAndEscapesOfJsonText) {
    // json (not jsonb) text: keys in their order, duplicates, escapes as
    // written; only whitespace between tokens goes.
    EXPECT_EQ(
        JsonKeep(R"({"b": 1E+2, "a": "\u00e9\u0000", "b": [2, "s"], "c": "x"})", {"a", "b"}, 3),
        R"({"b":1E+2,"a":"\u00e9\u0000","b":[2,"s"],"c":"c_3"})");
    // Keys are matched decoded: "\u0061" is the key a.
    EXPECT_EQ(JsonKeep(R"({"\u0061": "kept", "\ud83d\ude00": "x"})", {"a"}, 3),
              "{\"\\u0061\":\"kept\",\"\\ud83d\\ude00\":\"\xf0\x9f\x98\x80_3\"}");
}

TEST(JsonKeep, DeepNestingCostsNoStack) {
    std::string deep = std::string(5000, '[') + std::string(5000, ']');
    EXPECT_EQ(JsonKeep(deep, {}, 1), deep);
    std::string objects;
    for (int i = 0; i < 5000; ++i) objects += "{\"k\":";
    objects += "\"v\"" + std::string(5000, '}');
    EXPECT_EQ(JsonKeep(objects, {}, 1).size(), objects.size() - 1 + 3);
}

TEST(KeepTree, LooksUpPathsAndIsReusedAcrossDocuments) {
    KeepTree tree({"items.sku", "address", "items.sku.x"});
    const KeepTree::Node* root = tree.root();
    EXPECT_FALSE(KeepTree::Keeps(root));
    const KeepTree::Node* items = KeepTree::Child(root, "items");
    ASSERT_NE(items, nullptr);
    EXPECT_FALSE(KeepTree::Keeps(items));
    EXPECT_TRUE(KeepTree::Keeps(KeepTree::Child(items, "sku")));
    EXPECT_TRUE(KeepTree::Keeps(KeepTree::Child(root, "address")));
    EXPECT_EQ(KeepTree::Child(root, "sku"), nullptr);
    EXPECT_EQ(KeepTree::Child(nullptr, "items"), nullptr);
    EXPECT_FALSE(KeepTree::Keeps(nullptr));
    // One tree, many documents: each as if the paths were passed anew.
    for (const char* document : {R"({"items": [{"sku": "A", "n": 1}], "address": {"c": "L"}})",
                                 R"({"address": "x", "other": ["y"]})", R"("top")"})
        EXPECT_EQ(JsonKeep(document, tree, 9),
                  JsonKeep(document, {"items.sku", "address", "items.sku.x"}, 9));
    EXPECT_THROW(KeepTree({"a..b"}), ScrubError);
}

}  // namespace
}  // namespace scrub
