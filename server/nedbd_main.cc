// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd: the NEDB server daemon (docs/SERVER.md). Opens every database under
// the data root, serves HTTP/JSON until SIGTERM or SIGINT, then finishes the
// requests in flight, checkpoints every database and exits 0.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "db_registry.h"
#include "http_server.h"
#include "metrics.h"
#include "resp_service.h"
#include "routes.h"

namespace {

constexpr std::size_t kMaxBodyCeiling = 64u << 20;  // the upper bound

struct Config {
  std::string host = "127.0.0.1";
  int port = 7070;
  std::string data = "./nedb-data";
  std::string token;
  std::string sync = "always";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  unsigned blocking_threads = 64;
  std::size_t max_body = nedbd::kDefaultMaxBody;  // a 16 MiB document + 64 KiB
  std::size_t max_body_total = nedbd::HttpServerOptions{}.max_body_total;
  int resp2_port = 0;                      // 0: RESP2 off
  std::uint32_t expire_interval_ms = 100;  // background expiry; 0: off
  std::size_t resp2_query_buffer_limit = nedbd::RespServerOptions{}.query_buffer_limit;
  std::size_t resp2_query_buffer_total = nedbd::RespServerOptions{}.query_buffer_total;
};

void AddFlags(CLI::App& app, Config& c) {
  app.set_version_flag("--version", std::string("nedbd ") + nedb::kVersion);
  app.add_option("--host", c.host, "Bind address")->envname("NEDBD_HOST")->capture_default_str();
  app.add_option("--port", c.port, "Bind port (0: an ephemeral port, printed in the boot line)")
      ->envname("NEDBD_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--data", c.data, "Root directory; each database is a subdirectory")
      ->envname("NEDBD_DATA")
      ->capture_default_str();
  app.add_option("--token", c.token,
                 "Bearer token required on every /v1/* request (unset: auth off)")
      ->envname("NEDBD_TOKEN");
  app.add_option("--sync", c.sync, "fsync policy of every database: always | everysec | no")
      ->envname("NEDBD_SYNC")
      ->check(CLI::IsMember({"always", "everysec", "no"}))
      ->capture_default_str();
  app.add_option("--threads", c.threads, "I/O threads (default: one per core)")
      ->envname("NEDBD_THREADS")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option(
         "--blocking-threads", c.blocking_threads,
         "Threads for disk-bound requests other than single writes (verify, checkpoint, ...)")
      ->envname("NEDBD_BLOCKING_THREADS")
      ->check(CLI::Range(1u, 4096u))
      ->capture_default_str();
  app.add_option(
         "--max-body", c.max_body,
         "Largest request body in bytes (default: a 16 MiB document + 64 KiB; at most 64 MiB)")
      ->envname("NEDBD_MAX_BODY")
      ->check(CLI::Range(std::size_t{1}, kMaxBodyCeiling))
      ->capture_default_str();
  app.add_option("--max-body-total", c.max_body_total,
                 "Bytes the request bodies being received on all connections may hold together "
                 "(at least --max-body); a request that would pass it gets 503 busy")
      ->envname("NEDBD_MAX_BODY_TOTAL")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--expire-interval-ms", c.expire_interval_ms,
                 "Background expiry: delete expired documents (TTL) every N ms; 0: off")
      ->envname("NEDBD_EXPIRE_INTERVAL_MS")
      ->check(CLI::Range(0u, 3600000u))
      ->capture_default_str();
  app.add_option("--resp2-port", c.resp2_port, "RESP2 (Redis protocol) port, docs/RESP.md; 0: off")
      ->envname("NEDBD_RESP2_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--resp2-query-buffer-limit", c.resp2_query_buffer_limit,
                 "RESP2: bytes one connection may hold for a request still arriving "
                 "(Redis's client-query-buffer-limit); over it: -ERR and close")
      ->envname("NEDBD_RESP2_QUERY_BUFFER_LIMIT")
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--resp2-query-buffer-total", c.resp2_query_buffer_total,
                 "RESP2: bytes all connections together may hold for requests still arriving "
                 "(like Redis's maxmemory-clients); a connection that would pass it: -ERR and "
                 "close")
      ->envname("NEDBD_RESP2_QUERY_BUFFER_TOTAL")
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{1} << 40))
      ->capture_default_str();
}

nedb::Sync SyncOf(const std::string& s) {
  if (s == "everysec") return nedb::Sync::EverySec;
  if (s == "no") return nedb::Sync::None;
  return nedb::Sync::Always;
}

