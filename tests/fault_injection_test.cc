// SPDX-License-Identifier: Apache-2.0
// Failed and short writes, failed fsyncs, failed opens and failed in-place
// rewrites (erase), injected through Options::env into the v2 log (segment
// files DIR/log/NNNNNNNN.seg). The invariant everywhere: a write that
// returned normally is on disk after a reopen (after a failed fsync: also
// when everything the failed fsync did not cover is lost), no partial record
// is left in a segment, a reopen reads exactly the ops the log holds, and
// verify() holds with the reopened root the root the live database had at
// that size.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fault_env.h"
#include "log/v2/log_verifier.h"
#include "log/v2/segment_format.h"
#include "log/v2/segment_reader.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using nedb::IOError;
using nedb::NEDB;
using nedb::Options;
using nedb::Sync;
using nedb_test::FaultInjectionEnv;
using json = nlohmann::json;

using ScratchDir = nedb::test::DbDir;
using nedb::test::ReadFile;

std::string LogDir(const ScratchDir& d) { return d.db() + "/" + std::string(nedb::logv2::kLogDir); }
std::string Segment(const ScratchDir& d, std::uint32_t n = 1) {
  return LogDir(d) + "/" + nedb::logv2::SegmentFileName(n);
}

std::uint64_t FileSize(const std::string& path) { return fs::file_size(path); }

json Doc(int i) { return {{"i", i}, {"pad", std::string(static_cast<std::size_t>(i % 40), 'p')}}; }

Options Quiet(FaultInjectionEnv* env, Sync sync = Sync::Always) {
  return Options{.sync = sync, .env = env, .logger = [](const std::string&) {}};
}

// root(n) of the live database for n = 1 .. seq() + 1: what it committed to.
std::vector<std::string> Roots(const NEDB& db) {
  std::vector<std::string> roots;
  for (std::uint64_t n = 1; n <= db.seq() + 1; ++n) roots.push_back(db.root(n));
  return roots;
}

// The number of records in the segments on disk (genesis included), all of
// which check out (CRCs, decoding, digests, erasure rule), with no partial
// record after them.
std::uint64_t WholeRecords(const ScratchDir& dir) {
  const nedb::logv2::VerifyLogReport r = nedb::logv2::VerifyLog(nedb::Env::Default(), LogDir(dir));
  EXPECT_TRUE(r.ok) << r.error << " (" << r.file << " at " << r.offset << ")";
  EXPECT_FALSE(r.torn_tail.has_value()) << "a partial record was left in " << r.torn_tail->file
                                        << " at offset " << r.torn_tail->offset;
  return r.ops;
}
void ExpectWholeRecords(const ScratchDir& dir, std::uint64_t ops) {
  EXPECT_EQ(WholeRecords(dir), ops);
}

// Reopens dir with the real Env and checks the acknowledged puts of "c".
// With the live database's roots: the reopened log is a prefix of what it
// committed to (the reopened head is its root at that size).
void ExpectReopenHas(const std::string& dir, const std::map<std::string, json>& acked,
                     const std::vector<std::string>& live_roots = {}) {
  NEDB db(dir, Quiet(nullptr));
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_GE(db.seq(), acked.size());
  for (const auto& [id, doc] : acked) EXPECT_EQ(db.get("c", id), doc) << id;
  if (!live_roots.empty()) {
    ASSERT_LT(db.seq(), live_roots.size()) << "the reopened log has ops the live one did not";
    EXPECT_EQ(db.head(), live_roots[db.seq()]) << "the reopened log is not the live one's prefix";
  }
}

// ---- short and failed writes ----

