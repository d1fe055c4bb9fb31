// SPDX-License-Identifier: Apache-2.0
#include "log/log_writer.h"

#include <chrono>
#include <stdexcept>

#include "nedb/errors.h"

namespace nedb {

LogWriter::LogWriter(std::unique_ptr<WritableFile> file, std::uint64_t size, Sync policy)
    : file_(std::move(file)), policy_(policy), written_(size), synced_(size) {
  if (policy_ == Sync::EverySec) everysec_ = std::thread([this] { EverySecLoop(); });
}

LogWriter::~LogWriter() {
  try {
    Close();
  } catch (...) {
    // Destructors do not throw; Close() reported errors to callers that asked.
  }
}

void LogWriter::BeginBatch() {
  std::lock_guard<std::mutex> l(mu_);
  if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
  if (sync_error_) throw IOError("log is unusable after a failed fsync: " + *sync_error_);
  batching_ = true;
}

void LogWriter::WritePending() {
  if (pending_.empty()) return;
  const std::uint64_t before = written_.load(std::memory_order_relaxed);
  try {
    file_->Append(pending_);
  } catch (const IOError& e) {
    pending_.clear();
    batching_ = false;  // later Appends take the checked path and throw
    std::string why = std::string(e.what()) + " (writing a batch of lines already applied)";
    try {
      file_->Truncate(before);
    } catch (const IOError& e2) {
      why += std::string("; then could not cut the partial batch: ") + e2.what();
    }
    std::lock_guard<std::mutex> l(mu_);
    broken_ = why;
    throw;
  }
  written_.store(before + pending_.size(), std::memory_order_release);
  pending_.clear();
  deferred_.store(false, std::memory_order_release);
}

std::uint64_t LogWriter::EndBatch(bool defer) {
  batching_ = false;
  if (defer && policy_ == Sync::Always && !pending_.empty()) {
    deferred_.store(true, std::memory_order_release);
    return written_.load(std::memory_order_relaxed) + pending_.size();
  }
  WritePending();
  if (pending_.capacity() > 4 * kBatchBytes) std::string().swap(pending_);
  return written_.load(std::memory_order_relaxed);
}

std::uint64_t LogWriter::Append(std::string_view line) {
  if (batching_) {  // BeginBatch() checked the sticky errors
    pending_.append(line);
    const std::uint64_t end = written_.load(std::memory_order_relaxed) + pending_.size();
    if (pending_.size() >= kBatchBytes) WritePending();
    return end;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
    if (sync_error_) throw IOError("log is unusable after a failed fsync: " + *sync_error_);
  }
  if (!pending_.empty()) {  // deferred batches go first, in the same write()
    pending_.append(line);
    WritePending();
    return written_.load(std::memory_order_relaxed);
  }
  const std::uint64_t before = written_.load(std::memory_order_relaxed);
  try {
    file_->Append(line);
  } catch (const IOError& e) {
    try {
      file_->Truncate(before);
    } catch (const IOError& e2) {
      std::lock_guard<std::mutex> l(mu_);
      broken_ = std::string(e.what()) + "; then could not cut the partial line: " + e2.what();
    }
    throw;
  }
  const std::uint64_t end = before + line.size();
  written_.store(end, std::memory_order_release);
  return end;
}

void LogWriter::SyncTo(std::uint64_t offset) {
  std::unique_lock<std::mutex> l(mu_);
  while (synced_ < offset) {
    if (sync_error_) throw IOError("fsync of log.aof failed: " + *sync_error_);
    // Lines past the end that a broken writer never wrote cannot become durable.
    if (offset > written_.load(std::memory_order_acquire)) {
      if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
      // Buffered lines: only WritePending(), under the caller's
      // serialization, writes them; no fsync would ever cover them.
      throw std::logic_error("LogWriter::SyncTo past the written end (write buffered lines first)");
    }
    if (syncing_) {
      cv_.wait(l);
      continue;
    }
    syncing_ = true;
    const std::uint64_t target = written_.load(std::memory_order_acquire);
    l.unlock();
    std::optional<std::string> err;
    try {
      file_->Sync();
    } catch (const IOError& e) {
      err = e.what();
    }
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
    l.lock();
    syncing_ = false;
    if (err) {
      // After a failed fsync the kernel may have dropped the dirty pages:
      // nothing written since the last good fsync can be trusted.
      sync_error_ = *err;
    } else if (target > synced_) {
      synced_ = target;
    }
    cv_.notify_all();
  }
}

void LogWriter::Flush() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
  }
  SyncTo(written_.load(std::memory_order_acquire));
}

void LogWriter::EverySecLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    cv_.wait_for(l, std::chrono::seconds(1), [this] { return stop_; });
    if (stop_ || sync_error_) break;
    const std::uint64_t target = written_.load(std::memory_order_acquire);
    if (target <= synced_) continue;
    l.unlock();
    try {
      SyncTo(target);
    } catch (const IOError&) {
      // sticky: the next write or flush reports it
    }
    l.lock();
  }
}

void LogWriter::Close() {
  bool broken = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!file_ || stop_) return;
    stop_ = true;
    broken = broken_.has_value();
  }
  cv_.notify_all();
  if (everysec_.joinable()) everysec_.join();
  std::optional<std::string> err;
  try {
    if (!broken) Flush();
  } catch (const IOError& e) {
    err = e.what();
  }
  try {
    file_->Close();
  } catch (const IOError& e) {
    if (!err) err = e.what();
  }
  if (err) throw IOError(*err);
}

}  // namespace nedb
