// SPDX-License-Identifier: Apache-2.0
#include "merkle/hash_store.h"

namespace nedb::merkle {

MemoryHashStore::MemoryHashStore(const MemoryHashStore& other) {
  levels_.resize(other.levels_.size());
  for (std::size_t k = 0; k < levels_.size(); ++k) {
    levels_[k].size = other.levels_[k].size;
    for (const auto& tile : other.levels_[k].tiles) {
      levels_[k].tiles.push_back(std::make_unique<Tile>(*tile));
    }
  }
}

void MemoryHashStore::Append(int level, const Hash& h) {
  if (static_cast<std::size_t>(level) >= levels_.size()) levels_.resize(level + 1);
  Level& l = levels_[level];
  if (l.size % kTileHashes == 0) l.tiles.push_back(std::make_unique<Tile>());
  (*l.tiles.back())[l.size % kTileHashes] = h;
  ++l.size;
}

void MemoryHashStore::Truncate(int level, std::uint64_t size) {
  if (static_cast<std::size_t>(level) >= levels_.size()) return;
  Level& l = levels_[level];
  l.tiles.resize((size + kTileHashes - 1) / kTileHashes);
  l.size = size;
}

}  // namespace nedb::merkle
