// The json rule over nlohmann::json's SAX parser: the document is read
// once and written as it is read, so numbers that are kept keep their
// exact text (jsonb numbers may exceed a double's precision).
#include "json_keep.h"

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

constexpr const char* kInvalidTextRepresentation = "22P02";

// The keep paths as a tree of keys; `keep` marks where a path ends.
struct PathNode {
    bool keep = false;
    std::map<std::string, std::unique_ptr<PathNode>, std::less<>> children;

    const PathNode* Child(std::string_view key) const {
        auto found = children.find(key);
        return found == children.end() ? nullptr : found->second.get();
    }
};

std::vector<std::string> SplitPath(const std::string& path) {
    std::vector<std::string> keys;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (key.empty())
            throw ScrubError(sqlstate::kInvalidParameterValue, "invalid json keep path",
                             path.empty() ? "A keep path is empty."
                                          : "The keep path \"" + path + "\" has an empty key.",
                             "Write each path as keys joined by dots, such as \"address.city\".");
        keys.push_back(std::move(key));
        if (dot == std::string::npos) return keys;
        start = dot + 1;
    }
}

std::unique_ptr<PathNode> BuildTree(const std::vector<std::string>& paths) {
    auto root = std::make_unique<PathNode>();
    for (const std::string& path : paths) {
        PathNode* node = root.get();
        for (std::string& key : SplitPath(path)) {
            std::unique_ptr<PathNode>& child = node->children[key];
            if (!child) child = std::make_unique<PathNode>();
            node = child.get();
        }
        node->keep = true;
    }
    return root;
}

using Json = nlohmann::json;

// Appends `text` (valid UTF-8, as the parser checked) as a JSON string.
void AppendQuoted(std::string& out, const std::string& text) {
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        unsigned char byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

// Writes the kept document while the parser reads the original.
class KeepWriter : public nlohmann::json_sax<Json> {
  public:
    KeepWriter(const PathNode* root, int64_t seed)
        : seed_(std::to_string(seed)), next_{root, root->keep, "value_" + seed_} {}

    std::string& output() { return out_; }

    bool null() override {
        Value();
        out_ += "null";
        return true;
    }
    bool boolean(bool value) override {
        Value();
        out_ += value ? "true" : "false";
        return true;
    }
    bool number_integer(number_integer_t value) override {
        Value();
        out_ += next_.kept ? std::to_string(value) : "0";
        return true;
    }
    bool number_unsigned(number_unsigned_t value) override {
        Value();
        out_ += next_.kept ? std::to_string(value) : "0";
        return true;
    }
    bool number_float(number_float_t, const string_t& text) override {
        Value();
        out_ += next_.kept ? text : "0";
        return true;
    }
    bool string(string_t& value) override {
        Value();
        AppendQuoted(out_, next_.kept ? value : next_.label);
        return true;
    }
    bool binary(binary_t&) override { return false; }  // not in JSON text
    bool start_object(std::size_t) override {
        Value();
        out_ += '{';
        stack_.push_back({next_, false, 0});
        return true;
    }
    bool key(string_t& key) override {
        Container& object = stack_.back();
        if (object.count++ > 0) out_ += ',';
        AppendQuoted(out_, key);
        out_ += ':';
        const PathNode* child = object.place.node ? object.place.node->Child(key) : nullptr;
        next_ = {child, object.place.kept || (child != nullptr && child->keep), key + "_" + seed_};
        return true;
    }
    bool end_object() override {
        out_ += '}';
        stack_.pop_back();
        return true;
    }
    bool start_array(std::size_t) override {
        Value();
        out_ += '[';
        stack_.push_back({next_, true, 0});
        return true;
    }
    bool end_array() override {
        out_ += ']';
        stack_.pop_back();
        return true;
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception&) override {
        throw ScrubError(
            kInvalidTextRepresentation, "invalid json document for the json rule",
            "The document is not valid UTF-8 JSON near byte " + std::to_string(position) + ".");
    }

  private:
    // Where a value sits: the path node below which it lies (null when no
    // path goes there), whether a path kept it, and its fake.
    struct Place {
        const PathNode* node;
        bool kept;
        std::string label;
    };
    struct Container {
        Place place;
        bool array;
        uint64_t count;
    };

    // Called first for every value: in an array, works out its place.
    void Value() {
        if (stack_.empty() || !stack_.back().array) return;
        Container& array = stack_.back();
        if (array.count > 0) out_ += ',';
        next_ = {array.place.node, array.place.kept,
                 array.place.label + "_" + std::to_string(array.count)};
        ++array.count;
    }

    std::string seed_;
    Place next_;
    std::vector<Container> stack_;
    std::string out_;
};

}  // namespace

void ValidateJsonPaths(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) SplitPath(path);
}

std::string JsonKeep(std::string_view json, const std::vector<std::string>& keep, int64_t seed) {
    std::unique_ptr<PathNode> root = BuildTree(keep);
    KeepWriter writer(root.get(), seed);
    Json::sax_parse(json.begin(), json.end(), &writer);
    return std::move(writer.output());
}

}  // namespace scrub
