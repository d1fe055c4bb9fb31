// SPDX-License-Identifier: Apache-2.0
// The engine's log over v2 segments: batching, deferred batches, group
// commit, the Sync::Always / EverySec / None policies, sticky errors (what
// the v1 engine's LogWriter did for log.aof), with seqs as positions ("end"
// is the seq after the last record), plus reading a record back at its
// location and erasing a payload in place.
//
// Threads. Append(), BeginBatch(), EndBatch() and WritePending() are called
// by one thread at a time (the engine's write mutex). SyncTo(), Flush(),
// ReadRecord(), EraseRecord() and the accessors may be called by any thread
// at any time; SyncTo() is group commit: of the threads that wait, one (the
// leader) fsyncs for all, outside the caller's write mutex, while another
// thread goes on appending.
//
// How the leader fsyncs while the SegmentWriter (not thread-safe) goes on:
// it takes SegmentWriter::sync_point(), the one thread-safe call of the
// writer: the current segment file (a shared_ptr) and the writer's written
// seq, read together under a small mutex. Every record before that seq is
// either in that file, handed to the OS by a write() that has returned, or
// in an earlier segment, which the writer fsynced before it started the
// next. So one fdatasync of that file makes all of them durable, whatever
// the writer does meanwhile: appends to the same fd (fdatasync concurrent
// with write() is fine; PosixWritableFile keeps no user-space buffer), cuts
// back a failed append (only bytes after the written seq's records), or
// moves to a new segment (the old file object stays open while the leader
// holds it; the last holder's release closes it).
//
// Errors: a failed append is cut back and throws IOError with
// nothing appended; if buffered records that Append() already returned are
// lost (a failed batch write), or the writer broke (a cut, a segment start
// or an fsync failed), the log is broken: every later Append, BeginBatch and
// Flush throws. A failed fsync is sticky: SyncTo() throws for every seq it
// did not cover, and so does every later append.
#ifndef NEDB_LOG_V2_SEGMENT_LOG_H_
#define NEDB_LOG_V2_SEGMENT_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "log/v2/op_record.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "nedb/env.h"
#include "nedb/options.h"

namespace nedb::logv2 {

// The rewrite journal (docs/FORMAT.md, "Erasure"): one in-place rewrite
// waiting to be made, in the log directory:
//   magic "NEDBRWJ\n" | segment:u32le | offset:u64le | len:u32le | frame[len] |
//   crc:u32le (CRC32C of everything before it)
inline constexpr std::string_view kRewriteJournal = "REWRITE";
inline constexpr std::string_view kRewriteJournalMagic = "NEDBRWJ\n";

// Redoes the rewrite a journal in dir describes, if there is one (an erase
// interrupted between its journal and the end of its rewrite), and removes
// the journal. Returns true if it rewrote. Call before reading the log.
bool RedoRewrite(Env* env, const std::string& dir,
                 const std::function<void(const std::string&)>& log);

class SegmentLog {
 public:
  // Takes over w (positioned at the log's end: Create() or Open()). Starts
  // the background syncer thread for Sync::EverySec. env must outlive this.
  SegmentLog(Env* env, std::unique_ptr<SegmentWriter> w, Sync policy);
  // Close(), errors swallowed.
  ~SegmentLog();

  // Encodes rec and appends it: one write() (with any deferred records
  // before it) unless a batch is open. Returns where the record is. Throws
  // InvalidArgument if rec.seq is not next_seq() or rec breaks a format rule,
  // IOError if the write fails (the segment is cut back); either way nothing
  // is appended. REQUIRES: external serialization of Append, BeginBatch,
  // EndBatch and WritePending (the engine's write mutex).
  RecordLocation Append(const OpRecord& rec);

  // Between BeginBatch() and EndBatch(), Append() only buffers the record
  // (written out whenever the buffer passes kBatchBytes, or at a segment
  // change) and EndBatch() writes the rest with one write(). next_seq()
  // counts the buffered records, written_seq() only what the OS has. A
  // failed write of buffered records cuts the segment back and breaks the
  // log: records the caller already acted on are not in it. Throws IOError
  // if the log is broken or an fsync failed.
  void BeginBatch();
  // defer = true (Sync::Always only): the batch's records stay buffered,
  // ahead of the next Append(); WritePending() writes them (a group-commit
  // flush: many batches, one write() and one fsync). Returns the seq after
  // the batch's records.
  std::uint64_t EndBatch(bool defer = false);
  // Writes the buffered records now (a batch stays open).
  void WritePending();
  // True if deferred records wait for WritePending(). Any thread may ask.
  bool has_deferred() const { return deferred_.load(std::memory_order_acquire); }
  static constexpr std::size_t kBatchBytes = 1 << 20;

