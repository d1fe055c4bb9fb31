// SPDX-License-Identifier: Apache-2.0
// Checks on caller input. Each throws InvalidArgument with a message naming
// the argument and what is wrong with it.
#ifndef NEDB_DB_VALIDATE_H_
#define NEDB_DB_VALIDATE_H_

#include <string_view>

#include "nedb/options.h"

namespace nedb {

inline constexpr std::size_t kMaxNameBytes = 128;        // identifiers (field path parts)
inline constexpr std::size_t kMaxCollectionBytes = 256;  // collection and relation names
inline constexpr std::size_t kMaxIdBytes = 1024;         // document ids
inline constexpr std::size_t kMaxClientBytes = 256;
inline constexpr std::size_t kMaxIdemBytes = 1024;

// [A-Za-z_][A-Za-z0-9_]*, at most kMaxNameBytes: what NQL writes bare.
bool IsIdentifier(std::string_view s);
bool IsValidUtf8(std::string_view s);

// The rule for collection and relation names ("a collection is just a
// string"): 1 to 256 bytes of UTF-8 without NUL, control characters
// (U+0000-U+001F, U+007F-U+009F) or ':' (node keys are "collection:id",
// split at the first ':').
inline constexpr std::string_view kNameRule =
    "1 to 256 bytes of UTF-8 without NUL, control characters or ':'";
// What is wrong with name ("is empty", "contains ':'", ...), or nullptr if it
// follows the rule.
const char* NameProblem(std::string_view name);

// Throw InvalidArgument naming the rule unless coll (rel) follows it.
void ValidateCollection(std::string_view coll);
// Non-empty UTF-8 without NUL bytes, at most kMaxIdBytes.
void ValidateId(std::string_view id);
// "collection:id" (split at the first ':') with a valid collection and id.
void ValidateNodeKey(std::string_view key, std::string_view what);
void ValidateRelation(std::string_view rel);
void ValidateWriteOptions(const WriteOptions& o);

}  // namespace nedb

#endif  // NEDB_DB_VALIDATE_H_
