// SPDX-License-Identifier: Apache-2.0
// Everything folded from the log. Apply() is the only way state changes:
// live writes, replay on open and verify_determinism() all go through it.
#ifndef NEDB_STATE_STATE_H_
#define NEDB_STATE_STATE_H_

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <string>

#include "index/index.h"
#include "log/op.h"
#include "state/doc_store.h"
#include "state/expiry_index.h"
#include "state/graph.h"
#include "util/str_map.h"

namespace nedb {

// What an idempotency key remembers: the op it was first used on.
struct IdemRecord {
  std::uint64_t seq;
  OpKind kind;
  std::string coll;  // put/delete: the document written
  std::string id;
};

class State {
 public:
  // Folds op into the state. REQUIRES: op.seq == seq() + 1, or the genesis
  // op on an empty state; op verified and validated.
  void Apply(const OpView& op);

  bool empty() const { return !has_genesis_; }
  std::uint64_t seq() const { return seq_; }

  // The document bytes of coll/id visible at as_of, or nullptr. Throws
  // ErasedError if that version was erased.
  const Blob* Read(std::string_view coll, std::string_view id, std::uint64_t as_of) const;
  // Throws ErasedError (naming coll/id) if v is an erased version.
  void CheckNotErased(std::string_view coll, std::string_view id, const Version& v) const;
  // The seq of the erase op that erased the put at seq, or 0.
  std::uint64_t ErasedBy(std::uint64_t seq) const;
  // Throws ErasedError if a version of a document of coll visible at seq
  // was erased: a query AS OF seq cannot know whether it would match (an
  // index no longer knows its value), so it must not answer without it.
  // O(documents of coll with an erased version).
  void CheckNoErasedVisible(std::string_view coll, std::uint64_t seq) const;
  // Erases here every version with seq <= upto that `live` knows was erased
  // but this state holds (a history replayed from records an erase had not
  // finished rewriting). O(versions) when there is any, else O(erasures).
  // REQUIRES: exclusive access; call before indexes are added.
  void AdoptErasures(const State& live, std::uint64_t upto);

  const DocStore& docs() const { return docs_; }
  const Graph& graph() const { return graph_; }
  const IndexSet& indexes() const { return indexes_; }
  // The HEAD documents with an "_expires_at", by expiry time. Only
  // maintained once built: a fresh state starts with it built (empty); a
  // snapshot load leaves it unbuilt (NEDB::Impl builds it on first use, so
  // opening pays nothing for it).
  const ExpiryIndex& expiry() const { return expiry_; }
  bool expiry_built() const { return expiry_built_; }
  // Fills the expiry index from the HEAD documents. REQUIRES: exclusive access.
  void BuildExpiryIndex();

  // Adds an index and fills it from the HEAD documents. REQUIRES: not
  // already present; exclusive access.
  void AddIndex(const IndexSpec& spec);

  // Last nonce of client, 0 if none.
  std::uint64_t last_nonce(std::string_view client) const;
  const IdemRecord* idem(std::string_view key) const;

  // Per-kind op counts since genesis (for metrics and tests).
  std::uint64_t op_count(OpKind k) const { return counts_[static_cast<int>(k)]; }

  bool Equals(const State& other) const;
  // Equality with full, the replay of the whole log, when this state was
  // loaded from a snapshot at base (its documents hold no older versions).
  bool MatchesReplay(const State& full, std::uint64_t base) const;

 private:
  friend class SnapshotCodec;
  // Builds coll's indexes again from its chains (after an erase: the eq
  // index's history must forget the erased values).
  void RebuildIndexes(std::string_view coll);
  void NoteErasedEntry(std::string_view coll, std::uint32_t entry);

  bool has_genesis_ = false;
  std::uint64_t seq_ = 0;
  DocStore docs_;
  Graph graph_;
  IndexSet indexes_;
  ExpiryIndex expiry_;
  bool expiry_built_ = true;
  StrMap<std::uint64_t> nonces_;
  StrMap<IdemRecord> idem_;
  absl::flat_hash_map<std::uint64_t, std::uint64_t> erased_;  // put seq -> erase seq
  StrMap<std::vector<std::uint32_t>> erased_entries_;         // coll -> entries with one
  std::uint64_t counts_[kOpKindCount] = {};
};

}  // namespace nedb

#endif  // NEDB_STATE_STATE_H_
