// The json rule: a document keeps its shape (every object key, every array
// element) and the values under the listed key paths; every other string
// becomes a fake, every other number 0; booleans and nulls stay.
#pragma once

#include <cstdint>
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

}  // namespace scrub
