// SPDX-License-Identifier: Apache-2.0
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI (RFC 3720)
// and ext4: initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Uses the SSE4.2
// crc32 instruction when the CPU has it (checked once at run time), a table
// otherwise; both give the same value for every input.
#ifndef NEDB_UTIL_CRC32C_H_
#define NEDB_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nedb {

// The CRC32C of data[0, n). Extend(Crc32c(a), b) == Crc32c(a + b).
std::uint32_t Crc32c(const void* data, std::size_t n);
inline std::uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }
// Continues crc (a finished Crc32c value) over more bytes.
std::uint32_t Crc32cExtend(std::uint32_t crc, const void* data, std::size_t n);

// The two implementations, for tests and benchmarks.
std::uint32_t Crc32cExtendPortable(std::uint32_t crc, const void* data, std::size_t n);
// REQUIRES: Crc32cHardwareAvailable().
std::uint32_t Crc32cExtendHardware(std::uint32_t crc, const void* data, std::size_t n);
bool Crc32cHardwareAvailable();

}  // namespace nedb

#endif  // NEDB_UTIL_CRC32C_H_