TEST(FaultInjection, ShortWriteOfNthAppendThrowsAndLeavesNoPartialRecord) {
  for (int n : {1, 2, 3, 5, 8}) {
    for (std::size_t short_bytes : {0, 1, 40, 100000}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " short=" + std::to_string(short_bytes));
      ScratchDir dir;
      FaultInjectionEnv env;
      std::map<std::string, json> acked;
      std::vector<std::string> failed;
      std::vector<std::string> roots;
      {
        NEDB db(dir.db(), Quiet(&env));
        env.Arm(FaultInjectionEnv::kAppend, n, ".seg", false, short_bytes);
        for (int i = 0; i < n + 3; ++i) {
          const std::string id = "k" + std::to_string(i);
          const std::uint64_t before = FileSize(Segment(dir));
          const std::string head = db.head();
          try {
            acked[id] = db.put("c", id, Doc(i));
          } catch (const IOError&) {
            failed.push_back(id);
            EXPECT_EQ(FileSize(Segment(dir)), before) << "partial record left in the segment";
            ExpectWholeRecords(dir, acked.size() + 1);
            EXPECT_EQ(db.get("c", id), std::nullopt) << "a failed put was applied";
            EXPECT_EQ(db.head(), head) << "a failed put has a leaf";
          }
        }
        ASSERT_FALSE(failed.empty());
        EXPECT_EQ(failed.front(), "k" + std::to_string(n - 1));
        EXPECT_EQ(db.seq(), acked.size());
        EXPECT_TRUE(db.verify());
        EXPECT_TRUE(db.verify_determinism());
        roots = Roots(db);
      }
      ExpectWholeRecords(dir, acked.size() + 1);
      ExpectReopenHas(dir.db(), acked, roots);
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
  std::vector<std::string> roots;
  {
    NEDB db(dir.db(), Quiet(&env));
    acked["k0"] = db.put("c", "k0", Doc(0));
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, 30);
    env.Arm(FaultInjectionEnv::kTruncate, 1, ".seg");
    const std::uint64_t before = FileSize(Segment(dir));
    EXPECT_THROW(db.put("c", "k1", Doc(1)), IOError);
    EXPECT_EQ(FileSize(Segment(dir)), before + 30);    // the partial record could not be cut
    EXPECT_THROW(db.put("c", "k2", Doc(2)), IOError);  // the writer is broken
    EXPECT_THROW(db.link("c:k0", "r", "c:k1"), IOError);
    EXPECT_EQ(db.get("c", "k0"), acked["k0"]);  // reads still work
    EXPECT_EQ(db.seq(), 1u);
    EXPECT_TRUE(db.verify());  // reads only up to the last whole op
    roots = Roots(db);
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
  ExpectWholeRecords(dir, 2);  // the reopen cut it
  ExpectReopenHas(dir.db(), acked, roots);
}

// ---- failed fsync ----

TEST(FaultInjection, FailedFsyncIsStickyForWritesWhileReadsKeepWorking) {
  for (int n : {1, 2, 3, 7}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    ScratchDir dir;
    FaultInjectionEnv env;
    std::map<std::string, json> acked;
    std::vector<std::string> roots;
    {
      NEDB db(dir.db(), Quiet(&env));
      env.Arm(FaultInjectionEnv::kSync, n, ".seg");
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
      const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
      EXPECT_THROW(db.put("c", "later", Doc(99)), IOError);
      EXPECT_THROW(db.link("c:k0", "r", "c:later"), IOError);
      if (acked.count("k0")) {
        EXPECT_THROW(db.remove("c", "k0"), IOError);
      }
      EXPECT_THROW(db.flush(), IOError);
      EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends) << "written after a failed fsync";
      for (const auto& [id, doc] : acked) EXPECT_EQ(db.get("c", id), doc) << id;
      EXPECT_EQ(db.get("c", "later"), std::nullopt);
      EXPECT_TRUE(db.verify());
      EXPECT_TRUE(db.verify_determinism());
      roots = Roots(db);
      EXPECT_THROW(db.close(), IOError) << "close must report the failed fsync";
    }
    // The failed fsync may have lost every byte since the last good one.
    env.DropUnsyncedData(".seg");
    EXPECT_GE(WholeRecords(dir), acked.size() + 1);
    ExpectReopenHas(dir.db(), acked, roots);
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
    std::vector<std::string> roots;
    {
      NEDB db(dir.db(), Quiet(&env));
      env.Arm(FaultInjectionEnv::kSync, n, ".seg");
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
      roots = Roots(db);
      try {
        db.close();
      } catch (const IOError&) {
      }
    }
    // Everything the failed fsync (and any later one) did not cover is lost;
    // every acknowledged put was covered by a good one.
    env.DropUnsyncedData(".seg");
    std::map<std::string, json> all;
    for (const auto& m : acked) all.insert(m.begin(), m.end());
    ExpectReopenHas(dir.db(), all, roots);
  }
}

