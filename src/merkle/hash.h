// SPDX-License-Identifier: Apache-2.0
// The hashes of the RFC 9162 Merkle tree (SHA-256, docs/MERKLE.md): leaves and
// interior nodes are domain-separated by a one-byte prefix, so a leaf can never
// be passed off as a node or the reverse. Never change these prefixes: every
// root and proof ever published depends on them.
#ifndef NEDB_MERKLE_HASH_H_
#define NEDB_MERKLE_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nedb::merkle {

inline constexpr std::size_t kHashBytes = 32;     // SHA-256
inline constexpr std::size_t kHashHexChars = 64;  // lower-case hex
inline constexpr std::uint8_t kLeafPrefix = 0x00;
inline constexpr std::uint8_t kNodePrefix = 0x01;

using Hash = std::array<std::uint8_t, kHashBytes>;

// SHA-256(prefix || a || b): the one SHA-256 of the project (low-level
// OpenSSL calls, see hash.cc), for the tree's hashes and for other
// domain-separated digests (the v2 log's salted payload digest, prefix 0x02).
// Thread-safe.
Hash HashWithPrefix(std::uint8_t prefix, std::string_view a, std::string_view b = {});

// SHA-256(0x00 || entry): the hash of leaf `entry`. Thread-safe.
Hash HashLeaf(std::string_view entry);

// SHA-256(0x01 || left || right): the hash of an interior node. Thread-safe.
Hash HashChildren(const Hash& left, const Hash& right);

// SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1).
const Hash& EmptyRoot();

// Lower-case hex, and back. ParseHex accepts exactly kHashHexChars digits
// 0-9a-f (no upper case, no prefix, no spaces) and returns false otherwise
// (*out is then unspecified).
std::string ToHex(const Hash& h);
void ToHex(const Hash& h, char* out);  // writes kHashHexChars chars
bool ParseHex(std::string_view hex, Hash* out);

}  // namespace nedb::merkle

#endif  // NEDB_MERKLE_HASH_H_
