// SPDX-License-Identifier: Apache-2.0
// Failed and short writes, failed fsyncs and failed opens, injected through
// Options::env. The invariant everywhere: a write that returned normally is
// on disk after a reopen, nothing partial is left in log.aof, and the chain
// verifies.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fault_env.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace {

using nedb::IOError;
using nedb::NEDB;
using nedb::Options;
using nedb::Sync;
using nedb_test::FaultInjectionEnv;
using json = nlohmann::json;

using ScratchDir = nedb::test::DbDir;
using nedb::test::ReadFile;

std::uint64_t FileSize(const std::string& path) { return std::filesystem::file_size(path); }

json Doc(int i) { return {{"i", i}, {"pad", std::string(static_cast<std::size_t>(i % 40), 'p')}}; }

Options Quiet(FaultInjectionEnv* env, Sync sync = Sync::Always) {
  return Options{.sync = sync, .env = env, .logger = [](const std::string&) {}};
}

// Reopens dir with the real Env and checks the acknowledged puts of "c".
void ExpectReopenHas(const std::string& dir, const std::map<std::string, json>& acked) {
  NEDB db(dir, Quiet(nullptr));
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_GE(db.seq(), acked.size());
  for (const auto& [id, doc] : acked) EXPECT_EQ(db.get("c", id), doc) << id;
}

// ---- short and failed writes ----

TEST(FaultInjection, ShortWriteOfNthAppendThrowsAndLeavesNoPartialLine) {
  for (int n : {1, 2, 3, 5, 8}) {
    for (std::size_t short_bytes : {0, 1, 40, 100000}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " short=" + std::to_string(short_bytes));
      ScratchDir dir;
      FaultInjectionEnv env;
      std::map<std::string, json> acked;
      std::vector<std::string> failed;
      {
        NEDB db(dir.db(), Quiet(&env));
        env.Arm(FaultInjectionEnv::kAppend, n, "log.aof", false, short_bytes);
        for (int i = 0; i < n + 3; ++i) {
          const std::string id = "k" + std::to_string(i);
          const std::uint64_t before = FileSize(dir.log());
          try {
            acked[id] = db.put("c", id, Doc(i));
          } catch (const IOError&) {
            failed.push_back(id);
            EXPECT_EQ(FileSize(dir.log()), before) << "partial line left in log.aof";
            EXPECT_EQ(ReadFile(dir.log()).back(), '\n');
            EXPECT_EQ(db.get("c", id), std::nullopt) << "a failed put was applied";
          }
        }
        ASSERT_FALSE(failed.empty());
        EXPECT_EQ(failed.front(), "k" + std::to_string(n - 1));
        EXPECT_EQ(db.seq(), acked.size());
        EXPECT_TRUE(db.verify());
        EXPECT_TRUE(db.verify_determinism());
      }
      ExpectReopenHas(dir.db(), acked);
      NEDB db(dir.db(), Quiet(nullptr));
      EXPECT_EQ(db.seq(), acked.size()) << "reopen must see exactly the acknowledged ops";
      for (const auto& id : failed) EXPECT_EQ(db.get("c", id), std::nullopt) << id;
    }
  }
}

TEST(FaultInjection, ShortWriteWhoseTruncateFailsRefusesWritesAndReopenCutsTheTail) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> acked;
  {
    NEDB db(dir.db(), Quiet(&env));
    acked["k0"] = db.put("c", "k0", Doc(0));
    env.Arm(FaultInjectionEnv::kAppend, 1, "log.aof", false, 30);
    env.Arm(FaultInjectionEnv::kTruncate, 1, "log.aof");
    const std::uint64_t before = FileSize(dir.log());
    EXPECT_THROW(db.put("c", "k1", Doc(1)), IOError);
    EXPECT_EQ(FileSize(dir.log()), before + 30);       // the partial line could not be cut
    EXPECT_THROW(db.put("c", "k2", Doc(2)), IOError);  // the writer is broken
    EXPECT_THROW(db.link("c:k0", "r", "c:k1"), IOError);
    EXPECT_EQ(db.get("c", "k0"), acked["k0"]);  // reads still work
    EXPECT_EQ(db.seq(), 1u);
    EXPECT_TRUE(db.verify());  // reads only up to the last whole op
  }
  std::vector<std::string> warnings;
  {
    NEDB db(dir.db(), {.logger = [&](const std::string& m) { warnings.push_back(m); }});
    EXPECT_EQ(db.seq(), 1u);
    EXPECT_EQ(db.get("c", "k1"), std::nullopt);
    EXPECT_TRUE(db.verify());
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("torn tail"), std::string::npos) << warnings[0];
  ExpectReopenHas(dir.db(), acked);
}

