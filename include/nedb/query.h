// Copyright (c) NEDB authors. The fluent query builder and auto-indexing.
// SPDX-License-Identifier: Apache-2.0
//
//   auto rows = db.q("users").where("status", "=", "active").where("age", ">=", 25)
//                 .order_by("age", "DESC").limit(10).run();
//
// A Query builds the same syntax tree NQL text parses to, so q() and query()
// share one planner and executor (see docs/NQL.md).
#ifndef NEDB_QUERY_H_
#define NEDB_QUERY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nedb {

class NEDB;
namespace nql {
struct Query;
}

class Query {
 public:
  Query(const Query& other);
  Query& operator=(const Query& other);
  ~Query();

  // Each throws QueryError for an invalid field path, operator, direction,
  // relation or value (values are strings, numbers, booleans or null).
  Query& where(std::string_view field, std::string_view op, nlohmann::json value);
  Query& as_of(std::uint64_t seq);
  Query& search(std::string_view text);
  Query& order_by(std::string_view field, std::string_view direction = "ASC");
  Query& traverse(std::string_view relation);
  // fn: "COUNT" | "SUM" | "AVG" | "MIN" | "MAX"; of: the aggregated field.
  Query& group_by(std::string_view field, std::string_view fn = "COUNT", std::string_view of = "");
  Query& limit(std::uint64_t n);

  std::vector<nlohmann::json> run() const;
  nlohmann::json explain() const;
  // The equivalent NQL text.
  std::string nql() const;

 private:
  friend class NEDB;
  Query(const NEDB* db, std::string_view coll);
  const NEDB* db_;
  std::unique_ptr<nql::Query> ast_;
};

// Wraps a database and creates indexes from observed query patterns: every
// query() tallies (collection, field, kind) for its WHERE fields (= and !=:
// "eq"; < <= > >=: "ordered") and its ORDER BY field ("ordered"); when a
// tally reaches threshold the index is created (once). Every other call is
// forwarded to the wrapped database, which must outlive this object.
class AutoIndexDB {
 public:
  explicit AutoIndexDB(NEDB& db, int threshold = 5, bool verbose = false);

  std::vector<nlohmann::json> query(std::string_view nql);
  // {"tallies": {"users.status (eq)": 5, ...}, "indexes_created": [...], "threshold": 5}
  nlohmann::json analyze() const;
  // Tallies not yet at threshold: ["users.age (ordered) — 3/5 queries", ...]
  std::vector<std::string> suggest() const;

  NEDB& db() { return db_; }
  // Forwarded calls.
  nlohmann::json put(std::string_view coll, std::string_view id, nlohmann::json doc);
  std::optional<nlohmann::json> get(std::string_view coll, std::string_view id,
                                    std::optional<std::uint64_t> as_of = std::nullopt) const;
  bool remove(std::string_view coll, std::string_view id);
  bool link(std::string_view from, std::string_view rel, std::string_view to);
  bool unlink(std::string_view from, std::string_view rel, std::string_view to);
  std::vector<std::string> neighbors(std::string_view from, std::string_view rel,
                                     std::optional<std::uint64_t> as_of = std::nullopt) const;
  std::vector<std::string> inbound(std::string_view to, std::string_view rel,
                                   std::optional<std::uint64_t> as_of = std::nullopt) const;
  void create_index(std::string_view coll, std::string_view field, std::string_view kind);
  Query q(std::string_view coll) const;
  nlohmann::json explain(std::string_view nql) const;
  std::uint64_t seq() const;
  std::string head() const;
  bool verify() const;
  bool verify_determinism() const;
  void flush();
  void close();

 private:
  NEDB& db_;
  int threshold_;
  bool verbose_;
  std::map<std::string, int> tallies_;  // "coll.field (kind)"
  std::vector<std::string> created_;
};

}  // namespace nedb

#endif  // NEDB_QUERY_H_
