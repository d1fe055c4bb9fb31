// SPDX-License-Identifier: Apache-2.0
// NQL semantics end to end: every clause, comparisons across types, AS OF,
// TRAVERSE, GROUP BY, plans, index persistence, AutoIndexDB.
#include <gtest/gtest.h>

#include <random>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;

std::vector<std::string> Ids(const std::vector<json>& rows) {
  std::vector<std::string> ids;
  for (const json& r : rows) ids.push_back(r.value("_id", std::string("?")));
  return ids;
}
using V = std::vector<std::string>;

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db.put("users", "alice",
           {{"name", "Alice"},
            {"age", 31},
            {"status", "active"},
            {"bio", "systems engineer"},
            {"address", {{"city", "Oslo"}}}});
    db.put("users", "bob",
           {{"name", "Bob"},
            {"age", 40},
            {"status", "active"},
            {"bio", "database architect"},
            {"address", {{"city", "Bergen"}}}});
    db.put(
        "users", "carol",
        {{"name", "Carol"}, {"age", 25}, {"status", "inactive"}, {"bio", "Systems and databases"}});
    db.put("users", "dave", {{"name", "Dave"}, {"age", 31.0}, {"status", "active"}});
    db.put("users", "erin", {{"name", "Erin"}, {"age", "unknown"}, {"status", nullptr}});
  }
  NEDB db;
};

TEST_F(QueryTest, FromReturnsInsertionOrder) {
  EXPECT_EQ(Ids(db.query("FROM users")), (V{"alice", "bob", "carol", "dave", "erin"}));
  EXPECT_TRUE(db.query("FROM nobody").empty());
  EXPECT_EQ(Ids(db.query("from users limit 2")), (V{"alice", "bob"}));
}

TEST_F(QueryTest, WhereOperatorsAndTypes) {
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE status = "active")")), (V{"alice", "bob", "dave"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE age = 31")), (V{"alice", "dave"}));  // 31 == 31.0
  EXPECT_EQ(Ids(db.query("FROM users WHERE age = 31.0")), (V{"alice", "dave"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE age > 30 AND age <= 40")), (V{"alice", "bob", "dave"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE age < 31")), (V{"carol"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE age >= 31 AND age < 40")), (V{"alice", "dave"}));
  // Total order: numbers < strings, so "unknown" > every number.
  EXPECT_EQ(Ids(db.query("FROM users WHERE age > 1000")), (V{"erin"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE age < "a")")), (V{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE status = null")), (V{"erin"}));
  // A missing field matches nothing but !=.
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE bio != "x")")),
            (V{"alice", "bob", "carol", "dave", "erin"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE bio > "")")), (V{"alice", "bob", "carol"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE _id = "bob")")), (V{"bob"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE address.city = "Oslo")")), (V{"alice"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE address.city != "Oslo")")),
            (V{"bob", "carol", "dave", "erin"}));
  EXPECT_TRUE(db.query("FROM users WHERE age = true").empty());
}

TEST_F(QueryTest, SearchNeedsAllTerms) {
  // Without a search index every string value is searched.
  EXPECT_EQ(Ids(db.query(R"(FROM users SEARCH "systems")")), (V{"alice", "carol"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users SEARCH "systems engineer")")), (V{"alice"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users SEARCH "SYSTEMS")")), (V{"alice", "carol"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users SEARCH "oslo")")), (V{"alice"}));  // nested strings too
  EXPECT_TRUE(db.query(R"(FROM users SEARCH "system")").empty());         // whole tokens
  db.create_index("users", "bio", "search");
  EXPECT_EQ(Ids(db.query(R"(FROM users SEARCH "systems")")), (V{"alice", "carol"}));
  EXPECT_TRUE(db.query(R"(FROM users SEARCH "oslo")").empty());  // only indexed fields now
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE age < 30 SEARCH "systems")")), (V{"carol"}));
}

