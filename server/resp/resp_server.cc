// Copyright (c) NEDB authors.
#include "resp_server.h"

#include <array>
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

}  // namespace

// One client: reads, parses every complete command of a read, runs them as
// one batch, writes all replies at once, reads again. All of its handlers
// run on its strand; a batch with writes may run on the write pool.
class RespServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<nedb::NEDB> db, nedb::RedisOptions opts,
             std::size_t max_bulk, asio::thread_pool* pool)
      : socket_(std::move(socket)),
        parser_(max_bulk),
        session_(std::move(db), std::move(opts)),
        pool_(pool) {}

  void Start() {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
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
    Flush();
  }

 private:
  void Read() {
    socket_.async_read_some(asio::buffer(rbuf_),
                            [self = shared_from_this()](boost::system::error_code ec,
                                                        std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(boost::system::error_code ec, std::size_t n) {
    if (ec) return DoClose();
    parser_.Feed(std::string_view(rbuf_.data(), n));
    cmds_.clear();
    bool writes = false;
    for (;;) {
      std::vector<std::string> argv;
      const nedb::RespParser::Status st = parser_.Next(&argv);
      if (st == nedb::RespParser::Status::kNeedMore) break;
      if (st == nedb::RespParser::Status::kError) {
        protocol_error_ = true;
        break;
      }
      const bool quit = nedb::RedisCompat::IsQuit(argv[0]);
      writes = writes || nedb::RedisCompat::IsWriteCommand(argv[0]);
      cmds_.push_back(std::move(argv));
      if (quit) break;  // what follows QUIT is never run
    }
    if (cmds_.empty() && !protocol_error_) return Read();
    if (pool_ != nullptr && writes) {
      asio::post(*pool_, [self = shared_from_this()] {
        self->Execute();
        asio::post(self->socket_.get_executor(), [self] { self->Flush(); });
      });
      return;
    }
    Execute();
    Flush();
  }

  void Execute() {
    out_.clear();
    try {
      for (const nedb::RedisReply& r : session_.execute_batch(cmds_)) r.AppendResp(&out_);
    } catch (const std::exception& e) {
      nedb::RedisReply::Error(std::string("ERR ") + e.what()).AppendResp(&out_);
      closing_ = true;
    }
    if (protocol_error_) {
      nedb::RedisReply::Error("ERR " + parser_.error()).AppendResp(&out_);
      closing_ = true;
    }
    if (session_.quit()) closing_ = true;
  }

  void Flush() {
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec || self->closing_) return self->DoClose();
                        self->Read();
                      });
  }

  void DoClose() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  nedb::RespParser parser_;
  nedb::RedisCompat session_;
  asio::thread_pool* pool_;
  std::array<char, 16384> rbuf_;
  std::vector<std::vector<std::string>> cmds_;
  std::string out_;
  bool protocol_error_ = false;
  bool closing_ = false;
};

RespServer::RespServer(asio::io_context& io, DbRegistry& registry, RespServerOptions options)
    : io_(io), registry_(registry), options_(std::move(options)), acceptor_(asio::make_strand(io)) {
  if (options_.write_threads > 0) pool_.emplace(static_cast<std::size_t>(options_.write_threads));
}

RespServer::~RespServer() {
  Stop();
  if (pool_) pool_->join();
}

void RespServer::Start() {
  registry_.Get(options_.database, /*create=*/true);  // fail early on a bad default database
  const tcp::endpoint ep(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  Accept();
}

void RespServer::Accept() {
  asio::io_context& target = conn_ios_.empty() ? io_ : *conn_ios_[next_io_++ % conn_ios_.size()];
  acceptor_.async_accept(asio::make_strand(target), [this](boost::system::error_code ec,
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
    DbRegistry* reg = &registry_;
    o.open_database = [reg](const std::string& name) { return reg->Get(name, /*create=*/true); };
    std::shared_ptr<Connection> c;
    try {
      c = std::make_shared<Connection>(std::move(socket), registry_.Get(options_.database, true),
                                       std::move(o), options_.max_bulk, pool_ ? &*pool_ : nullptr);
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
}

std::size_t RespServer::connections() const {
  std::lock_guard<std::mutex> l(mu_);
  std::size_t n = 0;
  for (const auto& w : conns_) n += w.expired() ? 0 : 1;
  return n;
}

}  // namespace nedbd
