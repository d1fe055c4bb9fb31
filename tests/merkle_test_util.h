// SPDX-License-Identifier: Apache-2.0
// Random trees and every kind of tampered proof, shared by merkle_test.cc and
// the JSON dumper merkle_proof_dump.cc (compared with scripts/merkle_verify.py).
#ifndef NEDB_TESTS_MERKLE_TEST_UTIL_H_
#define NEDB_TESTS_MERKLE_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "merkle/hash.h"
#include "merkle/merkle_tree.h"
#include "nedb/proof.h"

namespace nedb::test {

using merkle::Hash;
using merkle::MerkleTree;

// Leaf hashes of `count` distinct random entries: the leaf's number (8
// bytes) and 0-32 random bytes.
inline std::vector<Hash> RandomLeaves(std::size_t count, std::mt19937_64& rng) {
  std::vector<Hash> leaves;
  leaves.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string entry(8 + rng() % 33, '\0');
    for (char& c : entry) c = static_cast<char>(rng());
    for (int b = 0; b < 8; ++b) entry[b] = static_cast<char>(i >> (8 * b));
    leaves.push_back(merkle::HashLeaf(entry));
  }
  return leaves;
}

inline void AppendAll(MerkleTree& tree, const std::vector<Hash>& leaves) {
  for (const Hash& h : leaves) tree.Append(h);
}

inline std::string HexRoot(const MerkleTree& tree, std::uint64_t size) {
  return merkle::ToHex(tree.Root(size));
}

