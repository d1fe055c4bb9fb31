// SPDX-License-Identifier: Apache-2.0
#include "log/v2/log_verifier.h"

#include <algorithm>
#include <map>
#include <memory>

#include "merkle/root_builder.h"
#include "nedb/errors.h"

namespace nedb::logv2 {

namespace {

// A payload found erased: its erase op (at erased_by, later) must list it.
struct Erased {
  std::uint64_t seq;
  Kind kind;
  std::string coll, id;
  std::string file;
  std::uint64_t offset;
};

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

VerifyLogReport Fail(std::string error, std::string file, std::uint64_t seq, std::uint64_t offset) {
  VerifyLogReport r;
  r.error = std::move(error);
  r.file = std::move(file);
  r.seq = seq;
  r.offset = offset;
  return r;
}

}  // namespace

VerifyLogReport VerifyLog(Env* env, const std::string& dir, const VerifyLogOptions& options) {
  std::unique_ptr<SegmentReader> reader;
  merkle::RootBuilder root;
  std::multimap<std::uint64_t, Erased> pending;  // by erased_by
  std::map<std::string, std::uint64_t> payloads = {{"plain", 0}, {"erased", 0}, {"encrypted", 0}};
  std::uint32_t segments = 0;
  try {
    reader = std::make_unique<SegmentReader>(env, dir, ScanOptions{.check_digests = true});
    OpRecord rec;
    RecordLocation loc;
    while (root.size() < options.limit && reader->Next(&rec, &loc)) {
      const std::string file = reader->SegmentPath(loc.segment);
      segments = loc.segment;
      if ((rec.kind == Kind::kGenesis) != (rec.seq == 0)) {
        return Fail("genesis must be the op at seq 0, and only it", file, rec.seq, loc.offset);
      }
      for (auto [it, end] = pending.equal_range(rec.seq); it != end; ++it) {
        if (std::string why = EraseRule(it->second, rec); !why.empty()) {
          return Fail(why, it->second.file, it->second.seq, it->second.offset);
        }
      }
      pending.erase(rec.seq);
      if (KindHasPayload(rec.kind)) {
        const PayloadState state = rec.payload.state;
        payloads[state == PayloadState::kPlain    ? "plain"
                 : state == PayloadState::kErased ? "erased"
                                                  : "encrypted"]++;
        if (state == PayloadState::kErased) {
          pending.emplace(rec.payload.erased_by, Erased{rec.seq, rec.kind, std::string(rec.coll),
                                                        std::string(rec.id), file, loc.offset});
        }
      }
      root.Add(merkle::HashLeaf(rec.entry));
      if (options.progress) options.progress(root.size(), loc);
    }
  } catch (const CorruptionError& e) {
    const std::uint32_t segment = reader ? reader->segment() : 0;
    return Fail(e.what(), segment ? reader->SegmentPath(segment) : dir, e.seq(), e.offset());
  }
  if (options.limit != std::numeric_limits<std::uint64_t>::max() && root.size() < options.limit) {
    return Fail("the log ends after " + std::to_string(root.size()) + " ops; " +
                    std::to_string(options.limit) + " were expected",
                dir, root.size(), 0);
  }
  if (!pending.empty()) {  // erased by an op past the end of the log
    const auto first = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
      return a.second.seq < b.second.seq;
    });
    const Erased& e = first->second;
    return Fail(
        "payload erased by seq " + std::to_string(first->first) + ", which is not in the log",
        e.file, e.seq, e.offset);
  }
  VerifyLogReport r;
  r.ok = true;
  r.ops = root.size();
  r.root = root.Root();
  r.segments = segments;
  r.payloads = std::move(payloads);
  if (root.size() < options.limit) r.torn_tail = reader->torn_tail();
  return r;
}

}  // namespace nedb::logv2
