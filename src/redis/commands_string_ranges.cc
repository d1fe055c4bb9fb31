// SPDX-License-Identifier: Apache-2.0
// String range commands: GETRANGE SETRANGE (Redis's getrangeCommand and
// setrangeCommand: the same index rules, replies and errors).
#include <string>

#include "log/log_format.h"
#include "redis/internal.h"

namespace nedb::redis {

namespace {

// The longest string SETRANGE builds: a string is one document, and NEDB
// refuses documents over logfmt::kMaxDocBytes (docs/RESP.md).
constexpr std::int64_t kMaxString = static_cast<std::int64_t>(logfmt::kMaxDocBytes);

RedisReply GetRange(Ctx& c, const Argv& a) {
  std::int64_t start = ParseInt(a[2]), end = ParseInt(a[3]);
  const TextEntry e = LoadTextAs(c.db, a[1], KeyType::kString);
  if (!e.exists()) return RedisReply::Bulk("");
  const std::string v = StringValueOf(*e.text);
  const auto len = static_cast<std::int64_t>(v.size());
  if (start < 0 && end < 0 && start > end) return RedisReply::Bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return RedisReply::Bulk("");
  return RedisReply::Bulk(
      v.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start + 1)));
}

RedisReply SetRange(Ctx& c, const Argv& a) {
  const std::int64_t offset = ParseInt(a[2]);
  if (offset < 0) Fail("ERR offset is out of range");
  const std::string& value = a[3];
  const TextEntry e = LoadTextAs(c.db, a[1], KeyType::kString);
  std::string v = e.exists() ? StringValueOf(*e.text) : std::string();
  if (value.empty()) return RedisReply::Integer(static_cast<std::int64_t>(v.size()));
  if (offset > kMaxString - static_cast<std::int64_t>(value.size())) {
    Fail("ERR string exceeds maximum allowed size (" + std::to_string(kMaxString) +
         " bytes, NEDB's document limit)");
  }
  const auto at = static_cast<std::size_t>(offset);
  if (v.size() < at + value.size()) v.resize(at + value.size(), '\0');
  v.replace(at, value.size(), value);
  PutString(c.db, e, v, std::nullopt, /*keep_ttl=*/true);
  return RedisReply::Integer(static_cast<std::int64_t>(v.size()));
}

}  // namespace

void AddStringRangeCommands(std::vector<CommandSpec>* out) {
  out->insert(out->end(),
              {
                  {"getrange", 4, kReadOnly, GetRange, "string",
                   "Returns a substring of the string stored at a key", 1, 1, 1},
                  {"setrange", 4, kWrite, SetRange, "string",
                   "Overwrites a part of a string value with another by an offset", 1, 1, 1},
              });
}

}  // namespace nedb::redis
