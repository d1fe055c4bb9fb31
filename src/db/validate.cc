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

const char* NameProblem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxCollectionBytes) return "is longer than 256 bytes";
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c == 0) return "contains a NUL byte";
    if (c < 0x20 || c == 0x7F) return "contains a control character";
    if (c == ':') return "contains ':'";
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = Utf8SeqLen(name.substr(i));
    if (n == 0) return "is not valid UTF-8";
    if (c == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0) {
      return "contains a control character";  // U+0080-U+009F
    }
    i += n;
  }
  return nullptr;
}

namespace {

// name for an error message: at most 64 bytes, control characters and
// invalid UTF-8 as \xHH.
std::string Shown(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t i = 0;
  while (i < name.size() && i < 64) {
    const auto c = static_cast<unsigned char>(name[i]);
    const std::size_t n = c < 0x80 ? 1 : Utf8SeqLen(name.substr(i));
    if (c >= 0x20 && c != 0x7F && n > 0 &&
        !(c == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0)) {
      out.append(name.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    }
  }
  if (i < name.size()) out += "...";
  return out;
}

void CheckName(std::string_view kind, std::string_view name) {
  if (const char* why = NameProblem(name)) {
    throw InvalidArgument(std::string(kind) + " name \"" + Shown(name) + "\" " + why + ": a " +
                          std::string(kind) + " name is " + std::string(kNameRule));
  }
}

}  // namespace

void ValidateCollection(std::string_view coll) { CheckName("collection", coll); }

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
  if (const char* why = NameProblem(key.substr(0, colon))) {
    Bad(what, key,
        "its collection part " + std::string(why) + " (a collection name is " +
            std::string(kNameRule) + ")");
  }
  std::string_view id = key.substr(colon + 1);
  if (id.empty()) Bad(what, key, "its id part is empty");
  ValidateId(id);
}

void ValidateRelation(std::string_view rel) { CheckName("relation", rel); }

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
