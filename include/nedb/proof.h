// SPDX-License-Identifier: Apache-2.0
// Merkle proofs over NEDB's history (docs/MERKLE.md), checked without a
// database.
//
// The history is an RFC 9162 Merkle tree over SHA-256: the hash of leaf
// `entry` is SHA-256(0x00 || entry), an interior node is
// SHA-256(0x01 || left || right), and the root of the empty tree is SHA-256
// of nothing. Every hash here is 64 lower-case hex digits; anything else
// (upper case, another length, a prefix) is malformed and fails verification.
//
// The verifiers are pure functions: thread-safe, they never throw and never
// allocate per path entry; any malformed or inconsistent input returns false.
#ifndef NEDB_PROOF_H_
#define NEDB_PROOF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nedb {

// Proof that the leaf with hash leaf_hash is leaf number `index` (0-based) of
// the tree of the first tree_size leaves: RFC 9162 §2.1.3 inclusion_path,
// sibling of the leaf first.
struct InclusionProof {
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  std::string leaf_hash;          // hex
  std::vector<std::string> path;  // hex
};

// Proof that the tree of the first size1 leaves is a prefix of the tree of
// the first size2 leaves: RFC 9162 §2.1.4 consistency_path. Empty when
// size1 == size2 or size1 == 0.
struct ConsistencyProof {
  std::uint64_t size1 = 0;
  std::uint64_t size2 = 0;
  std::vector<std::string> path;  // hex
};

// Hex of SHA-256(0x00 || entry): the leaf hash of the committed entry bytes.
std::string LeafHash(std::string_view entry);

// Hex of SHA-256(0x01 || left || right), or nullopt if either is malformed.
std::optional<std::string> NodeHash(std::string_view left_hex, std::string_view right_hex);

// Hex root of the empty tree (SHA-256 of no bytes): e3b0c442...b855.
std::string EmptyTreeRoot();

// True iff `proof` proves its leaf into the tree whose root is root_hex,
// following RFC 9162 §2.1.3.2 exactly: false for index >= tree_size, a path
// that is too long or too short for (index, tree_size), a malformed hash, or
// a root that does not match.
bool VerifyInclusion(const InclusionProof& proof, std::string_view root_hex);

// The root the proof leads to (RFC 9162 §2.1.3.2 without the last
// comparison), or nullopt when the proof is malformed for its index and size.
std::optional<std::string> RootFromInclusion(const InclusionProof& proof);

// True iff `proof` shows the tree of size1 leaves with root root1_hex is a
// prefix of the tree of size2 leaves with root root2_hex, following RFC 9162
// §2.1.4.2 for 0 < size1 < size2. The cases the RFC leaves out:
//   size1 > size2                      false;
//   size1 == 0                         true iff the path is empty and root1 is
//                                      EmptyTreeRoot() (and root2 too when size2 == 0);
//   0 < size1 == size2                 true iff the path is empty and root1 == root2.
bool VerifyConsistency(const ConsistencyProof& proof, std::string_view root1_hex,
                       std::string_view root2_hex);

}  // namespace nedb

#endif  // NEDB_PROOF_H_
