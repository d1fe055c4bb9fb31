// SPDX-License-Identifier: Apache-2.0
// nedb prove DIR SEQ [--size N]: the RFC 9162 inclusion proof of op SEQ in the
// tree of the first N ops (default: every op of the log).
#include <iostream>

#include "commands.h"
#include "data_dir.h"
#include "log/v2/record_json.h"
#include "merkle/merkle_tree.h"
#include "util/hex.h"

namespace nedb::cli {

int RunProve(const ProveArgs& args) {
  logv2::SegmentReader reader(Env::Default(), LogDir(args.dir));
  merkle::MerkleTree tree;
  std::string entry;
  logv2::OpRecord rec;
  while ((!args.size || tree.size() < *args.size) && reader.Next(&rec)) {
    if (rec.seq == args.seq) entry = rec.entry;
    tree.Append(merkle::HashLeaf(rec.entry));
  }
  NoteTornTail(reader);
  const std::uint64_t size = args.size.value_or(tree.size());
  if (size > tree.size()) {
    throw Failure(kExitFailed, "--size " + std::to_string(size) + ": the log has only " +
                                   std::to_string(tree.size()) + " ops");
  }
  if (args.seq >= size) {
    throw Failure(kExitFailed, "seq " + std::to_string(args.seq) + " is not in the tree of size " +
                                   std::to_string(size));
  }
  const InclusionProof proof = tree.ProveInclusion(args.seq, size);
  nlohmann::ordered_json j;
  j["index"] = proof.index;
  j["tree_size"] = proof.tree_size;
  j["leaf_hash"] = proof.leaf_hash;
  j["entry"] = HexEncode(entry);
  j["path"] = proof.path;
  j["root"] = merkle::ToHex(tree.Root(size));
  std::cout << logv2::DumpJsonLine(j) << std::endl;
  return kExitOk;
}

}  // namespace nedb::cli