TEST(FaultInjection, EverySecBackgroundFsyncFailureFailsALaterWrite) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> acked;
  std::vector<std::string> roots;
  {
    NEDB db(dir.db(), Quiet(&env, Sync::EverySec));
    env.Arm(FaultInjectionEnv::kSync, 1, ".seg");
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
    EXPECT_EQ(env.fired(), 1u);  // the background fsync's
    EXPECT_EQ(db.get("c", "k0"), acked["k0"]);
    roots = Roots(db);
    EXPECT_THROW(db.close(), IOError);
  }
  ExpectWholeRecords(dir, roots.size());  // nothing written after the failure
  ExpectReopenHas(dir.db(), acked, roots);
}

TEST(FaultInjection, SyncNoneReportsAFailedFsyncFromFlush) {
  ScratchDir dir;
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env, Sync::None));
  const std::uint64_t syncs = env.count(FaultInjectionEnv::kSync);
  db.put("c", "k0", Doc(0));
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs);  // Sync::None: flush() fsyncs
  env.Arm(FaultInjectionEnv::kSync, 1, ".seg");
  EXPECT_THROW(db.flush(), IOError);
  EXPECT_EQ(env.fired(), 1u);
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
      {FaultInjectionEnv::kCreateDir, 1, "", {}},      // the database directory
      {FaultInjectionEnv::kCreateDir, 1, "/log", {}},  // the log directory
      {FaultInjectionEnv::kOpen, 1, ".seg", {}},       // segment 1
      {FaultInjectionEnv::kAppend, 1, ".seg", {}},     // its header
      {FaultInjectionEnv::kAppend, 1, ".seg", 20},     // its header, cut short
      {FaultInjectionEnv::kSyncDir, 1, "/log", {}},    // the log directory's fsync after it
      {FaultInjectionEnv::kAppend, 2, ".seg", {}},     // genesis
      {FaultInjectionEnv::kAppend, 2, ".seg", 20},     // genesis, cut short
      {FaultInjectionEnv::kSync, 1, ".seg", {}},       // genesis fsync
      {FaultInjectionEnv::kSyncDir, 2, "", {}},        // the database directory's fsync after it
      {FaultInjectionEnv::kAppend, 1, "meta.json", {}},
      {FaultInjectionEnv::kSync, 1, "meta.json", {}},
      {FaultInjectionEnv::kRename, 1, "meta.json", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("call=" + std::to_string(c.call) + " nth=" + std::to_string(c.nth) + " " +
                 c.path_part + " short=" + std::to_string(c.short_bytes.value_or(0)));
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
    ExpectWholeRecords(dir, 3);
  }
}

