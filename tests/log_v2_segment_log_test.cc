// SPDX-License-Identifier: Apache-2.0
// SegmentLog: the engine's log over v2 segments. Appends read back at their
// locations, batching and deferred batches, group commit from many threads
// (checked against what each fsync covered), the EverySec syncer, injected
// write and fsync failures, in-place erasure, and damaged frames. Every test
// runs on the POSIX Env and on Env::NewMemEnv().
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "fault_env.h"
#include "log/v2/frame.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_log.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "log_v2_random_ops.h"
#include "nedb/errors.h"
#include "test_util.h"

namespace nedb::logv2 {
namespace {

using nedb::test::TempDir;
using nedb_test::Encoded;
using nedb_test::FaultInjectionEnv;
using nedb_test::RandomOps;

// Tracks, per file, how many of its bytes an fsync covered: the size the
// file had (appends that had returned) when its Sync() began. Each Sync()
// takes at least sync_delay (a disk's fsync; the MemEnv's takes no time).
class SyncTrackingEnv : public EnvWrapper {
 public:
  explicit SyncTrackingEnv(Env* target,
                           std::chrono::microseconds sync_delay = std::chrono::microseconds(0))
      : EnvWrapper(target), sync_delay_(sync_delay) {}

  std::uint64_t durable(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return 0;
    std::lock_guard<std::mutex> l2(it->second->mu);
    return it->second->durable;
  }

  std::unique_ptr<WritableFile> NewAppendableFile(const std::string& p) override {
    const std::uint64_t size = target()->FileExists(p) ? target()->GetFileSize(p) : 0;
    return std::make_unique<File>(this, Track(p, size), target()->NewAppendableFile(p));
  }
  std::unique_ptr<WritableFile> NewWritableFile(const std::string& p) override {
    return std::make_unique<File>(this, Track(p, 0), target()->NewWritableFile(p));
  }

 private:
  struct FileState {
    std::mutex mu;
    std::uint64_t size = 0;     // guarded by mu
    std::uint64_t durable = 0;  // guarded by mu
  };

  // Bytes already in a file that is opened are taken as durable.
  std::shared_ptr<FileState> Track(const std::string& path, std::uint64_t size) {
    auto s = std::make_shared<FileState>();
    s->size = s->durable = size;
    std::lock_guard<std::mutex> l(mu_);
    files_[path] = s;
    return s;
  }

  class File final : public WritableFile {
   public:
    File(SyncTrackingEnv* env, std::shared_ptr<FileState> s, std::unique_ptr<WritableFile> base)
        : env_(env), s_(std::move(s)), base_(std::move(base)) {}
    void Append(std::string_view data) override {
      base_->Append(data);
      std::lock_guard<std::mutex> l(s_->mu);
      s_->size += data.size();
    }
    void Sync() override {
      std::uint64_t size;
      {
        std::lock_guard<std::mutex> l(s_->mu);
        size = s_->size;
      }
      std::this_thread::sleep_for(env_->sync_delay_);
      base_->Sync();
      std::lock_guard<std::mutex> l(s_->mu);
      s_->durable = std::max(s_->durable, size);
    }
    void Truncate(std::uint64_t size) override {
      base_->Truncate(size);
      std::lock_guard<std::mutex> l(s_->mu);
      s_->size = size;
      s_->durable = std::min(s_->durable, size);
    }
    void Close() override { base_->Close(); }

   private:
    SyncTrackingEnv* env_;
    std::shared_ptr<FileState> s_;
    std::unique_ptr<WritableFile> base_;
  };