// Opens every database under the root and prints one boot line each with
// what the open replayed. False if another process holds one (a second
// daemon on the same data); other failures are printed and the database
// is left closed (its requests then get the error).
bool OpenAll(nedbd::DbRegistry& registry) {
  for (const std::string& name : registry.Names()) {
    try {
      auto db = registry.Get(name, /*create=*/false);
      const nlohmann::json info = db->open_info();
      std::cout << "nedbd: db " << name << " seq=" << db->seq()
                << " snapshot=" << (info.value("snapshot", false) ? "yes" : "no")
                << " snapshot_seq=" << info.value("snapshot_seq", nlohmann::json()).dump()
                << " replayed_ops=" << info.value("replayed_ops", 0) << std::endl;
    } catch (const nedb::LockError& e) {
      std::cerr << "nedbd: " << e.what() << std::endl;
      return false;
    } catch (const std::exception& e) {
      std::cerr << "nedbd: cannot open db " << name << ": " << e.what() << std::endl;
    }
  }
  return true;
}

// On shutdown: a checkpoint for every database, so the next start replays
// nothing; skipped for one that loaded from its snapshot with no delta and
// has not changed since (a restart loop must not grow the log).
void CheckpointOnShutdown(nedbd::DbRegistry& registry) {
  for (const auto& [name, db] : registry.OpenDatabases()) {
    try {
      std::uint64_t appended = 0;
      for (const auto& [kind, n] : db->stats().ops_appended) appended += n;
      const nlohmann::json info = db->open_info();
      const bool zero_delta =
          info.value("snapshot", false) && info.value("replayed_ops", 0) == 0 && appended == 0;
      if (zero_delta) continue;  // already loads from its snapshot with nothing to replay
      const nlohmann::json cp = db->checkpoint();
      std::cout << "nedbd: checkpoint db " << name << " seq=" << cp.value("seq", 0) << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "nedbd: checkpoint of db " << name << " failed: " << e.what() << std::endl;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{"nedbd: the NEDB server daemon (HTTP/JSON; docs/SERVER.md)"};
  AddFlags(app, config);
  CLI11_PARSE(app, argc, argv);
  // Fail closed: a key in the environment asks for encryption at rest, which
  // this version does not have. Refuse before creating or writing anything.
  if (std::string why = nedb::EncryptionRefusal(); !why.empty()) {
    std::cerr << "nedbd: " << why << std::endl;
    return 2;
  }
  if (config.max_body_total < config.max_body) {
    std::cerr << "nedbd: --max-body-total (" << config.max_body_total
              << ") must be at least --max-body (" << config.max_body << ")" << std::endl;
    return 2;
  }

  // SIGTERM/SIGINT are taken by sigwait() in main; every thread started
  // below inherits the mask, so none of them is interrupted by a signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    nedb::Options db_options;
    db_options.sync = SyncOf(config.sync);
    db_options.expire_interval_ms = config.expire_interval_ms;
    db_options.logger = [](const std::string& msg) { std::cerr << "nedbd: " << msg << std::endl; };
    nedbd::DbRegistry registry(config.data, db_options);
    if (!OpenAll(registry)) return 1;

    nedbd::Metrics metrics;
    auto batcher = std::make_unique<nedbd::WriteBatcher>();
    nedbd::Router router{nedbd::Auth(config.token)};
    nedbd::AddAllRoutes(router, registry, metrics, *batcher);

    nedbd::HttpServerOptions options;
    options.host = config.host;
    options.port = static_cast<std::uint16_t>(config.port);
    options.max_body = config.max_body;
    options.max_body_total = config.max_body_total;
    options.threads = config.threads;
    options.blocking_threads = config.blocking_threads;
    nedbd::HttpServer server(options, router, metrics);
    server.Start();
    std::cout << "nedbd " << nedb::kVersion << " \u2014 http://" << config.host << ":"
              << server.port() << " data=" << config.data
              << " auth=" << (config.token.empty() ? "off" : "on") << std::endl;
    std::unique_ptr<nedbd::RespService> resp2;  // docs/RESP.md
    if (config.resp2_port != 0) {
      resp2 = std::make_unique<nedbd::RespService>(
          registry,
          nedbd::RespServerOptions{.host = config.host,
                                   .port = static_cast<std::uint16_t>(config.resp2_port),
                                   .token = config.token,
                                   .sync_always = db_options.sync == nedb::Sync::Always,
                                   .query_buffer_limit = config.resp2_query_buffer_limit,
                                   .query_buffer_total = config.resp2_query_buffer_total},
          config.threads);
      std::cout << "resp2 \u2014 redis:// " << config.host << ":" << resp2->port()
                << " (RESP2 wire protocol)" << std::endl;
    }

    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cout << "nedbd: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
              << ", finishing requests in flight" << std::endl;
    if (resp2) resp2->Stop();
    server.Stop(std::chrono::seconds(30));
    batcher.reset();  // runs what is still queued (only after a timed-out grace)
    CheckpointOnShutdown(registry);
    registry.CloseAll();
    std::cout << "nedbd: stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nedbd: " << e.what() << std::endl;
    return 1;
  }
}
