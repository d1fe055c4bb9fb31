// SPDX-License-Identifier: Apache-2.0
// A HashStore that keeps the tree's levels on disk, in tile files of 256
// hashes under one directory, through nedb::Env (docs/MERKLE.md, "Tiles on
// disk"). Only a bounded LRU cache of full tiles and the right edge of each
// level (at most 255 hashes a level) stay in memory.
//
// Layout (dir = the store's directory; every level is stored, not only every
// 8th as in C2SP tlog-tiles, so a Get never recomputes):
//   <dir>/<level>/<index path>      a full tile: hashes [256 i, 256 i + 256)
//   <dir>/<level>/<index path>.p    the right edge: hashes [256 i, 256 i + w),
//                                   0 < w < 256, where i = the full tile count
//   <dir>/.tmp                      a file being written (removed on open)
// <index path> spells the tile index as tlog-tiles does: groups of three
// decimal digits, all but the last prefixed with 'x' (1234067 -> x001/x234/067).
// Each file is w * 32 bytes of hashes followed by the CRC32C of those bytes
// (4 bytes, little-endian). Full tiles are written once, when they fill
// (tmp + rename), so level 0 costs one file write per 256 leaves; the partial
// tiles are rewritten (tmp + rename) by Flush().
//
// The log is the authority: the tiles may lag it. On open the store works out
// the largest tree size n that every level covers (level k must hold
// floor(n / 2^k) hashes), cuts every level back to that, and reports n as
// LevelSize(0); the caller appends the leaf hashes from n on again from the
// segments (and truncates if the log is shorter). A file whose size is not
// w * 32 + 4 or whose CRC does not match is treated as missing on open (the
// last full tile of each level and the partial tile are checked); every tile
// read later is checked too and a bad one throws CorruptionError. Check()
// verifies every stored tile against its CRC and its parents, and Rebuild()
// starts again from the leaf hashes.
#ifndef NEDB_MERKLE_TILE_STORE_H_
#define NEDB_MERKLE_TILE_STORE_H_

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "merkle/hash.h"
#include "merkle/hash_store.h"
#include "nedb/env.h"

namespace nedb::merkle {

struct TileStoreOptions {
  Env* env = nullptr;  // nullptr: Env::Default()
  // Full tiles kept in memory (8 KiB each); at least 2. 1024 tiles = 8 MiB.
  std::size_t cache_tiles = 1024;
  // fsync every tile file before its rename and its directory after. Off,
  // a crash may lose tiles written shortly before it, which the open-time
  // checks and the log cover.
  bool sync = false;
};

// The result of TileHashStore::Check(): ok, or the first bad tile.
struct TileCheck {
  bool ok = true;
  std::string tile;    // path of the first bad tile ("" if ok, or for a root mismatch)
  std::string reason;  // what is wrong
};

class TileHashStore final : public HashStore {
 public:
  static constexpr std::uint64_t kTileHashes = 256;

  // Opens (creating if missing) the store in dir and recovers it as above:
  // LevelSize(0) is then the number of leaves the tiles cover. Throws
  // IOError.
  explicit TileHashStore(std::string dir, TileStoreOptions options = {});
  // Does no I/O: call Flush() first to keep the right edge.
  ~TileHashStore() override;

  std::uint64_t LevelSize(int level) const override;
  Hash Get(int level, std::uint64_t index) const override;
  // A hash that fills a tile writes the tile file; if that throws, the
  // hash is not appended.
  void Append(int level, const Hash& h) override;
  void Truncate(int level, std::uint64_t size) override;

  // Writes the partial tiles that changed (tmp + rename) and removes stale
  // ones. After it returns (and with options.sync, after a crash too) a
  // reopen covers every leaf appended so far.
  void Flush();

  // Reads every stored tile (not through the cache) and checks its size and
  // CRC, that each pair of hashes at level k hashes to the stored level k+1
  // hash, and, if expected_root is given, that the root of LevelSize(0)
  // leaves equals it. Reports the first bad tile. Throws IOError only.
  TileCheck Check(const std::optional<Hash>& expected_root = std::nullopt) const;

  // Removes every tile and stores the tree of `leaves` (leaf hashes) from
  // scratch, then Flush()es.
  void Rebuild(std::span<const Hash> leaves);

  const std::string& dir() const { return dir_; }
  // Paths of a full and a partial tile.
  std::string TilePath(int level, std::uint64_t index) const;
  std::string PartialPath(int level, std::uint64_t index) const;

  // Instrumentation: full tiles in the cache, tile files read and written.
  std::size_t cached_tiles() const { return cache_.size(); }
  std::uint64_t tile_reads() const { return tile_reads_; }
  std::uint64_t tile_writes() const { return tile_writes_; }

 private:
  using Tile = std::array<Hash, kTileHashes>;
  struct Level {
    std::uint64_t full = 0;  // full tiles [0, full) are on disk
    std::vector<Hash> edge;  // hashes [256 full, 256 full + edge.size())
    bool partial_on_disk = false;
    std::uint64_t partial_index = 0;  // which <index>.p is on disk
    bool dirty = false;               // edge differs from the partial on disk
  };

  void Recover();
  void AppendLeaf(const Hash& leaf);  // for Rebuild: the MerkleTree append
  Level& LevelAt(int level);
  std::shared_ptr<const Tile> LoadTile(int level, std::uint64_t index) const;
  void CachePut(int level, std::uint64_t index, std::shared_ptr<const Tile> tile) const;
  void CacheErase(int level, std::uint64_t index) const;
  void WriteFileAtomically(const std::string& path, const Hash* hashes, std::size_t n);
  void RemoveIfExists(const std::string& path);
  // The hashes of a tile file, or nullopt if it is missing, has a bad size or
  // a bad CRC (*why says which). want = the exact count expected, 0 for any.
  std::optional<std::vector<Hash>> ReadTileFile(const std::string& path, std::size_t want,
                                                std::string* why) const;

  std::string dir_;
  TileStoreOptions options_;
  Env* env_;
  std::vector<Level> levels_;

  using Key = std::uint64_t;    // level << 58 | index
  mutable std::list<Key> lru_;  // most recently used first
  struct Entry {
    std::shared_ptr<const Tile> tile;
    std::list<Key>::iterator pos;
  };
  mutable std::unordered_map<Key, Entry> cache_;
  mutable std::uint64_t tile_reads_ = 0;
  std::uint64_t tile_writes_ = 0;
};

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_TILE_STORE_H_
