// SPDX-License-Identifier: Apache-2.0
#include "log/v2/segment_reader.h"

#include <algorithm>

#include "log/v2/frame.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_format.h"
#include "log/v2/varint.h"
#include "nedb/errors.h"

namespace nedb::logv2 {

SegmentReader::SegmentReader(Env* env, std::string dir, ScanOptions opts)
    : env_(env), dir_(std::move(dir)), opts_(opts), next_seq_(opts.first_seq) {
  if (env_->FileExists(dir_)) {
    for (const std::string& name : env_->GetChildren(dir_)) {
      if (std::uint32_t n = ParseSegmentFileName(name)) segments_.push_back(n);
    }
  }
  std::sort(segments_.begin(), segments_.end());
}

SegmentReader::~SegmentReader() = default;

std::string SegmentReader::SegmentPath(std::uint32_t number) const {
  return dir_ + "/" + SegmentFileName(number);
}

void SegmentReader::Corrupt(const std::string& why, std::uint64_t offset) const {
  throw CorruptionError("log segment " + SegmentPath(segments_[index_]) + ": " + why +
                            " at offset " + std::to_string(offset) + " (seq " +
                            std::to_string(next_seq_) + " expected there)",
                        next_seq_, offset);
}

bool SegmentReader::OpenSegment() {
  // A gap in the numbers is found here, where the seq expected is known:
  // named as the segment after the gap, offset 0 (as scripts/verify_log.py).
  if (index_ > 0 && segments_[index_] != segments_[index_ - 1] + 1) {
    Corrupt("segment " + SegmentFileName(segments_[index_ - 1] + 1) + " is missing (" +
                SegmentFileName(segments_[index_]) + " follows " +
                SegmentFileName(segments_[index_ - 1]) + ")",
            0);
  }
  const bool last = index_ + 1 == segments_.size();
  region_ = env_->MapReadOnly(SegmentPath(segments_[index_]));
  const std::string_view bytes(region_->data(), region_->size());
  SegmentHeader h;
  const char* why = nullptr;
  if (!DecodeSegmentHeader(bytes, &h, &why)) {
    // The header is one append made before any record: torn only if no
    // record follows (nothing, or the zeros of a file extended by a crash).
    bool nothing_after = true;
    for (std::size_t i = kSegmentHeaderBytes; i < bytes.size() && nothing_after; i++) {
      nothing_after = bytes[i] == 0;
    }
    if (last && opts_.allow_torn_tail && nothing_after) {
      torn_ = TornTail{SegmentPath(segments_[index_]), 0, bytes.size(), why};
      last_end_ = 0;
      return false;
    }
    Corrupt(why, 0);
  }
  if (h.number != segments_[index_]) Corrupt("header names segment " + std::to_string(h.number), 0);
  if (h.first_seq != next_seq_) {
    Corrupt("header says the segment starts at seq " + std::to_string(h.first_seq), 0);
  }
  pos_ = kSegmentHeaderBytes;
  records_in_segment_ = 0;
  return true;
}

bool SegmentReader::Next(OpRecord* rec, RecordLocation* loc) {
  while (!done_) {
    if (!region_) {
      if (index_ >= segments_.size() || !OpenSegment()) {
        done_ = true;
        break;
      }
    }
    const std::string_view bytes(region_->data(), region_->size());
    if (pos_ == bytes.size()) {  // end of this segment
      const bool last = index_ + 1 == segments_.size();
      if (records_in_segment_ == 0 && !last) Corrupt("a segment before the last is empty", pos_);
      if (last) {
        last_end_ = pos_;
        done_ = true;
        break;
      }
      region_.reset();
      index_++;
      continue;
    }
    std::string_view record;
    std::uint32_t length = 0;
    const FrameStatus st = ReadFrame(bytes.substr(pos_), &record, &length);
    if (st != FrameStatus::kOk) {
      BadFrame(pos_, FrameStatusName(st), length);
      done_ = true;
      break;
    }
    std::string why;
    if (!DecodeRecord(record, rec, &why)) Corrupt("undecodable record (" + why + ")", pos_);
    if (rec->seq != next_seq_) Corrupt("record has seq " + std::to_string(rec->seq), pos_);
    if (opts_.check_digests && !PayloadDigestMatches(*rec))
      Corrupt("payload digest mismatch", pos_);
    if (loc) *loc = {segments_[index_], pos_, kFrameHeaderBytes + record.size()};
    pos_ += kFrameHeaderBytes + record.size();
    records_in_segment_++;
    next_seq_++;
    return true;
  }
  return false;
}

// A frame at q that is valid and holds the record of seq (cheap checks first).
bool SegmentReader::ValidFrameOfSeqAt(std::uint64_t q, std::uint64_t seq) const {
  const std::string_view bytes(region_->data(), region_->size());
  if (q + kFrameHeaderBytes > bytes.size()) return false;
  const std::uint32_t len = DecodeFixed32(bytes.data() + q);
  if (len == 0 || len > bytes.size() - q - kFrameHeaderBytes) return false;
  ByteReader r(bytes.substr(q + kFrameHeaderBytes, len));
  std::uint64_t entry_len, got_seq;
  std::uint8_t kind;
  if (!r.GetVarint(&entry_len) || !r.GetByte(&kind) || kind > kMaxKind || !r.GetVarint(&got_seq) ||
      got_seq != seq) {
    return false;
  }
  std::string_view record;
  std::uint32_t length;
  return ReadFrame(bytes.substr(q), &record, &length) == FrameStatus::kOk;
}

bool SegmentReader::BadFrame(std::uint64_t pos, const char* what, std::uint32_t length) {
  const std::string_view bytes(region_->data(), region_->size());
  const std::uint64_t size = bytes.size();
  const bool last = index_ + 1 == segments_.size();
  if (!opts_.allow_torn_tail) Corrupt(what, pos);
  if (!last) Corrupt(std::string(what) + " in a segment before the last", pos);
  // Where the damaged frame claims to end; what follows must be zeros.
  std::uint64_t end = size;
  if (length > 0 && length <= kMaxRecordBytes) {
    end = std::min<std::uint64_t>(size, pos + kFrameHeaderBytes + length);
  } else if (length == 0) {
    end = std::min<std::uint64_t>(size, pos + kFrameHeaderBytes);
  }
  for (std::uint64_t i = end; i < size; i++) {
    if (bytes[i] != 0) {
      Corrupt(std::string(what) + ", followed by other bytes at offset " + std::to_string(i), pos);
    }
  }
  // A damaged length could hide valid records after it: look for the next seq.
  for (std::uint64_t q = pos + 1; q + kFrameHeaderBytes <= size; q++) {
    if (ValidFrameOfSeqAt(q, next_seq_ + 1)) {
      Corrupt(std::string(what) + ", though a valid record of seq " +
                  std::to_string(next_seq_ + 1) + " follows at offset " + std::to_string(q),
              pos);
    }
  }
  torn_ = TornTail{SegmentPath(segments_[index_]), pos, size - pos, what};
  last_end_ = pos;
  return false;
}

}  // namespace nedb::logv2
