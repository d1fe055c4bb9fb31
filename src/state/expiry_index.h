// SPDX-License-Identifier: Apache-2.0
// The documents whose HEAD version carries "_expires_at", ordered by it: a
// view folded from the log by State::Apply like the others, so the TTL
// sweep finds the due documents in O(due) instead of scanning the store.
#ifndef NEDB_STATE_EXPIRY_INDEX_H_
#define NEDB_STATE_EXPIRY_INDEX_H_

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace nedb {

class Collection;

// The expiry time of a document: its top-level "_expires_at" when that is a
// JSON number (seconds since the Unix epoch), else nullopt (never expires).
// The one reading of "_expires_at": IsExpired() and the index share it.
std::optional<double> ExpiresAtOf(std::string_view doc);

class ExpiryIndex {
 public:
  // Document `entry` of collection c (named `name`) now expires at `at`;
  // nullopt: it has no expiry (or was deleted).
  void Set(const Collection* c, std::string_view name, std::uint32_t entry,
           std::optional<double> at);
  bool empty() const { return at_.empty(); }
  // Documents with an expiry.
  std::size_t size() const { return at_.size(); }

  // fn(c, name, entry) for each document whose expiry is <= now, earliest
  // first, until fn returns false. Costs O(log n + documents visited).
  template <class Fn>
  void ForEachDue(double now, Fn&& fn) const {
    for (const Item& it : by_time_) {
      if (it.at > now) return;
      if (!fn(it.c, names_.at(it.c), it.entry)) return;
    }
  }

 private:
  struct Item {
    double at;
    const Collection* c;
    std::uint32_t entry;
    bool operator<(const Item& o) const {
      if (at != o.at) return at < o.at;
      if (c != o.c) return std::less<const Collection*>()(c, o.c);
      return entry < o.entry;
    }
  };
  std::set<Item> by_time_;
  absl::flat_hash_map<std::pair<const Collection*, std::uint32_t>, double> at_;
  absl::flat_hash_map<const Collection*, std::string> names_;
};

}  // namespace nedb

#endif  // NEDB_STATE_EXPIRY_INDEX_H_
