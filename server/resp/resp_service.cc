// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "resp_service.h"

namespace nedbd {

RespService::RespService(DbRegistry& registry, RespServerOptions options, unsigned threads) {
  std::vector<boost::asio::io_context*> raw;
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    ios_.push_back(std::make_unique<boost::asio::io_context>(1));
    raw.push_back(ios_.back().get());
  }
  server_ = std::make_unique<RespServer>(*ios_[0], registry, std::move(options));
  server_->SetConnectionContexts(raw);
  server_->Start();
  for (auto& io : ios_) {
    threads_.emplace_back([ctx = io.get()] {
      auto guard = boost::asio::make_work_guard(*ctx);  // idle contexts wait for connections
      ctx->run();
    });
  }
}

RespService::~RespService() { Stop(); }

void RespService::Stop() {
  if (threads_.empty()) return;
  server_->Stop();
  // Closes are posted to the connections' contexts; then end every loop
  // (handlers still queued are destroyed with the contexts).
  for (auto& io : ios_) boost::asio::post(*io, [ctx = io.get()] { ctx->stop(); });
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace nedbd
