// SPDX-License-Identifier: Apache-2.0
#include "log/v2/segment_log.h"

#include <chrono>
#include <stdexcept>

#include "log/v2/frame.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_format.h"
#include "nedb/errors.h"
#include "util/crc32c.h"

namespace nedb::logv2 {

SegmentLog::SegmentLog(Env* env, std::unique_ptr<SegmentWriter> w, Sync policy)
    : env_(env),
      w_(std::move(w)),
      dir_(w_->dir()),
      policy_(policy),
      written_seq_(w_->written_seq()),
      synced_seq_(w_->written_seq()) {
  if (policy_ == Sync::EverySec) everysec_ = std::thread([this] { EverySecLoop(); });
}

SegmentLog::~SegmentLog() {
  try {
    Close();
  } catch (...) {
    // Destructors do not throw; Close() reported errors to callers that asked.
  }
}

std::string SegmentLog::SegmentPath(std::uint32_t number) const {
  return dir_ + "/" + SegmentFileName(number);
}

void SegmentLog::CheckUsable() {
  std::lock_guard<std::mutex> l(mu_);
  if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
  if (sync_error_) throw IOError("log is unusable after a failed fsync: " + *sync_error_);
}

// After the writer threw IOError: promised is the seq Append() had told the
// caller the next record gets (every record before it was acted on).
void SegmentLog::AfterWriterError(std::uint64_t promised, const std::string& why) {
  written_seq_.store(w_->written_seq(), std::memory_order_release);  // a segment change writes
  const bool lost = w_->next_seq() < promised;
  if (lost) deferred_.store(false, std::memory_order_release);
  if (!lost && !w_->broken()) return;  // cut back: nothing of this call was appended
  batching_ = false;                   // later Appends take the checked path and throw
  std::lock_guard<std::mutex> l(mu_);
  if (!broken_) broken_ = why + (lost ? " (writing records already applied)" : "");
  if (w_->sync_failed() && !sync_error_) sync_error_ = why;
}

void SegmentLog::BeginBatch() {
  CheckUsable();
  batching_ = true;
}

RecordLocation SegmentLog::Append(const OpRecord& rec) {
  if (!batching_) CheckUsable();  // else BeginBatch() checked the sticky errors
  const std::uint64_t promised = w_->next_seq();
  RecordLocation loc;
  try {
    loc = w_->Add(rec);  // buffered ahead of it: deferred records, or the open batch
    if (!batching_ || w_->buffered_bytes() >= kBatchBytes) w_->Write();
  } catch (const IOError& e) {
    AfterWriterError(promised, e.what());
    throw;
  }
  written_seq_.store(w_->written_seq(), std::memory_order_release);
  if (w_->buffered_bytes() == 0) deferred_.store(false, std::memory_order_release);
  return loc;
}

void SegmentLog::WritePending() {
  if (w_->buffered_bytes() == 0) return;
  const std::uint64_t promised = w_->next_seq();
  try {
    w_->Write();
  } catch (const IOError& e) {
    AfterWriterError(promised, e.what());
    throw;
  }
  written_seq_.store(w_->written_seq(), std::memory_order_release);
  deferred_.store(false, std::memory_order_release);
}

std::uint64_t SegmentLog::EndBatch(bool defer) {
  batching_ = false;
  if (defer && policy_ == Sync::Always && w_->buffered_bytes() > 0) {
    deferred_.store(true, std::memory_order_release);
    return w_->next_seq();
  }
  WritePending();
  return w_->written_seq();
}

void SegmentLog::SyncTo(std::uint64_t end) {
  std::unique_lock<std::mutex> l(mu_);
  while (synced_seq_ < end) {
    if (sync_error_) throw IOError("fsync of the log failed: " + *sync_error_);
    // Records past the end that a broken log never wrote cannot become durable.
    if (end > written_seq_.load(std::memory_order_acquire)) {
      if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
      // Buffered records: only WritePending(), under the caller's
      // serialization, writes them; no fsync would ever cover them.
      throw std::logic_error(
          "SegmentLog::SyncTo past the written end (write buffered records first)");
    }
    if (syncing_) {
      cv_.wait(l);
      continue;
    }
    syncing_ = true;
    l.unlock();
    std::uint64_t target;
    std::optional<std::string> err;
    {
      // Taken after written_seq_ was checked: covers at least up to end.
      const SegmentWriter::SyncPoint point = w_->sync_point();
      target = point.written_seq;
      if (point.file) {
        try {
          point.file->Sync();
        } catch (const IOError& e) {
          err = e.what();
        }
        fsyncs_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    l.lock();
    syncing_ = false;
    if (err) {
      // After a failed fsync the kernel may have dropped the dirty pages:
      // nothing written since the last good fsync can be trusted.
      sync_error_ = *err;
    } else if (target > synced_seq_) {
      synced_seq_ = target;
    }
    cv_.notify_all();
  }
}

void SegmentLog::Flush() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (broken_) throw IOError("log is unusable after an earlier error: " + *broken_);
  }
  SyncTo(written_seq_.load(std::memory_order_acquire));
}

void SegmentLog::EverySecLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    cv_.wait_for(l, std::chrono::seconds(1), [this] { return stop_; });
    if (stop_ || sync_error_) break;
    const std::uint64_t target = written_seq_.load(std::memory_order_acquire);
    if (target <= synced_seq_) continue;
    l.unlock();
    try {
      SyncTo(target);
    } catch (const IOError&) {
      // sticky: the next write or flush reports it
    }
    l.lock();
  }
}

