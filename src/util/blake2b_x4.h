// SPDX-License-Identifier: Apache-2.0
// BLAKE2b-512 of four inputs at once (AVX2), for hashing many equal-sized
// chunks: the snapshot digest's 1 MiB leaves (docs/FORMAT.md).
#ifndef NEDB_UTIL_BLAKE2B_X4_H_
#define NEDB_UTIL_BLAKE2B_X4_H_

#include <cstddef>
#include <cstdint>

namespace nedb {

// out[i] = Blake2b(in[i], len) for i < 4 (64 bytes each) and true; false,
// writing nothing, when len is not a positive multiple of 128 or the CPU
// has no AVX2 (hash the inputs one at a time with Blake2b()).
bool Blake2bX4(const char* const in[4], std::size_t len, std::uint8_t* const out[4]);

}  // namespace nedb

#endif  // NEDB_UTIL_BLAKE2B_X4_H_
