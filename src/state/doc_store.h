// SPDX-License-Identifier: Apache-2.0
// The MVCC document store: per collection, per id, a chain of versions.
//
// Documents are held as immutable compact bytes (their canonical JSON text
// in one allocation), never as a node tree; readers parse on demand. A
// version is never freed while the store lives, so a reader may keep a
// DocRef after releasing the state lock.
#ifndef NEDB_STATE_DOC_STORE_H_
#define NEDB_STATE_DOC_STORE_H_

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/container/inlined_vector.h>
#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/env.h"
#include "util/str_map.h"

namespace nedb {

// Immutable bytes with a 32-bit length prefix (host order), one malloc; or,
// for a snapshot load, a length and bytes inside an Arena the store owns
// (the snapshot's document records have exactly this layout).
class Blob {
 public:
  static Blob* Make(std::string_view bytes);
  static void Free(const Blob* b) { std::free(const_cast<Blob*>(b)); }
  std::string_view view() const {
    std::uint32_t n;
    std::memcpy(&n, len_, sizeof n);
    return {data_, n};
  }

 private:
  Blob() = default;
  // Bytes, not a uint32_t: a blob inside an arena may start at any address.
  unsigned char len_[4];
  char data_[1];
};

// The snapshot format's document records rely on this layout.
static_assert(alignof(Blob) == 1 && sizeof(Blob) == 5, "Blob is a u32 length and the bytes");

// Owns a malloc'ed Blob, or borrows one that lives in an Arena of the same
// DocStore (never freed on its own). The tag is the pointer's top bit,
// which no user-space address has.
class BlobPtr {
 public:
  BlobPtr() = default;
  BlobPtr(std::nullptr_t) {}  // NOLINT: implicit, like unique_ptr
  explicit BlobPtr(const Blob* owned) : p_(reinterpret_cast<std::uintptr_t>(owned)) {}
  static BlobPtr Borrowed(const Blob* b) {
    BlobPtr r;
    r.p_ = reinterpret_cast<std::uintptr_t>(b) | kBorrowed;
    return r;
  }
  BlobPtr(BlobPtr&& o) noexcept : p_(o.p_) { o.p_ = 0; }
  BlobPtr& operator=(BlobPtr&& o) noexcept {
    if (this != &o) {
      Reset();
      p_ = o.p_;
      o.p_ = 0;
    }
    return *this;
  }
  BlobPtr(const BlobPtr&) = delete;
  BlobPtr& operator=(const BlobPtr&) = delete;
  ~BlobPtr() { Reset(); }

  const Blob* get() const { return reinterpret_cast<const Blob*>(p_ & ~kBorrowed); }
  const Blob* operator->() const { return get(); }
  explicit operator bool() const { return p_ != 0; }
  friend bool operator==(const BlobPtr& a, std::nullptr_t) { return a.p_ == 0; }
  bool borrowed() const { return (p_ & kBorrowed) != 0; }

