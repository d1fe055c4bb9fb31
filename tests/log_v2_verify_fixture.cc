// SPDX-License-Identifier: Apache-2.0
// Writes a v2 log into DATADIR/log for verify_log_test.sh and prints
// "root <hex> size <n>" as the C++ Merkle tree (src/merkle/) computes it over
// the records' leaf entries (LeafEntry). Every kind, an encrypted payload, a
// segment size small enough for several segments, and an erase op (seq 10,
// users/carol, erases 2 and 4) whose payloads are then erased in place with
// EraseRecordPayload, as the engine will do. MODE picks the erasures:
//   ok          2 and 4 erased by 10 (what erase does)
//   plain       no payload erased (same leaves, so the same root as ok)
//   no-erase    also 5 "erased by" 11, a put
//   not-listed  also 5 (users/dave) erased by 10, which does not list 5
//   other-doc   as ok, but the erase op names users/dave
//   beyond      also 5 erased by 1000, past the end of the log
// Payload 1 holds "PAYLOAD-MARKER" and the entry of 11 the id "ENTRY-MARKER",
// for the tampering tests to find.
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "log/v2/frame.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_format.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "merkle/merkle_tree.h"

using namespace nedb::logv2;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> modes = {"ok",         "plain",     "no-erase",
                                       "not-listed", "other-doc", "beyond"};
  if (argc != 3 || !modes.count(argv[2])) {
    std::fprintf(stderr, "usage: %s DATADIR ok|plain|no-erase|not-listed|other-doc|beyond\n",
                 argv[0]);
    return 2;
  }
  const std::string mode = argv[2], logdir = std::string(argv[1]) + "/log";
  std::deque<std::string> arena;  // payload bytes outlive the records
  std::vector<OpRecord> ops;
  const std::string salt(kSaltBytes, 's');
  auto op = [&](Kind kind) -> OpRecord& {
    OpRecord& r = ops.emplace_back();
    r.kind = kind;
    r.seq = ops.size() - 1;
    r.ts = 1795547053625 + static_cast<std::int64_t>(r.seq);
    r.client = r.seq == 0 ? "nedb" : "local";
    r.nonce = r.seq;
    return r;
  };
  auto put = [&](std::string_view coll, std::string_view id, std::string doc) -> OpRecord& {
    OpRecord& r = op(Kind::kPut);
    r.coll = coll;
    r.id = id;
    r.payload.salt = salt;
    r.payload.bytes = arena.emplace_back(std::move(doc));
    return r;
  };
  op(Kind::kGenesis).format_version = 2;                                  // 0
  put("users", "alice", R"({"_id":"alice","note":"PAYLOAD-MARKER"})");    // 1
  put("users", "carol", R"({"_id":"carol","v":1,"ssn":"078-05-1120"})");  // 2
  {
    OpRecord& r = op(Kind::kLink);  // 3
    r.from = "users/alice";
    r.rel = "knows";
    r.to = "users/carol";
  }
  put("users", "carol", R"({"_id":"carol","v":2,"ssn":"078-05-1120"})");  // 4
  put("users", "dave", R"({"_id":"dave"})");                              // 5
  {
    OpRecord& r = op(Kind::kDelete);  // 6
    r.coll = "users";
    r.id = "alice";
  }
  {
    OpRecord& r = op(Kind::kCheckpoint);  // 7
    r.snapshot = arena.emplace_back(32, '\x5a');
    r.state_seq = 6;
  }
  {
    OpRecord& r = op(Kind::kPutFile);  // 8
    r.file = "report.pdf";
    r.file_version = 1;
    r.payload.salt = salt;
    r.payload.bytes = arena.emplace_back("\x00\x05manifest", 10);
  }
  {
    OpRecord& r = put("users", "eve", "");  // 9: encrypted (its digest is not checkable)
    r.payload.state = PayloadState::kEncrypted;
    r.payload.salt = {};
    r.payload.bytes = arena.emplace_back(40, '\x7e');
    r.payload.key_id = "k1";
    r.payload.alg = 1;
    r.digest.fill(0x42);
  }
  {
    OpRecord& r = op(Kind::kErase);  // 10
    r.coll = "users";
    r.id = mode == "other-doc" ? "dave" : "carol";
    r.reason = "GDPR art. 17";
    r.erases = {2, 4};
  }
  {
    OpRecord& r = put("users", "ENTRY-MARKER", R"({"_id":"ENTRY-MARKER"})");  // 11
    r.idem = "idem-11";
    r.prov.caused_by = {1, 5};
    r.prov.evidence = "a form";
    r.prov.confidence = 0.5;
  }
  for (int i = 0; i < 60; i++) {
    const std::string id = "user" + std::to_string(i);
    put("users", arena.emplace_back(id),
        R"({"_id":")" + id + R"(","n":)" + std::to_string(i) + "}");
  }
  op(Kind::kDeleteFile).file = "report.pdf";

  nedb::merkle::MerkleTree tree;
  auto w = SegmentWriter::Create(nedb::Env::Default(), logdir, 0, {1024});
  for (const OpRecord& r : ops) {
    w->Add(r);
    const std::string entry = LeafEntry(r);
    tree.Append(nedb::merkle::HashLeaf(entry));
  }
  w->Close();

  std::map<std::uint64_t, std::uint64_t> erase;  // seq -> erased_by
  if (mode != "plain") erase = {{2, 10}, {4, 10}};
  if (mode == "no-erase") erase[5] = 11;
  if (mode == "not-listed") erase[5] = 10;
  if (mode == "beyond") erase[5] = 1000;
  // Rewrite each erased record in place: same length, so every offset stays.
  std::map<std::uint64_t, RecordLocation> where;
  {
    SegmentReader reader(nedb::Env::Default(), logdir);
    OpRecord rec;
    RecordLocation loc;
    while (reader.Next(&rec, &loc)) where[rec.seq] = loc;
  }
  for (const auto& [seq, by] : erase) {
    const RecordLocation loc = where.at(seq);
    const std::string path = logdir + "/" + SegmentFileName(loc.segment);
    const std::string bytes = ReadAll(path);
    const std::string_view record = std::string_view(bytes).substr(loc.offset + kFrameHeaderBytes,
                                                                   loc.size - kFrameHeaderBytes);
    std::string erased, frame;
    if (!EraseRecordPayload(record, by, &erased)) {
      std::fprintf(stderr, "EraseRecordPayload(seq %llu) failed\n",
                   static_cast<unsigned long long>(seq));
      return 1;
    }
    AppendFrame(erased, &frame);
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(loc.offset));
    f.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    if (!f) return 1;
  }
  std::printf("root %s size %llu\n", nedb::merkle::ToHex(tree.Root()).c_str(),
              static_cast<unsigned long long>(tree.size()));
  return 0;
}
