// SPDX-License-Identifier: Apache-2.0
// Lower-case hex of bytes: the one encoder behind every digest's ToHex
// (BLAKE2b in util/blake2b, SHA-256 in merkle/hash, the v2 log's tools).
#ifndef NEDB_UTIL_HEX_H_
#define NEDB_UTIL_HEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nedb {

// Writes 2 * n lower-case hex digits of p[0..n) to out.
inline void HexEncode(const std::uint8_t* p, std::size_t n, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
}

inline std::string HexEncode(std::string_view bytes) {
  std::string s(bytes.size() * 2, '0');
  HexEncode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), s.data());
  return s;
}

}  // namespace nedb

#endif  // NEDB_UTIL_HEX_H_
