// SPDX-License-Identifier: Apache-2.0
// hiredis (the C client) against the RESP2 server running in this process:
// pipelining, binary keys and values (NUL, CR LF), large values, frames
// split across reads, protocol errors, concurrent clients, and the shared
// registry (what RESP writes, the database's other users see at once).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "db_registry.h"
#include "hiredis_util.h"
#include "resp_server.h"

namespace {

namespace fs = std::filesystem;

class HiredisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nedb-hiredis-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    registry_ =
        std::make_unique<nedbd::DbRegistry>(dir_.string(), nedb::Options{.sync = nedb::Sync::None});
    nedbd::RespServerOptions o;
    o.port = 0;
    o.max_bulk = 32u << 20;
    server_ = std::make_unique<nedbd::RespServer>(io_, *registry_, o);
    server_->Start();
    work_.emplace(boost::asio::make_work_guard(io_));
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    c_ = Connect();
  }

  void TearDown() override {
    redisFree(c_);
    server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
    registry_.reset();
    fs::remove_all(dir_);
  }

  redisContext* Connect() {
    redisContext* c = redisConnect("127.0.0.1", server_->port());
    EXPECT_TRUE(c != nullptr && c->err == 0) << (c ? c->errstr : "null");
    return c;
  }

  Reply Cmd(const std::vector<std::string>& args, redisContext* c = nullptr) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(c ? c : c_, static_cast<int>(args.size()), argv.data(), lens.data())));
  }

  // A raw socket to the server.
  int RawSocket() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_->port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }

  // Reads until the peer closes (or `want` bytes arrived).
  static std::string ReadAll(int fd, std::size_t want = SIZE_MAX) {
    std::string out;
    char buf[4096];
    while (out.size() < want) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<nedbd::DbRegistry> registry_;
  std::unique_ptr<nedbd::RespServer> server_;
  std::vector<std::thread> threads_;
  redisContext* c_ = nullptr;
};

TEST_F(HiredisTest, Pipelining) {
  constexpr int kN = 5000;
  for (int i = 0; i < kN; ++i) {
    const std::string k = "key:" + std::to_string(i), v = "value-" + std::to_string(i);
    ASSERT_EQ(redisAppendCommand(c_, "SET %b %b", k.data(), k.size(), v.data(), v.size()),
              REDIS_OK);
    ASSERT_EQ(redisAppendCommand(c_, "INCR counter"), REDIS_OK);
  }
  for (int i = 0; i < kN; ++i) {
    void* r;
    ASSERT_EQ(redisGetReply(c_, &r), REDIS_OK);
    Reply set(static_cast<redisReply*>(r));
    ASSERT_EQ(set->type, REDIS_REPLY_STATUS);
    ASSERT_STREQ(set->str, "OK");
    ASSERT_EQ(redisGetReply(c_, &r), REDIS_OK);
    Reply incr(static_cast<redisReply*>(r));
    ASSERT_EQ(incr->type, REDIS_REPLY_INTEGER);
    ASSERT_EQ(incr->integer, i + 1);
  }
  Reply r = Cmd({"GET", "key:4321"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), "value-4321");
  EXPECT_EQ(Cmd({"DBSIZE"})->integer, kN + 1);
}

