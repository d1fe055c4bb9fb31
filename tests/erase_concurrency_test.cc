// SPDX-License-Identifier: Apache-2.0
// erase() while other threads write, read AS OF, query, checkpoint and
// verify: no deadlock, no crash, no read of an erased version that returns
// its bytes, and a log that verifies afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

const std::string kSecret = "erase-me-4b1d";

TEST(EraseConcurrency, EraseWhileOthersReadWriteAndVerify) {
  test::DbDir d;
  NEDB db(d.db(), {.sync = Sync::None});
  db.create_index("c", "tag", "eq");
  constexpr int kDocs = 150;
  std::vector<std::uint64_t> first(kDocs);
  for (int i = 0; i < kDocs; ++i) {
    first[i] =
        db.put("c", "d" + std::to_string(i), {{"tag", kSecret}, {"i", i}})["i"] == i ? db.seq() : 0;
  }
  db.checkpoint();  // some versions are history before the snapshot
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {  // a writer of other documents
    for (int n = 0; !stop; ++n) db.put("w", "k" + std::to_string(n % 50), {{"n", n}});
  });
  threads.emplace_back([&] {  // AS OF readers: a value or ErasedError, never the secret once erased
    std::mt19937 rng(1);
    while (!stop) {
      const int i = static_cast<int>(rng() % kDocs);
      try {
        auto doc = db.get("c", "d" + std::to_string(i), first[i]);
        if (doc && doc->at("i") != i) ++errors;
        db.query("FROM c AS OF " + std::to_string(first[i]) + " WHERE tag = \"" + kSecret + "\"");
      } catch (const ErasedError&) {
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << e.what();
      }
    }
  });
  threads.emplace_back([&] {  // verify and log readers
    while (!stop) {
      if (!db.verify()) ++errors;
      db.log(20);
    }
  });
  for (int i = 0; i < kDocs; ++i) {
    db.erase("c", "d" + std::to_string(i), {.reason = "test"});
    if (i % 10 == 0) db.checkpoint();
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int i = 0; i < kDocs; ++i) {
    EXPECT_THROW(db.get("c", "d" + std::to_string(i), first[i]), ErasedError) << i;
  }
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  db.close();
  for (const auto& e : std::filesystem::recursive_directory_iterator(d.db())) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(test::ReadFile(e.path().string()).find(kSecret), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace nedb