TEST(FaultInjection, FailedTruncateOfATornTailAtOpenThrowsAndALaterOpenRecovers) {
  ScratchDir dir;
  std::map<std::string, json> acked;
  std::vector<std::string> roots;
  {
    NEDB db(dir.db(), Quiet(nullptr));
    for (int i = 0; i < 3; ++i)
      acked["k" + std::to_string(i)] = db.put("c", "k" + std::to_string(i), Doc(i));
    roots = Roots(db);
  }
  // A crash in the middle of appending a fourth record: the first half of
  // the last frame again.
  nedb::logv2::SegmentReader reader(nedb::Env::Default(), LogDir(dir));
  nedb::logv2::OpRecord rec;
  nedb::logv2::RecordLocation loc, last;
  while (reader.Next(&rec, &loc)) last = loc;
  loc = last;
  const std::string whole = ReadFile(Segment(dir));
  ASSERT_EQ(loc.offset + loc.size, whole.size());
  std::ofstream(Segment(dir), std::ios::app | std::ios::binary)
      << whole.substr(loc.offset, loc.size / 2);
  FaultInjectionEnv env;
  env.Arm(FaultInjectionEnv::kTruncate, 1, ".seg");
  EXPECT_THROW(NEDB(dir.db(), Quiet(&env)), IOError);
  EXPECT_EQ(env.fired(), 1u);
  EXPECT_EQ(FileSize(Segment(dir)), whole.size() + loc.size / 2);  // still torn
  ExpectReopenHas(dir.db(), acked, roots);
  ExpectWholeRecords(dir, 4);  // that open cut it
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_EQ(db.seq(), 3u);
  EXPECT_EQ(db.head(), roots.back());
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
  const std::uint64_t size = FileSize(Segment(dir));
  json d, e;
  db.atomic([&] { d = db.put("c", "d", Doc(1)); }, nedb::AtomicSync::kDefer);
  db.atomic([&] { e = db.put("c", "e", Doc(2)); }, nedb::AtomicSync::kDefer);
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 1);
  EXPECT_EQ(FileSize(Segment(dir)), size);
  EXPECT_EQ(db.get("c", "e"), e);  // visible before it is written
  db.flush();
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 2);
  EXPECT_EQ(env.count(FaultInjectionEnv::kSync), syncs + 2);
  EXPECT_GT(FileSize(Segment(dir)), size);
  ExpectWholeRecords(dir, 1 + 20 + 2);
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
  // A plain put: the deferred group and the put in one write, in seq order.
  defer();
  std::uint64_t a = appends();
  all["p"] = db.put("c", "p", Doc(100));
  EXPECT_EQ(appends(), a + 1);
  // A kWait group: the same.
  defer();
  a = appends();
  db.atomic([&] { all["q"] = db.put("c", "q", Doc(101)); });
  EXPECT_EQ(appends(), a + 1);
  // verify(), log() and checkpoint() read or extend the log: they write it first.
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
  const std::vector<std::string> roots = Roots(db);
  db.close();
  EXPECT_GT(env.count(FaultInjectionEnv::kSync), syncs);
  ExpectReopenHas(dir.db(), all, roots);
  NEDB again(dir.db(), Quiet(nullptr));
  EXPECT_EQ(again.seq(), 1u + 9u);  // 9 puts and the checkpoint op
  EXPECT_EQ(again.head(), roots.back());
}

TEST(FaultInjection, FailedWriteOfDeferredGroupsFailsFlushAndReopenHasNoneOfThem) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::map<std::string, json> acked;
  std::vector<std::string> roots;
  {
    NEDB db(dir.db(), Quiet(&env));
    acked["k0"] = db.put("c", "k0", Doc(0));
    db.atomic([&] { db.put("c", "k1", Doc(1)); }, nedb::AtomicSync::kDefer);
    db.atomic([&] { db.put("c", "k2", Doc(2)); }, nedb::AtomicSync::kDefer);
    const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, std::optional<std::size_t>(7));
    EXPECT_THROW(db.flush(), IOError);  // nothing of k1, k2 may be acknowledged
    EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
    ExpectWholeRecords(dir, 2);  // the 7 bytes were cut
    EXPECT_THROW(db.put("c", "k3", Doc(3)), IOError);
    EXPECT_THROW(db.flush(), IOError);  // still: the log lacks what the state has
    roots = Roots(db);
  }
  ExpectReopenHas(dir.db(), acked, roots);
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_EQ(db.seq(), 1u);
  EXPECT_EQ(db.get("c", "k1"), std::nullopt);
}

TEST(FaultInjection, DeferOnlyHoldsRecordsBackUnderSyncAlways) {
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
  // 2.5 MB of records in 1 MiB pieces: 3 appends (two when the buffer fills, one at the end).
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 3);
  db.close();
  ExpectWholeRecords(dir, 26);
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
    std::vector<std::string> roots;
    {
      NEDB db(dir.db(), Quiet(&env));
      acked["k0"] = db.put("c", "k0", Doc(0));
      env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, short_bytes);
      EXPECT_THROW(db.atomic([&] {
        for (int i = 1; i < 10; ++i) db.put("c", "k" + std::to_string(i), Doc(i));
      }),
                   IOError);
      ExpectWholeRecords(dir, 2);
      // The group's ops were applied (fn saw them) but are not in the log:
      // the database refuses writes until it is reopened.
      EXPECT_THROW(db.put("c", "k10", Doc(10)), IOError);
      EXPECT_THROW(db.atomic([&] { db.put("c", "k11", Doc(11)); }), IOError);
      EXPECT_EQ(db.get("c", "k0"), acked["k0"]);
      roots = Roots(db);
    }
    ExpectReopenHas(dir.db(), acked, roots);
    NEDB db(dir.db(), Quiet(nullptr));
    EXPECT_EQ(db.seq(), 1u);
    EXPECT_EQ(db.get("c", "k1"), std::nullopt);
  }
}

