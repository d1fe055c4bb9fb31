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
// path), except sync_point(), which any thread may call at any time: group
// commit (SegmentLog) fsyncs the file it returns while the writer goes on.
#ifndef NEDB_LOG_V2_SEGMENT_WRITER_H_
#define NEDB_LOG_V2_SEGMENT_WRITER_H_

#include <cstdint>
#include <memory>
#include <mutex>
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

  // Encodes rec and buffers its frame; returns where the frame is (or will
  // be, once written: the offset counts the buffered bytes before it).
  // Throws InvalidArgument if rec.seq is not next_seq() or rec breaks a
  // format rule (nothing is added). May write and sync (a segment change:
  // the buffered frames go to the old segment, which is fsynced before the
  // next is started), so may throw IOError; rec is then not added.
  RecordLocation Add(const OpRecord& rec);
  // Appends the buffered frames to the segment file(s). Throws IOError.
  void Write();
  // Write(), then fdatasync the current segment. Throws IOError.
  void Sync();
  // Sync() and close (the file is closed once no sync_point() holds it).
  // Further calls throw.
  void Close();

  // Thread-safe. The current segment file and written_seq(), taken together:
  // fsyncing file makes every record before written_seq durable (the
  // segments before it were fsynced when they were closed). file stays
  // open while it is held, also after a segment change or Close(): the last
  // holder's release closes it. file is null once the writer is closed or
  // failed to start a segment: then every record before written_seq was
  // fsynced.
  struct SyncPoint {
    std::shared_ptr<WritableFile> file;
    std::uint64_t written_seq = 0;
  };
  SyncPoint sync_point() const;

  std::uint64_t next_seq() const { return next_seq_; }
  // The seq after the last record handed to the OS.
  std::uint64_t written_seq() const { return written_seq_; }
  std::uint32_t segment() const { return number_; }
  // Bytes of the current segment in the file (buffered bytes excluded).
  std::uint64_t segment_size() const { return file_size_; }
  std::size_t buffered_bytes() const { return pending_.size(); }
  const std::string& dir() const { return dir_; }
  // True once the writer is broken (every call throws), and whether by a
  // failed fsync: records written since the last good fsync may then be
  // lost, whatever a later fsync says.
  bool broken() const { return broken_.has_value(); }
  bool sync_failed() const { return sync_failed_; }

 private:
  SegmentWriter(Env* env, std::string dir, SegmentWriterOptions opts);
  void StartSegment(std::uint32_t number, std::uint64_t first_seq);
  void SetWritten(std::uint64_t seq);
  void CheckUsable() const;
  [[noreturn]] void Break(const std::string& why);

  Env* env_;
  std::string dir_;
  SegmentWriterOptions opts_;
  // file_ and written_seq_ change under sync_mu_ (only the writer's thread
  // changes them, so it reads them without it); sync_point() reads them.
  mutable std::mutex sync_mu_;
  std::shared_ptr<WritableFile> file_;
  std::uint64_t written_seq_ = 0;
  std::uint32_t number_ = 0;
  std::uint64_t file_size_ = 0;           // bytes of the current segment in the file
  std::uint64_t records_in_segment_ = 0;  // written or buffered
  std::uint64_t next_seq_ = 0;
  std::string pending_;
  std::string scratch_;
  std::optional<std::string> broken_;
  bool sync_failed_ = false;
};

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_SEGMENT_WRITER_H_
