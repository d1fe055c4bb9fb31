// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd's RESP2 front end: a TCP server speaking the Redis protocol over the
// databases of a DbRegistry (shared with the HTTP side, so a key written
// here is visible to an HTTP query at once). docs/RESP.md.
//
//   boost::asio::io_context io;
//   nedbd::DbRegistry registry("./nedb-data", {});
//   nedbd::RespServer resp(io, registry, {.port = 6379});
//   resp.Start();   // binds; throws on failure
//   io.run();       // any number of threads
//
// Each connection is a nedb::RedisCompat session (its own selected
// database, MULTI queue and authentication), starting on the database
// RespServerOptions::database. Per read, every complete command is parsed,
// runs on the connection's I/O thread (consecutive writes under one
// NEDB::atomic()), and all replies go out in one write (under
// sync_always, after the fsync that covers them: one syncer thread fsyncs
// for every waiting client while the I/O threads keep running the others'
// commands, which its next fsync covers -- group commit).
#ifndef NEDB_SERVER_RESP_RESP_SERVER_H_
#define NEDB_SERVER_RESP_RESP_SERVER_H_

#include <atomic>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db_registry.h"
#include "nedb/redis_compat.h"

namespace nedbd {

struct RespServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;  // 0: an ephemeral port (see RespServer::port())
  // Non-empty: clients must AUTH <token> (NEDBD_TOKEN).
  std::string token;
  // The database a connection starts on, and what SELECT 0 selects.
  std::string database = "default";
  // Largest bulk string (argument) accepted; larger ones are a protocol
  // error. Redis's proto-max-bulk-len is 512 MB; nedbd's is NEDB's document
  // size limit, 16 MiB (no value can be stored in less).
  std::size_t max_bulk = nedb::RespParser::kDefaultMaxBulk;
  // Set when the databases use nedb::Sync::Always. Write commands then
  // return once their bytes reach the OS (nedb::AtomicSync::kDefer), and
  // each I/O context fsyncs once (NEDB::flush()) for every client whose
  // commands it ran in one event-loop pass before sending their replies,
  // as Redis does with appendfsync always. A reply is never sent before
  // the writes of its read are durable; if the fsync fails, the client
  // gets "-ERR ..." for each of its commands and the connection closes.
  // Batches without writes are answered at once.
  bool sync_always = false;
  // Connections beyond this are refused with "-ERR max number of clients reached".
  std::size_t max_clients = 10000;
  // Memory of requests still arriving (Redis's client-query-buffer-limit,
  // per connection, and maxmemory-clients, over all connections, for query
  // buffers): what a connection's parser holds beyond its first
  // kQueryBufferFree bytes -- the bytes of an unfinished request, and the
  // room reserved for a bulk string whose length it announced. A connection
  // over query_buffer_limit, or whose growth would take the sum over every
  // connection past query_buffer_total, is answered "-ERR ..." naming the
  // limit and closed (it is not read any further); the others go on.
  std::size_t query_buffer_limit = std::size_t{64} << 20;
  std::size_t query_buffer_total = std::size_t{256} << 20;
  static constexpr std::size_t kQueryBufferFree = std::size_t{64} << 10;
};

class RespServer {
 public:
  RespServer(boost::asio::io_context& io, DbRegistry& registry, RespServerOptions options);
  ~RespServer();

  RespServer(const RespServer&) = delete;
  RespServer& operator=(const RespServer&) = delete;

  // Spreads accepted connections round-robin over these contexts (one
  // thread each scales better than one context run by several threads).
  // Default: the context given to the constructor. Call before Start().
  void SetConnectionContexts(std::vector<boost::asio::io_context*> contexts) {
    conn_ios_ = std::move(contexts);
  }

  // Opens the default database, binds and starts accepting. Throws
  // std::exception (boost::system::system_error, nedb::Error) on failure.
  void Start();
  // Stops accepting and closes every connection. Idempotent.
  void Stop();
  // The bound port (after Start()).
  std::uint16_t port() const { return port_; }
  const RespServerOptions& options() const { return options_; }
  // Connections open right now.
  std::size_t connections() const;

  class Connection;
  class Syncer;
  class QueryBudget;

 private:
  void Accept();

  boost::asio::io_context& io_;
  DbRegistry& registry_;
  const RespServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<boost::asio::io_context*> conn_ios_;
  std::shared_ptr<Syncer> syncer_;             // sync_always only (made by Start())
  std::shared_ptr<QueryBudget> query_budget_;  // query_buffer_total over every connection
  std::size_t next_io_ = 0;                    // round-robin over conn_ios_ (acceptor strand only)
  std::atomic<std::int64_t> next_id_{1};
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;  // guards conns_
  std::vector<std::weak_ptr<Connection>> conns_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_RESP_RESP_SERVER_H_
