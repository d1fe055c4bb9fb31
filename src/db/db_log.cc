// SPDX-License-Identifier: Apache-2.0
// Reading the log back: verify(), verify_determinism(), log(), and the
// Merkle tree's roots and proofs (docs/MERKLE.md).
#include "db/db_impl.h"
#include "log/v2/log_verifier.h"
#include "log/v2/record_codec.h"
#include "log/v2/record_json.h"
#include "log/v2/segment_reader.h"
#include "util/hex.h"

namespace nedb {

void NEDB::Impl::ScanLog(std::uint64_t end, bool check_digests,
                         const std::function<void(const logv2::OpRecord&)>& fn) const {
  std::shared_lock<std::shared_mutex> el(erase_mu_);
  logv2::SegmentReader reader(env_, LogDir(), logv2::ScanOptions{.check_digests = check_digests});
  logv2::OpRecord rec;
  for (std::uint64_t s = 0; s < end; ++s) {
    if (!reader.Next(&rec)) {
      throw CorruptionError("the log ends at seq " + std::to_string(s) + "; ops up to seq " +
                                std::to_string(end - 1) + " were written",
                            s, 0);
    }
    fn(rec);
  }
}

bool NEDB::Impl::Verify() const {
  std::uint64_t n;
  merkle::Hash root;
  // Taken before the writer lock is released: no erase rewrites a record
  // until the check ends, so every erased record it reads names an erase op
  // below the end it captures (an erase holds the writer lock from its op
  // to its last rewrite).
  std::shared_lock<std::shared_mutex> el(erase_mu_, std::defer_lock);
  {
    std::unique_lock<std::mutex> wl = LockWriter("verify");  // deferred records are written
    CheckOpen();
    el.lock();
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    n = state_.seq() + 1;
    root = tree_.Root(n);
  }
  // Re-read from the segments (on disk when durable) without blocking
  // writers: the check stops at the end captured above.
  const logv2::VerifyLogReport r = logv2::VerifyLog(env_, LogDir(), {.limit = n});
  if (!r.ok) {
    Log("verify failed: " + r.error + " (seq " + std::to_string(r.seq) + ", " + r.file +
        " offset " + std::to_string(r.offset) + ")");
    return false;
  }
  if (r.root != root) {
    Log("verify failed: the root recomputed from the log, " + merkle::ToHex(r.root) +
        ", is not the head " + merkle::ToHex(root));
    return false;
  }
  return true;
}

bool NEDB::Impl::VerifyDeterminism() const {
  std::unique_lock<std::mutex> wl = LockWriter("verify_determinism");  // no writes while comparing
  CheckOpen();
  const std::uint64_t end = state_.seq() + 1;
  State fresh;
  logv2::ConvertScratch scratch;
  OpView op;
  try {
    ScanLog(end, /*check_digests=*/false, [&](const logv2::OpRecord& rec) {
      logv2::FromRecord(rec, &op, &scratch);
      fresh.Apply(op);
    });
  } catch (const CorruptionError& e) {
    Log(std::string("verify_determinism: log unreadable: ") + e.what());
    return false;
  }
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  return state_.MatchesReplay(fresh, base_seq_);
}

std::vector<nlohmann::json> NEDB::Impl::LogTail(std::size_t limit) const {
  std::vector<nlohmann::json> out;
  if (limit == 0) return out;
  std::vector<logv2::RecordLocation> locs;
  {
    std::unique_lock<std::mutex> wl = LockWriter("log");  // deferred records are written
    CheckOpen();
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    for (std::uint64_t s = state_.seq() + 1; s-- > 0 && locs.size() < limit;) {
      locs.push_back(LocOf(s));
    }
  }
  std::shared_lock<std::shared_mutex> el(erase_mu_);
  logv2::OpRecord rec;
  std::string why;
  for (const logv2::RecordLocation& loc : locs) {
    const std::string bytes = log_->ReadRecord(loc);
    if (!logv2::DecodeRecord(bytes, &rec, &why)) {
      throw CorruptionError("log record does not decode: " + why, 0, loc.offset);
    }
    out.push_back(nlohmann::json(logv2::RecordJson(rec)));
  }
  return out;
}

namespace {

// tree_size defaults to every op; beyond that is InvalidArgument.
std::uint64_t TreeSize(std::optional<std::uint64_t> size, std::uint64_t ops, const char* what) {
  if (!size) return ops;
  if (*size > ops) {
    throw InvalidArgument(std::string(what) + " " + std::to_string(*size) +
                          " is larger than the log: it has " + std::to_string(ops) + " ops");
  }
  return *size;
}

}  // namespace

std::string NEDB::Impl::RootHex(std::optional<std::uint64_t> tree_size) const {
  CheckOpen();
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  const std::uint64_t n = TreeSize(tree_size, tree_.size(), "tree_size");
  std::lock_guard<std::mutex> l(root_mu_);
  if (n != root_size_ || root_hex_.empty()) {
    root_hex_ = merkle::ToHex(tree_.Root(n));
    root_size_ = n;
  }
  return root_hex_;
}

std::string NEDB::Impl::LeafEntryHex(std::uint64_t seq) const {
  CheckOpen();
  logv2::RecordLocation loc;
  {
    std::unique_lock<std::mutex> wl = LockWriter("leaf_entry");  // deferred records are written
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    if (seq >= tree_.size()) {
      throw InvalidArgument("seq " + std::to_string(seq) + " is not in the log: the head is seq " +
                            std::to_string(tree_.size() - 1));
    }
    loc = LocOf(seq);
  }
  std::shared_lock<std::shared_mutex> el(erase_mu_);
  const std::string bytes = log_->ReadRecord(loc);
  logv2::OpRecord rec;
  std::string why;
  if (!logv2::DecodeRecord(bytes, &rec, &why)) {
    throw CorruptionError("the record of seq " + std::to_string(seq) + " does not decode: " + why,
                          seq, loc.offset);
  }
  return HexEncode(rec.entry);
}

InclusionProof NEDB::Impl::Prove(std::uint64_t seq, std::optional<std::uint64_t> tree_size) const {
  CheckOpen();
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  const std::uint64_t n = TreeSize(tree_size, tree_.size(), "tree_size");
  if (seq >= n) {
    throw InvalidArgument("seq " + std::to_string(seq) + " is not in the tree of size " +
                          std::to_string(n));
  }
  return tree_.ProveInclusion(seq, n);
}

ConsistencyProof NEDB::Impl::ProveConsistency(std::uint64_t size1,
                                              std::optional<std::uint64_t> size2) const {
  CheckOpen();
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  const std::uint64_t n = TreeSize(size2, tree_.size(), "size2");
  if (size1 > n) {
    throw InvalidArgument("size1 " + std::to_string(size1) + " is larger than size2 " +
                          std::to_string(n));
  }
  return tree_.ProveConsistency(size1, n);
}

}  // namespace nedb