TEST(FaultInjection, WritesAfterAFailedPieceOfAnAtomicGroupThrowAndTheLogStaysWhole) {
  ScratchDir dir;
  FaultInjectionEnv env;
  std::vector<std::string> roots;
  {
    NEDB db(dir.db(), Quiet(&env));
    db.put("c", "k0", Doc(0));
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg");
    const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
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
    EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1) << "written after the failure";
    roots = Roots(db);
  }
  ExpectWholeRecords(dir, 2);  // no gap, nothing partial
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_EQ(db.seq(), 1u);
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_EQ(db.head(), roots[1]);
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
  nedb::logv2::SegmentReader reader(nedb::Env::Default(), LogDir(dir));
  nedb::logv2::OpRecord rec;
  std::vector<std::int64_t> ts;
  while (reader.Next(&rec)) ts.push_back(rec.ts);
  EXPECT_EQ(ts,
            (std::vector<std::int64_t>{1'700'000'000'123, 1'700'000'000'123, 1'700'000'005'123}));
}

// ---- erase(): the erase op is durable, then records are rewritten in place ----

// True if any file under dir contains needle.
bool DirContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadFile(e.path().string()).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

const std::string kSecret = "s3cr3t-canary-0b5e";

// Two versions of c/u holding kSecret and another document. Returns the
// seqs of the two versions.
std::vector<std::uint64_t> WriteSecret(NEDB& db) {
  std::vector<std::uint64_t> seqs;
  seqs.push_back(db.put_text("c", "u", R"({"_id":"u","email":")" + kSecret + R"(","n":1})"));
  db.put("c", "other", Doc(1));
  seqs.push_back(db.put_text("c", "u", R"({"_id":"u","email":")" + kSecret + R"(x","n":2})"));
  return seqs;
}

// A failed rewrite of an erased record (after the erase op is durable):
// erase() throws, and the next open finishes the erasure -- every record,
// and the copies outside the log (a snapshot taken before the erase) --
// with the history unchanged.
TEST(FaultInjection, FailedRewriteDuringEraseThrowsAndTheNextOpenFinishesIt) {
  struct Case {
    int nth;                                 // which record's rewrite fails
    std::optional<std::size_t> short_bytes;  // all of it: written, then its fdatasync failed
    bool snapshot;                           // a checkpoint before the erase
  };
  constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
  // short_bytes 20: the rewrite tore the frame in place (a bad CRC in the
  // middle of the log until the journal is replayed).
  for (const Case c :
       {Case{1, {}, false}, Case{2, {}, false}, Case{1, kAll, false}, Case{1, {}, true},
        Case{2, kAll, true}, Case{1, 20, false}, Case{2, 20, true}}) {
    SCOPED_TRACE("nth=" + std::to_string(c.nth) +
                 " short=" + std::to_string(c.short_bytes.has_value()) +
                 " snapshot=" + std::to_string(c.snapshot));
    ScratchDir dir;
    FaultInjectionEnv env;
    std::vector<std::uint64_t> versions;
    std::vector<std::string> roots;
    json other;
    {
      NEDB db(dir.db(), Quiet(&env));
      versions = WriteSecret(db);
      if (c.snapshot) db.checkpoint();
      other = *db.get("c", "other");
      env.Arm(FaultInjectionEnv::kRewrite, c.nth, ".seg", false, c.short_bytes);
      EXPECT_THROW(db.erase("c", "u", {.reason = "test"}), IOError);
      EXPECT_EQ(env.fired(), 1u);
      EXPECT_EQ(db.get("c", "u"), std::nullopt);  // erased in memory
      EXPECT_TRUE(DirContains(dir.db(), kSecret)) << "the failure left nothing to finish";
      roots = Roots(db);
    }
    // The erase op was durable before the first rewrite.
    env.DropUnsyncedData(".seg");
    std::vector<std::string> logged;
    {
      NEDB db(dir.db(), {.logger = [&](const std::string& m) { logged.push_back(m); }});
      EXPECT_FALSE(DirContains(dir.db(), kSecret)) << "the open did not finish the erasure";
      EXPECT_EQ(db.seq() + 1, roots.size());
      EXPECT_EQ(db.head(), roots.back());  // erasure changes no leaf
      EXPECT_TRUE(db.verify());
      EXPECT_TRUE(db.verify_determinism());
      EXPECT_EQ(db.get("c", "u"), std::nullopt);
      for (std::uint64_t s : versions) EXPECT_THROW(db.get("c", "u", s), nedb::ErasedError) << s;
      EXPECT_EQ(db.get("c", "other"), other);
    }
    // The failed rewrite was journaled first: the open redid it from the
    // journal; a record never reached was finished from the erase op.
    bool redid = false, finished = false;
    for (const auto& m : logged) {
      redid |= m.find("redid the rewrite") != std::string::npos;
      finished |= m.find("finished the interrupted erase") != std::string::npos;
    }
    EXPECT_TRUE(redid);
    EXPECT_EQ(finished, c.nth == 1) << "which records it finished";
    ExpectWholeRecords(dir, roots.size());
  }
}

