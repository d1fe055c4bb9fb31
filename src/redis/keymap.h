// SPDX-License-Identifier: Apache-2.0
// Redis key names <-> NEDB documents (docs/RESP.md, "Key mapping").
//
//   "user:1"      -> collection "user", id "1"   (prefix before the first ':'
//                    is a collection name, the rest a valid id)
//   "counter"     -> collection "kv", id "counter"
//   "kv:x"        -> collection "kv", id "kv:x"   (prefixes kv and kv_items
//                    are reserved: never split)
//   "\xff\x00"    -> collection "kv", id "~/wA"   ('~' + base64url of the key,
//                    for keys that are not valid ids or that start with '~')
//
// The mapping is a bijection between keys (up to the length limits below)
// and (collection, id) pairs in collections other than kv_items.
#ifndef NEDB_REDIS_KEYMAP_H_
#define NEDB_REDIS_KEYMAP_H_

#include <optional>
#include <string>
#include <string_view>

namespace nedb::redis {

inline constexpr const char* kDefaultCollection = "kv";
// List elements live here (one document per element); not keys.
inline constexpr const char* kListItems = "kv_items";

struct DocRef {
  std::string coll;
  std::string id;
};

// The document for key; nullopt if the key is too long for an NEDB id (a
// UTF-8 key of more than 1024 bytes, other keys of more than 766 bytes).
std::optional<DocRef> MapKey(std::string_view key);
// The key of a document; nullopt if (coll, id) is not the image of a key.
std::optional<std::string> UnmapKey(std::string_view coll, std::string_view id);

}  // namespace nedb::redis

#endif  // NEDB_REDIS_KEYMAP_H_
