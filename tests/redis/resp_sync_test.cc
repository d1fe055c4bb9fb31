// SPDX-License-Identifier: Apache-2.0
// The RESP2 server under Sync::Always (RespServerOptions::sync_always):
// a write's reply is sent only once the write is durable. The databases
// run on an Env that records which bytes of the log's segment files
// (DIR/log/NNNNNNNN.seg) each fsync covered, so every +OK a client receives
// is checked against what was durable at that moment; a failing fsync must
// turn into -ERR replies, never +OK. Also: clients of one event-loop pass
// share fsyncs, and reads need none.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db_registry.h"
#include "hiredis_util.h"
#include "nedb/env.h"
#include "nedb/errors.h"
#include "resp_service.h"

namespace {

namespace fs = std::filesystem;

// Forwards to the default Env; for log segment files keeps a copy of what
// was appended and how much of it the last completed Sync() covered. A
// record holds the document's canonical JSON text, so a put's "_id" value is
// found in it.
class DurabilityEnv : public nedb::EnvWrapper {
 public:
  DurabilityEnv() : EnvWrapper(nedb::Env::Default()) {}

  std::unique_ptr<nedb::WritableFile> NewAppendableFile(const std::string& p) override {
    auto f = target()->NewAppendableFile(p);
    if (p.find(".seg") == std::string::npos) return f;
    return std::make_unique<File>(this, std::move(f));
  }

  // True if needle is in the durable part of a log (any database).
  bool Durable(std::string_view needle) {
    std::lock_guard<std::mutex> l(mu_);
    return std::string_view(log_).substr(0, synced_).find(needle) != std::string_view::npos;
  }
  bool Appended(std::string_view needle) {
    std::lock_guard<std::mutex> l(mu_);
    return log_.find(needle) != std::string::npos;
  }
  std::uint64_t syncs() const { return syncs_.load(); }
  // From now on every fsync of a log fails.
  void FailSyncs() { fail_ = true; }

 private:
  // One database per test, in one segment: the copies of all logs are one
  // string.
  class File : public nedb::WritableFile {
   public:
    File(DurabilityEnv* env, std::unique_ptr<nedb::WritableFile> f) : env_(env), f_(std::move(f)) {}
    void Append(std::string_view data) override {
      f_->Append(data);
      std::lock_guard<std::mutex> l(env_->mu_);
      env_->log_.append(data);
    }
    void Sync() override {
      std::size_t covered;
      {
        std::lock_guard<std::mutex> l(env_->mu_);
        covered = env_->log_.size();  // what was appended before this fsync began
      }
      if (env_->fail_) throw nedb::IOError("injected fsync failure");
      f_->Sync();
      ++env_->syncs_;
      std::lock_guard<std::mutex> l(env_->mu_);
      env_->synced_ = std::max(env_->synced_, covered);
    }
    void Truncate(std::uint64_t size) override { f_->Truncate(size); }
    void Close() override { f_->Close(); }

   private:
    DurabilityEnv* env_;
    std::unique_ptr<nedb::WritableFile> f_;
  };

  std::mutex mu_;
  std::string log_;         // guarded by mu_
  std::size_t synced_ = 0;  // guarded by mu_
  std::atomic<std::uint64_t> syncs_{0};
  std::atomic<bool> fail_{false};
};

class RespSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nedb-resp-sync-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    registry_ = std::make_unique<nedbd::DbRegistry>(
        dir_.string(), nedb::Options{.sync = nedb::Sync::Always, .env = &env_});
    nedbd::RespServerOptions o;
    o.port = 0;
    o.sync_always = true;
    service_ = std::make_unique<nedbd::RespService>(*registry_, o, 2);
  }

  void TearDown() override {
    service_->Stop();
    service_.reset();
    registry_.reset();
    fs::remove_all(dir_);
  }

  redisContext* Connect() {
    redisContext* c = redisConnect("127.0.0.1", service_->port());
    EXPECT_TRUE(c != nullptr && c->err == 0) << (c ? c->errstr : "null");
    timeval tv{20, 0};
    redisSetTimeout(c, tv);
    return c;
  }

  static Reply Get(redisContext* c) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK) return nullptr;
    return Reply(static_cast<redisReply*>(r));
  }

  static inline int counter_ = 0;
  fs::path dir_;
  DurabilityEnv env_;
  std::unique_ptr<nedbd::DbRegistry> registry_;
  std::unique_ptr<nedbd::RespService> service_;
};

