// SPDX-License-Identifier: Apache-2.0
// The RFC 9162 Merkle tree (src/merkle/) and the proof verifiers of
// include/nedb/proof.h: known vectors, the tree against the RFC's recursive
// definitions, every proof verifying, every change to a proof failing, and a
// lying server.
#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <string>
#include <vector>

#include "merkle/reference.h"
#include "merkle_test_util.h"
#include "nedb/errors.h"

namespace nedb {
namespace {

using merkle::Hash;
using merkle::HashLeaf;
using merkle::MerkleTree;
using merkle::ReferenceConsistencyPath;
using merkle::ReferenceInclusionPath;
using merkle::ReferenceRoot;
using merkle::ToHex;
using test::AppendAll;
using test::HexRoot;
using test::RandomLeaves;

std::vector<std::string> HexAll(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  for (const Hash& h : hashes) out.push_back(ToHex(h));
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// ParseHex (SSE2 on x86-64) against the definition: every byte value at every
// position of a valid hash, and a round trip of random hashes.
TEST(MerkleHashTest, ParseHexAcceptsExactlyLowerCaseHexDigits) {
  std::mt19937_64 rng(16);
  for (int k = 0; k < 200; ++k) {
    Hash h;
    for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    Hash back;
    ASSERT_TRUE(merkle::ParseHex(ToHex(h), &back));
    ASSERT_EQ(back, h);
  }
  const std::string base = ToHex(HashLeaf("base"));
  Hash want;
  ASSERT_TRUE(merkle::ParseHex(base, &want));
  for (std::size_t pos = 0; pos < base.size(); ++pos) {
    for (int c = 0; c < 256; ++c) {
      std::string hex = base;
      hex[pos] = static_cast<char>(c);
      const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      Hash got;
      ASSERT_EQ(merkle::ParseHex(hex, &got), is_hex) << "char " << c << " at " << pos;
      if (!is_hex) continue;
      const int nibble = c <= '9' ? c - '0' : c - 'a' + 10;
      Hash expect = want;
      const int shift = pos % 2 == 0 ? 4 : 0;
      expect[pos / 2] =
          static_cast<std::uint8_t>((expect[pos / 2] & ~(15 << shift)) | nibble << shift);
      ASSERT_EQ(got, expect) << "char " << c << " at " << pos;
    }
  }
}

// ---- Known vectors --------------------------------------------------------
// The classic 8-leaf RFC 6962 test data of certificate-transparency's
// merkle_tree_test.cc, as kept in transparency-dev/merkle proof/verify_test.go
// (`leaves`, `roots`, `inclusionProofs`, `consistencyProofs`; its leaf
// numbers are 1-based, ours 0-based). RFC 9162 hashes exactly as RFC 6962.
const char* const kEntries[8] = {"",
                                 "00",
                                 "10",
                                 "2021",
                                 "3031",
                                 "40414243",
                                 "5051525354555657",
                                 "606162636465666768696a6b6c6d6e6f"};
const char* const kRoots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  // size 0: SHA-256("")
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
struct VectorProof {
  std::uint64_t a, b;  // (index, size) or (size1, size2)
  std::vector<std::string> path;
};
const VectorProof kInclusion[] = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};
const VectorProof kConsistency[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

// The 8 vector leaves followed by 24 random ones, so that every size a
// tampered proof names (up to 2 x 8) has a true root.
class MerkleVectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* e : kEntries) leaves_.push_back(HashLeaf(Unhex(e)));
    std::mt19937_64 rng(1);
    for (const Hash& h : RandomLeaves(24, rng)) leaves_.push_back(h);
    AppendAll(tree_, leaves_);
  }
  std::vector<Hash> leaves_;
  MerkleTree tree_;
};

TEST_F(MerkleVectorTest, RootsForSizes0To8) {
  EXPECT_EQ(EmptyTreeRoot(), kRoots[0]);
  EXPECT_EQ(LeafHash(""), kRoots[1]);  // a one-leaf tree's root is its leaf hash
  for (std::uint64_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(HexRoot(tree_, n), kRoots[n]) << "size " << n;
    EXPECT_EQ(ToHex(ReferenceRoot(std::span(leaves_).first(n))), kRoots[n]) << "size " << n;
  }
}

