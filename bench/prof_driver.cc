// SPDX-License-Identifier: Apache-2.0
// A driver for profiling one measured operation at a time, without the
// set-up (dataset generation, loading) in the profile. bench/profile.sh runs
// it under `perf record --control fifo:CTL,ACK -D -1`: the driver enables
// perf around the measured part only (via $NEDB_PERF_CTL / $NEDB_PERF_ACK).
//
//   prof_driver put-mem | get-head | get-asof | reopen | verify | durable [threads] |
//               redis-set | redis-get
//
// The operations and data are those of nedb_bench.cc (same documents, ids,
// sizes); it prints the rate it saw, which is NOT a reported figure (perf
// slows it down).
#include <nedb/nedb.h>
#include <nedb/redis_compat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "bench_common.h"

namespace nb = nedb_bench;
using nlohmann::json;

namespace {

class PerfWindow {
 public:
  void Enable() { Send("enable"); }
  void Disable() { Send("disable"); }

 private:
  void Send(const char* cmd) {
    const char* ctl = std::getenv("NEDB_PERF_CTL");
    const char* ack = std::getenv("NEDB_PERF_ACK");
    if (ctl == nullptr || ack == nullptr) return;
    {
      std::ofstream c(ctl);
      c << cmd << "\n";
    }
    std::ifstream a(ack);
    std::string line;
    std::getline(a, line);
  }
};

struct Timer {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double secs() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

void Report(const char* what, double ops, double secs) {
  std::printf("%s: %.0f ops in %.3f s = %.0f ops/s (under the profiler)\n", what, ops, secs,
              ops / secs);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: prof_driver put-mem|get-head|get-asof|reopen|verify|durable [threads]|"
                 "redis-set|redis-get\n";
    return 2;
  }
  const std::string mode = argv[1];
  PerfWindow perf;

  if (mode == "put-mem") {
    const std::int64_t n = 1'000'000;
    std::vector<json> docs;
    std::vector<std::string> ids;
    for (std::int64_t i = 0; i < n; ++i) {
      docs.push_back(nb::Doc(i));
      ids.push_back(nb::Id(i));
    }
    nedb::NEDB mem;
    perf.Enable();
    Timer t;
    for (std::int64_t i = 0; i < n; ++i) mem.put(nb::kColl, ids[i], docs[i]);
    const double s = t.secs();
    perf.Disable();
    Report("put-mem", n, s);
  } else if (mode == "get-head" || mode == "get-asof") {
    const std::int64_t n = 1'000'000;
    nedb::NEDB mem;
    for (std::int64_t i = 0; i < n; ++i) mem.put(nb::kColl, nb::Id(i), nb::Doc(i, 0));
    const std::uint64_t snap = mem.seq();
    for (std::int64_t i = 0; i < n; ++i) mem.put(nb::kColl, nb::Id(i), nb::Doc(i, 1));
    std::vector<std::string> ids;
    for (std::int64_t i = 0; i < n; ++i) ids.push_back(nb::Id(i));
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
    std::vector<std::uint32_t> order;
    const std::int64_t gets = 2'000'000;
    for (std::int64_t i = 0; i < gets; ++i) order.push_back(pick(rng));
    std::optional<std::uint64_t> as_of;
    if (mode == "get-asof") as_of = snap;
    std::size_t found = 0;
    perf.Enable();
    Timer t;
    for (std::int64_t i = 0; i < gets; ++i)
      found += mem.get(nb::kColl, ids[order[i]], as_of).has_value();
    const double s = t.secs();
    perf.Disable();
    if (found != static_cast<std::size_t>(gets)) std::cerr << "missing docs\n";
    Report(mode.c_str(), gets, s);
  } else if (mode == "reopen" || mode == "verify") {
    const std::int64_t n = 1'000'000;
    const std::string dir = nb::ScratchRoot() + "/prof-replay-1m";
    if (!std::filesystem::exists(dir + "/log")) {
      nedb::NEDB db(dir, nedb::Options{.sync = nedb::Sync::None});
      for (std::int64_t i = 0; i < n; ++i) db.put(nb::kColl, nb::Id(i), nb::Doc(i));
    }
    if (mode == "reopen") {
      std::optional<nedb::NEDB> db;
      perf.Enable();
      Timer t;
      db.emplace(dir);
      const double s = t.secs();
      perf.Disable();
      Report("reopen", static_cast<double>(db->seq()), s);
    } else {
      nedb::NEDB db(dir);
      perf.Enable();
      Timer t;
      const bool ok = db.verify();
      const double s = t.secs();
      perf.Disable();
      Report(ok ? "verify (ok)" : "verify (FALSE)", static_cast<double>(db.seq()), s);
    }
  } else if (mode == "durable") {
    const int threads = argc > 2 ? std::atoi(argv[2]) : 16;
    const std::int64_t n = threads * 500;
    std::vector<json> docs;
    std::vector<std::string> ids;
    for (std::int64_t i = 0; i < n; ++i) {
      docs.push_back(nb::Doc(i));
      ids.push_back(nb::Id(i));
    }
    const std::string dir = nb::FreshDir("prof-durable");
    nedb::NEDB db(dir, nedb::Options{.sync = nedb::Sync::Always});
    perf.Enable();
    Timer t;
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k) {
      ts.emplace_back([&, k] {
        for (std::int64_t i = k; i < n; i += threads) db.put(nb::kColl, ids[i], docs[i]);
      });
    }
    for (auto& th : ts) th.join();
    const double s = t.secs();
    perf.Disable();
    Report("durable", n, s);
  } else if (mode == "redis-set" || mode == "redis-get") {
    // The Redis layer as nedbd runs it for `redis-benchmark -P 16`: batches
    // of 16 commands through execute_batch() on a durable database (Sync::None),
    // 100k keys, 3-byte values.
    const std::int64_t n = 400'000;
    const std::string dir = nb::FreshDir("prof-redis");
    auto db = std::make_shared<nedb::NEDB>(dir, nedb::Options{.sync = nedb::Sync::None});
    nedb::RedisCompat r(db);
    auto key = [](std::int64_t i) { return "key:" + std::to_string(i % 100'000); };
    if (mode == "redis-get") {
      for (std::int64_t i = 0; i < 100'000; ++i) r.execute({"SET", key(i), "xxx"});
    }
    std::vector<std::vector<std::vector<std::string>>> batches;
    for (std::int64_t i = 0; i < n; i += 16) {
      batches.emplace_back();
      for (std::int64_t k = i; k < i + 16; ++k) {
        if (mode == "redis-get") {
          batches.back().push_back({"GET", key(k * 7919)});
        } else {
          batches.back().push_back({"SET", key(k * 7919), "xxx"});
        }
      }
    }
    perf.Enable();
    Timer t;
    for (const auto& b : batches) r.execute_batch(b);
    const double s = t.secs();
    perf.Disable();
    Report(mode.c_str(), n, s);
  } else {
    std::cerr << "unknown mode " << mode << "\n";
    return 2;
  }
  return 0;
}
