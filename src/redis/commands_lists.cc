// SPDX-License-Identifier: Apache-2.0
// List commands: LPUSH RPUSH LPUSHX RPUSHX LRANGE LLEN LINDEX LSET LPOP RPOP
// LTRIM LREM.
// A list is a header document {"list": uid, "head": h, "len": n} at the key
// and one document per element in kv_items (docs/RESP.md), so a push or a
// pop writes O(1) documents however long the list is.
#include <algorithm>

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

// The key before the index, as Redis reads them.
RedisReply LIndex(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) return RedisReply::Nil();
  std::int64_t index = ParseInt(a[2]);
  const ListHeader h = GetListHeader(*e.doc);
  if (index < 0) index += h.len;
  if (index < 0 || index >= h.len) return RedisReply::Nil();
  return RedisReply::Bulk(ListGet(c.db, h, index));
}

RedisReply LSet(Ctx& c, const Argv& a) {
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) Fail("ERR no such key");
  std::int64_t index = ParseInt(a[2]);
  const ListHeader h = GetListHeader(*e.doc);
  if (index < 0) index += h.len;
  if (index < 0 || index >= h.len) Fail("ERR index out of range");
  ListPut(c.db, h, index, a[3]);
  return RedisReply::Ok();
}

// Writes e's list header h, or deletes the key when h is empty.
void PutHeaderOrDelete(NEDB& db, Entry& e, const ListHeader& h) {
  if (h.len == 0) {
    db.remove(e.ref.coll, e.ref.id);
  } else {
    SetListHeader(*e.doc, h);
    Store(db, e, KeyType::kList);
  }
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
  if (!out.empty()) PutHeaderOrDelete(c.db, e, h);
  if (!with_count) return std::move(out[0]);
  return RedisReply::Array(std::move(out));
}

RedisReply LPop(Ctx& c, const Argv& a) { return Pop(c, a, true); }
RedisReply RPop(Ctx& c, const Argv& a) { return Pop(c, a, false); }

// LTRIM key start stop: deletes the elements outside [start, stop].
RedisReply LTrim(Ctx& c, const Argv& a) {
  std::int64_t start = ParseInt(a[2]), end = ParseInt(a[3]);
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) return RedisReply::Ok();
  ListHeader h = GetListHeader(*e.doc);
  const std::int64_t len = h.len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  std::int64_t ltrim = len, rtrim = 0;  // an empty range empties the list
  if (start <= end && start < len) {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  if (ltrim == 0 && rtrim == 0) return RedisReply::Ok();
  for (std::int64_t i = 0; i < ltrim; ++i) ListRemoveItem(c.db, h, i);
  for (std::int64_t i = std::max(ltrim, len - rtrim); i < len; ++i) ListRemoveItem(c.db, h, i);
  h.head += ltrim;
  h.len = std::max<std::int64_t>(0, len - ltrim - rtrim);
  PutHeaderOrDelete(c.db, e, h);
  return RedisReply::Ok();
}

// LREM key count element: removes the first count occurrences (from the
// tail if count < 0; all if 0). The elements after the first removed one
// move down a position (rewritten), as the list stays contiguous.
RedisReply LRem(Ctx& c, const Argv& a) {
  const std::int64_t count = ParseInt(a[2]);
  Entry e = LoadAs(c.db, a[1], KeyType::kList);
  if (!e.exists()) return RedisReply::Integer(0);
  ListHeader h = GetListHeader(*e.doc);
  std::vector<std::string> old;
  old.reserve(static_cast<std::size_t>(h.len));
  for (std::int64_t i = 0; i < h.len; ++i) old.push_back(ListGet(c.db, h, i));
  // INT64_MIN cannot be negated: Redis then removes every match, from the tail.
  const bool from_tail = count < 0;
  const std::uint64_t limit =
      count == INT64_MIN ? 0 : static_cast<std::uint64_t>(count < 0 ? -count : count);
  std::vector<bool> drop(old.size(), false);
  std::uint64_t removed = 0;
  for (std::size_t k = 0; k < old.size() && (limit == 0 || removed < limit); ++k) {
    const std::size_t i = from_tail ? old.size() - 1 - k : k;
    if (old[i] == a[3]) {
      drop[i] = true;
      ++removed;
    }
  }
  if (removed == 0) return RedisReply::Integer(0);
  std::size_t out = 0;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (drop[i]) continue;
    if (out != i) ListPut(c.db, h, static_cast<std::int64_t>(out), old[i]);
    ++out;
  }
  for (std::size_t i = out; i < old.size(); ++i) {
    ListRemoveItem(c.db, h, static_cast<std::int64_t>(i));
  }
  h.len = static_cast<std::int64_t>(out);
  PutHeaderOrDelete(c.db, e, h);
  return RedisReply::Integer(static_cast<std::int64_t>(removed));
}

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
          {"ltrim", 4, kWrite, LTrim, g, "Removes elements from both ends a list", 1, 1, 1},
          {"lrem", 4, kWrite, LRem, g, "Removes elements from a list", 1, 1, 1},
          {"rpop", -2, kWrite, RPop, g, "Returns and removes the last elements of the list", 1, 1,
           1},
      });
}

}  // namespace nedb::redis
