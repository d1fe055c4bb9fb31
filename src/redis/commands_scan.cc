// SPDX-License-Identifier: Apache-2.0
// The cursor commands: SCAN (keys), HSCAN (a hash's fields and values),
// SSCAN (a set's members). Each returns every match in one call with the
// cursor "0" (docs/RESP.md); cursors, MATCH, COUNT and TYPE are checked as
// Redis checks them.
#include <cctype>

#include "redis/internal.h"

namespace nedb::redis {

namespace {

// Redis's parseScanCursorOrReply: strtoul over the C string (up to a NUL),
// no leading space, nothing after the digits, no overflow. "" is 0; "-1"
// wraps as strtoul does.
std::uint64_t ParseCursor(std::string_view s) {
  s = s.substr(0, s.find('\0'));
  const auto invalid = [] { Fail("ERR invalid cursor"); };
  if (s.empty()) return 0;
  if (std::isspace(static_cast<unsigned char>(s[0]))) invalid();
  std::size_t i = 0;
  const bool neg = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') ++i;
  if (i == s.size()) invalid();  // a sign alone: strtoul stops at it
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') invalid();
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) invalid();  // ERANGE
    v = v * 10 + d;
  }
  return neg ? 0 - v : v;
}

struct ScanArgs {
  std::string pattern = "*";
  std::optional<std::string> type;  // SCAN only
};

// Redis's scanGenericCommand options, from argv[from].
ScanArgs ParseScanArgs(const Argv& a, std::size_t from, bool keys) {
  ScanArgs out;
  for (std::size_t i = from; i < a.size(); i += 2) {
    const std::string opt = Lower(a[i]);
    const bool value = i + 1 < a.size();
    if (opt == "count" && value) {
      if (ParseInt(a[i + 1]) < 1) Fail(kSyntaxError);
    } else if (opt == "match" && value) {
      out.pattern = a[i + 1];
    } else if (opt == "type" && keys && value) {
      out.type = Lower(a[i + 1]);
    } else {
      Fail(kSyntaxError);
    }
  }
  return out;
}

RedisReply ScanReply(std::vector<RedisReply> items) {
  return RedisReply::Array({RedisReply::Bulk("0"), RedisReply::Array(std::move(items))});
}

bool Matches(const ScanArgs& s, std::string_view v) {
  return s.pattern == "*" || GlobMatch(s.pattern, v);
}

RedisReply Scan(Ctx& c, const Argv& a) {
  const std::uint64_t cursor = ParseCursor(a[1]);
  const ScanArgs s = ParseScanArgs(a, 2, true);
  std::vector<RedisReply> keys;
  if (cursor != 0) return ScanReply({});  // every key came with cursor 0
  ForEachKey(c.db, [&](const std::string& key, const nlohmann::json& doc) {
    if (s.type) {
      auto t = doc.find("_rtype");
      const std::string tn = t != doc.end() && t->is_string() ? t->get<std::string>() : "hash";
      if (tn != *s.type) return;
    }
    if (Matches(s, key)) keys.push_back(RedisReply::Bulk(key));
  });
  return ScanReply(std::move(keys));
}

// HSCAN and SSCAN: the cursor, then the key (missing: an empty scan,
// before the options are read), then the options.
RedisReply HScan(Ctx& c, const Argv& a) {
  const std::uint64_t cursor = ParseCursor(a[2]);
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (!e.exists()) return ScanReply({});
  const ScanArgs s = ParseScanArgs(a, 3, false);
  std::vector<RedisReply> out;
  if (cursor != 0) return ScanReply({});
  for (auto& [f, v] : HashFields(*e.doc)) {
    if (!Matches(s, f)) continue;
    out.push_back(RedisReply::Bulk(std::move(f)));
    out.push_back(RedisReply::Bulk(std::move(v)));
  }
  return ScanReply(std::move(out));
}

RedisReply SScan(Ctx& c, const Argv& a) {
  const std::uint64_t cursor = ParseCursor(a[2]);
  Entry e = LoadAs(c.db, a[1], KeyType::kSet);
  if (!e.exists()) return ScanReply({});
  const ScanArgs s = ParseScanArgs(a, 3, false);
  std::vector<RedisReply> out;
  if (cursor != 0) return ScanReply({});
  for (std::string& m : SetMembers(*e.doc)) {
    if (Matches(s, m)) out.push_back(RedisReply::Bulk(std::move(m)));
  }
  return ScanReply(std::move(out));
}

}  // namespace

void AddScanCommands(std::vector<CommandSpec>* out) {
  out->insert(out->end(), {
                              {"scan", -2, kReadOnly, Scan, "generic",
                               "Iterates over the key names in the database (one call)", 0, 0, 0},
                              {"hscan", -3, kReadOnly, HScan, "hash",
                               "Iterates over fields and values of a hash (one call)", 1, 1, 1},
                              {"sscan", -3, kReadOnly, SScan, "set",
                               "Iterates over members of a set (one call)", 1, 1, 1},
                          });
}

}  // namespace nedb::redis
