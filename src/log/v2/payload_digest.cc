// SPDX-License-Identifier: Apache-2.0
#include "log/v2/payload_digest.h"

#include <openssl/rand.h>

#include <cstring>

#include "nedb/errors.h"

namespace nedb::logv2 {

Digest PayloadDigest(std::string_view salt, std::string_view payload) {
  return merkle::HashWithPrefix(static_cast<std::uint8_t>(kPayloadDigestPrefix), salt, payload);
}

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

}  // namespace nedb::logv2
