// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// Group commit in the server: writes to one database queue up on one of a
// few writer lanes (a database always maps to the same lane); a lane
// thread takes everything queued and runs it inside one NEDB::atomic(),
// so a whole batch shares one fsync, then hands each result to its
// callback. Each lane has two threads: atomic() releases the write lock
// before its fsync, so one thread appends the next batch while the other
// waits for the disk (and the engine's group commit may merge the two
// fsyncs). With 64 concurrent writers, a batch is about as large as the
// writers waiting.
//
// Compared with one blocked thread per write, this saves the wake-ups and
// context switches of every writer at every fsync (on 2 cores those, not
// the disk, limited concurrent puts).
//
// Thread safety: Submit() from any thread.
#ifndef NEDB_SERVER_WRITE_BATCHER_H_
#define NEDB_SERVER_WRITE_BATCHER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_types.h"
#include "nedb/nedb.h"

namespace nedbd {

class WriteBatcher {
 public:
  // A write: runs on the lane's thread inside db.atomic(); its exceptions
  // become its error response. It must only call put/remove/link/unlink/
  // expire of that database.
  using Job = std::function<Response()>;
  // Receives the job's response once it is durable (or the batch's error).
  using Done = std::function<void(Response)>;

  explicit WriteBatcher(unsigned lanes = 4, unsigned threads_per_lane = 2);
  // Finishes everything submitted, then joins the lanes.
  ~WriteBatcher();

  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  void Submit(const std::string& db_name, std::shared_ptr<nedb::NEDB> db, Job job, Done done);

 private:
  struct Item {
    std::shared_ptr<nedb::NEDB> db;
    Job job;
    Done done;
  };
  struct Lane {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> queue;  // guarded by mu
    bool stop = false;       // guarded by mu
    std::vector<std::thread> threads;
  };
  static void Loop(Lane& lane);
  static void RunBatch(std::vector<Item>& batch);

  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_WRITE_BATCHER_H_
