// SPDX-License-Identifier: Apache-2.0
// The RFC 9162 root of leaves seen one at a time, in O(log n) memory: the
// hashes of the perfect subtrees along the right edge (a "compact range"
// starting at leaf 0). For checking a whole log without keeping its tree.
#ifndef NEDB_MERKLE_ROOT_BUILDER_H_
#define NEDB_MERKLE_ROOT_BUILDER_H_

#include <cstdint>
#include <vector>

#include "merkle/hash.h"

namespace nedb::merkle {

class RootBuilder {
 public:
  void Add(const Hash& leaf_hash) {
    Hash h = leaf_hash;
    // Leaf number size_ closes one perfect subtree per trailing 1 bit of size_.
    for (std::uint64_t n = size_; n & 1; n >>= 1) {
      h = HashChildren(edge_.back(), h);
      edge_.pop_back();
    }
    edge_.push_back(h);
    ++size_;
  }
  std::uint64_t size() const { return size_; }
  // MTH of the leaves added so far (EmptyRoot() for none): the subtrees
  // folded from the right.
  Hash Root() const {
    if (edge_.empty()) return EmptyRoot();
    Hash r = edge_.back();
    for (std::size_t i = edge_.size() - 1; i-- > 0;) r = HashChildren(edge_[i], r);
    return r;
  }

 private:
  std::vector<Hash> edge_;  // largest subtree first
  std::uint64_t size_ = 0;
};

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_ROOT_BUILDER_H_