void SegmentLog::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (everysec_.joinable()) everysec_.join();
  std::optional<std::string> err;
  bool broken;
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !syncing_; });
    syncing_ = true;  // no leader from here on: the writer closes its file
    broken = broken_.has_value();
    if (sync_error_) err = "fsync of the log failed: " + *sync_error_;
  }
  if (!broken && !err) {
    const std::uint64_t promised = w_->next_seq();
    try {
      w_->Close();  // writes what is buffered, fsyncs
      fsyncs_.fetch_add(1, std::memory_order_relaxed);
    } catch (const IOError& e) {
      err = e.what();
      AfterWriterError(promised, e.what());
    }
  }
  written_seq_.store(w_->written_seq(), std::memory_order_release);
  std::lock_guard<std::mutex> l(mu_);
  syncing_ = false;
  if (!err && !broken) synced_seq_ = w_->written_seq();
  cv_.notify_all();
  if (err) throw IOError(*err);
}

std::shared_ptr<RandomAccessFile> SegmentLog::SegmentFile(std::uint32_t number) const {
  std::lock_guard<std::mutex> l(files_mu_);
  auto it = files_.find(number);
  if (it != files_.end()) return it->second;
  std::shared_ptr<RandomAccessFile> f = env_->NewRandomAccessFile(SegmentPath(number));
  if (files_.size() >= kOpenSegments) files_.erase(files_.begin());
  files_.emplace(number, f);
  return f;
}

std::string SegmentLog::ReadRecord(const RecordLocation& loc) const {
  const std::string path = SegmentPath(loc.segment);
  auto corrupt = [&](const std::string& why) {
    return CorruptionError(
        "log segment " + path + ": " + why + " at offset " + std::to_string(loc.offset), 0,
        loc.offset);
  };
  if (loc.size <= kFrameHeaderBytes || loc.size > kFrameHeaderBytes + kMaxRecordBytes) {
    throw InvalidArgument("no log record has " + std::to_string(loc.size) + " bytes (" + path +
                          " at offset " + std::to_string(loc.offset) + ")");
  }
  std::string frame(static_cast<std::size_t>(loc.size), '\0');
  const std::size_t got = SegmentFile(loc.segment)->Read(loc.offset, frame.size(), frame.data());
  if (got < frame.size()) {
    throw corrupt("frame cut short (" + std::to_string(got) + " of " + std::to_string(loc.size) +
                  " bytes)");
  }
  std::string_view record;
  std::uint32_t length = 0;
  const FrameStatus st = ReadFrame(frame, &record, &length);
  if (st != FrameStatus::kOk) throw corrupt(FrameStatusName(st));
  if (kFrameHeaderBytes + record.size() != frame.size()) {
    throw corrupt("frame of " + std::to_string(kFrameHeaderBytes + record.size()) +
                  " bytes where the record's location says " + std::to_string(loc.size));
  }
  frame.erase(0, kFrameHeaderBytes);
  return frame;
}