  const std::chrono::microseconds sync_delay_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // guarded by mu_
};

// Appends random records and remembers what succeeded.
struct Appender {
  explicit Appender(std::uint64_t seed) : gen(seed) {}
  RecordLocation Append(SegmentLog* log) {
    const OpRecord r = gen.Make(log->next_seq());
    const RecordLocation loc = log->Append(r);
    records.push_back(Encoded(r));
    locs.push_back(loc);
    return loc;
  }
  RandomOps gen;
  std::vector<std::string> records;
  std::vector<RecordLocation> locs;
};

class SegmentLogTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "mem") {
      mem_ = Env::NewMemEnv();
      env_ = mem_.get();
      env_->CreateDir("/mem");
      dir_ = "/mem/log";
    } else {
      env_ = Env::Default();
      dir_ = tmp_.sub("log");
    }
  }

  std::unique_ptr<SegmentLog> NewLog(Env* env, Sync policy, std::uint64_t segment_bytes = 4096) {
    return std::make_unique<SegmentLog>(env, SegmentWriter::Create(env, dir_, 0, {segment_bytes}),
                                        policy);
  }
  // The log as a reader finds it now.
  std::vector<std::string> Scan(std::vector<RecordLocation>* locs = nullptr) {
    SegmentReader r(env_, dir_);
    std::vector<std::string> out;
    OpRecord rec;
    RecordLocation loc;
    while (r.Next(&rec, &loc)) {
      out.push_back(Encoded(rec));
      if (locs) locs->push_back(loc);
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<Env> mem_;
  Env* env_ = nullptr;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Envs, SegmentLogTest, ::testing::Values("posix", "mem"));

void ExpectLocation(const RecordLocation& a, const RecordLocation& b) {
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.size, b.size);
}

TEST_P(SegmentLogTest, AppendsReadBackAtTheirLocationsAcrossSegments) {
  Appender a(1);
  {
    auto log = NewLog(env_, Sync::None, 1500);
    for (int i = 0; i < 300; i++) {
      const RecordLocation loc = a.Append(log.get());
      EXPECT_EQ(log->written_seq(), log->next_seq());
      ASSERT_EQ(log->ReadRecord(loc), a.records.back());
      if (i % 3 == 0) {  // an earlier one, maybe in an older segment
        const std::size_t j = static_cast<std::size_t>(i) * 7 % a.locs.size();
        ASSERT_EQ(log->ReadRecord(a.locs[j]), a.records[j]);
      }
    }
    EXPECT_GT(a.locs.back().segment, 20u);  // more segments than the cache keeps open
    for (std::size_t j = 0; j < a.locs.size(); j++) {
      ASSERT_EQ(log->ReadRecord(a.locs[j]), a.records[j]) << j;
    }
    EXPECT_EQ(log->SegmentPath(3), dir_ + "/00000003.seg");
    log->Close();
    EXPECT_EQ(log->ReadRecord(a.locs[5]), a.records[5]);  // still readable
  }
  std::vector<RecordLocation> locs;
  EXPECT_EQ(Scan(&locs), a.records);
  for (std::size_t j = 0; j < locs.size(); j++) ExpectLocation(locs[j], a.locs[j]);
  // Reopened, the log goes on where it ended.
  SegmentReader scanned(env_, dir_);
  OpRecord rec;
  while (scanned.Next(&rec)) {
  }
  SegmentLog log(env_, SegmentWriter::Open(env_, scanned, {1500}), Sync::Always);
  EXPECT_EQ(log.next_seq(), 300u);
  EXPECT_EQ(log.written_seq(), 300u);
  for (int i = 0; i < 20; i++) a.Append(&log);
  log.Flush();
  EXPECT_EQ(log.ReadRecord(a.locs[310]), a.records[310]);
  EXPECT_EQ(log.ReadRecord(a.locs[2]), a.records[2]);
  log.Close();
  EXPECT_EQ(Scan(), a.records);
}

