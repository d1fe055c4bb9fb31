// SPDX-License-Identifier: Apache-2.0
#include "merkle/tile_store.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "nedb/errors.h"
#include "util/crc32c.h"

namespace nedb::merkle {
namespace {

constexpr int kMaxLevels = 64;
constexpr std::size_t kCrcBytes = 4;

// tlog-tiles' index path: zero-padded groups of three digits, all but the
// last prefixed with 'x' (5 -> 005, 1234067 -> x001/x234/067).
std::string IndexPath(std::uint64_t index) {
  std::string digits = std::to_string(index);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) {
      out += 'x';
      out.append(digits, i, 3);
      out += '/';
    } else {
      out.append(digits, i, 3);
    }
  }
  return out;
}

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

std::uint32_t DecodeLE32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

TileHashStore::TileHashStore(std::string dir, TileStoreOptions options)
    : dir_(std::move(dir)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()) {
  options_.cache_tiles = std::max<std::size_t>(options_.cache_tiles, 2);
  Recover();
}

TileHashStore::~TileHashStore() = default;

std::string TileHashStore::TilePath(int level, std::uint64_t index) const {
  return dir_ + "/" + std::to_string(level) + "/" + IndexPath(index);
}

std::string TileHashStore::PartialPath(int level, std::uint64_t index) const {
  return TilePath(level, index) + ".p";
}

std::uint64_t TileHashStore::LevelSize(int level) const {
  if (static_cast<std::size_t>(level) >= levels_.size()) return 0;
  const Level& l = levels_[level];
  return l.full * kTileHashes + l.edge.size();
}

TileHashStore::Level& TileHashStore::LevelAt(int level) {
  if (static_cast<std::size_t>(level) >= levels_.size()) levels_.resize(level + 1);
  return levels_[level];
}

Hash TileHashStore::Get(int level, std::uint64_t index) const {
  const Level& l = levels_[level];
  const std::uint64_t t = index / kTileHashes;
  if (t == l.full) return l.edge[index % kTileHashes];
  return (*LoadTile(level, t))[index % kTileHashes];
}

std::optional<std::vector<Hash>> TileHashStore::ReadTileFile(const std::string& path,
                                                             std::size_t want,
                                                             std::string* why) const {
  if (!env_->FileExists(path)) {
    *why = "missing";
    return std::nullopt;
  }
  std::unique_ptr<ReadOnlyRegion> region = env_->MapReadOnly(path);
  ++tile_reads_;
  const std::size_t size = region->size();
  if (size < kHashBytes + kCrcBytes || (size - kCrcBytes) % kHashBytes != 0 ||
      (size - kCrcBytes) / kHashBytes > kTileHashes ||
      (want != 0 && size != want * kHashBytes + kCrcBytes)) {
    *why = "bad size " + std::to_string(size) + " (torn or not a tile)";
    return std::nullopt;
  }
  const std::size_t body = size - kCrcBytes;
  if (Crc32c(region->data(), body) != DecodeLE32(region->data() + body)) {
    *why = "CRC32C mismatch";
    return std::nullopt;
  }
  std::vector<Hash> out(body / kHashBytes);
  std::memcpy(out.data(), region->data(), body);
  return out;
}

std::shared_ptr<const TileHashStore::Tile> TileHashStore::LoadTile(int level,
                                                                   std::uint64_t index) const {
  const Key key = (static_cast<Key>(level) << 58) | index;
  if (auto it = cache_.find(key); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return it->second.tile;
  }
  const std::string path = TilePath(level, index);
  std::string why;
  std::optional<std::vector<Hash>> hashes = ReadTileFile(path, kTileHashes, &why);
  if (!hashes) {
    throw CorruptionError("Merkle tile " + path + ": " + why, index * kTileHashes, 0);
  }
  auto tile = std::make_shared<Tile>();
  std::copy(hashes->begin(), hashes->end(), tile->begin());
  CachePut(level, index, tile);
  return tile;
}

