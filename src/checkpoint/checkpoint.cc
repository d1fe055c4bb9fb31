// SPDX-License-Identifier: Apache-2.0
// Checkpoints: writing a snapshot anchored in the chain, opening from it,
// and the lazily replayed history before it.
#include <algorithm>
#include <limits>
#include <optional>

#include "checkpoint/snapshot.h"
#include "db/db_impl.h"
#include "env/file_util.h"
#include "log/log_format.h"
#include "log/log_reader.h"
#include "util/blake2b.h"

namespace nedb {

namespace {

// The snapshot does not match the log: fall back to a full replay.
struct SnapshotMismatch : Error {
  explicit SnapshotMismatch(const std::string& w) : Error(w) {}
};

}  // namespace

nlohmann::json NEDB::Impl::Checkpoint() {
  std::unique_lock<std::mutex> wl = LockWriter("checkpoint");  // the state holds still
  CheckOpen();
  SnapshotHeader h;
  h.seq = state_.seq();
  h.head = state_.head();
  h.checkpoint_seq = h.seq + 1;
  h.checkpoint_offset = writer_ ? writer_->size() : mem_log_.size();
  h.indexes = state_.indexes().Specs();
  const std::string bytes = SnapshotCodec::Serialize(state_, h);
  const std::string digest = ToHex(SnapshotDigest(bytes));
  const std::string final_path = JoinPath(path_, kSnapshotFile);
  const std::string tmp_path = final_path + ".tmp";
  if (writer_) {
    // 1. the snapshot, durable under a temporary name
    auto f = env_->NewWritableFile(tmp_path);
    f->Append(bytes);
    f->Sync();
    f->Close();
  }
  // 2. the checkpoint op committing to it, durable
  OpView op;
  op.kind = OpKind::kCheckpoint;
  op.snapshot = digest;
  op.state_seq = h.seq;
  std::uint64_t end = 0;
  WriteLocked(
      op, WriteOptions{.client = std::string(logfmt::kGenesisClient)},
      [](const State&) { return true; }, &end);
  if (writer_) {
    writer_->SyncTo(end);
    // 3. the snapshot under its name. A crash before this leaves the older
    // snapshot, whose own checkpoint op is still in the log: still valid.
    env_->RenameFile(tmp_path, final_path);
    env_->SyncDir(path_);
  }
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  return {{"ok", true},         {"seq", state_.seq()},   {"head", state_.head()},
          {"snapshot", digest}, {"snapshot_seq", h.seq}, {"bytes", bytes.size()}};
}

bool NEDB::Impl::OpenFromSnapshot(const std::string& log, std::uint64_t* valid_bytes) {
  const std::string snap_path = JoinPath(path_, kSnapshotFile);
  if (!env_->FileExists(snap_path)) return false;
  SnapshotHeader h;
  try {
    // The file's bytes, which the loaded documents then point into: a
    // read-only mapping of it (Env::MapReadOnly; PosixEnv), so nothing is
    // copied or zeroed, or a buffer it was read into (other Envs). The
    // mapping stays valid for as long as the state lives: the file is never
    // written in place (a checkpoint renames a new file over it; see
    // docs/ARCHITECTURE.md). This thread parses it while a second thread
    // hashes it (whatever chunks the helper has not taken when parsing ends,
    // this thread hashes). The digest is compared with the log's checkpoint
    // op below.
    State st;
    Arena arena(env_->MapReadOnly(snap_path));
    const std::size_t bytes = arena.size();
    SnapshotHasher hasher(arena.data(), bytes);
    hasher.Filled(bytes);
    {
      // Declared after st and arena: stopped and joined before they go.
      std::optional<HelperThread> helper;
      if (bytes >= kSnapshotThreadBytes) helper.emplace(&hasher, [&hasher] { hasher.Work(); });
      SnapshotCodec::Load(std::move(arena), bytes, &st, &h);
      hasher.Work();  // the chunks the helper has not taken yet
      if (helper) helper->Join();
    }
    const std::string digest = ToHex(hasher.Root());
    if (h.checkpoint_offset >= env_->GetFileSize(log)) {
      throw SnapshotMismatch("its checkpoint op is past the end of log.aof");
    }
    auto file = env_->NewSequentialFile(log);
    file->Skip(h.checkpoint_offset);
    bool first = true;
    std::uint64_t replayed = 0;
    ScanResult r = ScanLog(
        *file, TailPolicy::kRecover,
        [&](const OpView& op, std::uint64_t) {
          if (first) {
            if (op.kind != OpKind::kCheckpoint || op.snapshot != digest || op.state_seq != h.seq) {
              throw SnapshotMismatch("the op at offset " + std::to_string(h.checkpoint_offset) +
                                     " is not the checkpoint op committing to this snapshot");
            }
            first = false;
          } else {
            ++replayed;
          }
          st.Apply(op);
        },
        std::numeric_limits<std::uint64_t>::max(), false,
        ScanStart{h.checkpoint_seq, h.head, h.checkpoint_offset});
    if (first) throw SnapshotMismatch("its checkpoint op is missing from log.aof");
    if (r.torn_tail) {
      Log("log.aof: cut a torn tail of " + std::to_string(env_->GetFileSize(log) - r.valid_bytes) +
          " bytes at offset " + std::to_string(r.valid_bytes) + " (" + r.torn_reason + ")");
      env_->TruncateFile(log, r.valid_bytes);
    }
    {
      std::unique_lock<std::shared_mutex> sl(state_mu_);
      state_ = std::move(st);
    }
    *valid_bytes = r.valid_bytes;
    base_seq_ = h.seq;
    base_offset_ = h.checkpoint_offset;
    open_info_ = {{"snapshot", true}, {"snapshot_seq", h.seq}, {"replayed_ops", replayed}};
    return true;
  } catch (const CorruptionError& e) {
    // The first line not chaining to the snapshot's head means the snapshot
    // is not of this log; damage further on is the log's own (a full
    // replay would meet it too).
    if (e.offset() != h.checkpoint_offset) throw;
    Log(std::string("ignoring snapshot.json (its head does not chain to log.aof: ") + e.what() +
        "); replaying the whole log");
    return false;
  } catch (const Error& e) {
    Log(std::string("ignoring snapshot.json (") + e.what() + "); replaying the whole log");
    return false;
  }
}

const State& NEDB::Impl::StateAt(std::uint64_t s) {
  if (s >= base_seq_) return state_;
  std::lock_guard<std::mutex> l(history_mu_);
  if (!history_) {
    auto h = std::make_unique<State>();
    ScanCurrentLog([&](const OpView& op, std::uint64_t) { h->Apply(op); }, base_offset_);
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    for (const IndexSpec& spec : state_.indexes().Specs()) h->AddIndex(spec);
    history_ = std::move(h);
  }
  return *history_;
}

}  // namespace nedb
