// SPDX-License-Identifier: Apache-2.0
#include "log/v2/payload_digest.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>

#include "nedb/errors.h"

namespace nedb::logv2 {
namespace {

// One fetched SHA-256 implementation for the process and one context per
// thread: no allocation or algorithm lookup per hash.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

class Sha256 {
 public:
  Sha256() {
    static thread_local EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ctx_ = ctx;
    if (ctx_ == nullptr || Sha256Md() == nullptr ||
        !EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr)) {
      throw Error("SHA-256 is not available from OpenSSL");
    }
  }
  void Update(const void* p, std::size_t n) { EVP_DigestUpdate(ctx_, p, n); }
  Digest Final() {
    Digest d;
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, d.data(), &n);
    return d;
  }

 private:
  EVP_MD_CTX* ctx_;
};

Digest HashWithPrefix(char prefix, std::string_view a, std::string_view b) {
  Sha256 h;
  h.Update(&prefix, 1);
  h.Update(a.data(), a.size());
  h.Update(b.data(), b.size());
  return h.Final();
}

}  // namespace

Digest PayloadDigest(std::string_view salt, std::string_view payload) {
  return HashWithPrefix(kPayloadDigestPrefix, salt, payload);
}

Digest LeafHash(std::string_view entry) { return HashWithPrefix(0x00, entry, {}); }

void NewSalt(char out[kSaltBytes]) {
  static thread_local unsigned char buf[4096];
  static thread_local std::size_t used = sizeof buf;
  if (used + kSaltBytes > sizeof buf) {
    if (RAND_bytes(buf, sizeof buf) != 1) throw Error("RAND_bytes failed: no salt for a payload");
    used = 0;
  }
  std::memcpy(out, buf + used, kSaltBytes);
  std::memset(buf + used, 0, kSaltBytes);  // a salt is handed out once
  used += kSaltBytes;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); i++) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    s[2 * i] = kHex[b >> 4];
    s[2 * i + 1] = kHex[b & 15];
  }
  return s;
}

}  // namespace nedb::logv2
