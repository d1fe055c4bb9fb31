// SPDX-License-Identifier: Apache-2.0
// Canonical JSON text: exactly what nlohmann::json::dump() writes (no
// whitespace, object keys sorted by bytes and unique, only '"', '\\' and
// control characters escaped -- \b \f \n \r \t or \u00xx --, integers in
// decimal, other numbers as dump() prints the double). It is the form the
// log and the document store hold, so a document already in it (built by
// NEDB's own adapters) can be stored without building a JSON tree.
#ifndef NEDB_UTIL_CANONICAL_JSON_H_
#define NEDB_UTIL_CANONICAL_JSON_H_

#include <string>
#include <string_view>

namespace nedb {

// True if text is the canonical form of a JSON object nested at most
// kMaxCanonicalDepth deep; otherwise false and *why (if given) says what is
// wrong and at which byte.
inline constexpr int kMaxCanonicalDepth = 128;
bool IsCanonicalJsonObject(std::string_view text, std::string* why = nullptr);

}  // namespace nedb

#endif  // NEDB_UTIL_CANONICAL_JSON_H_
