// SPDX-License-Identifier: Apache-2.0
// crash_writer: the victim process of crash_test. Not a test by itself.
//
//   crash_writer DIR write ROUND THREADS [SEGMENT_BYTES]
//                                         writes until killed (or ~20 s), with
//                                         Options::segment_bytes if given
//   crash_writer DIR hold                 opens DIR, prints "ready", waits to be killed
//   crash_writer DIR lock                 tries to open DIR: exit 0 if it could,
//                                         3 on LockError, 1 on any other error
//
// In write mode each thread owns the keys "c/t<T>_<0..7>" and the node
// "n:t<T>". Before each call it prints the op it is about to make, after the
// call returns an acknowledgement, each as one JSON line flushed at once:
//   {"ev":"begin","t":0,"op":"put","key":"t0_3","doc":{...}}
//   {"ev":"begin","t":0,"op":"del","key":"t0_3"}
//   {"ev":"begin","t":0,"op":"link","from":"n:t0","rel":"r1","to":"n:r2_14"}
//   {"ev":"ok","t":0,"seq":57,"head":"9f0c..."}
// An "ok" acknowledges every op the thread began since its previous "ok":
// some steps are groups of ops in one atomic(). So for each thread, the ops
// after its last "ok" may be in flight, and a crash keeps a prefix of them.
// seq and head are read after the call returned, holding the write lock
// (an empty atomic()): every op up to seq was handed to the OS by then (the
// thread's own ops fsynced too), so a SIGKILL keeps them all; head is
// root(seq + 1), the Merkle root of the log up to seq, which no crash may
// change.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nedb/nedb.h"

namespace {

std::mutex out_mu;

void Emit(const nlohmann::json& line) {
  const std::string s = line.dump() + "\n";
  std::lock_guard<std::mutex> l(out_mu);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

// Op i of thread t: announces it ("begin"), then makes it.
void Op(nedb::NEDB& db, int t, int round, int i, const nedb::WriteOptions& wo) {
  const std::string tt = "t" + std::to_string(t);
  const std::string key = tt + "_" + std::to_string(i % 8);
  nlohmann::json begin = {{"ev", "begin"}, {"t", t}};
  if (i % 5 == 3) {
    begin.update({{"op", "del"}, {"key", key}});
    Emit(begin);
    db.remove("c", key, wo);
  } else if (i % 5 == 4) {
    const std::string from = "n:" + tt, rel = "r" + std::to_string(i % 2);
    const std::string to = "n:r" + std::to_string(round) + "_" + std::to_string(i);
    begin.update({{"op", "link"}, {"from", from}, {"rel", rel}, {"to", to}});
    Emit(begin);
    db.link(from, rel, to, wo);
  } else {
    nlohmann::json doc = {{"t", t}, {"r", round}, {"i", i}, {"pad", std::string(i % 64, 'x')}};
    begin.update({{"op", "put"}, {"key", key}, {"doc", doc}});
    Emit(begin);
    db.put("c", key, doc, wo);
  }
}

void Write(nedb::NEDB& db, int t, int round, std::chrono::steady_clock::time_point deadline) {
  const nedb::WriteOptions wo{.client = "w" + std::to_string(t)};
  for (int i = 0; std::chrono::steady_clock::now() < deadline;) {
    // Every third step is a group of 2-5 ops in one atomic() (one write()
    // of all their lines): acknowledged together, and a kill leaves a prefix.
    const int group = (i / 3) % 3 == 2 ? 2 + i % 4 : 1;
    if (group == 1) {
      Op(db, t, round, i, wo);
    } else {
      db.atomic([&] {
        for (int k = 0; k < group; ++k) Op(db, t, round, i + k, wo);
      });
    }
    std::uint64_t seq = 0;
    std::string head;
    db.atomic([&] {
      seq = db.seq();
      head = db.root(seq + 1);
    });
    Emit({{"ev", "ok"}, {"t", t}, {"seq", seq}, {"head", head}});
    // Thread 0 also checkpoints now and then, so kills land inside
    // checkpoint() too (snapshot write, checkpoint op, rename).
    if (t == 0 && i / 25 != (i + group) / 25) db.checkpoint();
    i += group;
  }
}

void Writer(nedb::NEDB& db, int t, int round, std::chrono::steady_clock::time_point deadline) {
  try {
    Write(db, t, round, deadline);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash_writer: thread %d: %s\n", t, e.what());
    std::_Exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: crash_writer DIR write|hold|lock [ROUND THREADS [SEGMENT_BYTES]]\n");
    return 2;
  }
  const std::string dir = argv[1], mode = argv[2];
  try {
    if (mode == "lock") {
      nedb::NEDB db(dir);
      return 0;
    }
    nedb::Options options{.sync = nedb::Sync::Always};
    if (argc > 5) options.segment_bytes = std::strtoull(argv[5], nullptr, 10);
    nedb::NEDB db(dir, options);
    if (mode == "hold") {
      Emit({{"ev", "ready"}});
      for (;;) ::pause();
    }
    if (mode != "write" || argc < 5) return 2;
    const int round = std::atoi(argv[3]), threads = std::atoi(argv[4]);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) ts.emplace_back(Writer, std::ref(db), t, round, deadline);
    for (auto& th : ts) th.join();
    return 0;
  } catch (const nedb::LockError& e) {
    std::fprintf(stderr, "crash_writer: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash_writer: %s\n", e.what());
    return 1;
  }
}
