// SPDX-License-Identifier: Apache-2.0
// Generic key commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN
// DBSIZE FLUSHDB, and TTL: EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST.
#include <cmath>

#include "redis/internal.h"

namespace nedb::redis {

namespace {

RedisReply Del(Ctx& c, const Argv& a) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < a.size(); ++i) n += DeleteKey(c.db, Load(c.db, a[i])) ? 1 : 0;
  return RedisReply::Integer(n);
}

RedisReply Exists(Ctx& c, const Argv& a) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < a.size(); ++i) n += Load(c.db, a[i]).exists() ? 1 : 0;
  return RedisReply::Integer(n);
}

RedisReply Type(Ctx& c, const Argv& a) {
  return RedisReply::Simple(TypeName(Load(c.db, a[1]).type));
}

RedisReply RenameGeneric(Ctx& c, const Argv& a, bool nx) {
  Entry src = Load(c.db, a[1]);
  if (!src.exists()) Fail("ERR no such key");
  if (a[1] == a[2]) return nx ? RedisReply::Integer(0) : RedisReply::Ok();
  Entry dst = Load(c.db, a[2]);
  if (nx && dst.exists()) return RedisReply::Integer(0);
  DeleteKey(c.db, dst);
  nlohmann::json doc = std::move(*src.doc);
  doc["_id"] = dst.ref.id;
  c.db.put(dst.ref.coll, dst.ref.id, std::move(doc));  // keeps "_expires_at", as Redis does
  c.db.remove(src.ref.coll, src.ref.id);               // a list's elements stay: keyed by uid
  return nx ? RedisReply::Integer(1) : RedisReply::Ok();
}

RedisReply Rename(Ctx& c, const Argv& a) { return RenameGeneric(c, a, false); }
RedisReply RenameNx(Ctx& c, const Argv& a) { return RenameGeneric(c, a, true); }

std::vector<RedisReply> MatchingKeys(NEDB& db, std::string_view pattern, const char* type) {
  std::vector<RedisReply> out;
  const bool all = pattern == "*";
  ForEachKey(db, [&](const std::string& key, const nlohmann::json& doc) {
    if (type) {
      auto t = doc.find("_rtype");
      const std::string tn = t != doc.end() && t->is_string() ? t->get<std::string>() : "hash";
      if (tn != type) return;
    }
    if (all || GlobMatch(pattern, key)) out.push_back(RedisReply::Bulk(key));
  });
  return out;
}

RedisReply Keys(Ctx& c, const Argv& a) {
  return RedisReply::Array(MatchingKeys(c.db, a[1], nullptr));
}

// SCAN returns every match in one call (cursor "0").
RedisReply Scan(Ctx& c, const Argv& a) {
  std::uint64_t cursor = 0;
  std::int64_t n;
  if (!ToInt64(a[1], &n)) Fail("ERR invalid cursor");
  cursor = static_cast<std::uint64_t>(n);
  std::string pattern = "*";
  std::string type;
  for (std::size_t i = 2; i < a.size(); i += 2) {
    const std::string opt = Lower(a[i]);
    if (i + 1 >= a.size()) Fail(kSyntaxError);
    if (opt == "match") {
      pattern = a[i + 1];
    } else if (opt == "count") {
      if (ParseInt(a[i + 1]) < 1) Fail(kSyntaxError);
    } else if (opt == "type") {
      type = Lower(a[i + 1]);
    } else {
      Fail(kSyntaxError);
    }
  }
  std::vector<RedisReply> keys;
  if (cursor == 0) keys = MatchingKeys(c.db, pattern, type.empty() ? nullptr : type.c_str());
  return RedisReply::Array({RedisReply::Bulk("0"), RedisReply::Array(std::move(keys))});
}

RedisReply DbSize(Ctx& c, const Argv&) {
  std::int64_t n = 0;
  for (const auto& [coll, count] : c.db.stats().collections) {
    if (coll != kListItems) n += static_cast<std::int64_t>(count);
  }
  return RedisReply::Integer(n);
}

RedisReply FlushDb(Ctx& c, const Argv& a) {
  if (a.size() > 2 || (a.size() == 2 && !IEquals(a[1], "async") && !IEquals(a[1], "sync"))) {
    Fail(kSyntaxError);
  }
  for (const auto& [coll, count] : c.db.stats().collections) {
    for (const nlohmann::json& doc : c.db.q(coll).run()) {  // any collection name
      auto id = doc.find("_id");
      if (id != doc.end() && id->is_string()) c.db.remove(coll, id->get_ref<const std::string&>());
    }
  }
  return RedisReply::Ok();
}

// ---- TTL ----

