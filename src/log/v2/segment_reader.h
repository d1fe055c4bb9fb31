// SPDX-License-Identifier: Apache-2.0
// Reading the v2 log back: the records of every segment file of a log
// directory, in seq order, each frame's CRC checked and each record decoded
// strictly. Damage is told apart as in docs/FORMAT.md, "Recovery":
//
// - a torn tail (a crash mid-append): the last segment ends in a damaged or
//   incomplete frame followed by nothing or zero bytes, and no valid record
//   with a later seq follows it. The reader stops there and reports it
//   (torn_tail()); the caller cuts it (SegmentWriter::Open does).
// - anything else (a bad frame with valid records or other bytes after it, a
//   bad frame in any segment but the last, a CRC-valid record that does not
//   decode, a seq out of order, a gap in the segment numbers, a header that
//   does not match) throws nedb::CorruptionError naming the file, the seq
//   expected there and the byte offset. Nothing is skipped.
//
// Not thread-safe: one reader per thread.
#ifndef NEDB_LOG_V2_SEGMENT_READER_H_
#define NEDB_LOG_V2_SEGMENT_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "log/v2/op_record.h"
#include "nedb/env.h"

namespace nedb::logv2 {

struct ScanOptions {
  std::uint64_t first_seq = 0;  // the seq the log starts at
  bool allow_torn_tail = true;  // false: a torn tail is CorruptionError too (verify)
  bool check_digests = false;   // also check each plain payload's salted digest
};

struct TornTail {
  std::string file;          // the segment's path
  std::uint64_t offset = 0;  // valid bytes end here; 0: the header itself is torn
  std::uint64_t bytes = 0;   // bytes from offset to the end of the file
  std::string reason;
};

// Where a record is: its frame is bytes [offset, offset + size) of segment.
struct RecordLocation {
  std::uint32_t segment = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

class SegmentReader {
 public:
  // dir holds the segments (NNNNNNNN.seg; other names are ignored). Lists
  // them now; reads each when it gets there (Env::MapReadOnly), and finds a
  // gap in their numbers there too: CorruptionError with the seq expected.
  SegmentReader(Env* env, std::string dir, ScanOptions opts = {});
  ~SegmentReader();

  // The next record, in seq order, or false at the end of the log. Views in
  // *rec point into the segment and stay valid until the next call. Throws
  // CorruptionError (and IOError from the Env).
  bool Next(OpRecord* rec, RecordLocation* loc = nullptr);

  // The seq of the record Next() returns next (after the end: the log's next).
  std::uint64_t next_seq() const { return next_seq_; }
  // After Next() returned false:
  const std::optional<TornTail>& torn_tail() const { return torn_; }
  // The last segment's number (0: no segment) and the end of its valid
  // bytes (0 if its header is torn).
  std::uint32_t last_segment() const { return segments_.empty() ? 0 : segments_.back(); }
  std::uint64_t last_segment_end() const { return last_end_; }
  // The number of the segment being read (or last read): after Next()
  // threw CorruptionError, the file it names. 0 if there is no segment.
  std::uint32_t segment() const { return index_ < segments_.size() ? segments_[index_] : 0; }
  const std::string& dir() const { return dir_; }
  std::string SegmentPath(std::uint32_t number) const;

 private:
  bool OpenSegment();  // false: the log ends (a torn header)
  bool BadFrame(std::uint64_t pos, const char* what, std::uint32_t length);
  [[noreturn]] void Corrupt(const std::string& why, std::uint64_t offset) const;
  bool ValidFrameOfSeqAt(std::uint64_t q, std::uint64_t seq) const;

  Env* env_;
  std::string dir_;
  ScanOptions opts_;
  std::vector<std::uint32_t> segments_;
  std::size_t index_ = 0;  // into segments_
  std::unique_ptr<ReadOnlyRegion> region_;
  std::uint64_t pos_ = 0;
  std::uint64_t records_in_segment_ = 0;
  std::uint64_t next_seq_;
  std::uint64_t last_end_ = 0;
  bool done_ = false;
  std::optional<TornTail> torn_;
};

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_SEGMENT_READER_H_
