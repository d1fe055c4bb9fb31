// SPDX-License-Identifier: Apache-2.0
// String commands: SET GET GETEX MSET MSETNX MGET SETNX SETEX PSETEX GETSET
// GETDEL APPEND STRLEN INCR INCRBY DECR DECRBY.
#include "redis/internal.h"

namespace nedb::redis {

namespace {

RedisReply OldValue(const TextEntry& e) {
  if (!e.exists()) return RedisReply::Nil();
  if (e.type != KeyType::kString) Fail(kWrongType);
  return RedisReply::Bulk(StringValueOf(*e.text));
}

// Redis's parseExtendedStringArgumentsOrReply for SET (options from
// argv[3]) and GETEX (from argv[2]). An option may repeat (the last value
// counts); conflicting ones are a syntax error.
enum Opt : unsigned {
  kNx = 1,
  kXx = 2,
  kGet = 4,
  kKeepTtl = 8,
  kPersist = 16,
  kEx = 32,
  kPx = 64,
  kExAt = 128,
  kPxAt = 256,
};

struct Extended {
  unsigned flags = 0;
  const std::string* expire = nullptr;
  bool has(unsigned f) const { return (flags & f) != 0; }
};

Extended ParseExtended(const Argv& a, bool set) {
  Extended x;
  constexpr unsigned kAnyExpire = kEx | kPx | kExAt | kPxAt;
  for (std::size_t i = set ? 3 : 2; i < a.size(); ++i) {
    const std::string opt = Lower(a[i]);
    const bool next = i + 1 < a.size();
    const unsigned f = x.flags;
    unsigned add = 0;
    if (opt == "nx" && set && !(f & kXx)) {
      add = kNx;
    } else if (opt == "xx" && set && !(f & kNx)) {
      add = kXx;
    } else if (opt == "get" && set) {
      add = kGet;
    } else if (opt == "keepttl" && set && !(f & (kPersist | kAnyExpire))) {
      add = kKeepTtl;
    } else if (opt == "persist" && !set && !(f & (kKeepTtl | kAnyExpire))) {
      add = kPersist;
    } else if (next && !(f & (kKeepTtl | kPersist))) {
      if (opt == "ex" && !(f & (kAnyExpire & ~kEx))) add = kEx;
      if (opt == "px" && !(f & (kAnyExpire & ~kPx))) add = kPx;
      if (opt == "exat" && !(f & (kAnyExpire & ~kExAt))) add = kExAt;
      if (opt == "pxat" && !(f & (kAnyExpire & ~kPxAt))) add = kPxAt;
      if (add) x.expire = &a[++i];
    }
    if (!add) Fail(kSyntaxError);
    x.flags |= add;
  }
  return x;
}

// The absolute expiry the options ask for, validated as Redis does.
std::optional<std::int64_t> ExpiryOf(const Extended& x, const char* cmd) {
  if (!x.expire) return std::nullopt;
  return ExpireArgMs(*x.expire, x.has(kEx) || x.has(kExAt), x.has(kEx) || x.has(kPx), cmd);
}

RedisReply Set(Ctx& c, const Argv& a) {
  const Extended x = ParseExtended(a, true);
  const std::optional<std::int64_t> at = ExpiryOf(x, "set");
  const bool get = x.has(kGet);
  TextEntry e = LoadText(c.db, a[1]);
  RedisReply old = get ? OldValue(e) : RedisReply::Nil();
  if ((x.has(kNx) && e.exists()) || (x.has(kXx) && !e.exists())) {
    return get ? old : RedisReply::Nil();
  }
  if (at && *at <= NowMillis()) {  // EXAT/PXAT in the past: set, and gone at once
    DeleteKey(c.db, ToEntry(e));
  } else {
    PutString(c.db, e, a[2], at, x.has(kKeepTtl));
  }
  return get ? old : RedisReply::Ok();
}

RedisReply SetNx(Ctx& c, const Argv& a) {
  TextEntry e = LoadText(c.db, a[1]);
  if (e.exists()) return RedisReply::Integer(0);
  PutString(c.db, e, a[2], std::nullopt, false);
  return RedisReply::Integer(1);
}

RedisReply SetExGeneric(Ctx& c, const Argv& a, bool seconds, const char* cmd) {
  const std::int64_t at = ExpireArgMs(a[2], seconds, /*relative=*/true, cmd);
  TextEntry e = LoadText(c.db, a[1]);
  PutString(c.db, e, a[3], at, false);
  return RedisReply::Ok();
}

RedisReply SetEx(Ctx& c, const Argv& a) { return SetExGeneric(c, a, true, "setex"); }
RedisReply PSetEx(Ctx& c, const Argv& a) { return SetExGeneric(c, a, false, "psetex"); }

// GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST]
RedisReply GetEx(Ctx& c, const Argv& a) {
  const Extended x = ParseExtended(a, false);
  TextEntry e = LoadText(c.db, a[1]);
  if (!e.exists()) return RedisReply::Nil();
  if (e.type != KeyType::kString) Fail(kWrongType);
  const std::optional<std::int64_t> at = ExpiryOf(x, "getex");
  const std::string value = StringValueOf(*e.text);
  if (at && *at <= NowMillis()) {
    DeleteKey(c.db, ToEntry(e));
  } else if (at) {
    PutString(c.db, e, value, at, false);
  } else if (x.has(kPersist) && ExpiresAtMsOfText(*e.text)) {
    PutString(c.db, e, value, std::nullopt, false);
  }
  return RedisReply::Bulk(value);
}

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

RedisReply MSetNx(Ctx& c, const Argv& a) {
  if (a.size() % 2 == 0) Fail("ERR wrong number of arguments for 'msetnx' command");
  for (std::size_t i = 1; i < a.size(); i += 2) {
    if (LoadText(c.db, a[i]).exists()) return RedisReply::Integer(0);
  }
  for (std::size_t i = 1; i < a.size(); i += 2) {
    // A key named twice: the later value wins (the first put is the entry's).
    PutString(c.db, LoadText(c.db, a[i]), a[i + 1], std::nullopt, false);
  }
  return RedisReply::Integer(1);
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
          {"msetnx", -3, kWrite, MSetNx, g,
           "Atomically sets the string values of one or more keys only when all keys don't exist",
           1, -1, 2},
          {"getex", -2, kWrite, GetEx, g,
           "Returns the string value of a key after setting its expiration time", 1, 1, 1},
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
