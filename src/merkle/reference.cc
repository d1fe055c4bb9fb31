// SPDX-License-Identifier: Apache-2.0
#include "merkle/reference.h"

namespace nedb::merkle {
namespace {

// k: the largest power of two smaller than n (n > 1).
std::size_t Split(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// SUBPROOF(m, D[n], b).
void SubProof(std::size_t m, std::span<const Hash> d, bool b, std::vector<Hash>* out) {
  const std::size_t n = d.size();
  if (m == n) {
    if (!b) out->push_back(ReferenceRoot(d));
    return;
  }
  const std::size_t k = Split(n);
  if (m <= k) {
    SubProof(m, d.subspan(0, k), b, out);
    out->push_back(ReferenceRoot(d.subspan(k)));
  } else {
    SubProof(m - k, d.subspan(k), false, out);
    out->push_back(ReferenceRoot(d.subspan(0, k)));
  }
}

}  // namespace

Hash ReferenceRoot(std::span<const Hash> d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return d[0];  // MTH({d(0)}) = HASH(0x00 || d(0)), already hashed
  const std::size_t k = Split(d.size());
  return HashChildren(ReferenceRoot(d.subspan(0, k)), ReferenceRoot(d.subspan(k)));
}

std::vector<Hash> ReferenceInclusionPath(std::uint64_t m, std::span<const Hash> d) {
  if (d.size() <= 1) return {};
  const std::size_t k = Split(d.size());
  std::vector<Hash> path;
  if (m < k) {
    path = ReferenceInclusionPath(m, d.subspan(0, k));
    path.push_back(ReferenceRoot(d.subspan(k)));
  } else {
    path = ReferenceInclusionPath(m - k, d.subspan(k));
    path.push_back(ReferenceRoot(d.subspan(0, k)));
  }
  return path;
}

std::vector<Hash> ReferenceConsistencyPath(std::uint64_t m, std::span<const Hash> d) {
  std::vector<Hash> out;
  if (m == 0 || m == d.size()) return out;
  SubProof(m, d, true, &out);
  return out;
}

}  // namespace nedb::merkle
