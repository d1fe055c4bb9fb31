// SPDX-License-Identifier: Apache-2.0
// BLAKE2b-512 of 4 equal-length inputs at once, one per 64-bit lane of AVX2
// registers: the same function as libsodium's crypto_generichash with a
// 64-byte digest and no key (RFC 7693). tests/blake2b_x4_test.cc checks it
// against libsodium.
#include "util/blake2b_x4.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nedb {

namespace {

constexpr std::uint64_t kIV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

#if defined(__x86_64__)
constexpr std::uint8_t kSigma[12][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                         {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
                                         {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
                                         {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
                                         {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
                                         {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
                                         {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
                                         {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
                                         {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
                                         {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
                                         {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                         {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

// len: a positive multiple of 128 (the inputs' last block is a full one).
__attribute__((target("avx2"))) void Blake2bX4Avx2(const char* const in[4], std::size_t len,
                                                   std::uint8_t* const out[4]) {
  const __m256i rot24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4,
                                         5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
  const __m256i rot16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3,
                                         4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
  __m256i h[8];
  for (int i = 0; i < 8; ++i) h[i] = _mm256_set1_epi64x(static_cast<long long>(kIV[i]));
  h[0] = _mm256_xor_si256(h[0], _mm256_set1_epi64x(0x01010040));  // digest 64, no key, fanout 1
  std::uint64_t t = 0;
  for (std::size_t off = 0; off < len; off += 128) {
    t += 128;
    const bool last = off + 128 == len;
    __m256i m[16];
    for (int q = 0; q < 4; ++q) {
      const __m256i r0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[0] + off + 32 * q));
      const __m256i r1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[1] + off + 32 * q));
      const __m256i r2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[2] + off + 32 * q));
      const __m256i r3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[3] + off + 32 * q));
      const __m256i t0 = _mm256_unpacklo_epi64(r0, r1);
      const __m256i t1 = _mm256_unpackhi_epi64(r0, r1);
      const __m256i t2 = _mm256_unpacklo_epi64(r2, r3);
      const __m256i t3 = _mm256_unpackhi_epi64(r2, r3);
      m[4 * q + 0] = _mm256_permute2x128_si256(t0, t2, 0x20);
      m[4 * q + 1] = _mm256_permute2x128_si256(t1, t3, 0x20);
      m[4 * q + 2] = _mm256_permute2x128_si256(t0, t2, 0x31);
      m[4 * q + 3] = _mm256_permute2x128_si256(t1, t3, 0x31);
    }
    __m256i v[16];
    for (int i = 0; i < 8; ++i) v[i] = h[i];
    for (int i = 0; i < 4; ++i) v[8 + i] = _mm256_set1_epi64x(static_cast<long long>(kIV[i]));
    v[12] = _mm256_set1_epi64x(static_cast<long long>(kIV[4] ^ t));
    v[13] = _mm256_set1_epi64x(static_cast<long long>(kIV[5]));  // t < 2^64
    v[14] = _mm256_set1_epi64x(static_cast<long long>(last ? ~kIV[6] : kIV[6]));
    v[15] = _mm256_set1_epi64x(static_cast<long long>(kIV[7]));
    // (A macro, not a lambda: a lambda would not inherit target("avx2").)
#define NEDB_G(a, b, c, d, x, y)                                                        \
  do {                                                                                  \
    v[a] = _mm256_add_epi64(_mm256_add_epi64(v[a], v[b]), x);                           \
    v[d] = _mm256_shuffle_epi32(_mm256_xor_si256(v[d], v[a]), _MM_SHUFFLE(2, 3, 0, 1)); \
    v[c] = _mm256_add_epi64(v[c], v[d]);                                                \
    v[b] = _mm256_shuffle_epi8(_mm256_xor_si256(v[b], v[c]), rot24);                    \
    v[a] = _mm256_add_epi64(_mm256_add_epi64(v[a], v[b]), y);                           \
    v[d] = _mm256_shuffle_epi8(_mm256_xor_si256(v[d], v[a]), rot16);                    \
    v[c] = _mm256_add_epi64(v[c], v[d]);                                                \
    const __m256i x63 = _mm256_xor_si256(v[b], v[c]);                                   \
    v[b] = _mm256_or_si256(_mm256_srli_epi64(x63, 63), _mm256_add_epi64(x63, x63));     \
  } while (0)
    for (int r = 0; r < 12; ++r) {
      const std::uint8_t* s = kSigma[r];
      NEDB_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
      NEDB_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
      NEDB_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
      NEDB_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
      NEDB_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
      NEDB_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
      NEDB_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
      NEDB_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
#undef NEDB_G
    for (int i = 0; i < 8; ++i) h[i] = _mm256_xor_si256(h[i], _mm256_xor_si256(v[i], v[i + 8]));
  }
  alignas(32) std::uint64_t words[8][4];
  for (int i = 0; i < 8; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(words[i]), h[i]);
  for (int lane = 0; lane < 4; ++lane) {
    for (int i = 0; i < 8; ++i) std::memcpy(out[lane] + 8 * i, &words[i][lane], 8);
  }
}

#endif

}  // namespace

bool Blake2bX4(const char* const in[4], std::size_t len, std::uint8_t* const out[4]) {
#if defined(__x86_64__)
  static const bool have_avx2 = __builtin_cpu_supports("avx2");
  if (!have_avx2 || len == 0 || len % 128 != 0) return false;
  Blake2bX4Avx2(in, len, out);
  return true;
#else
  (void)in;
  (void)len;
  (void)out;
  return false;
#endif
}

}  // namespace nedb
