// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the Merkle proof verifiers (include/nedb/proof.h) are
// total and sound. Over a fixed tree of 64 leaves the input builds a proof
// (sizes and index near the tree's or arbitrary; leaf, path entries and roots
// taken from the true proof, from any hash the tree holds, from the input's
// bytes, or malformed). Nothing may throw, and a proof that verifies against
// the true root(s) for its size(s) must be exactly the tree's own proof.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "merkle/hash.h"
#include "merkle/merkle_tree.h"
#include "nedb/proof.h"

namespace {

using nedb::merkle::Hash;
using nedb::merkle::MerkleTree;
using nedb::merkle::ToHex;

constexpr std::uint64_t kLeaves = 64;

struct Fixture {
  MerkleTree tree;
  std::vector<std::string> pool;  // every hash the tree holds, and every root
  Fixture() {
    for (std::uint64_t i = 0; i < kLeaves; ++i) {
      tree.Append(nedb::merkle::HashLeaf("leaf " + std::to_string(i)));
    }
    for (int level = 0; tree.store().LevelSize(level) > 0; ++level) {
      for (std::uint64_t i = 0; i < tree.store().LevelSize(level); ++i) {
        pool.push_back(ToHex(tree.store().Get(level, i)));
      }
    }
    for (std::uint64_t n = 0; n <= kLeaves; ++n) pool.push_back(ToHex(tree.Root(n)));
  }
  std::string Root(std::uint64_t n) const { return ToHex(tree.Root(n)); }
};

const Fixture& F() {
  static const Fixture* f = new Fixture();
  return *f;
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  std::uint8_t Byte() { return p_ < end_ ? *p_++ : 0; }
  std::uint64_t U64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | Byte();
    return v;
  }
  // Mostly 0..kLeaves + 1, sometimes any 64-bit value.
  std::uint64_t Size() {
    const std::uint8_t b = Byte();
    return b < 248 ? b % (kLeaves + 2) : U64();
  }
  // A hash: `truth` when there is one (selector 0), a hash of the tree, the
  // input's bytes, or a malformed spelling.
  std::string Hex(const std::string* truth) {
    const std::uint8_t sel = Byte();
    const auto& pool = F().pool;
    switch (sel % 8) {
      case 0:
      case 1:
      case 2:
        if (truth != nullptr) return *truth;
        [[fallthrough]];
      case 3:
      case 4: return pool[Byte() % pool.size()];
      case 5: {
        Hash h;
        for (auto& b : h) b = Byte();
        return ToHex(h);
      }
      case 6: {
        std::string s = pool[Byte() % pool.size()];
        s[Byte() % s.size()] = static_cast<char>(Byte());
        return s;
      }
      default: {
        std::string s = pool[Byte() % pool.size()];
        s.resize(Byte() % 70, 'a');
        return s;
      }
    }
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

[[noreturn]] void Die(const char* what, std::uint64_t a, std::uint64_t b) {
  std::fprintf(stderr, "merkle_proof_fuzz: %s (%llu, %llu)\n", what,
               static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  std::abort();
}

std::vector<std::string> HexPath(const std::vector<Hash>& path) {
  std::vector<std::string> out;
  for (const Hash& h : path) out.push_back(ToHex(h));
  return out;
}

void Inclusion(Reader& r) {
  const MerkleTree& tree = F().tree;
  nedb::InclusionProof p;
  p.index = r.Size();
  p.tree_size = r.Size();
  const bool real = p.index < p.tree_size && p.tree_size <= kLeaves;
  const std::string leaf = real ? ToHex(tree.LeafHashAt(p.index)) : "";
  const std::vector<std::string> truth =
      real ? HexPath(tree.InclusionPath(p.index, p.tree_size)) : std::vector<std::string>{};
  p.leaf_hash = r.Hex(real ? &leaf : nullptr);
  const std::size_t len = r.Byte() % 24;
  for (std::size_t i = 0; i < len; ++i)
    p.path.push_back(r.Hex(i < truth.size() ? &truth[i] : nullptr));
  const std::string true_root = p.tree_size <= kLeaves ? F().Root(p.tree_size) : "";
  const std::string root = r.Hex(p.tree_size <= kLeaves ? &true_root : nullptr);
  const bool ok = nedb::VerifyInclusion(p, root);
  const auto from = nedb::RootFromInclusion(p);
  if (ok && from != root)
    Die("VerifyInclusion and RootFromInclusion disagree", p.index, p.tree_size);
  if (ok && root == true_root && (!real || p.leaf_hash != leaf || p.path != truth)) {
    Die("a proof other than the tree's verifies", p.index, p.tree_size);
  }
  if (!ok && real && p.leaf_hash == leaf && p.path == truth && root == true_root) {
    Die("the tree's own inclusion proof does not verify", p.index, p.tree_size);
  }
}

void Consistency(Reader& r) {
  const MerkleTree& tree = F().tree;
  nedb::ConsistencyProof p;
  p.size1 = r.Size();
  p.size2 = r.Size();
  const bool real = p.size1 <= p.size2 && p.size2 <= kLeaves;
  const std::vector<std::string> truth =
      real ? HexPath(tree.ConsistencyPath(p.size1, p.size2)) : std::vector<std::string>{};
  const std::size_t len = r.Byte() % 24;
  for (std::size_t i = 0; i < len; ++i)
    p.path.push_back(r.Hex(i < truth.size() ? &truth[i] : nullptr));
  const std::string t1 = p.size1 <= kLeaves ? F().Root(p.size1) : "";
  const std::string t2 = p.size2 <= kLeaves ? F().Root(p.size2) : "";
  const std::string root1 = r.Hex(t1.empty() ? nullptr : &t1);
  const std::string root2 = r.Hex(t2.empty() ? nullptr : &t2);
  const bool ok = nedb::VerifyConsistency(p, root1, root2);
  if (ok && !t1.empty() && !t2.empty() && root1 == t1 && root2 == t2 &&
      (!real || p.path != truth)) {
    Die("a consistency proof other than the tree's verifies", p.size1, p.size2);
  }
  if (ok && p.size1 > p.size2) Die("size1 > size2 verifies", p.size1, p.size2);
  if (!ok && real && p.path == truth && root1 == t1 && root2 == t2) {
    Die("the tree's own consistency proof does not verify", p.size1, p.size2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r(data, size);
  if (r.Byte() & 1) {
    Consistency(r);
  } else {
    Inclusion(r);
  }
  return 0;
}
