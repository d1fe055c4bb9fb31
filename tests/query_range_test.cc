// SPDX-License-Identifier: Apache-2.0
// Empty and inverted ranges (issue 13, item 1): a range whose start lies past
// the last index entry made the ordered-index scan step past its end and
// kill the process. Every empty range, on every index kind, strict or not,
// at HEAD and AS OF, through NQL and SQL, gives no rows; every non-empty
// range gives exactly what a scan of an unindexed copy gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/sql.h"

namespace nedb {
namespace {

using nlohmann::json;

// The issue's reproduction: one document, an ordered index, an empty range
// starting past the only entry.
TEST(EmptyRangeTest, IssueReproduction) {
  NEDB db;
  db.create_index("items", "e", "ordered");
  db.put("items", "a", {{"e", 1}});
  EXPECT_TRUE(sql_exec(db, "SELECT * FROM items WHERE e BETWEEN 2 AND 0").empty());
  EXPECT_TRUE(db.query("FROM items WHERE e >= 2 AND e <= 0").empty());
  EXPECT_TRUE(db.query("FROM items WHERE e > 1 AND e < 1").empty());
  EXPECT_TRUE(db.query("FROM items WHERE e > 1 AND e < 1 ORDER BY e DESC").empty());
  EXPECT_TRUE(db.query("FROM items WHERE e > 1 AND e <= 1 ORDER BY e LIMIT 3").empty());
  EXPECT_EQ(db.query("FROM items WHERE e >= 1 AND e <= 1").size(), 1u);
}

// Ranges over three values (1, 2, 3), a string and a null, each written as
// NQL; those marked empty match nothing.
struct Range {
  const char* where;
  bool empty;
};
const Range kRanges[] = {{"e > 3 AND e < 3", true},
                         {"e >= 4 AND e <= 0", true},
                         {"e > 3", false},
                         {"e >= 3 AND e < 3", true},
                         {"e > 3 AND e <= 3", true},
                         {"e >= 3 AND e <= 3", false},
                         {"e > 2 AND e < 2", true},
                         {"e >= 2 AND e <= 1", true},
                         {"e > 1 AND e < 2", true},
                         {"e >= 1 AND e <= 3", false},
                         {"e > 0 AND e < 1", true},
                         {"e > 9 AND e < 10", true},
                         {"e >= 9 AND e <= 100", true},
                         {"e < 0 AND e > -5", true},
                         {"e = 2 AND e > 2", true},
                         {"e = 2 AND e < 2", true},
                         {"e = 5 AND e >= 1", true},
                         {"e < null", true},
                         {"e > null AND e < null", true},
                         {R"(e > "z" AND e < "a")", true},
                         {R"(e >= "s" AND e <= "s")", false},
                         {R"(e > "s")", true},
                         {"e > 3 AND e < 3 AND e = 3", true},
                         {"e >= 3 AND e < 4 AND e > 2.5", false}};

class EmptyRangeKinds : public ::testing::TestWithParam<const char*> {};

TEST_P(EmptyRangeKinds, EveryRangeAgreesWithAScan) {
  const std::string kind = GetParam();
  NEDB db, plain;
  if (!kind.empty()) db.create_index("items", "e", kind);
  const std::vector<json> docs = {{{"e", 1}},       {{"e", 2}}, {{"e", 3}},  {{"e", "s"}},
                                  {{"e", nullptr}}, {{"f", 1}}, {{"e", 2.0}}};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    db.put("items", "d" + std::to_string(i), docs[i]);
    plain.put("items", "d" + std::to_string(i), docs[i]);
  }
  const std::uint64_t mid = db.seq();
  db.remove("items", "d0");
  plain.remove("items", "d0");
  db.put("items", "d9", {{"e", 4}});
  plain.put("items", "d9", {{"e", 4}});
  for (const Range& r : kRanges) {
    for (const char* tail : {"", " ORDER BY e", " ORDER BY e DESC", " ORDER BY e LIMIT 1",
                             " ORDER BY e DESC LIMIT 2", " LIMIT 1"}) {
      for (const std::string& as_of : {std::string(), " AS OF " + std::to_string(mid)}) {
        const std::string q = "FROM items" + as_of + " WHERE " + r.where + tail;
        const std::vector<json> got = db.query(q);
        EXPECT_EQ(got, plain.query(q)) << kind << ": " << q;
        if (r.empty) {
          EXPECT_TRUE(got.empty()) << kind << ": " << q;
        }
      }
    }
  }
  // The same through SQL: BETWEEN with its bounds inverted, and strict
  // ranges that meet.
  for (const char* w : {"e BETWEEN 2 AND 0", "e BETWEEN 9 AND 1", "e BETWEEN 4 AND 3",
                        "e > 3 AND e < 3", "e > 4 AND e < 5", "e >= 3 AND e < 3"}) {
    for (const std::string& as_of : {std::string(), " AS OF " + std::to_string(mid)}) {
      for (const char* tail : {"", " ORDER BY e DESC", " ORDER BY e LIMIT 1"}) {
        const std::string q = "SELECT * FROM items" + as_of + " WHERE " + w + tail;
        EXPECT_TRUE(sql_exec(db, q).empty()) << kind << ": " << q;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, EmptyRangeKinds,
                         ::testing::Values("", "eq", "ordered", "search"), [](const auto& info) {
                           return std::string(*info.param ? info.param : "none");
                         });

}  // namespace
}  // namespace nedb
