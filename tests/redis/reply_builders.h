// SPDX-License-Identifier: Apache-2.0
// Short builders for expected RedisReply values, shared by the embedded
// Redis tests: EXPECT_EQ(X({"GET", "k"}), Bulk("v")).
#ifndef NEDB_TESTS_REDIS_REPLY_BUILDERS_H_
#define NEDB_TESTS_REDIS_REPLY_BUILDERS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nedb/redis_compat.h"

namespace nedb::test {

using R = RedisReply;

inline R Bulk(const std::string& s) { return R::Bulk(s); }
inline R Int(std::int64_t n) { return R::Integer(n); }
inline R Arr(std::vector<R> v) { return R::Array(std::move(v)); }
inline R Err(const std::string& s) { return R::Error(s); }
inline R Queued() { return R::Simple("QUEUED"); }

}  // namespace nedb::test

#endif  // NEDB_TESTS_REDIS_REPLY_BUILDERS_H_
