// SPDX-License-Identifier: Apache-2.0
// Framing of v2 records inside a segment (docs/FORMAT.md, "Frame"):
//
//   length:u32le  crc:u32le  record[length]
//
// crc is the CRC32C of the 4 length bytes followed by the record, so a flip
// of any bit of a frame is detected without parsing the record.
#ifndef NEDB_LOG_V2_FRAME_H_
#define NEDB_LOG_V2_FRAME_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "log/v2/op_record.h"

namespace nedb::logv2 {

inline constexpr std::size_t kFrameHeaderBytes = 8;

// Appends the frame of an already encoded record.
void AppendFrame(std::string_view record, std::string* out);
// Encodes rec (EncodeRecord) straight into a frame appended to *out. Throws
// nedb::InvalidArgument as EncodeRecord does (*out unchanged).
void AppendFramedRecord(const OpRecord& rec, std::string* out);

enum class FrameStatus {
  kOk,
  kTruncated,  // fewer bytes than the header or the length says
  kBadLength,  // length 0 or above kMaxRecordBytes
  kBadCrc,
};
const char* FrameStatusName(FrameStatus s);

// Reads the frame at the start of buf; on kOk *record is its record bytes
// (the frame is kFrameHeaderBytes + record->size() long). *length is the
// length field when at least 4 bytes were there (else 0).
FrameStatus ReadFrame(std::string_view buf, std::string_view* record, std::uint32_t* length);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_FRAME_H_
