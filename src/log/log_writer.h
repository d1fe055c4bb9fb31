// SPDX-License-Identifier: Apache-2.0
// Appending lines to log.aof, with group commit.
//
// Append() is called by one writer at a time (the engine's write mutex);
// SyncTo() may be called by many threads at once: one of them fsyncs for
// all (the leader), the others wait, and each returns once the bytes it
// appended are durable.
#ifndef NEDB_LOG_LOG_WRITER_H_
#define NEDB_LOG_LOG_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "nedb/env.h"
#include "nedb/options.h"

namespace nedb {

class LogWriter {
 public:
  // file is positioned at its end, size bytes long.
  LogWriter(std::unique_ptr<WritableFile> file, std::uint64_t size, Sync policy);
  ~LogWriter();

  // Appends line (whole lines only). On failure cuts the file back to its
  // previous size and throws IOError; if even that fails, the writer is
  // broken and every later call throws. Returns the end offset of the line.
  // REQUIRES: external serialization of Append calls.
  std::uint64_t Append(std::string_view line);

  // Between BeginBatch() and EndBatch() Append() only copies the line into a
  // buffer (written out whenever it passes kBatchBytes) and EndBatch() writes
  // the rest with one write(). The offsets Append() returns count the
  // buffered bytes; size() counts only what the OS has. A failed write of
  // buffered lines cuts the file back and breaks the writer (every later
  // Append throws): lines the caller already acted on are not in the log.
  // REQUIRES: the same external serialization as Append().
  void BeginBatch();
  // defer = true (Sync::Always only): the batch's lines stay buffered,
  // ahead of the next Append(); WritePending() writes them (a group-commit
  // flush: many batches, one write() and one fsync). Returns the end offset
  // of the batch's lines.
  std::uint64_t EndBatch(bool defer = false);
  // Writes the buffered lines now (a batch stays open).
  void WritePending();
  // True if deferred lines wait for WritePending(). Any thread may ask.
  bool has_deferred() const { return deferred_.load(std::memory_order_acquire); }
  static constexpr std::size_t kBatchBytes = 1 << 20;

  // Returns once every byte before offset is durable. Throws IOError if an
  // fsync failed (then or earlier: the error is sticky).
  // REQUIRES: offset <= size() (buffered lines are written first).
  void SyncTo(std::uint64_t offset);

  // Durable up to the current end. Throws IOError once the writer is broken
  // (lines it applied are missing from the file) or an fsync failed.
  void Flush();

  // Stops the background syncer, flushes, closes the file.
  void Close();

  Sync policy() const { return policy_; }
  std::uint64_t size() const { return written_.load(std::memory_order_acquire); }
  std::uint64_t fsync_count() const { return fsyncs_.load(std::memory_order_relaxed); }

 private:
  void EverySecLoop();

  std::unique_ptr<WritableFile> file_;
  const Sync policy_;
  std::atomic<std::uint64_t> written_;
  std::atomic<std::uint64_t> fsyncs_{0};
  std::optional<std::string> broken_;  // guarded by mu_ (read by Append under it)
  bool batching_ = false;              // Append's serialization
  std::string pending_;                // buffered lines: open or deferred batches
  std::atomic<bool> deferred_{false};  // pending_ holds deferred batches

  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t synced_;                   // guarded by mu_
  bool syncing_ = false;                   // guarded by mu_: a leader is in fsync
  std::optional<std::string> sync_error_;  // guarded by mu_
  bool stop_ = false;                      // guarded by mu_
  std::thread everysec_;
};

}  // namespace nedb

#endif  // NEDB_LOG_LOG_WRITER_H_
