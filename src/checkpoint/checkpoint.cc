// SPDX-License-Identifier: Apache-2.0
// Checkpoints: writing a snapshot anchored in the log, and the lazily
// replayed history before it. (Opening from a snapshot: db/db_open.cc.)
#include "checkpoint/snapshot.h"
#include "db/db_impl.h"
#include "env/file_util.h"
#include "log/log_format.h"

namespace nedb {

nlohmann::json NEDB::Impl::Checkpoint() {
  std::unique_lock<std::mutex> wl = LockWriter("checkpoint");  // the state holds still
  CheckOpen();
  SnapshotHeader h;
  std::string bytes;
  {
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    h.seq = state_.seq();
    h.head = merkle::ToHex(tree_.Root(h.seq + 1));
    h.checkpoint_seq = h.seq + 1;
    h.indexes = state_.indexes().Specs();
    bytes = SnapshotCodec::Serialize(state_, h);
  }
  const std::string digest = ToHex(SnapshotDigest(bytes));
  const std::string final_path = JoinPath(path_, kSnapshotFile);
  const std::string tmp_path = final_path + ".tmp";
  if (durable()) {
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
  if (durable()) {
    log_->SyncTo(end);
    // 3. the snapshot under its name. A crash before this leaves the older
    // snapshot, whose own checkpoint op is still in the log: still valid.
    env_->RenameFile(tmp_path, final_path);
    env_->SyncDir(path_);
  }
  wl.unlock();
  return {{"ok", true},         {"seq", h.checkpoint_seq}, {"head", RootHex(std::nullopt)},
          {"snapshot", digest}, {"snapshot_seq", h.seq},   {"bytes", bytes.size()}};
}

std::shared_ptr<const State> NEDB::Impl::HistoryAt(std::uint64_t) {
  std::lock_guard<std::mutex> l(history_mu_);
  return HistoryLocked();
}

std::shared_ptr<const State> NEDB::Impl::HistoryLocked() {
  if (!history_) {
    auto h = std::make_shared<State>();
    logv2::ConvertScratch scratch;
    OpView op;
    ScanLog(base_seq_ + 1, /*check_digests=*/false, [&](const logv2::OpRecord& rec) {
      logv2::FromRecord(rec, &op, &scratch);
      h->Apply(op);
    });
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    h->AdoptErasures(state_, base_seq_);  // an erase whose rewrite failed
    for (const IndexSpec& spec : state_.indexes().Specs()) h->AddIndex(spec);
    history_ = std::move(h);
  }
  return history_;
}

}  // namespace nedb
