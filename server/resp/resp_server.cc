// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "resp_server.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <utility>
#include <vector>

namespace nedbd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string Endpoint(const tcp::socket& s, bool remote) {
  boost::system::error_code ec;
  const tcp::endpoint ep = remote ? s.remote_endpoint(ec) : s.local_endpoint(ec);
  if (ec) return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// "ERR <what>" on one line.
std::string ErrorText(const std::exception& e) {
  std::string text = std::string("ERR ") + e.what();
  std::replace(text.begin(), text.end(), '\r', ' ');
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

// The bytes every connection's parser holds for requests still arriving
// (RespServerOptions::query_buffer_total).
class RespServer::QueryBudget {
 public:
  explicit QueryBudget(std::size_t limit) : limit_(limit) {}
  // Adds n if the sum stays within the limit; else false, *would_be = the sum.
  bool TryAdd(std::size_t n, std::size_t* would_be) {
    std::size_t cur = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || cur > limit_ - n) {
        *would_be = cur + n;
        return false;
      }
    } while (!used_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
    return true;
  }
  void Sub(std::size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }

 private:
  std::atomic<std::size_t> used_{0};
  const std::size_t limit_;
};

// Under sync_always: the connections whose replies wait for an fsync. One
// thread makes them durable: it takes every connection queued so far,
// flush()es each database they wrote once, and hands each its replies (or,
// if the fsync failed, errors) on its strand. While it is in fsync the I/O
// threads keep running other clients' commands, so the next fsync covers
// every client that was served meanwhile (group commit), without an I/O
// thread ever blocking on the disk. Before each fsync it waits (at most
// kReturnWait) for the clients it just answered to send their next
// commands: otherwise the clients split into two halves that alternate
// between "in fsync" and "waiting for it", and every fsync covers half as
// many writes as it could (Redis's single loop gets all of them).
class RespServer::Syncer {
 public:
  Syncer() : thread_([this] { Loop(); }) {}
  ~Syncer() { Stop(); }
  // c's writes are not durable yet: answer it after the next fsync.
  void Defer(std::shared_ptr<Connection> c);
  // c, answered by the last fsync, sent commands that need no fsync (or
  // closed): the next fsync need not wait for it.
  void Returned(Connection& c);
  static constexpr std::chrono::microseconds kReturnWait{80};
  // Answers what is queued, then stops the thread. Later Defer() calls sync
  // on the caller's thread.
  void Stop();