TEST_P(SegmentLogTest, InvalidRecordsAppendNothing) {
  auto log = NewLog(env_, Sync::Always);
  Appender a(2);
  a.Append(log.get());
  EXPECT_THROW(log->Append(a.gen.Make(5)), InvalidArgument);  // not next_seq()
  OpRecord bad = a.gen.Make(1, static_cast<int>(Kind::kPut));
  bad.payload.state = PayloadState::kPlain;
  bad.payload.salt = "short";
  EXPECT_THROW(log->Append(bad), InvalidArgument);
  EXPECT_EQ(log->next_seq(), 1u);
  a.Append(log.get());
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

TEST_P(SegmentLogTest, BatchesAndDeferredBatches) {
  FaultInjectionEnv env(env_);
  auto log = NewLog(&env, Sync::Always, 8 << 20);  // one segment
  Appender a(3);
  // A batch is buffered until EndBatch(), then one write().
  log->BeginBatch();
  for (int i = 0; i < 5; i++) a.Append(log.get());
  EXPECT_EQ(log->next_seq(), 5u);
  EXPECT_EQ(log->written_seq(), 0u);
  EXPECT_THROW(log->SyncTo(3), std::logic_error);  // not written yet
  const std::uint64_t appends = env.count(FaultInjectionEnv::kAppend);
  EXPECT_EQ(log->EndBatch(), 5u);
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 1);
  EXPECT_EQ(log->written_seq(), 5u);
  EXPECT_EQ(log->ReadRecord(a.locs[4]), a.records[4]);
  log->SyncTo(5);
  EXPECT_EQ(log->fsync_count(), 1u);
  log->SyncTo(5);  // durable already: no fsync
  EXPECT_EQ(log->fsync_count(), 1u);

  // Deferred batches wait for WritePending(): two batches, one write().
  for (int b = 0; b < 2; b++) {
    log->BeginBatch();
    for (int i = 0; i < 3; i++) a.Append(log.get());
    EXPECT_EQ(log->EndBatch(/*defer=*/true), log->next_seq());
    EXPECT_TRUE(log->has_deferred());
  }
  EXPECT_EQ(log->written_seq(), 5u);
  EXPECT_EQ(log->next_seq(), 11u);
  log->WritePending();
  EXPECT_FALSE(log->has_deferred());
  EXPECT_EQ(log->written_seq(), 11u);
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 2);
  // Deferred records go first, in the next Append's write().
  log->BeginBatch();
  a.Append(log.get());
  log->EndBatch(true);
  a.Append(log.get());
  EXPECT_FALSE(log->has_deferred());
  EXPECT_EQ(log->written_seq(), 13u);
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 3);
  log->WritePending();  // nothing buffered: nothing to do
  EXPECT_EQ(env.count(FaultInjectionEnv::kAppend), appends + 3);

  // A batch past kBatchBytes is written out before it ends.
  std::string big(300'000, 'p');
  std::string salt(kSaltBytes, 's');
  log->BeginBatch();
  for (int i = 0; i < 5; i++) {
    OpRecord r = a.gen.Make(log->next_seq(), static_cast<int>(Kind::kPut));
    r.payload = {};
    r.payload.salt = salt;
    r.payload.bytes = big;
    a.locs.push_back(log->Append(r));
    a.records.push_back(Encoded(r));
  }
  EXPECT_GT(log->written_seq(), 13u);
  EXPECT_LT(log->written_seq(), 18u);
  EXPECT_EQ(log->EndBatch(), 18u);
  log->Flush();
  for (std::size_t j = 0; j < a.locs.size(); j++) {
    ASSERT_EQ(log->ReadRecord(a.locs[j]), a.records[j]) << j;
  }
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

TEST_P(SegmentLogTest, DeferOnlyUnderSyncAlwaysAndCloseWritesDeferred) {
  for (Sync policy : {Sync::EverySec, Sync::None}) {
    auto log = NewLog(env_, policy);
    Appender a(4);
    log->BeginBatch();
    a.Append(log.get());
    EXPECT_EQ(log->EndBatch(true), 1u);
    EXPECT_FALSE(log->has_deferred());
    EXPECT_EQ(log->written_seq(), 1u);
    log->Close();
    env_->RemoveDirRecursively(dir_);
  }
  Appender a(5);
  {
    auto log = NewLog(env_, Sync::Always);
    log->BeginBatch();
    a.Append(log.get());
    a.Append(log.get());
    log->EndBatch(true);
    EXPECT_EQ(log->written_seq(), 0u);
    log->Close();  // writes and fsyncs the deferred records
    EXPECT_EQ(log->written_seq(), 2u);
    log->SyncTo(2);  // after Close: durable already
  }
  EXPECT_EQ(Scan(), a.records);
}

// Threads append (under a write mutex) and then wait for their record to be
// durable, outside it: one fsync serves many, and when SyncTo returns, an
// fsync that began after the record was written covered it.
TEST_P(SegmentLogTest, GroupCommitFromManyThreads) {
  SyncTrackingEnv env(env_, std::chrono::microseconds(500));
  auto log = NewLog(&env, Sync::Always, 8192);  // segment changes while leaders fsync
  std::mutex write_mu;
  Appender a(6);
  constexpr int kThreads = 4, kPerThread = 150;
  std::atomic<int> not_durable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; i++) {
        RecordLocation loc;
        std::uint64_t end;
        {
          std::lock_guard<std::mutex> l(write_mu);
          loc = a.Append(log.get());
          end = log->next_seq();
        }
        log->SyncTo(end);
        if (env.durable(log->SegmentPath(loc.segment)) < loc.offset + loc.size) not_durable++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(not_durable.load(), 0);
  const std::uint64_t requested = kThreads * kPerThread;
  // Shared fsyncs (about one for every two or three records here; segment
  // changes fsync on their own, uncounted).
  EXPECT_LT(log->fsync_count(), requested * 2 / 3);
  EXPECT_GT(log->fsync_count(), 0u);
  EXPECT_GT(a.locs.back().segment, 5u);
  std::printf("%llu fsyncs for %llu SyncTo calls\n",
              static_cast<unsigned long long>(log->fsync_count()),
              static_cast<unsigned long long>(requested));
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

// Readers read records back while the writer appends and leaders fsync.
TEST_P(SegmentLogTest, ReadRecordWhileAppending) {
  auto log = NewLog(env_, Sync::Always, 4096);
  std::mutex mu;  // guards a (the writer's serialization too)
  Appender a(7);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; t++) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t));
      while (!done.load()) {
        RecordLocation loc;
        std::string want;
        {
          std::lock_guard<std::mutex> l(mu);
          if (a.locs.empty()) continue;
          const std::size_t j = rng() % a.locs.size();
          loc = a.locs[j];
          want = a.records[j];
        }
        if (log->ReadRecord(loc) != want) {
          ADD_FAILURE() << "record at segment " << loc.segment << " offset " << loc.offset;
          return;
        }
        reads++;
      }
    });
  }
  for (int i = 0; i < 400; i++) {
    std::uint64_t end;
    {
      std::lock_guard<std::mutex> l(mu);
      a.Append(log.get());
      end = log->next_seq();
    }
    if (i % 10 == 0) log->SyncTo(end);
  }
  while (reads.load() < 200) std::this_thread::yield();
  done.store(true);
  for (auto& t : readers) t.join();
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