// ---- failed fsync ----

TEST(FaultInjection, FailedFsyncIsStickyForWritesWhileReadsKeepWorking) {
  for (int n : {1, 2, 3, 7}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    ScratchDir dir;
    FaultInjectionEnv env;
    std::map<std::string, json> acked;
    {
      NEDB db(dir.db(), Quiet(&env));
      env.Arm(FaultInjectionEnv::kSync, n, "log.aof");
      int failed_at = -1;
      for (int i = 0; i < n + 2 && failed_at < 0; ++i) {
        const std::string id = "k" + std::to_string(i);
        try {
          acked[id] = db.put("c", id, Doc(i));
        } catch (const IOError&) {
          failed_at = i;
        }
      }
      EXPECT_EQ(failed_at, n - 1);  // one fsync per put with one writer
      EXPECT_THROW(db.put("c", "later", Doc(99)), IOError);
      EXPECT_THROW(db.link("c:k0", "r", "c:later"), IOError);
      if (acked.count("k0")) {
        EXPECT_THROW(db.remove("c", "k0"), IOError);
      }
      EXPECT_THROW(db.flush(), IOError);
      for (const auto& [id, doc] : acked) EXPECT_EQ(db.get("c", id), doc) << id;
      EXPECT_EQ(db.get("c", "later"), std::nullopt);
      EXPECT_TRUE(db.verify());
      EXPECT_TRUE(db.verify_determinism());
      EXPECT_THROW(db.close(), IOError) << "close must report the failed fsync";
    }
    ExpectReopenHas(dir.db(), acked);
    NEDB db(dir.db(), Quiet(nullptr));  // the lock was released; writes work again
    EXPECT_NO_THROW(db.put("c", "after", Doc(1)));
  }
}

TEST(FaultInjection, ConcurrentWritersWithOneFailedFsyncLoseNoAcknowledgedPut) {
  constexpr int kThreads = 4, kPerThread = 150;
  for (int n : {1, 4, 16}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    ScratchDir dir;
    FaultInjectionEnv env;
    std::vector<std::map<std::string, json>> acked(kThreads);
    std::atomic<int> errors{0};
    {
      NEDB db(dir.db(), Quiet(&env));
      env.Arm(FaultInjectionEnv::kSync, n, "log.aof");
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kPerThread; ++i) {
            const std::string id = "t" + std::to_string(t) + "_" + std::to_string(i);
            try {
              acked[t][id] = db.put("c", id, Doc(i));
            } catch (const IOError&) {
              errors++;
              return;
            }
          }
        });
      }
      for (auto& th : threads) th.join();
      EXPECT_GE(errors.load(), 1);
      EXPECT_EQ(env.fired(), 1u);
      for (const auto& m : acked) {
        for (const auto& [id, doc] : m) EXPECT_EQ(db.get("c", id), doc) << id;
      }
      try {
        db.close();
      } catch (const IOError&) {
      }
    }
    std::map<std::string, json> all;
    for (const auto& m : acked) all.insert(m.begin(), m.end());
    ExpectReopenHas(dir.db(), all);
  }
}

TEST(FaultInjection, EverySecBackgroundFsyncFailureFailsALaterWrite) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> acked;
  {
    NEDB db(dir.db(), Quiet(&env, Sync::EverySec));
    env.Arm(FaultInjectionEnv::kSync, 1, "log.aof");
    acked["k0"] = db.put("c", "k0", Doc(0));
    bool threw = false;
    for (int i = 1; i < 100 && !threw; ++i) {  // up to ~5 s; the syncer runs each second
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      try {
        db.put("c", "x" + std::to_string(i), Doc(i));
      } catch (const IOError&) {
        threw = true;
      }
    }
    EXPECT_TRUE(threw);
    EXPECT_EQ(db.get("c", "k0"), acked["k0"]);
    EXPECT_THROW(db.close(), IOError);
  }
  ExpectReopenHas(dir.db(), acked);
}