 private:
  void Loop();
  void SyncAndReply(std::vector<std::shared_ptr<Connection>> conns);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Connection>> pending_;  // guarded by mu_
  bool idle_ = false;                                 // guarded by mu_: waiting on cv_
  std::size_t returning_ = 0;  // guarded by mu_: answered, next commands not seen yet
  bool stop_ = false;          // guarded by mu_
  std::thread thread_;
};

// One client: reads, parses every complete command of a read, runs them as
// one batch, writes all replies at once, reads again. All of its handlers
// run on its strand (one context, the context's thread under RespService).
class RespServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<nedb::NEDB> db, nedb::RedisOptions opts,
             const RespServerOptions& options, std::shared_ptr<Syncer> syncer,
             std::shared_ptr<QueryBudget> budget)
      : socket_(std::move(socket)),
        parser_(options.max_bulk),
        max_bulk_(options.max_bulk),
        query_buffer_limit_(options.query_buffer_limit),
        defer_(opts.atomic_sync == nedb::AtomicSync::kDefer),
        session_(std::move(db), std::move(opts)),
        syncer_(std::move(syncer)),
        budget_(std::move(budget)),
        drain_timer_(socket_.get_executor()) {}
  ~Connection() { budget_->Sub(charged_); }

  void Start() {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);  // for Send()'s immediate write
    Read();
  }

  // Closes the socket from any thread (on the connection's strand).
  void Close() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->DoClose(); });
  }

  // A refused connection: one error, then close.
  void Refuse(const std::string& error) {
    out_ = "-" + error + "\r\n";
    closing_ = true;
    Send();
  }

 private:
  friend class RespServer::Syncer;

  void Read() {
    socket_.async_read_some(asio::buffer(rbuf_),
                            [self = shared_from_this()](boost::system::error_code ec,
                                                        std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(boost::system::error_code ec, std::size_t n) {
    if (ec) {
      if (syncer_) syncer_->Returned(*this);
      return DoClose();
    }
    parser_.Feed(std::string_view(rbuf_.data(), n));
    // Parse into the argv vectors of earlier reads (the parser swaps its
    // buffer with ours: no allocation for the vector in steady state).
    std::size_t count = 0;
    for (;;) {
      if (count == cmds_.size()) cmds_.emplace_back();
      std::vector<std::string>& argv = cmds_[count];
      const nedb::RespParser::Status st = parser_.Next(&argv);
      if (st == nedb::RespParser::Status::kNeedMore) break;
      if (st == nedb::RespParser::Status::kError) {
        protocol_error_ = true;
        break;
      }
      ++count;
      if (nedb::RedisCompat::IsQuit(argv[0])) break;  // what follows QUIT is never run
    }
    if (!protocol_error_) ChargeQueryBuffer();
    if (count == 0 && !protocol_error_ && limit_error_.empty()) return Read();
    Execute(count);
    ReleaseLargeArguments(count);
    if (defer_) {
      unsynced_ = session_.take_unsynced();
      if (!unsynced_.empty()) return syncer_->Defer(shared_from_this());
      syncer_->Returned(*this);
    }
    Send();
  }

  // Runs cmds_[0, count) into out_.
  void Execute(std::size_t count) {
    out_.clear();
    replies_ = count;
    try {
      if (count == 1) {
        session_.execute(cmds_[0]).AppendResp(&out_);  // what execute_batch does for one
      } else if (count > 1) {
        cmds_.resize(count);
        for (const nedb::RedisReply& r : session_.execute_batch(cmds_)) r.AppendResp(&out_);
      }
    } catch (const std::exception& e) {
      nedb::RedisReply::Error(ErrorText(e)).AppendResp(&out_);
      closing_ = true;
    }
    if (protocol_error_) {
      nedb::RedisReply::Error("ERR " + parser_.error()).AppendResp(&out_);
      ++replies_;
      closing_ = true;
    } else if (!limit_error_.empty()) {
      nedb::RedisReply::Error(limit_error_).AppendResp(&out_);
      ++replies_;
      closing_ = true;
      drain_ = true;  // let the client read the error before the connection goes
    }
    if (session_.quit()) closing_ = true;
  }

  // Charges what the parser holds beyond kQueryBufferFree to the server's
  // budget; over a limit, sets limit_error_ and frees the parser's memory
  // (what is still arriving is never parsed).
  void ChargeQueryBuffer() {
    const std::size_t mem = parser_.memory();
    const std::size_t held =
        mem > RespServerOptions::kQueryBufferFree ? mem - RespServerOptions::kQueryBufferFree : 0;
    if (held <= charged_) {
      budget_->Sub(charged_ - held);
      charged_ = held;
      return;
    }
    std::size_t total = 0;
    if (held > query_buffer_limit_) {
      limit_error_ = "ERR client query buffer limit reached: a request still arriving holds " +
                     std::to_string(mem) + " bytes, over --resp2-query-buffer-limit (" +
                     std::to_string(query_buffer_limit_) + " bytes); closing the connection";
    } else if (!budget_->TryAdd(held - charged_, &total)) {
      limit_error_ =
          "ERR total query buffer limit reached: requests still arriving on all connections "
          "would hold " +
          std::to_string(total) + " bytes, over --resp2-query-buffer-total (" +
          std::to_string(budget_->limit()) + " bytes); closing the connection";
    } else {
      charged_ = held;
      return;
    }
    parser_ = nedb::RespParser(max_bulk_);  // frees the buffer now
    budget_->Sub(charged_);
    charged_ = 0;
  }

  // Arguments of large requests are not kept until the next command.
  void ReleaseLargeArguments(std::size_t count) {
    for (std::size_t i = 0; i < count && i < cmds_.size(); ++i) {
      std::size_t bytes = 0;
      for (const std::string& a : cmds_[i]) bytes += a.capacity();
      if (bytes > RespServerOptions::kQueryBufferFree) std::vector<std::string>().swap(cmds_[i]);
    }
  }

  // After an error that closes the connection while the client may still be
  // sending: stop sending (the client reads the error, then EOF), discard
  // what still arrives, and close once the client does, after kDrainBytes,
  // or after kDrainTime -- a close with unread input would reset the
  // connection, and the client could lose the error.
  static constexpr std::size_t kDrainBytes = std::size_t{64} << 20;
  static constexpr std::chrono::seconds kDrainTime{2};
  void Drain() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    drain_timer_.expires_after(kDrainTime);
    drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->DoClose();
    });
    DrainRead();
  }
  void DrainRead() {
    socket_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this()](
                                                     boost::system::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kDrainBytes) return self->DoClose();
      self->DrainRead();
    });
  }

  // The fsync of this read's writes failed: nothing it wrote is known to
  // be durable, so no reply may claim success.
  void FailReplies(const std::string& error) {
    out_.clear();
    const nedb::RedisReply r = nedb::RedisReply::Error(error);
    for (std::size_t i = 0; i < std::max<std::size_t>(replies_, 1); ++i) r.AppendResp(&out_);
    closing_ = true;
  }

  void Send() {
    // Most replies fit the socket buffer: send them now and read again,
    // without a round trip through the scheduler; the rest goes async.
    boost::system::error_code ec;
    std::size_t sent = 0;
    if (socket_.non_blocking()) sent = socket_.write_some(asio::buffer(out_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return DoClose();
    if (!ec && sent == out_.size()) {
      if (closing_) return drain_ ? Drain() : DoClose();
      return Read();
    }
    asio::async_write(socket_, asio::buffer(out_.data() + sent, out_.size() - sent),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (!ec && self->closing_ && self->drain_) return self->Drain();
                        if (ec || self->closing_) return self->DoClose();
                        self->Read();
                      });
  }

  void DoClose() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    drain_timer_.cancel();
    if (charged_ > 0) {  // a closed connection holds no request
      parser_ = nedb::RespParser(max_bulk_);
      budget_->Sub(charged_);
      charged_ = 0;
    }
  }

  tcp::socket socket_;
  nedb::RespParser parser_;
  const std::size_t max_bulk_;
  const std::size_t query_buffer_limit_;
  const bool defer_;  // sync_always: replies to writes wait for the Syncer
  nedb::RedisCompat session_;
  std::shared_ptr<Syncer> syncer_;
  std::shared_ptr<QueryBudget> budget_;
  std::size_t charged_ = 0;  // of budget_: parser_'s memory beyond kQueryBufferFree
  std::string limit_error_;  // set when a query buffer limit closes the connection
  bool drain_ = false;       // closing: Drain() instead of DoClose()
  std::size_t drained_ = 0;
  asio::steady_timer drain_timer_;
  std::array<char, 16384> rbuf_;
  std::vector<std::vector<std::string>> cmds_;
  std::string out_;
  std::size_t replies_ = 0;                            // in out_
  std::vector<std::shared_ptr<nedb::NEDB>> unsynced_;  // written by the read out_ answers
  bool protocol_error_ = false;
  bool closing_ = false;
  bool returning_ = false;  // answered by the Syncer, counted in its returning_
};

