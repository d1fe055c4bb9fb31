// SPDX-License-Identifier: Apache-2.0
// The engine behind nedb::NEDB: validate -> idempotency/nonce check -> make
// op -> append -> apply.
#ifndef NEDB_DB_DB_IMPL_H_
#define NEDB_DB_DB_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>

#include "log/log_writer.h"
#include "log/mem_log.h"
#include "log/op.h"
#include "nedb/nedb.h"
#include "query/ast.h"
#include "state/state.h"

namespace nedb {

class NEDB::Impl {
 public:
  Impl();  // in memory
  Impl(const std::string& path, Options options);
  ~Impl();

  // What a write did.
  struct WriteOutcome {
    enum What { kAppended, kIdemHit, kNoop } what;
    std::uint64_t seq = 0;  // kAppended: the new op's seq
    IdemRecord idem{};      // kIdemHit: the op the key was first used on
  };

  // The one write path. Fills op's seq/ts/client/nonce/idem/prev/hash,
  // appends it, applies it and waits for durability per the sync policy.
  // should_append (checked under the write lock, after the nonce check)
  // returns false for a write that would change nothing: kNoop.
  WriteOutcome Write(OpView& op, const WriteOptions& options,
                     const std::function<bool(const State&)>& should_append);

  // Runs fn with write_mu_ held by this thread; Write() calls fn makes skip
  // the lock and the fsync, which happens once at the end (NEDB::atomic()).
  void Atomic(const std::function<void()>& fn, AtomicSync sync);
  // True if the calling thread is inside Atomic() on this database.
  bool InAtomic() const;
  // Locks write_mu_ for `what`; InvalidArgument inside Atomic() (the lock is
  // already held by this thread: waiting on it would deadlock).
  std::unique_lock<std::mutex> LockWriter(const char* what) const;

  Stats GetStats() const;
  // The last `limit` log lines, newest first, parsed.
  std::vector<nlohmann::json> LogTail(std::size_t limit) const;

  // Write() minus locking and fsync. REQUIRES: write_mu_ held. *end: the
  // log offset to sync to.
  WriteOutcome WriteLocked(OpView& op, const WriteOptions& options,
                           const std::function<bool(const State&)>& should_append,
                           std::uint64_t* end);

  // Appends a checkpoint op committing to a snapshot of the state, written
  // atomically to snapshot.json (durable). Returns {"seq", "head", ...}.
  nlohmann::json Checkpoint();

  // The state that answers reads at seq s: the live state, or (for s before
  // the snapshot this database was opened from) the history replayed from
  // the log on first use. The history state is immutable: read it unlocked.
  const State& StateAt(std::uint64_t s);
  std::uint64_t base_seq() const { return base_seq_; }
  // {"snapshot": bool, "snapshot_seq": n, "replayed_ops": n}
  nlohmann::json OpenInfo() const { return open_info_; }

  // The seq a read at as_of sees. REQUIRES: state_mu_ held.
  std::uint64_t ResolveAsOf(std::optional<std::uint64_t> as_of) const;

  void CheckOpen() const;

  // Seconds since the Unix epoch by the Env clock (TTL).
  double NowSeconds() const { return static_cast<double>(env_->NowMicros()) / 1e6; }
  // Appends a delete of coll/id if it is live and expired at now; true if so.
  bool ExpireNow(std::string_view coll, std::string_view id, double now);
  // Builds the state's expiry index if it was loaded without one (a
  // snapshot open): O(documents), once. Const: the index is a view of
  // the documents, the same whenever it is built.
  void EnsureExpiryIndex() const;
  // Deletes up to max expired documents, earliest expiry first, in atomic()
  // groups of kSweepBatch (one fsync each); stops after the group during
  // which `deadline` passed. Returns how many it deleted.
  static constexpr std::size_t kSweepBatch = 512;
  std::size_t SweepDue(std::size_t max, std::chrono::steady_clock::time_point deadline);
  void Log(const std::string& msg) const;

  // Reads the whole log (up to its current end) into fn; kStrict.
  // REQUIRES: write_mu_ held by the caller when exact = true.
  void ScanCurrentLog(const std::function<void(const OpView&, std::uint64_t)>& fn,
                      std::uint64_t limit, bool chain_only = false) const;

  // Adds an index (no-op if present), persisting it in meta.json.
  void CreateIndex(const IndexSpec& spec);
  // Runs / explains a parsed query at its AS OF (or HEAD).
  std::vector<nlohmann::json> RunQuery(const nql::Query& q);
  nlohmann::json ExplainQuery(const nql::Query& q);

  bool Verify() const;
  bool VerifyDeterminism() const;
  void Flush();
  void Close();

  const std::string& path() const { return path_; }
  bool durable() const { return writer_ != nullptr || !path_.empty(); }

  mutable std::shared_mutex state_mu_;  // guards state_ (writers: exclusive)
  State state_;

 private:
  void OpenDurable();
  // Loads snapshot.json and the log after its checkpoint op into state_.
  // False (state_ untouched) if there is no usable snapshot.
  bool OpenFromSnapshot(const std::string& log, std::uint64_t* valid_bytes);
  void WriteGenesis();
  void AppendLine(std::string_view line, std::uint64_t* end);
  // The background expiry thread (Options::expire_interval_ms).
  void StartExpirer();
  void StopExpirer();
  void ExpirerLoop();

  std::string path_;
  Options options_;
  Env* env_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<LogWriter> writer_;  // durable only
  mutable std::mutex write_mu_;        // serializes writers; guards mem_log_
  MemLog mem_log_;                     // in-memory only: the log's bytes
  std::string line_;                   // the op line being encoded; write_mu_
  std::atomic<bool> closed_{false};
  std::uint64_t atomic_end_ = 0;  // log end to sync to after Atomic(); write_mu_
  // Ops appended since open, by OpKind.
  std::atomic<std::uint64_t> appended_[kOpKindCount] = {};
  std::uint64_t base_seq_ = 0;     // opened from a snapshot of this seq (0: full replay)
  std::uint64_t base_offset_ = 0;  // log offset of that snapshot's checkpoint op
  std::mutex history_mu_;
  std::unique_ptr<State> history_;  // ops [0, base_seq_], built on first use
  nlohmann::json open_info_;
  std::mutex expirer_mu_;  // guards expirer_stop_
  std::condition_variable expirer_cv_;
  bool expirer_stop_ = false;
  std::thread expirer_;  // declared last: joined (Close) before the rest goes
};

}  // namespace nedb

#endif  // NEDB_DB_DB_IMPL_H_