bool SegmentLog::EraseRecord(const RecordLocation& loc, std::uint64_t erase_seq) {
  const std::string record = ReadRecord(loc);
  OpRecord rec;
  std::string why;
  if (!DecodeRecord(record, &rec, &why)) {
    throw CorruptionError("log segment " + SegmentPath(loc.segment) + ": undecodable record (" +
                              why + ") at offset " + std::to_string(loc.offset),
                          0, loc.offset);
  }
  if (!KindHasPayload(rec.kind) || rec.payload.state != PayloadState::kPlain) return false;
  if (erase_seq <= rec.seq) {
    throw InvalidArgument("erase op " + std::to_string(erase_seq) +
                          " cannot erase the later record " + std::to_string(rec.seq));
  }
  std::string erased;
  if (!EraseRecordPayload(record, erase_seq, &erased)) {
    throw std::logic_error("EraseRecordPayload refused a plain payload");
  }
  std::string frame;
  AppendFrame(erased, &frame);
  if (frame.size() != loc.size) throw std::logic_error("an erased record changed its length");
  // The rewrite is journaled first: a rewrite torn by a crash or an I/O
  // error would leave a frame with a bad CRC in the middle of the log; the
  // next open redoes it from the journal (RedoRewrite) before reading.
  const std::string journal = dir_ + "/" + std::string(kRewriteJournal);
  std::string j(kRewriteJournalMagic);
  PutFixed32(&j, loc.segment);
  PutFixed64(&j, loc.offset);
  PutFixed32(&j, static_cast<std::uint32_t>(frame.size()));
  j += frame;
  PutFixed32(&j, Crc32c(j));
  {
    auto f = env_->NewWritableFile(journal + ".tmp");
    f->Append(j);
    f->Sync();
    f->Close();
  }
  env_->RenameFile(journal + ".tmp", journal);
  env_->SyncDir(dir_);
  env_->RewriteFileRange(SegmentPath(loc.segment), loc.offset, frame);
  // Not synced: if the removal is lost, redoing the same rewrite is harmless.
  env_->RemoveFile(journal);
  return true;
}

bool RedoRewrite(Env* env, const std::string& dir,
                 const std::function<void(const std::string&)>& log) {
  const std::string journal = dir + "/" + std::string(kRewriteJournal);
  if (env->FileExists(journal + ".tmp")) env->RemoveFile(journal + ".tmp");  // never renamed
  if (!env->FileExists(journal)) return false;
  const std::unique_ptr<ReadOnlyRegion> r = env->MapReadOnly(journal);
  const std::string_view j(r->data(), r->size());
  constexpr std::size_t kHead = kRewriteJournalMagic.size() + 16;
  bool ok = j.size() >= kHead + 4 &&
            j.substr(0, kRewriteJournalMagic.size()) == kRewriteJournalMagic &&
            DecodeFixed32(j.data() + j.size() - 4) == Crc32c(j.data(), j.size() - 4);
  std::uint32_t segment = 0, len = 0;
  std::uint64_t offset = 0;
  if (ok) {
    const char* p = j.data() + kRewriteJournalMagic.size();
    segment = DecodeFixed32(p);
    offset = DecodeFixed64(p + 4);
    len = DecodeFixed32(p + 12);
    ok = j.size() == kHead + len + 4;
  }
  const std::string seg = dir + "/" + SegmentFileName(segment);
  if (ok) ok = env->FileExists(seg) && offset + len <= env->GetFileSize(seg);
  if (!ok) {
    // It is written under another name and renamed whole: a bad one was
    // damaged after the fact. The segments are then the authority.
    log(journal + ": ignoring a damaged rewrite journal");
  } else {
    env->RewriteFileRange(seg, offset, j.substr(kHead, len));
    log(journal + ": redid the rewrite of " + std::to_string(len) + " bytes at offset " +
        std::to_string(offset) + " of " + seg + " (an erase was interrupted)");
  }
  env->RemoveFile(journal);
  env->SyncDir(dir);
  return ok;
}

}  // namespace nedb::logv2