  // Returns once every record with seq < end is durable. Throws IOError if
  // an fsync failed (then or earlier: the error is sticky), or if the log is
  // broken and end is past what was written. Thread-safe.
  // REQUIRES: end <= written_seq() (buffered records are written first).
  void SyncTo(std::uint64_t end);
  // Durable up to written_seq(). Throws IOError once the log is broken or an
  // fsync failed.
  void Flush();
  // Stops the background syncer, writes any buffered records (deferred ones
  // too), fsyncs and closes the segment; SyncTo() calls waiting meanwhile
  // return. Throws IOError if that fails or an fsync had failed. Close of a
  // broken log writes nothing and reports no error (as the v1 LogWriter's).
  // REQUIRES: the append serialization; afterwards only SyncTo, the
  // accessors, ReadRecord and EraseRecord may be called.
  void Close();

  Sync policy() const { return policy_; }
  // The seq the next Append() gets (buffered records counted). Under the
  // append serialization.
  std::uint64_t next_seq() const { return w_->next_seq(); }
  // Every record before this is in the OS. Any thread.
  std::uint64_t written_seq() const { return written_seq_.load(std::memory_order_acquire); }
  std::uint64_t fsync_count() const { return fsyncs_.load(std::memory_order_relaxed); }

  // The record bytes (the frame's payload) at loc, as Append() returned it
  // or SegmentReader reported it. Throws CorruptionError naming the segment
  // and offset if the frame there is damaged (its seq() is 0: not known
  // here), IOError from the Env. Thread-safe; keeps the segments it read
  // open. REQUIRES: the record was written (its seq < written_seq()), not
  // only buffered.
  std::string ReadRecord(const RecordLocation& loc) const;
  // Replaces the plain payload of the record at loc by its erased form
  // (EraseRecordPayload: the same length, erased_by = erase_seq), re-framed
  // with its CRC, durably in place (Env::RewriteFileRange). Returns false if
  // the record has no plain payload (erased already, encrypted, or a kind
  // without one). Throws CorruptionError as ReadRecord, InvalidArgument if
  // erase_seq is not past the record's seq, IOError from the Env (the bytes
  // there are then the old or the new frame, or a mix a reader reports as a
  // CRC mismatch). REQUIRES as ReadRecord; no ReadRecord or EraseRecord of
  // the same record at the same time (one may see a half-rewritten frame).
  // The new frame is first written durably to the rewrite journal
  // (kRewriteJournal in the log directory), so a rewrite torn by a crash or
  // an I/O error is redone by RedoRewrite() before the log is next read.
  bool EraseRecord(const RecordLocation& loc, std::uint64_t erase_seq);

  // The path of segment number (dir/NNNNNNNN.seg).
  std::string SegmentPath(std::uint32_t number) const;

 private:
  void CheckUsable();
  void AfterWriterError(std::uint64_t promised, const std::string& why);
  void EverySecLoop();
  std::shared_ptr<RandomAccessFile> SegmentFile(std::uint32_t number) const;

  Env* const env_;
  const std::unique_ptr<SegmentWriter> w_;
  const std::string dir_;
  const Sync policy_;
  std::atomic<std::uint64_t> written_seq_;
  std::atomic<std::uint64_t> fsyncs_{0};
  bool batching_ = false;              // Append's serialization
  std::atomic<bool> deferred_{false};  // the writer buffers deferred records

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::string> broken_;      // guarded by mu_
  std::uint64_t synced_seq_;               // guarded by mu_
  bool syncing_ = false;                   // guarded by mu_: a leader is in fsync (or Close)
  std::optional<std::string> sync_error_;  // guarded by mu_
  bool stop_ = false;                      // guarded by mu_
  std::thread everysec_;

  // Segments open for ReadRecord, guarded by files_mu_: at most
  // kOpenSegments (the lowest numbers are dropped first).
  static constexpr std::size_t kOpenSegments = 16;
  mutable std::mutex files_mu_;
  mutable std::map<std::uint32_t, std::shared_ptr<RandomAccessFile>> files_;
};

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_SEGMENT_LOG_H_