TEST(FaultInjection, SyncNoneReportsAFailedFsyncFromFlush) {
  ScratchDir dir;
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env, Sync::None));
  db.put("c", "k0", Doc(0));
  env.Arm(FaultInjectionEnv::kSync, 1, "log.aof");
  EXPECT_THROW(db.flush(), IOError);
  EXPECT_THROW(db.put("c", "k1", Doc(1)), IOError);
  EXPECT_TRUE(db.get("c", "k0").has_value());
}

// ---- failures while creating or opening a database ----

TEST(FaultInjection, FailureWhileCreatingTheDatabaseThrowsAndALaterOpenSucceeds) {
  struct Case {
    FaultInjectionEnv::Call call;
    int nth;
    const char* path_part;
    std::optional<std::size_t> short_bytes;
  };
  const Case cases[] = {
      {FaultInjectionEnv::kCreateDir, 1, "", {}},
      {FaultInjectionEnv::kOpen, 1, "log.aof", {}},
      {FaultInjectionEnv::kSync, 1, "log.aof", {}},    // the open-time fsync
      {FaultInjectionEnv::kAppend, 1, "log.aof", {}},  // genesis
      {FaultInjectionEnv::kAppend, 1, "log.aof", 20},  // genesis, cut short
      {FaultInjectionEnv::kSync, 2, "log.aof", {}},    // genesis fsync
      {FaultInjectionEnv::kSyncDir, 1, "", {}},        // directory fsync after genesis
      {FaultInjectionEnv::kAppend, 1, "meta.json", {}},
      {FaultInjectionEnv::kSync, 1, "meta.json", {}},
      {FaultInjectionEnv::kRename, 1, "meta.json", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("call=" + std::to_string(c.call) + " nth=" + std::to_string(c.nth) + " " +
                 c.path_part);
    ScratchDir dir;
    FaultInjectionEnv env;
    env.Arm(c.call, c.nth, c.path_part, false, c.short_bytes);
    EXPECT_THROW(NEDB(dir.db(), Quiet(&env)), IOError);
    EXPECT_EQ(env.fired(), 1u);
    for (int round = 0; round < 2; ++round) {  // and recovery of that recovery
      NEDB db(dir.db(), Quiet(nullptr));
      EXPECT_EQ(db.seq(), static_cast<std::uint64_t>(round));
      EXPECT_TRUE(db.verify());
      EXPECT_TRUE(db.verify_determinism());
      db.put("c", "k" + std::to_string(round), Doc(round));
    }
  }
}

TEST(FaultInjection, FailedTruncateOfATornTailAtOpenThrowsAndALaterOpenRecovers) {
  ScratchDir dir;
  std::map<std::string, json> acked;
  {
    NEDB db(dir.db(), Quiet(nullptr));
    for (int i = 0; i < 3; ++i)
      acked["k" + std::to_string(i)] = db.put("c", "k" + std::to_string(i), Doc(i));
  }
  std::ofstream(dir.log(), std::ios::app) << "{\"seq\":4,\"ts\":1";
  FaultInjectionEnv env;
  env.Arm(FaultInjectionEnv::kTruncate, 1, "log.aof");
  EXPECT_THROW(NEDB(dir.db(), Quiet(&env)), IOError);
  ExpectReopenHas(dir.db(), acked);
}

// ---- counters and clock ----

TEST(FaultInjection, CountsAppendsAndFsyncs) {
  ScratchDir dir;
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env));
  const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
  const std::uint64_t syncs = env.count(FaultInjectionEnv::kSync);
  for (int i = 0; i < 5; ++i) db.put("c", "k" + std::to_string(i), Doc(i));
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 5);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 5);  // Sync::Always, one writer
}

// ---- atomic(): one write() per group ----

