// SPDX-License-Identifier: Apache-2.0
// Embedded RedisCompat: every command group, Redis's replies and errors,
// key mapping (NQL sees the data), binary keys and values, TTL, MULTI,
// AUTH, and the RESP parser.
#include "nedb/redis_compat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "redis/keymap.h"
#include "reply_builders.h"

namespace nedb {
namespace {

using namespace std::string_literals;
using namespace nedb::test;  // R, Bulk, Int, Arr, Err, Queued

class RedisTest : public ::testing::Test {
 protected:
  R X(std::vector<std::string> argv) { return r_.execute(argv); }
  NEDB db_;
  RedisCompat r_{db_};
};

TEST_F(RedisTest, ReferenceExamples) {
  EXPECT_EQ(X({"SET", "k", "hello"}), R::Ok());
  EXPECT_EQ(X({"GET", "k"}), Bulk("hello"));
  EXPECT_EQ(X({"INCR", "counter"}), Int(1));
  EXPECT_EQ(X({"MSET", "a", "1", "b", "2"}), R::Ok());
  EXPECT_EQ(X({"HSET", "user:1", "name", "Ada", "age", "31"}), Int(2));
  EXPECT_EQ(X({"HGET", "user:1", "name"}), Bulk("Ada"));
  EXPECT_EQ(X({"HGETALL", "user:1"}), Arr({Bulk("age"), Bulk("31"), Bulk("name"), Bulk("Ada")}));
  EXPECT_EQ(X({"SADD", "tags", "python", "rust"}), Int(2));
  EXPECT_EQ(X({"SMEMBERS", "tags"}), Arr({Bulk("python"), Bulk("rust")}));
  EXPECT_EQ(X({"SISMEMBER", "tags", "rust"}), Int(1));
  EXPECT_EQ(X({"RPUSH", "q", "a", "b", "c"}), Int(3));
  EXPECT_EQ(X({"LRANGE", "q", "0", "-1"}), Arr({Bulk("a"), Bulk("b"), Bulk("c")}));
  EXPECT_EQ(X({"LPOP", "q"}), Bulk("a"));
  EXPECT_EQ(X({"EXPIRE", "k", "60"}), Int(1));
  EXPECT_EQ(X({"TTL", "k"}), Int(60));
}

TEST_F(RedisTest, HashIsQueryableWithNql) {
  X({"HSET", "user:1", "name", "Ada", "age", "31"});
  X({"HSET", "user:2", "name", "Bo", "age", "25"});
  auto rows = db_.query(R"(FROM user WHERE age > 30)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["_id"], "1");
  EXPECT_EQ(rows[0]["name"], "Ada");
  EXPECT_EQ(rows[0]["age"], 31);
  // EVAL runs NQL and returns rows as JSON strings.
  R e = X({"EVAL", R"(FROM user WHERE name = "Bo")", "0"});
  ASSERT_EQ(e.elements().size(), 1u);
  auto row = nlohmann::json::parse(e.elements()[0].str());
  EXPECT_EQ(row["_id"], "2");
  EXPECT_EQ(X({"EVAL", "FROM", "0"}).type(), R::Type::kError);
  EXPECT_EQ(X({"EVAL", "FROM user", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(X({"EVAL", "FROM user", "2", "k"}),
            Err("ERR Number of keys can't be greater than number of args"));
  // A document written by another front end reads as a hash.
  db_.put("user", "9", {{"name", "Cy"}, {"age", 40}, {"tags", {"a"}}});
  EXPECT_EQ(X({"TYPE", "user:9"}), R::Simple("hash"));
  EXPECT_EQ(X({"HGET", "user:9", "age"}), Bulk("40"));
  EXPECT_EQ(X({"HGET", "user:9", "tags"}), Bulk(R"(["a"])"));
}

TEST_F(RedisTest, Strings) {
  EXPECT_EQ(X({"GET", "nope"}), R::Nil());
  EXPECT_EQ(X({"SET", "k", "v", "NX"}), R::Ok());
  EXPECT_EQ(X({"SET", "k", "w", "NX"}), R::Nil());
  EXPECT_EQ(X({"SET", "k", "w", "XX", "GET"}), Bulk("v"));
  EXPECT_EQ(X({"SET", "missing", "w", "XX"}), R::Nil());
  EXPECT_EQ(X({"SET", "k", "v", "NX", "XX"}), Err("ERR syntax error"));
  EXPECT_EQ(X({"SET", "k", "v", "EX", "0"}), Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(X({"SET", "k", "v", "EX", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(X({"SET", "k", "v", "EX", "100"}), R::Ok());
  EXPECT_EQ(X({"SET", "k", "v2", "KEEPTTL"}), R::Ok());
  EXPECT_GT(X({"PTTL", "k"}).integer(), 90000);
  EXPECT_EQ(X({"SET", "k", "v3"}), R::Ok());
  EXPECT_EQ(X({"TTL", "k"}), Int(-1));
  EXPECT_EQ(X({"APPEND", "k", "xx"}), Int(4));
  EXPECT_EQ(X({"STRLEN", "k"}), Int(4));
  EXPECT_EQ(X({"GETDEL", "k"}), Bulk("v3xx"));
  EXPECT_EQ(X({"EXISTS", "k", "k"}), Int(0));
  EXPECT_EQ(X({"SETNX", "n", "10"}), Int(1));
  EXPECT_EQ(X({"SETNX", "n", "11"}), Int(0));
  EXPECT_EQ(X({"INCRBY", "n", "5"}), Int(15));
  EXPECT_EQ(X({"DECR", "n"}), Int(14));
  EXPECT_EQ(X({"DECRBY", "n", "20"}), Int(-6));
  EXPECT_EQ(X({"SET", "big", "9223372036854775807"}), R::Ok());
  EXPECT_EQ(X({"INCR", "big"}), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(X({"SET", "s", "abc"}), R::Ok());
  EXPECT_EQ(X({"INCR", "s"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(X({"MGET", "s", "nope", "n"}), Arr({Bulk("abc"), R::Nil(), Bulk("-6")}));
  EXPECT_EQ(X({"MSET", "a"}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(X({"MSET", "a", "1", "b"}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(X({"GET"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(X({"RENAME", "s", "t"}), R::Ok());
  EXPECT_EQ(X({"GET", "t"}), Bulk("abc"));
  EXPECT_EQ(X({"RENAME", "s", "t"}), Err("ERR no such key"));
  EXPECT_EQ(X({"TYPE", "t"}), R::Simple("string"));
  EXPECT_EQ(X({"TYPE", "s"}), R::Simple("none"));
  EXPECT_EQ(X({"DEL", "t", "n", "zz"}), Int(2));
  // Leading zeros and "+1" stay strings, and round-trip exactly.
  for (std::string v : {"007", "+1", "-0", "1.50", "", "99999999999999999999"}) {
    EXPECT_EQ(X({"SET", "v", v}), R::Ok());
    EXPECT_EQ(X({"GET", "v"}), Bulk(v)) << v;
  }
}

TEST_F(RedisTest, KeysDbsizeFlush) {
  X({"SET", "a", "1"});
  X({"SET", "user:7", "x"});
  X({"HSET", "h", "f", "v"});
  X({"RPUSH", "l", "1", "2"});
  X({"SADD", "s", "m"});
  R keys = X({"KEYS", "*"});
  std::vector<std::string> got;
  for (const R& k : keys.elements()) got.push_back(k.str());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"a", "h", "l", "s", "user:7"}));
  EXPECT_EQ(X({"KEYS", "u*"}), Arr({Bulk("user:7")}));
  EXPECT_EQ(X({"KEYS", "[a-h]"}).elements().size(), 2u);
  EXPECT_EQ(X({"DBSIZE"}), Int(5));
  EXPECT_EQ(X({"FLUSHDB"}), R::Ok());
  EXPECT_EQ(X({"DBSIZE"}), Int(0));
  EXPECT_EQ(X({"KEYS", "*"}), Arr({}));
}

TEST_F(RedisTest, Hashes) {
  EXPECT_EQ(X({"HSET", "h", "a", "1"}), Int(1));
  EXPECT_EQ(X({"HSET", "h", "a", "2", "b", "3"}), Int(1));
  EXPECT_EQ(X({"HSET", "h", "a"}), Err("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(X({"HMSET", "h", "c", "4"}), R::Ok());
  EXPECT_EQ(X({"HSETNX", "h", "c", "5"}), Int(0));
  EXPECT_EQ(X({"HSETNX", "h", "d", "5"}), Int(1));
  EXPECT_EQ(X({"HMGET", "h", "a", "zz", "d"}), Arr({Bulk("2"), R::Nil(), Bulk("5")}));
  EXPECT_EQ(X({"HLEN", "h"}), Int(4));
  EXPECT_EQ(X({"HKEYS", "h"}), Arr({Bulk("a"), Bulk("b"), Bulk("c"), Bulk("d")}));
  EXPECT_EQ(X({"HVALS", "h"}), Arr({Bulk("2"), Bulk("3"), Bulk("4"), Bulk("5")}));
  EXPECT_EQ(X({"HEXISTS", "h", "a"}), Int(1));
  EXPECT_EQ(X({"HINCRBY", "h", "a", "10"}), Int(12));
  EXPECT_EQ(X({"HSET", "h", "s", "x"}), Int(1));
  EXPECT_EQ(X({"HINCRBY", "h", "s", "1"}), Err("ERR hash value is not an integer"));
  EXPECT_EQ(X({"HDEL", "h", "a", "b", "zz"}), Int(2));
  EXPECT_EQ(X({"HDEL", "h", "c", "d", "s"}), Int(3));
  EXPECT_EQ(X({"EXISTS", "h"}), Int(0));  // emptied hash is gone
  EXPECT_EQ(X({"HGETALL", "h"}), Arr({}));
  // Fields that cannot be document fields still work.
  EXPECT_EQ(X({"HSET", "h", "_id", "x", "_rtype", "y", std::string("\xff\x00", 2), "z"}), Int(3));
  EXPECT_EQ(X({"HGET", "h", "_id"}), Bulk("x"));
  EXPECT_EQ(X({"HGET", "h", std::string("\xff\x00", 2)}), Bulk("z"));
  EXPECT_EQ(X({"HLEN", "h"}), Int(3));
  EXPECT_EQ(X({"TYPE", "h"}), R::Simple("hash"));
}

TEST_F(RedisTest, Sets) {
  EXPECT_EQ(X({"SADD", "s", "b", "a", "a"}), Int(2));
  EXPECT_EQ(X({"SADD", "s", "a"}), Int(0));
  EXPECT_EQ(X({"SCARD", "s"}), Int(2));
  EXPECT_EQ(X({"SADD", "t", "b", "c"}), Int(2));
  EXPECT_EQ(X({"SUNION", "s", "t"}), Arr({Bulk("a"), Bulk("b"), Bulk("c")}));
  EXPECT_EQ(X({"SINTER", "s", "t"}), Arr({Bulk("b")}));
  EXPECT_EQ(X({"SDIFF", "s", "t"}), Arr({Bulk("a")}));
  EXPECT_EQ(X({"SINTER", "s", "nope"}), Arr({}));
  EXPECT_EQ(X({"SREM", "s", "a", "zz"}), Int(1));
  EXPECT_EQ(X({"SISMEMBER", "s", "a"}), Int(0));
  EXPECT_EQ(X({"SREM", "s", "b"}), Int(1));
  EXPECT_EQ(X({"EXISTS", "s"}), Int(0));
  X({"SET", "str", "x"});
  EXPECT_EQ(X({"SADD", "str", "a"}),
            Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(X({"SUNION", "t", "str"}),
            Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST_F(RedisTest, Lists) {
  EXPECT_EQ(X({"LPUSH", "l", "a", "b"}), Int(2));
  EXPECT_EQ(X({"RPUSH", "l", "c"}), Int(3));
  EXPECT_EQ(X({"LRANGE", "l", "0", "-1"}), Arr({Bulk("b"), Bulk("a"), Bulk("c")}));
  EXPECT_EQ(X({"LRANGE", "l", "-2", "100"}), Arr({Bulk("a"), Bulk("c")}));
  EXPECT_EQ(X({"LRANGE", "l", "5", "10"}), Arr({}));
  EXPECT_EQ(X({"LRANGE", "l", "-100", "0"}), Arr({Bulk("b")}));
  EXPECT_EQ(X({"LINDEX", "l", "-1"}), Bulk("c"));
  EXPECT_EQ(X({"LINDEX", "l", "3"}), R::Nil());
  EXPECT_EQ(X({"LSET", "l", "-1", "C"}), R::Ok());
  EXPECT_EQ(X({"LSET", "l", "3", "C"}), Err("ERR index out of range"));
  EXPECT_EQ(X({"LSET", "nope", "0", "C"}), Err("ERR no such key"));
  EXPECT_EQ(X({"LLEN", "l"}), Int(3));
  EXPECT_EQ(X({"RPOP", "l"}), Bulk("C"));
  EXPECT_EQ(X({"LPOP", "l", "5"}), Arr({Bulk("b"), Bulk("a")}));
  EXPECT_EQ(X({"EXISTS", "l"}), Int(0));
  EXPECT_EQ(X({"LPOP", "l"}), R::Nil());
  EXPECT_EQ(X({"LPOP", "l", "2"}), R::NilArray());
  EXPECT_EQ(X({"LPOP", "l", "-1"}), Err("ERR value is out of range, must be positive"));
  X({"RPUSH", "l", "x"});
  EXPECT_EQ(X({"LPOP", "l", "0"}), Arr({}));
  EXPECT_EQ(X({"GET", "l"}),
            Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  // Overwriting a list with SET drops its elements.
  EXPECT_EQ(X({"SET", "l", "v"}), R::Ok());
  EXPECT_EQ(db_.query("FROM kv_items").size(), 0u);
  // RENAME keeps the elements (they are keyed by the list's uid).
  X({"RPUSH", "l2", "1", "2"});
  EXPECT_EQ(X({"RENAME", "l2", "l3"}), R::Ok());
  EXPECT_EQ(X({"LRANGE", "l3", "0", "-1"}), Arr({Bulk("1"), Bulk("2")}));
}

TEST_F(RedisTest, BinaryKeysAndValuesRoundTrip) {
  std::mt19937 rng(7);
  std::vector<std::string> keys = {std::string("a\0b", 3),
                                   "\r\n",
                                   "~x",
                                   "kv:1",
                                   "kv_items:2",
                                   "user:",
                                   ":x",
                                   "\xff\xfe",
                                   "user:\xc3",
                                   "1abc:x",
                                   "é:ü"};
  for (int i = 0; i < 200; ++i) {
    std::string k(1 + rng() % 40, '\0');
    for (char& c : k) c = static_cast<char>(rng());
    keys.push_back(k);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string v(rng() % 50, '\0');
    for (char& c : v) c = static_cast<char>(rng());
    ASSERT_EQ(X({"SET", keys[i], v}), R::Ok());
    ASSERT_EQ(X({"GET", keys[i]}), Bulk(v));
    auto ref = redis::MapKey(keys[i]);
    ASSERT_TRUE(ref);
    ASSERT_EQ(redis::UnmapKey(ref->coll, ref->id), keys[i]);
  }
  std::vector<std::string> got;
  const R all = X({"KEYS", "*"});
  for (const R& k : all.elements()) got.push_back(k.str());
  std::sort(got.begin(), got.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  EXPECT_EQ(got, keys);
  // Binary hash values, set members, list elements.
  const std::string bin("\x00\x01\xff\r\n", 5);
  EXPECT_EQ(X({"HSET", "bh", bin, bin}), Int(1));
  EXPECT_EQ(X({"HGETALL", "bh"}), Arr({Bulk(bin), Bulk(bin)}));
  EXPECT_EQ(X({"SADD", "bs", bin, "x"}), Int(2));
  EXPECT_EQ(X({"SISMEMBER", "bs", bin}), Int(1));
  EXPECT_EQ(X({"RPUSH", "bl", bin}), Int(1));
  EXPECT_EQ(X({"LINDEX", "bl", "0"}), Bulk(bin));
  // Too long for an NEDB id: a clear error.
  EXPECT_EQ(X({"SET", std::string(2000, 'a'), "v"}).type(), R::Type::kError);
}

// The key mapping splits a key only at an identifier prefix, narrower than
// the collection names the engine takes (docs/RESP.md), so no existing key
// changes its document; documents in other collections are not keys.
TEST_F(RedisTest, KeyMappingKeepsIdentifierPrefixes) {
  for (const std::string key : {"user-v2:1", "a b:1", "caf\xC3\xA9:1", "1abc:x"}) {
    auto ref = redis::MapKey(key);
    ASSERT_TRUE(ref) << key;
    EXPECT_EQ(ref->coll, "kv") << key;
    EXPECT_EQ(ref->id, key);
  }
  db_.put("user-v2", "1", {{"_rtype", "string"}, {"value", "doc"}});
  EXPECT_FALSE(redis::UnmapKey("user-v2", "1").has_value());
  EXPECT_EQ(X({"EXISTS", "user-v2:1"}), Int(0));
  EXPECT_EQ(X({"SET", "user-v2:1", "key"}), R::Ok());
  EXPECT_EQ(X({"GET", "user-v2:1"}), Bulk("key"));
  EXPECT_EQ(db_.get("user-v2", "1")->at("value"), "doc");
  EXPECT_EQ(X({"KEYS", "user-v2*"}), Arr({Bulk("user-v2:1")}));
  EXPECT_EQ(X({"FLUSHDB"}), R::Ok());  // empties every collection, whatever its name
  EXPECT_FALSE(db_.get("user-v2", "1").has_value());
  EXPECT_EQ(X({"EXISTS", "user-v2:1"}), Int(0));
}

TEST_F(RedisTest, Ttl) {
  EXPECT_EQ(X({"TTL", "nope"}), Int(-2));
  X({"SET", "k", "v"});
  EXPECT_EQ(X({"TTL", "k"}), Int(-1));
  EXPECT_EQ(X({"EXPIRE", "nope", "10"}), Int(0));
  EXPECT_EQ(X({"EXPIRE", "k", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(X({"PEXPIRE", "k", "100000"}), Int(1));
  EXPECT_EQ(X({"TTL", "k"}), Int(100));
  EXPECT_EQ(X({"EXPIRE", "k", "50", "GT"}), Int(0));
  EXPECT_EQ(X({"EXPIRE", "k", "50", "LT"}), Int(1));
  EXPECT_EQ(X({"PERSIST", "k"}), Int(1));
  EXPECT_EQ(X({"PERSIST", "k"}), Int(0));
  EXPECT_EQ(X({"TTL", "k"}), Int(-1));
  // The engine's TTL: the document carries _expires_at.
  X({"EXPIRE", "k", "30"});
  EXPECT_TRUE(db_.get("kv", "k")->contains("_expires_at"));
  // Modifying commands keep the TTL; EXPIRE <= 0 deletes.
  X({"APPEND", "k", "x"});
  EXPECT_EQ(X({"TTL", "k"}), Int(30));
  EXPECT_EQ(X({"EXPIRE", "k", "-1"}), Int(1));
  EXPECT_EQ(X({"EXISTS", "k"}), Int(0));
  X({"SET", "p", "v", "PX", "50"});
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(X({"GET", "p"}), R::Nil());
}

TEST_F(RedisTest, ServerCommands) {
  EXPECT_EQ(X({"PING"}), R::Simple("PONG"));
  EXPECT_EQ(X({"ping", "hi"}), Bulk("hi"));
  EXPECT_EQ(X({"PING", "a", "b"}), Err("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(X({"ECHO", "x"}), Bulk("x"));
  EXPECT_EQ(X({"FOO", "a", "b"}),
            Err("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
  EXPECT_EQ(X({"SELECT", "0"}), R::Ok());
  EXPECT_EQ(X({"SELECT", "other"}).type(), R::Type::kError);
  EXPECT_EQ(X({"CLIENT", "SETNAME", "app"}), R::Ok());
  EXPECT_EQ(X({"CLIENT", "GETNAME"}), Bulk("app"));
  EXPECT_EQ(X({"CLIENT", "SETNAME", "a b"}),
            Err("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(X({"CLIENT", "SETNAME"}),
            Err("ERR wrong number of arguments for 'client|setname' command"));
  EXPECT_EQ(X({"CLIENT", "FOO"}), Err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
  EXPECT_EQ(X({"HELLO", "3"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(X({"HELLO", "2"}).elements()[1], Bulk("redis"));
  EXPECT_GT(X({"COMMAND", "COUNT"}).integer(), 60);
  EXPECT_EQ(X({"COMMAND", "INFO", "get"}).elements()[0].elements()[1], Int(2));
  EXPECT_EQ(X({"COMMAND", "DOCS", "get"}).elements()[0], Bulk("get"));
  EXPECT_NE(X({"INFO", "server"}).str().find("redis_version:"), std::string::npos);
  EXPECT_EQ(X({"AUTH", "x"}).str().substr(0, 8), "ERR AUTH");
  EXPECT_EQ(X({"QUIT"}), R::Ok());
  EXPECT_TRUE(r_.quit());
}

TEST_F(RedisTest, MultiExec) {
  EXPECT_EQ(X({"EXEC"}), Err("ERR EXEC without MULTI"));
  EXPECT_EQ(X({"DISCARD"}), Err("ERR DISCARD without MULTI"));
  EXPECT_EQ(X({"MULTI"}), R::Ok());
  EXPECT_EQ(X({"SET", "a", "1"}), R::Simple("QUEUED"));
  EXPECT_EQ(X({"INCR", "a"}), R::Simple("QUEUED"));
  EXPECT_EQ(X({"LPUSH", "a", "x"}), R::Simple("QUEUED"));
  const std::uint64_t before = db_.seq();
  R r = X({"EXEC"});
  EXPECT_EQ(r, Arr({R::Ok(), Int(2),
                    Err("WRONGTYPE Operation against a key holding the wrong kind of value")}));
  EXPECT_EQ(db_.seq(), before + 2);
  // A rejected command aborts the transaction.
  X({"MULTI"});
  EXPECT_EQ(X({"INCR"}), Err("ERR wrong number of arguments for 'incr' command"));
  X({"SET", "a", "5"});
  EXPECT_EQ(X({"EXEC"}), Err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(X({"GET", "a"}), Bulk("2"));
  X({"MULTI"});
  X({"SET", "a", "5"});
  EXPECT_EQ(X({"DISCARD"}), R::Ok());
  EXPECT_EQ(X({"GET", "a"}), Bulk("2"));
}

// Concurrent INCRs from many sessions lose no update, and a MULTI's ops
// are consecutive in the log.
TEST_F(RedisTest, ConcurrentSessionsAreAtomic) {
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      RedisCompat r(db_);
      for (int i = 0; i < 200; ++i) {
        r.execute({"INCR", "c"});
        r.execute({"MULTI"});
        r.execute({"RPUSH", "l", "a"});
        r.execute({"RPUSH", "l", "b"});
        r.execute({"EXEC"});
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(X({"GET", "c"}), Bulk("800"));
  R all = X({"LRANGE", "l", "0", "-1"});
  ASSERT_EQ(all.elements().size(), 1600u);
  for (std::size_t i = 0; i < all.elements().size(); i += 2) {
    ASSERT_EQ(all.elements()[i], Bulk("a"));
    ASSERT_EQ(all.elements()[i + 1], Bulk("b"));
  }
}

TEST(RedisAuthTest, TokenGatesCommands) {
  NEDB db;
  RedisCompat r(db, {.token = "s3cret"});
  EXPECT_EQ(r.execute({"GET", "k"}), Err("NOAUTH Authentication required."));
  EXPECT_EQ(r.execute({"PING"}), Err("NOAUTH Authentication required."));
  EXPECT_EQ(r.execute({"HELLO", "2"}).str().substr(0, 6), "NOAUTH");
  EXPECT_EQ(r.execute({"AUTH", "wrong"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(r.execute({"AUTH", "s3cret"}), R::Ok());
  EXPECT_EQ(r.execute({"GET", "k"}), R::Nil());
  RedisCompat r2(db, {.token = "s3cret"});
  EXPECT_EQ(r2.execute({"HELLO", "2", "AUTH", "default", "s3cret"}).type(), R::Type::kArray);
  EXPECT_EQ(r2.execute({"GET", "k"}), R::Nil());
}

TEST(RedisBatchTest, BatchEqualsOneByOne) {
  NEDB a, b;
  RedisCompat ra(a), rb(b);
  std::vector<std::vector<std::string>> cmds = {{"SET", "k", "1"},
                                                {"INCR", "k"},
                                                {"INCR", "k"},
                                                {"GET", "k"},
                                                {"LPUSH", "k", "x"},
                                                {"RPUSH", "l", "a"},
                                                {"RPUSH", "l", "b"},
                                                {"LRANGE", "l", "0", "-1"},
                                                {"MULTI"},
                                                {"SET", "z", "1"},
                                                {"EXEC"},
                                                {"NOPE"},
                                                {"SET", "q", "v", "NX"},
                                                {"SET", "q", "v", "NX"}};
  std::vector<R> batch = ra.execute_batch(cmds);
  ASSERT_EQ(batch.size(), cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) EXPECT_EQ(batch[i], rb.execute(cmds[i])) << i;
}

TEST(RedisBatchTest, DeferredSyncLeavesTheFsyncToTheCaller) {
  const std::string dir = ::testing::TempDir() + "/redis_defer_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  {
    auto db = std::make_shared<NEDB>(dir);  // Sync::Always
    RedisOptions o;
    o.atomic_sync = AtomicSync::kDefer;
    RedisCompat r(db, o);
    const std::uint64_t fsyncs = db->stats().fsyncs;
    EXPECT_EQ(r.execute({"SET", "a", "1"}), R::Ok());
    r.execute_batch({{"SET", "b", "2"}, {"INCR", "a"}, {"GET", "a"}});
    EXPECT_EQ(db->stats().fsyncs, fsyncs);  // nothing synced yet
    std::vector<std::shared_ptr<NEDB>> dbs = r.take_unsynced();
    ASSERT_EQ(dbs.size(), 1u);
    EXPECT_EQ(dbs[0].get(), db.get());
    EXPECT_TRUE(r.take_unsynced().empty());
    dbs[0]->flush();
    EXPECT_EQ(db->stats().fsyncs, fsyncs + 1);
    r.execute({"GET", "a"});  // reads defer nothing
    EXPECT_TRUE(r.take_unsynced().empty());
  }
  NEDB again(dir);
  RedisCompat r(again);
  EXPECT_EQ(r.execute({"GET", "a"}), Bulk("2"));
  std::filesystem::remove_all(dir);
}

TEST(RespTest, ReplyEncoding) {
  EXPECT_EQ(R::Ok().ToResp(), "+OK\r\n");
  EXPECT_EQ(Err("ERR x").ToResp(), "-ERR x\r\n");
  EXPECT_EQ(Int(-3).ToResp(), ":-3\r\n");
  EXPECT_EQ(Bulk(std::string("a\0\r\n", 4)).ToResp(), std::string("$4\r\na\0\r\n\r\n", 10));
  EXPECT_EQ(R::Nil().ToResp(), "$-1\r\n");
  EXPECT_EQ(R::NilArray().ToResp(), "*-1\r\n");
  EXPECT_EQ(Arr({Int(1), Arr({Bulk("x")}), R::Nil()}).ToResp(),
            "*3\r\n:1\r\n*1\r\n$1\r\nx\r\n$-1\r\n");
  EXPECT_EQ(Arr({}).ToResp(), "*0\r\n");
}

std::vector<std::vector<std::string>> ParseAll(const std::string& wire, std::size_t chunk,
                                               std::string* error = nullptr) {
  RespParser p;
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < wire.size(); i += chunk) {
    p.Feed(std::string_view(wire).substr(i, chunk));
    for (;;) {
      auto st = p.Next(&argv);
      if (st == RespParser::Status::kCommand) {
        out.push_back(argv);
      } else if (st == RespParser::Status::kError) {
        if (error) *error = p.error();
        return out;
      } else {
        break;
      }
    }
  }
  return out;
}

TEST(RespTest, ParserPipelinedSplitInline) {
  const std::string wire =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\0\r\n"
      "PING\r\n\r\n  get   \"a b\\x41\\n\" 'c\\'d'\n*0\r\n*1\r\n$0\r\n\r\n"s;
  const std::string& w = wire;
  const std::vector<std::vector<std::string>> want = {
      {"SET", "k", std::string("a\r\nb\0", 5)}, {"PING"}, {"get", "a bA\n", "c'd"}, {""}};
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
    EXPECT_EQ(ParseAll(w, chunk), want) << chunk;
  }
}

TEST(RespTest, ParserErrors) {
  struct Case {
    std::string wire, error;
  } cases[] = {
      {"*x\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n?3\r\n", "Protocol error: expected '$', got '?'"},
      {"*1\r\n$-5\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$99999999999\r\n", "Protocol error: invalid bulk length"},
      {"SET \"a b\r\n", "Protocol error: unbalanced quotes in request"},
      {std::string(70000, 'a'), "Protocol error: too big inline request"},
      {"*1\r\n" + std::string(70000, '$'), "Protocol error: too big bulk count string"},
  };
  for (const Case& c : cases) {
    std::string err;
    ParseAll(c.wire, 4096, &err);
    EXPECT_EQ(err, c.error) << c.wire.substr(0, 20);
  }
}

}  // namespace
}  // namespace nedb
