// SPDX-License-Identifier: Apache-2.0
#include "state/doc_store.h"

#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>
#include <sys/mman.h>

#include <algorithm>
#include <new>

namespace nedb {

Blob* Blob::Make(std::string_view bytes) {
  void* mem = std::malloc(offsetof(Blob, data_) + bytes.size());
  if (mem == nullptr) throw std::bad_alloc();
  Blob* b = static_cast<Blob*>(mem);
  const auto n = static_cast<std::uint32_t>(bytes.size());
  std::memcpy(b->len_, &n, sizeof n);
  std::memcpy(b->data_, bytes.data(), bytes.size());
  return b;
}

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

void* AllocateLarge(std::size_t bytes) {
  void* p;
  if (bytes < 4 * kHugePage) {
    p = std::malloc(std::max<std::size_t>(bytes, 1));
  } else {
    // Whole huge pages: aligned_alloc wants a multiple of the alignment,
    // and madvise works on whole pages.
    const std::size_t cap = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    p = std::aligned_alloc(kHugePage, cap);
    if (p != nullptr) madvise(p, cap, MADV_HUGEPAGE);  // advice only; errors ignored
  }
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

Arena::Arena(std::size_t size)
    : data_(static_cast<const char*>(AllocateLarge(size))), size_(size) {}

Arena::~Arena() {
  if (!region_) std::free(const_cast<char*>(data_));  // a region frees (unmaps) itself
}

char* Arena::mutable_data() const {
  if (region_) std::abort();        // read-only memory: a bug, not an input error
  return const_cast<char*>(data_);  // our own AllocateLarge'd buffer
}

const Version* VisibleAt(const VersionChain& chain, std::uint64_t as_of) {
  if (chain.empty() || chain.front().seq > as_of) return nullptr;
  if (chain.back().seq <= as_of) return &chain.back();  // HEAD: the common case
  auto it = std::upper_bound(chain.begin(), chain.end(), as_of,
                             [](std::uint64_t s, const Version& v) { return s < v.seq; });
  return &*(it - 1);
}

Collection::Collection() : index_(0, IdHash{this}, IdEq{this}) {}

const VersionChain* Collection::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[*it].chain;
}

std::uint32_t Collection::FindOrAdd(std::string_view id) {
  auto it = index_.find(id);
  if (it != index_.end()) return *it;
  entries_.push_back(Entry{std::string(id), {}});
  const auto n = static_cast<std::uint32_t>(entries_.size() - 1);
  index_.insert(n);
  return n;
}

void Collection::Reserve(std::size_t n) {
  // Headroom: the ops replayed after a snapshot load usually add ids, and
  // without it the first new id would move every loaded entry (a 1M-entry
  // collection: tens of ms, more than replaying a thousand ops).
  entries_.reserve(entries_.size() + n + n / 8 + 64);
}

bool Collection::IndexLoaded() {
  const auto n = static_cast<std::uint32_t>(entries_.size());
  std::uint32_t i = static_cast<std::uint32_t>(index_.size());
  index_.reserve(n);
  // Each insert is a cache (and TLB) miss in a large table: prefetch the
  // slots a few entries ahead.
  constexpr std::uint32_t kAhead = 16;
  for (std::uint32_t j = i; j < n && j < i + kAhead; ++j) index_.prefetch(entries_[j].id);
  for (; i < n; ++i) {
    if (i + kAhead < n) index_.prefetch(entries_[i + kAhead].id);
    if (!index_.insert(i).second) return false;
  }
  return true;
}

long Collection::FindEntry(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : static_cast<long>(*it);
}

DocStore::Change DocStore::Put(std::string_view coll, std::string_view id, std::uint64_t seq,
                               std::string_view doc) {
  return AppendVersion(coll, id, Version{seq, BlobPtr(Blob::Make(doc))});
}

DocStore::Change DocStore::AppendVersion(std::string_view coll, std::string_view id, Version v) {
  auto it = colls_.find(coll);
  if (it == colls_.end()) {
    it = colls_.emplace(std::string(coll), std::make_unique<Collection>()).first;
  }
  Collection& c = *it->second;
  Change ch;
  ch.changed = true;
  ch.coll = &c;
  ch.entry = c.FindOrAdd(id);
  VersionChain& chain = c.chain(ch.entry);
  if (!chain.empty()) ch.old = chain.back().blob.get();
  if (ch.old == nullptr) c.AdjustLive(+1);
  chain.push_back(std::move(v));
  return ch;
}

DocStore::Change DocStore::Delete(std::string_view coll, std::string_view id, std::uint64_t seq) {
  Change ch;
  auto it = colls_.find(coll);
  if (it == colls_.end()) return ch;
  Collection& c = *it->second;
  long e = c.FindEntry(id);
  if (e < 0) return ch;
  VersionChain& chain = c.chain(static_cast<std::uint32_t>(e));
  if (chain.empty() || chain.back().blob == nullptr) return ch;
  ch.changed = true;
  ch.coll = &c;
  ch.entry = static_cast<std::uint32_t>(e);
  ch.old = chain.back().blob.get();
  chain.push_back(Version{seq, nullptr});
  c.AdjustLive(-1);
  return ch;
}

const Blob* ErasedBlob() {
  // A length of zero and no bytes: the layout of a Blob (static_assert'ed).
  alignas(8) static const unsigned char kBytes[8] = {};
  return reinterpret_cast<const Blob*>(kBytes);
}

DocStore::Change DocStore::PutErased(std::string_view coll, std::string_view id,
                                     std::uint64_t seq) {
  return AppendVersion(coll, id, Version{seq, BlobPtr::Borrowed(ErasedBlob())});
}

std::size_t DocStore::EraseVersions(std::string_view coll, std::string_view id,
                                    std::span<const std::uint64_t> seqs) {
  auto it = colls_.find(coll);
  if (it == colls_.end()) return 0;
  Collection& c = *it->second;
  const long e = c.FindEntry(id);
  if (e < 0) return 0;
  std::size_t n = 0;
  for (Version& v : c.chain(static_cast<std::uint32_t>(e))) {
    if (v.blob == nullptr || IsErased(v.blob.get())) continue;
    if (!std::binary_search(seqs.begin(), seqs.end(), v.seq)) continue;
    v.blob = BlobPtr::Borrowed(ErasedBlob());
    ++n;
  }
  return n;
}

void DocStore::EraseVersionsBySeq(const absl::flat_hash_set<std::uint64_t>& seqs,
                                  const std::function<void(std::string_view, std::uint32_t)>& fn) {
  for (auto& [name, c] : colls_) {
    for (std::uint32_t e = 0; e < c->entries().size(); ++e) {
      bool touched = false;
      for (Version& v : c->chain(e)) {
        if (v.blob == nullptr || IsErased(v.blob.get()) || !seqs.contains(v.seq)) continue;
        v.blob = BlobPtr::Borrowed(ErasedBlob());
        touched = true;
      }
      if (touched) fn(name, e);
    }
  }
}

std::vector<std::uint64_t> DocStore::PayloadSeqs(std::string_view coll, std::string_view id) const {
  std::vector<std::uint64_t> out;
  const Collection* c = collection(coll);
  const VersionChain* chain = c ? c->Find(id) : nullptr;
  if (chain == nullptr) return out;
  for (const Version& v : *chain) {
    if (v.blob != nullptr && !IsErased(v.blob.get())) out.push_back(v.seq);
  }
  return out;
}

const Version* DocStore::GetVersion(std::string_view coll, std::string_view id,
                                    std::uint64_t as_of) const {
  const Collection* c = collection(coll);
  if (c == nullptr) return nullptr;
  const VersionChain* chain = c->Find(id);
  if (chain == nullptr) return nullptr;
  return VisibleAt(*chain, as_of);
}

const Blob* DocStore::Get(std::string_view coll, std::string_view id, std::uint64_t as_of) const {
  const Version* v = GetVersion(coll, id, as_of);
  return v == nullptr ? nullptr : v->blob.get();
}

std::uint64_t DocStore::HeadSeq(std::string_view coll, std::string_view id) const {
  const Collection* c = collection(coll);
  const VersionChain* chain = c ? c->Find(id) : nullptr;
  return chain && !chain->empty() ? chain->back().seq : 0;
}

bool DocStore::Live(std::string_view coll, std::string_view id) const {
  const Collection* c = collection(coll);
  if (c == nullptr) return false;
  const VersionChain* chain = c->Find(id);
  return chain != nullptr && !chain->empty() && chain->back().blob != nullptr;
}

const Collection* DocStore::collection(std::string_view coll) const {
  auto it = colls_.find(coll);
  return it == colls_.end() ? nullptr : it->second.get();
}

bool DocStore::EqualsSince(const DocStore& full, std::uint64_t base) const {
  if (colls_.size() != full.colls_.size()) return false;
  for (const auto& [name, f] : full.colls_) {
    const Collection* c = collection(name);
    if (c == nullptr || c->entries().size() != f->entries().size() || c->live() != f->live()) {
      return false;
    }
    for (std::size_t i = 0; i < f->entries().size(); ++i) {
      const auto& a = c->entries()[i];
      const auto& b = f->entries()[i];
      if (a.id != b.id) return false;
      // b's versions from the one visible at base onwards.
      std::size_t k = 0;
      while (k + 1 < b.chain.size() && b.chain[k + 1].seq <= base) ++k;
      if (!b.chain.empty() && b.chain[0].seq > base) k = 0;
      if (a.chain.size() != b.chain.size() - k) return false;
      for (std::size_t j = 0; j < a.chain.size(); ++j) {
        const Version& va = a.chain[j];
        const Version& vb = b.chain[k + j];
        if (va.seq != vb.seq || (va.blob == nullptr) != (vb.blob == nullptr)) return false;
        if (va.blob && va.blob->view() != vb.blob->view()) return false;
      }
    }
  }
  return true;
}

bool DocStore::Equals(const DocStore& other) const {
  if (colls_.size() != other.colls_.size()) return false;
  for (const auto& [name, c] : colls_) {
    const Collection* o = other.collection(name);
    if (o == nullptr || o->entries().size() != c->entries().size() || o->live() != c->live()) {
      return false;
    }
    for (std::size_t i = 0; i < c->entries().size(); ++i) {
      const auto& a = c->entries()[i];
      const auto& b = o->entries()[i];
      if (a.id != b.id || a.chain.size() != b.chain.size()) return false;
      for (std::size_t j = 0; j < a.chain.size(); ++j) {
        const Version& va = a.chain[j];
        const Version& vb = b.chain[j];
        if (va.seq != vb.seq || (va.blob == nullptr) != (vb.blob == nullptr)) return false;
        if (va.blob && va.blob->view() != vb.blob->view()) return false;
      }
    }
  }
  return true;
}

}  // namespace nedb