TEST_P(SegmentLogTest, EverySecSyncsWithinASecond) {
  SyncTrackingEnv env(env_);
  auto log = NewLog(&env, Sync::EverySec);
  Appender a(8);
  for (int i = 0; i < 5; i++) a.Append(log.get());
  const RecordLocation last = a.locs.back();
  const auto start = std::chrono::steady_clock::now();
  while (env.durable(log->SegmentPath(last.segment)) < last.offset + last.size &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  EXPECT_GE(log->fsync_count(), 1u);
  // Nothing new: the syncer does not fsync again.
  const std::uint64_t fsyncs = log->fsync_count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(log->fsync_count(), fsyncs);
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

// A failed (or short) append is cut back and appends nothing; the log goes
// on. Not sticky, as LogWriter.
TEST_P(SegmentLogTest, FailedAppendIsCutBack) {
  FaultInjectionEnv env(env_);
  auto log = NewLog(&env, Sync::Always, 1 << 20);
  Appender a(9);
  for (int i = 0; i < 4; i++) a.Append(log.get());
  log->Flush();
  for (std::optional<std::size_t> short_bytes :
       {std::optional<std::size_t>{}, std::optional<std::size_t>{5}}) {
    const std::uint64_t size = env.GetFileSize(log->SegmentPath(1));
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, short_bytes);
    EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
    EXPECT_EQ(log->next_seq(), 4u);
    EXPECT_EQ(log->written_seq(), 4u);
    EXPECT_EQ(env.GetFileSize(log->SegmentPath(1)), size);
  }
  for (int i = 0; i < 3; i++) a.Append(log.get());
  log->Flush();
  EXPECT_EQ(log->ReadRecord(a.locs[6]), a.records[6]);
  log->Close();
  EXPECT_EQ(Scan(), a.records);
}

// Buffered records the caller acted on, lost to a failed write: the log is
// broken; what was written before stays readable and can be made durable.
TEST_P(SegmentLogTest, FailedBatchWriteBreaksTheLog) {
  for (bool deferred : {false, true}) {
    SCOPED_TRACE(deferred ? "deferred" : "batch");
    FaultInjectionEnv env(env_);
    auto log = NewLog(&env, Sync::Always, 1 << 20);
    Appender a(10);
    for (int i = 0; i < 3; i++) a.Append(log.get());
    log->BeginBatch();
    for (int i = 0; i < 3; i++) log->Append(a.gen.Make(log->next_seq()));
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, 7);
    if (deferred) {
      log->EndBatch(true);
      EXPECT_THROW(log->WritePending(), IOError);
      EXPECT_FALSE(log->has_deferred());
    } else {
      EXPECT_THROW(log->EndBatch(), IOError);
    }
    EXPECT_EQ(log->written_seq(), 3u);
    EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
    EXPECT_THROW(log->BeginBatch(), IOError);
    EXPECT_THROW(log->Flush(), IOError);
    EXPECT_THROW(log->SyncTo(4), IOError);  // never written
    log->SyncTo(3);
    EXPECT_EQ(log->ReadRecord(a.locs[2]), a.records[2]);
    log->Close();  // broken: no error
    EXPECT_EQ(Scan(), a.records);
    env_->RemoveDirRecursively(dir_);
  }
}

