// SPDX-License-Identifier: Apache-2.0
// Reclaiming expired documents (issue 13 item 4): stats() never counts an
// expired document, the expiry index that sweep() and the background expiry
// use follows every put, delete and snapshot open, and the background expiry
// (Options::expire_interval_ms) deletes due documents without any read --
// off by default in the embedded library.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "clock_env.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::ClockEnv;

std::uint64_t Deletes(const NEDB& db) { return db.stats().ops_appended.at("delete"); }

// Polls cond for up to 10 s (background work on a loaded machine).
template <class Cond>
bool WaitFor(Cond cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

TEST(TtlSweepTest, StatsNeverCountExpiredDocuments) {
  test::TempDir dir;
  ClockEnv clock;
  NEDB db(dir.sub("d"), Options{.sync = Sync::None, .env = &clock});
  for (int i = 0; i < 3; ++i) db.put("cache", std::to_string(i), {{"i", i}}, {.ttl_s = 1});
  db.put("cache", "keep", {{"i", 9}});
  db.put("tmp", "x", {{"i", 1}}, {.ttl_s = 1});
  Stats st = db.stats();
  EXPECT_EQ(st.live_docs, 5u);
  EXPECT_EQ(st.expired_pending, 0u);
  clock.Advance(1.5);
  const std::uint64_t seq = db.seq();
  st = db.stats();
  EXPECT_EQ(st.live_docs, 1u);
  EXPECT_EQ(st.collections, (std::map<std::string, std::uint64_t>{{"cache", 1}}));
  EXPECT_EQ(st.expired_pending, 4u);
  EXPECT_EQ(db.seq(), seq);  // stats() only reads
  EXPECT_EQ(db.sweep(), 4u);
  st = db.stats();
  EXPECT_EQ(st.live_docs, 1u);
  EXPECT_EQ(st.expired_pending, 0u);
}

TEST(TtlSweepTest, IndexFollowsRewritesDeletesAndSnapshots) {
  test::TempDir dir;
  ClockEnv clock;
  {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None, .env = &clock});
    db.put("c", "persisted", {{"v", 1}}, {.ttl_s = 10});
    db.put("c", "persisted", {{"v", 2}});  // rewritten without a TTL
    db.put("c", "later", {{"v", 1}}, {.ttl_s = 5});
    EXPECT_TRUE(db.expire("c", "later", 500));  // moved past the sweep below
    db.put("c", "deleted", {{"v", 1}}, {.ttl_s = 5});
    EXPECT_TRUE(db.remove("c", "deleted"));
    db.put("c", "due", {{"v", 1}}, {.ttl_s = 5});
    db.checkpoint();
    db.put("c", "after", {{"v", 1}}, {.ttl_s = 5});    // replayed after the snapshot
    db.put("c", "due2", {{"v", 1}}, {.ttl_s = 1000});  // in the snapshot? no: new
    EXPECT_TRUE(db.expire("c", "due2", 6));            // an update replayed on open
  }
  NEDB db(dir.sub("d"), Options{.sync = Sync::None, .env = &clock});
  ASSERT_TRUE(db.open_info()["snapshot"].get<bool>());
  clock.Advance(100);
  EXPECT_EQ(db.stats().expired_pending, 3u);  // due, after, due2
  EXPECT_EQ(db.sweep(), 3u);
  EXPECT_FALSE(db.get("c", "due").has_value());
  EXPECT_FALSE(db.get("c", "due2").has_value());
  EXPECT_TRUE(db.get("c", "persisted").has_value());
  EXPECT_TRUE(db.get("c", "later").has_value());
  clock.Advance(1000);
  EXPECT_EQ(db.sweep(), 1u);  // later
  EXPECT_EQ(db.stats().live_docs, 1u);
  EXPECT_TRUE(db.verify_determinism());
}

TEST(TtlSweepTest, SweepDeletesInExpiryOrderInBatches) {
  test::TempDir dir;
  ClockEnv clock;
  NEDB db(dir.sub("d"), Options{.sync = Sync::Always, .env = &clock});
  db.atomic([&] {
    for (int i = 0; i < 1200; ++i) {
      db.put("c", std::to_string(i), {{"i", i}}, {.ttl_s = 1.0 + i / 1000.0});
    }
  });
  clock.Advance(1.6005);  // 0 .. 600 are due
  const std::uint64_t fsyncs = db.stats().fsyncs;
  EXPECT_EQ(db.sweep(), 601u);
  EXPECT_LE(db.stats().fsyncs - fsyncs, 3u);  // groups of 512: not one fsync per delete
  EXPECT_FALSE(db.get("c", "600").has_value());
  EXPECT_TRUE(db.get("c", "601").has_value());
}

// The scenario, scaled: 5,000 documents with a 200 ms TTL, never
// read, are reclaimed by the background expiry within a couple of seconds.
TEST(TtlSweepTest, BackgroundExpiryReclaimsUnreadDocuments) {
  test::TempDir dir;
  ClockEnv clock;
  NEDB db(dir.sub("d"), Options{.sync = Sync::Always, .env = &clock, .expire_interval_ms = 10});
  db.atomic([&] {
    for (int i = 0; i < 5000; ++i) db.put("kv", std::to_string(i), {{"i", i}}, {.ttl_s = 0.2});
  });
  db.put("kv", "keep", {{"i", -1}});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(Deletes(db), 0u);  // nothing is due yet
  clock.Advance(0.25);
  EXPECT_EQ(db.stats().live_docs, 1u);  // never counted, reclaimed or not
  ASSERT_TRUE(WaitFor([&] { return Deletes(db) == 5000; })) << Deletes(db);
  EXPECT_EQ(db.stats().expired_pending, 0u);
  EXPECT_TRUE(db.get("kv", "keep").has_value());
  EXPECT_TRUE(db.verify_determinism());
  db.close();  // stops the thread
}

TEST(TtlSweepTest, EmbeddedDefaultStartsNoBackgroundExpiry) {
  test::TempDir dir;
  ClockEnv clock;
  NEDB db(dir.sub("d"), Options{.sync = Sync::None, .env = &clock});
  EXPECT_EQ(Options{}.expire_interval_ms, 0u);
  for (int i = 0; i < 100; ++i) db.put("kv", std::to_string(i), {{"i", i}}, {.ttl_s = 0.2});
  clock.Advance(1);
  const std::uint64_t seq = db.seq();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(db.seq(), seq);  // no delete appended without a read or sweep()
  EXPECT_EQ(Deletes(db), 0u);
  EXPECT_EQ(db.stats().expired_pending, 100u);
  EXPECT_EQ(db.stats().live_docs, 0u);
}

}  // namespace
}  // namespace nedb
