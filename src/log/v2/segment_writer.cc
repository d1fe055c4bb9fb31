// SPDX-License-Identifier: Apache-2.0
#include "log/v2/segment_writer.h"

#include "log/v2/frame.h"
#include "nedb/errors.h"

namespace nedb::logv2 {
namespace {

// A buffer that grew past this (a big batch) is given back after its write.
constexpr std::size_t kKeepBufferBytes = 4u << 20;

}  // namespace

SegmentWriter::SegmentWriter(Env* env, std::string dir, SegmentWriterOptions opts)
    : env_(env), dir_(std::move(dir)), opts_(opts) {}

SegmentWriter::~SegmentWriter() {
  try {
    if (file_ && !broken_) Close();
  } catch (...) {
    // Destructors do not throw; Close() reports errors to callers that ask.
  }
}

std::unique_ptr<SegmentWriter> SegmentWriter::Create(Env* env, const std::string& dir,
                                                     std::uint64_t first_seq,
                                                     SegmentWriterOptions opts) {
  env->CreateDir(dir);
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(env, dir, opts));
  w->StartSegment(1, first_seq);
  return w;
}

std::unique_ptr<SegmentWriter> SegmentWriter::Open(Env* env, const SegmentReader& scanned,
                                                   SegmentWriterOptions opts) {
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(env, scanned.dir(), opts));
  const std::uint32_t last = scanned.last_segment();
  if (last == 0 || (scanned.torn_tail() && scanned.torn_tail()->offset == 0)) {
    if (last != 0) env->RemoveFile(scanned.SegmentPath(last));  // its header is torn
    env->CreateDir(scanned.dir());
    w->StartSegment(last == 0 ? 1 : last, scanned.next_seq());
    return w;
  }
  const std::string path = scanned.SegmentPath(last);
  w->file_ = env->NewAppendableFile(path);
  if (scanned.torn_tail()) {
    w->file_->Truncate(scanned.last_segment_end());
    w->file_->Sync();
  }
  w->number_ = last;
  w->file_size_ = scanned.last_segment_end();
  // Only whether it holds any record matters (a full segment is never left empty).
  w->records_in_segment_ = w->file_size_ > kSegmentHeaderBytes ? 1 : 0;
  w->next_seq_ = w->written_seq_ = scanned.next_seq();
  return w;
}

void SegmentWriter::CheckUsable() const {
  if (broken_) throw IOError("log segments are unusable after an earlier error: " + *broken_);
  if (!file_) throw IOError("log segment writer is closed");
}

void SegmentWriter::Break(const std::string& why) {
  broken_ = why;
  throw IOError(why);
}

SegmentWriter::SyncPoint SegmentWriter::sync_point() const {
  std::lock_guard<std::mutex> l(sync_mu_);
  return {file_, written_seq_};
}

void SegmentWriter::SetWritten(std::uint64_t seq) {
  std::lock_guard<std::mutex> l(sync_mu_);
  written_seq_ = seq;
}

// REQUIRES: every record before first_seq is durable (an old segment, if
// any, was fsynced), so that sync_point() may name the new file alone.
//
// A segment file is never Close()d explicitly: a group-commit leader may
// still be fsyncing it, so the last shared_ptr released (the writer's or a
// leader's) closes it (the file's destructor). It was fsynced first, so an
// error of close() would say nothing about its bytes.
void SegmentWriter::StartSegment(std::uint32_t number, std::uint64_t first_seq) {
  const std::string path = dir_ + "/" + SegmentFileName(number);
  std::shared_ptr<WritableFile> file;
  try {
    // Appendable (O_APPEND): after a cut-back Truncate the next append lands
    // at the new end. A file of this name is never there: a torn one was
    // removed by Open().
    if (env_->FileExists(path)) throw IOError("segment exists already: " + path);
    file = env_->NewAppendableFile(path);
    file->Append(EncodeSegmentHeader({number, first_seq}));
    env_->SyncDir(dir_);
  } catch (const IOError& e) {
    {
      std::lock_guard<std::mutex> l(sync_mu_);
      file_.reset();
    }
    Break(std::string("starting segment ") + path + ": " + e.what());
  }
  {
    std::lock_guard<std::mutex> l(sync_mu_);
    file_.swap(file);  // file: the old segment, if any, released on return
    written_seq_ = first_seq;
  }
  number_ = number;
  file_size_ = kSegmentHeaderBytes;
  records_in_segment_ = 0;
  next_seq_ = first_seq;
}

RecordLocation SegmentWriter::Add(const OpRecord& rec) {
  CheckUsable();
  if (rec.seq != next_seq_) {
    throw InvalidArgument("log record has seq " + std::to_string(rec.seq) + ", expected " +
                          std::to_string(next_seq_));
  }
  scratch_.clear();
  AppendFramedRecord(rec, &scratch_);
  if (records_in_segment_ > 0 &&
      file_size_ + pending_.size() + scratch_.size() > opts_.segment_bytes) {
    Sync();
    StartSegment(number_ + 1, next_seq_);
  }
  const RecordLocation loc{number_, file_size_ + pending_.size(), scratch_.size()};
  pending_.append(scratch_);
  records_in_segment_++;
  next_seq_++;
  return loc;
}

void SegmentWriter::Write() {
  CheckUsable();
  if (pending_.empty()) return;
  try {
    file_->Append(pending_);
  } catch (const IOError& e) {
    const std::uint64_t dropped = next_seq_ - written_seq_;
    records_in_segment_ -= dropped;
    next_seq_ = written_seq_;
    pending_.clear();
    try {
      file_->Truncate(file_size_);
    } catch (const IOError& e2) {
      Break(std::string(e.what()) + "; then could not cut the partial write: " + e2.what());
    }
    throw;
  }
  file_size_ += pending_.size();
  SetWritten(next_seq_);
  pending_.clear();
  if (pending_.capacity() > kKeepBufferBytes) std::string().swap(pending_);
}

void SegmentWriter::Sync() {
  Write();
  try {
    file_->Sync();
  } catch (const IOError& e) {
    sync_failed_ = true;
    Break(std::string("fsync of a log segment failed: ") + e.what());
  }
}

void SegmentWriter::Close() {
  Sync();
  std::lock_guard<std::mutex> l(sync_mu_);
  file_.reset();
}

}  // namespace nedb::logv2
