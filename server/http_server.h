// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd's HTTP/1.1 server on Boost.Beast: an accept loop and keep-alive
// sessions on `threads` I/O threads, a body limit, and a separate pool for
// blocking handlers (Exec::kBlocking: writes wait in the engine's group
// commit there, many at once, while the I/O threads keep serving). Routing,
// auth and errors are the Router's.
//
// Each I/O thread runs its own io_context and owns the connections handed
// to it (round robin at accept), so a session needs no strand and threads
// never contend on one scheduler: measured on 2 cores, one io_context run
// by 2 threads served fewer GET /health per second than 1 thread did.
//
// Thread safety: Start() and Stop() from one thread (main); the rest runs
// on the server's own threads.
#ifndef NEDB_SERVER_HTTP_SERVER_H_
#define NEDB_SERVER_HTTP_SERVER_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace nedbd {

class Router;
class Metrics;

inline constexpr std::size_t kDefaultMaxBody = (std::size_t{16} << 20) + (std::size_t{64} << 10);

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7070;  // 0: an ephemeral port (see HttpServer::port())
  // Bytes; a larger body gets 413. The default admits one document of
  // nedb::kMaxDocumentBytes (16 MiB) with its request's other fields.
  std::size_t max_body = kDefaultMaxBody;
  // Bytes the bodies being received on all connections may hold together
  // (each counted at its Content-Length, or max_body when chunked, from its
  // headers until its response is written). A request that would pass it
  // gets 503 busy and the connection closes; the others go on. >= max_body.
  std::size_t max_body_total = std::size_t{256} << 20;
  unsigned threads = 1;                    // I/O threads
  unsigned blocking_threads = 64;          // pool for Exec::kBlocking handlers
  std::chrono::seconds idle_timeout{120};  // a silent connection is closed
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router, Metrics& metrics);
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (throws boost::system::system_error if it cannot),
  // then starts the threads. Returns once the server accepts connections.
  void Start();

  // The bound port (the real one when options.port was 0).
  std::uint16_t port() const { return port_; }

  // Graceful stop: closes the listening socket, lets every request already
  // read finish and get its response (connections then close instead of
  // waiting for the next request), waits up to `grace` for that, then
  // stops the threads. When it returns no handler is running.
  void Stop(std::chrono::milliseconds grace);

 private:
  friend class Session;
  void Accept();

  const HttpServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  // One per I/O thread, each kept running by a work guard until Stop().
  std::vector<std::unique_ptr<boost::asio::io_context>> iocs_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on iocs_[0]
  std::size_t next_ioc_ = 0;                 // round robin; used on iocs_[0] only
  boost::asio::thread_pool blocking_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};       // requests read and not yet answered
  std::atomic<std::size_t> bodies_{0};  // reserved by requests in flight (max_body_total)
};

}  // namespace nedbd

#endif  // NEDB_SERVER_HTTP_SERVER_H_
