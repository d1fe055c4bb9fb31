// SPDX-License-Identifier: Apache-2.0
// NEDB::stats() and NEDB::log(): counters and the tail of the log.
#include <gtest/gtest.h>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::TempDir;

TEST(StatsTest, CountsOpsByKindAndLiveDocs) {
  NEDB db;
  db.put("users", "a", {{"n", 1}});
  db.put("users", "b", {{"n", 2}});
  db.put("orders", "o", {{"n", 3}});
  db.remove("users", "b");
  db.remove("users", "missing");  // appends nothing
  db.link("users:a", "placed", "orders:o");
  db.unlink("users:a", "placed", "orders:o");
  db.checkpoint();
  const Stats st = db.stats();
  EXPECT_EQ(st.seq, 7u);
  EXPECT_EQ(st.ops_appended.at("put"), 3u);
  EXPECT_EQ(st.ops_appended.at("delete"), 1u);
  EXPECT_EQ(st.ops_appended.at("link"), 1u);
  EXPECT_EQ(st.ops_appended.at("unlink"), 1u);
  EXPECT_EQ(st.ops_appended.at("checkpoint"), 1u);
  EXPECT_EQ(st.fsyncs, 0u);  // in memory
  EXPECT_EQ(st.live_docs, 2u);
  EXPECT_EQ(st.collections, (std::map<std::string, std::uint64_t>{{"orders", 1}, {"users", 1}}));
}

TEST(StatsTest, DurableCountsFsyncsAndRestartsAtZeroOps) {
  TempDir dir;
  {
    NEDB db(dir.sub("db"));
    db.put("k", "1", {{"v", 1}});
    db.put("k", "2", {{"v", 2}});
    EXPECT_GE(db.stats().fsyncs, 2u);
  }
  NEDB db(dir.sub("db"));
  const Stats st = db.stats();
  EXPECT_EQ(st.ops_appended.at("put"), 0u);  // since this open
  EXPECT_EQ(st.seq, 2u);
  EXPECT_EQ(st.live_docs, 2u);
}

void ExpectTail(const NEDB& db, std::size_t limit, std::size_t want) {
  const auto ops = db.log(limit);
  ASSERT_EQ(ops.size(), want);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ(ops[i]["seq"].get<std::uint64_t>(), db.seq() - i) << "newest first";
  }
}

TEST(LogTest, TailNewestFirstInMemoryAndDurable) {
  TempDir dir;
  NEDB mem;
  NEDB disk(dir.sub("db"));
  for (NEDB* db : {&mem, &disk}) {
    EXPECT_TRUE(db->log(0).empty());
    ExpectTail(*db, 5, 1);  // genesis only
    EXPECT_EQ(db->log(5)[0]["op"], "genesis");
    for (int i = 0; i < 30; ++i) db->put("k", std::to_string(i), {{"i", i}});
    ExpectTail(*db, 5, 5);
    ExpectTail(*db, 1000, 31);
    const json last = db->log(1)[0];
    EXPECT_EQ(last["op"], "put");
    EXPECT_EQ(last["id"], "29");
    // The newest op is the last leaf of the tree whose root is head().
    EXPECT_EQ(last["leaf_hash"], db->prove(db->seq()).leaf_hash);
  }
}

TEST(LogTest, TailCrossesLargeOpsAndReopen) {
  TempDir dir;
  {
    NEDB db(dir.sub("db"));
    const std::string big(100 << 10, 'x');  // larger than the first read window
    for (int i = 0; i < 6; ++i) db.put("big", std::to_string(i), {{"blob", big}});
    ExpectTail(db, 4, 4);
    ExpectTail(db, 100, 7);
  }
  NEDB db(dir.sub("db"));
  ExpectTail(db, 3, 3);
  EXPECT_EQ(db.log(7).back()["op"], "genesis");
}

}  // namespace
}  // namespace nedb