void RespServer::Syncer::Defer(std::shared_ptr<Connection> c) {
  std::unique_lock<std::mutex> l(mu_);
  if (stop_) {
    l.unlock();
    return SyncAndReply({std::move(c)});
  }
  if (c->returning_) {
    c->returning_ = false;
    --returning_;
  }
  pending_.push_back(std::move(c));
  const bool wake = idle_;
  l.unlock();
  if (wake) cv_.notify_one();
}

void RespServer::Syncer::Returned(Connection& c) {
  if (!c.returning_) return;  // on c's strand, like every access after the answer
  c.returning_ = false;
  std::unique_lock<std::mutex> l(mu_);
  const bool wake = --returning_ == 0 && idle_;
  l.unlock();
  if (wake) cv_.notify_one();
}

void RespServer::Syncer::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void RespServer::Syncer::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    idle_ = true;
    cv_.wait(l, [this] { return stop_ || !pending_.empty(); });
    if (returning_ > 0) {
      cv_.wait_for(l, kReturnWait, [this] { return stop_ || returning_ == 0; });
    }
    idle_ = false;
    if (pending_.empty()) return;  // stopping, nothing left to answer
    std::vector<std::shared_ptr<Connection>> conns;
    conns.swap(pending_);
    l.unlock();
    SyncAndReply(std::move(conns));
    l.lock();
  }
}

