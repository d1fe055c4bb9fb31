// SPDX-License-Identifier: Apache-2.0
// The fixture database of the SQL tests (tests/sql/corpus.txt describes it).
#ifndef NEDB_TESTS_SQL_SQL_FIXTURE_H_
#define NEDB_TESTS_SQL_SQL_FIXTURE_H_

#include <nlohmann/json.hpp>

#include "nedb/nedb.h"

namespace nedb::test {

// seq 1-6: users u1..u6; 7-10: orders o1..o4; 11: users/u1 age 31 -> 32;
// 12: users/u7 put; 13: users/u7 deleted. Indexes: users.bio search,
// users.status eq, users.age ordered.
inline void LoadSqlFixture(NEDB& db) {
  using nlohmann::json;
  db.create_index("users", "bio", "search");
  db.create_index("users", "status", "eq");
  db.create_index("users", "age", "ordered");
  db.put("users", "u1",
         {{"name", "Ada"},
          {"age", 31},
          {"status", "active"},
          {"bio", "I write Rust and Go"},
          {"address", {{"city", "Paris"}}},
          {"score", 9.5},
          {"admin", true}});
  db.put("users", "u2",
         {{"name", "Bob"},
          {"age", 25},
          {"status", "inactive"},
          {"bio", "python fan"},
          {"address", {{"city", "Lyon"}}},
          {"admin", false}});
  db.put("users", "u3",
         {{"name", "Cy"},
          {"age", 42},
          {"status", "active"},
          {"bio", "trusty rust hacker"},
          {"nick", nullptr}});
  db.put("users", "u4",
         {{"name", "Dee"}, {"age", 25}, {"status", "banned"}, {"bio", "Loves go"}, {"score", 7}});
  db.put("users", "u5", {{"name", "O'Neil"}, {"status", "active"}, {"bio", "100% legit_user"}});
  db.put("users", "u6",
         {{"name", "Eve"}, {"age", "unknown"}, {"status", "active"}, {"first name", "Eve"}});
  db.put("orders", "o1", {{"user", "u1"}, {"total", 10}, {"items", 2}});
  db.put("orders", "o2", {{"user", "u1"}, {"total", 25.5}});
  db.put("orders", "o3", {{"user", "u3"}, {"total", 7}});
  db.put("orders", "o4", {{"user", "u2"}});
  json u1 = *db.get("users", "u1");
  u1["age"] = 32;
  db.put("users", "u1", u1);
  db.put("users", "u7", {{"name", "Gone"}, {"age", 99}, {"status", "active"}});
  db.remove("users", "u7");
}

}  // namespace nedb::test

#endif  // NEDB_TESTS_SQL_SQL_FIXTURE_H_
