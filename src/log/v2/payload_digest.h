// SPDX-License-Identifier: Apache-2.0
// The salted payload digest a v2 leaf entry commits to, and the salts.
// SHA-256 is merkle::HashWithPrefix (the project's one SHA-256); the leaf hash
// of an entry is merkle::HashLeaf.
#ifndef NEDB_LOG_V2_PAYLOAD_DIGEST_H_
#define NEDB_LOG_V2_PAYLOAD_DIGEST_H_

#include <string>
#include <string_view>

#include "log/v2/op_record.h"
#include "merkle/hash.h"
#include "util/hex.h"

namespace nedb::logv2 {

// Domain-separation prefix of a payload digest (RFC 9162 uses 0x00 for
// leaves and 0x01 for interior nodes). Written to disk: never change it.
inline constexpr char kPayloadDigestPrefix = 0x02;

// SHA-256(0x02 || salt || payload). REQUIRES: salt.size() == kSaltBytes.
Digest PayloadDigest(std::string_view salt, std::string_view payload);

// kSaltBytes fresh bytes from OpenSSL's CSPRNG (buffered per thread).
// Throws nedb::Error if the generator fails.
void NewSalt(char out[kSaltBytes]);

// Lower-case hex of bytes or of a digest (util/hex.h).
inline std::string ToHex(std::string_view bytes) { return HexEncode(bytes); }
inline std::string ToHex(const Digest& d) { return merkle::ToHex(d); }

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_PAYLOAD_DIGEST_H_
