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

namespace nedb::merkle {

Hash HashLeaf(std::string_view entry) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &kLeafPrefix, 1);
  SHA256_Update(&ctx, entry.data(), entry.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

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

void ToHex(const Hash& h, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < kHashBytes; ++i) {
    out[2 * i] = kHex[h[i] >> 4];
    out[2 * i + 1] = kHex[h[i] & 15];
  }
}

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

}  // namespace

bool ParseHex(std::string_view hex, Hash* out) {
  if (hex.size() != kHashHexChars) return false;
  std::uint8_t bad = 0;
  for (std::size_t i = 0; i < kHashBytes; ++i) {
    const std::uint8_t hi = kNibble[static_cast<unsigned char>(hex[2 * i])];
    const std::uint8_t lo = kNibble[static_cast<unsigned char>(hex[2 * i + 1])];
    bad |= static_cast<std::uint8_t>(hi | lo);
    (*out)[i] = static_cast<std::uint8_t>(hi << 4 | (lo & 15));
  }
  return (bad & 0xf0) == 0;
}

}  // namespace nedb::merkle
