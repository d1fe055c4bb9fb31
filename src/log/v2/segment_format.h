// SPDX-License-Identifier: Apache-2.0
// Segment files of log format v2 (docs/FORMAT.md, "Segments"): the log is
// log/00000001.seg, log/00000002.seg, ...; each starts with a 32-byte header
//
//   magic "NEDBSEG\n" | version:u32le (2) | number:u32le | first_seq:u64le |
//   reserved:u32le (0) | crc:u32le (CRC32C of the 28 bytes before it)
//
// followed by frames (frame.h). Every value here is written to disk: never
// change one.
#ifndef NEDB_LOG_V2_SEGMENT_FORMAT_H_
#define NEDB_LOG_V2_SEGMENT_FORMAT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "log/v2/varint.h"
#include "util/crc32c.h"

namespace nedb::logv2 {

inline constexpr std::string_view kLogDir = "log";
inline constexpr std::string_view kSegmentMagic = "NEDBSEG\n";
inline constexpr std::uint32_t kSegmentFormatVersion = 2;
inline constexpr std::size_t kSegmentHeaderBytes = 32;
inline constexpr std::uint64_t kDefaultSegmentBytes = 64u << 20;

struct SegmentHeader {
  std::uint32_t number = 0;
  std::uint64_t first_seq = 0;
};

inline std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string s(kSegmentMagic);
  PutFixed32(&s, kSegmentFormatVersion);
  PutFixed32(&s, h.number);
  PutFixed64(&s, h.first_seq);
  PutFixed32(&s, 0);
  PutFixed32(&s, Crc32c(s));
  return s;
}

// False (with *why) unless bytes start with a valid header.
inline bool DecodeSegmentHeader(std::string_view bytes, SegmentHeader* h, const char** why) {
  if (bytes.size() < kSegmentHeaderBytes) return (*why = "truncated segment header", false);
  if (bytes.substr(0, 8) != kSegmentMagic) return (*why = "not a segment (bad magic)", false);
  if (DecodeFixed32(bytes.data() + 28) != Crc32c(bytes.data(), 28)) {
    return (*why = "segment header CRC32C mismatch", false);
  }
  if (DecodeFixed32(bytes.data() + 8) != kSegmentFormatVersion) {
    return (*why = "unsupported segment format version", false);
  }
  if (DecodeFixed32(bytes.data() + 24) != 0) return (*why = "reserved header bits set", false);
  h->number = DecodeFixed32(bytes.data() + 12);
  h->first_seq = DecodeFixed64(bytes.data() + 16);
  return true;
}

// "00000001.seg" for 1.
inline std::string SegmentFileName(std::uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08u.seg", number);
  return buf;
}

// The number of a segment file name (8 decimal digits, ".seg"); 0 if name is
// not one (numbers start at 1).
inline std::uint32_t ParseSegmentFileName(std::string_view name) {
  if (name.size() != 12 || name.substr(8) != ".seg") return 0;
  std::uint32_t n = 0;
  for (char c : name.substr(0, 8)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return n;
}

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_SEGMENT_FORMAT_H_
