// SPDX-License-Identifier: Apache-2.0
// Reading the log back: every line is re-hashed and chained to the one
// before it. Used by open (replay), verify() and verify_determinism().
#ifndef NEDB_LOG_LOG_READER_H_
#define NEDB_LOG_LOG_READER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "log/op.h"
#include "nedb/env.h"

namespace nedb {

enum class TailPolicy {
  kRecover,  // a damaged last line (a crash mid-append) ends the log
  kStrict,   // any damaged line is an error
};

struct ScanResult {
  std::uint64_t ops = 0;          // ops accepted
  std::uint64_t valid_bytes = 0;  // offset just past the last accepted line
  std::uint64_t last_seq = 0;
  std::string last_hash;    // hex; empty if no op was accepted
  bool torn_tail = false;   // kRecover only: bytes after valid_bytes are a torn tail
  std::string torn_reason;  // why the tail was rejected
};

// Reads file from the start and calls fn(op, offset) for each op, in order.
// Each line must end in '\n', carry a correct hash, have seq one more than
// the previous (0 for the first, which must be genesis) and prev equal to the
// previous hash. Reading stops after limit bytes. Throws CorruptionError
// (naming seq and offset) for damage that is not a torn tail.
// Where a scan starts: the first line read must be op seq, chained to prev,
// at byte offset (the file is already positioned there).
struct ScanStart {
  std::uint64_t seq = 0;
  std::string prev;  // empty: the genesis prev (128 zeros)
  std::uint64_t offset = 0;
};

// With chain_only, lines are only checked with CheckOpLineChain (hash, seq,
// prev): fn then sees seq, prev and hash only (verify()).
ScanResult ScanLog(SequentialFile& file, TailPolicy policy,
                   const std::function<void(const OpView&, std::uint64_t offset)>& fn,
                   std::uint64_t limit = std::numeric_limits<std::uint64_t>::max(),
                   bool chain_only = false, const ScanStart& start = {});

// A SequentialFile over bytes in memory (the in-memory database's log).
class StringSequentialFile final : public SequentialFile {
 public:
  explicit StringSequentialFile(std::string_view data) : data_(data) {}
  std::size_t Read(char* buf, std::size_t n) override;

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace nedb

#endif  // NEDB_LOG_LOG_READER_H_
