// SPDX-License-Identifier: Apache-2.0
// Opening a database: the v2 log (upgraded from a v1 log.aof once), the
// snapshot if it belongs to the log, the replay of the ops after it, the
// Merkle tree over every op, and erasures a crash interrupted.
#include <optional>

#include "checkpoint/snapshot.h"
#include "db/db_impl.h"
#include "env/file_util.h"
#include "log/log_format.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "log/v2/upgrade_v1.h"
#include "util/hex.h"

namespace nedb {

struct NEDB::Impl::LoadedSnapshot {
  State state;
  SnapshotHeader header;
  std::string digest;  // hex, as the checkpoint op names it
};

std::unique_ptr<NEDB::Impl::LoadedSnapshot> NEDB::Impl::LoadSnapshot() {
  const std::string path = JoinPath(path_, kSnapshotFile);
  if (!durable() || !env_->FileExists(path)) return nullptr;
  auto snap = std::make_unique<LoadedSnapshot>();
  try {
    // The file's bytes, which the loaded documents then point into: a
    // read-only mapping of it (Env::MapReadOnly; PosixEnv), so nothing is
    // copied or zeroed, or a buffer it was read into (other Envs). The
    // mapping stays valid for as long as the state lives: the file is never
    // written in place (a checkpoint renames a new file over it; see
    // docs/ARCHITECTURE.md). This thread parses it while a second thread
    // hashes it; the digest is compared with the log's checkpoint op.
    Arena arena(env_->MapReadOnly(path));
    const std::size_t bytes = arena.size();
    SnapshotHasher hasher(arena.data(), bytes);
    hasher.Filled(bytes);
    {
      // Declared after the state and arena: stopped and joined before they go.
      std::optional<HelperThread> helper;
      if (bytes >= kSnapshotThreadBytes) helper.emplace(&hasher, [&hasher] { hasher.Work(); });
      SnapshotCodec::Load(std::move(arena), bytes, &snap->state, &snap->header);
      hasher.Work();  // the chunks the helper has not taken yet
      if (helper) helper->Join();
    }
    snap->digest = ToHex(hasher.Root());
  } catch (const Error& e) {
    Log(std::string("ignoring snapshot.json (") + e.what() + "); replaying the whole log");
    return nullptr;
  }
  return snap;
}

bool NEDB::Impl::Replay(
    LoadedSnapshot* snap, logv2::SegmentReader* reader,
    std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>>* erasures) {
  State fresh;
  State& st = snap ? snap->state : fresh;
  logv2::OpRecord rec;
  logv2::RecordLocation loc;
  logv2::ConvertScratch scratch;
  OpView op;
  std::uint64_t replayed = 0;
  auto mismatch = [&](const std::string& why) {
    Log("ignoring snapshot.json (" + why + "); replaying the whole log");
    return false;
  };
  while (reader->Next(&rec, &loc)) {
    tree_.Append(merkle::HashLeaf(rec.entry));
    locs_.push_back(Loc{loc.offset, loc.segment, static_cast<std::uint32_t>(loc.size)});
    if (rec.kind == OpKind::kErase) erasures->emplace_back(rec.seq, rec.erases);
    if (snap != nullptr) {
      const SnapshotHeader& h = snap->header;
      if (rec.seq == h.seq && merkle::ToHex(tree_.Root()) != h.head) {
        return mismatch("its head is not the root of this log at seq " + std::to_string(h.seq));
      }
      if (rec.seq < h.checkpoint_seq) continue;  // in the snapshot
      if (rec.seq == h.checkpoint_seq &&
          (rec.kind != OpKind::kCheckpoint || HexEncode(rec.snapshot) != snap->digest ||
           rec.state_seq != h.seq)) {
        return mismatch("the op at seq " + std::to_string(rec.seq) +
                        " is not the checkpoint op committing to it");
      }
    }
    logv2::FromRecord(rec, &op, &scratch);
    st.Apply(op);
    if (snap == nullptr || rec.seq > snap->header.checkpoint_seq) ++replayed;
  }
  if (snap != nullptr && (st.empty() || st.seq() < snap->header.checkpoint_seq)) {
    return mismatch("its checkpoint op is not in the log");
  }
  {
    std::unique_lock<std::shared_mutex> sl(state_mu_);
    state_ = std::move(st);
  }
  base_seq_ = snap ? snap->header.seq : 0;
  open_info_ = {{"snapshot", snap != nullptr},
                {"snapshot_seq", snap ? nlohmann::json(snap->header.seq) : nlohmann::json()},
                {"replayed_ops", replayed}};
  return true;
}

void NEDB::Impl::OpenLog() {
  if (durable()) {
    logv2::UpgradeV1(env_, path_, [this](const std::string& m) { Log(m); });
  }
  std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>> erasures;
  std::unique_ptr<LoadedSnapshot> snap = LoadSnapshot();
  std::optional<logv2::SegmentReader> reader;
  env_->CreateDir(LogDir());
  logv2::RedoRewrite(env_, LogDir(), [this](const std::string& m) { Log(m); });
  for (;;) {
    reader.emplace(env_, LogDir());
    if (Replay(snap.get(), &*reader, &erasures)) break;
    snap.reset();  // the snapshot is not of this log: again, from the start
    tree_ = merkle::MerkleTree();
    locs_.clear();
    erasures.clear();
  }
  if (const auto& torn = reader->torn_tail()) {
    Log(torn->file + ": cut a torn tail of " + std::to_string(torn->bytes) + " bytes at offset " +
        std::to_string(torn->offset) + " (" + torn->reason + "); the last whole op is seq " +
        (locs_.empty() ? std::string("none") : std::to_string(locs_.size() - 1)));
  }
  logv2::SegmentWriterOptions wo;
  wo.segment_bytes = options_.segment_bytes;
  log_ = std::make_unique<logv2::SegmentLog>(env_, logv2::SegmentWriter::Open(env_, *reader, wo),
                                             durable() ? options_.sync : Sync::None);
  reader.reset();
  // An erase op is durable before the records it names are rewritten: a
  // crash in between leaves payloads to remove now.
  for (const auto& [erase_seq, seqs] : erasures) {
    for (std::uint64_t s : seqs) {
      if (log_->EraseRecord(LocOf(s), erase_seq)) {
        Log("finished the interrupted erase op at seq " + std::to_string(erase_seq) +
            ": removed the payload of seq " + std::to_string(s));
      }
    }
  }
  // Erase() then removes the copies outside the log: finish that too. A
  // snapshot older than the last erase op (a completed erase writes a new
  // one) may hold a payload it erased: it goes (the log has everything).
  if (durable() && !erasures.empty()) {
    if (snap && snap->header.checkpoint_seq < erasures.back().first) {
      env_->RemoveFile(JoinPath(path_, kSnapshotFile));
      env_->SyncDir(path_);
      Log("removed snapshot.json: it is older than the interrupted erase op at seq " +
          std::to_string(erasures.back().first));
    }
    RemoveV1Files();
  }
  if (state_.empty()) {
    WriteGenesis();
    log_->Flush();
    if (durable()) env_->SyncDir(path_);
  }
}

}  // namespace nedb
