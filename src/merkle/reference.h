// SPDX-License-Identifier: Apache-2.0
// RFC 9162's recursive definitions, written as the RFC states them and used
// as the oracle MerkleTree is tested against (tests/merkle_test.cc). Each
// call rehashes every leaf it covers: O(n), for tests and tools only.
#ifndef NEDB_MERKLE_REFERENCE_H_
#define NEDB_MERKLE_REFERENCE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "merkle/hash.h"

namespace nedb::merkle {

// MTH(D[n]) (§2.1.1) of the given leaf hashes; EmptyRoot() for none.
Hash ReferenceRoot(std::span<const Hash> leaves);

// PATH(m, D[n]) (§2.1.3.1). REQUIRES: m < leaves.size().
std::vector<Hash> ReferenceInclusionPath(std::uint64_t m, std::span<const Hash> leaves);

// PROOF(m, D[n]) (§2.1.4.1) for 0 < m < n; empty for m == 0 or m == n.
// REQUIRES: m <= leaves.size().
std::vector<Hash> ReferenceConsistencyPath(std::uint64_t m, std::span<const Hash> leaves);

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_REFERENCE_H_