TEST(FaultInjection, AtomicGroupIsOneAppendAndDeferredSyncWaitsForFlush) {
  ScratchDir dir;
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env));
  const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
  const std::uint64_t syncs = env.count(FaultInjectionEnv::kSync);
  db.atomic([&] {
    for (int i = 0; i < 20; ++i) db.put("c", "k" + std::to_string(i), Doc(i));
  });
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 1);
  // kDefer: the groups wait in the process for flush(), which writes them
  // all with one write() and one fsync.
  const std::uint64_t size = FileSize(dir.db() + "/log.aof");
  json d, e;
  db.atomic([&] { d = db.put("c", "d", Doc(1)); }, nedb::AtomicSync::kDefer);
  db.atomic([&] { e = db.put("c", "e", Doc(2)); }, nedb::AtomicSync::kDefer);
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 1);
  EXPECT_EQ(FileSize(dir.db() + "/log.aof"), size);
  EXPECT_EQ(db.get("c", "e"), e);  // visible before it is written
  db.flush();
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 2);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 2);
  EXPECT_GT(FileSize(dir.db() + "/log.aof"), size);
  db.flush();  // nothing left: no write, one fsync of nothing new at most
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 2);
  EXPECT_TRUE(db.verify());
  db.close();
  ExpectReopenHas(dir.db(), {{"d", d}, {"e", e}});
}

TEST(FaultInjection, DeferredGroupsAreWrittenFirstByAnythingElseThatTouchesTheLog) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> all;
  NEDB db(dir.db(), Quiet(&env));
  int n = 0;
  auto defer = [&] {
    const std::string id = "k" + std::to_string(n);
    db.atomic([&] { all[id] = db.put("c", id, Doc(n)); }, nedb::AtomicSync::kDefer);
    ++n;
  };
  auto appends = [&] { return env.count(FaultInjectionEnv::kAppend); };
  // A plain put: the deferred group and the put in one write, in chain order.
  defer();
  std::uint64_t a = appends();
  all["p"] = db.put("c", "p", Doc(100));
  EXPECT_EQ(appends(), a + 1);
  // A kWait group: the same.
  defer();
  a = appends();
  db.atomic([&] { all["q"] = db.put("c", "q", Doc(101)); });
  EXPECT_EQ(appends(), a + 1);
  // verify(), log() and checkpoint() read or extend the file: they write it first.
  defer();
  a = appends();
  EXPECT_TRUE(db.verify());
  EXPECT_EQ(appends(), a + 1);
  defer();
  EXPECT_EQ(db.log(1).at(0)["id"], "k3");
  defer();
  EXPECT_TRUE(db.verify_determinism());
  defer();
  db.checkpoint();
  // close() writes and syncs the last ones.
  defer();
  const std::uint64_t syncs = env.count(FaultInjectionEnv::kSync);
  db.close();
  EXPECT_GT(env.count(FaultInjectionEnv::kSync), syncs);
  ExpectReopenHas(dir.db(), all);
  NEDB again(dir.db(), Quiet(nullptr));
  EXPECT_EQ(again.seq(), 1u + 9u);  // 9 puts and the checkpoint op
}

TEST(FaultInjection, FailedWriteOfDeferredGroupsFailsFlushAndReopenHasNoneOfThem) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> acked;
  {
    NEDB db(dir.db(), Quiet(&env));
    acked["k0"] = db.put("c", "k0", Doc(0));
    db.atomic([&] { db.put("c", "k1", Doc(1)); }, nedb::AtomicSync::kDefer);
    db.atomic([&] { db.put("c", "k2", Doc(2)); }, nedb::AtomicSync::kDefer);
    const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
    env.Arm(FaultInjectionEnv::kAppend, 1, "log.aof", false, std::optional<std::size_t>(7));
    EXPECT_THROW(db.flush(), IOError);  // nothing of k1, k2 may be acknowledged
    EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
    EXPECT_THROW(db.put("c", "k3", Doc(3)), IOError);
    EXPECT_THROW(db.flush(), IOError);  // still: the log lacks what the state has
  }
  ExpectReopenHas(dir.db(), acked);
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_EQ(db.seq(), 1u);
  EXPECT_EQ(db.get("c", "k1"), std::nullopt);
}

TEST(FaultInjection, DeferOnlyHoldsLinesBackUnderSyncAlways) {
  for (Sync sync : {Sync::None, Sync::EverySec}) {
    ScratchDir dir;
    FaultInjectionEnv env;
    NEDB db(dir.db(), Quiet(&env, sync));
    const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
    db.atomic([&] { db.put("c", "k", Doc(1)); }, nedb::AtomicSync::kDefer);
    EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);  // in the OS at once
  }
}

