// SPDX-License-Identifier: Apache-2.0
// An append-only RFC 9162 Merkle tree over leaf hashes, with roots and proofs
// for every earlier size (docs/MERKLE.md).
#ifndef NEDB_MERKLE_MERKLE_TREE_H_
#define NEDB_MERKLE_MERKLE_TREE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "merkle/hash.h"
#include "merkle/hash_store.h"
#include "nedb/proof.h"

namespace nedb::merkle {

// Keeps the hash of every complete subtree (HashStore), so that Append costs
// one leaf write and on average one interior hash, and Root, InclusionPath and
// ConsistencyPath for any size <= size() read O(log n) stored hashes and
// compute O(log n) hashes (only the one incomplete right-edge subtree a query
// needs is hashed; leaves are never rehashed).
//
// Not thread-safe: const methods may run concurrently with each other, not
// with Append or Truncate. Out-of-range arguments throw nedb::InvalidArgument.
class MerkleTree {
 public:
  MerkleTree();  // empty, in memory
  // Adopts `store`, whose levels must hold a tree (as a MerkleTree left
  // them); size() is its level 0 size.
  explicit MerkleTree(std::unique_ptr<HashStore> store);

  std::uint64_t size() const { return size_; }
  const HashStore& store() const { return *store_; }

  // Appends a leaf hash (HashLeaf of the entry) as leaf number size().
  void Append(const Hash& leaf_hash);
  // Drops every leaf from `size` on (a write that failed is cut back).
  void Truncate(std::uint64_t size);

  // The hash of leaf `index`. REQUIRES: index < size().
  Hash LeafHashAt(std::uint64_t index) const;

  // MTH of the first `size` leaves (EmptyRoot() for 0). REQUIRES: size <= size().
  Hash Root(std::uint64_t size) const;
  Hash Root() const { return Root(size_); }

  // RFC 9162 §2.1.3.1 PATH(index, D[0:size]), leaf side first.
  // REQUIRES: index < size <= size().
  std::vector<Hash> InclusionPath(std::uint64_t index, std::uint64_t size) const;

  // RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]); empty when size1 == 0 or
  // size1 == size2. REQUIRES: size1 <= size2 <= size().
  std::vector<Hash> ConsistencyPath(std::uint64_t size1, std::uint64_t size2) const;

  // The same as hex proofs (include/nedb/proof.h).
  InclusionProof ProveInclusion(std::uint64_t index, std::uint64_t size) const;
  ConsistencyProof ProveConsistency(std::uint64_t size1, std::uint64_t size2) const;

 private:
  // MTH(D[begin:end]) where [begin, end) is a node of some tree of size
  // <= size(): end - begin's binary digits name complete stored subtrees
  // starting at begin, folded from the right.
  Hash RangeHash(std::uint64_t begin, std::uint64_t end) const;

  std::unique_ptr<HashStore> store_;
  std::uint64_t size_ = 0;
};

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_MERKLE_TREE_H_