TEST_F(MerkleVectorTest, InclusionProofs) {
  std::mt19937_64 rng(2);
  for (const VectorProof& v : kInclusion) {
    const InclusionProof proof = tree_.ProveInclusion(v.a, v.b);
    EXPECT_EQ(proof.path, v.path) << v.a << "/" << v.b;
    EXPECT_EQ(HexAll(ReferenceInclusionPath(v.a, std::span(leaves_).first(v.b))), v.path);
    EXPECT_EQ(proof.leaf_hash, LeafHash(Unhex(kEntries[v.a])));
    EXPECT_TRUE(VerifyInclusion(proof, kRoots[v.b])) << v.a << "/" << v.b;
    EXPECT_EQ(RootFromInclusion(proof), kRoots[v.b]);
    for (const auto& bad : test::TamperInclusion(proof, tree_, rng)) {
      EXPECT_FALSE(VerifyInclusion(bad.proof, bad.root)) << v.a << "/" << v.b << ": " << bad.what;
    }
  }
}

TEST_F(MerkleVectorTest, ConsistencyProofs) {
  std::mt19937_64 rng(3);
  for (const VectorProof& v : kConsistency) {
    const ConsistencyProof proof = tree_.ProveConsistency(v.a, v.b);
    EXPECT_EQ(proof.path, v.path) << v.a << "->" << v.b;
    EXPECT_EQ(HexAll(ReferenceConsistencyPath(v.a, std::span(leaves_).first(v.b))), v.path);
    EXPECT_TRUE(VerifyConsistency(proof, kRoots[v.a], kRoots[v.b])) << v.a << "->" << v.b;
    if (v.a == v.b) continue;
    for (const auto& bad : test::TamperConsistency(proof, tree_, rng)) {
      EXPECT_FALSE(VerifyConsistency(bad.proof, bad.root1, bad.root2))
          << v.a << "->" << v.b << ": " << bad.what;
    }
  }
}

// transparency-dev/merkle's table of edge cases (TestVerifyConsistency,
// TestVerifyInclusion), with one deliberate difference: the root held for
// size 0 must be the empty tree's root (there it is not checked).
TEST(ProofEdgeCaseTest, ConsistencyTrivialSizes) {
  const std::string e = kRoots[0], r1 = kRoots[1], r2 = kRoots[2];
  auto check = [](std::uint64_t s1, std::uint64_t s2, std::vector<std::string> path,
                  const std::string& a, const std::string& b) {
    return VerifyConsistency(ConsistencyProof{s1, s2, std::move(path)}, a, b);
  };
  EXPECT_TRUE(check(0, 0, {}, e, e));
  EXPECT_TRUE(check(0, 1, {}, e, r1));
  EXPECT_TRUE(check(0, 8, {}, e, kRoots[8]));
  EXPECT_TRUE(check(1, 1, {}, r1, r1));
  EXPECT_FALSE(check(0, 0, {}, r1, r1));  // not the empty tree's root
  EXPECT_FALSE(check(0, 1, {}, r1, r1));
  EXPECT_FALSE(check(0, 0, {}, e, r1));
  EXPECT_FALSE(check(1, 1, {}, r1, r2));  // same size, different roots
  EXPECT_FALSE(check(1, 0, {}, r1, e));   // size2 < size1
  EXPECT_FALSE(check(2, 1, {}, r2, r1));
  EXPECT_FALSE(check(1, 2, {}, r1, r2));  // 0 < size1 < size2 needs a path
  EXPECT_FALSE(check(0, 0, {e}, e, e));   // trivial sizes with a non-empty path
  EXPECT_FALSE(check(0, 1, {e}, e, r1));
  EXPECT_FALSE(check(1, 1, {e}, r1, r1));
  EXPECT_FALSE(check(0, 0, {}, e, ""));  // malformed roots fail even when unused
  EXPECT_FALSE(check(0, 5, {}, e, "zz"));
}

