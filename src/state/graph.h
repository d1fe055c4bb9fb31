// SPDX-License-Identifier: Apache-2.0
// Graph edges with history: each (from, rel, to) has the seq intervals in
// which it existed, so neighbors()/inbound() time-travel.
#ifndef NEDB_STATE_GRAPH_H_
#define NEDB_STATE_GRAPH_H_

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "util/str_map.h"

namespace nedb {

class Graph {
 public:
  static constexpr std::uint64_t kLive = std::numeric_limits<std::uint64_t>::max();

  // One interval of one edge, seen from one end: it existed for seqs in
  // [added, removed).
  struct Span {
    std::string other;  // the node at the far end
    std::uint64_t added;
    std::uint64_t removed = kLive;
  };

  // Adds the edge at seq; false (no change) if it already exists.
  bool Link(std::string_view from, std::string_view rel, std::string_view to, std::uint64_t seq);
  // Removes the edge at seq; false (no change) if it does not exist.
  bool Unlink(std::string_view from, std::string_view rel, std::string_view to, std::uint64_t seq);
  bool Exists(std::string_view from, std::string_view rel, std::string_view to) const;

  // Far ends of the edges that existed at as_of, ordered by the seq of the
  // link op that created each interval (oldest first).
  std::vector<std::string> Out(std::string_view from, std::string_view rel,
                               std::uint64_t as_of) const;
  std::vector<std::string> In(std::string_view to, std::string_view rel, std::uint64_t as_of) const;

  bool Equals(const Graph& other) const;

 private:
  friend class SnapshotCodec;
  using SpanMap = StrMap<std::vector<Span>>;
  static std::string Key(std::string_view a, std::string_view b);  // a '\0' b
  static std::vector<std::string> Visible(const SpanMap& m, const std::string& key,
                                          std::uint64_t as_of);
  static void Close(SpanMap& m, const std::string& key, std::string_view other, std::uint64_t seq);

  SpanMap out_;  // key: from '\0' rel
  SpanMap in_;   // key: to '\0' rel
  StrSet live_;  // from '\0' rel '\0' to
};

}  // namespace nedb

#endif  // NEDB_STATE_GRAPH_H_
