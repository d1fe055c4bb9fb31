// SPDX-License-Identifier: Apache-2.0
// Data directory names (docs/FORMAT.md) and log format v1 (log.aof, read only
// to upgrade it; docs/FORMAT-v1.md). On disk, all of it: never change one.
#ifndef NEDB_LOG_LOG_FORMAT_H_
#define NEDB_LOG_LOG_FORMAT_H_

#include <cstddef>
#include <string_view>

#include "util/blake2b.h"

namespace nedb::logfmt {

inline constexpr std::string_view kLogFile = "log.aof";
inline constexpr std::string_view kMetaFile = "meta.json";
inline constexpr std::string_view kLockFile = "LOCK";

// Genesis payload: identifies the format and its version.
inline constexpr std::string_view kFormatName = "nedb-aof";
inline constexpr std::uint64_t kFormatVersion = 1;
inline constexpr std::string_view kGenesisClient = "nedb";

// Every line ends with this suffix: ,"hash":"<128 hex>"}\n. The hash covers
// the line's bytes before kHashKey.
inline constexpr std::string_view kHashKey = ",\"hash\":\"";
inline constexpr std::string_view kLineEnd = "\"}";
inline constexpr std::size_t kSuffixBytes = kHashKey.size() + kDigestHexChars + kLineEnd.size();

// prev of the genesis op: 128 zeros.
inline constexpr std::string_view kZeroHash =
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000";

// Limits checked on write and on read.
inline constexpr std::size_t kMaxLineBytes = 64u << 20;
inline constexpr std::size_t kMaxDocBytes = 16u << 20;

}  // namespace nedb::logfmt

#endif  // NEDB_LOG_LOG_FORMAT_H_
