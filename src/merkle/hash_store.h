// SPDX-License-Identifier: Apache-2.0
// Where a MerkleTree keeps its levels. Level 0 holds the leaf hashes in order;
// level k holds, in order, the hash of every complete subtree of 2^k leaves,
// so with n leaves level k has exactly floor(n / 2^k) hashes. These are the
// hashes C2SP tlog-tiles publishes (https://c2sp.org/tlog-tiles), which keeps
// levels 0, 8, 16, ... in tiles of 256 hashes and recomputes the 7 levels in
// between from a tile; a tile-backed store may do the same (a Get at level
// 8j + k then costs 2^k - 1 <= 127 hashes within one tile) or keep every level. All levels are
// rebuildable from level 0, and level 0 from the log, which is the authority.
#ifndef NEDB_MERKLE_HASH_STORE_H_
#define NEDB_MERKLE_HASH_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "merkle/hash.h"

namespace nedb::merkle {

// The level storage interface. Not thread-safe: the owning MerkleTree's
// caller serializes writes against reads. An on-disk implementation may throw
// nedb::IOError or nedb::CorruptionError from any call; MerkleTree lets them
// through.
class HashStore {
 public:
  virtual ~HashStore() = default;

  // Number of hashes at `level` (0 for a level never written).
  virtual std::uint64_t LevelSize(int level) const = 0;

  // The hash at (level, index). REQUIRES: index < LevelSize(level).
  virtual Hash Get(int level, std::uint64_t index) const = 0;

  // Appends h at index LevelSize(level) of `level`.
  virtual void Append(int level, const Hash& h) = 0;

  // Keeps the first `size` hashes of `level`. REQUIRES: size <= LevelSize(level).
  virtual void Truncate(int level, std::uint64_t size) = 0;
};

// Every level in memory, in tiles of kTileHashes hashes (the tlog-tiles
// width): growing never copies a level, and a tile is the unit a file-backed
// store would read and write. 2n hashes (64 bytes per leaf) for n leaves.
class MemoryHashStore final : public HashStore {
 public:
  static constexpr std::uint64_t kTileHashes = 256;

  MemoryHashStore() = default;
  MemoryHashStore(const MemoryHashStore& other);  // deep copy

  std::uint64_t LevelSize(int level) const override {
    return static_cast<std::size_t>(level) < levels_.size() ? levels_[level].size : 0;
  }
  Hash Get(int level, std::uint64_t index) const override {
    return (*levels_[level].tiles[index / kTileHashes])[index % kTileHashes];
  }
  void Append(int level, const Hash& h) override;
  void Truncate(int level, std::uint64_t size) override;

 private:
  using Tile = std::array<Hash, kTileHashes>;
  struct Level {
    std::vector<std::unique_ptr<Tile>> tiles;
    std::uint64_t size = 0;
  };
  std::vector<Level> levels_;
};

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_HASH_STORE_H_
