// SPDX-License-Identifier: Apache-2.0
// Part of merkle_test: a lying server. It rewrites the history after op k and
// tries to convince a client that holds an earlier (size, root) that the
// rewritten history extends it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "merkle_test_util.h"

namespace nedb {
namespace {

using merkle::Hash;
using merkle::MerkleTree;
using test::HexRoot;

// n ops; from op `fork` on the entries are rewritten ("forged").
MerkleTree History(std::uint64_t n, std::uint64_t fork) {
  MerkleTree tree;
  for (std::uint64_t i = 0; i < n; ++i) {
    tree.Append(merkle::HashLeaf((i < fork ? "op " : "forged op ") + std::to_string(i)));
  }
  return tree;
}

constexpr std::uint64_t kTrueSize = 300;

TEST(LyingServerTest, AForkAfterOpKFailsConsistencyWithEveryLaterTrustedRoot) {
  const MerkleTree truth = History(kTrueSize, kTrueSize);
  for (std::uint64_t k : {0u, 1u, 2u, 7u, 8u, 9u, 128u, 200u, 299u}) {
    const MerkleTree fake = History(kTrueSize + 50, k);  // rewritten, and grown
    for (std::uint64_t m = 1; m <= kTrueSize; ++m) {     // the client trusts (m, true root)
      const std::string trusted = HexRoot(truth, m);
      for (std::uint64_t n2 : {m, m + 1, m + 17, kTrueSize, kTrueSize + 50}) {
        if (n2 < m) continue;
        // The liar's best proof is an honest proof over its own tree.
        const bool ok = VerifyConsistency(fake.ProveConsistency(m, n2), trusted, HexRoot(fake, n2));
        if (m <= k) {
          // The client saw only ops before the fork: the rewritten history
          // does extend what it saw, and nothing can tell otherwise.
          EXPECT_TRUE(ok) << "fork " << k << ", " << m << "->" << n2;
        } else {
          EXPECT_FALSE(ok) << "fork " << k << ", " << m << "->" << n2;
          if (n2 <= kTrueSize) {  // the true tree's proof does not carry the fake root either
            EXPECT_FALSE(
                VerifyConsistency(truth.ProveConsistency(m, n2), trusted, HexRoot(fake, n2)));
          }
        }
      }
    }
  }
}

TEST(LyingServerTest, AForgedOpFailsInclusionAgainstTheTrueRoot) {
  const MerkleTree truth = History(kTrueSize, kTrueSize);
  for (std::uint64_t k : {0u, 5u, 150u, 299u}) {
    const MerkleTree fake = History(kTrueSize, k);
    for (std::uint64_t j = k; j < kTrueSize; j += 7) {  // every 7th forged op
      for (std::uint64_t n : {j + 1, kTrueSize}) {
        const InclusionProof forged = fake.ProveInclusion(j, n);
        EXPECT_TRUE(VerifyInclusion(forged, HexRoot(fake, n)));  // fine against the liar's root
        EXPECT_FALSE(VerifyInclusion(forged, HexRoot(truth, n))) << "op " << j << " size " << n;
      }
    }
  }
}

// immudb CVE-2022-36111 (GHSA-672p-m5jq-mrh8, fixed in 1.4.1): immudb's
// consistency ("dual") proof joined a Merkle part and a linear hash-chain
// part, and the client SDK accepted the linear part after checking only its
// two ends against the states it knew, so a malicious server could make a
// client accept a history with a transaction replaced. NEDB has one
// structure, the tree, and its verifier recomputes both roots from the same
// path (RFC 9162 §2.1.4.2).
struct DualProof {
  ConsistencyProof tree;
  std::vector<std::string> linear;  // hashes from the old state to the new one
};

// The flawed verifier: when a linear part is present, only its ends count.
bool EndsOnlyVerify(const DualProof& p, const std::string& root1, const std::string& root2) {
  if (!p.linear.empty()) return p.linear.front() == root1 && p.linear.back() == root2;
  return VerifyConsistency(p.tree, root1, root2);
}

TEST(LyingServerTest, Cve2022_36111EndsOnlyCheckAcceptsAForgeryOursRejects) {
  const MerkleTree truth = History(kTrueSize, kTrueSize);
  for (std::uint64_t k : {0u, 10u, 100u, 250u}) {
    const MerkleTree fake = History(kTrueSize + 20, k);
    for (std::uint64_t m = k + 1; m <= kTrueSize; m += 13) {
      const std::uint64_t n2 = kTrueSize + 20;
      const std::string root1 = HexRoot(truth, m), fake_root2 = HexRoot(fake, n2);
      // The forgery: the client's own root, the liar's intermediate states, the liar's head.
      DualProof forged{fake.ProveConsistency(m, n2), {root1}};
      for (std::uint64_t s = m; s <= n2; s += 5) forged.linear.push_back(HexRoot(fake, s));
      forged.linear.push_back(fake_root2);

      EXPECT_TRUE(EndsOnlyVerify(forged, root1, fake_root2)) << "the naive verifier is fooled";
      EXPECT_FALSE(VerifyConsistency(forged.tree, root1, fake_root2)) << k << ": " << m;
      EXPECT_FALSE(VerifyConsistency({m, n2, forged.linear}, root1, fake_root2));
      std::vector<std::string> both = forged.tree.path;
      both.insert(both.end(), forged.linear.begin(), forged.linear.end());
      EXPECT_FALSE(VerifyConsistency({m, n2, both}, root1, fake_root2));
      EXPECT_FALSE(VerifyConsistency({m, n2, {root1, fake_root2}}, root1, fake_root2));
    }
  }
  // Honest proofs pass both verifiers: the forgery above is what fools the naive one.
  const ConsistencyProof honest = truth.ProveConsistency(100, kTrueSize);
  EXPECT_TRUE(VerifyConsistency(honest, HexRoot(truth, 100), HexRoot(truth, kTrueSize)));
  EXPECT_TRUE(EndsOnlyVerify({honest, {}}, HexRoot(truth, 100), HexRoot(truth, kTrueSize)));
}

}  // namespace
}  // namespace nedb
