// SPDX-License-Identifier: Apache-2.0
// Checking a whole v2 log from its segments, as scripts/verify_log.py does:
// headers, frame CRCs, strict decoding, seq order, genesis at seq 0 only,
// every plain payload's salted digest, the erasure rule (a payload may be
// missing only where the erase op at its erased_by, later in the log,
// lists it and names the same document), then the Merkle root. The one
// checker behind NEDB::verify() and `nedb verify`.
#ifndef NEDB_LOG_V2_LOG_VERIFIER_H_
#define NEDB_LOG_V2_LOG_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "log/v2/segment_reader.h"
#include "merkle/hash.h"
#include "nedb/env.h"

namespace nedb::logv2 {

struct VerifyLogOptions {
  // Check ops [0, limit) only (a log being appended to: its end when the
  // check began). A log shorter than limit is a failure.
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
  // Called after each record: ops checked, and where that record ends.
  std::function<void(std::uint64_t ops, const RecordLocation& loc)> progress;
};

struct VerifyLogReport {
  bool ok = false;
  // !ok: the first problem, the seq it is at (or names), the file and offset.
  std::string error, file;
  std::uint64_t seq = 0, offset = 0;
  // ok: ops checked and the root of their tree.
  std::uint64_t ops = 0;
  merkle::Hash root{};
  std::uint32_t segments = 0;
  std::map<std::string, std::uint64_t> payloads;  // "plain", "erased", "encrypted" -> count
  std::optional<TornTail> torn_tail;              // a torn tail after the last whole op
};

// Never throws CorruptionError (it is the report); IOError passes.
VerifyLogReport VerifyLog(Env* env, const std::string& dir, const VerifyLogOptions& options = {});

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_LOG_VERIFIER_H_