TEST(ProofEdgeCaseTest, InclusionTrivialSizes) {
  const std::string h = LeafHash("data"), e = EmptyTreeRoot();
  EXPECT_TRUE(VerifyInclusion({0, 1, h, {}}, h));
  EXPECT_FALSE(VerifyInclusion({0, 1, h, {}}, ""));
  EXPECT_FALSE(VerifyInclusion({0, 1, "", {}}, h));
  EXPECT_FALSE(VerifyInclusion({0, 1, "", {}}, ""));
  for (auto [index, size] : {std::pair{0, 0}, {1, 0}, {2, 1}, {1, 1}}) {
    EXPECT_FALSE(VerifyInclusion({std::uint64_t(index), std::uint64_t(size), h, {}}, h));
    EXPECT_FALSE(VerifyInclusion({std::uint64_t(index), std::uint64_t(size), h, {}}, e));
  }
  EXPECT_FALSE(VerifyInclusion({0, 1, h, {}}, e));
}

// RFC 9162 hashes do not name the tree size: a proof whose direction steps
// are the same for two sizes leads to the same root for both. This is why
// every root in NEDB travels with its size (InclusionProof::tree_size, the
// HTTP routes' {"tree_size","root"}): a verifier must hold the root *for the
// size it checks*, and then a changed size fails (TamperInclusion).
TEST(ProofEdgeCaseTest, TheRootAloneDoesNotNameTheSize) {
  MerkleTree tree;
  std::mt19937_64 rng(4);
  AppendAll(tree, RandomLeaves(6, rng));
  InclusionProof p = tree.ProveInclusion(0, 5);
  ASSERT_TRUE(VerifyInclusion(p, HexRoot(tree, 5)));
  p.tree_size = 6;
  EXPECT_TRUE(VerifyInclusion(p, HexRoot(tree, 5)));   // same steps for sizes 5 and 6
  EXPECT_FALSE(VerifyInclusion(p, HexRoot(tree, 6)));  // the root held for size 6
}

TEST(ProofEdgeCaseTest, HostileInputNeverThrows) {
  const std::string h = LeafHash("x");
  std::vector<std::string> long_path(70, h);
  const std::uint64_t max = UINT64_MAX;
  const std::vector<std::string> junk = {std::string("\0\0", 2), std::string(64, '\xff'),
                                         std::string(64, 'G'), std::string(1 << 16, 'a')};
  EXPECT_NO_THROW({
    EXPECT_FALSE(VerifyInclusion({max, max, h, long_path}, h));
    EXPECT_FALSE(VerifyInclusion({max - 1, max, h, std::vector<std::string>(64, h)}, h));
    EXPECT_FALSE(VerifyInclusion({0, max, h, {}}, h));
    EXPECT_FALSE(VerifyConsistency({max - 1, max, long_path}, h, h));
    EXPECT_FALSE(VerifyConsistency({1, max, std::vector<std::string>(64, h)}, h, h));
    EXPECT_FALSE(VerifyConsistency({max, 1, {}}, h, h));
    for (const std::string& j : junk) {
      EXPECT_FALSE(VerifyInclusion({0, 2, j, {h}}, h));
      EXPECT_FALSE(VerifyInclusion({0, 2, h, {j}}, h));
      EXPECT_FALSE(VerifyInclusion({0, 2, h, {h}}, j));
      EXPECT_FALSE(VerifyConsistency({1, 2, {j}}, h, h));
      EXPECT_FALSE(VerifyConsistency({1, 2, {h}}, j, h));
      EXPECT_FALSE(VerifyConsistency({1, 2, {h}}, h, j));
      EXPECT_FALSE(NodeHash(j, h).has_value());
    }
    EXPECT_FALSE(RootFromInclusion({3, 2, h, {}}).has_value());
  });
}

}  // namespace
}  // namespace nedb
