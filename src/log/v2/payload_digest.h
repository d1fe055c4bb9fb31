// SPDX-License-Identifier: Apache-2.0
// The hashes of log format v2 that the record layer computes itself: the
// salted payload digest a leaf entry commits to, and (for tests and tools)
// the RFC 9162 leaf hash of an entry. SHA-256 through OpenSSL.
#ifndef NEDB_LOG_V2_PAYLOAD_DIGEST_H_
#define NEDB_LOG_V2_PAYLOAD_DIGEST_H_

#include <string>
#include <string_view>

#include "log/v2/op_record.h"

namespace nedb::logv2 {

// Domain-separation prefix of a payload digest (RFC 9162 uses 0x00 for
// leaves and 0x01 for interior nodes). Written to disk: never change it.
inline constexpr char kPayloadDigestPrefix = 0x02;

// SHA-256(0x02 || salt || payload). REQUIRES: salt.size() == kSaltBytes.
Digest PayloadDigest(std::string_view salt, std::string_view payload);

// kSaltBytes fresh bytes from OpenSSL's CSPRNG (buffered per thread).
// Throws nedb::Error if the generator fails.
void NewSalt(char out[kSaltBytes]);

// SHA-256(0x00 || entry): the Merkle leaf hash of an entry (RFC 9162 2.1.1).
Digest LeafHash(std::string_view entry);

// Lower-case hex of bytes.
std::string ToHex(std::string_view bytes);
inline std::string ToHex(const Digest& d) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_PAYLOAD_DIGEST_H_