void TileHashStore::CachePut(int level, std::uint64_t index,
                             std::shared_ptr<const Tile> tile) const {
  const Key key = (static_cast<Key>(level) << 58) | index;
  CacheErase(level, index);
  lru_.push_front(key);
  cache_.emplace(key, Entry{std::move(tile), lru_.begin()});
  while (cache_.size() > options_.cache_tiles) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

void TileHashStore::CacheErase(int level, std::uint64_t index) const {
  const Key key = (static_cast<Key>(level) << 58) | index;
  if (auto it = cache_.find(key); it != cache_.end()) {
    lru_.erase(it->second.pos);
    cache_.erase(it);
  }
}

void TileHashStore::RemoveIfExists(const std::string& path) {
  if (env_->FileExists(path)) env_->RemoveFile(path);
}

void TileHashStore::WriteFileAtomically(const std::string& path, const Hash* hashes,
                                        std::size_t n) {
  std::string data(n * kHashBytes + kCrcBytes, '\0');
  std::memcpy(data.data(), hashes, n * kHashBytes);
  const std::uint32_t crc = Crc32c(data.data(), n * kHashBytes);
  for (std::size_t i = 0; i < kCrcBytes; ++i) {
    data[n * kHashBytes + i] = static_cast<char>(crc >> (8 * i));
  }
  const std::string tmp = dir_ + "/.tmp";
  const std::string parent = Parent(path);
  bool renamed = false;
  try {
    env_->CreateDir(parent);
    std::unique_ptr<WritableFile> f = env_->NewWritableFile(tmp);
    f->Append(data);
    if (options_.sync) f->Sync();
    f->Close();
    env_->RenameFile(tmp, path);
    renamed = true;
    if (options_.sync) env_->SyncDir(parent);
  } catch (...) {
    // Leave no file the caller does not know about (best effort).
    try {
      RemoveIfExists(renamed ? path : tmp);
    } catch (...) {
    }
    throw;
  }
  ++tile_writes_;
}

void TileHashStore::Append(int level, const Hash& h) {
  Level& l = LevelAt(level);
  l.edge.push_back(h);
  if (l.edge.size() < kTileHashes) {
    l.dirty = true;
    return;
  }
  try {
    WriteFileAtomically(TilePath(level, l.full), l.edge.data(), kTileHashes);
  } catch (...) {
    l.edge.pop_back();
    throw;
  }
  auto tile = std::make_shared<Tile>();
  std::copy(l.edge.begin(), l.edge.end(), tile->begin());
  CachePut(level, l.full, std::move(tile));
  ++l.full;
  l.edge.clear();
  l.dirty = true;
  // The partial tile this full tile supersedes must not outlive it (a later
  // truncation could otherwise make it look current again).
  if (l.partial_on_disk && l.partial_index == l.full - 1) {
    try {
      RemoveIfExists(PartialPath(level, l.partial_index));
      l.partial_on_disk = false;
    } catch (const IOError&) {
      // Flush() tries again.
    }
  }
}

void TileHashStore::Truncate(int level, std::uint64_t size) {
  if (static_cast<std::size_t>(level) >= levels_.size()) return;
  Level& l = levels_[level];
  if (size >= LevelSize(level)) return;
  l.dirty = true;
  const std::uint64_t new_full = size / kTileHashes;
  if (new_full >= l.full) {
    l.edge.resize(size - l.full * kTileHashes);
    return;
  }
  std::vector<Hash> edge;
  if (size % kTileHashes != 0) {
    std::shared_ptr<const Tile> tile = LoadTile(level, new_full);
    edge.assign(tile->begin(), tile->begin() + size % kTileHashes);
  }
  // The stale partial first, then full tiles from the top down: a crash in
  // between leaves a shorter level, never one with a stale tile in it.
  if (l.partial_on_disk) {
    RemoveIfExists(PartialPath(level, l.partial_index));
    l.partial_on_disk = false;
  }
  l.edge.clear();
  for (std::uint64_t i = l.full; i-- > new_full;) {
    env_->RemoveFile(TilePath(level, i));
    CacheErase(level, i);
    l.full = i;
  }
  l.edge = std::move(edge);
}

void TileHashStore::Flush() {
  for (std::size_t k = 0; k < levels_.size(); ++k) {
    Level& l = levels_[k];
    if (!l.dirty) continue;
    const int level = static_cast<int>(k);
    // A partial at an older index is covered by full tiles now: remove it
    // before writing the new one. One at this index is replaced by rename.
    if (l.partial_on_disk && (l.partial_index != l.full || l.edge.empty())) {
      RemoveIfExists(PartialPath(level, l.partial_index));
      l.partial_on_disk = false;
    }
    if (!l.edge.empty()) {
      try {
        WriteFileAtomically(PartialPath(level, l.full), l.edge.data(), l.edge.size());
      } catch (...) {
        // Whatever is there now, a later Flush rewrites or removes it.
        l.partial_on_disk = true;
        l.partial_index = l.full;
        throw;
      }
      l.partial_on_disk = true;
      l.partial_index = l.full;
    }
    l.dirty = false;
  }
}

void TileHashStore::Recover() {
  levels_.clear();
  cache_.clear();
  lru_.clear();
  env_->CreateDir(dir_);
  RemoveIfExists(dir_ + "/.tmp");

  struct Found {
    bool exists = false;
    std::uint64_t full = 0;
    std::vector<Hash> partial;
    bool partial_file = false;
  };
  std::vector<Found> found(kMaxLevels);
  std::uint64_t stored[kMaxLevels] = {};
  std::string why;
  for (int k = 0; k < kMaxLevels; ++k) {
    Found& f = found[k];
    f.exists = env_->FileExists(dir_ + "/" + std::to_string(k));
    if (!f.exists) continue;
    // Full tiles are a prefix 0, 1, ..., full - 1 (written in order, removed
    // from the top down): find its length with O(log n) probes.
    if (env_->FileExists(TilePath(k, 0))) {
      std::uint64_t lo = 0, hi = 1;  // lo exists, hi is unknown
      while (env_->FileExists(TilePath(k, hi))) {
        lo = hi;
        hi *= 2;
      }
      while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        (env_->FileExists(TilePath(k, mid)) ? lo : hi) = mid;
      }
      f.full = lo + 1;
    }
    // The newest full tile is the one a crash can have torn.
    const std::uint64_t listed = f.full;
    while (f.full > 0 && !ReadTileFile(TilePath(k, f.full - 1), kTileHashes, &why)) {
      env_->RemoveFile(TilePath(k, f.full - 1));
      --f.full;
    }
    if (listed != f.full) RemoveIfExists(PartialPath(k, listed));  // beyond a dropped tile
    const std::string partial = PartialPath(k, f.full);
    f.partial_file = env_->FileExists(partial);
    if (f.partial_file) {
      std::optional<std::vector<Hash>> p = ReadTileFile(partial, 0, &why);
      if (p && p->size() < kTileHashes) f.partial = std::move(*p);
    }
    if (f.full > 0) RemoveIfExists(PartialPath(k, f.full - 1));  // stale
    stored[k] = f.full * kTileHashes + f.partial.size();
  }

  // The largest n with floor(n / 2^k) <= stored[k] for every level k.
  std::uint64_t n = stored[0];
  for (int k = 1; k < kMaxLevels; ++k) {
    if (stored[k] + 1 <= (std::numeric_limits<std::uint64_t>::max() >> k)) {
      n = std::min(n, ((stored[k] + 1) << k) - 1);
    }
  }

  bool dirty = false;
  for (int k = 0; k < kMaxLevels; ++k) {
    Found& f = found[k];
    const std::uint64_t target = n >> k;
    if (target == 0) {
      if (f.exists) env_->RemoveDirRecursively(dir_ + "/" + std::to_string(k));
      continue;
    }
    Level& l = LevelAt(k);
    const std::uint64_t new_full = target / kTileHashes;
    const std::size_t rem = target % kTileHashes;
    if (new_full < f.full) {
      if (rem != 0) {
        std::optional<std::vector<Hash>> t = ReadTileFile(TilePath(k, new_full), kTileHashes, &why);
        if (!t) {
          throw CorruptionError("Merkle tile " + TilePath(k, new_full) + ": " + why,
                                new_full * kTileHashes, 0);
        }
        l.edge.assign(t->begin(), t->begin() + rem);
      }
      if (f.partial_file) RemoveIfExists(PartialPath(k, f.full));
      for (std::uint64_t i = f.full; i-- > new_full;) env_->RemoveFile(TilePath(k, i));
      l.full = new_full;
      l.dirty = rem != 0;
    } else {
      l.full = f.full;
      l.edge.assign(f.partial.begin(), f.partial.begin() + rem);
      l.partial_on_disk = f.partial_file;
      l.partial_index = f.full;
      l.dirty = f.partial_file && rem != f.partial.size();
    }
    dirty = dirty || l.dirty;
  }
  if (dirty) Flush();
}

