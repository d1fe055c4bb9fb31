// SPDX-License-Identifier: Apache-2.0
// List commands: LPUSH RPUSH LPUSHX RPUSHX LRANGE LLEN LINDEX LSET LPOP RPOP.
// A list is a header document {"list": uid, "head": h, "len": n} at the key
// and one document per element in kv_items (docs/RESP.md), so a push or a
// pop writes O(1) documents however long the list is.
#include "redis/internal.h"

namespace nedb::redis {

namespace {

RedisReply Push(Ctx& c, const Argv& a, bool left, bool only_existing) {
  const TextEntry e = LoadTextAs(c.db, a[1], KeyType::kList);
  if (!e.exists() && only_existing) return RedisReply::Integer(0);
  ListHeader h;
  if (e.exists()) {
    h = ListHeaderOfText(*e.text);
  } else {
    h.uid = NewListUid(c.db);
  }
  for (std::size_t i = 2; i < a.size(); ++i) {
    if (left) {
      --h.head;
      ++h.len;
      ListPut(c.db, h, 0, a[i]);
    } else {
      ListPut(c.db, h, h.len, a[i]);
      ++h.len;
    }
  }
  PutListHeader(c.db, e, h);
  return RedisReply::Integer(h.len);
}

RedisReply LPush(Ctx& c, const Argv& a) { return Push(c, a, true, false); }
RedisReply RPush(Ctx& c, const Argv& a) { return Push(c, a, false, false); }
RedisReply LPushX(Ctx& c, const Argv& a) { return Push(c, a, true, true); }
RedisReply RPushX(Ctx& c, const Argv& a) { return Push(c, a, false, true); }

RedisReply LLen(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  return RedisReply::Integer(e.exists() ? GetListHeader(*e.doc).len : 0);
}

RedisReply LRange(Ctx& c, const Argv& a) {
  std::int64_t start = ParseInt(a[2]), stop = ParseInt(a[3]);
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  std::vector<RedisReply> out;
  if (!e.exists()) return RedisReply::Array({});
  const ListHeader h = GetListHeader(*e.doc);
  if (start < 0) start = h.len + start;
  if (stop < 0) stop = h.len + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= h.len) return RedisReply::Array({});
  if (stop >= h.len) stop = h.len - 1;
  out.reserve(static_cast<std::size_t>(stop - start + 1));
  for (std::int64_t i = start; i <= stop; ++i) out.push_back(RedisReply::Bulk(ListGet(c.db, h, i)));
  return RedisReply::Array(std::move(out));
}

RedisReply LIndex(Ctx& c, const Argv& a) {
  std::int64_t index = ParseInt(a[2]);
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) return RedisReply::Nil();
  const ListHeader h = GetListHeader(*e.doc);
  if (index < 0) index += h.len;
  if (index < 0 || index >= h.len) return RedisReply::Nil();
  return RedisReply::Bulk(ListGet(c.db, h, index));
}

RedisReply LSet(Ctx& c, const Argv& a) {
  std::int64_t index = ParseInt(a[2]);
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) Fail("ERR no such key");
  const ListHeader h = GetListHeader(*e.doc);
  if (index < 0) index += h.len;
  if (index < 0 || index >= h.len) Fail("ERR index out of range");
  ListPut(c.db, h, index, a[3]);
  return RedisReply::Ok();
}

RedisReply Pop(Ctx& c, const Argv& a, bool left) {
  if (a.size() > 3) Fail("ERR wrong number of arguments for '" + Lower(a[0]) + "' command");
  std::int64_t count = 1;
  const bool with_count = a.size() == 3;
  if (with_count) count = ParseInt(a[2], "ERR value is out of range, must be positive");
  if (count < 0) Fail("ERR value is out of range, must be positive");
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) return with_count ? RedisReply::NilArray() : RedisReply::Nil();
  ListHeader h = GetListHeader(*e.doc);
  std::vector<RedisReply> out;
  for (std::int64_t i = 0; i < count && h.len > 0; ++i) {
    const std::int64_t index = left ? 0 : h.len - 1;
    out.push_back(RedisReply::Bulk(ListGet(c.db, h, index)));
    ListRemoveItem(c.db, h, index);
    if (left) ++h.head;
    --h.len;
  }
  if (!out.empty()) {
    if (h.len == 0) {
      c.db.remove(e.ref.coll, e.ref.id);
    } else {
      SetListHeader(*e.doc, h);
      Store(c.db, e, KeyType::kList);
    }
  }
  if (!with_count) return std::move(out[0]);
  return RedisReply::Array(std::move(out));
}

RedisReply LPop(Ctx& c, const Argv& a) { return Pop(c, a, true); }
RedisReply RPop(Ctx& c, const Argv& a) { return Pop(c, a, false); }

}  // namespace

void AddListCommands(std::vector<CommandSpec>* out) {
  const char* g = "list";
  out->insert(
      out->end(),
      {
          {"lpush", -3, kWrite, LPush, g, "Prepends one or more elements to a list", 1, 1, 1},
          {"rpush", -3, kWrite, RPush, g, "Appends one or more elements to a list", 1, 1, 1},
          {"lpushx", -3, kWrite, LPushX, g,
           "Prepends one or more elements to a list only when the list exists", 1, 1, 1},
          {"rpushx", -3, kWrite, RPushX, g,
           "Appends one or more elements to a list only when the list exists", 1, 1, 1},
          {"llen", 2, kReadOnly, LLen, g, "Returns the length of a list", 1, 1, 1},
          {"lrange", 4, kReadOnly, LRange, g, "Returns a range of elements from a list", 1, 1, 1},
          {"lindex", 3, kReadOnly, LIndex, g, "Returns an element from a list by its index", 1, 1,
           1},
          {"lset", 4, kWrite, LSet, g, "Sets the value of an element in a list by its index", 1, 1,
           1},
          {"lpop", -2, kWrite, LPop, g, "Returns the first elements in a list after removing it", 1,
           1, 1},
          {"rpop", -2, kWrite, RPop, g, "Returns and removes the last elements of the list", 1, 1,
           1},
      });
}

}  // namespace nedb::redis
