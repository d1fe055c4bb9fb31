// SPDX-License-Identifier: Apache-2.0
// Appending v2 records to the segment files of a log directory, through the
// Env (so fault-injecting Envs apply). Add() encodes and frames a record into
// a buffer; Write() hands the buffer to the OS with one append per segment;
// Sync() makes it durable. A segment is closed (synced) and the next one
// started when a record would take it past segment_bytes (a segment holds at
// least one record, so a record larger than that gets a segment of its own).
//
// Failure: if an append fails, the segment is cut back to its size before
// the write and the buffered records are dropped (next_seq() goes back to
// written_seq()); the writer stays usable. If the cut, an fsync, or starting
// a segment fails, the writer is broken: every later call throws IOError
// (reopen: scan with SegmentReader and Open()).
//
// Not thread-safe: the caller serializes every call (the engine's write
// path; its group commit builds on Write() and Sync()).
#ifndef NEDB_LOG_V2_SEGMENT_WRITER_H_
#define NEDB_LOG_V2_SEGMENT_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "log/v2/op_record.h"
#include "log/v2/segment_format.h"
#include "log/v2/segment_reader.h"
#include "nedb/env.h"

namespace nedb::logv2 {

struct SegmentWriterOptions {
  std::uint64_t segment_bytes = kDefaultSegmentBytes;  // tests make it small
};

class SegmentWriter {
 public:
  // A new log: creates dir (if missing) and segment 1 starting at first_seq.
  // REQUIRES: dir holds no segment.
  static std::unique_ptr<SegmentWriter> Create(Env* env, const std::string& dir,
                                               std::uint64_t first_seq,
                                               SegmentWriterOptions opts = {});
  // Continues the log that `scanned` read to its end (Next() returned false):
  // first cuts its torn tail, if any, durably. An empty log (no segment)
  // gets segment 1 at scanned.next_seq().
  static std::unique_ptr<SegmentWriter> Open(Env* env, const SegmentReader& scanned,
                                             SegmentWriterOptions opts = {});
  ~SegmentWriter();

  // Encodes rec and buffers its frame. Throws InvalidArgument if rec.seq is
  // not next_seq() or rec breaks a format rule (nothing is added). May write
  // and sync (a segment change), so may throw IOError.
  void Add(const OpRecord& rec);
  // Appends the buffered frames to the segment file(s). Throws IOError.
  void Write();
  // Write(), then fdatasync the current segment. Throws IOError.
  void Sync();
  // Sync() and close. Further calls throw.
  void Close();

  std::uint64_t next_seq() const { return next_seq_; }
  // The seq after the last record handed to the OS.
  std::uint64_t written_seq() const { return written_seq_; }
  std::uint32_t segment() const { return number_; }
  // Bytes of the current segment in the file (buffered bytes excluded).
  std::uint64_t segment_size() const { return file_size_; }
  std::size_t buffered_bytes() const { return pending_.size(); }

 private:
  SegmentWriter(Env* env, std::string dir, SegmentWriterOptions opts);
  void StartSegment(std::uint32_t number, std::uint64_t first_seq);
  void CheckUsable() const;
  [[noreturn]] void Break(const std::string& why);

  Env* env_;
  std::string dir_;
  SegmentWriterOptions opts_;
  std::unique_ptr<WritableFile> file_;
  std::uint32_t number_ = 0;
  std::uint64_t file_size_ = 0;           // bytes of the current segment in the file
  std::uint64_t records_in_segment_ = 0;  // written or buffered
  std::uint64_t next_seq_ = 0;
  std::uint64_t written_seq_ = 0;
  std::string pending_;
  std::string scratch_;
  std::optional<std::string> broken_;
};

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_SEGMENT_WRITER_H_
