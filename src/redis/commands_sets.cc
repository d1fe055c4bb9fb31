// SPDX-License-Identifier: Apache-2.0
// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SUNION SINTER
// SDIFF. A set is one document with a sorted "members" array.
#include <algorithm>
#include <iterator>

#include "redis/internal.h"

namespace nedb::redis {

namespace {

std::vector<std::string> Members(Ctx& c, const std::string& key, bool* exists = nullptr) {
  Entry e = LoadAs(c.db, key, KeyType::kSet);
  if (exists) *exists = e.exists();
  return e.exists() ? SetMembers(*e.doc) : std::vector<std::string>{};
}

RedisReply Bulks(std::vector<std::string> v) {
  std::vector<RedisReply> out;
  out.reserve(v.size());
  for (std::string& s : v) out.push_back(RedisReply::Bulk(std::move(s)));
  return RedisReply::Array(std::move(out));
}

RedisReply SAdd(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kSet);
  std::vector<std::string> m = e.exists() ? SetMembers(*e.doc) : std::vector<std::string>{};
  const std::size_t before = m.size();
  std::vector<std::string> add(a.begin() + 2, a.end());
  std::sort(add.begin(), add.end());
  std::vector<std::string> merged;
  merged.reserve(m.size() + add.size());
  std::set_union(m.begin(), m.end(), add.begin(), add.end(), std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  const std::int64_t added = static_cast<std::int64_t>(merged.size() - before);
  if (added == 0) return RedisReply::Integer(0);
  if (!e.exists()) e.doc = nlohmann::json::object();
  SetSetMembers(*e.doc, merged);
  Store(c.db, e, KeyType::kSet);
  return RedisReply::Integer(added);
}

RedisReply SRem(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kSet);
  if (!e.exists()) return RedisReply::Integer(0);
  std::vector<std::string> m = SetMembers(*e.doc);
  const std::size_t before = m.size();
  for (std::size_t i = 2; i < a.size(); ++i) {
    auto it = std::lower_bound(m.begin(), m.end(), a[i]);
    if (it != m.end() && *it == a[i]) m.erase(it);
  }
  const std::int64_t removed = static_cast<std::int64_t>(before - m.size());
  if (removed == 0) return RedisReply::Integer(0);
  if (m.empty()) {
    c.db.remove(e.ref.coll, e.ref.id);
  } else {
    SetSetMembers(*e.doc, m);
    Store(c.db, e, KeyType::kSet);
  }
  return RedisReply::Integer(removed);
}

RedisReply SMembers(Ctx& c, const Argv& a) { return Bulks(Members(c, a[1])); }

RedisReply SIsMember(Ctx& c, const Argv& a) {
  const std::vector<std::string> m = Members(c, a[1]);
  return RedisReply::Integer(std::binary_search(m.begin(), m.end(), a[2]) ? 1 : 0);
}

RedisReply SMIsMember(Ctx& c, const Argv& a) {
  const std::vector<std::string> m = Members(c, a[1]);
  std::vector<RedisReply> out;
  for (std::size_t i = 2; i < a.size(); ++i) {
    out.push_back(RedisReply::Integer(std::binary_search(m.begin(), m.end(), a[i]) ? 1 : 0));
  }
  return RedisReply::Array(std::move(out));
}

RedisReply SCard(Ctx& c, const Argv& a) {
  return RedisReply::Integer(static_cast<std::int64_t>(Members(c, a[1]).size()));
}

enum class Op { kUnion, kInter, kDiff };

RedisReply Combine(Ctx& c, const Argv& a, Op op) {
  // Every key is type-checked first, as Redis does.
  std::vector<std::vector<std::string>> sets;
  for (std::size_t i = 1; i < a.size(); ++i) sets.push_back(Members(c, a[i]));
  std::vector<std::string> acc = std::move(sets[0]);
  for (std::size_t i = 1; i < sets.size(); ++i) {
    std::vector<std::string> next;
    const auto& s = sets[i];
    if (op == Op::kUnion) {
      std::set_union(acc.begin(), acc.end(), s.begin(), s.end(), std::back_inserter(next));
    } else if (op == Op::kInter) {
      std::set_intersection(acc.begin(), acc.end(), s.begin(), s.end(), std::back_inserter(next));
    } else {
      std::set_difference(acc.begin(), acc.end(), s.begin(), s.end(), std::back_inserter(next));
    }
    acc = std::move(next);
  }
  return Bulks(std::move(acc));
}

RedisReply SUnion(Ctx& c, const Argv& a) { return Combine(c, a, Op::kUnion); }
RedisReply SInter(Ctx& c, const Argv& a) { return Combine(c, a, Op::kInter); }
RedisReply SDiff(Ctx& c, const Argv& a) { return Combine(c, a, Op::kDiff); }

}  // namespace

void AddSetCommands(std::vector<CommandSpec>* out) {
  const char* g = "set";
  out->insert(
      out->end(),
      {
          {"sadd", -3, kWrite, SAdd, g, "Adds one or more members to a set", 1, 1, 1},
          {"srem", -3, kWrite, SRem, g, "Removes one or more members from a set", 1, 1, 1},
          {"smembers", 2, kReadOnly, SMembers, g, "Returns all members of a set", 1, 1, 1},
          {"sismember", 3, kReadOnly, SIsMember, g, "Determines whether a member belongs to a set",
           1, 1, 1},
          {"smismember", -3, kReadOnly, SMIsMember, g,
           "Determines whether multiple members belong to a set", 1, 1, 1},
          {"scard", 2, kReadOnly, SCard, g, "Returns the number of members in a set", 1, 1, 1},
          {"sunion", -2, kReadOnly, SUnion, g, "Returns the union of multiple sets", 1, -1, 1},
          {"sinter", -2, kReadOnly, SInter, g, "Returns the intersect of multiple sets", 1, -1, 1},
          {"sdiff", -2, kReadOnly, SDiff, g, "Returns the difference of multiple sets", 1, -1, 1},
      });
}

}  // namespace nedb::redis