std::optional<double> ExpiresAt(const Entry& e) {
  auto it = e.doc->find("_expires_at");
  if (it == e.doc->end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// EXPIRE and friends: `unit_ms` per unit; absolute for EXPIREAT/PEXPIREAT.
RedisReply ExpireGeneric(Ctx& c, const Argv& a, std::int64_t unit_ms, bool absolute) {
  const std::int64_t n = ParseInt(a[2]);
  bool nx = false, xx = false, gt = false, lt = false;
  for (std::size_t i = 3; i < a.size(); ++i) {
    const std::string opt = Lower(a[i]);
    if (opt == "nx") {
      nx = true;
    } else if (opt == "xx") {
      xx = true;
    } else if (opt == "gt") {
      gt = true;
    } else if (opt == "lt") {
      lt = true;
    } else {
      Fail("ERR Unsupported option " + a[i]);
    }
  }
  if (nx && (xx || gt || lt)) {
    Fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) Fail("ERR GT and LT options at the same time are not compatible");
  const std::string cmd = Lower(a[0]);
  if (n > INT64_MAX / unit_ms || n < INT64_MIN / unit_ms) {
    Fail("ERR invalid expire time in '" + cmd + "' command");
  }
  const double now = NowSeconds();
  double at = static_cast<double>(n) * static_cast<double>(unit_ms) / 1000.0;
  if (!absolute) at += now;
  Entry e = Load(c.db, a[1]);
  if (!e.exists()) return RedisReply::Integer(0);
  const std::optional<double> cur = ExpiresAt(e);
  if ((nx && cur) || (xx && !cur) || (gt && (!cur || at <= *cur)) || (lt && cur && at >= *cur)) {
    return RedisReply::Integer(0);
  }
  if (at <= now) {
    DeleteKey(c.db, e);
    return RedisReply::Integer(1);
  }
  (*e.doc)["_expires_at"] = at;
  c.db.put(e.ref.coll, e.ref.id, std::move(*e.doc));
  return RedisReply::Integer(1);
}

RedisReply Expire(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, 1000, false); }
RedisReply PExpire(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, 1, false); }
RedisReply ExpireAt(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, 1000, true); }
RedisReply PExpireAt(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, 1, true); }

// Milliseconds left, -1 without TTL, -2 for a missing key.
std::int64_t MillisLeft(Ctx& c, const std::string& key) {
  Entry e = Load(c.db, key);
  if (!e.exists()) return -2;
  const std::optional<double> at = ExpiresAt(e);
  if (!at) return -1;
  // Whole milliseconds, as Redis keeps them: expire time minus now.
  const auto ms = std::llround(*at * 1000.0) - static_cast<std::int64_t>(NowSeconds() * 1000.0);
  return ms < 0 ? 0 : ms;
}

RedisReply Ttl(Ctx& c, const Argv& a) {
  const std::int64_t ms = MillisLeft(c, a[1]);
  return RedisReply::Integer(ms < 0 ? ms : (ms + 500) / 1000);
}

RedisReply PTtl(Ctx& c, const Argv& a) { return RedisReply::Integer(MillisLeft(c, a[1])); }

RedisReply Persist(Ctx& c, const Argv& a) {
  Entry e = Load(c.db, a[1]);
  if (!e.exists() || e.doc->erase("_expires_at") == 0) return RedisReply::Integer(0);
  c.db.put(e.ref.coll, e.ref.id, std::move(*e.doc));
  return RedisReply::Integer(1);
}

}  // namespace

void AddKeyCommands(std::vector<CommandSpec>* out) {
  const char* g = "generic";
  out->insert(
      out->end(),
      {
          {"del", -2, kWrite, Del, g, "Deletes one or more keys", 1, -1, 1},
          {"unlink", -2, kWrite, Del, g, "Deletes one or more keys (same as DEL)", 1, -1, 1},
          {"exists", -2, kReadOnly, Exists, g, "Determines whether one or more keys exist", 1, -1,
           1},
          {"type", 2, kReadOnly, Type, g, "Determines the type of value stored at a key", 1, 1, 1},
          {"rename", 3, kWrite, Rename, g, "Renames a key and overwrites the destination", 1, 2, 1},
          {"renamenx", 3, kWrite, RenameNx, g,
           "Renames a key only when the target key name does not exist", 1, 2, 1},
          {"keys", 2, kReadOnly, Keys, g, "Returns all key names that match a pattern", 0, 0, 0},
          {"scan", -2, kReadOnly, Scan, g, "Iterates over the key names in the database (one call)",
           0, 0, 0},
          {"dbsize", 1, kReadOnly, DbSize, "server", "Returns the number of keys in the database",
           0, 0, 0},
          {"flushdb", -1, kWrite, FlushDb, "server", "Removes all keys from the current database",
           0, 0, 0},
          {"expire", -3, kWrite, Expire, g, "Sets the expiration time of a key in seconds", 1, 1,
           1},
          {"pexpire", -3, kWrite, PExpire, g, "Sets the expiration time of a key in milliseconds",
           1, 1, 1},
          {"expireat", -3, kWrite, ExpireAt, g,
           "Sets the expiration time of a key to a Unix timestamp", 1, 1, 1},
          {"pexpireat", -3, kWrite, PExpireAt, g,
           "Sets the expiration time of a key to a Unix milliseconds timestamp", 1, 1, 1},
          {"ttl", 2, kReadOnly, Ttl, g, "Returns the expiration time in seconds of a key", 1, 1, 1},
          {"pttl", 2, kReadOnly, PTtl, g, "Returns the expiration time in milliseconds of a key", 1,
           1, 1},
          {"persist", 2, kWrite, Persist, g, "Removes the expiration time of a key", 1, 1, 1},
      });
}

}  // namespace nedb::redis
