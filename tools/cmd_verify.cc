// SPDX-License-Identifier: Apache-2.0
// nedb verify DIR: re-reads every segment and checks what scripts/verify_log.py
// checks -- headers, frame CRCs, strict decoding, seq order, genesis at seq 0
// only, plain payload digests, the erasure rule -- then recomputes the Merkle
// root. A torn tail is a warning; everything before it must verify.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "commands.h"
#include "data_dir.h"
#include "log/v2/segment_format.h"
#include "merkle/merkle_tree.h"
#include "nedb/errors.h"
#include "op_json.h"
#include "progress.h"

namespace nedb::cli {

using logv2::Kind;
using logv2::OpRecord;
using logv2::PayloadState;

namespace {

struct Problem {
  std::string error, file;
  std::uint64_t seq = 0, offset = 0;
};

// A payload found erased: its erase op (at erased_by, later) must list it.
struct Erased {
  std::uint64_t seq;
  Kind kind;
  std::string coll, id;
  std::string file;
  std::uint64_t offset;
};

// Bytes of segments 1..n, for n = 0..last (the progress bar's denominator).
std::vector<std::uint64_t> SegmentEnds(const std::string& dir) {
  std::map<std::uint32_t, std::uint64_t> sizes;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (auto n = logv2::ParseSegmentFileName(e.path().filename().string())) {
      sizes[n] = e.file_size();
    }
  }
  std::vector<std::uint64_t> ends{0};
  for (const auto& [n, size] : sizes) ends.push_back(ends.back() + size);
  return ends;
}

// The check of the erase op `erase` against a payload it is said to have
// erased; empty if it holds.
std::string EraseRule(const Erased& e, const OpRecord& erase) {
  const std::string head = "payload erased by seq " + std::to_string(erase.seq) + ", which ";
  if (erase.kind != Kind::kErase) return head + "is not an erase op";
  if (!std::binary_search(erase.erases.begin(), erase.erases.end(), e.seq)) {
    return head + "does not list this seq";
  }
  if (e.kind == Kind::kPut && (erase.coll != e.coll || erase.id != e.id)) {
    return head + "names another document";
  }
  return {};
}

int Report(const Problem& p) {
  nlohmann::ordered_json j;
  j["ok"] = false;
  j["error"] = p.error;
  j["seq"] = p.seq;
  j["file"] = p.file;
  j["offset"] = p.offset;
  std::cout << DumpLine(j) << std::endl;
  return kExitFailed;
}

}  // namespace

int RunVerify(const VerifyArgs& args) {
  const std::string dir = LogDir(args.dir);
  const std::vector<std::uint64_t> ends = SegmentEnds(dir);
  if (ends.size() == 1) return Report({"no segment files", dir});
  std::unique_ptr<logv2::SegmentReader> reader;
  merkle::MerkleTree tree;
  std::multimap<std::uint64_t, Erased> pending;  // by erased_by
  std::map<std::string, std::uint64_t> payloads = {{"plain", 0}, {"erased", 0}, {"encrypted", 0}};
  Progress progress(ends.back());
  try {
    reader = std::make_unique<logv2::SegmentReader>(
        Env::Default(), dir, logv2::ScanOptions{.check_digests = true});
    OpRecord rec;
    logv2::RecordLocation loc;
    while (reader->Next(&rec, &loc)) {
      const std::string file = reader->SegmentPath(loc.segment);
      if ((rec.kind == Kind::kGenesis) != (rec.seq == 0)) {
        return Report({"genesis must be the op at seq 0, and only it", file, rec.seq, loc.offset});
      }
      for (auto [it, end] = pending.equal_range(rec.seq); it != end; ++it) {
        if (std::string why = EraseRule(it->second, rec); !why.empty()) {
          return Report({why, it->second.file, it->second.seq, it->second.offset});
        }
      }
      pending.erase(rec.seq);
      if (logv2::KindHasPayload(rec.kind)) {
        const PayloadState state = rec.payload.state;
        payloads[state == PayloadState::kPlain    ? "plain"
                 : state == PayloadState::kErased ? "erased"
                                                  : "encrypted"]++;
        if (state == PayloadState::kErased) {
          pending.emplace(rec.payload.erased_by,
                          Erased{rec.seq, rec.kind, std::string(rec.coll), std::string(rec.id),
                                 file, loc.offset});
        }
      }
      tree.Append(merkle::HashLeaf(rec.entry));
      progress.Update(tree.size(), ends[loc.segment - 1] + loc.offset + loc.size);
    }
  } catch (const CorruptionError& e) {
    progress.Finish();
    const std::uint32_t segment = reader ? reader->segment() : 0;
    return Report({e.what(), segment ? reader->SegmentPath(segment) : dir, e.seq(), e.offset()});
  }
  progress.Finish();
  if (!pending.empty()) {  // erased by an op past the end of the log
    const auto first = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
      return a.second.seq < b.second.seq;
    });
    const Erased& e = first->second;
    return Report({"payload erased by seq " + std::to_string(first->first) +
                       ", which is not in the log",
                   e.file, e.seq, e.offset});
  }
  nlohmann::ordered_json j;
  j["ok"] = true;
  j["ops"] = tree.size();
  j["tree_size"] = tree.size();
  j["root"] = merkle::ToHex(tree.Root());
  j["segments"] = ends.size() - 1;
  j["payloads"] = payloads;
  if (const auto& t = reader->torn_tail()) {
    j["torn_tail"] = {{"file", t->file},     {"offset", t->offset}, {"bytes", t->bytes},
                      {"seq", tree.size()}, {"reason", t->reason}};
  }
  std::cout << DumpLine(j) << std::endl;
  return kExitOk;
}

}  // namespace nedb::cli