// 16 clients, some pipelining: every +OK arrives after its key's op is
// durable; fewer fsyncs than writes (clients share them).
TEST_F(RespSyncTest, EveryOkIsDurableAndClientsShareFsyncs) {
  constexpr int kClients = 16, kRounds = 60;
  std::atomic<int> oks{0}, early{0}, bad{0};
  const std::uint64_t syncs_before = env_.syncs();
  std::vector<std::thread> ts;
  for (int c = 0; c < kClients; ++c) {
    ts.emplace_back([&, c] {
      redisContext* ctx = Connect();
      const int pipeline = c % 4 == 0 ? 8 : 1;
      for (int r = 0; r < kRounds; ++r) {
        for (int p = 0; p < pipeline; ++p) {
          const std::string key = "dur:c" + std::to_string(c) + "-" + std::to_string(r * 8 + p);
          redisAppendCommand(ctx, "SET %s v", key.c_str());
        }
        redisAppendCommand(ctx, "GET dur:c0-0");  // a read in the same batch
        for (int p = 0; p < pipeline; ++p) {
          Reply rep = Get(ctx);
          const std::string id = "\"c" + std::to_string(c) + "-" + std::to_string(r * 8 + p) + "\"";
          if (!rep || rep->type != REDIS_REPLY_STATUS || std::string(rep->str) != "OK") {
            ++bad;
          } else if (!env_.Durable(id)) {
            ++early;
          } else {
            ++oks;
          }
        }
        if (!Get(ctx)) ++bad;
      }
      redisFree(ctx);
    });
  }
  for (auto& t : ts) t.join();
  const int writes = kRounds * (kClients / 4 * 8 + kClients * 3 / 4);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(early.load(), 0) << "replies sent before their fsync";
  EXPECT_EQ(oks.load(), writes);
  const std::uint64_t syncs = env_.syncs() - syncs_before;
  EXPECT_LT(syncs, static_cast<std::uint64_t>(writes) / 2) << syncs << " fsyncs for " << writes;
  std::cout << writes << " acknowledged writes, " << syncs << " fsyncs\n";
}

// Reads never wait for an fsync: with every fsync failing, GET still works
// and a write gets -ERR (the fsync of its pass failed) and the connection
// closes; no write is ever acknowledged.
TEST_F(RespSyncTest, FailedFsyncNeverAcknowledges) {
  redisContext* c = Connect();
  Reply r(static_cast<redisReply*>(redisCommand(c, "SET before 1")));
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  env_.FailSyncs();
  r.reset(static_cast<redisReply*>(redisCommand(c, "GET before")));
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), "1");

  // Pipelined: a write and a read in one batch; both answers are errors.
  redisAppendCommand(c, "SET after 2");
  redisAppendCommand(c, "GET before");
  for (int i = 0; i < 2; ++i) {
    Reply e = Get(c);
    ASSERT_TRUE(e) << i;
    ASSERT_EQ(e->type, REDIS_REPLY_ERROR) << i;
    EXPECT_NE(std::string(e->str).find("injected fsync failure"), std::string::npos) << e->str;
  }
  EXPECT_TRUE(env_.Appended("\"after\""));  // written to the OS, never acknowledged
  // The server closed the connection after the errors.
  r.reset(static_cast<redisReply*>(redisCommand(c, "PING")));
  EXPECT_FALSE(r && r->type == REDIS_REPLY_STATUS);
  redisFree(c);

  // Other clients: reads work, writes keep failing (the engine's fsync
  // error is sticky), never +OK.
  std::vector<std::thread> ts;
  std::atomic<int> acked{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      redisContext* d = Connect();
      Reply g(static_cast<redisReply*>(redisCommand(d, "GET before")));
      EXPECT_TRUE(g && g->type == REDIS_REPLY_STRING);
      Reply s(static_cast<redisReply*>(redisCommand(d, "INCR n%d", t)));
      EXPECT_TRUE(s && s->type == REDIS_REPLY_ERROR);
      if (s && s->type != REDIS_REPLY_ERROR) ++acked;
      redisFree(d);
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(acked.load(), 0);
}

}  // namespace
