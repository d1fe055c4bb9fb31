// SPDX-License-Identifier: Apache-2.0
// Generic key commands: DEL UNLINK EXISTS TOUCH TYPE RENAME RENAMENX KEYS
// DBSIZE FLUSHDB FLUSHALL, and TTL: EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST.
#include "redis/internal.h"
#include "redis/session.h"

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

RedisReply Touch(Ctx& c, const Argv& a) { return Exists(c, a); }

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

RedisReply DbSize(Ctx& c, const Argv&) {
  std::int64_t n = 0;
  for (const auto& [coll, count] : c.db.stats().collections) {
    if (coll != kListItems) n += static_cast<std::int64_t>(count);
  }
  return RedisReply::Integer(n);
}

bool FlushArgsOk(const Argv& a) {
  return a.size() == 1 || (a.size() == 2 && (IEquals(a[1], "async") || IEquals(a[1], "sync")));
}

RedisReply FlushDb(Ctx& c, const Argv& a) {
  if (!FlushArgsOk(a)) Fail(kSyntaxError);
  FlushDatabase(c.db);
  return RedisReply::Ok();
}

// Every database the session can SELECT, each emptied inside its own
// atomic() (never two write locks at once).
RedisReply FlushAll(Ctx& c, const Argv& a) {
  if (!FlushArgsOk(a)) Fail(kSyntaxError);
  c.session.ForEachDatabase([](NEDB& db) { FlushDatabase(db); });
  return RedisReply::Ok();
}

// ---- TTL ----

// EXPIRE and friends (Redis's expireGenericCommand): options first, then
// the time in ms (`seconds`: given in seconds), plus now unless absolute.
RedisReply ExpireGeneric(Ctx& c, const Argv& a, bool seconds, bool absolute) {
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
      Fail("ERR Unsupported option " + std::string(a[i].c_str()));
    }
  }
  if (nx && (xx || gt || lt)) {
    Fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) Fail("ERR GT and LT options at the same time are not compatible");
  std::int64_t when = ParseInt(a[2]);
  const std::string invalid = "ERR invalid expire time in '" + Lower(a[0]) + "' command";
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) Fail(invalid);
    when *= 1000;
  }
  const std::int64_t now = NowMillis();
  const std::int64_t base = absolute ? 0 : now;
  if (when > INT64_MAX - base) Fail(invalid);
  when += base;
  Entry e = Load(c.db, a[1]);
  if (!e.exists()) return RedisReply::Integer(0);
  const std::optional<std::int64_t> cur = ExpiresAtMs(*e.doc);
  if ((nx && cur) || (xx && !cur) || (gt && (!cur || when <= *cur)) ||
      (lt && cur && when >= *cur)) {
    return RedisReply::Integer(0);
  }
  if (when <= now) {
    DeleteKey(c.db, e);
    return RedisReply::Integer(1);
  }
  SetExpiresAtMs(*e.doc, when);
  c.db.put(e.ref.coll, e.ref.id, std::move(*e.doc));
  return RedisReply::Integer(1);
}

RedisReply Expire(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, true, false); }
RedisReply PExpire(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, false, false); }
RedisReply ExpireAt(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, true, true); }
RedisReply PExpireAt(Ctx& c, const Argv& a) { return ExpireGeneric(c, a, false, true); }

// Milliseconds left, -1 without TTL, -2 for a missing key.
std::int64_t MillisLeft(Ctx& c, const std::string& key) {
  const TextEntry e = LoadText(c.db, key);
  if (!e.exists()) return -2;
  const std::optional<std::int64_t> at = ExpiresAtMsOfText(*e.text);
  if (!at) return -1;
  const std::int64_t now = NowMillis();
  return *at <= now ? 0 : *at - now;
}

RedisReply Ttl(Ctx& c, const Argv& a) {
  const std::int64_t ms = MillisLeft(c, a[1]);
  return RedisReply::Integer(ms < 0 ? ms : (ms + 500) / 1000);
}

RedisReply PTtl(Ctx& c, const Argv& a) { return RedisReply::Integer(MillisLeft(c, a[1])); }

RedisReply Persist(Ctx& c, const Argv& a) {
  Entry e = Load(c.db, a[1]);
  if (!e.exists() || !ClearExpiry(*e.doc)) return RedisReply::Integer(0);
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
          {"touch", -2, kReadOnly, Touch, g,
           "Returns the number of existing keys out of those specified (access times are not kept)",
           1, -1, 1},
          {"type", 2, kReadOnly, Type, g, "Determines the type of value stored at a key", 1, 1, 1},
          {"rename", 3, kWrite, Rename, g, "Renames a key and overwrites the destination", 1, 2, 1},
          {"renamenx", 3, kWrite, RenameNx, g,
           "Renames a key only when the target key name does not exist", 1, 2, 1},
          {"keys", 2, kReadOnly, Keys, g, "Returns all key names that match a pattern", 0, 0, 0},
          {"dbsize", 1, kReadOnly, DbSize, "server", "Returns the number of keys in the database",
           0, 0, 0},
          {"flushdb", -1, kWrite, FlushDb, "server", "Removes all keys from the current database",
           0, 0, 0},
          {"flushall", -1, kAllDatabases, FlushAll, "server", "Removes all keys from all databases",
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