// hex with one bit flipped (bit chosen by rng), still well-formed hex.
inline std::string FlipBit(const std::string& hex, std::mt19937_64& rng) {
  Hash h;
  if (!merkle::ParseHex(hex, &h)) return hex + "0";
  const std::size_t bit = rng() % (8 * h.size());
  h[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return merkle::ToHex(h);
}

// Every malformed spelling of a well-formed hash (same bytes or not).
inline std::vector<std::string> Malformed(const std::string& hex) {
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> out = {"",
                                  hex.substr(1),
                                  hex + "0",
                                  hex.substr(0, 63) + "g",
                                  "0x" + hex.substr(2),
                                  " " + hex.substr(1)};
  if (upper != hex) out.push_back(upper);  // a hash of only digits has no upper case
  return out;
}

struct TamperedInclusion {
  InclusionProof proof;
  std::string root;  // the root a verifier holds for proof.tree_size
  std::string what;
};

struct TamperedConsistency {
  ConsistencyProof proof;
  std::string root1, root2;  // the roots a verifier holds for the two sizes
  std::string what;
};

// The root a verifier would hold for `size`: the true one when the tree has
// that size, else `fallback`.
inline std::string TrustedRoot(const MerkleTree& tree, std::uint64_t size,
                               const std::string& fallback) {
  return size <= tree.size() ? HexRoot(tree, size) : fallback;
}

// Changed path vectors: each entry flipped, one dropped, one added, two
// swapped, malformed spellings.
inline std::vector<std::pair<std::vector<std::string>, std::string>> TamperPath(
    const std::vector<std::string>& path, const std::vector<std::string>& extras,
    std::mt19937_64& rng) {
  std::vector<std::pair<std::vector<std::string>, std::string>> out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto p = path;
    p[i] = FlipBit(p[i], rng);
    out.push_back({p, "path[" + std::to_string(i) + "] bit flipped"});
    p = path;
    p.erase(p.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back({p, "path[" + std::to_string(i) + "] dropped"});
    for (const std::string& bad : Malformed(path[i])) {
      p = path;
      p[i] = bad;
      out.push_back({p, "path[" + std::to_string(i) + "] malformed '" + bad + "'"});
    }
    if (i + 1 < path.size() && path[i] != path[i + 1]) {
      p = path;
      std::swap(p[i], p[i + 1]);
      out.push_back({p, "path[" + std::to_string(i) + "] swapped with the next"});
    }
  }
  for (const std::string& extra : extras) {
    auto p = path;
    p.push_back(extra);
    out.push_back({p, "path one longer (appended " + extra.substr(0, 8) + ")"});
    p = path;
    p.insert(p.begin(), extra);
    out.push_back({p, "path one longer (prepended " + extra.substr(0, 8) + ")"});
  }
  if (!path.empty()) {
    out.push_back({{}, "empty path"});
    auto p = path;
    p.push_back(path.back());
    out.push_back({p, "last entry repeated"});
  }
  return out;
}

// Every change to a valid inclusion proof of `tree` (every one must fail).
inline std::vector<TamperedInclusion> TamperInclusion(const InclusionProof& good,
                                                      const MerkleTree& tree,
                                                      std::mt19937_64& rng) {
  const std::string root = HexRoot(tree, good.tree_size);
  std::vector<TamperedInclusion> out;
  auto with = [&](std::uint64_t index, std::uint64_t size, std::string what) {
    InclusionProof p = good;
    p.index = index;
    p.tree_size = size;
    out.push_back({p, TrustedRoot(tree, size, root), std::move(what)});
  };
  const std::uint64_t i = good.index, n = good.tree_size;
  if (i > 0) with(i - 1, n, "index - 1");
  with(i + 1, n, "index + 1");
  with(i ^ 1, n, "index ^ 1");
  with(i ^ 2, n, "index ^ 2");
  with(n, n, "index == size");
  with(UINT64_MAX, n, "index max");
  with(i, n + 1, "size + 1");
  with(i, 2 * n, "size * 2");
  if (n / 2 != n) with(i, n / 2, "size / 2");
  with(i, n - 1, "size - 1");
  with(i, 0, "size 0");
  auto leaf = [&](std::string hex, std::string what) {
    InclusionProof p = good;
    p.leaf_hash = std::move(hex);
    out.push_back({p, root, std::move(what)});
  };
  leaf(FlipBit(good.leaf_hash, rng), "leaf bit flipped");
  leaf(merkle::ToHex(tree.LeafHashAt(i + 1 < tree.size() ? i + 1 : i - 1)), "another leaf");
  leaf(LeafHash(""), "leaf of empty entry");
  for (const std::string& bad : Malformed(good.leaf_hash))
    leaf(bad, "leaf malformed '" + bad + "'");
  auto with_root = [&](std::string r, std::string what) {
    out.push_back({good, std::move(r), std::move(what)});
  };
  with_root(FlipBit(root, rng), "root bit flipped");
  with_root(HexRoot(tree, n - 1), "root of size - 1");
  with_root(EmptyTreeRoot(), "empty tree root");
  with_root(good.leaf_hash, "leaf as root");
  for (const std::string& bad : Malformed(root)) with_root(bad, "root malformed '" + bad + "'");
  const std::vector<std::string> extras = {root, good.leaf_hash, FlipBit(root, rng)};
  for (auto& [path, what] : TamperPath(good.path, extras, rng)) {
    InclusionProof p = good;
    p.path = path;
    out.push_back({p, root, what});
  }
  // Drop "changes" that change nothing (the leaf of a one-leaf tree is its root).
  std::erase_if(out, [&](const TamperedInclusion& t) {
    return t.proof.index == good.index && t.proof.tree_size == good.tree_size &&
           t.proof.leaf_hash == good.leaf_hash && t.proof.path == good.path && t.root == root;
  });
  return out;
}

// Every change to a valid consistency proof with 0 < size1 < size2.
inline std::vector<TamperedConsistency> TamperConsistency(const ConsistencyProof& good,
                                                          const MerkleTree& tree,
                                                          std::mt19937_64& rng) {
  const std::string r1 = HexRoot(tree, good.size1), r2 = HexRoot(tree, good.size2);
  std::vector<TamperedConsistency> out;
  auto with = [&](std::uint64_t s1, std::uint64_t s2, std::string what) {
    ConsistencyProof p = good;
    p.size1 = s1;
    p.size2 = s2;
    out.push_back({p, TrustedRoot(tree, s1, r1), TrustedRoot(tree, s2, r2), std::move(what)});
  };
  const std::uint64_t m = good.size1, n = good.size2;
  with(m - 1, n, "size1 - 1");
  with(m + 1, n, "size1 + 1");
  with(m ^ 2, n, "size1 ^ 2");
  with(0, n, "size1 0");
  with(n, n, "size1 == size2");
  with(n + 1, n, "size1 > size2");
  with(m, n - 1, "size2 - 1");
  with(m, n + 1, "size2 + 1");
  with(m, 2 * n, "size2 * 2");
  with(m, n / 2, "size2 / 2");
  with(m, m - 1, "size2 < size1");
  with(n, m, "sizes swapped");
  auto roots = [&](std::string a, std::string b, std::string what) {
    out.push_back({good, std::move(a), std::move(b), std::move(what)});
  };
  roots(FlipBit(r1, rng), r2, "root1 bit flipped");
  roots(r1, FlipBit(r2, rng), "root2 bit flipped");
  roots(r2, r1, "roots swapped");
  roots(r1, r1, "root2 = root1");
  roots(r2, r2, "root1 = root2");
  roots(HexRoot(tree, m - 1), r2, "root1 of size1 - 1");
  roots(r1, HexRoot(tree, n - 1), "root2 of size2 - 1");
  roots(EmptyTreeRoot(), r2, "root1 empty tree");
  for (const std::string& bad : Malformed(r1)) roots(bad, r2, "root1 malformed '" + bad + "'");
  for (const std::string& bad : Malformed(r2)) roots(r1, bad, "root2 malformed '" + bad + "'");
  const std::vector<std::string> extras = {r1, r2, FlipBit(r2, rng)};
  for (auto& [path, what] : TamperPath(good.path, extras, rng)) {
    ConsistencyProof p = good;
    p.path = path;
    out.push_back({p, r1, r2, what});
  }
  std::erase_if(out, [&](const TamperedConsistency& t) {
    return t.proof.size1 == good.size1 && t.proof.size2 == good.size2 &&
           t.proof.path == good.path && t.root1 == r1 && t.root2 == r2;
  });
  return out;
}

}  // namespace nedb::test

#endif  // NEDB_TESTS_MERKLE_TEST_UTIL_H_
