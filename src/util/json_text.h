// SPDX-License-Identifier: Apache-2.0
// Working on JSON text without building a tree: unescaping strings and
// finding a field's value in a stored (valid, canonical) document.
#ifndef NEDB_UTIL_JSON_TEXT_H_
#define NEDB_UTIL_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nedb {

// Length of the valid multi-byte UTF-8 sequence at the start of s (whose
// first byte is >= 0x80), or 0 if it is invalid: truncated, overlong, a
// surrogate or past U+10FFFF. The one UTF-8 check of the engine.
std::size_t Utf8SeqLen(std::string_view s);

// Appends code point cp (<= U+10FFFF, not a surrogate) to *out as UTF-8.
void AppendUtf8(std::uint32_t cp, std::string* out);

// Decodes the body of a JSON string literal (between the quotes) and appends
// it to *out as UTF-8. False on a malformed escape or lone surrogate.
bool UnescapeJsonString(std::string_view body, std::string* out);

// The kinds of JSON value, in the order NEDB sorts them (docs/NQL.md).
enum class Rank : std::uint8_t {
  kMissing = 0,  // the field does not exist
  kNull = 1,
  kBool = 2,
  kNumber = 3,
  kString = 4,
  kArray = 5,
  kObject = 6,
};

// A value inside a document's text: its kind and its raw JSON bytes.
struct ValueView {
  Rank rank = Rank::kMissing;
  std::string_view raw;
};

// The value at path (a.b.c = {"a","b","c"}) in doc, a valid JSON object's
// text. Missing if a step is absent or not an object.
ValueView LookupField(std::string_view doc, const std::vector<std::string>& path);
// One step of LookupField: the member `key` of the object text obj.
ValueView LookupMember(std::string_view obj, std::string_view key);

// A member to set in WithMembers: key (plain: printable ASCII without '"'
// or '\\') and its value's canonical JSON text.
struct MemberUpdate {
  std::string_view key;
  std::string_view raw_value;
};
// The canonical text of the object obj (canonical JSON object text) with
// each update's member replaced or added, in sorted place, the others kept
// byte for byte: what parse, assign and dump() would give. updates must be
// sorted by key without duplicates; InvalidArgument otherwise or for a key
// that is not plain.
std::string WithMembers(std::string_view obj, const std::vector<MemberUpdate>& updates);

}  // namespace nedb

#endif  // NEDB_UTIL_JSON_TEXT_H_
