// SPDX-License-Identifier: Apache-2.0
// The steps of RFC 9162's verification algorithms before their final
// comparison, for the verifiers of include/nedb/proof.h and for tests that
// check a path is rejected for its shape (too long, too short), not only for
// leading to another root.
#ifndef NEDB_MERKLE_VERIFY_H_
#define NEDB_MERKLE_VERIFY_H_

#include "merkle/hash.h"
#include "nedb/proof.h"

namespace nedb::merkle {

// RFC 9162 §2.1.3.2 steps 1-5 without comparing with a root: the root the
// proof leads to, or false when index >= tree_size, a hash is malformed, or
// the path is too long or too short for (index, tree_size).
bool RootFromInclusionPath(const InclusionProof& proof, Hash* root);

// RFC 9162 §2.1.4.2 steps 1-7 without comparing with the roots: the old and
// new roots (`first`, `second`) the path leads to. root1 is the old root the
// verifier holds (step 2 starts from it when size1 is a power of two). False
// unless 0 < size1 < size2, or when a hash is malformed or the path is empty,
// too long or too short.
bool RootsFromConsistencyPath(const ConsistencyProof& proof, const Hash& root1, Hash* first,
                              Hash* second);

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_VERIFY_H_
