// SPDX-License-Identifier: Apache-2.0
// The commands of issue 13 item 6: FLUSHALL HSCAN SSCAN GETRANGE SETRANGE
// LTRIM LREM MSETNX GETEX TOUCH TIME. Every expected reply is what
// redis-server 7.0.15 answers (nedbd's order of unordered replies aside).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "nedb/redis_compat.h"
#include "reply_builders.h"

namespace nedb {
namespace {

using namespace std::string_literals;
using namespace nedb::test;  // R, Bulk, Int, Arr, Err, Queued

R Bulks(const std::vector<std::string>& v) {
  std::vector<R> out;
  for (const std::string& s : v) out.push_back(Bulk(s));
  return R::Array(std::move(out));
}
R Scan(const std::vector<std::string>& items) { return R::Array({Bulk("0"), Bulks(items)}); }

const R kWrongType = Err("WRONGTYPE Operation against a key holding the wrong kind of value");
const R kNotInt = Err("ERR value is not an integer or out of range");
const R kSyntax = Err("ERR syntax error");

class RedisMoreCommandsTest : public ::testing::Test {
 protected:
  R X(std::vector<std::string> argv) { return r_.execute(argv); }
  std::uint64_t ListItems() {
    auto c = db_.stats().collections;
    return c.count("kv_items") ? c["kv_items"] : 0;
  }
  NEDB db_;
  RedisCompat r_{db_};
};

TEST_F(RedisMoreCommandsTest, GetRange) {
  X({"SET", "s", "Hello World"});
  EXPECT_EQ(X({"GETRANGE", "s", "0", "4"}), Bulk("Hello"));
  EXPECT_EQ(X({"GETRANGE", "s", "-5", "-1"}), Bulk("World"));
  EXPECT_EQ(X({"GETRANGE", "s", "-1", "-5"}), Bulk(""));
  EXPECT_EQ(X({"GETRANGE", "s", "5", "100"}), Bulk(" World"));
  EXPECT_EQ(X({"GETRANGE", "s", "100", "200"}), Bulk(""));
  EXPECT_EQ(X({"GETRANGE", "s", "-100", "0"}), Bulk("H"));
  EXPECT_EQ(X({"GETRANGE", "nokey", "0", "1"}), Bulk(""));
  EXPECT_EQ(X({"GETRANGE", "s", "a", "1"}), kNotInt);
  X({"SET", "n", "12345"});
  EXPECT_EQ(X({"GETRANGE", "n", "1", "2"}), Bulk("23"));
  X({"RPUSH", "l", "a"});
  EXPECT_EQ(X({"GETRANGE", "l", "0", "1"}), kWrongType);
  EXPECT_EQ(X({"GETRANGE", "s", "0"}), Err("ERR wrong number of arguments for 'getrange' command"));
}

TEST_F(RedisMoreCommandsTest, SetRange) {
  X({"SET", "s", "Hello World"});
  EXPECT_EQ(X({"EXPIRE", "s", "100"}), Int(1));
  EXPECT_EQ(X({"SETRANGE", "s", "6", "Redis"}), Int(11));
  EXPECT_EQ(X({"GET", "s"}), Bulk("Hello Redis"));
  EXPECT_EQ(X({"TTL", "s"}), Int(100));  // modified in place: the TTL stays
  EXPECT_EQ(X({"SETRANGE", "nk", "3", "ab"}), Int(5));
  EXPECT_EQ(X({"GET", "nk"}), Bulk("\0\0\0ab"s));
  EXPECT_EQ(X({"SETRANGE", "nk2", "0", ""}), Int(0));
  EXPECT_EQ(X({"EXISTS", "nk2"}), Int(0));
  EXPECT_EQ(X({"SETRANGE", "s", "-1", "x"}), Err("ERR offset is out of range"));
  EXPECT_EQ(X({"SETRANGE", "s", "0", ""}), Int(11));
  EXPECT_EQ(X({"SETRANGE", "s", "x", "y"}), kNotInt);
  // Past NEDB's document limit: refused before anything is built.
  EXPECT_EQ(X({"SETRANGE", "s", "9223372036854775807", "x"}).str().substr(0, 39),
            "ERR string exceeds maximum allowed size");
  EXPECT_EQ(X({"SETRANGE", "s", "16777216", "x"}).str().substr(0, 39),
            "ERR string exceeds maximum allowed size");
  X({"SADD", "set", "a"});
  EXPECT_EQ(X({"SETRANGE", "set", "0", ""}), kWrongType);
}

TEST_F(RedisMoreCommandsTest, LRemAndLTrim) {
  EXPECT_EQ(X({"RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"}), Int(7));
  EXPECT_EQ(X({"LREM", "l", "2", "a"}), Int(2));
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"b", "c", "b", "c", "a"}));
  EXPECT_EQ(X({"LREM", "l", "-1", "c"}), Int(1));
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"b", "c", "b", "a"}));
  EXPECT_EQ(X({"LREM", "l", "0", "b"}), Int(2));
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"c", "a"}));
  EXPECT_EQ(ListItems(), 2u);  // removed elements' documents are gone
  EXPECT_EQ(X({"LREM", "l", "0", "zz"}), Int(0));
  EXPECT_EQ(X({"LREM", "nokey", "0", "a"}), Int(0));
  EXPECT_EQ(X({"LREM", "l", "x", "a"}), kNotInt);
  EXPECT_EQ(X({"LPUSH", "l", "z"}), Int(3));  // pushes after a removal stay in order
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"z", "c", "a"}));
  EXPECT_EQ(X({"LTRIM", "l", "1", "-1"}), R::Ok());
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"c", "a"}));
  EXPECT_EQ(X({"RPUSH", "l", "d"}), Int(3));
  EXPECT_EQ(X({"LTRIM", "l", "0", "-2"}), R::Ok());
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Bulks({"c", "a"}));
  EXPECT_EQ(X({"LINDEX", "l", "-1"}), Bulk("a"));
  EXPECT_EQ(ListItems(), 2u);
  EXPECT_EQ(X({"LTRIM", "l", "5", "10"}), R::Ok());
  EXPECT_EQ(X({"EXISTS", "l"}), Int(0));
  EXPECT_EQ(ListItems(), 0u);
  EXPECT_EQ(X({"LREM", "l2", "-9223372036854775808", "a"}), Int(0));
  X({"RPUSH", "l2", "a", "b", "a"});
  EXPECT_EQ(X({"LREM", "l2", "-9223372036854775808", "a"}), Int(2));
  EXPECT_EQ(X({"LREM", "l2", "1", "b"}), Int(1));
  EXPECT_EQ(X({"EXISTS", "l2"}), Int(0));  // emptied: the key goes
  X({"SET", "s", "x"});
  EXPECT_EQ(X({"LTRIM", "s", "0", "1"}), kWrongType);
  EXPECT_EQ(X({"LREM", "s", "0", "x"}), kWrongType);
  EXPECT_EQ(X({"LTRIM", "nokey", "x", "1"}), kNotInt);
  EXPECT_EQ(X({"LTRIM", "nokey", "0", "1"}), R::Ok());
}

