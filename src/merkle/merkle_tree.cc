// SPDX-License-Identifier: Apache-2.0
#include "merkle/merkle_tree.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <string>

#include "nedb/errors.h"

namespace nedb::merkle {
namespace {

// The largest power of two strictly below n (the RFC's k). REQUIRES: n >= 2.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

std::vector<std::string> ToHexPath(const std::vector<Hash>& path) {
  std::vector<std::string> out;
  out.reserve(path.size());
  for (const Hash& h : path) out.push_back(ToHex(h));
  return out;
}

}  // namespace

MerkleTree::MerkleTree() : store_(std::make_unique<MemoryHashStore>()) {}

MerkleTree::MerkleTree(std::unique_ptr<HashStore> store) : store_(std::move(store)) {
  size_ = store_->LevelSize(0);
  for (int level = 1; level < 64; ++level) {
    if (store_->LevelSize(level) != size_ >> level) {
      throw InvalidArgument("Merkle hash store: level " + std::to_string(level) + " holds " +
                            std::to_string(store_->LevelSize(level)) + " hashes, expected " +
                            std::to_string(size_ >> level));
    }
  }
}

void MerkleTree::Append(const Hash& leaf_hash) {
  try {
    store_->Append(0, leaf_hash);
    // Each trailing 1 bit of the new leaf's index completes a subtree.
    Hash node = leaf_hash;
    int level = 0;
    for (std::uint64_t i = size_; i & 1; i >>= 1) {
      node = HashChildren(store_->Get(level, i - 1), node);
      store_->Append(++level, node);
    }
  } catch (...) {
    Truncate(size_);  // put the levels back as they were
    throw;
  }
  ++size_;
}

void MerkleTree::Truncate(std::uint64_t size) {
  if (size > size_) {
    throw InvalidArgument("Merkle tree: cannot truncate " + std::to_string(size_) + " leaves to " +
                          std::to_string(size));
  }
  for (int level = 0; level < 64 && store_->LevelSize(level) > (size >> level); ++level) {
    store_->Truncate(level, size >> level);
  }
  size_ = size;
}

Hash MerkleTree::LeafHashAt(std::uint64_t index) const {
  if (index >= size_) {
    throw InvalidArgument("Merkle tree: leaf " + std::to_string(index) + " of " +
                          std::to_string(size_));
  }
  return store_->Get(0, index);
}

Hash MerkleTree::RangeHash(std::uint64_t begin, std::uint64_t end) const {
  // [begin, end) is a node of an RFC tree, so begin is a multiple of the
  // largest power of two <= end - begin: split it into stored complete
  // subtrees of decreasing size, then fold them from the right
  // (MTH(D[a:b]) = HASH(0x01 || MTH(first 2^k) || MTH(rest))).
  Hash pieces[64];
  int count = 0;
  std::uint64_t at = begin;
  for (std::uint64_t rest = end - begin; rest != 0;) {
    const int level = std::bit_width(rest) - 1;
    assert(at % (std::uint64_t{1} << level) == 0);
    pieces[count++] = store_->Get(level, at >> level);
    at += std::uint64_t{1} << level;
    rest -= std::uint64_t{1} << level;
  }
  Hash h = pieces[count - 1];
  for (int i = count - 2; i >= 0; --i) h = HashChildren(pieces[i], h);
  return h;
}

Hash MerkleTree::Root(std::uint64_t size) const {
  if (size > size_) {
    throw InvalidArgument("Merkle tree: no root for size " + std::to_string(size) + " of " +
                          std::to_string(size_));
  }
  return size == 0 ? EmptyRoot() : RangeHash(0, size);
}

std::vector<Hash> MerkleTree::InclusionPath(std::uint64_t index, std::uint64_t size) const {
  if (index >= size || size > size_) {
    throw InvalidArgument("Merkle tree: no inclusion proof for leaf " + std::to_string(index) +
                          " in size " + std::to_string(size) + " of " + std::to_string(size_));
  }
  // Walk down from the root, keeping the sibling of each node on the way to
  // the leaf. Only the first right sibling can be incomplete: once the walk
  // goes left it is inside a complete subtree.
  std::vector<Hash> path;
  path.reserve(std::bit_width(size));
  std::uint64_t begin = 0, end = size;
  while (end - begin > 1) {
    const std::uint64_t mid = begin + SplitPoint(end - begin);
    if (index < mid) {
      path.push_back(RangeHash(mid, end));
      end = mid;
    } else {
      path.push_back(RangeHash(begin, mid));
      begin = mid;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<Hash> MerkleTree::ConsistencyPath(std::uint64_t size1, std::uint64_t size2) const {
  if (size1 > size2 || size2 > size_) {
    throw InvalidArgument("Merkle tree: no consistency proof from size " + std::to_string(size1) +
                          " to " + std::to_string(size2) + " of " + std::to_string(size_));
  }
  std::vector<Hash> path;
  if (size1 == 0 || size1 == size2) return path;
  // SUBPROOF(size1, D[begin:end], whole) unrolled from the root: each step
  // keeps the sibling of the node that holds the boundary between the old
  // leaves [0, size1) and the new ones. The walk ends at the node
  // [begin, size1), which is sent unless it is the whole old tree
  // (whole == true: the verifier has that root already).
  path.reserve(std::bit_width(size2) + 1);
  std::uint64_t begin = 0, end = size2;
  bool whole = true;
  while (size1 != end) {
    const std::uint64_t mid = begin + SplitPoint(end - begin);
    if (size1 <= mid) {
      path.push_back(RangeHash(mid, end));
      end = mid;
    } else {
      path.push_back(RangeHash(begin, mid));
      begin = mid;
      whole = false;
    }
  }
  if (!whole) path.push_back(RangeHash(begin, end));
  std::reverse(path.begin(), path.end());
  return path;
}

InclusionProof MerkleTree::ProveInclusion(std::uint64_t index, std::uint64_t size) const {
  std::vector<Hash> path = InclusionPath(index, size);
  return InclusionProof{index, size, ToHex(store_->Get(0, index)), ToHexPath(path)};
}

ConsistencyProof MerkleTree::ProveConsistency(std::uint64_t size1, std::uint64_t size2) const {
  return ConsistencyProof{size1, size2, ToHexPath(ConsistencyPath(size1, size2))};
}

}  // namespace nedb::merkle
