// SPDX-License-Identifier: Apache-2.0
// A RESP2 server for tests and benchmarks, without the HTTP side:
//   resp_harness --data DIR [--port 0] [--sync always|everysec|no] [--token T]
//                [--threads N] [--database NAME] [--max-bulk BYTES]
//                [--expire-interval-ms N (default 100, as nedbd; 0: off)]
// Prints "port <n>" once listening; SIGTERM/SIGINT stop it (checkpointing
// nothing; the databases are closed cleanly).
#include <utility>  // before Asio (Boost 1.74 + C++20)
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "db_registry.h"
#include "resp_service.h"

int main(int argc, char** argv) {
  std::string data = "./resp-data", sync = "always";
  nedbd::RespServerOptions opts;
  opts.port = 0;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint32_t expire_interval_ms = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--data") {
      data = v;
    } else if (k == "--port") {
      opts.port = static_cast<std::uint16_t>(std::stoi(v));
    } else if (k == "--sync") {
      sync = v;
    } else if (k == "--token") {
      opts.token = v;
    } else if (k == "--threads") {
      threads = std::stoi(v);
    } else if (k == "--database") {
      opts.database = v;
    } else if (k == "--max-bulk") {
      opts.max_bulk = std::stoull(v);
    } else if (k == "--expire-interval-ms") {
      expire_interval_ms = static_cast<std::uint32_t>(std::stoul(v));
    } else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  nedb::Options dbo;
  dbo.sync = sync == "always"     ? nedb::Sync::Always
             : sync == "everysec" ? nedb::Sync::EverySec
                                  : nedb::Sync::None;
  dbo.expire_interval_ms = expire_interval_ms;
  opts.sync_always = dbo.sync == nedb::Sync::Always;
  try {
    // Block SIGINT/SIGTERM in every thread; main waits for them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    nedbd::DbRegistry registry(data, dbo);
    nedbd::RespService service(registry, opts, static_cast<unsigned>(threads));
    std::cout << "port " << service.port() << std::endl;
    int sig = 0;
    sigwait(&stop, &sig);
    service.Stop();
  } catch (const std::exception& e) {
    std::cerr << "resp_harness: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
