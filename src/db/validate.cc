// SPDX-License-Identifier: Apache-2.0
#include "db/validate.h"

#include <string>

#include "nedb/errors.h"
#include "util/json_text.h"

namespace nedb {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = Utf8SeqLen(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

[[noreturn]] void Bad(std::string_view what, std::string_view value, std::string_view why) {
  std::string shown(value.substr(0, 64));
  throw InvalidArgument(std::string(what) + " \"" + shown + (value.size() > 64 ? "..." : "") +
                        "\" is invalid: " + std::string(why));
}

}  // namespace

void ValidateCollection(std::string_view coll) {
  if (coll.empty()) throw InvalidArgument("collection name is empty");
  if (!IsIdentifier(coll)) {
    Bad("collection name", coll,
        "use letters, digits and '_', not starting with a digit, at most 128 bytes");
  }
}

void ValidateId(std::string_view id) {
  if (id.empty()) throw InvalidArgument("document id is empty");
  if (id.size() > kMaxIdBytes) Bad("document id", id, "longer than 1024 bytes");
  if (id.find('\0') != std::string_view::npos) Bad("document id", id, "contains a NUL byte");
  if (!IsValidUtf8(id)) Bad("document id", id, "not valid UTF-8");
}

void ValidateNodeKey(std::string_view key, std::string_view what) {
  std::size_t colon = key.find(':');
  if (key.empty()) throw InvalidArgument(std::string(what) + " node key is empty");
  if (colon == std::string_view::npos) Bad(what, key, "a node key is \"collection:id\"");
  if (!IsIdentifier(key.substr(0, colon))) Bad(what, key, "its collection part is not a name");
  std::string_view id = key.substr(colon + 1);
  if (id.empty()) Bad(what, key, "its id part is empty");
  ValidateId(id);
}

void ValidateRelation(std::string_view rel) {
  if (rel.empty()) throw InvalidArgument("relation name is empty");
  if (!IsIdentifier(rel)) {
    Bad("relation name", rel, "use letters, digits and '_', not starting with a digit");
  }
}

void ValidateWriteOptions(const WriteOptions& o) {
  if (o.client.empty()) throw InvalidArgument("client is empty");
  if (o.client.size() > kMaxClientBytes || !IsValidUtf8(o.client)) {
    Bad("client", o.client, "must be UTF-8, at most 256 bytes");
  }
  if (o.idem) {
    if (o.idem->empty()) throw InvalidArgument("idem key is empty");
    if (o.idem->size() > kMaxIdemBytes || !IsValidUtf8(*o.idem)) {
      Bad("idem key", *o.idem, "must be UTF-8, at most 1024 bytes");
    }
  }
}

}  // namespace nedb
