// SPDX-License-Identifier: Apache-2.0
// Writes a v2 log of random ops (every kind and field, small segments) into
// the directory argv[1] and prints "seq leaf-hash-hex" per op, for
// format_v2_doc_test.sh (the Python reader of docs/FORMAT.md).
#include <cstdio>

#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_writer.h"
#include "log_v2_random_ops.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LOGDIR\n", argv[0]);
    return 2;
  }
  using namespace nedb::logv2;
  nedb_test::RandomOps gen(77);
  auto w = SegmentWriter::Create(nedb::Env::Default(), argv[1], 0, {4096});
  for (std::uint64_t seq = 0; seq < 300; seq++) {
    const OpRecord r = gen.Make(seq);
    w->Add(r);
    std::printf("%llu %s\n", static_cast<unsigned long long>(seq),
                ToHex(nedb::merkle::HashLeaf(LeafEntry(r))).c_str());
  }
  w->Close();
  return 0;
}