// A failed fsync is sticky: every later sync, append and flush throws.
TEST_P(SegmentLogTest, FailedFsyncIsSticky) {
  FaultInjectionEnv env(env_);
  auto log = NewLog(&env, Sync::Always, 1 << 20);
  Appender a(11);
  for (int i = 0; i < 3; i++) a.Append(log.get());
  log->SyncTo(3);
  a.Append(log.get());
  env.Arm(FaultInjectionEnv::kSync, 1, ".seg");
  EXPECT_THROW(log->SyncTo(4), IOError);
  EXPECT_THROW(log->SyncTo(4), IOError);  // no second fsync hides it
  EXPECT_EQ(env.fired(), 1u);
  log->SyncTo(3);  // covered before the failure
  EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
  EXPECT_THROW(log->BeginBatch(), IOError);
  EXPECT_THROW(log->Flush(), IOError);
  EXPECT_THROW(log->Close(), IOError);
  EXPECT_EQ(Scan(), a.records);  // the records were written (no crash here)
}

// A segment change that fails: to fsync the full segment (sticky), or to
// start the next one (broken). Either way nothing of the record is appended.
TEST_P(SegmentLogTest, FailedSegmentChange) {
  for (FaultInjectionEnv::Call call : {FaultInjectionEnv::kSync, FaultInjectionEnv::kOpen}) {
    SCOPED_TRACE(call == FaultInjectionEnv::kSync ? "fsync" : "open");
    FaultInjectionEnv env(env_);
    auto log = NewLog(&env, Sync::None, 1000);
    Appender a(12);
    env.Arm(call, 1, call == FaultInjectionEnv::kSync ? "00000001.seg" : "00000002.seg");
    bool failed = false;
    for (int i = 0; i < 100 && !failed; i++) {
      try {
        a.Append(log.get());
      } catch (const IOError&) {
        failed = true;
      }
    }
    ASSERT_TRUE(failed);
    EXPECT_EQ(log->next_seq(), a.records.size());
    EXPECT_EQ(log->written_seq(), a.records.size());
    EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
    EXPECT_THROW(log->Flush(), IOError);
    if (call == FaultInjectionEnv::kSync) {
      EXPECT_THROW(log->SyncTo(1), IOError);  // sticky
    } else {
      log->SyncTo(log->written_seq());  // the full segment was fsynced
    }
    log.reset();
    EXPECT_EQ(Scan(), a.records);
    env_->RemoveDirRecursively(dir_);
  }
}

