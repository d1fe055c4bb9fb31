// SPDX-License-Identifier: Apache-2.0
// hiredis replies owned by a unique_ptr (the tests that drive nedbd's RESP2
// server with hiredis).
#ifndef NEDB_TESTS_REDIS_HIREDIS_UTIL_H_
#define NEDB_TESTS_REDIS_HIREDIS_UTIL_H_

#include <hiredis/hiredis.h>

#include <memory>

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

#endif  // NEDB_TESTS_REDIS_HIREDIS_UTIL_H_
