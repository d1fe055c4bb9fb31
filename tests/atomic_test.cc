// SPDX-License-Identifier: Apache-2.0
// NEDB::atomic(): a group of writes appended as consecutive ops, synced once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::TempDir;

// Seqs of the ops written by client, oldest first.
std::vector<std::uint64_t> SeqsOf(const NEDB& db, const std::string& client) {
  std::vector<std::uint64_t> seqs;
  for (const json& op : db.log(db.seq() + 1)) {
    if (op.value("client", "") == client) seqs.push_back(op["seq"].get<std::uint64_t>());
  }
  std::reverse(seqs.begin(), seqs.end());
  return seqs;
}

TEST(AtomicTest, GroupIsConsecutiveDespiteConcurrentWriters) {
  NEDB db;
  std::atomic<bool> stop{false};
  std::thread other([&] {
    for (int i = 0; !stop.load(); ++i) {
      db.put("noise", std::to_string(i % 50), {{"i", i}}, {.client = "noise"});
    }
  });
  for (int round = 0; round < 20; ++round) {
    db.atomic([&] {
      for (int i = 0; i < 10; ++i) {
        db.put("group", std::to_string(i), {{"round", round}}, {.client = "group"});
      }
    });
  }
  stop = true;
  other.join();
  const auto seqs = SeqsOf(db, "group");
  ASSERT_EQ(seqs.size(), 200u);
  for (std::size_t g = 0; g < 20; ++g) {
    for (std::size_t i = 1; i < 10; ++i) {
      EXPECT_EQ(seqs[g * 10 + i], seqs[g * 10] + i) << "group " << g;
    }
  }
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

TEST(AtomicTest, ReadsInsideSeeEarlierWrites) {
  NEDB db;
  db.put("c", "n", {{"v", 1}});
  db.atomic([&] {
    // INCR-style read-modify-write: nothing can change "n" in between.
    const int v = (*db.get("c", "n"))["v"].get<int>();
    db.put("c", "n", {{"v", v + 1}});
    EXPECT_EQ((*db.get("c", "n"))["v"], 2);
    EXPECT_EQ(db.query("FROM c WHERE v = 2").size(), 1u);
  });
  EXPECT_EQ((*db.get("c", "n"))["v"], 2);
}

TEST(AtomicTest, DurableGroupSharesOneFsync) {
  TempDir dir;
  NEDB db(dir.sub("db"));
  const std::uint64_t before = db.stats().fsyncs;
  db.atomic([&] {
    for (int i = 0; i < 25; ++i) db.put("k", std::to_string(i), {{"i", i}});
  });
  EXPECT_EQ(db.stats().fsyncs, before + 1);
  db.close();
  NEDB again(dir.sub("db"));
  EXPECT_EQ(again.seq(), 25u);
  EXPECT_TRUE(again.verify());
}

TEST(AtomicTest, ExceptionKeepsAppendedOpsAndReleasesTheLock) {
  TempDir dir;
  NEDB db(dir.sub("db"));
  EXPECT_THROW(db.atomic([&] {
    db.put("k", "a", {{"x", 1}});
    db.put("k", "b", {{"x", 2}}, {.nonce = 0});  // stale nonce: ReplayError
  }),
               ReplayError);
  EXPECT_TRUE(db.get("k", "a").has_value());
  EXPECT_FALSE(db.get("k", "b").has_value());
  db.put("k", "c", {{"x", 3}});  // the write lock was released
  EXPECT_EQ(db.seq(), 2u);
  db.close();
  NEDB again(dir.sub("db"));
  EXPECT_TRUE(again.get("k", "a").has_value());  // made durable despite the throw
}

TEST(AtomicTest, LockTakingCallsInsideAreRefused) {
  NEDB db;
  db.atomic([&] {
    EXPECT_THROW(db.checkpoint(), InvalidArgument);
    EXPECT_THROW(db.create_index("k", "x", "eq"), InvalidArgument);
    EXPECT_THROW(db.verify(), InvalidArgument);
    EXPECT_THROW(db.close(), InvalidArgument);
    db.atomic([&] { db.put("k", "nested", {{"ok", true}}); });  // nesting just runs
  });
  EXPECT_TRUE(db.get("k", "nested").has_value());
  EXPECT_TRUE(db.verify());
}

TEST(AtomicTest, ClosedDatabaseThrows) {
  NEDB db;
  db.close();
  EXPECT_THROW(db.atomic([] {}), ClosedError);
}

}  // namespace
}  // namespace nedb