// A failed append whose cut-back fails too leaves a torn frame: broken.
TEST_P(SegmentLogTest, FailedCutBackBreaksTheLog) {
  FaultInjectionEnv env(env_);
  auto log = NewLog(&env, Sync::Always);
  Appender a(13);
  for (int i = 0; i < 3; i++) a.Append(log.get());
  env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, 9);
  env.Arm(FaultInjectionEnv::kTruncate, 1, ".seg");
  EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
  EXPECT_THROW(log->Append(a.gen.Make(log->next_seq())), IOError);
  EXPECT_THROW(log->Flush(), IOError);
  log->SyncTo(3);
  log.reset();
  SegmentReader r(env_, dir_);
  OpRecord rec;
  std::size_t n = 0;
  while (r.Next(&rec)) EXPECT_EQ(Encoded(rec), a.records[n++]);
  EXPECT_EQ(n, 3u);
  ASSERT_TRUE(r.torn_tail());
  EXPECT_EQ(r.torn_tail()->bytes, 9u);
}

OpRecord PlainPut(std::uint64_t seq, std::string_view payload) {
  static const std::string salt(kSaltBytes, '\x5a');
  OpRecord r;
  r.kind = Kind::kPut;
  r.seq = seq;
  r.ts = 1795547053623;
  r.client = "c";
  r.nonce = seq + 1;
  r.coll = "docs";
  r.id = "d1";
  r.payload.salt = salt;
  r.payload.bytes = payload;
  return r;
}

