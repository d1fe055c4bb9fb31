// SPDX-License-Identifier: Apache-2.0
#include "state/state.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <string>

#include "nedb/errors.h"

namespace nedb {

void State::Apply(const OpView& op) {
  switch (op.kind) {
    case OpKind::kGenesis: has_genesis_ = true; break;
    case OpKind::kPut: {
      if (op.erased_by != 0) {  // read back after erasure: no payload
        DocStore::Change ch = docs_.PutErased(op.coll, op.id, op.seq);
        if (ch.old != nullptr && expiry_built_ && !expiry_.empty()) {
          expiry_.Set(ch.coll, op.coll, ch.entry, std::nullopt);
        }
        if (ch.old != nullptr && indexes_.Has(op.coll)) {
          indexes_.OnChange(op.coll, ch.entry, ch.old->view(), std::string_view());
        }
        erased_[op.seq] = op.erased_by;
        NoteErasedEntry(op.coll, ch.entry);
        break;
      }
      DocStore::Change ch = docs_.Put(op.coll, op.id, op.seq, op.doc);
      if (expiry_built_) {
        const std::optional<double> at = ExpiresAtOf(op.doc);
        if (at || !expiry_.empty()) expiry_.Set(ch.coll, op.coll, ch.entry, at);
      }
      if (indexes_.Has(op.coll)) {
        indexes_.OnChange(op.coll, ch.entry, ch.old ? ch.old->view() : std::string_view(), op.doc);
      }
      break;
    }
    case OpKind::kDelete: {
      DocStore::Change ch = docs_.Delete(op.coll, op.id, op.seq);
      if (ch.changed && expiry_built_ && !expiry_.empty()) {
        expiry_.Set(ch.coll, op.coll, ch.entry, std::nullopt);
      }
      if (ch.changed && indexes_.Has(op.coll)) {
        indexes_.OnChange(op.coll, ch.entry, ch.old->view(), std::string_view());
      }
      break;
    }
    case OpKind::kLink: graph_.Link(op.from, op.rel, op.to, op.seq); break;
    case OpKind::kUnlink: graph_.Unlink(op.from, op.rel, op.to, op.seq); break;
    case OpKind::kCheckpoint: break;  // commits to a snapshot; changes no view
    case OpKind::kErase: {
      // The document is gone at HEAD (like a delete), and the payloads of
      // the versions the op lists are gone from every view.
      DocStore::Change ch = docs_.Delete(op.coll, op.id, op.seq);
      if (ch.changed && expiry_built_ && !expiry_.empty()) {
        expiry_.Set(ch.coll, op.coll, ch.entry, std::nullopt);
      }
      if (ch.changed && indexes_.Has(op.coll)) {
        indexes_.OnChange(op.coll, ch.entry, ch.old->view(), std::string_view());
      }
      docs_.EraseVersions(op.coll, op.id, op.erases);
      for (std::uint64_t s : op.erases) erased_[s] = op.seq;
      if (const Collection* c = docs_.collection(op.coll)) {
        if (const long e = c->FindEntry(op.id); e >= 0) {
          NoteErasedEntry(op.coll, static_cast<std::uint32_t>(e));
        }
      }
      if (indexes_.Has(op.coll)) RebuildIndexes(op.coll);
      break;
    }
    case OpKind::kPutFile:
    case OpKind::kDeleteFile: break;  // the file store is not built yet (FromRecord refuses them)
  }
  if (op.kind != OpKind::kGenesis) {
    auto [it, inserted] = nonces_.try_emplace(op.client, op.nonce);
    if (!inserted) it->second = std::max(it->second, op.nonce);
  }
  if (op.idem) {
    idem_.try_emplace(*op.idem,
                      IdemRecord{op.seq, op.kind, std::string(op.coll), std::string(op.id)});
  }
  counts_[static_cast<int>(op.kind)]++;
  seq_ = op.seq;
}

const Blob* State::Read(std::string_view coll, std::string_view id, std::uint64_t as_of) const {
  const Version* v = docs_.GetVersion(coll, id, as_of);
  if (v == nullptr) return nullptr;
  CheckNotErased(coll, id, *v);
  return v->blob.get();
}

void State::CheckNotErased(std::string_view coll, std::string_view id, const Version& v) const {
  if (!IsErased(v.blob.get())) return;
  const std::uint64_t by = ErasedBy(v.seq);
  throw ErasedError(std::string(coll) + "/" + std::string(id) + " at seq " + std::to_string(v.seq) +
                        " was erased by the erase op at seq " + std::to_string(by),
                    by);
}

void State::AdoptErasures(const State& live, std::uint64_t upto) {
  absl::flat_hash_set<std::uint64_t> seqs;
  for (const auto& [s, by] : live.erased_) {
    if (s <= upto && ErasedBy(s) == 0) seqs.insert(s);
  }
  if (seqs.empty()) return;
  docs_.EraseVersionsBySeq(
      seqs, [&](std::string_view coll, std::uint32_t entry) { NoteErasedEntry(coll, entry); });
  for (std::uint64_t s : seqs) erased_[s] = live.ErasedBy(s);
}

void State::NoteErasedEntry(std::string_view coll, std::uint32_t entry) {
  std::vector<std::uint32_t>& v = erased_entries_[coll];
  if (std::find(v.begin(), v.end(), entry) == v.end()) v.push_back(entry);
}

void State::CheckNoErasedVisible(std::string_view coll, std::uint64_t seq) const {
  auto it = erased_entries_.find(coll);
  if (it == erased_entries_.end()) return;
  const Collection* c = docs_.collection(coll);
  for (std::uint32_t e : it->second) {
    const Collection::Entry& entry = c->entries()[e];
    if (const Version* v = VisibleAt(entry.chain, seq)) CheckNotErased(coll, entry.id, *v);
  }
}

std::uint64_t State::ErasedBy(std::uint64_t seq) const {
  auto it = erased_.find(seq);
  return it == erased_.end() ? 0 : it->second;
}

void State::RebuildIndexes(std::string_view coll) {
  for (const IndexSpec& spec : indexes_.Remove(coll)) AddIndex(spec);
}

void State::AddIndex(const IndexSpec& spec) {
  std::unique_ptr<Index> ix = MakeIndex(spec);
  if (const Collection* c = docs_.collection(spec.coll)) {
    const auto& entries = c->entries();
    for (std::uint32_t e = 0; e < entries.size(); ++e) {
      const VersionChain& chain = entries[e].chain;
      if (!chain.empty() && chain.back().blob && !IsErased(chain.back().blob.get())) {
        ix->Update(e, {}, chain.back().blob->view());
      }
      if (auto* eq = dynamic_cast<EqIndex*>(ix.get())) {
        for (const Version& v : chain) {
          if (v.blob && !IsErased(v.blob.get())) eq->AddHistory(e, v.blob->view());
        }
      }
    }
  }
  indexes_.Add(std::move(ix));
}

void State::BuildExpiryIndex() {
  expiry_ = ExpiryIndex();
  for (const auto& [name, c] : docs_.collections()) {
    const auto& entries = c->entries();
    for (std::uint32_t e = 0; e < entries.size(); ++e) {
      const VersionChain& chain = entries[e].chain;
      if (chain.empty() || !chain.back().blob) continue;
      if (auto at = ExpiresAtOf(chain.back().blob->view())) expiry_.Set(c.get(), name, e, at);
    }
  }
  expiry_built_ = true;
}

std::uint64_t State::last_nonce(std::string_view client) const {
  auto it = nonces_.find(client);
  return it == nonces_.end() ? 0 : it->second;
}

const IdemRecord* State::idem(std::string_view key) const {
  auto it = idem_.find(key);
  return it == idem_.end() ? nullptr : &it->second;
}

bool State::MatchesReplay(const State& full, std::uint64_t base) const {
  if (base == 0) return Equals(full);
  if (has_genesis_ != full.has_genesis_ || seq_ != full.seq_ || nonces_ != full.nonces_ ||
      idem_.size() != full.idem_.size()) {
    return false;
  }
  // A snapshot does not keep which puts were erased: compare the erasures
  // made after it.
  for (const auto& [s, by] : full.erased_) {
    if (by > base && ErasedBy(s) != by) return false;
  }
  for (const auto& [s, by] : erased_) {
    if (full.ErasedBy(s) != by) return false;
  }
  for (const auto& [k, r] : idem_) {
    const IdemRecord* x = full.idem(k);
    if (x == nullptr || x->seq != r.seq || x->kind != r.kind) return false;
  }
  return std::equal(std::begin(counts_), std::end(counts_), std::begin(full.counts_)) &&
         docs_.EqualsSince(full.docs_, base) && graph_.Equals(full.graph_);
}

bool State::Equals(const State& o) const {
  if (has_genesis_ != o.has_genesis_ || seq_ != o.seq_ || erased_ != o.erased_) return false;
  if (nonces_ != o.nonces_ || idem_.size() != o.idem_.size()) return false;
  for (const auto& [k, r] : idem_) {
    const IdemRecord* x = o.idem(k);
    if (x == nullptr || x->seq != r.seq || x->kind != r.kind || x->coll != r.coll ||
        x->id != r.id) {
      return false;
    }
  }
  return std::equal(std::begin(counts_), std::end(counts_), std::begin(o.counts_)) &&
         docs_.Equals(o.docs_) && graph_.Equals(o.graph_);
}

}  // namespace nedb
