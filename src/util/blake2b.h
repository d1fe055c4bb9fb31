// SPDX-License-Identifier: Apache-2.0
// BLAKE2b-512 (RFC 7693) through libsodium, the hash of the op chain.
#ifndef NEDB_UTIL_BLAKE2B_H_
#define NEDB_UTIL_BLAKE2B_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nedb {

inline constexpr std::size_t kDigestBytes = 64;      // BLAKE2b-512
inline constexpr std::size_t kDigestHexChars = 128;  // lower-case hex
using Digest = std::array<std::uint8_t, kDigestBytes>;

// BLAKE2b-512 of data. Thread-safe.
Digest Blake2b(std::string_view data);

// Lower-case hex of a digest, and back (false on malformed input).
std::string ToHex(const Digest& d);
void ToHex(const Digest& d, char* out);  // writes kDigestHexChars chars
bool FromHex(std::string_view hex, Digest* out);

// True if a == b, in time independent of their contents and lengths: both
// are hashed and the digests compared with sodium_memcmp. For secrets such
// as nedbd's token (HTTP bearer auth and RESP2 AUTH share it).
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace nedb

#endif  // NEDB_UTIL_BLAKE2B_H_