TEST_F(RedisMoreCommandsTest, MSetNx) {
  EXPECT_EQ(X({"MSETNX", "a", "1", "b", "2"}), Int(1));
  EXPECT_EQ(X({"MSETNX", "b", "3", "c", "4"}), Int(0));
  EXPECT_EQ(X({"GET", "c"}), R::Nil());
  EXPECT_EQ(X({"GET", "b"}), Bulk("2"));
  EXPECT_EQ(X({"MSETNX", "a"}), Err("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_EQ(X({"MSETNX", "c", "1", "d"}),
            Err("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_EQ(X({"MSETNX", "x", "1", "x", "2"}), Int(1));
  EXPECT_EQ(X({"GET", "x"}), Bulk("2"));
  X({"HSET", "h", "f", "v"});
  EXPECT_EQ(X({"MSETNX", "h", "1"}), Int(0));  // any type counts as existing
}

TEST_F(RedisMoreCommandsTest, GetEx) {
  X({"SET", "g", "v"});
  EXPECT_EQ(X({"GETEX", "g"}), Bulk("v"));
  EXPECT_EQ(X({"TTL", "g"}), Int(-1));
  EXPECT_EQ(X({"GETEX", "g", "EX", "100"}), Bulk("v"));
  EXPECT_EQ(X({"TTL", "g"}), Int(100));
  EXPECT_EQ(X({"GETEX", "g", "PX", "200000", "PX", "300000"}), Bulk("v"));
  EXPECT_EQ(X({"TTL", "g"}), Int(300));
  EXPECT_EQ(X({"GETEX", "g", "PERSIST"}), Bulk("v"));
  EXPECT_EQ(X({"TTL", "g"}), Int(-1));
  EXPECT_EQ(X({"GETEX", "nokey", "EX", "abc"}), R::Nil());
  EXPECT_EQ(X({"GETEX", "g", "EX", "abc"}), kNotInt);
  EXPECT_EQ(X({"GETEX", "g", "FOO"}), kSyntax);
  EXPECT_EQ(X({"GETEX", "nokey", "FOO"}), kSyntax);
  EXPECT_EQ(X({"GETEX", "g", "EX", "10", "PERSIST"}), kSyntax);
  EXPECT_EQ(X({"GETEX", "g", "NX"}), kSyntax);
  EXPECT_EQ(X({"GETEX", "g", "EX", "0"}), Err("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(X({"GETEX", "g", "EX", "9223372036854775"}),
            Err("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(X({"GETEX", "g", "PXAT", "1"}), Bulk("v"));
  EXPECT_EQ(X({"EXISTS", "g"}), Int(0));
  X({"LPUSH", "l", "a"});
  EXPECT_EQ(X({"GETEX", "l"}), kWrongType);
}

TEST_F(RedisMoreCommandsTest, TouchAndTime) {
  X({"SET", "a", "1"});
  X({"SADD", "b", "x"});
  EXPECT_EQ(X({"TOUCH", "a", "b", "nokey", "a"}), Int(3));
  const R t = X({"TIME"});
  ASSERT_EQ(t.elements().size(), 2u);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  EXPECT_NEAR(std::stoll(t.elements()[0].str()), now, 2);
  EXPECT_LT(std::stoll(t.elements()[1].str()), 1000000);
  EXPECT_EQ(X({"TIME", "x"}), Err("ERR wrong number of arguments for 'time' command"));
}

TEST_F(RedisMoreCommandsTest, HScanAndSScan) {
  X({"HSET", "h", "f1", "v1", "f2", "v2", "x", "3"});
  EXPECT_EQ(X({"HSCAN", "h", "0"}), Scan({"f1", "v1", "f2", "v2", "x", "3"}));
  EXPECT_EQ(X({"HSCAN", "h", "0", "MATCH", "f*", "COUNT", "1"}), Scan({"f1", "v1", "f2", "v2"}));
  EXPECT_EQ(X({"HSCAN", "nokey", "0", "COUNT", "0"}), Scan({}));
  EXPECT_EQ(X({"HSCAN", "h", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(X({"HSCAN", "h", "0", "COUNT", "x"}), kNotInt);
  EXPECT_EQ(X({"HSCAN", "h", "0", "MATCH"}), kSyntax);
  EXPECT_EQ(X({"HSCAN", "h", "abc"}), Err("ERR invalid cursor"));
  EXPECT_EQ(X({"HSCAN", "h", "0", "TYPE", "string"}), kSyntax);
  X({"SET", "s", "x"});
  EXPECT_EQ(X({"HSCAN", "s", "0"}), kWrongType);
  X({"SADD", "st", "a", "b", "c", "1"});
  EXPECT_EQ(X({"SSCAN", "st", "0"}), Scan({"1", "a", "b", "c"}));
  EXPECT_EQ(X({"SSCAN", "st", "0", "MATCH", "[ab]"}), Scan({"a", "b"}));
  EXPECT_EQ(X({"SSCAN", "st", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(X({"SSCAN", "nokey", "0", "COUNT", "x"}), Scan({}));
  EXPECT_EQ(X({"SSCAN", "s", "0"}), kWrongType);
  EXPECT_EQ(X({"SSCAN", "st"}), Err("ERR wrong number of arguments for 'sscan' command"));
}

TEST_F(RedisMoreCommandsTest, FlushAllEmbedded) {
  X({"SET", "a", "1"});
  X({"RPUSH", "l", "x", "y"});
  EXPECT_EQ(X({"FLUSHALL", "x"}), kSyntax);
  EXPECT_EQ(X({"FLUSHALL", "ASYNC"}), R::Ok());
  EXPECT_EQ(X({"DBSIZE"}), Int(0));
  EXPECT_EQ(ListItems(), 0u);
  // In a transaction it runs at EXEC, command by command.
  X({"SET", "a", "1"});
  X({"MULTI"});
  X({"FLUSHALL"});
  X({"SET", "b", "2"});
  EXPECT_EQ(X({"EXEC"}), R::Array({R::Ok(), R::Ok()}));
  EXPECT_EQ(X({"KEYS", "*"}), Bulks({"b"}));
}

// FLUSHALL empties every database the options name, one after another.
TEST(RedisFlushAllTest, EveryDatabase) {
  std::map<std::string, std::shared_ptr<NEDB>> dbs = {{"main", std::make_shared<NEDB>()},
                                                      {"other", std::make_shared<NEDB>()}};
  RedisOptions o;
  o.database = "main";
  o.open_database = [&](const std::string& name) { return dbs.at(name); };
  o.database_names = [&] { return std::vector<std::string>{"main", "other"}; };
  RedisCompat r(dbs["main"], o);
  r.execute({"SET", "a", "1"});
  r.execute({"SELECT", "other"});
  r.execute({"SADD", "b", "x"});
  EXPECT_EQ(r.execute({"DBSIZE"}), Int(1));
  EXPECT_EQ(r.execute({"FLUSHALL"}), R::Ok());
  EXPECT_EQ(r.execute({"DBSIZE"}), Int(0));
  r.execute({"SELECT", "0"});
  EXPECT_EQ(r.execute({"DBSIZE"}), Int(0));
  EXPECT_EQ(RedisCompat::IsWriteCommand("flushall"), true);
}

TEST_F(RedisMoreCommandsTest, ListedByCommand) {
  for (const char* name : {"flushall", "hscan", "sscan", "getrange", "setrange", "ltrim", "lrem",
                           "msetnx", "getex", "touch", "time"}) {
    const R info = X({"COMMAND", "INFO", name});
    ASSERT_EQ(info.elements().size(), 1u);
    ASSERT_EQ(info.elements()[0].type(), R::Type::kArray) << name;
    EXPECT_EQ(info.elements()[0].elements()[0], Bulk(name));
  }
}

}  // namespace
}  // namespace nedb