void RespServer::Syncer::SyncAndReply(std::vector<std::shared_ptr<Connection>> conns) {
  // One flush() per database: one fsync covers every connection here.
  std::vector<nedb::NEDB*> flushed;
  std::vector<std::pair<nedb::NEDB*, std::string>> failed;
  std::size_t answered = 0;
  for (const auto& c : conns) {
    for (const auto& db : c->unsynced_) {
      if (std::find(flushed.begin(), flushed.end(), db.get()) != flushed.end()) continue;
      flushed.push_back(db.get());
      try {
        db->flush();
      } catch (const std::exception& e) {
        failed.emplace_back(db.get(), ErrorText(e));
      }
    }
  }
  for (auto& c : conns) {
    for (const auto& [db, error] : failed) {
      const bool mine = std::any_of(c->unsynced_.begin(), c->unsynced_.end(),
                                    [db = db](const auto& d) { return d.get() == db; });
      if (mine) {
        c->FailReplies(error);
        break;
      }
    }
    c->unsynced_.clear();
    c->returning_ = !c->closing_;
    answered += c->returning_ ? 1 : 0;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    returning_ += answered;  // before any answer is sent: a client cannot come back sooner
  }
  for (auto& c : conns) {
    auto strand = c->socket_.get_executor();
    asio::dispatch(strand, [c = std::move(c)] { c->Send(); });
  }
}

RespServer::RespServer(asio::io_context& io, DbRegistry& registry, RespServerOptions options)
    : io_(io),
      registry_(registry),
      options_(std::move(options)),
      acceptor_(asio::make_strand(io)) {}

RespServer::~RespServer() { Stop(); }

void RespServer::Start() {
  registry_.Get(options_.database, /*create=*/true);  // fail early on a bad default database
  if (conn_ios_.empty()) conn_ios_.push_back(&io_);
  if (options_.sync_always && !syncer_) syncer_ = std::make_shared<Syncer>();
  if (!query_budget_) query_budget_ = std::make_shared<QueryBudget>(options_.query_buffer_total);
  const tcp::endpoint ep(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  Accept();
}

void RespServer::Accept() {
  asio::io_context& io = *conn_ios_[next_io_++ % conn_ios_.size()];
  acceptor_.async_accept(asio::make_strand(io), [this](boost::system::error_code ec,
                                                       tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      return Accept();  // e.g. EMFILE: keep serving the others
    }
    nedb::RedisOptions o;
    o.database = options_.database;
    o.token = options_.token;
    o.client_id = next_id_++;
    o.peer = Endpoint(socket, true);
    o.local = Endpoint(socket, false);
    if (options_.sync_always) o.atomic_sync = nedb::AtomicSync::kDefer;
    DbRegistry* reg = &registry_;
    o.open_database = [reg](const std::string& name) { return reg->Get(name, /*create=*/true); };
    o.database_names = [reg] { return reg->Names(); };
    std::shared_ptr<Connection> c;
    try {
      c = std::make_shared<Connection>(std::move(socket), registry_.Get(options_.database, true),
                                       std::move(o), options_, syncer_, query_budget_);
    } catch (const std::exception&) {
      return Accept();  // the default database cannot be opened: drop this client
    }
    bool full;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto it = conns_.begin(); it != conns_.end();) {
        it = it->expired() ? conns_.erase(it) : std::next(it);
      }
      full = conns_.size() >= options_.max_clients;
      if (!full) conns_.push_back(c);
    }
    if (full) {
      c->Refuse("ERR max number of clients reached");
    } else {
      c->Start();
    }
    Accept();
  });
}

void RespServer::Stop() {
  if (stopped_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::weak_ptr<Connection>> conns;
  {
    std::lock_guard<std::mutex> l(mu_);
    conns.swap(conns_);
  }
  for (auto& w : conns) {
    if (auto c = w.lock()) c->Close();
  }
  if (syncer_) syncer_->Stop();  // answers the clients still waiting for an fsync
}

std::size_t RespServer::connections() const {
  std::lock_guard<std::mutex> l(mu_);
  std::size_t n = 0;
  for (const auto& w : conns_) n += w.expired() ? 0 : 1;
  return n;
}

}  // namespace nedbd
