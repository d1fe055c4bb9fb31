// SPDX-License-Identifier: Apache-2.0
// The Merkle tree through the database API: head() is root(), every op's
// proof verifies against every later root, consistency between any two
// sizes, leaf_entry() hashes to the proof's leaf, and all of it survives a
// restart, a checkpoint and an open from the snapshot.
#include <gtest/gtest.h>

#include <random>

#include "merkle/hash.h"
#include "nedb/nedb.h"
#include "test_util.h"
#include "util/hex.h"

namespace nedb {
namespace {

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

void CheckAllProofs(const NEDB& db) {
  const std::uint64_t n = db.seq() + 1;
  ASSERT_EQ(db.head(), db.root());
  ASSERT_EQ(db.root(n), db.head());
  EXPECT_EQ(db.root(0), EmptyTreeRoot());
  for (std::uint64_t size = 1; size <= n; ++size) {
    const std::string root = db.root(size);
    for (std::uint64_t s = 0; s < size; ++s) {
      const InclusionProof p = db.prove(s, size);
      EXPECT_TRUE(VerifyInclusion(p, root)) << s << " in " << size;
      EXPECT_EQ(p.leaf_hash, LeafHash(Unhex(db.leaf_entry(s))));
      EXPECT_FALSE(VerifyInclusion(p, db.root(size == 1 ? 0 : size - 1))) << s << " " << size;
    }
    for (std::uint64_t s1 = 0; s1 <= size; ++s1) {
      EXPECT_TRUE(VerifyConsistency(db.prove_consistency(s1, size), db.root(s1), root));
    }
  }
  EXPECT_THROW(db.root(n + 1), InvalidArgument);
  EXPECT_THROW(db.prove(n), InvalidArgument);
  EXPECT_THROW(db.prove(0, n + 1), InvalidArgument);
  EXPECT_THROW(db.prove_consistency(2, 1), InvalidArgument);
  EXPECT_THROW(db.leaf_entry(n), InvalidArgument);
}

void WriteSome(NEDB& db, int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  for (int i = 0; i < n; ++i) {
    const std::string id = "k" + std::to_string(rng() % 7);
    switch (rng() % 4) {
      case 0: db.remove("c", id); break;
      case 1: db.link("c:" + id, "r", "c:x"); break;
      default: db.put("c", id, {{"v", i}}); break;
    }
  }
}

TEST(ProofApi, InMemory) {
  NEDB db;
  CheckAllProofs(db);  // genesis only
  WriteSome(db, 40, 1);
  CheckAllProofs(db);
}

TEST(ProofApi, DurableAcrossRestartAndSnapshot) {
  test::DbDir d;
  std::string head;
  {
    NEDB db(d.db());
    WriteSome(db, 30, 2);
    db.checkpoint();
    WriteSome(db, 10, 3);
    head = db.head();
    CheckAllProofs(db);
  }
  NEDB db(d.db());
  EXPECT_TRUE(db.open_info().at("snapshot").get<bool>());
  EXPECT_EQ(db.head(), head);
  CheckAllProofs(db);
  EXPECT_TRUE(db.verify());
}

TEST(ProofApi, OldProofsStayValidAsTheLogGrows) {
  NEDB db;
  WriteSome(db, 20, 4);
  const std::uint64_t size = db.seq() + 1;
  const std::string old_root = db.head();
  const InclusionProof p = db.prove(5);
  WriteSome(db, 20, 5);
  EXPECT_TRUE(VerifyInclusion(p, old_root));
  EXPECT_EQ(db.root(size), old_root);
  EXPECT_TRUE(VerifyConsistency(db.prove_consistency(size), old_root, db.head()));
}

}  // namespace
}  // namespace nedb
