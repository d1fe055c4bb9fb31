// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd's RESP2 front end as one object: its own io_context and I/O
// threads around a RespServer. nedbd starts one when --resp2-port /
// NEDBD_RESP2_PORT is not 0:
//
//   nedbd::RespService resp2(registry, {.host = ..., .port = 6379, .token = ...}, threads);
//   std::cout << "resp2 \u2014 redis:// " << host << ":" << resp2.port() << " (RESP2 wire
//   protocol)\n";
//   ...
//   resp2.Stop();   // on SIGTERM: closes the listener and every connection
#ifndef NEDB_SERVER_RESP_RESP_SERVICE_H_
#define NEDB_SERVER_RESP_RESP_SERVICE_H_

#include <memory>
#include <thread>
#include <vector>

#include "resp_server.h"

namespace nedbd {

class RespService {
 public:
  // Binds (throws on failure) and starts `threads` I/O threads.
  RespService(DbRegistry& registry, RespServerOptions options, unsigned threads);
  // Stop().
  ~RespService();

  std::uint16_t port() const { return server_->port(); }
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  void Stop();

 private:
  // One context per I/O thread; the first also runs the acceptor.
  std::vector<std::unique_ptr<boost::asio::io_context>> ios_;
  std::unique_ptr<RespServer> server_;
  std::vector<std::thread> threads_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_RESP_RESP_SERVICE_H_
