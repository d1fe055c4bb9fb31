// SPDX-License-Identifier: Apache-2.0
// String commands: SET GET MSET MGET SETNX SETEX PSETEX GETSET GETDEL APPEND
// STRLEN INCR INCRBY DECR DECRBY.
#include <cmath>

#include "redis/internal.h"

namespace nedb::redis {

namespace {

RedisReply OldValue(const TextEntry& e) {
  if (!e.exists()) return RedisReply::Nil();
  if (e.type != KeyType::kString) Fail(kWrongType);
  return RedisReply::Bulk(StringValueOf(*e.text));
}

// The TTL in seconds for an expiry given as an amount (unit_ms ms per unit)
// or an absolute time; nullopt: already expired.
std::optional<double> TtlFor(const std::string& arg, std::int64_t unit_ms, bool absolute,
                             const char* cmd) {
  const std::int64_t n = ParseInt(arg);
  const std::string invalid = std::string("ERR invalid expire time in '") + cmd + "' command";
  if (n <= 0 || n > INT64_MAX / unit_ms) Fail(invalid);
  double ms = static_cast<double>(n) * static_cast<double>(unit_ms);
  if (absolute) ms -= NowSeconds() * 1000.0;
  if (ms <= 0) return std::nullopt;
  return ms / 1000.0;
}

RedisReply Set(Ctx& c, const Argv& a) {
  bool nx = false, xx = false, get = false, keep = false;
  const std::string* expire = nullptr;
  std::int64_t unit = 0;
  bool absolute = false;
  for (std::size_t i = 3; i < a.size(); ++i) {
    const std::string opt = Lower(a[i]);
    const bool has_next = i + 1 < a.size();
    if (opt == "nx" && !xx) {
      nx = true;
    } else if (opt == "xx" && !nx) {
      xx = true;
    } else if (opt == "get") {
      get = true;
    } else if (opt == "keepttl" && !expire) {
      keep = true;
    } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && !keep && !expire &&
               has_next) {
      expire = &a[++i];
      unit = (opt == "ex" || opt == "exat") ? 1000 : 1;
      absolute = opt == "exat" || opt == "pxat";
    } else {
      Fail(kSyntaxError);
    }
  }
  std::optional<double> ttl;
  bool expired = false;
  if (expire) {
    ttl = TtlFor(*expire, unit, absolute, "set");
    expired = !ttl;
  }
  TextEntry e = LoadText(c.db, a[1]);
  RedisReply old = get ? OldValue(e) : RedisReply::Nil();
  if ((nx && e.exists()) || (xx && !e.exists())) return get ? old : RedisReply::Nil();
  if (expired) {
    DeleteKey(c.db, ToEntry(e));
  } else {
    PutString(c.db, e, a[2], ttl, keep);
  }
  return get ? old : RedisReply::Ok();
}

RedisReply SetNx(Ctx& c, const Argv& a) {
  TextEntry e = LoadText(c.db, a[1]);
  if (e.exists()) return RedisReply::Integer(0);
  PutString(c.db, e, a[2], std::nullopt, false);
  return RedisReply::Integer(1);
}

RedisReply SetExGeneric(Ctx& c, const Argv& a, std::int64_t unit, const char* cmd) {
  std::optional<double> ttl = TtlFor(a[2], unit, false, cmd);
  TextEntry e = LoadText(c.db, a[1]);
  PutString(c.db, e, a[3], ttl, false);
  return RedisReply::Ok();
}

RedisReply SetEx(Ctx& c, const Argv& a) { return SetExGeneric(c, a, 1000, "setex"); }
RedisReply PSetEx(Ctx& c, const Argv& a) { return SetExGeneric(c, a, 1, "psetex"); }

RedisReply Get(Ctx& c, const Argv& a) { return OldValue(LoadText(c.db, a[1])); }

RedisReply GetSet(Ctx& c, const Argv& a) {
  TextEntry e = LoadText(c.db, a[1]);
  RedisReply old = OldValue(e);
  PutString(c.db, e, a[2], std::nullopt, false);
  return old;
}

RedisReply GetDel(Ctx& c, const Argv& a) {
  TextEntry e = LoadText(c.db, a[1]);
  RedisReply old = OldValue(e);
  if (e.exists()) DeleteKey(c.db, ToEntry(e));
  return old;
}

RedisReply MSet(Ctx& c, const Argv& a) {
  if (a.size() % 2 == 0) Fail("ERR wrong number of arguments for '" + Lower(a[0]) + "' command");
  for (std::size_t i = 1; i < a.size(); i += 2) {
    PutString(c.db, LoadText(c.db, a[i]), a[i + 1], std::nullopt, false);
  }
  return RedisReply::Ok();
}

RedisReply MGet(Ctx& c, const Argv& a) {
  std::vector<RedisReply> out;
  out.reserve(a.size() - 1);
  for (std::size_t i = 1; i < a.size(); ++i) {
    const TextEntry e = LoadText(c.db, a[i]);
    out.push_back(e.type == KeyType::kString ? RedisReply::Bulk(StringValueOf(*e.text))
                                             : RedisReply::Nil());
  }
  return RedisReply::Array(std::move(out));
}

RedisReply Append(Ctx& c, const Argv& a) {
  TextEntry e = LoadTextAs(c.db, a[1], KeyType::kString);
  std::string v = e.exists() ? StringValueOf(*e.text) : std::string();
  v += a[2];
  PutString(c.db, e, v, std::nullopt, /*keep_ttl=*/true);
  return RedisReply::Integer(static_cast<std::int64_t>(v.size()));
}

RedisReply StrLen(Ctx& c, const Argv& a) {
  TextEntry e = LoadTextAs(c.db, a[1], KeyType::kString);
  return RedisReply::Integer(e.exists() ? static_cast<std::int64_t>(StringValueOf(*e.text).size())
                                        : 0);
}

RedisReply IncrBy(Ctx& c, const std::string& key, std::int64_t by) {
  TextEntry e = LoadTextAs(c.db, key, KeyType::kString);
  std::int64_t v = 0;
  if (e.exists()) v = ParseInt(StringValueOf(*e.text));
  if ((by < 0 && v < 0 && by < INT64_MIN - v) || (by > 0 && v > 0 && by > INT64_MAX - v)) {
    Fail(kOverflow);
  }
  v += by;
  PutString(c.db, e, std::to_string(v), std::nullopt, /*keep_ttl=*/true);
  return RedisReply::Integer(v);
}

RedisReply Incr(Ctx& c, const Argv& a) { return IncrBy(c, a[1], 1); }
RedisReply Decr(Ctx& c, const Argv& a) { return IncrBy(c, a[1], -1); }
RedisReply IncrByCmd(Ctx& c, const Argv& a) { return IncrBy(c, a[1], ParseInt(a[2])); }
RedisReply DecrByCmd(Ctx& c, const Argv& a) {
  const std::int64_t by = ParseInt(a[2]);
  if (by == INT64_MIN) Fail("ERR decrement would overflow");
  return IncrBy(c, a[1], -by);
}

}  // namespace

