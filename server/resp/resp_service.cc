// Copyright (c) NEDB authors.
#include "resp_service.h"

namespace nedbd {

RespService::RespService(DbRegistry& registry, RespServerOptions options, unsigned threads)
    : server_(std::make_unique<RespServer>(io_, registry, std::move(options))) {
  server_->Start();
  for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { io_.run(); });
}

RespService::~RespService() { Stop(); }

void RespService::Stop() {
  if (threads_.empty()) return;
  server_->Stop();
  // Let the closes run, then end the loop (connections' pending reads are
  // cancelled by the closes).
  boost::asio::post(io_, [this] { io_.stop(); });
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace nedbd
