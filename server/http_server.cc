// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "http_server.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "metrics.h"
#include "nedb/nedb.h"
#include "router.h"

namespace nedbd {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

static_assert(kDefaultMaxBody == nedb::kMaxDocumentBytes + (64u << 10),
              "the default body admits one maximum-size document");

namespace {
const std::string kServerName = std::string("nedbd/") + nedb::kVersion;

// Boost 1.74's beast::string_view is boost::string_view.
std::string_view Std(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace

// One connection: read a request, answer it, repeat while keep-alive. All
// of a session's handlers run on its io_context's one thread; a blocking
// handler runs on the server's pool and posts its response back there.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer& server) : stream_(std::move(socket)), server_(server) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(server_.options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  ~Session() { ReleaseBody(); }

 private:
  // Headers read: the body's room is reserved against max_body_total (its
  // Content-Length, or max_body for a chunked body) before it is read.
  void OnHeader(beast::error_code ec, std::size_t n) {
    if (ec || parser_->is_done()) return OnRead(ec, n);
    const auto length = parser_->content_length();
    const std::size_t need = length ? static_cast<std::size_t>(*length) : server_.options_.max_body;
    const std::size_t limit = server_.options_.max_body_total;
    std::size_t cur = server_.bodies_.load(std::memory_order_relaxed);
    do {
      if (need > limit || cur > limit - need) {
        BeginRequest();
        version_ = parser_->get().version();
        draining_ = true;  // the client may still be sending the body
        return Write(ErrorResponse(http::status::service_unavailable, "busy",
                                   "request bodies being received would hold " +
                                       std::to_string(cur + need) +
                                       " bytes, over --max-body-total (" + std::to_string(limit) +
                                       " bytes); retry later"));
      }
    } while (!server_.bodies_.compare_exchange_weak(cur, cur + need, std::memory_order_relaxed));
    reserved_ = need;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void ReleaseBody() {
    if (reserved_ > 0) server_.bodies_.fetch_sub(reserved_, std::memory_order_relaxed);
    reserved_ = 0;
  }

  // A request (or a failure to read one) starts: its clock and defaults.
  void BeginRequest() {
    start_ = std::chrono::steady_clock::now();
    stream_.expires_never();
    version_ = 11;
    keep_alive_ = false;
    method_ = "-";
    label_ = "unmatched";
    ++server_.in_flight_;
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof) {
      ReleaseBody();
      return Close();
    }
    BeginRequest();
    if (ec == http::error::body_limit) {
      return Write(ErrorResponse(http::status::payload_too_large, "body_too_large",
                                 "request body over the limit of " +
                                     std::to_string(server_.options_.max_body) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return Write(ErrorResponse(http::status::request_header_fields_too_large, "headers_too_large",
                                 "request headers over 64 KiB"));
    }
    if (ec) {  // a malformed request: answer, then close (the stream is lost)
      return Write(ErrorResponse(http::status::bad_request, "bad_http", ec.message()));
    }
    http::request<http::string_body> req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive() && !server_.stopping_;
    method_ = std::string(req.method_string());
    Resolved resolved =
        server_.router_.Resolve(req.method(), Std(req.target()), std::move(req.body()),
                                Std(req[http::field::authorization]));
    label_ = resolved.label;
    if (resolved.response) return Write(std::move(*resolved.response));
    if (resolved.route->exec == Exec::kInline) return Write(Router::Run(resolved));
    if (resolved.route->exec == Exec::kAsync) {
      return Router::RunAsync(resolved, [self = shared_from_this()](Response response) {
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->Write(std::move(response));
        });
      });
    }
    net::post(server_.blocking_, [self = shared_from_this(), r = std::move(resolved)]() mutable {
      Response response = Router::Run(r);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(Response response) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    server_.metrics_.Observe(label_, method_, static_cast<unsigned>(response.status), seconds);
    if (server_.stopping_) keep_alive_ = false;
    // A 413 or malformed request leaves unread bytes: never reuse the stream.
    if (!parser_ || !parser_->is_done()) keep_alive_ = false;

    auto& res = res_.emplace(response.status, version_);
    res.set(http::field::server, kServerName);
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
    res.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
    res.set(http::field::access_control_max_age, "86400");
    for (auto& [field, value] : response.headers) res.set(field, value);
    if (!response.content_type.empty())
      res.set(http::field::content_type, Beast(response.content_type));
    res.keep_alive(keep_alive_);
    res.body() = std::move(response.body);
    if (response.status != http::status::no_content) res.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, res,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    --server_.in_flight_;
    res_.reset();
    ReleaseBody();  // the request and its body are done with
    if (!ec && draining_) return Drain();
    if (ec || !keep_alive_) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // After a 503 busy whose body was never read: the client reads the
  // response, then EOF; what it still sends is discarded (up to 64 MiB or
  // 2 s) so that closing with unread input does not reset the connection
  // before the client has read the response.
  void Drain() {
    Close();
    drain_buf_.resize(16384);
    stream_.expires_after(std::chrono::seconds(2));
    DrainRead();
  }
  void DrainRead() {
    stream_.async_read_some(net::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ <= (std::size_t{64} << 20))
                                self->DrainRead();
                            });
  }

  beast::tcp_stream stream_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  std::chrono::steady_clock::time_point start_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::string method_;
  std::string_view label_;    // a route's pattern (lives as long as the router)
  std::size_t reserved_ = 0;  // of server_.bodies_ for the request being read or run
  bool draining_ = false;     // answered 503 busy: Drain() instead of the next request
  std::string drain_buf_;
  std::size_t drained_ = 0;
};

namespace {
std::vector<std::unique_ptr<net::io_context>> MakeContexts(unsigned n) {
  std::vector<std::unique_ptr<net::io_context>> iocs;
  for (unsigned i = 0; i < std::max(n, 1u); ++i)
    iocs.push_back(std::make_unique<net::io_context>(1));
  return iocs;
}
}  // namespace

HttpServer::HttpServer(HttpServerOptions options, const Router& router, Metrics& metrics)
    : options_(std::move(options)),
      router_(router),
      metrics_(metrics),
      iocs_(MakeContexts(options_.threads)),
      acceptor_(*iocs_[0]),
      blocking_(options_.blocking_threads) {}

HttpServer::~HttpServer() {
  if (!threads_.empty()) Stop(std::chrono::milliseconds(0));
}

void HttpServer::Start() {
  const tcp::endpoint endpoint(net::ip::make_address(options_.host), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (auto& ioc : iocs_) {
    work_.push_back(net::make_work_guard(*ioc));
    threads_.emplace_back([&ioc = *ioc] {
      // Handlers catch their own errors; this only keeps a thread alive if
      // something unexpected escapes.
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          std::cerr << "nedbd: unexpected error in I/O thread: " << e.what() << std::endl;
        }
      }
    });
  }
}

void HttpServer::Accept() {
  net::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
  acceptor_.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *this)->Read();
    }
    Accept();  // on a transient error (EMFILE, ...) keep accepting
  });
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  work_.clear();
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  blocking_.join();  // engine writes already started finish before shutdown
}

}  // namespace nedbd
