// SPDX-License-Identifier: Apache-2.0
#include "redis/keymap.h"

#include "db/validate.h"
#include "redis/internal.h"

namespace nedb::redis {

namespace {

constexpr char kEncodedMark = '~';

bool ValidId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdBytes && id.find('\0') == std::string_view::npos &&
         IsValidUtf8(id);
}

bool ReservedCollection(std::string_view c) { return c == kDefaultCollection || c == kListItems; }

}  // namespace

std::optional<DocRef> MapKey(std::string_view key) {
  const std::size_t colon = key.find(':');
  if (colon != std::string_view::npos) {
    std::string_view prefix = key.substr(0, colon), rest = key.substr(colon + 1);
    if (IsIdentifier(prefix) && !ReservedCollection(prefix) && ValidId(rest)) {
      return DocRef{std::string(prefix), std::string(rest)};
    }
  }
  if (ValidId(key) && key[0] != kEncodedMark) return DocRef{kDefaultCollection, std::string(key)};
  std::string id(1, kEncodedMark);
  id += Base64Encode(key, /*url=*/true);
  if (id.size() > kMaxIdBytes) return std::nullopt;  // "" is "~"
  return DocRef{kDefaultCollection, std::move(id)};
}

std::optional<std::string> UnmapKey(std::string_view coll, std::string_view id) {
  std::string key;
  if (coll == kDefaultCollection) {
    if (!id.empty() && id[0] == kEncodedMark) {
      if (!Base64Decode(id.substr(1), &key, /*url=*/true)) return std::nullopt;
    } else {
      key = id;
    }
  } else {
    key.reserve(coll.size() + 1 + id.size());
    key.append(coll).append(1, ':').append(id);
  }
  std::optional<DocRef> back = MapKey(key);
  if (!back || back->coll != coll || back->id != id) return std::nullopt;
  return key;
}

}  // namespace nedb::redis
