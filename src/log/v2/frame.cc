// SPDX-License-Identifier: Apache-2.0
#include "log/v2/frame.h"

#include "log/v2/record_codec.h"
#include "log/v2/varint.h"
#include "nedb/errors.h"
#include "util/crc32c.h"

namespace nedb::logv2 {
namespace {

// Fills in the header of the frame whose record is out[start + 8, end).
void SealFrame(std::string* out, std::size_t start) {
  const std::size_t len = out->size() - start - kFrameHeaderBytes;
  if (len == 0 || len > kMaxRecordBytes) {
    out->resize(start);
    throw InvalidArgument("log record of " + std::to_string(len) + " bytes: over the limit");
  }
  char* h = out->data() + start;
  EncodeFixed32(h, static_cast<std::uint32_t>(len));
  EncodeFixed32(h + 4, Crc32cExtend(Crc32c(h, 4), h + kFrameHeaderBytes, len));
}

}  // namespace

void AppendFrame(std::string_view record, std::string* out) {
  const std::size_t start = out->size();
  out->append(kFrameHeaderBytes, '\0');
  out->append(record);
  SealFrame(out, start);
}

void AppendFramedRecord(const OpRecord& rec, std::string* out) {
  const std::size_t start = out->size();
  out->append(kFrameHeaderBytes, '\0');
  try {
    EncodeRecord(rec, out);
  } catch (...) {
    out->resize(start);
    throw;
  }
  SealFrame(out, start);
}

const char* FrameStatusName(FrameStatus s) {
  switch (s) {
    case FrameStatus::kOk: return "ok";
    case FrameStatus::kTruncated: return "truncated frame";
    case FrameStatus::kBadLength: return "bad frame length";
    case FrameStatus::kBadCrc: return "CRC32C mismatch";
  }
  return "?";
}

FrameStatus ReadFrame(std::string_view buf, std::string_view* record, std::uint32_t* length) {
  *length = buf.size() >= 4 ? DecodeFixed32(buf.data()) : 0;
  if (buf.size() < kFrameHeaderBytes) return FrameStatus::kTruncated;
  const std::uint32_t len = *length;
  if (len == 0 || len > kMaxRecordBytes) return FrameStatus::kBadLength;
  if (buf.size() - kFrameHeaderBytes < len) return FrameStatus::kTruncated;
  const std::uint32_t crc = DecodeFixed32(buf.data() + 4);
  if (Crc32cExtend(Crc32c(buf.data(), 4), buf.data() + kFrameHeaderBytes, len) != crc) {
    return FrameStatus::kBadCrc;
  }
  *record = buf.substr(kFrameHeaderBytes, len);
  return FrameStatus::kOk;
}

}  // namespace nedb::logv2
