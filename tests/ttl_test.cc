// SPDX-License-Identifier: Apache-2.0
// TTL: _expires_at, lazy expiry on HEAD reads, expire(), sweep(), AS OF
// ignoring expiry. The clock is the Env's, set by the test: no sleeps.
#include <gtest/gtest.h>

#include <atomic>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;

class ClockEnv : public EnvWrapper {
 public:
  ClockEnv() : EnvWrapper(Env::Default()) {}
  std::int64_t NowMicros() override { return now_us.load(); }
  void Advance(double seconds) { now_us += static_cast<std::int64_t>(seconds * 1e6); }
  std::atomic<std::int64_t> now_us{1'700'000'000'000'000};
};

class TtlTest : public ::testing::Test {
 protected:
  TtlTest() : db(dir.sub("d"), Options{.sync = Sync::None, .env = &clock}) {}
  test::TempDir dir;
  ClockEnv clock;
  NEDB db;
};

TEST_F(TtlTest, PutWithTtlStoresExpiresAt) {
  json doc = db.put("cache", "session", {{"token", "xyz"}}, {.ttl_s = 3600});
  EXPECT_DOUBLE_EQ(doc["_expires_at"].get<double>(), 1'700'000'000.0 + 3600);
  EXPECT_EQ(*db.get("cache", "session"), doc);
  EXPECT_THROW(db.put("cache", "x", json::object(), {.ttl_s = 0}), InvalidArgument);
  EXPECT_THROW(db.put("cache", "x", json::object(), {.ttl_s = -1}), InvalidArgument);
}

TEST_F(TtlTest, HeadGetExpiresLazilyWithADeleteOp) {
  db.put("cache", "session", {{"token", "xyz"}}, {.ttl_s = 10});
  const std::uint64_t live_seq = db.seq();
  clock.Advance(9.9);
  EXPECT_TRUE(db.get("cache", "session").has_value());
  EXPECT_EQ(db.seq(), live_seq);
  clock.Advance(0.2);
  EXPECT_FALSE(db.get("cache", "session").has_value());
  EXPECT_EQ(db.seq(), live_seq + 1);  // the expiry is an op in the log
  EXPECT_FALSE(db.get("cache", "session").has_value());
  EXPECT_EQ(db.seq(), live_seq + 1);  // only once
  // Time travel ignores expiry: what was true then.
  EXPECT_EQ((*db.get("cache", "session", live_seq))["token"], "xyz");
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

TEST_F(TtlTest, AsOfReadsNeverExpire) {
  db.put("cache", "a", {{"v", 1}}, {.ttl_s = 1});
  const std::uint64_t s = db.seq();
  clock.Advance(5);
  EXPECT_TRUE(db.get("cache", "a", s).has_value());
  EXPECT_EQ(db.query("FROM cache AS OF " + std::to_string(s)).size(), 1u);
  EXPECT_EQ(db.seq(), s);  // nothing appended by AS OF reads
}

TEST_F(TtlTest, QueriesSkipAndDeleteExpiredRows) {
  db.create_index("cache", "kind", "eq");
  db.put("cache", "a", {{"kind", "k"}}, {.ttl_s = 5});
  db.put("cache", "b", {{"kind", "k"}});
  db.put("cache", "c", {{"kind", "k"}}, {.ttl_s = 50});
  db.link("cache:b", "r", "cache:a");
  clock.Advance(6);
  const std::uint64_t before = db.seq();
  auto rows = db.query(R"(FROM cache WHERE kind = "k")");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["_id"], "b");
  EXPECT_EQ(db.seq(), before + 1);
  EXPECT_TRUE(db.query(R"(FROM cache WHERE _id = "b" TRAVERSE r)").empty());
  EXPECT_EQ(db.query("FROM cache").size(), 2u);
}

TEST_F(TtlTest, ExpireSetsOrUpdatesTtl) {
  EXPECT_FALSE(db.expire("cache", "missing", 300));
  EXPECT_EQ(db.seq(), 0u);
  db.put("cache", "s", {{"token", "t"}}, {.ttl_s = 3600});
  EXPECT_TRUE(db.expire("cache", "s", 300));
  json doc = *db.get("cache", "s");
  EXPECT_DOUBLE_EQ(doc["_expires_at"].get<double>(), 1'700'000'000.0 + 300);
  EXPECT_EQ(doc["token"], "t");
  db.put("cache", "forever", {{"v", 1}});
  EXPECT_TRUE(db.expire("cache", "forever", 1));
  clock.Advance(2);
  EXPECT_FALSE(db.get("cache", "forever").has_value());
  EXPECT_FALSE(db.expire("cache", "forever", 10));  // already expired: gone
  EXPECT_THROW(db.expire("cache", "s", 0), InvalidArgument);
}

TEST_F(TtlTest, SweepDeletesEveryExpiredDocument) {
  for (int i = 0; i < 10; ++i) {
    db.put("cache", std::to_string(i), {{"i", i}}, {.ttl_s = static_cast<double>(1 + i)});
  }
  db.put("other", "keep", {{"v", 1}});
  clock.Advance(5.5);
  EXPECT_EQ(db.sweep(), 5u);
  EXPECT_EQ(db.sweep(), 0u);
  EXPECT_EQ(db.query("FROM cache").size(), 5u);
  clock.Advance(100);
  EXPECT_EQ(db.sweep(), 5u);
  EXPECT_TRUE(db.get("other", "keep").has_value());
}

TEST_F(TtlTest, ExpiryDeletesSurviveReopen) {
  db.put("cache", "a", {{"v", 1}}, {.ttl_s = 1});
  clock.Advance(2);
  EXPECT_FALSE(db.get("cache", "a").has_value());
  const std::string head = db.head();
  db.close();
  NEDB again(dir.sub("d"), Options{.env = &clock});
  EXPECT_EQ(again.head(), head);
  EXPECT_FALSE(again.get("cache", "a").has_value());
  EXPECT_TRUE(again.verify_determinism());
}

}  // namespace
}  // namespace nedb