TEST_F(QueryTest, OrderByIsStableAndPutsMissingFirst) {
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age")), (V{"carol", "alice", "dave", "bob", "erin"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age DESC")),
            (V{"erin", "bob", "alice", "dave", "carol"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY bio")), (V{"dave", "erin", "carol", "bob", "alice"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age DESC LIMIT 2")), (V{"erin", "bob"}));
  db.create_index("users", "age", "ordered");
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age")), (V{"carol", "alice", "dave", "bob", "erin"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age DESC")),
            (V{"erin", "bob", "alice", "dave", "carol"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age DESC LIMIT 3")), (V{"erin", "bob", "alice"}));
  EXPECT_EQ(Ids(db.query("FROM users WHERE age >= 31 ORDER BY age DESC LIMIT 3")),
            (V{"erin", "bob", "alice"}));
}

TEST_F(QueryTest, TraverseFollowsEdgesWithoutDuplicates) {
  db.put("posts", "p1", {{"t", 1}});
  db.put("posts", "p2", {{"t", 2}});
  db.link("users:alice", "follows", "users:bob");
  db.link("users:alice", "follows", "users:carol");
  db.link("users:bob", "follows", "users:carol");
  db.link("users:bob", "wrote", "posts:p2");
  db.link("users:alice", "wrote", "posts:p1");
  db.link("users:alice", "wrote", "posts:ghost");  // target does not exist: skipped
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE _id = "alice" TRAVERSE follows)")),
            (V{"bob", "carol"}));
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE status = "active" TRAVERSE follows)")),
            (V{"bob", "carol"}));
  EXPECT_EQ(Ids(db.query("FROM users TRAVERSE wrote")), (V{"p1", "p2"}));
  EXPECT_EQ(Ids(db.query("FROM users ORDER BY age DESC TRAVERSE wrote")), (V{"p2", "p1"}));
  EXPECT_EQ(Ids(db.query("FROM users TRAVERSE follows LIMIT 1")), (V{"bob"}));
  std::uint64_t snap = db.seq();
  db.unlink("users:alice", "follows", "users:bob");
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE _id = "alice" TRAVERSE follows)")), (V{"carol"}));
  EXPECT_EQ(Ids(db.query("FROM users AS OF " + std::to_string(snap) +
                         R"( WHERE _id = "alice" TRAVERSE follows)")),
            (V{"bob", "carol"}));
  EXPECT_EQ(Ids(db.q("users").where("_id", "=", "alice").traverse("follows").run()), (V{"carol"}));
}

TEST_F(QueryTest, GroupByAggregates) {
  EXPECT_EQ(db.query("FROM users GROUP BY status COUNT"),
            (std::vector<json>{{{"status", nullptr}, {"count", 1}},
                               {{"status", "active"}, {"count", 3}},
                               {{"status", "inactive"}, {"count", 1}}}));
  auto sum = db.query(R"(FROM users WHERE status = "active" GROUP BY status SUM age)");
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0]["count"], 3);
  EXPECT_DOUBLE_EQ(sum[0]["sum_age"].get<double>(), 102.0);
  auto avg = db.query("FROM users GROUP BY status AVG age");
  EXPECT_TRUE(avg[0]["avg_age"].is_null());  // erin's age is not a number: skipped
  EXPECT_DOUBLE_EQ(avg[1]["avg_age"].get<double>(), 34.0);
  auto mn = db.query("FROM users GROUP BY status MIN age");
  EXPECT_EQ(mn[1]["min_age"], 31);
  auto mx = db.query("FROM users GROUP BY status MAX age");
  EXPECT_EQ(mx[1]["max_age"], 40);
  EXPECT_EQ(db.query("FROM users GROUP BY status COUNT LIMIT 1").size(), 1u);
  db.put("sales", "1", {{"region", "north"}, {"revenue", 5000}});
  db.put("sales", "2", {{"region", "north"}, {"revenue", 10000}});
  db.put("sales", "3", {{"region", "south"}, {"revenue", 1}});
  EXPECT_EQ(db.query("FROM sales GROUP BY region SUM revenue")[0],
            json({{"region", "north"}, {"count", 2}, {"sum_revenue", 15000}}));
}

TEST_F(QueryTest, AsOfAnswersEveryClauseFromHistory) {
  db.create_index("users", "status", "eq");
  db.create_index("users", "age", "ordered");
  db.create_index("users", "bio", "search");
  const std::uint64_t snap = db.seq();
  const std::string as_of = "FROM users AS OF " + std::to_string(snap);
  const std::vector<std::string> tails = {"",
                                          R"( WHERE status = "active")",
                                          " WHERE age > 30 ORDER BY age DESC LIMIT 2",
                                          R"( SEARCH "systems")",
                                          " GROUP BY status COUNT",
                                          " ORDER BY age"};
  std::vector<std::vector<json>> before;
  for (const auto& t : tails) before.push_back(db.query(as_of + t));
  // Rewrite history at HEAD: the AS OF answers must not move.
  db.put("users", "alice",
         {{"name", "Alice"}, {"age", 99}, {"status", "gone"}, {"bio", "retired"}});
  db.remove("users", "bob");
  db.put("users", "zed", {{"age", 35}, {"status", "active"}, {"bio", "systems"}});
  for (std::size_t i = 0; i < tails.size(); ++i) {
    EXPECT_EQ(db.query(as_of + tails[i]), before[i]) << tails[i];
    // Only an eq index's history serves AS OF; everything else scans.
    const json source = db.explain(as_of + tails[i])["steps"][0];
    if (tails[i].find("status =") != std::string::npos) {
      EXPECT_EQ(source["history"], true);
      EXPECT_EQ(source["using"]["kind"], "eq");
    } else {
      EXPECT_EQ(source["using"], "scan") << tails[i];
    }
  }
  EXPECT_TRUE(db.query("FROM users AS OF 0").empty());
  EXPECT_THROW(db.query("FROM users AS OF 1000"), InvalidArgument);
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE status = "active")")), (V{"dave", "zed"}));
}

