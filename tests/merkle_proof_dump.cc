// SPDX-License-Identifier: Apache-2.0
// Prints proofs of random trees as JSON lines (valid ones and every tampering
// of tests/merkle_test_util.h) and our verdict for each, for
// merkle_verify_py_test.sh to compare with scripts/merkle_verify.py.
// Usage: merkle_proof_dump <proofs.jsonl> <verdicts.txt>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "merkle_test_util.h"

namespace {

using nedb::ConsistencyProof;
using nedb::InclusionProof;
using nedb::test::HexRoot;

struct Out {
  std::ofstream proofs, verdicts;
  void Inclusion(const InclusionProof& p, const std::string& root) {
    nlohmann::json j = {{"index", p.index},
                        {"tree_size", p.tree_size},
                        {"leaf_hash", p.leaf_hash},
                        {"path", p.path},
                        {"root", root}};
    proofs << j.dump() << "\n";
    verdicts << (nedb::VerifyInclusion(p, root) ? "true" : "false") << "\n";
  }
  void Consistency(const ConsistencyProof& p, const std::string& r1, const std::string& r2) {
    nlohmann::json j = {
        {"size1", p.size1}, {"size2", p.size2}, {"path", p.path}, {"root1", r1}, {"root2", r2}};
    proofs << j.dump() << "\n";
    verdicts << (nedb::VerifyConsistency(p, r1, r2) ? "true" : "false") << "\n";
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: merkle_proof_dump <proofs.jsonl> <verdicts.txt>\n";
    return 2;
  }
  Out out{std::ofstream(argv[1]), std::ofstream(argv[2])};
  std::mt19937_64 rng(20261202);
  const std::uint64_t max_size = 3000;
  nedb::merkle::MerkleTree tree;  // twice max_size: every tampered size has a true root
  nedb::test::AppendAll(tree, nedb::test::RandomLeaves(2 * max_size + 2, rng));
  for (int k = 0; k < 400; ++k) {
    const std::uint64_t n = k < 100 ? 1 + k : 1 + rng() % max_size;
    const InclusionProof inc = tree.ProveInclusion(rng() % n, n);
    out.Inclusion(inc, HexRoot(tree, n));
    if (k % 2 == 0) {
      for (const auto& t : nedb::test::TamperInclusion(inc, tree, rng))
        out.Inclusion(t.proof, t.root);
    }
    const std::uint64_t m = rng() % (n + 1);
    const ConsistencyProof con = tree.ProveConsistency(m, n);
    out.Consistency(con, HexRoot(tree, m), HexRoot(tree, n));
    if (k % 2 == 0 && m > 0 && m < n) {
      for (const auto& t : nedb::test::TamperConsistency(con, tree, rng)) {
        out.Consistency(t.proof, t.root1, t.root2);
      }
    }
  }
  // The sizes the RFC leaves to us: the empty tree, size1 == 0, size1 == size2.
  const std::string e = nedb::EmptyTreeRoot(), r5 = HexRoot(tree, 5);
  out.Consistency({0, 0, {}}, e, e);
  out.Consistency({0, 5, {}}, e, r5);
  out.Consistency({0, 5, {}}, r5, r5);
  out.Consistency({0, 0, {}}, e, r5);
  out.Consistency({0, 5, {r5}}, e, r5);
  out.Consistency({5, 5, {}}, r5, r5);
  out.Consistency({5, 5, {r5}}, r5, r5);
  out.Consistency({5, 4, {}}, r5, HexRoot(tree, 4));
  out.Inclusion({0, 0, e, {}}, e);
  return out.proofs && out.verdicts ? 0 : 1;
}