void AddStringCommands(std::vector<CommandSpec>* out) {
  const char* g = "string";
  out->insert(
      out->end(),
      {
          {"set", -3, kWrite, Set, g,
           "Sets the string value of a key, with NX|XX|GET|EX|PX|EXAT|PXAT|KEEPTTL", 1, 1, 1},
          {"setnx", 3, kWrite, SetNx, g, "Sets the value of a key only when it does not exist", 1,
           1, 1},
          {"setex", 4, kWrite, SetEx, g, "Sets the value and expiration in seconds of a key", 1, 1,
           1},
          {"psetex", 4, kWrite, PSetEx, g, "Sets the value and expiration in milliseconds of a key",
           1, 1, 1},
          {"get", 2, kReadOnly, Get, g, "Returns the string value of a key", 1, 1, 1},
          {"getset", 3, kWrite, GetSet, g,
           "Returns the previous string value of a key after setting it", 1, 1, 1},
          {"getdel", 2, kWrite, GetDel, g,
           "Returns the string value of a key after deleting the key", 1, 1, 1},
          {"mset", -3, kWrite, MSet, g, "Atomically sets the string values of one or more keys", 1,
           -1, 2},
          {"mget", -2, kReadOnly, MGet, g,
           "Atomically returns the string values of one or more keys", 1, -1, 1},
          {"append", 3, kWrite, Append, g, "Appends a string to the value of a key", 1, 1, 1},
          {"strlen", 2, kReadOnly, StrLen, g, "Returns the length of a string value", 1, 1, 1},
          {"incr", 2, kWrite, Incr, g, "Increments the integer value of a key by one", 1, 1, 1},
          {"decr", 2, kWrite, Decr, g, "Decrements the integer value of a key by one", 1, 1, 1},
          {"incrby", 3, kWrite, IncrByCmd, g, "Increments the integer value of a key by a number",
           1, 1, 1},
          {"decrby", 3, kWrite, DecrByCmd, g, "Decrements a number from the integer value of a key",
           1, 1, 1},
      });
}

}  // namespace nedb::redis
