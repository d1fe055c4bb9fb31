// SPDX-License-Identifier: Apache-2.0
// Hash containers keyed by std::string with std::string_view lookups.
// (Debian's Abseil has its own absl::string_view, so its default string
// hasher does not accept std::string_view.)
#ifndef NEDB_UTIL_STR_MAP_H_
#define NEDB_UTIL_STR_MAP_H_

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <string>
#include <string_view>

namespace nedb {

struct StrHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return absl::Hash<std::string_view>{}(s); }
};
struct StrEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

template <class V>
using StrMap = absl::flat_hash_map<std::string, V, StrHash, StrEq>;
using StrSet = absl::flat_hash_set<std::string, StrHash, StrEq>;

}  // namespace nedb

#endif  // NEDB_UTIL_STR_MAP_H_
