// The json rule: a document keeps its shape (every object key, every array
// element) and the values under the listed key paths; every other string
// becomes a fake, every other number 0; booleans and nulls stay.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scrub {

// Throws ScrubError (22023) naming the first malformed path: a path is one
// or more keys joined by dots ("address.city"), none of them empty.
void ValidateJsonPaths(const std::vector<std::string>& paths);

// The document `json` (UTF-8 JSON text, as jsonb prints it) with only the
// values under `keep` kept. A path reaching an object or an array keeps its
// whole subtree; arrays are walked, so "items.sku" applies to every element
// of "items". A faked string is the name of the key holding it (or
// "value"), the row's seed and its array positions ("sku_17_0"): it is
// built from the document's shape, never from the value. Kept numbers keep
// their exact text. Throws ScrubError on a malformed path or document.
std::string JsonKeep(std::string_view json, const std::vector<std::string>& keep, int64_t seed);

// The keep paths as a tree of keys, built once and reused for every
// document of a column (scrub_json_keep caches it per call site). Its
// lookups neither throw nor allocate, so that code walking a jsonb
// document inside a pg::Guard may call them.
class KeepTree {
  public:
    struct Node;
    // Throws ScrubError (22023) on a malformed path, as ValidateJsonPaths.
    explicit KeepTree(const std::vector<std::string>& paths);
    ~KeepTree();
    KeepTree(const KeepTree&) = delete;
    KeepTree& operator=(const KeepTree&) = delete;

    const Node* root() const noexcept { return root_.get(); }
    // The node below `node` for `key`, or null when no path goes there.
    static const Node* Child(const Node* node, std::string_view key) noexcept;
    // Whether a path ends at `node` (it keeps the whole subtree).
    static bool Keeps(const Node* node) noexcept;

  private:
    std::unique_ptr<Node> root_;
};

// JsonKeep over a tree built beforehand.
std::string JsonKeep(std::string_view json, const KeepTree& keep, int64_t seed);

// Appends `text` to `out` as a JSON string: quotes and backslashes
// escaped, control characters as \u00XX, everything else as it is (so
// valid UTF-8 stays valid). Shared by the json keep rule and
// scrub_suggest's output.
void AppendJsonString(std::string& out, const std::string& text);

}  // namespace scrub
