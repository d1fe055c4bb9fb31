// SPDX-License-Identifier: Apache-2.0
// NEDB::erase(): the one way a payload leaves the history (docs/FORMAT.md,
// "Erasure"). The erase op is appended like any write; then the payload of
// every version it names is removed from the log's records in place (their
// entries, and so every leaf, root and proof, stay as they were), from
// memory (State::Apply of the erase op) and from the snapshot.
#include <algorithm>

#include "checkpoint/snapshot.h"
#include "db/db_impl.h"
#include "env/file_util.h"
#include "log/log_format.h"

namespace nedb {

std::uint64_t NEDB::Impl::Erase(std::string_view coll, std::string_view id,
                                const EraseOptions& eo) {
  if (InAtomic()) throw InvalidArgument("erase() cannot be called inside atomic()");
  const WriteOptions o{.client = eo.client, .nonce = eo.nonce, .idem = eo.idem};
  std::vector<std::uint64_t> seqs;
  OpView op;
  op.kind = OpKind::kErase;
  op.coll = coll;
  op.id = id;
  op.reason = eo.reason;
  bool nothing = false;
  // A database opened from a snapshot holds only the versions since it:
  // the older ones are in the history, replayed from the log.
  std::vector<std::uint64_t> older;
  // Held until the records are rewritten: no history is replayed from
  // records in between. (Lock order: history_mu_, write_mu_, erase_mu_.)
  std::unique_lock<std::mutex> hl(history_mu_);
  if (base_seq_ > 0) older = HistoryLocked()->docs().PayloadSeqs(coll, id);
  std::unique_lock<std::mutex> wl(write_mu_);
  CheckOpen();
  std::uint64_t end = 0;
  const WriteOutcome out = WriteLocked(
      op, o,
      [&](const State& s) {
        seqs = s.docs().PayloadSeqs(coll, id);
        for (std::uint64_t x : older) {
          if (s.ErasedBy(x) == 0) seqs.push_back(x);  // not erased since
        }
        std::sort(seqs.begin(), seqs.end());
        seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
        op.erases = seqs;
        nothing = seqs.empty();
        return !nothing;
      },
      &end);
  if (out.what == WriteOutcome::kIdemHit) {
    if (out.idem.kind != OpKind::kErase) {
      throw InvalidArgument("idem key \"" + *eo.idem + "\" was used by a " +
                            std::string(OpKindName(out.idem.kind)) + " op at seq " +
                            std::to_string(out.idem.seq));
    }
    return out.idem.seq;
  }
  if (nothing) {
    throw NotFound("nothing to erase: no version of " + std::string(coll) + "/" + std::string(id) +
                   " holds a payload");
  }
  // From here on the history holds payloads this erase removes: it is
  // replayed again when next needed, whatever happens below (a replay after
  // a failed rewrite adopts the erasure from the live state).
  struct DropHistory {
    std::shared_ptr<const State>& h;
    ~DropHistory() { h.reset(); }
  } drop{history_};
  // 1. The erase op is durable before any record changes: a crash from here
  // on leaves an erase op whose records the next open finishes erasing.
  if (durable()) log_->SyncTo(end);
  // 2. The payloads, durably, in place.
  std::vector<logv2::RecordLocation> locs;
  {
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    for (std::uint64_t s : seqs) locs.push_back(LocOf(s));
  }
  {
    std::unique_lock<std::shared_mutex> el(erase_mu_);
    for (const logv2::RecordLocation& loc : locs) log_->EraseRecord(loc, out.seq);
  }
  wl.unlock();
  if (durable()) {
    // 3. A snapshot holds HEAD documents: a new one, without this one.
    if (env_->FileExists(JoinPath(path_, kSnapshotFile))) Checkpoint();
    // 4. The files of a v1 log.
    RemoveV1Files();
  }
  return out.seq;
}

void NEDB::Impl::RemoveV1Files() {
  // They cannot be edited without breaking their hash chain: they go (the
  // v2 genesis keeps the v1 head and op count).
  for (const char* v1 : {"log.aof.v1", "snapshot.json.v1"}) {
    const std::string p = JoinPath(path_, v1);
    if (env_->FileExists(p)) {
      env_->RemoveFile(p);
      env_->SyncDir(path_);
      Log(std::string("erase: removed ") + v1 + " (the pre-upgrade log held the erased payload)");
    }
  }
}

}  // namespace nedb
