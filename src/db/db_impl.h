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

#include "log/op.h"
#include "log/v2/op_convert.h"
#include "log/v2/segment_log.h"
#include "merkle/merkle_tree.h"
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
  // seq to sync to (the log is durable below it).
  WriteOutcome WriteLocked(OpView& op, const WriteOptions& options,
                           const std::function<bool(const State&)>& should_append,
                           std::uint64_t* end);

  // Appends a checkpoint op committing to a snapshot of the state, written
  // atomically to snapshot.json (durable). Returns {"seq", "head", ...}.
  // REQUIRES: write_mu_ held by the caller when locked = true.
  nlohmann::json Checkpoint();

  // The history before the snapshot this database was opened from: the
  // state of ops [0, base_seq()], replayed from the log on first use.
  // Immutable: read it unlocked. REQUIRES: s < base_seq().
  std::shared_ptr<const State> HistoryAt(std::uint64_t s);
  // HistoryAt() with history_mu_ held by the caller.
  std::shared_ptr<const State> HistoryLocked();
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

  // Reads the records of ops [0, end) from the log, in order, into fn.
  // Throws CorruptionError. Holds erase_mu_ shared (no record is being
  // rewritten meanwhile).
  void ScanLog(std::uint64_t end, bool check_digests,
               const std::function<void(const logv2::OpRecord&)>& fn) const;

  // ---- the Merkle tree over the log (docs/MERKLE.md) ----
  std::string RootHex(std::optional<std::uint64_t> tree_size) const;
  std::string LeafEntryHex(std::uint64_t seq) const;
  InclusionProof Prove(std::uint64_t seq, std::optional<std::uint64_t> tree_size) const;
  ConsistencyProof ProveConsistency(std::uint64_t size1, std::optional<std::uint64_t> size2) const;

  // Appends an erase op for coll/id and removes the payload of every
  // version of it from the log, the snapshot and memory (NEDB::erase).
  std::uint64_t Erase(std::string_view coll, std::string_view id, const EraseOptions& options);
  // Removes the files of a v1 log this directory was upgraded from, if any:
  // they may hold an erased payload (Erase(), and an open that finishes one).
  void RemoveV1Files();

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
  bool durable() const { return !path_.empty(); }

  mutable std::shared_mutex state_mu_;  // guards state_ (writers: exclusive)
  State state_;

 private:
  // A record's place in the log (logv2::RecordLocation, packed).
  struct Loc {
    std::uint64_t offset;
    std::uint32_t segment, size;
  };
  std::string LogDir() const;
  // Opens (creates) the log: upgrades a v1 log.aof, loads the snapshot if
  // it belongs to the log, replays the rest, finishes interrupted erasures.
  void OpenLog();
  // Reads the whole log into state_, tree_ and locs_, from the snapshot if
  // snap is given (false: the snapshot does not belong to this log; the
  // caller retries without it). Leaves the reader at the end.
  struct LoadedSnapshot;
  bool Replay(LoadedSnapshot* snap, logv2::SegmentReader* reader,
              std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>>* erasures);
  std::unique_ptr<LoadedSnapshot> LoadSnapshot();
  void WriteGenesis();
  // Appends op (seq etc. filled in) to the log, the tree and the state.
  // REQUIRES: write_mu_ held.
  void AppendOp(const OpView& op);
  logv2::RecordLocation LocOf(std::uint64_t seq) const;
  // The background expiry thread (Options::expire_interval_ms).
  void StartExpirer();
  void StopExpirer();
  void ExpirerLoop();

  std::string path_;
  Options options_;
  Env* env_;                      // files and clock
  std::unique_ptr<Env> mem_env_;  // in memory: the Env the log lives in
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<logv2::SegmentLog> log_;
  mutable std::mutex write_mu_;  // serializes writers
  // Held shared by whatever reads records from the log, exclusively while
  // Erase() rewrites records in place.
  mutable std::shared_mutex erase_mu_;
  logv2::ConvertScratch convert_;  // write_mu_
  std::string entry_;              // the leaf entry being hashed; write_mu_
  std::atomic<bool> closed_{false};
  std::uint64_t atomic_end_ = 0;  // seq to sync to after Atomic(); write_mu_
  // Ops appended since open, by OpKind.
  std::atomic<std::uint64_t> appended_[kOpKindCount] = {};
  // The Merkle tree over every op (leaf i = op seq i) and where each op's
  // record is. Guarded by state_mu_ (appended with the op's Apply).
  merkle::MerkleTree tree_;
  std::vector<Loc> locs_;
  mutable std::mutex root_mu_;  // the last root computed, for head()
  mutable std::uint64_t root_size_ = 0;
  mutable std::string root_hex_;
  std::uint64_t base_seq_ = 0;  // opened from a snapshot of this seq (0: full replay)
  std::mutex history_mu_;
  std::shared_ptr<const State> history_;  // ops [0, base_seq_], built on first use
  nlohmann::json open_info_;
  std::mutex expirer_mu_;  // guards expirer_stop_
  std::condition_variable expirer_cv_;
  bool expirer_stop_ = false;
  std::thread expirer_;  // declared last: joined (Close) before the rest goes
};

}  // namespace nedb

#endif  // NEDB_DB_DB_IMPL_H_
