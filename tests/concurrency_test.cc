// SPDX-License-Identifier: Apache-2.0
// Many readers and writers at once; group commit.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;

TEST(ConcurrencyTest, ParallelWritersAndReadersStayConsistent) {
  test::TempDir dir;
  NEDB db(dir.sub("d"), Options{.sync = Sync::Always});
  constexpr int kWriters = 8, kPerWriter = 150;
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        std::uint64_t s = db.seq();
        auto doc = db.get("w0", "k0", s);
        if (doc) {
          EXPECT_EQ((*doc)["_id"], "k0");
        }
        db.neighbors("w0:k0", "r");
        reads++;
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      const std::string coll = "w" + std::to_string(w);
      for (int i = 0; i < kPerWriter; ++i) {
        db.put(coll, "k" + std::to_string(i % 10), {{"i", i}}, {.client = coll});
        if (i % 10 == 0) db.link(coll + ":k0", "r", coll + ":k" + std::to_string(i));
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(db.seq(), static_cast<std::uint64_t>(kWriters * (kPerWriter + kPerWriter / 10)));
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ((*db.get("w" + std::to_string(w), "k9"))["i"], kPerWriter - 1);
  }
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  const std::string head = db.head();
  db.close();
  NEDB again(dir.sub("d"));
  EXPECT_EQ(again.head(), head);
}

TEST(ConcurrencyTest, ConcurrentNoncesFromOneClientNeverRepeat) {
  NEDB db;
  std::vector<std::thread> threads;
  std::atomic<int> replays{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t n = 1; n <= 200; ++n) {
        try {
          db.put("c", std::to_string(t), {{"n", n}}, {.client = "shared", .nonce = n});
        } catch (const ReplayError&) {
          replays++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // Each nonce 1..200 was accepted at most once.
  EXPECT_LE(db.seq(), 200u);
  EXPECT_EQ(db.seq() + replays.load(), 800u);
  EXPECT_TRUE(db.verify_determinism());
}

}  // namespace
}  // namespace nedb
