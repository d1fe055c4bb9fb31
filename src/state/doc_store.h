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

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/str_map.h"

namespace nedb {

// Immutable bytes with a 32-bit length prefix, one malloc.
class Blob {
 public:
  static Blob* Make(std::string_view bytes);
  static void Free(const Blob* b) { std::free(const_cast<Blob*>(b)); }
  std::string_view view() const { return {data_, len_}; }

 private:
  Blob() = default;
  std::uint32_t len_;
  char data_[1];
};

struct BlobDeleter {
  void operator()(const Blob* b) const { Blob::Free(b); }
};
using BlobPtr = std::unique_ptr<const Blob, BlobDeleter>;

// One version: the document as of seq, or a deletion (blob == nullptr).
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
  // Room for n entries (snapshot load: avoids rehashing while filling).
  void Reserve(std::size_t n) {
    entries_.reserve(n);
    index_.reserve(n);
  }
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  // The chain for id, or nullptr.
  const VersionChain* Find(std::string_view id) const;
  // The entry number of id, created (with an empty chain) if missing.
  std::uint32_t FindOrAdd(std::string_view id);
  // The entry number of id, or -1.
  long FindEntry(std::string_view id) const;
  VersionChain& chain(std::uint32_t entry) { return entries_[entry].chain; }

  const std::vector<Entry>& entries() const { return entries_; }
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
    bool operator()(std::uint32_t a, std::uint32_t b) const { return a == b; }
    bool operator()(std::uint32_t a, std::string_view b) const;
    bool operator()(std::string_view a, std::uint32_t b) const { return (*this)(b, a); }
  };

  std::vector<Entry> entries_;
  absl::flat_hash_set<std::uint32_t, IdHash, IdEq> index_;
  std::size_t live_ = 0;
};

class DocStore {
 public:
  // What a put or delete changed at HEAD.
  struct Change {
    bool changed = false;
    std::uint32_t entry = 0;    // the document's entry in its collection
    const Blob* old = nullptr;  // the previous HEAD version, if live
  };
  // Appends a version of coll/id holding doc.
  Change Put(std::string_view coll, std::string_view id, std::uint64_t seq, std::string_view doc);
  // Appends a deletion; changed = false (nothing appended) if not live.
  Change Delete(std::string_view coll, std::string_view id, std::uint64_t seq);

  // The document bytes visible at as_of, or nullptr.
  const Blob* Get(std::string_view coll, std::string_view id, std::uint64_t as_of) const;
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

 private:
  friend class SnapshotCodec;
  StrMap<std::unique_ptr<Collection>> colls_;
};

}  // namespace nedb

#endif  // NEDB_STATE_DOC_STORE_H_