TEST_P(SegmentLogTest, EraseRecordRewritesThePayloadInPlace) {
  auto log = NewLog(env_, Sync::Always, 2048);
  Appender a(14);
  std::vector<RecordLocation> puts;
  const std::string payload = R"({"secret":"remove me"})";
  for (int i = 0; i < 40; i++) {
    if (i % 4 == 1) {
      const OpRecord r = PlainPut(log->next_seq(), payload);
      puts.push_back(log->Append(r));
      a.records.push_back(Encoded(r));
      a.locs.push_back(puts.back());
    } else {
      a.Append(log.get());
    }
  }
  OpRecord del = a.gen.Make(log->next_seq(), static_cast<int>(Kind::kDelete));
  const RecordLocation del_loc = log->Append(del);
  log->Flush();
  const std::uint64_t erase_seq = log->next_seq();
  EXPECT_THROW(log->EraseRecord(puts[0], 1), InvalidArgument);  // seq 1 itself
  for (const RecordLocation& loc : puts) EXPECT_TRUE(log->EraseRecord(loc, erase_seq));
  for (const RecordLocation& loc : puts) EXPECT_FALSE(log->EraseRecord(loc, erase_seq));  // erased
  EXPECT_FALSE(log->EraseRecord(del_loc, erase_seq));  // no payload
  // Appending goes on after it, into the same segment.
  a.records.push_back(Encoded(del));
  a.locs.push_back(del_loc);
  a.Append(log.get());
  log->Close();

  SegmentReader r(env_, dir_, {.allow_torn_tail = false, .check_digests = true});
  OpRecord rec;
  RecordLocation loc;
  std::size_t i = 0, erased = 0;
  while (r.Next(&rec, &loc)) {
    const bool was_put = std::any_of(puts.begin(), puts.end(), [&](const RecordLocation& p) {
      return p.segment == loc.segment && p.offset == loc.offset;
    });
    if (was_put) {
      EXPECT_EQ(rec.payload.state, PayloadState::kErased);
      EXPECT_EQ(rec.payload.erased_by, erase_seq);
      EXPECT_TRUE(rec.payload.bytes.empty());
      // The entry (what the Merkle leaf commits to) is unchanged.
      OpRecord original;
      std::string why;
      ASSERT_TRUE(DecodeRecord(a.records[i], &original, &why)) << why;
      EXPECT_EQ(rec.entry, original.entry);
      EXPECT_EQ(rec.digest, original.digest);
      EXPECT_EQ(loc.size, a.locs[i].size);
      erased++;
    } else {
      EXPECT_EQ(Encoded(rec), a.records[i]);
    }
    i++;
  }
  EXPECT_EQ(i, a.records.size());
  EXPECT_EQ(erased, puts.size());
  // ReadRecord sees the erased form too (a reopened log's reads).
  SegmentLog reopened(env_, SegmentWriter::Open(env_, r), Sync::Always);
  std::string why;
  OpRecord got;
  const std::string bytes = reopened.ReadRecord(puts[0]);
  ASSERT_TRUE(DecodeRecord(bytes, &got, &why)) << why;
  EXPECT_EQ(got.payload.state, PayloadState::kErased);
  EXPECT_EQ(bytes.find("remove me"), std::string::npos);
}

TEST_P(SegmentLogTest, ReadRecordOfADamagedFrameIsCorruption) {
  auto log = NewLog(env_, Sync::Always);
  Appender a(15);
  for (int i = 0; i < 5; i++) a.Append(log.get());
  log->Flush();
  const RecordLocation loc = a.locs[2];
  const std::string path = log->SegmentPath(loc.segment);
  for (std::uint64_t byte : {std::uint64_t{0}, std::uint64_t{5}, loc.size / 2, loc.size - 1}) {
    SCOPED_TRACE("byte " + std::to_string(byte));
    char original;
    {
      auto f = env_->NewRandomAccessFile(path);
      ASSERT_EQ(f->Read(loc.offset + byte, 1, &original), 1u);
    }
    env_->RewriteFileRange(path, loc.offset + byte,
                           std::string(1, static_cast<char>(original ^ 4)));
    try {
      log->ReadRecord(loc);
      ADD_FAILURE() << "no CorruptionError";
    } catch (const CorruptionError& e) {
      EXPECT_EQ(e.offset(), loc.offset);
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    env_->RewriteFileRange(path, loc.offset + byte, std::string(1, original));
    EXPECT_EQ(log->ReadRecord(loc), a.records[2]);
  }
  // A location that does not match the frame there.
  EXPECT_THROW(log->ReadRecord({loc.segment, loc.offset, loc.size - 1}), CorruptionError);
  EXPECT_THROW(log->ReadRecord({loc.segment, loc.offset + 1, loc.size}), CorruptionError);
  const RecordLocation& last = a.locs.back();
  EXPECT_THROW(log->ReadRecord({last.segment, last.offset, last.size + 20}), CorruptionError);
  EXPECT_THROW(log->ReadRecord({loc.segment, loc.offset, 3}), InvalidArgument);
  EXPECT_THROW(log->ReadRecord({99, loc.offset, loc.size}), IOError);  // no such segment
}

}  // namespace
}  // namespace nedb::logv2
