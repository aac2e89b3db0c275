// The json rule over a small JSON reader of its own: the document is read
// once and written as it is read. Numbers are never converted (a jsonb
// number may exceed a double's range and precision): a kept number, string
// or key is copied as its exact text, so json keeps its number spelling,
// key order and duplicate keys too.
#include "json_keep.h"

#include <map>
#include <memory>

#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {

// The keep paths as a tree of keys; `keep` marks where a path ends.
struct KeepTree::Node {
    bool keep = false;
    std::map<std::string, std::unique_ptr<Node>, std::less<>> children;

    const Node* Child(std::string_view key) const noexcept {
        auto found = children.find(key);
        return found == children.end() ? nullptr : found->second.get();
    }
};

namespace {

using PathNode = KeepTree::Node;

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

void AppendUtf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xc0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xe0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    }
}

// Reads a JSON document (RFC 8259, UTF-8) token by token and writes the
// kept document. Iterative, so that nesting depth costs no stack.
class KeepWriter {
  public:
    KeepWriter(std::string_view in, const PathNode* root, int64_t seed)
        : in_(in), seed_(std::to_string(seed)), next_{root, root->keep, "value_" + seed_} {}

    std::string Run() {
        bool need_value = true;
        while (true) {
            SkipSpace();
            if (need_value) {
                ReadValue();
                need_value = false;
                if (stack_.empty() || !opened_) continue;
                // A container just opened: an empty one closes at once.
                opened_ = false;
                SkipSpace();
                char close = stack_.back().array ? ']' : '}';
                if (Peek() == close) {
                    ++pos_;
                    Close();
                } else if (stack_.back().array) {
                    need_value = true;
                } else {
                    ReadKey();
                    need_value = true;
                }
                continue;
            }
            if (stack_.empty()) break;
            char c = Next();
            if (c == ',') {
                if (!stack_.back().array) {
                    SkipSpace();
                    ReadKey();
                }
                need_value = true;
            } else if (c == (stack_.back().array ? ']' : '}')) {
                Close();
            } else {
                Fail(pos_ - 1);
            }
        }
        if (pos_ != in_.size()) Fail(pos_);
        return std::move(out_);
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

    [[noreturn]] void Fail(size_t position) const {
        throw ScrubError(
            sqlstate::kInvalidTextRepresentation, "invalid json document for the json rule",
            "The document is not valid UTF-8 JSON near byte " + std::to_string(position) + ".");
    }

    char Peek() const { return pos_ < in_.size() ? in_[pos_] : '\0'; }
    char Next() {
        if (pos_ >= in_.size()) Fail(pos_);
        return in_[pos_++];
    }
    void SkipSpace() {
        while (pos_ < in_.size() &&
               (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r'))
            ++pos_;
    }

    // Called first for every value: in an array, works out its place.
    void Value() {
        if (stack_.empty() || !stack_.back().array) return;
        Container& array = stack_.back();
        if (array.count > 0) out_ += ',';
        next_ = {array.place.node, array.place.kept,
                 array.place.label + "_" + std::to_string(array.count)};
        ++array.count;
    }

    void Close() {
        out_ += stack_.back().array ? ']' : '}';
        stack_.pop_back();
    }

    void ReadValue() {
        char c = Peek();
        Value();
        if (c == '{' || c == '[') {
            ++pos_;
            out_ += c;
            stack_.push_back({next_, c == '[', 0});
            opened_ = true;
        } else if (c == '"') {
            size_t start = pos_;
            ReadString(scratch_);
            if (next_.kept)
                out_.append(in_.substr(start, pos_ - start));
            else
                AppendJsonString(out_, next_.label);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = pos_;
            ReadNumber();
            if (next_.kept)
                out_.append(in_.substr(start, pos_ - start));
            else
                out_ += '0';
        } else {
            for (std::string_view word : {"true", "false", "null"})
                if (in_.substr(pos_, word.size()) == word) {
                    pos_ += word.size();
                    out_.append(word);
                    return;
                }
            Fail(pos_);
        }
    }

    void ReadKey() {
        if (Peek() != '"') Fail(pos_);
        size_t start = pos_;
        ReadString(key_);
        const std::string& key = key_;
        Container& object = stack_.back();
        if (object.count++ > 0) out_ += ',';
        out_.append(in_.substr(start, pos_ - start));
        out_ += ':';
        SkipSpace();
        if (Next() != ':') Fail(pos_ - 1);
        const PathNode* child = object.place.node ? object.place.node->Child(key) : nullptr;
        next_ = {child, object.place.kept || (child != nullptr && child->keep), key + "_" + seed_};
    }

    // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, never converted.
    void ReadNumber() {
        auto digits = [&] {
            size_t start = pos_;
            while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
            if (pos_ == start) Fail(pos_);
        };
        if (Peek() == '-') ++pos_;
        if (Peek() == '0')
            ++pos_;
        else
            digits();
        if (Peek() == '.') {
            ++pos_;
            digits();
        }
        if (Peek() == 'e' || Peek() == 'E') {
            ++pos_;
            if (Peek() == '+' || Peek() == '-') ++pos_;
            digits();
        }
    }

    uint32_t ReadHex4() {
        uint32_t code = 0;
        for (int i = 0; i < 4; ++i) {
            char c = Next();
            code <<= 4;
            if (c >= '0' && c <= '9')
                code |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                code |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                code |= uint32_t(c - 'A' + 10);
            else
                Fail(pos_ - 1);
        }
        return code;
    }

    // A string at pos_ (on its opening quote), decoded; checks its escapes
    // and its UTF-8.
    void ReadString(std::string& text) {
        text.clear();
        ++pos_;
        while (true) {
            size_t at = pos_;
            unsigned char c = static_cast<unsigned char>(Next());
            if (c == '"') return;
            if (c < 0x20) Fail(at);
            if (c == '\\') {
                char e = Next();
                switch (e) {
                    case '"':
                    case '\\':
                    case '/':
                        text += e;
                        break;
                    case 'b':
                        text += '\b';
                        break;
                    case 'f':
                        text += '\f';
                        break;
                    case 'n':
                        text += '\n';
                        break;
                    case 'r':
                        text += '\r';
                        break;
                    case 't':
                        text += '\t';
                        break;
                    case 'u': {
                        uint32_t code = ReadHex4();
                        if (code >= 0xdc00 && code <= 0xdfff) Fail(at);
                        if (code >= 0xd800 && code <= 0xdbff) {
                            if (Next() != '\\' || Next() != 'u') Fail(at);
                            uint32_t low = ReadHex4();
                            if (low < 0xdc00 || low > 0xdfff) Fail(at);
                            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                        }
                        AppendUtf8(text, code);
                        break;
                    }
                    default:
                        Fail(at);
                }
                continue;
            }
            if (c < 0x80) {
                text += static_cast<char>(c);
                continue;
            }
            // A multibyte character: its length, and the smallest code
            // point of that length (no overlong forms), no surrogates.
            int more = c >= 0xf0 && c <= 0xf4   ? 3
                       : c >= 0xe0 && c <= 0xef ? 2
                       : c >= 0xc2 && c <= 0xdf ? 1
                                                : -1;
            if (more < 0) Fail(at);
            uint32_t code = c & (0x3f >> more);
            for (int i = 0; i < more; ++i) {
                unsigned char next = static_cast<unsigned char>(Next());
                if ((next & 0xc0) != 0x80) Fail(at);
                code = (code << 6) | (next & 0x3f);
            }
            if ((more == 2 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) ||
                (more == 3 && (code < 0x10000 || code > 0x10ffff)))
                Fail(at);
            text.append(in_.substr(at, pos_ - at));
        }
    }

    std::string_view in_;
    size_t pos_ = 0;
    std::string seed_;
    Place next_;
    std::vector<Container> stack_;
    bool opened_ = false;
    std::string out_;
    std::string key_;      // the last key read
    std::string scratch_;  // a string value read (its text is not used)
};

}  // namespace

void AppendJsonString(std::string& out, const std::string& text) {
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

void ValidateJsonPaths(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) SplitPath(path);
}

KeepTree::KeepTree(const std::vector<std::string>& paths) : root_(BuildTree(paths)) {}

KeepTree::~KeepTree() = default;

const KeepTree::Node* KeepTree::Child(const Node* node, std::string_view key) noexcept {
    return node == nullptr ? nullptr : node->Child(key);
}

bool KeepTree::Keeps(const Node* node) noexcept { return node != nullptr && node->keep; }

std::string JsonKeep(std::string_view json, const std::vector<std::string>& keep, int64_t seed) {
    KeepTree tree(keep);
    return JsonKeep(json, tree, seed);
}

std::string JsonKeep(std::string_view json, const KeepTree& keep, int64_t seed) {
    return KeepWriter(json, keep.root(), seed).Run();
}

}  // namespace scrub