// The same in a directory upgraded from a log format v1 (the fixture the
// last v1 engine wrote): the upgrade kept log.aof aside as log.aof.v1, which
// holds the payload too; the open that finishes the erasure removes it, as
// erase() does.
// A database opened from a snapshot reads AS OF before it from a history
// replayed from the records. After an erase whose rewrite failed, that
// history must not show the payloads the erase op removed, though some
// records still hold them until the next open.
TEST(FaultInjection, FailedRewriteLeavesNoErasedPayloadInTheReplayedHistory) {
  ScratchDir dir;
  std::vector<std::uint64_t> versions;
  {
    NEDB db(dir.db(), Quiet(nullptr));
    versions = WriteSecret(db);
    db.checkpoint();
  }
  FaultInjectionEnv env;
  NEDB db(dir.db(), Quiet(&env));              // from the snapshot: versions are history
  ASSERT_TRUE(db.get("c", "u", versions[0]));  // the history is built
  env.Arm(FaultInjectionEnv::kRewrite, 1, ".seg");
  EXPECT_THROW(db.erase("c", "u"), IOError);
  for (std::uint64_t s : versions) EXPECT_THROW(db.get("c", "u", s), nedb::ErasedError) << s;
  EXPECT_THROW(db.query("FROM c AS OF " + std::to_string(versions[0])), nedb::ErasedError);
}

