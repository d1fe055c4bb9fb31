# SPDX-License-Identifier: Apache-2.0
# The RFC 9162 Merkle tree and its proofs (include/nedb/proof.h, docs/MERKLE.md),
# compiled into libnedb.
target_sources(nedb PRIVATE
  src/merkle/hash.cc
  src/merkle/hash_store.cc
  src/merkle/merkle_tree.cc
  src/merkle/proof.cc
  src/merkle/reference.cc
  src/merkle/tile_store.cc
)