void TileHashStore::AppendLeaf(const Hash& leaf) {
  const std::uint64_t n = LevelSize(0);
  Append(0, leaf);
  Hash node = leaf;
  int level = 0;
  for (std::uint64_t i = n; i & 1; i >>= 1) {
    node = HashChildren(Get(level, i - 1), node);
    Append(++level, node);
  }
}

void TileHashStore::Rebuild(std::span<const Hash> leaves) {
  levels_.clear();
  cache_.clear();
  lru_.clear();
  try {
    env_->RemoveDirRecursively(dir_);
    env_->CreateDir(dir_);
    for (const Hash& leaf : leaves) AppendLeaf(leaf);
    Flush();
  } catch (...) {
    try {
      Recover();  // back to a consistent (shorter) tree
    } catch (...) {
    }
    throw;
  }
}

TileCheck TileHashStore::Check(const std::optional<Hash>& expected_root) const {
  TileCheck bad;
  bad.ok = false;
  std::string why;
  // The hashes of tile t of level k as stored: a full tile's file, or the
  // right edge (checked against its partial file when that is current).
  auto read = [&](int k, std::uint64_t t, std::vector<Hash>* out) -> bool {
    const Level& l = levels_[k];
    if (t < l.full) {
      const std::string path = TilePath(k, t);
      std::optional<std::vector<Hash>> h = ReadTileFile(path, kTileHashes, &why);
      if (!h) {
        bad.tile = path;
        bad.reason = why;
        return false;
      }
      *out = std::move(*h);
      return true;
    }
    if (l.partial_on_disk && !l.dirty && !l.edge.empty()) {
      const std::string path = PartialPath(k, t);
      std::optional<std::vector<Hash>> h = ReadTileFile(path, l.edge.size(), &why);
      if (!h || *h != l.edge) {
        bad.tile = path;
        bad.reason = h ? "differs from the right edge in memory" : why;
        return false;
      }
    }
    *out = l.edge;
    return true;
  };

  std::vector<Hash> child, parent;
  for (std::size_t kk = 0; kk < levels_.size(); ++kk) {
    const int k = static_cast<int>(kk);
    const std::uint64_t size = LevelSize(k);
    const std::uint64_t tiles = (size + kTileHashes - 1) / kTileHashes;
    std::uint64_t parent_tile = std::numeric_limits<std::uint64_t>::max();
    for (std::uint64_t t = 0; t < tiles; ++t) {
      if (!read(k, t, &child)) return bad;
      for (std::size_t j = 0; j + 1 < child.size(); j += 2) {
        const std::uint64_t p = (t * kTileHashes + j) / 2;  // index at level k+1
        if (p / kTileHashes != parent_tile) {
          parent_tile = p / kTileHashes;
          if (!read(k + 1, parent_tile, &parent)) return bad;
        }
        if (HashChildren(child[j], child[j + 1]) != parent[p % kTileHashes]) {
          bad.tile = t < levels_[k].full ? TilePath(k, t) : PartialPath(k, t);
          bad.reason = "hashes " + std::to_string(t * kTileHashes + j) + " and " +
                       std::to_string(t * kTileHashes + j + 1) + " of level " + std::to_string(k) +
                       " do not hash to hash " + std::to_string(p) + " of level " +
                       std::to_string(k + 1) + " (tile " + TilePath(k + 1, parent_tile) +
                       " or this one is wrong)";
          return bad;
        }
      }
    }
  }
  if (expected_root) {
    const std::uint64_t n = LevelSize(0);
    Hash pieces[kMaxLevels];
    int count = 0;
    std::uint64_t at = 0;
    for (int b = kMaxLevels - 1; b >= 0; --b) {
      if ((n >> b) & 1) {
        pieces[count++] = Get(b, at >> b);
        at += std::uint64_t{1} << b;
      }
    }
    Hash root = EmptyRoot();
    if (count > 0) {
      root = pieces[count - 1];
      for (int i = count - 2; i >= 0; --i) root = HashChildren(pieces[i], root);
    }
    if (root != *expected_root) {
      bad.reason = "root of " + std::to_string(n) + " leaves is " + ToHex(root) + ", expected " +
                   ToHex(*expected_root) + " (a right-edge hash no parent covers is wrong)";
      return bad;
    }
  }
  return TileCheck{};
}

}  // namespace nedb::merkle
