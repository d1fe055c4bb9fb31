// SPDX-License-Identifier: Apache-2.0
// Part of merkle_test: MerkleTree against the RFC's recursive definitions,
// every proof of random trees up to 10,000 leaves verifying (exhaustive for
// small sizes, sampled above), and every change to a proof failing.
#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "merkle/reference.h"
#include "merkle/verify.h"
#include "merkle_test_util.h"
#include "nedb/errors.h"

namespace nedb {
namespace {

using merkle::Hash;
using merkle::MemoryHashStore;
using merkle::MerkleTree;
using merkle::ReferenceConsistencyPath;
using merkle::ReferenceInclusionPath;
using merkle::ReferenceRoot;
using test::AppendAll;
using test::HexRoot;
using test::RandomLeaves;

constexpr std::uint64_t kMaxProofSize = 10000;

// A random tree of 2 * kMaxProofSize + 2 leaves, so every size a tampered
// proof of size <= kMaxProofSize names has a true root.
class MerklePropertyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::mt19937_64 rng(42);
    leaves_ = new std::vector<Hash>(RandomLeaves(2 * kMaxProofSize + 2, rng));
    tree_ = new MerkleTree();
    AppendAll(*tree_, *leaves_);
  }
  static void TearDownTestSuite() {
    delete tree_;
    delete leaves_;
  }
  static std::span<const Hash> First(std::uint64_t n) { return std::span(*leaves_).first(n); }
  // Sizes 1..kMaxProofSize, with powers of two and their neighbours favoured.
  static std::uint64_t RandomSize(std::mt19937_64& rng) {
    if (rng() % 4 == 0) {
      const std::uint64_t p = std::uint64_t{1} << (rng() % 14);  // up to 8192
      return std::clamp<std::uint64_t>(p + rng() % 3 - 1, 1, kMaxProofSize);
    }
    return 1 + rng() % kMaxProofSize;
  }
  static std::vector<Hash>* leaves_;
  static MerkleTree* tree_;
};
std::vector<Hash>* MerklePropertyTest::leaves_ = nullptr;
MerkleTree* MerklePropertyTest::tree_ = nullptr;

TEST_F(MerklePropertyTest, RootOfEverySmallSizeMatchesTheReference) {
  for (std::uint64_t n = 0; n <= 600; ++n) {
    ASSERT_EQ(tree_->Root(n), ReferenceRoot(First(n))) << "size " << n;
  }
}

TEST_F(MerklePropertyTest, RootOfSampledLargeSizesMatchesTheReference) {
  std::mt19937_64 rng(5);
  std::vector<std::uint64_t> sizes = {1023, 1024, 1025, 4095,          4096,         4097,
                                      8191, 8192, 8193, kMaxProofSize, tree_->size()};
  for (int i = 0; i < 40; ++i) sizes.push_back(rng() % (tree_->size() + 1));
  for (std::uint64_t n : sizes) ASSERT_EQ(tree_->Root(n), ReferenceRoot(First(n))) << n;
}

TEST_F(MerklePropertyTest, PathsMatchTheReferenceForSmallTrees) {
  for (std::uint64_t n = 0; n <= 64; ++n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      ASSERT_EQ(tree_->InclusionPath(i, n), ReferenceInclusionPath(i, First(n))) << i << "/" << n;
    }
    for (std::uint64_t m = 0; m <= n; ++m) {
      ASSERT_EQ(tree_->ConsistencyPath(m, n), ReferenceConsistencyPath(m, First(n)))
          << m << "->" << n;
    }
  }
}

TEST_F(MerklePropertyTest, PathsMatchTheReferenceAtSampledLargeSizes) {
  std::mt19937_64 rng(6);
  for (int k = 0; k < 30; ++k) {
    const std::uint64_t n = RandomSize(rng), i = rng() % n, m = rng() % (n + 1);
    ASSERT_EQ(tree_->InclusionPath(i, n), ReferenceInclusionPath(i, First(n))) << i << "/" << n;
    ASSERT_EQ(tree_->ConsistencyPath(m, n), ReferenceConsistencyPath(m, First(n)))
        << m << "->" << n;
  }
}

TEST_F(MerklePropertyTest, EveryInclusionProofVerifiesUpTo300) {
  for (std::uint64_t n = 1; n <= 300; ++n) {
    const std::string root = HexRoot(*tree_, n);
    for (std::uint64_t i = 0; i < n; ++i) {
      const InclusionProof p = tree_->ProveInclusion(i, n);
      ASSERT_EQ(p.leaf_hash, merkle::ToHex((*leaves_)[i]));
      ASSERT_TRUE(VerifyInclusion(p, root)) << i << "/" << n;
    }
  }
}

TEST_F(MerklePropertyTest, SampledInclusionProofsVerifyUpTo10000) {
  std::mt19937_64 rng(7);
  for (int k = 0; k < 20000; ++k) {
    const std::uint64_t n = RandomSize(rng);
    const std::uint64_t i = k % 3 == 0 ? n - 1 : rng() % n;  // the last leaf often
    ASSERT_TRUE(VerifyInclusion(tree_->ProveInclusion(i, n), HexRoot(*tree_, n))) << i << "/" << n;
  }
}

