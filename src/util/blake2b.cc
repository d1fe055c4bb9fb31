#include "util/blake2b.h"

#include <openssl/evp.h>

#include "nedb/errors.h"

namespace nedb {
namespace {

// Fetched once: an implicit fetch on every call costs more than the hash.
const EVP_MD* Blake2bMd() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "BLAKE2B-512", nullptr);
    if (m == nullptr) throw Error("OpenSSL has no BLAKE2B-512");
    return m;
  }();
  return md;
}

struct CtxHolder {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~CtxHolder() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Digest Blake2b(std::string_view data) {
  thread_local CtxHolder holder;
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(holder.ctx, Blake2bMd(), nullptr) != 1 ||
      EVP_DigestUpdate(holder.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(holder.ctx, out.data(), &len) != 1 || len != kDigestBytes) {
    throw Error("BLAKE2b digest failed");
  }
  return out;
}

void ToHex(const Digest& d, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
}

std::string ToHex(const Digest& d) {
  std::string s(kDigestHexChars, '0');
  ToHex(d, s.data());
  return s;
}

bool FromHex(std::string_view hex, Digest* out) {
  if (hex.size() != kDigestHexChars) return false;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < kDigestBytes; ++i) {
    int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace nedb
