// SPDX-License-Identifier: Apache-2.0
// Checks on caller input. Each throws InvalidArgument with a message naming
// the argument and what is wrong with it.
#ifndef NEDB_DB_VALIDATE_H_
#define NEDB_DB_VALIDATE_H_

#include <string_view>

#include "nedb/options.h"

namespace nedb {

inline constexpr std::size_t kMaxNameBytes = 128;  // collections, relations, fields
inline constexpr std::size_t kMaxIdBytes = 1024;   // document ids
inline constexpr std::size_t kMaxClientBytes = 256;
inline constexpr std::size_t kMaxIdemBytes = 1024;

// [A-Za-z_][A-Za-z0-9_]*, at most kMaxNameBytes: what NQL can name.
bool IsIdentifier(std::string_view s);
bool IsValidUtf8(std::string_view s);

void ValidateCollection(std::string_view coll);
// Non-empty UTF-8 without NUL bytes, at most kMaxIdBytes.
void ValidateId(std::string_view id);
// "collection:id" with a valid collection and id.
void ValidateNodeKey(std::string_view key, std::string_view what);
void ValidateRelation(std::string_view rel);
void ValidateWriteOptions(const WriteOptions& o);

}  // namespace nedb

#endif  // NEDB_DB_VALIDATE_H_