 private:
  static constexpr std::uintptr_t kBorrowed = std::uintptr_t{1} << (sizeof(std::uintptr_t) * 8 - 1);
  void Reset() {
    if (p_ != 0 && !borrowed()) Blob::Free(get());
    p_ = 0;
  }
  std::uintptr_t p_ = 0;
};

// Memory for large blocks: from 8 MiB on, 2 MiB-aligned with transparent
// huge pages advised (fewer page faults to fill them, fewer TLB misses in
// random access, e.g. the id index of a large collection); plain malloc
// below that. Freed with std::free.
void* AllocateLarge(std::size_t bytes);

template <class T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(AllocateLarge(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  friend bool operator==(const LargeAllocator&, const LargeAllocator&) { return true; }
};

// The bytes borrowed blobs point into, read-only once filled: one block
// for a whole snapshot instead of one allocation per document. Either a
// buffer of its own (AllocateLarge; filled through mutable_data()) or a
// region the Env returned (a read-only mapping of the snapshot file, which
// must never be written: nothing writes through a borrowed blob).
class Arena {
 public:
  explicit Arena(std::size_t size);
  explicit Arena(std::unique_ptr<ReadOnlyRegion> region)
      : data_(region->data()), size_(region->size()), region_(std::move(region)) {}
  Arena(Arena&& o) noexcept : data_(o.data_), size_(o.size_), region_(std::move(o.region_)) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  Arena& operator=(Arena&&) = delete;
  Arena(const Arena&) = delete;
  ~Arena();
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // The buffer to fill. REQUIRES: the arena owns its buffer (no region).
  char* mutable_data() const;

 private:
  const char* data_;  // AllocateLarge'd, or read-only memory of region_
  std::size_t size_;
  std::unique_ptr<ReadOnlyRegion> region_;  // else data_ is AllocateLarge'd
};

// The blob of a version whose payload was erased (NEDB::erase): zero bytes,
// never freed, compared by address. A reader that meets it throws
// ErasedError instead of returning it.
const Blob* ErasedBlob();
inline bool IsErased(const Blob* b) { return b == ErasedBlob(); }

// One version: the document as of seq, a deletion (blob == nullptr), or an
// erased put (blob == ErasedBlob()).
struct Version {
  std::uint64_t seq;
  BlobPtr blob;
};

// Versions in increasing seq order. Most documents have one.
using VersionChain = absl::InlinedVector<Version, 1>;

// The version visible at as_of (the last with seq <= as_of), or nullptr.
const Version* VisibleAt(const VersionChain& chain, std::uint64_t as_of);

// The documents of one collection, in order of first insertion (the order
// a scan returns them in).
class Collection {
 public:
  struct Entry {
    std::string id;
    VersionChain chain;
  };

  Collection();
  // Snapshot load, in three steps: Reserve(n) (room for n more entries and
  // some headroom for the ops replayed after it),
  // AppendLoaded() per entry (not findable yet), then IndexLoaded(), which
  // makes them findable and is false if an id is present twice.
  void Reserve(std::size_t n);
  void AppendLoaded(std::string_view id, Version v) {
    if (v.blob != nullptr) ++live_;
    entries_.emplace_back(Entry{std::string(id), {}});
    entries_.back().chain.push_back(std::move(v));
  }
  bool IndexLoaded();
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  // The chain for id, or nullptr.
  const VersionChain* Find(std::string_view id) const;
  // The entry number of id, created (with an empty chain) if missing.
  std::uint32_t FindOrAdd(std::string_view id);
  // The entry number of id, or -1.
  long FindEntry(std::string_view id) const;
  VersionChain& chain(std::uint32_t entry) { return entries_[entry].chain; }

  using Entries = std::vector<Entry, LargeAllocator<Entry>>;
  const Entries& entries() const { return entries_; }
  // Number of ids live at HEAD.
  std::size_t live() const { return live_; }
  void AdjustLive(long delta) {
    live_ = static_cast<std::size_t>(static_cast<long>(live_) + delta);
  }

 private:
  // A set of indexes into entries_, hashed and compared by the entry's id.
  struct IdHash {
    using is_transparent = void;
    const Collection* c;
    std::size_t operator()(std::uint32_t i) const;
    std::size_t operator()(std::string_view s) const;
  };
  struct IdEq {
    using is_transparent = void;
    const Collection* c;
    // Two entries are the same key when their ids are equal (so inserting
    // an entry whose id is present finds the other one).
    bool operator()(std::uint32_t a, std::uint32_t b) const;
    bool operator()(std::uint32_t a, std::string_view b) const;
    bool operator()(std::string_view a, std::uint32_t b) const { return (*this)(b, a); }
  };

  Entries entries_;
  absl::flat_hash_set<std::uint32_t, IdHash, IdEq, LargeAllocator<std::uint32_t>> index_;
  std::size_t live_ = 0;
};

// Inline: every lookup and insert calls them. absl's own string hash
// (std::string_view would go through std::hash).
inline std::size_t Collection::IdHash::operator()(std::string_view s) const {
  return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
}
inline std::size_t Collection::IdHash::operator()(std::uint32_t i) const {
  return (*this)(std::string_view(c->entries_[i].id));
}
inline bool Collection::IdEq::operator()(std::uint32_t a, std::uint32_t b) const {
  return a == b || c->entries_[a].id == c->entries_[b].id;
}
inline bool Collection::IdEq::operator()(std::uint32_t a, std::string_view b) const {
  return c->entries_[a].id == b;
}

class DocStore {
 public:
  // What a put or delete changed at HEAD.
  struct Change {
    bool changed = false;
    const Collection* coll = nullptr;  // changed: the document's collection
    std::uint32_t entry = 0;           // the document's entry in its collection
    const Blob* old = nullptr;         // the previous HEAD version, if live
  };
  // Appends a version of coll/id holding doc.
  Change Put(std::string_view coll, std::string_view id, std::uint64_t seq, std::string_view doc);
  // Appends a deletion; changed = false (nothing appended) if not live.
  Change Delete(std::string_view coll, std::string_view id, std::uint64_t seq);
  // Appends a put whose payload is erased (replay of an erased record).
  Change PutErased(std::string_view coll, std::string_view id, std::uint64_t seq);
  // Replaces the blobs of coll/id's versions at the given seqs by
  // ErasedBlob(), freeing their bytes. Returns how many it replaced.
  std::size_t EraseVersions(std::string_view coll, std::string_view id,
                            std::span<const std::uint64_t> seqs);
  // Replaces the blob of every version whose seq is in seqs by ErasedBlob();
  // calls fn(coll, entry) for each document touched. O(versions).
  void EraseVersionsBySeq(const absl::flat_hash_set<std::uint64_t>& seqs,
                          const std::function<void(std::string_view, std::uint32_t)>& fn);
  // The seqs of coll/id's versions that hold a payload (not deletions, not
  // erased), ascending.
  std::vector<std::uint64_t> PayloadSeqs(std::string_view coll, std::string_view id) const;

  // The document bytes visible at as_of, or nullptr (may be ErasedBlob()).
  const Blob* Get(std::string_view coll, std::string_view id, std::uint64_t as_of) const;
  // The version visible at as_of, or nullptr.
  const Version* GetVersion(std::string_view coll, std::string_view id, std::uint64_t as_of) const;
  // Seq of coll/id's last version (put or delete); 0 if none.
  std::uint64_t HeadSeq(std::string_view coll, std::string_view id) const;
  // True if coll/id is live at HEAD.
  bool Live(std::string_view coll, std::string_view id) const;

  const Collection* collection(std::string_view coll) const;
  const StrMap<std::unique_ptr<Collection>>& collections() const { return colls_; }

  // Same collections, ids, version seqs and bytes.
  bool Equals(const DocStore& other) const;
  // Equality with full, a store that has every version, when this store
  // holds only the versions visible at base and later (a snapshot load).
  bool EqualsSince(const DocStore& full, std::uint64_t base) const;

  // Keeps arena for as long as the store lives (borrowed blobs point into it).
  void AdoptArena(Arena arena) { arenas_.push_back(std::move(arena)); }

 private:
  friend class SnapshotCodec;
  // Appends v (a put) to coll/id's chain.
  Change AppendVersion(std::string_view coll, std::string_view id, Version v);
  // Declared first, destroyed last: after every BlobPtr (which never reads
  // a borrowed blob on destruction anyway).
  std::vector<Arena> arenas_;
  StrMap<std::unique_ptr<Collection>> colls_;
};

}  // namespace nedb

#endif  // NEDB_STATE_DOC_STORE_H_
