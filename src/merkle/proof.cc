// SPDX-License-Identifier: Apache-2.0
// The verifiers of include/nedb/proof.h: RFC 9162 §2.1.3.2 and §2.1.4.2 step
// by step, on hashes parsed one path entry at a time (no allocation).
#include "nedb/proof.h"

#include <bit>

#include "merkle/hash.h"
#include "merkle/verify.h"

namespace nedb {
namespace merkle {
namespace {

// Right-shifts fn and sn together until LSB(fn) is set or fn is 0.
void ShiftToOddOrZero(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

bool RootFromInclusionPath(const InclusionProof& proof, Hash* root) {
  if (proof.index >= proof.tree_size) return false;  // step 1
  Hash r;
  if (!ParseHex(proof.leaf_hash, &r)) return false;
  std::uint64_t fn = proof.index, sn = proof.tree_size - 1;  // step 2
  for (const std::string& hex : proof.path) {                // step 4
    Hash p;
    if (!ParseHex(hex, &p)) return false;
    if (sn == 0) return false;  // the path is too long
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) ShiftToOddOrZero(fn, sn);
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return false;  // step 5: the path is too short
  *root = r;
  return true;
}

bool RootsFromConsistencyPath(const ConsistencyProof& proof, const Hash& root1, Hash* first,
                              Hash* second) {
  const std::vector<std::string>& path = proof.path;
  if (proof.size1 == 0 || proof.size1 >= proof.size2) return false;
  if (path.empty()) return false;  // step 1
  // Step 2: when size1 is a power of two the old root is the first node.
  const bool prepend = std::has_single_bit(proof.size1);
  const std::size_t count = path.size() + (prepend ? 1 : 0);
  auto node = [&](std::size_t j, Hash* out) {
    if (prepend) {
      if (j == 0) {
        *out = root1;
        return true;
      }
      --j;
    }
    return ParseHex(path[j], out);
  };
  std::uint64_t fn = proof.size1 - 1, sn = proof.size2 - 1;  // step 3
  while ((fn & 1) == 1) {                                    // step 4
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr;  // step 5
  if (!node(0, &fr)) return false;
  Hash sr = fr;
  for (std::size_t j = 1; j < count; ++j) {  // step 6
    Hash c;
    if (!node(j, &c)) return false;
    if (sn == 0) return false;  // the path is too long
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) ShiftToOddOrZero(fn, sn);
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return false;  // step 7's last condition: the path is too short
  *first = fr;
  *second = sr;
  return true;
}

}  // namespace merkle

using merkle::Hash;
using merkle::HashChildren;
using merkle::ParseHex;

std::string LeafHash(std::string_view entry) { return merkle::ToHex(merkle::HashLeaf(entry)); }

std::optional<std::string> NodeHash(std::string_view left_hex, std::string_view right_hex) {
  Hash left, right;
  if (!ParseHex(left_hex, &left) || !ParseHex(right_hex, &right)) return std::nullopt;
  return merkle::ToHex(HashChildren(left, right));
}

std::string EmptyTreeRoot() { return merkle::ToHex(merkle::EmptyRoot()); }

std::optional<std::string> RootFromInclusion(const InclusionProof& proof) {
  Hash root;
  if (!merkle::RootFromInclusionPath(proof, &root)) return std::nullopt;
  return merkle::ToHex(root);
}

bool VerifyInclusion(const InclusionProof& proof, std::string_view root_hex) {
  Hash want, got;
  return ParseHex(root_hex, &want) && merkle::RootFromInclusionPath(proof, &got) && got == want;
}

bool VerifyConsistency(const ConsistencyProof& proof, std::string_view root1_hex,
                       std::string_view root2_hex) {
  Hash root1, root2;
  if (!ParseHex(root1_hex, &root1) || !ParseHex(root2_hex, &root2)) return false;
  const Hash& empty = merkle::EmptyRoot();
  if (proof.size1 > proof.size2) return false;
  if (proof.size1 == 0) {
    return proof.path.empty() && root1 == empty && (proof.size2 != 0 || root2 == empty);
  }
  if (proof.size1 == proof.size2) return proof.path.empty() && root1 == root2;
  Hash first, second;  // step 7: both roots come from the same path
  return merkle::RootsFromConsistencyPath(proof, root1, &first, &second) && first == root1 &&
         second == root2;
}

}  // namespace nedb