TEST_F(HiredisTest, BinaryKeysAndValues) {
  std::mt19937 rng(42);
  std::vector<std::pair<std::string, std::string>> kvs = {
      {std::string("k\0ey", 4), std::string("v\0al\r\nue", 8)},
      {"\r\n", "\r\n"},
      {std::string("\xff\xfe\x00", 3), std::string(1, '\0')},
      {"user:\r\n", "x"},
      {"plain", ""}};
  for (int i = 0; i < 100; ++i) {
    std::string k(1 + rng() % 64, '\0'), v(rng() % 300, '\0');
    for (char& ch : k) ch = static_cast<char>(rng());
    for (char& ch : v) ch = static_cast<char>(rng());
    kvs.emplace_back(k, v);
  }
  for (const auto& [k, v] : kvs) {
    Reply r = Cmd({"SET", k, v});
    ASSERT_EQ(r->type, REDIS_REPLY_STATUS);
  }
  for (const auto& [k, v] : kvs) {
    Reply r = Cmd({"GET", k});
    ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    ASSERT_EQ(std::string(r->str, r->len), v);
  }
  // Hash fields, set members and list elements with the same bytes.
  const std::string bin("a\0b\r\nc\xff", 7);
  EXPECT_EQ(Cmd({"HSET", bin, bin, bin})->integer, 1);
  Reply h = Cmd({"HGET", bin, bin});
  EXPECT_EQ(std::string(h->str, h->len), bin);
  EXPECT_EQ(Cmd({"RPUSH", "l", bin, bin})->integer, 2);
  Reply l = Cmd({"LRANGE", "l", "0", "-1"});
  ASSERT_EQ(l->elements, 2u);
  EXPECT_EQ(std::string(l->element[1]->str, l->element[1]->len), bin);
  Reply keys = Cmd({"KEYS", "*"});
  EXPECT_EQ(keys->elements, kvs.size() + 2);
}

TEST_F(HiredisTest, LargeValue) {
  std::string big(8u << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  ASSERT_EQ(Cmd({"SET", "big", big})->type, REDIS_REPLY_STATUS);
  Reply r = Cmd({"GET", "big"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_TRUE(std::string(r->str, r->len) == big);
  // Over the limit (32 MiB here): a protocol error, then the connection closes.
  int fd = RawSocket();
  const std::string wire = "*2\r\n$3\r\nGET\r\n$" + std::to_string(33u << 20) + "\r\n";
  ASSERT_EQ(write(fd, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  EXPECT_EQ(ReadAll(fd), "-ERR Protocol error: invalid bulk length\r\n");
  close(fd);
}

TEST_F(HiredisTest, FramesSplitAcrossReads) {
  int fd = RawSocket();
  const std::string wire = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$6\r\nby\r\nte\r\nGET split\r\n";
  for (char ch : wire) {
    ASSERT_EQ(write(fd, &ch, 1), 1);
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  const std::string want = "+OK\r\n$6\r\nby\r\nte\r\n";
  EXPECT_EQ(ReadAll(fd, want.size()), want);
  // Many commands in one write: all replies.
  const std::string many = "PING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\nQUIT\r\nPING\r\n";
  ASSERT_EQ(write(fd, many.data(), many.size()), static_cast<ssize_t>(many.size()));
  EXPECT_EQ(ReadAll(fd), "+PONG\r\n+PONG\r\n$1\r\nx\r\n+OK\r\n");  // closed after QUIT
  close(fd);
}

TEST_F(HiredisTest, ProtocolErrorClosesOnlyThatConnection) {
  int fd = RawSocket();
  const std::string wire = "PING\r\n*1\r\n?x\r\n";
  ASSERT_EQ(write(fd, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  EXPECT_EQ(ReadAll(fd), "+PONG\r\n-ERR Protocol error: expected '$', got '?'\r\n");
  close(fd);
  Reply r = Cmd({"PING"});
  ASSERT_EQ(r->type, REDIS_REPLY_STATUS);
  EXPECT_STREQ(r->str, "PONG");
}

TEST_F(HiredisTest, ConcurrentClientsAndSharedRegistry) {
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([this, t] {
      redisContext* c = Connect();
      for (int i = 0; i < 200; ++i) {
        Reply(static_cast<redisReply*>(redisCommand(c, "INCR shared")));
        Reply(static_cast<redisReply*>(redisCommand(c, "HSET user:%d n %d", t, i)));
      }
      redisFree(c);
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(std::string(Cmd({"GET", "shared"})->str), "1600");
  // The registry's database is the one the connections wrote: NQL sees it.
  auto db = registry_->Get("default", false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->query("FROM user WHERE n = 199").size(), 8u);
  // SELECT <name> opens a database of the registry.
  EXPECT_EQ(Cmd({"SELECT", "other"})->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(Cmd({"SET", "x", "1"})->type, REDIS_REPLY_STATUS);
  EXPECT_TRUE(registry_->Get("other", false)->get("kv", "x"));
  EXPECT_EQ(Cmd({"SELECT", "bad/name"})->type, REDIS_REPLY_ERROR);
}

}  // namespace