TEST_F(QueryTest, ExplainNamesTheIndexOrScan) {
  EXPECT_EQ(db.explain(R"(FROM users WHERE status = "active")")["steps"][0]["using"], "scan");
  db.create_index("users", "status", "eq");
  db.create_index("users", "age", "ordered");
  db.create_index("users", "bio", "search");
  EXPECT_EQ(db.explain(R"(FROM users WHERE status = "active")")["steps"][0]["using"],
            json({{"kind", "eq"}, {"field", "status"}}));
  auto p = db.explain("FROM users ORDER BY age DESC LIMIT 10");
  EXPECT_EQ(p["steps"][0]["using"], json({{"kind", "ordered"}, {"field", "age"}}));
  EXPECT_EQ(p["steps"][1]["using"], json({{"kind", "ordered"}, {"field", "age"}}));
  EXPECT_EQ(db.explain(R"(FROM users SEARCH "systems")")["steps"][0]["using"],
            json({{"kind", "search"}, {"field", "bio"}}));
  EXPECT_EQ(db.explain("FROM users WHERE age > 3")["steps"][0]["using"],
            json({{"kind", "ordered"}, {"field", "age"}}));
  EXPECT_EQ(db.explain("FROM users WHERE name = \"x\"")["steps"][0]["using"], "scan");
  // q() compiles to the same plan as the NQL text.
  EXPECT_EQ(db.q("users").where("status", "=", "active").order_by("age", "DESC").limit(3).explain(),
            db.explain(R"(FROM users WHERE status = "active" ORDER BY age DESC LIMIT 3)"));
  EXPECT_EQ(db.q("users").where("status", "=", "active").order_by("age", "DESC").limit(3).nql(),
            R"(FROM users WHERE status = "active" ORDER BY age DESC LIMIT 3)");
}

TEST_F(QueryTest, BuilderMatchesNqlAndRejectsBadInput) {
  auto a = db.q("users")
               .where("status", "=", "active")
               .where("age", ">=", 25)
               .order_by("age", "DESC")
               .limit(10)
               .run();
  auto b =
      db.query(R"(FROM users WHERE status = "active" AND age >= 25 ORDER BY age DESC LIMIT 10)");
  EXPECT_EQ(a, b);
  EXPECT_EQ(Ids(a), (V{"bob", "alice", "dave"}));
  EXPECT_THROW(db.q("users").where("age", "~", 1), QueryError);
  EXPECT_THROW(db.q("users").where("a b", "=", 1), QueryError);
  EXPECT_THROW(db.q("users").where("age", "=", json::array()), QueryError);
  EXPECT_THROW(db.q("users").order_by("age", "UP"), QueryError);
  EXPECT_THROW(db.q("bad:name"), QueryError);
  EXPECT_EQ(db.q("users").group_by("status", "count").run(),
            db.query("FROM users GROUP BY status COUNT"));
}

TEST_F(QueryTest, BadQueriesNameThePosition) {
  try {
    db.query("FROM users WHER x = 1");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(e.position(), 11u);
    EXPECT_NE(std::string(e.what()).find("WHER"), std::string::npos);
  }
  EXPECT_THROW(db.query(""), QueryError);
  EXPECT_THROW(db.query("FROM users LIMIT -1"), QueryError);
}

TEST_F(QueryTest, CreateIndexValidates) {
  EXPECT_THROW(db.create_index("users", "age", "hash"), InvalidArgument);
  EXPECT_THROW(db.create_index("users", "a..b", "eq"), InvalidArgument);
  EXPECT_THROW(db.create_index("bad:coll", "a", "eq"), InvalidArgument);
  db.create_index("users", "age", "eq");
  db.create_index("users", "age", "eq");  // again: nothing
  EXPECT_EQ(db.indexes(), (std::vector<std::vector<std::string>>{{"users", "age", "eq"}}));
}

TEST(QueryDurableTest, IndexesPersistAndRebuildOnOpen) {
  test::TempDir dir;
  {
    NEDB db(dir.sub("d"));
    db.create_index("users", "status", "eq");
    db.put("users", "alice", {{"name", "Alice"}, {"status", "active"}});
    db.put("users", "bob", {{"status", "active"}});
    db.remove("users", "bob");
  }
  EXPECT_EQ(json::parse(test::ReadFile(dir.sub("d/meta.json")))["indexes"],
            json::parse(R"([["users","status","eq"]])"));
  NEDB db(dir.sub("d"));
  EXPECT_EQ(db.indexes().size(), 1u);
  EXPECT_EQ(db.explain(R"(FROM users WHERE status = "active")")["steps"][0]["using"]["kind"], "eq");
  EXPECT_EQ(Ids(db.query(R"(FROM users WHERE status = "active")")), (V{"alice"}));
}

