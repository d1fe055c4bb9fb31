// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "write_batcher.h"

namespace nedbd {

WriteBatcher::WriteBatcher(unsigned lanes, unsigned threads_per_lane) {
  for (unsigned i = 0; i < std::max(lanes, 1u); ++i) {
    lanes_.push_back(std::make_unique<Lane>());
    Lane& lane = *lanes_.back();
    for (unsigned t = 0; t < std::max(threads_per_lane, 1u); ++t) {
      lane.threads.emplace_back([&lane] { Loop(lane); });
    }
  }
}

WriteBatcher::~WriteBatcher() {
  for (auto& lane : lanes_) {
    {
      std::lock_guard<std::mutex> l(lane->mu);
      lane->stop = true;
    }
    lane->cv.notify_all();
  }
  for (auto& lane : lanes_) {
    for (auto& t : lane->threads) t.join();
  }
}

void WriteBatcher::Submit(const std::string& db_name, std::shared_ptr<nedb::NEDB> db, Job job,
                          Done done) {
  Lane& lane = *lanes_[std::hash<std::string>{}(db_name) % lanes_.size()];
  {
    std::lock_guard<std::mutex> l(lane.mu);
    lane.queue.push_back({std::move(db), std::move(job), std::move(done)});
  }
  lane.cv.notify_one();
}

void WriteBatcher::Loop(Lane& lane) {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(lane.mu);
      lane.cv.wait(l, [&] { return lane.stop || !lane.queue.empty(); });
      if (lane.queue.empty()) return;  // stop, and nothing left to do
      for (auto& item : lane.queue) batch.push_back(std::move(item));
      lane.queue.clear();
    }
    RunBatch(batch);
    batch.clear();
  }
}

void WriteBatcher::RunBatch(std::vector<Item>& batch) {
  // Consecutive items of the same database form one atomic group.
  std::size_t begin = 0;
  std::vector<Response> responses(batch.size());
  while (begin < batch.size()) {
    std::size_t end = begin;
    while (end < batch.size() && batch[end].db == batch[begin].db) ++end;
    try {
      batch[begin].db->atomic([&] {
        for (std::size_t i = begin; i < end; ++i) {
          try {
            responses[i] = batch[i].job();
          } catch (...) {
            responses[i] = ErrorFromException(std::current_exception());
          }
        }
      });
    } catch (...) {
      // The group's fsync (or the database itself) failed: none of its
      // writes may be reported as done.
      const Response error = ErrorFromException(std::current_exception());
      for (std::size_t i = begin; i < end; ++i) responses[i] = error;
    }
    for (std::size_t i = begin; i < end; ++i) batch[i].done(std::move(responses[i]));
    begin = end;
  }
}

}  // namespace nedbd