TEST(FaultInjection, FailedRewriteDuringEraseOfAnUpgradedDatabaseAndTheNextOpenDropsTheV1Log) {
  const std::string street = "Unter den Linden 1";  // in users/alice's first version only
  ScratchDir dir;
  fs::create_directories(dir.db());
  for (const auto& e : fs::directory_iterator(std::string(NEDB_V1_FIXTURE_DIR) + "/db")) {
    fs::copy_file(e.path(), fs::path(dir.db()) / e.path().filename());
  }
  std::vector<std::string> roots;
  {
    FaultInjectionEnv env;
    NEDB db(dir.db(), Quiet(&env));  // upgrades it
    ASSERT_TRUE(fs::exists(dir.db() + "/log.aof.v1"));
    env.Arm(FaultInjectionEnv::kRewrite, 1, ".seg");
    EXPECT_THROW(db.erase("users", "alice"), IOError);
    EXPECT_EQ(env.fired(), 1u);
    roots = Roots(db);
  }
  ASSERT_TRUE(DirContains(dir.db(), street));
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_FALSE(fs::exists(dir.db() + "/log.aof.v1"));
  EXPECT_FALSE(DirContains(dir.db(), street)) << "the open did not finish the erasure";
  EXPECT_EQ(db.get("users", "alice"), std::nullopt);
  EXPECT_EQ(db.head(), roots.back());
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

// A failed rewrite while an open finishes an interrupted erasure: that open
// throws, the next one finishes it.
TEST(FaultInjection, FailedRewriteWhileOpenFinishesAnEraseThrowsAndALaterOpenFinishesIt) {
  ScratchDir dir;
  {
    FaultInjectionEnv env;
    NEDB db(dir.db(), Quiet(&env));
    WriteSecret(db);
    env.Arm(FaultInjectionEnv::kRewrite, 1, ".seg");
    EXPECT_THROW(db.erase("c", "u"), IOError);
  }
  FaultInjectionEnv env;
  env.Arm(FaultInjectionEnv::kRewrite, 2, ".seg");
  EXPECT_THROW(NEDB(dir.db(), Quiet(&env)), IOError);
  EXPECT_EQ(env.fired(), 1u);
  EXPECT_TRUE(DirContains(dir.db(), kSecret));
  NEDB db(dir.db(), Quiet(nullptr));
  EXPECT_FALSE(DirContains(dir.db(), kSecret));
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

// The erase op's fsync fails: erase() throws before any record is
// rewritten (a record erased by an op that may not survive would break the
// log), and later writes fail. Whether the erase op's bytes survive or not,
// the next open gives a log that verifies: the erasure finished, or the
// document as it was.
TEST(FaultInjection, FailedFsyncOfTheEraseOpThrowsAndRewritesNothing) {
  for (bool lost : {false, true}) {
    SCOPED_TRACE(lost ? "unsynced bytes lost" : "unsynced bytes kept");
    ScratchDir dir;
    FaultInjectionEnv env;
    std::vector<std::uint64_t> versions;
    std::vector<std::string> roots;
    std::optional<json> u;
    // A segment per record (op seq s in segment s + 1): the erase op is not
    // in a segment of the records it erases, so a rewrite's fdatasync would
    // not make it durable too.
    Options o = Quiet(&env);
    o.segment_bytes = 1;
    {
      NEDB db(dir.db(), o);
      versions = WriteSecret(db);
      u = db.get("c", "u");
      const std::uint64_t rewrites = env.count(FaultInjectionEnv::kRewrite);
      const std::uint64_t erase_seq = db.seq() + 1;
      env.Arm(FaultInjectionEnv::kSync, 1,
              nedb::logv2::SegmentFileName(static_cast<std::uint32_t>(erase_seq + 1)));
      EXPECT_THROW(db.erase("c", "u"), IOError);
      EXPECT_EQ(env.fired(), 1u);
      EXPECT_EQ(db.seq(), erase_seq);
      EXPECT_EQ(env.count(FaultInjectionEnv::kRewrite), rewrites) << "rewrote before the fsync";
      EXPECT_TRUE(DirContains(dir.db(), kSecret));
      EXPECT_THROW(db.put("c", "later", Doc(2)), IOError);  // sticky
      roots = Roots(db);
      EXPECT_THROW(db.close(), IOError);
    }
    if (lost) env.DropUnsyncedData(".seg");
    NEDB db(dir.db(), Quiet(nullptr));
    EXPECT_TRUE(db.verify());
    EXPECT_TRUE(db.verify_determinism());
    EXPECT_EQ(db.head(), roots[db.seq()]);
    if (lost) {  // the erase op is gone: nothing was erased
      EXPECT_EQ(db.seq() + 2, roots.size());
      EXPECT_EQ(db.get("c", "u"), u);
      EXPECT_EQ(db.get("c", "u", versions[0])->at("n"), 1);
      EXPECT_TRUE(DirContains(dir.db(), kSecret));
    } else {  // it survived: the open finished it
      EXPECT_EQ(db.seq() + 1, roots.size());
      EXPECT_EQ(db.get("c", "u"), std::nullopt);
      EXPECT_FALSE(DirContains(dir.db(), kSecret));
    }
  }
}

}  // namespace
