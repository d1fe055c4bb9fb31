// SPDX-License-Identifier: Apache-2.0
// Regression tests for differences from redis-server 7.0 found by the RESP
// differential (issue 13, item 3): each reply here is what redis-server
// 7.0.15 answers.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "nedb/redis_compat.h"
#include "reply_builders.h"

namespace nedb {
namespace {

using namespace std::string_literals;
using namespace nedb::test;  // R, Bulk, Int, Arr, Err, Queued

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RedisParityTest : public ::testing::Test {
 protected:
  R X(std::vector<std::string> argv) { return r_.execute(argv); }
  NEDB db_;
  RedisCompat r_{db_};
};

// The overflow check adds the current time, as Redis's does.
TEST_F(RedisParityTest, ExpireOverflowCountsTheCurrentTime) {
  auto invalid = [](const std::string& cmd) {
    return Err("ERR invalid expire time in '" + cmd + "' command");
  };
  X({"SET", "k", "v"});
  EXPECT_EQ(X({"PEXPIRE", "k", "9223372036854775807"}), invalid("pexpire"));
  EXPECT_EQ(X({"EXPIRE", "k", "9223372036854775"}), invalid("expire"));
  EXPECT_EQ(X({"EXPIRE", "k", "-9223372036854775808"}), invalid("expire"));
  EXPECT_EQ(X({"EXPIREAT", "k", "9223372036854775807"}), invalid("expireat"));
  EXPECT_EQ(X({"SETEX", "k", "9223372036854775", "v"}), invalid("setex"));
  EXPECT_EQ(X({"PSETEX", "k", "9223372036854775807", "v"}), invalid("psetex"));
  EXPECT_EQ(X({"SET", "k", "v", "EX", "9223372036854775"}), invalid("set"));
  EXPECT_EQ(X({"SET", "k", "v", "PX", "9223372036854775807"}), invalid("set"));
  EXPECT_EQ(X({"TTL", "k"}), Int(-1));  // nothing above changed k
  // Absolute times are not added to the clock: accepted.
  EXPECT_EQ(X({"EXPIREAT", "k", "9223372036854775"}), Int(1));
  EXPECT_EQ(X({"PEXPIREAT", "k", "9223372036854775807"}), Int(1));
  EXPECT_EQ(X({"SET", "k", "v", "PXAT", "9223372036854775807"}), R::Ok());
  EXPECT_EQ(X({"SET", "k", "v", "EXAT", "9223372036854775"}), R::Ok());
  // A huge negative relative time is in the past: the key goes.
  EXPECT_EQ(X({"PEXPIRE", "k", "-9223372036854775808"}), Int(1));
  EXPECT_EQ(X({"EXISTS", "k"}), Int(0));
  // Options are checked before the number.
  X({"SET", "k", "v"});
  EXPECT_EQ(X({"EXPIRE", "k", "abc", "FOO"}), Err("ERR Unsupported option FOO"));
}

// Expiry times are whole milliseconds, kept exactly however far away.
TEST_F(RedisParityTest, PttlIsExactForFarExpiries) {
  for (const std::int64_t at :
       {INT64_MAX, (std::int64_t{1} << 62) - 1, std::int64_t{4102444800123}}) {
    X({"SET", "k", "v"});
    const std::int64_t before = NowMs();
    ASSERT_EQ(X({"PEXPIREAT", "k", std::to_string(at)}), Int(1));
    const std::int64_t pttl = X({"PTTL", "k"}).integer();
    const std::int64_t after = NowMs();
    EXPECT_LE(pttl, at - before) << at;
    EXPECT_GE(pttl, at - after) << at;
  }
  const std::int64_t before = NowMs();
  X({"SET", "k", "v", "PXAT", "9223372036854775807"});
  X({"APPEND", "k", "w"});  // keeps the TTL, to the millisecond
  const std::int64_t pttl = X({"PTTL", "k"}).integer();
  EXPECT_LE(pttl, INT64_MAX - before);
  EXPECT_GE(pttl, INT64_MAX - NowMs());
  EXPECT_EQ(X({"EXPIRE", "k", "9223372036854"}), Int(1));
  EXPECT_EQ(X({"TTL", "k"}), Int(9223372036854));
  // The engine still sees the expiry in seconds (its sweep reads it).
  X({"PEXPIREAT", "k", "4102444800123"});
  EXPECT_DOUBLE_EQ(db_.get("kv", "k")->at("_expires_at").get<double>(), 4102444800.123);
}

// A repeated expire option: the last one counts (Redis's parser allows it).
TEST_F(RedisParityTest, SetRepeatedOptions) {
  EXPECT_EQ(X({"SET", "k", "v", "EX", "100", "EX", "200"}), R::Ok());
  EXPECT_EQ(X({"TTL", "k"}), Int(200));
  EXPECT_EQ(X({"SET", "k", "v", "PX", "100", "PX", "300000"}), R::Ok());
  EXPECT_EQ(X({"TTL", "k"}), Int(300));
  EXPECT_EQ(X({"SET", "k", "v", "EX", "100", "PX", "200"}), Err("ERR syntax error"));
  EXPECT_EQ(X({"SET", "k", "v", "NX", "NX"}), R::Nil());
  EXPECT_EQ(X({"SET", "k", "w", "GET", "GET"}), Bulk("v"));
  EXPECT_EQ(X({"SET", "k", "w", "KEEPTTL", "KEEPTTL"}), R::Ok());
  EXPECT_EQ(X({"SET", "k", "w", "KEEPTTL", "EX", "5"}), Err("ERR syntax error"));
}

// LINDEX looks the key up before it parses the index.
TEST_F(RedisParityTest, LindexOfMissingKeyIsNil) {
  EXPECT_EQ(X({"LINDEX", "nokey", "abc"}), R::Nil());
  X({"RPUSH", "l", "a"});
  EXPECT_EQ(X({"LINDEX", "l", "abc"}), Err("ERR value is not an integer or out of range"));
  X({"SET", "s", "a"});
  EXPECT_EQ(X({"LINDEX", "s", "abc"}),
            Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

// SCAN's cursor is read as strtoul reads it.
TEST_F(RedisParityTest, ScanCursor) {
  X({"SET", "k", "v"});
  const R all = Arr({Bulk("0"), Arr({Bulk("k")})});
  EXPECT_EQ(X({"SCAN", ""}), all);
  EXPECT_EQ(X({"SCAN", "00"}), all);
  EXPECT_EQ(X({"SCAN", "+0"}), all);
  EXPECT_EQ(X({"SCAN", "-1"}).elements()[0], Bulk("0"));
  EXPECT_EQ(X({"SCAN", "18446744073709551615"}).type(), R::Type::kArray);
  for (const char* bad : {"abc", " 1", "1 ", "+", "-", "18446744073709551616", "0x10"}) {
    EXPECT_EQ(X({"SCAN", bad}), Err("ERR invalid cursor")) << bad;
  }
}

// HELLO and AUTH are queued inside MULTI like any other command.
TEST_F(RedisParityTest, HelloAndAuthAreQueued) {
  X({"MULTI"});
  EXPECT_EQ(X({"HELLO", "2"}), Queued());
  EXPECT_EQ(X({"AUTH", "pw"}), Queued());
  const R r = X({"EXEC"});
  ASSERT_EQ(r.elements().size(), 2u);
  EXPECT_EQ(r.elements()[0].elements()[0], Bulk("server"));
  EXPECT_EQ(r.elements()[1].str().substr(0, 8), "ERR AUTH");
}

// CONFIG GET answers an exact name as it was asked, a pattern with the
// parameter's own name; each parameter once.
TEST_F(RedisParityTest, ConfigGetNames) {
  EXPECT_EQ(X({"CONFIG", "GET", "DATABASES"}), Arr({Bulk("DATABASES"), Bulk("16")}));
  EXPECT_EQ(X({"CONFIG", "GET", "DaTa*"}), Arr({Bulk("databases"), Bulk("16")}));
  EXPECT_EQ(X({"CONFIG", "GET", "save", "SAVE", "s*e"}), Arr({Bulk("save"), Bulk("")}));
  EXPECT_EQ(X({"CONFIG", "GET", "bogus"}), Arr({}));
}

// A bad subcommand is refused when queued, so EXEC aborts (as Redis does).
TEST_F(RedisParityTest, BadSubcommandAbortsExec) {
  struct Case {
    std::vector<std::string> cmd;
    std::string error;
  } cases[] = {
      {{"CLIENT", "BOGUS"}, "ERR unknown subcommand 'BOGUS'. Try CLIENT HELP."},
      {{"CLIENT", "GETNAME", "x"}, "ERR wrong number of arguments for 'client|getname' command"},
      {{"CONFIG", "GET"}, "ERR wrong number of arguments for 'config|get' command"},
      {{"CONFIG", "BOGUS"}, "ERR unknown subcommand 'BOGUS'. Try CONFIG HELP."},
      {{"COMMAND", "BOGUS"}, "ERR unknown subcommand 'BOGUS'. Try COMMAND HELP."},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(X(c.cmd), Err(c.error));  // outside MULTI: the same error
    X({"MULTI"});
    EXPECT_EQ(X({"SET", "a", "1"}), Queued());
    EXPECT_EQ(X(c.cmd), Err(c.error));
    EXPECT_EQ(X({"EXEC"}), Err("EXECABORT Transaction discarded because of previous errors."));
    EXPECT_EQ(X({"EXISTS", "a"}), Int(0));
  }
  // A bad argument of a known subcommand fails at EXEC only.
  X({"MULTI"});
  EXPECT_EQ(X({"CLIENT", "SETNAME", "a b"}), Queued());
  EXPECT_EQ(X({"EXEC"}),
            Arr({Err("ERR Client names cannot contain spaces, newlines or special characters.")}));
}

// Inline commands keep the bytes after a NUL.
TEST(RespParityTest, InlineKeepsBytesAfterNul) {
  RespParser p;
  p.Feed("SET k a\0b\r\nGET \"x\0y\"\r\n"s);
  std::vector<std::string> argv;
  ASSERT_EQ(p.Next(&argv), RespParser::Status::kCommand);
  EXPECT_EQ(argv, (std::vector<std::string>{"SET", "k", "a\0b"s}));
  ASSERT_EQ(p.Next(&argv), RespParser::Status::kCommand);
  EXPECT_EQ(argv, (std::vector<std::string>{"GET", "x\0y"s}));
  NEDB db;
  RedisCompat r(db);
  r.execute({"SET", "k", "a\0b"s});
  EXPECT_EQ(r.execute({"GET", "k"}), Bulk("a\0b"s));
}

}  // namespace
}  // namespace nedb
