// SPDX-License-Identifier: Apache-2.0
// Reads `nedb prove` output (JSON lines) on stdin and checks each proof with
// nedb::VerifyInclusion against its root, and that altered copies of it (a
// hash changed in the leaf, the root or the path, a path entry dropped or
// added, the index or size moved past the end) fail. Prints "N proofs
// verified"; exit status 0 if all held, 1 otherwise. For nedb_cli_test.sh.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "nedb/proof.h"

namespace {

std::string Flip(std::string hex) {  // another well-formed hash
  hex[0] = hex[0] == '0' ? '1' : '0';
  return hex;
}

}  // namespace

int main() {
  int n = 0, bad = 0;
  for (std::string line; std::getline(std::cin, line);) {
    const auto j = nlohmann::json::parse(line);
    nedb::InclusionProof p{j.at("index"), j.at("tree_size"), j.at("leaf_hash"), j.at("path")};
    const std::string root = j.at("root");
    auto fails = [&](nedb::InclusionProof q, const std::string& r) {
      return !nedb::VerifyInclusion(q, r);
    };
    bool ok = nedb::VerifyInclusion(p, root) && fails(p, Flip(root));
    nedb::InclusionProof q = p;
    q.leaf_hash = Flip(p.leaf_hash);
    ok = ok && fails(q, root);
    q = p;
    q.path.push_back(p.leaf_hash);
    ok = ok && fails(q, root);
    q = p;
    q.index = p.tree_size;
    ok = ok && fails(q, root);
    for (std::size_t i = 0; i < p.path.size(); i++) {
      q = p;
      q.path[i] = Flip(p.path[i]);
      ok = ok && fails(q, root);
      q = p;
      q.path.erase(q.path.begin() + static_cast<std::ptrdiff_t>(i));
      ok = ok && fails(q, root);
    }
    if (!ok) {
      std::fprintf(stderr, "proof failed: %s\n", line.c_str());
      bad++;
    }
    n++;
  }
  std::printf("%d proofs verified, %d failed\n", n - bad, bad);
  return n > 0 && bad == 0 ? 0 : 1;
}
