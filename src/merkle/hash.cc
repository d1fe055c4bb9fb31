// SPDX-License-Identifier: Apache-2.0
// SHA-256 through OpenSSL's low-level SHA256_Init/Update/Final. OpenSSL 3
// marks them deprecated in favour of EVP, but for the 65-byte messages of
// interior nodes the EVP path costs more than the compression itself:
// bench/merkle_bench.cc measures both (BM_Sha256Node_*; docs/MERKLE.md), and
// the low-level calls are what keep VerifyInclusion above its bar. Both use
// the same SHA-NI code when the CPU has it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "merkle/hash.h"

#include <openssl/sha.h>

#include "util/hex.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nedb::merkle {

Hash HashWithPrefix(std::uint8_t prefix, std::string_view a, std::string_view b) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &prefix, 1);
  SHA256_Update(&ctx, a.data(), a.size());
  SHA256_Update(&ctx, b.data(), b.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash HashLeaf(std::string_view entry) { return HashWithPrefix(kLeafPrefix, entry, {}); }

Hash HashChildren(const Hash& left, const Hash& right) {
  std::uint8_t buf[1 + 2 * kHashBytes];
  buf[0] = kNodePrefix;
  __builtin_memcpy(buf + 1, left.data(), kHashBytes);
  __builtin_memcpy(buf + 1 + kHashBytes, right.data(), kHashBytes);
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, buf, sizeof buf);
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

const Hash& EmptyRoot() {
  static const Hash empty = [] {
    Hash h;
    SHA256(nullptr, 0, h.data());
    return h;
  }();
  return empty;
}

void ToHex(const Hash& h, char* out) { HexEncode(h.data(), h.size(), out); }

std::string ToHex(const Hash& h) {
  std::string s(kHashHexChars, '0');
  ToHex(h, s.data());
  return s;
}

namespace {

// 0-15 for '0'-'9' and 'a'-'f', 0xff for every other byte.
constexpr std::array<std::uint8_t, 256> MakeNibbles() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  return t;
}
constexpr std::array<std::uint8_t, 256> kNibble = MakeNibbles();

[[maybe_unused]] bool ParseHexScalar(const char* hex, std::uint8_t* out) {
  std::uint8_t bad = 0;
  for (std::size_t i = 0; i < kHashBytes; ++i) {
    const std::uint8_t hi = kNibble[static_cast<unsigned char>(hex[2 * i])];
    const std::uint8_t lo = kNibble[static_cast<unsigned char>(hex[2 * i + 1])];
    bad |= static_cast<std::uint8_t>(hi | lo);
    out[i] = static_cast<std::uint8_t>(hi << 4 | (lo & 15));
  }
  return (bad & 0xf0) == 0;
}

#if defined(__SSE2__)
// 32 hex digits -> 16 bytes with SSE2 (baseline on x86-64); false if any
// digit is not 0-9a-f. VerifyInclusion parses one hash per tree level, and
// this is ~6x faster than the table loop (bench: BM_VerifyInclusion1M).
bool ParseHex32(const char* hex, std::uint8_t* out) {
  const __m128i zero = _mm_setzero_si128();
  __m128i values[2];
  int valid = 0xffff;
  for (int half = 0; half < 2; ++half) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hex + 16 * half));
    const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));  // 0-9 for digits
    const __m128i a = _mm_sub_epi8(c, _mm_set1_epi8('a'));  // 0-5 for a-f
    // Unsigned x <= k  <=>  saturating x - k == 0.
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_subs_epu8(d, _mm_set1_epi8(9)), zero);
    const __m128i is_letter = _mm_cmpeq_epi8(_mm_subs_epu8(a, _mm_set1_epi8(5)), zero);
    valid &= _mm_movemask_epi8(_mm_or_si128(is_digit, is_letter));
    const __m128i nib = _mm_or_si128(
        _mm_and_si128(is_digit, d), _mm_andnot_si128(is_digit, _mm_add_epi8(a, _mm_set1_epi8(10))));
    // Bytes (hi, lo) pairs as 16-bit lanes lo << 8 | hi -> hi << 4 | lo.
    values[half] = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib, _mm_set1_epi16(0x00ff)), 4),
                                _mm_srli_epi16(nib, 8));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(values[0], values[1]));
  return valid == 0xffff;
}
#endif

}  // namespace

bool ParseHex(std::string_view hex, Hash* out) {
  if (hex.size() != kHashHexChars) return false;
#if defined(__SSE2__)
  const bool first = ParseHex32(hex.data(), out->data());
  const bool second = ParseHex32(hex.data() + 32, out->data() + 16);
  return first && second;
#else
  return ParseHexScalar(hex.data(), out->data());
#endif
}

}  // namespace nedb::merkle