TEST(FaultInjection, AtomicGroupLargerThanTheBufferIsWrittenInPieces) {
  ScratchDir dir;
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env));
  const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
  const std::string big(100000, 'b');
  db.atomic([&] {
    for (int i = 0; i < 25; ++i) db.put("c", "k" + std::to_string(i), {{"big", big}});
    // flush() inside atomic() makes the group so far durable.
    db.flush();
  });
  // 2.5 MB of lines in 1 MiB pieces: 3 appends (two when the buffer fills, one at the end).
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 3);
  db.close();
  NEDB again(dir.db(), Quiet(nullptr));
  EXPECT_EQ(again.seq(), 25u);
  EXPECT_TRUE(again.verify());
}

TEST(FaultInjection, FailedWriteOfAnAtomicGroupRefusesWritesAndReopenHasNoneOfIt) {
  for (std::optional<std::size_t> short_bytes :
       {std::optional<std::size_t>(), std::optional<std::size_t>(0),
        std::optional<std::size_t>(500)}) {
    ScratchDir dir;
    FaultInjectionEnv env;
    std::map<std::string, json> acked;
    {
      NEDB db(dir.db(), Quiet(&env));
      acked["k0"] = db.put("c", "k0", Doc(0));
      env.Arm(FaultInjectionEnv::kAppend, 1, "log.aof", false, short_bytes);
      EXPECT_THROW(db.atomic([&] {
        for (int i = 1; i < 10; ++i) db.put("c", "k" + std::to_string(i), Doc(i));
      }),
                   IOError);
      // The group's ops were applied (fn saw them) but are not in the log:
      // the database refuses writes until it is reopened.
      EXPECT_THROW(db.put("c", "k10", Doc(10)), IOError);
      EXPECT_THROW(db.atomic([&] { db.put("c", "k11", Doc(11)); }), IOError);
      EXPECT_EQ(db.get("c", "k0"), acked["k0"]);
    }
    ExpectReopenHas(dir.db(), acked);
    NEDB db(dir.db(), Quiet(nullptr));
    EXPECT_EQ(db.seq(), 1u);
    EXPECT_EQ(db.get("c", "k1"), std::nullopt);
  }
}

TEST(FaultInjection, WritesAfterAFailedPieceOfAnAtomicGroupThrowAndTheChainStaysWhole) {
  ScratchDir dir;
  FaultInjectionEnv env;
  {
    NEDB db(dir.db(), Quiet(&env));
    db.put("c", "k0", Doc(0));
    env.Arm(FaultInjectionEnv::kAppend, 1, "log.aof");
    const std::string big(100000, 'b');
    int failed_at = -1;
    EXPECT_THROW(db.atomic([&] {
      for (int i = 1; i < 30; ++i) {
        try {
          db.put("c", "k" + std::to_string(i), {{"big", big}});
        } catch (const IOError&) {
          if (failed_at < 0) failed_at = i;  // the 1 MiB piece could not be written
          continue;                          // a caller that swallows it and writes on
        }
      }
    }),
                 IOError);
    EXPECT_GT(failed_at, 1);
  }
  NEDB db(dir.db(), Quiet(nullptr));  // no gap in the chain: it opens and verifies
  EXPECT_EQ(db.seq(), 1u);
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

TEST(FaultInjection, ControlledClockStampsEveryOp) {
  ScratchDir dir;
  FaultInjectionEnv env;
  env.SetNowMicros(1'700'000'000'123'456);
  {
    NEDB db(dir.db(), Quiet(&env));
    db.put("c", "k0", Doc(0));
    env.AdvanceMicros(5'000'000);
    db.put("c", "k1", Doc(1));
  }
  std::istringstream lines(ReadFile(dir.log()));
  std::vector<std::int64_t> ts;
  for (std::string line; std::getline(lines, line);) ts.push_back(json::parse(line)["ts"]);
  EXPECT_EQ(ts,
            (std::vector<std::int64_t>{1'700'000'000'123, 1'700'000'000'123, 1'700'000'005'123}));
}

}  // namespace
