// SPDX-License-Identifier: Apache-2.0
// Hash commands: HSET HMSET HSETNX HGET HMGET HGETALL HDEL HEXISTS HKEYS
// HVALS HLEN HSTRLEN HINCRBY. A hash is a document whose fields are the
// hash's fields (docs/RESP.md), so NQL can query it.
#include "redis/internal.h"

namespace nedb::redis {

namespace {

std::int64_t SetFields(Ctx& c, const Argv& a) {
  if (a.size() % 2 != 0) Fail("ERR wrong number of arguments for '" + Lower(a[0]) + "' command");
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (!e.exists()) e.doc = nlohmann::json::object();
  std::int64_t added = 0;
  for (std::size_t i = 2; i < a.size(); i += 2) added += HashSet(*e.doc, a[i], a[i + 1]) ? 1 : 0;
  Store(c.db, e, KeyType::kHash);
  return added;
}

RedisReply HSet(Ctx& c, const Argv& a) { return RedisReply::Integer(SetFields(c, a)); }

RedisReply HMSet(Ctx& c, const Argv& a) {
  SetFields(c, a);
  return RedisReply::Ok();
}

RedisReply HSetNx(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (e.exists() && HashGet(*e.doc, a[2])) return RedisReply::Integer(0);
  if (!e.exists()) e.doc = nlohmann::json::object();
  HashSet(*e.doc, a[2], a[3]);
  Store(c.db, e, KeyType::kHash);
  return RedisReply::Integer(1);
}

RedisReply HGet(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (!e.exists()) return RedisReply::Nil();
  std::optional<std::string> v = HashGet(*e.doc, a[2]);
  return v ? RedisReply::Bulk(std::move(*v)) : RedisReply::Nil();
}

RedisReply HMGet(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  std::vector<RedisReply> out;
  for (std::size_t i = 2; i < a.size(); ++i) {
    std::optional<std::string> v;
    if (e.exists()) v = HashGet(*e.doc, a[i]);
    out.push_back(v ? RedisReply::Bulk(std::move(*v)) : RedisReply::Nil());
  }
  return RedisReply::Array(std::move(out));
}

// HGETALL, HKEYS, HVALS.
RedisReply Listing(Ctx& c, const Argv& a, bool keys, bool values) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  std::vector<RedisReply> out;
  if (e.exists()) {
    for (auto& [f, v] : HashFields(*e.doc)) {
      if (keys) out.push_back(RedisReply::Bulk(std::move(f)));
      if (values) out.push_back(RedisReply::Bulk(std::move(v)));
    }
  }
  return RedisReply::Array(std::move(out));
}

RedisReply HGetAll(Ctx& c, const Argv& a) { return Listing(c, a, true, true); }
RedisReply HKeys(Ctx& c, const Argv& a) { return Listing(c, a, true, false); }
RedisReply HVals(Ctx& c, const Argv& a) { return Listing(c, a, false, true); }

RedisReply HDel(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (!e.exists()) return RedisReply::Integer(0);
  std::int64_t n = 0;
  for (std::size_t i = 2; i < a.size(); ++i) n += HashDel(*e.doc, a[i]) ? 1 : 0;
  if (n == 0) return RedisReply::Integer(0);
  if (HashFields(*e.doc).empty()) {
    c.db.remove(e.ref.coll, e.ref.id);  // Redis deletes an emptied hash
  } else {
    Store(c.db, e, KeyType::kHash);
  }
  return RedisReply::Integer(n);
}

RedisReply HExists(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  return RedisReply::Integer(e.exists() && HashGet(*e.doc, a[2]) ? 1 : 0);
}

RedisReply HLen(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  return RedisReply::Integer(e.exists() ? static_cast<std::int64_t>(HashFields(*e.doc).size()) : 0);
}

RedisReply HStrLen(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  std::optional<std::string> v;
  if (e.exists()) v = HashGet(*e.doc, a[2]);
  return RedisReply::Integer(v ? static_cast<std::int64_t>(v->size()) : 0);
}

RedisReply HIncrBy(Ctx& c, const Argv& a) {
  const std::int64_t by = ParseInt(a[3]);
  Entry e = LoadAs(c.db, a[1], KeyType::kHash);
  if (!e.exists()) e.doc = nlohmann::json::object();
  std::int64_t v = 0;
  if (std::optional<std::string> cur = HashGet(*e.doc, a[2])) {
    v = ParseInt(*cur, "ERR hash value is not an integer");
  }
  if ((by < 0 && v < 0 && by < INT64_MIN - v) || (by > 0 && v > 0 && by > INT64_MAX - v)) {
    Fail(kOverflow);
  }
  v += by;
  HashSet(*e.doc, a[2], std::to_string(v));
  Store(c.db, e, KeyType::kHash);
  return RedisReply::Integer(v);
}

}  // namespace

void AddHashCommands(std::vector<CommandSpec>* out) {
  const char* g = "hash";
  out->insert(
      out->end(),
      {
          {"hset", -4, kWrite, HSet, g, "Creates or modifies the value of a field in a hash", 1, 1,
           1},
          {"hmset", -4, kWrite, HMSet, g, "Sets the values of multiple fields", 1, 1, 1},
          {"hsetnx", 4, kWrite, HSetNx, g,
           "Sets the value of a field in a hash only when the field doesn't exist", 1, 1, 1},
          {"hget", 3, kReadOnly, HGet, g, "Returns the value of a field in a hash", 1, 1, 1},
          {"hmget", -3, kReadOnly, HMGet, g, "Returns the values of all fields in a hash", 1, 1, 1},
          {"hgetall", 2, kReadOnly, HGetAll, g, "Returns all fields and values in a hash", 1, 1, 1},
          {"hkeys", 2, kReadOnly, HKeys, g, "Returns all fields in a hash", 1, 1, 1},
          {"hvals", 2, kReadOnly, HVals, g, "Returns all values in a hash", 1, 1, 1},
          {"hdel", -3, kWrite, HDel, g, "Deletes one or more fields and their values from a hash",
           1, 1, 1},
          {"hexists", 3, kReadOnly, HExists, g, "Determines whether a field exists in a hash", 1, 1,
           1},
          {"hlen", 2, kReadOnly, HLen, g, "Returns the number of fields in a hash", 1, 1, 1},
          {"hstrlen", 3, kReadOnly, HStrLen, g, "Returns the length of the value of a field", 1, 1,
           1},
          {"hincrby", 4, kWrite, HIncrBy, g,
           "Increments the integer value of a field in a hash by a number", 1, 1, 1},
      });
}

}  // namespace nedb::redis
