// SPDX-License-Identifier: Apache-2.0
#include "util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace nedb {
namespace {

constexpr std::uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli

constexpr std::array<std::uint32_t, 256> MakeTable() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; i++) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> kTable = MakeTable();

}  // namespace

std::uint32_t Crc32cExtendPortable(std::uint32_t crc, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
  for (std::size_t i = 0; i < n; i++) c = kTable[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t Crc32cExtendHardware(std::uint32_t crc,
                                                                     const void* data,
                                                                     std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; n--, p++) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}
bool Crc32cHardwareAvailable() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#else
std::uint32_t Crc32cExtendHardware(std::uint32_t crc, const void* data, std::size_t n) {
  return Crc32cExtendPortable(crc, data, n);
}
bool Crc32cHardwareAvailable() { return false; }
#endif

std::uint32_t Crc32cExtend(std::uint32_t crc, const void* data, std::size_t n) {
  return Crc32cHardwareAvailable() ? Crc32cExtendHardware(crc, data, n)
                                   : Crc32cExtendPortable(crc, data, n);
}

std::uint32_t Crc32c(const void* data, std::size_t n) { return Crc32cExtend(0, data, n); }

}  // namespace nedb