TEST(AutoIndexTest, CreatesIndexesAtThreshold) {
  NEDB db;
  AutoIndexDB adb(db, /*threshold=*/3);
  adb.put("users", "u1", {{"name", "Ada"}, {"status", "active"}, {"age", 30}});
  for (int i = 0; i < 2; ++i) adb.query(R"(FROM users WHERE status = "active")");
  EXPECT_TRUE(db.indexes().empty());
  EXPECT_EQ(adb.suggest(), (std::vector<std::string>{"users.status (eq) \u2014 2/3 queries"}));
  auto rows = adb.query(R"(FROM users WHERE status = "active")");
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(db.indexes(), (std::vector<std::vector<std::string>>{{"users", "status", "eq"}}));
  adb.query("FROM users WHERE age > 3 ORDER BY age");
  adb.query("FROM users WHERE age != 3");
  auto a = adb.analyze();
  EXPECT_EQ(a["tallies"]["users.status (eq)"], 3);
  EXPECT_EQ(a["tallies"]["users.age (ordered)"], 1);  // once per query
  EXPECT_EQ(a["tallies"]["users.age (eq)"], 1);
  EXPECT_EQ(a["indexes_created"], json::array({"users.status (eq)"}));
  EXPECT_EQ(a["threshold"], 3);
  for (int i = 0; i < 5; ++i) adb.query(R"(FROM users WHERE status = "active")");
  EXPECT_EQ(db.indexes().size(), 1u);  // created once
  EXPECT_TRUE(adb.verify());
}

// Randomized: the same queries with and without indexes, at HEAD and AS OF,
// must return the same rows.
TEST(QueryDifferentialTest, IndexesNeverChangeAnswers) {
  std::mt19937 rng(1234);
  NEDB plain, indexed;
  for (const char* f : {"n", "t"}) indexed.create_index("c", f, "eq");
  for (const char* f : {"n", "s"}) indexed.create_index("c", f, "ordered");
  indexed.create_index("c", "t", "search");
  const std::vector<std::string> words = {"alpha", "beta", "gamma", "delta"};
  auto random_doc = [&] {
    json d = json::object();
    if (rng() % 5) d["s"] = std::string(1, static_cast<char>('a' + rng() % 4));
    switch (rng() % 4) {
      case 0: d["n"] = static_cast<int>(rng() % 10); break;
      case 1: d["n"] = (rng() % 20) / 2.0; break;
      case 2: d["n"] = "x"; break;
      default: break;
    }
    d["t"] = words[rng() % 4] + " " + words[rng() % 4];
    return d;
  };
  std::vector<std::uint64_t> snaps;
  for (int i = 0; i < 400; ++i) {
    // Created mid-history: backfilled from every version, so AS OF reads
    // before this point can use it too.
    if (i == 200) indexed.create_index("c", "s", "eq");
    const std::string id = std::to_string(rng() % 60);
    if (rng() % 6 == 0) {
      plain.remove("c", id);
      indexed.remove("c", id);
    } else {
      json d = random_doc();
      plain.put("c", id, d);
      indexed.put("c", id, d);
    }
    if (i % 50 == 0) snaps.push_back(plain.seq());
  }
  ASSERT_EQ(plain.seq(), indexed.seq());
  const std::vector<std::string> queries = {
      R"(FROM c WHERE s = "a")",
      R"(FROM c WHERE s = "b" AND n > 3)",
      "FROM c WHERE n = 4",
      "FROM c WHERE n >= 2.5 AND n < 7",
      "FROM c WHERE n > 5 ORDER BY n DESC LIMIT 5",
      "FROM c ORDER BY n LIMIT 7",
      "FROM c ORDER BY s DESC",
      R"(FROM c SEARCH "alpha beta")",
      R"(FROM c WHERE s = "c" SEARCH "gamma" ORDER BY n LIMIT 3)",
      R"(FROM c WHERE n < "x")",
      "FROM c WHERE n = 3 ORDER BY s DESC LIMIT 2",
      "FROM c GROUP BY s AVG n",
      R"(FROM c WHERE s != "a" ORDER BY n DESC)",
      "FROM c WHERE s = null"};
  for (const std::string& q : queries) {
    EXPECT_EQ(indexed.query(q), plain.query(q)) << q;
    for (std::uint64_t s : snaps) {
      std::string qa = q;
      qa.insert(6, " AS OF " + std::to_string(s));  // after "FROM c"
      EXPECT_EQ(indexed.query(qa), plain.query(qa)) << qa;
    }
  }
  EXPECT_TRUE(indexed.verify_determinism());
}

}  // namespace
}  // namespace nedb