TEST_F(MerklePropertyTest, EveryConsistencyProofVerifiesUpTo200) {
  for (std::uint64_t n = 0; n <= 200; ++n) {
    const std::string root2 = HexRoot(*tree_, n);
    for (std::uint64_t m = 0; m <= n; ++m) {
      ASSERT_TRUE(VerifyConsistency(tree_->ProveConsistency(m, n), HexRoot(*tree_, m), root2))
          << m << "->" << n;
    }
  }
}

TEST_F(MerklePropertyTest, SampledConsistencyProofsVerifyUpTo10000) {
  std::mt19937_64 rng(8);
  for (int k = 0; k < 20000; ++k) {
    const std::uint64_t n = RandomSize(rng), m = k % 3 == 0 ? RandomSize(rng) % n : rng() % n;
    ASSERT_TRUE(
        VerifyConsistency(tree_->ProveConsistency(m, n), HexRoot(*tree_, m), HexRoot(*tree_, n)))
        << m << "->" << n;
  }
}

TEST_F(MerklePropertyTest, EveryChangeToAnInclusionProofFails) {
  std::mt19937_64 rng(9);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cases;
  for (std::uint64_t n = 1; n <= 40; ++n) {
    for (std::uint64_t i = 0; i < n; ++i) cases.push_back({i, n});
  }
  for (int k = 0; k < 1000; ++k) {
    const std::uint64_t n = RandomSize(rng);
    cases.push_back({rng() % n, n});
  }
  std::size_t checked = 0;
  for (auto [i, n] : cases) {
    const InclusionProof good = tree_->ProveInclusion(i, n);
    ASSERT_TRUE(VerifyInclusion(good, HexRoot(*tree_, n)));
    for (const auto& bad : test::TamperInclusion(good, *tree_, rng)) {
      ASSERT_FALSE(VerifyInclusion(bad.proof, bad.root)) << i << "/" << n << ": " << bad.what;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50000u);
}

TEST_F(MerklePropertyTest, EveryChangeToAConsistencyProofFails) {
  std::mt19937_64 rng(10);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cases;
  for (std::uint64_t n = 2; n <= 40; ++n) {
    for (std::uint64_t m = 1; m < n; ++m) cases.push_back({m, n});
  }
  for (int k = 0; k < 1000; ++k) {
    const std::uint64_t n = std::max<std::uint64_t>(2, RandomSize(rng));
    cases.push_back({1 + rng() % (n - 1), n});
  }
  std::size_t checked = 0;
  for (auto [m, n] : cases) {
    const ConsistencyProof good = tree_->ProveConsistency(m, n);
    ASSERT_TRUE(VerifyConsistency(good, HexRoot(*tree_, m), HexRoot(*tree_, n)));
    for (const auto& bad : test::TamperConsistency(good, *tree_, rng)) {
      ASSERT_FALSE(VerifyConsistency(bad.proof, bad.root1, bad.root2))
          << m << "->" << n << ": " << bad.what;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50000u);
}

// A path one entry too long or too short is rejected for its shape (RFC
// 9162's sn checks), before any root is compared.
TEST_F(MerklePropertyTest, PathsOfTheWrongLengthAreRejectedForTheirShape) {
  std::mt19937_64 rng(15);
  const std::string extra = test::FlipBit(HexRoot(*tree_, 7), rng);
  auto variants = [&](const std::vector<std::string>& path) {
    std::vector<std::vector<std::string>> out;
    out.push_back(path);
    out.back().push_back(extra);
    out.push_back(path);
    out.back().insert(out.back().begin(), extra);
    if (!path.empty()) {
      out.push_back({path.begin() + 1, path.end()});
      out.push_back({path.begin(), path.end() - 1});
    }
    return out;
  };
  for (int k = 0; k < 3000; ++k) {
    const std::uint64_t n = k < 1000 ? 2 + k % 60 : RandomSize(rng) + 1;
    InclusionProof inc = tree_->ProveInclusion(rng() % n, n);
    Hash root;
    ASSERT_TRUE(merkle::RootFromInclusionPath(inc, &root));
    ASSERT_EQ(root, tree_->Root(n));
    for (auto& path : variants(inc.path)) {
      inc.path = path;
      EXPECT_FALSE(merkle::RootFromInclusionPath(inc, &root)) << inc.index << "/" << n;
    }
    const std::uint64_t m = 1 + rng() % (n - 1);
    ConsistencyProof con = tree_->ProveConsistency(m, n);
    Hash first, second;
    ASSERT_TRUE(merkle::RootsFromConsistencyPath(con, tree_->Root(m), &first, &second));
    ASSERT_EQ(first, tree_->Root(m));
    ASSERT_EQ(second, tree_->Root(n));
    for (auto& path : variants(con.path)) {
      con.path = path;
      EXPECT_FALSE(merkle::RootsFromConsistencyPath(con, tree_->Root(m), &first, &second))
          << m << "->" << n;
    }
  }
}

// ---- The tree itself -------------------------------------------------------

// Counts reads, to show proofs touch O(log n) stored hashes.
class CountingStore : public merkle::HashStore {
 public:
  std::uint64_t LevelSize(int level) const override { return inner_.LevelSize(level); }
  Hash Get(int level, std::uint64_t index) const override {
    ++gets;
    return inner_.Get(level, index);
  }
  void Append(int level, const Hash& h) override { inner_.Append(level, h); }
  void Truncate(int level, std::uint64_t size) override { inner_.Truncate(level, size); }
  mutable std::uint64_t gets = 0;

 private:
  MemoryHashStore inner_;
};

TEST(MerkleTreeTest, AppendAndProofsReadLogarithmicallyManyHashes) {
  auto store = std::make_unique<CountingStore>();
  CountingStore* counter = store.get();
  MerkleTree tree(std::move(store));
  std::mt19937_64 rng(11);
  const std::uint64_t n = 100000;
  AppendAll(tree, RandomLeaves(n, rng));
  EXPECT_LT(counter->gets, n);  // one read per completed subtree: n - popcount(n)
  for (int k = 0; k < 200; ++k) {
    const std::uint64_t size = 1 + rng() % n, i = rng() % size, m = rng() % size;
    const std::uint64_t bound = 2 * std::bit_width(size) + 1;
    counter->gets = 0;
    tree.Root(size);
    EXPECT_LE(counter->gets, std::uint64_t(std::popcount(size)));
    counter->gets = 0;
    tree.InclusionPath(i, size);
    EXPECT_LE(counter->gets, bound) << i << "/" << size;
    counter->gets = 0;
    tree.ConsistencyPath(m, size);
    EXPECT_LE(counter->gets, bound) << m << "->" << size;
  }
}

TEST(MerkleTreeTest, TruncateThenAppendMatchesTheReference) {
  std::mt19937_64 rng(12);
  std::vector<Hash> leaves = RandomLeaves(1000, rng);
  MerkleTree tree;
  AppendAll(tree, leaves);
  for (std::uint64_t cut : {999u, 777u, 512u, 511u, 1u, 0u}) {
    tree.Truncate(cut);
    leaves.resize(cut);
    ASSERT_EQ(tree.size(), cut);
    ASSERT_EQ(tree.Root(), ReferenceRoot(leaves));
    for (const Hash& h : RandomLeaves(300, rng)) {
      leaves.push_back(h);
      tree.Append(h);
    }
    ASSERT_EQ(tree.Root(), ReferenceRoot(leaves)) << "after cutting to " << cut;
    for (std::uint64_t n = cut + 1; n <= leaves.size(); n += 37) {
      ASSERT_EQ(tree.Root(n), ReferenceRoot(std::span(leaves).first(n)));
    }
  }
}

TEST(MerkleTreeTest, AdoptsAStoreAndChecksItsLevels) {
  std::mt19937_64 rng(13);
  const std::vector<Hash> leaves = RandomLeaves(77, rng);
  auto store = std::make_unique<MemoryHashStore>();
  const MemoryHashStore* levels = store.get();
  MerkleTree tree(std::move(store));
  AppendAll(tree, leaves);
  // A tree over a copy of the levels, as a tile store would reopen them.
  MerkleTree reopened(std::make_unique<MemoryHashStore>(*levels));
  EXPECT_EQ(reopened.size(), 77u);
  EXPECT_EQ(reopened.Root(), ReferenceRoot(leaves));
  EXPECT_EQ(reopened.InclusionPath(3, 77), tree.InclusionPath(3, 77));

  auto bad = std::make_unique<MemoryHashStore>();
  for (const Hash& h : leaves) bad->Append(0, h);  // leaves without their levels
  EXPECT_THROW(MerkleTree{std::move(bad)}, InvalidArgument);
}

TEST(MerkleTreeTest, OutOfRangeArgumentsThrow) {
  MerkleTree tree;
  std::mt19937_64 rng(14);
  AppendAll(tree, RandomLeaves(10, rng));
  EXPECT_THROW(tree.Root(11), InvalidArgument);
  EXPECT_THROW(tree.LeafHashAt(10), InvalidArgument);
  EXPECT_THROW(tree.InclusionPath(5, 5), InvalidArgument);
  EXPECT_THROW(tree.InclusionPath(0, 11), InvalidArgument);
  EXPECT_THROW(tree.ConsistencyPath(6, 5), InvalidArgument);
  EXPECT_THROW(tree.ConsistencyPath(5, 11), InvalidArgument);
  EXPECT_THROW(tree.Truncate(11), InvalidArgument);
  EXPECT_EQ(tree.Root(0), merkle::EmptyRoot());
  EXPECT_TRUE(tree.InclusionPath(0, 1).empty());
}

}  // namespace
}  // namespace nedb
