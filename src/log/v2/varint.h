// SPDX-License-Identifier: Apache-2.0
// The integer encodings of log format v2 (docs/FORMAT.md, "Encodings"):
// LEB128 varints (minimal: a decoder rejects padded forms, so every value has
// one encoding), zigzag for signed values, little-endian fixed widths.
#ifndef NEDB_LOG_V2_VARINT_H_
#define NEDB_LOG_V2_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace nedb::logv2 {

inline constexpr std::size_t kMaxVarintBytes = 10;

inline void PutVarint(std::string* out, std::uint64_t v) {
  char buf[kMaxVarintBytes];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

inline std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

inline void PutFixed32(std::string* out, std::uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}
inline void EncodeFixed32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutFixed64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}
inline std::uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
         static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}
inline std::uint64_t DecodeFixed64(const char* p) {
  return static_cast<std::uint64_t>(DecodeFixed32(p)) |
         static_cast<std::uint64_t>(DecodeFixed32(p + 4)) << 32;
}

// A bounds-checked reader over bytes. Every Get* returns false (and reads
// nothing past the end) on truncated or non-minimal input.
class ByteReader {
 public:
  explicit ByteReader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const char* pos() const { return p_; }

  bool GetVarint(std::uint64_t* v) {
    std::uint64_t r = 0;
    for (std::size_t i = 0; i < kMaxVarintBytes; i++) {
      if (p_ == end_) return false;
      const auto b = static_cast<unsigned char>(*p_++);
      if (i == 9 && b > 1) return false;  // more than 64 bits
      r |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
      if (!(b & 0x80)) {
        if (b == 0 && i > 0) return false;  // padded: not the minimal form
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool GetByte(std::uint8_t* b) {
    if (p_ == end_) return false;
    *b = static_cast<std::uint8_t>(*p_++);
    return true;
  }
  bool GetBytes(std::size_t n, std::string_view* s) {
    if (remaining() < n) return false;
    *s = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  // A varint length, then that many bytes.
  bool GetString(std::string_view* s) {
    std::uint64_t n;
    return GetVarint(&n) && n <= remaining() && GetBytes(static_cast<std::size_t>(n), s);
  }
  std::string_view Rest() {
    std::string_view s(p_, remaining());
    p_ = end_;
    return s;
  }

 private:
  const char* p_;
  const char* end_;
};

inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_VARINT_H_
