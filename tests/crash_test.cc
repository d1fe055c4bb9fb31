// SPDX-License-Identifier: Apache-2.0
// Crash recovery on log format v2 (docs/FORMAT-v2.md, "Recovery"): SIGKILL a
// real writer process (crash_writer) at random moments, with segments of
// the default size and tiny ones, and check that every acknowledged op
// survives under the root acknowledged with it; a crash at every
// file-system call; torn frames and torn segment starts at every length;
// damaged middles (a flipped bit in every byte, garbage lengths) named by
// seq and offset; and the directory lock.
//
// NEDB_CRASH_SEED=<n> replays one random schedule.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fault_env.h"
#include "nedb/nedb.h"
#include "test_util.h"

extern char** environ;

namespace {

using nedb::NEDB;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

using ScratchDir = nedb::test::DbDir;
using nedb::test::ReadFile;
using nedb::test::WriteFile;

nedb::Options Quiet() {
  return {.logger = [](const std::string&) {}};
}

// A crash_writer process with its stdout on a pipe. The destructor SIGKILLs
// and reaps it if the test did not.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& stderr_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> argv{const_cast<char*>(CRASH_WRITER_PATH)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, CRASH_WRITER_PATH, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    fd_ = fds[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("posix_spawn " CRASH_WRITER_PATH " failed");
    }
  }
  ~Child() {
    if (pid_ > 0) KillAndWait();
    if (fd_ >= 0) ::close(fd_);
  }

  // Collects stdout until the deadline, EOF, or (if non-empty) needle appears.
  void ReadUntil(Clock::time_point deadline, const std::string& needle = "") {
    char buf[1 << 16];
    while (!eof_ && (needle.empty() || out_.find(needle) == std::string::npos)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n > 0) {
        out_.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        eof_ = true;
      }
    }
  }
  // SIGKILL, drain stdout, reap. Returns the wait status.
  int KillAndWait() {
    ::kill(pid_, SIGKILL);
    return Wait();
  }
  // Drains stdout to EOF and reaps. Returns the wait status.
  int Wait() {
    ReadUntil(Clock::now() + std::chrono::seconds(30));
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }
  const std::string& out() const { return out_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool eof_ = false;
  std::string out_;
};

// ---- random SIGKILL ----

// What the database must hold, kept outside it: docs of "c" and edges.
struct Model {
  std::map<std::string, std::optional<json>> docs;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> edges;
  // The log holds at least base_seq + acked_puts ops: db.seq() at the last
  // check, plus the puts acknowledged since (each appends one op). The seq a
  // writer reads after its call is no bound: another thread's atomic() group
  // is visible before its write() and a kill can lose it (nedb.h, atomic()).
  std::uint64_t base_seq = 0;
  std::uint64_t acked_puts = 0;
};

void Apply(const json& op, Model* m) {
  const std::string kind = op["op"];
  if (kind == "put") {
    json doc = op["doc"];
    doc["_id"] = op["key"];
    m->docs[op["key"]] = doc;
  } else if (kind == "del") {
    m->docs[op["key"]] = std::nullopt;
  } else {
    m->edges[{op["from"], op["rel"]}].insert(op["to"].get<std::string>());
  }
}

// The v2 segment header of segment number with first seq first
// (docs/FORMAT-v2.md, "Segments").
std::string SegmentHeader(std::uint32_t number, std::uint64_t first) {
  std::string h = "NEDBSEG\n" + std::string(24, '\0');
  nedb::test::PutU32(&h, 8, 2);
  nedb::test::PutU32(&h, 12, number);
  nedb::test::PutU32(&h, 16, static_cast<std::uint32_t>(first));
  nedb::test::PutU32(&h, 20, static_cast<std::uint32_t>(first >> 32));
  nedb::test::PutU32(&h, 28, nedb::test::TestCrc32c(h.substr(0, 28)));
  return h;
}

// Tears the log as a crash in the middle of an append would: appends a
// prefix of one of its frames to the last segment, or (a crash inside a
// segment switch) starts the next segment with a prefix of its header, or
// with its whole header and a prefix of a frame. Only a log that ends
// cleanly is torn (a writer never appends after a torn tail without
// cutting it first): returns false for one that does not.
bool TearTail(const ScratchDir& dir, std::mt19937& rng) {
  const std::uint32_t last = dir.last_segment();
  if (last == 0) return false;
  std::uint64_t records = 0;
  std::string frame;  // a frame to tear: the last one
  bool last_has_records = false;
  for (std::uint32_t n = 1; n <= last; ++n) {
    const std::string seg = ReadFile(dir.segment(n));
    const std::vector<nedb::test::Frame> frames = nedb::test::SegmentFrames(seg);
    if (n == last &&
        (seg.size() < nedb::test::kSegmentHeaderBytes ||
         seg.size() != (frames.empty() ? nedb::test::kSegmentHeaderBytes : frames.back().end()))) {
      return false;  // torn already
    }
    records += frames.size();
    if (!frames.empty()) frame = seg.substr(frames.back().offset, frames.back().size);
    last_has_records = !frames.empty();
  }
  if (frame.empty()) return false;
  const std::string torn_frame = frame.substr(0, 1 + rng() % (frame.size() - 1));
  switch (last_has_records ? rng() % 3 : 0) {
    case 0: std::ofstream(dir.segment(last), std::ios::binary | std::ios::app) << torn_frame; break;
    case 1:
      WriteFile(
          dir.segment(last + 1),
          SegmentHeader(last + 1, records).substr(0, rng() % nedb::test::kSegmentHeaderBytes));
      break;
    default: WriteFile(dir.segment(last + 1), SegmentHeader(last + 1, records) + torn_frame);
  }
  return true;
}

// The writer thread that owns a key ("t3_5") or a node ("n:t3"); -1 for
// others (edge targets).
int Owner(const std::string& name) {
  if (name.rfind("n:t", 0) == 0) return std::atoi(name.c_str() + 3);
  if (name.rfind("t", 0) == 0) return std::atoi(name.c_str() + 1);
  return -1;
}

// Folds one run's output into the model and the roots the writer
// acknowledged (seq -> root of the log up to seq); returns, per thread, the
// ops in flight when the writer died (begun since that thread's last "ok").
std::map<int, std::vector<json>> FoldAcknowledged(const std::string& out, Model* m,
                                                  std::map<std::uint64_t, std::string>* roots) {
  std::map<int, std::vector<json>> pending;
  std::istringstream lines(out.substr(0, out.rfind('\n') + 1));  // whole lines only
  for (std::string line; std::getline(lines, line);) {
    const json ev = json::parse(line);
    const int t = ev["t"];
    if (ev["ev"] == "begin") {
      pending[t].push_back(ev);
    } else {
      for (const json& op : pending[t]) {
        Apply(op, m);
        if (op["op"] == "put") m->acked_puts++;
      }
      pending.erase(t);
      const auto [it, fresh] = roots->emplace(ev["seq"].get<std::uint64_t>(), ev["head"]);
      EXPECT_EQ(it->second, ev["head"].get<std::string>())
          << "two roots acknowledged for seq " << it->first;
    }
  }
  return pending;
}

// What db holds of the model's keys and edges (plus those in `also`).
Model Observe(const NEDB& db, const Model& also) {
  Model got;
  for (const auto& [key, doc] : also.docs) got.docs[key] = db.get("c", key);
  for (const auto& [from_rel, to] : also.edges) {
    const std::vector<std::string> v = db.neighbors(from_rel.first, from_rel.second);
    got.edges[from_rel] = std::set<std::string>(v.begin(), v.end());
    EXPECT_EQ(got.edges[from_rel].size(), v.size()) << "duplicate edges from " << from_rel.first;
  }
  return got;
}

// True if a and b agree on every key and edge list thread t owns.
bool SameForThread(const Model& a, const Model& b, int t) {
  for (const auto& [key, doc] : a.docs) {
    if (Owner(key) == t && b.docs.at(key) != doc) return false;
  }
  for (const auto& [from_rel, to] : a.edges) {
    if (Owner(from_rel.first) == t && b.edges.at(from_rel) != to) return false;
  }
  return true;
}

// Checks db against the model: for each writer thread, what it owns is the
// acknowledged state plus a prefix (possibly empty, possibly all) of its
// in-flight ops. Then adopts what the database holds as the next model.
void CheckAgainstModel(const NEDB& db, const std::map<int, std::vector<json>>& in_flight,
                       Model* m) {
  Model all = *m;  // every key and edge any prefix can touch
  for (const auto& [t, ops] : in_flight) {
    for (const json& op : ops) Apply(op, &all);
  }
  Model acked = *m;
  for (const auto& [key, doc] : all.docs) acked.docs.try_emplace(key, std::nullopt);
  for (const auto& [from_rel, to] : all.edges) acked.edges.try_emplace(from_rel);
  const Model got = Observe(db, all);
  std::set<int> threads;
  for (const auto& [key, doc] : all.docs) threads.insert(Owner(key));
  for (const auto& [from_rel, to] : all.edges) threads.insert(Owner(from_rel.first));
  for (const int t : threads) {
    Model prefix = acked;
    bool ok = SameForThread(prefix, got, t);
    auto it = in_flight.find(t);
    if (it != in_flight.end()) {
      for (std::size_t k = 0; k < it->second.size() && !ok; ++k) {
        Apply(it->second[k], &prefix);
        ok = SameForThread(prefix, got, t);
      }
    }
    std::string held;
    for (const auto& [key, doc] : got.docs) {
      if (Owner(key) == t) held += " c/" + key + "=" + (doc ? doc->dump() : "none");
    }
    EXPECT_TRUE(ok) << "thread " << t << ": the database holds neither the acknowledged state "
                    << "nor it plus a prefix of the "
                    << (it == in_flight.end() ? 0 : it->second.size()) << " in-flight ops; it holds"
                    << held;
  }
  m->docs = got.docs;
  m->edges = got.edges;
  EXPECT_GE(db.seq(), m->base_seq + m->acked_puts);
  m->base_seq = db.seq();
  m->acked_puts = 0;
}

// Every root the writer acknowledged is the root of the reopened log up to
// that seq: every acknowledged op survived, and nothing before it changed.
void CheckAcknowledgedRoots(const NEDB& db, const std::map<std::uint64_t, std::string>& roots) {
  if (roots.empty()) return;
  ASSERT_GE(db.seq(), roots.rbegin()->first) << "an acknowledged op was lost";
  for (const auto& [seq, root] : roots) {
    ASSERT_EQ(db.root(seq + 1), root) << "the log up to acknowledged seq " << seq << " changed";
  }
}

// Rounds of: start crash_writer on one database, SIGKILL it at a random
// moment, sometimes tear the log's tail, reopen and check everything
// acknowledged survived. segment_bytes: the writer's Options::segment_bytes
// for a round (0: the default).
void SigkillRounds(int rounds, const std::function<std::uint64_t(std::mt19937&)>& segment_bytes) {
  const char* env_seed = std::getenv("NEDB_CRASH_SEED");
  const unsigned seed = env_seed ? static_cast<unsigned>(std::atoll(env_seed))
                                 : static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("NEDB_CRASH_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  ScratchDir dir;
  Model model;
  std::map<std::uint64_t, std::string> roots;  // acknowledged: seq -> root up to it
  int output_lines = 0;
  int snapshot_opens = 0;         // the writer checkpoints: most reopens load a snapshot
  int tears = 0;                  // logs torn here and cut by the next open
  int switch_kills = 0;           // kills that left a new segment without a record
  std::size_t max_in_flight = 0;  // ops of one thread in flight at a kill
  for (int round = 0; round < rounds; ++round) {
    // One round in five dies within 10 ms: often inside open or recovery.
    // The others are killed a random delay after the writer's first line,
    // so a slow start (a loaded machine, a sanitizer build) still writes.
    const bool early = rng() % 5 == 0;
    const int delay_ms = early ? static_cast<int>(rng() % 10) : 10 + static_cast<int>(rng() % 190);
    const int threads = 1 + static_cast<int>(rng() % 4);
    const std::uint64_t seg_bytes = segment_bytes(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ", delay " + std::to_string(delay_ms) +
                 " ms, " + std::to_string(threads) + " threads, segment_bytes " +
                 std::to_string(seg_bytes));
    std::vector<std::string> args{dir.db(), "write", std::to_string(round),
                                  std::to_string(threads)};
    if (seg_bytes != 0) args.push_back(std::to_string(seg_bytes));
    Child child(args, dir.sub("writer.stderr"));
    if (!early) child.ReadUntil(Clock::now() + std::chrono::seconds(60), "\n");
    child.ReadUntil(Clock::now() + std::chrono::milliseconds(delay_ms));
    const int status = child.KillAndWait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "crash_writer exited by itself, status " << status << ": "
        << ReadFile(dir.sub("writer.stderr"));

    const std::map<int, std::vector<json>> in_flight =
        FoldAcknowledged(child.out(), &model, &roots);
    if (::testing::Test::HasFailure()) return;
    for (const auto& [t, ops] : in_flight) max_in_flight = std::max(max_in_flight, ops.size());
    output_lines += static_cast<int>(std::count(child.out().begin(), child.out().end(), '\n'));
    // A kill inside a segment switch leaves a last segment without a record.
    if (const std::uint32_t last = dir.last_segment();
        last > 1 &&
        std::filesystem::file_size(dir.segment(last)) <= nedb::test::kSegmentHeaderBytes) {
      switch_kills++;
    }
    // Some rounds also tear the last write: recovered here, or (torn after
    // this check) by the next writer, which may itself be killed while at it.
    const bool torn_now = rng() % 4 == 0 && TearTail(dir, rng);
    tears += torn_now;
    std::vector<std::string> warnings;
    {
      std::optional<NEDB> db;
      auto keep = [&](const std::string& m) { warnings.push_back(m); };
      ASSERT_NO_THROW(db.emplace(dir.db(), nedb::Options{.logger = keep}));
      ASSERT_TRUE(db->verify());
      ASSERT_TRUE(db->verify_determinism());
      if (db->open_info()["snapshot"] == true) snapshot_opens++;
      CheckAcknowledgedRoots(*db, roots);
      CheckAgainstModel(*db, in_flight, &model);
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_LE(warnings.size(), 1u) << warnings.front();
    if (torn_now) {
      ASSERT_EQ(warnings.size(), 1u) << "a torn tail must be cut with a warning";
      EXPECT_NE(warnings[0].find("torn tail"), std::string::npos) << warnings[0];
    }
    if (rng() % 4 == 0) tears += TearTail(dir, rng);
  }
  std::printf(
      "%d rounds: %d output lines, %zu acknowledged roots up to seq %llu, %u segments, "
      "%d snapshot opens, %d tears, %d kills inside a segment switch, at most %zu ops of a "
      "thread in flight\n",
      rounds, output_lines, roots.size(),
      roots.empty() ? 0ull : static_cast<unsigned long long>(roots.rbegin()->first),
      dir.last_segment(), snapshot_opens, tears, switch_kills, max_in_flight);
  EXPECT_GT(output_lines, rounds) << "the writer hardly ever got to write";
  EXPECT_GT(snapshot_opens, 0) << "no reopen loaded a snapshot";
  EXPECT_GT(tears, 0) << "no round tore the log";
  // Kills landed inside atomic() groups at least once (40 rounds: nearly sure).
  EXPECT_GT(max_in_flight, 1u) << "no kill inside an atomic() group";
}

TEST(Crash, SigkillAtRandomMomentsLosesNoAcknowledgedOp) {
  SigkillRounds(40, [](std::mt19937&) { return std::uint64_t{0}; });
}

// Segments of a few records each: kills land before, inside and after
// segment switches (fsync of the full segment, creation of the next, its
// header, the directory fsync).
TEST(Crash, SigkillAcrossSegmentSwitchesLosesNoAcknowledgedOp) {
  SigkillRounds(30, [](std::mt19937& rng) { return std::uint64_t{200 + rng() % 1800}; });
}

// ---- crashes at every file-system call, deterministic ----

// Opens a database of small segments through an Env whose nth call fails
// and every later one too (FailNthCallEnv with crash: as if the process died
// there), writes until a write throws, and reopens with the real file
// system: every acknowledged op is there, under the root acknowledged with
// it. Covers crashes inside open, appends, fsyncs and segment switches.
TEST(Crash, CrashAtEveryFileSystemCallLosesNoAcknowledgedOp) {
  ScratchDir proto;
  {
    NEDB db(proto.db(), {.logger = [](const std::string&) {}, .segment_bytes = 300});
    for (int i = 0; i < 4; ++i) db.put("c", "k" + std::to_string(i), {{"v", i}});
  }
  int switches = 0;  // crash points inside a segment switch
  std::uint64_t n = 1;
  for (;; ++n) {
    SCOPED_TRACE("crash at call " + std::to_string(n));
    ScratchDir dir;
    std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
    nedb_test::FailNthCallEnv env(n, /*crash=*/true);
    std::map<std::uint64_t, std::string> roots;  // acknowledged: seq -> root up to it
    std::map<std::string, std::optional<json>> acked;
    std::string in_flight;  // the key of the write that failed, if any
    {
      std::optional<NEDB> db;
      try {
        db.emplace(
            dir.db(),
            nedb::Options{.env = &env, .logger = [](const std::string&) {}, .segment_bytes = 300});
        roots[db->seq()] = db->head();
        for (int i = 0; i < 12; ++i) {
          const std::string key = "k" + std::to_string(i % 6);
          in_flight = key;
          std::optional<json> doc;
          if (i % 4 == 3) {
            db->remove("c", key);
          } else if (i % 4 == 2) {  // two ops in one atomic() group
            doc = json{{"v", i}, {"pad", std::string(static_cast<std::size_t>(i) * 7, 'x')}};
            db->atomic([&] {
              db->put("c", key, *doc);
              db->link("c:" + key, "r", "c:k" + std::to_string(i));
            });
            (*doc)["_id"] = key;
          } else {
            doc = json{{"v", i}};
            db->put("c", key, *doc);
            (*doc)["_id"] = key;
          }
          acked[key] = doc;
          in_flight.clear();
          roots[db->seq()] = db->head();
        }
      } catch (const nedb::IOError& e) {
        EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
      }
    }  // closing through the crashed Env reaches nothing either
    if (!env.fired()) break;
    const std::string& call = env.failed_call();
    SCOPED_TRACE("the failed call: " + call);
    // Only starting a segment asks whether a segment exists, and syncs log/.
    if ((call.rfind("exists ", 0) == 0 && call.ends_with(".seg")) ||
        (call.rfind("sync dir ", 0) == 0 && call.ends_with("/log"))) {
      switches++;
    }
    std::vector<std::string> warnings;
    NEDB db(dir.db(),
            {.logger = [&](const std::string& m) { warnings.push_back(m); }, .segment_bytes = 300});
    EXPECT_LE(warnings.size(), 1u);
    EXPECT_TRUE(db.verify());
    EXPECT_TRUE(db.verify_determinism());
    CheckAcknowledgedRoots(db, roots);
    for (const auto& [key, doc] : acked) {
      if (key != in_flight) {
        EXPECT_EQ(db.get("c", key), doc) << key;
      }
    }
    // The reopened log takes new ops, which survive the next open.
    db.put("c", "after", {{"ok", true}});
    const std::uint64_t seq = db.seq();
    const std::string head = db.head();
    db.close();
    NEDB again(dir.db(), {.logger = [](const std::string&) {}});
    EXPECT_EQ(again.seq(), seq);
    EXPECT_EQ(again.head(), head);
    EXPECT_TRUE(again.verify());
    if (::testing::Test::HasFailure()) return;
  }
  std::printf("%llu file-system calls, each the last before a crash; %d inside a segment switch\n",
              static_cast<unsigned long long>(n - 1), switches);
  EXPECT_GT(n, 50u) << "fewer file-system calls than expected";
  EXPECT_GT(switches, 3) << "no crash inside a segment switch";
}

// ---- damaged logs, deterministic ----

// A database of 10 ops after genesis, all in segment 1.
struct TenOps {
  std::string bytes;                      // of segment 1
  std::vector<nedb::test::Frame> frames;  // frame s holds seq s
  std::string head;
  std::string frame(std::size_t s) const { return bytes.substr(frames[s].offset, frames[s].size); }
};

void WriteTenOps(const std::string& dir, const nedb::Options& options = {}) {
  NEDB db(dir, options);
  for (int i = 1; i <= 8; ++i) {
    db.put("c", "k" + std::to_string(i), {{"v", "value-" + std::to_string(i)}});
  }
  db.link("c:k1", "knows", "c:k2");
  db.remove("c", "k3");
}

TenOps MakeTenOps(const ScratchDir& dir) {
  WriteTenOps(dir.db());
  TenOps t;
  {
    NEDB db(dir.db(), Quiet());
    t.head = db.head();
  }
  EXPECT_EQ(dir.last_segment(), 1u);
  t.bytes = ReadFile(dir.segment(1));
  t.frames = nedb::test::SegmentFrames(t.bytes);
  EXPECT_EQ(t.frames.size(), 11u);
  EXPECT_EQ(t.frames.back().end(), t.bytes.size());
  return t;
}

void ExpectTenOpsIntact(const NEDB& db) {
  EXPECT_EQ(db.seq(), 10u);
  EXPECT_EQ(db.get("c", "k8"), (json{{"_id", "k8"}, {"v", "value-8"}}));
  EXPECT_EQ(db.get("c", "k3"), std::nullopt);
  EXPECT_EQ(db.neighbors("c:k1", "knows"), std::vector<std::string>{"c:k2"});
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

// Reopens dir, whose last segment `seg` holds base plus a torn tail: the
// tail is cut with one message, every op before it survives, and a new op
// lands after the cut and survives the next open.
void ExpectTornTailCut(const ScratchDir& dir, const std::string& seg, const std::string& base,
                       const std::string& head, const nedb::Options& options = {}) {
  std::vector<std::string> warnings;
  {
    nedb::Options o = options;
    o.logger = [&](const std::string& m) { warnings.push_back(m); };
    NEDB db(dir.db(), o);
    ExpectTenOpsIntact(db);
    EXPECT_EQ(db.head(), head);
    EXPECT_EQ(ReadFile(seg), base);
    db.put("c", "k9", {{"v", "after"}});
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("torn tail"), std::string::npos) << warnings[0];
  NEDB db(dir.db(), Quiet());  // and the new op after the cut is sound
  EXPECT_EQ(db.seq(), 11u);
  EXPECT_EQ(db.root(11), head);
  EXPECT_EQ(db.get("c", "k9"), (json{{"_id", "k9"}, {"v", "after"}}));
  EXPECT_EQ(db.get("c", "k8", 10), (json{{"_id", "k8"}, {"v", "value-8"}}));
  EXPECT_TRUE(db.verify());
}

TEST(Crash, TornTailIsCutOnReopenAndEverythingBeforeItSurvives) {
  // A real next record, to tear.
  ScratchDir proto;
  const TenOps ten = MakeTenOps(proto);
  {
    NEDB db(proto.db());
    db.put("c", "k9", {{"v", "value-9"}});
  }
  const std::string next = ReadFile(proto.segment(1)).substr(ten.bytes.size());
  ASSERT_EQ(nedb::test::SegmentFrames(ten.bytes + next).size(), 12u);

  std::vector<std::string> tails;
  for (std::size_t len = 1; len < next.size(); ++len) tails.push_back(next.substr(0, len));
  std::string flipped = next;  // whole, but a bit of its record flipped: the CRC fails
  flipped[next.size() / 2] ^= 0x10;
  tails.push_back(flipped);
  tails.push_back("not a frame at all\n");
  tails.push_back("\x01\x02garbage");
  tails.push_back(std::string(4096, '\0'));
  tails.push_back(next.substr(0, 40) + std::string(100, '\0'));
  for (std::size_t i = 0; i < tails.size(); ++i) {
    SCOPED_TRACE("tail #" + std::to_string(i) + " of " + std::to_string(tails[i].size()) +
                 " bytes");
    ScratchDir dir;
    std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
    WriteFile(dir.segment(1), ten.bytes + tails[i]);
    ExpectTornTailCut(dir, dir.segment(1), ten.bytes, ten.head);
    if (::testing::Test::HasFailure()) return;
  }
}

// A crash while the writer starts a new segment: the new segment's header
// torn at every length (or the file created empty), or its first record
// torn. The torn segment is removed or cut; every op before it survives.
TEST(Crash, TornSegmentSwitchIsCutOnReopen) {
  ScratchDir proto;
  const nedb::Options tiny{.logger = [](const std::string&) {}, .segment_bytes = 1};
  WriteTenOps(proto.db(), tiny);  // a segment per record
  std::string head;
  {
    NEDB db(proto.db(), tiny);
    head = db.head();
    db.put("c", "k9", {{"v", "value-9"}});
  }
  const std::uint32_t last = proto.last_segment();
  ASSERT_EQ(last, 12u);
  const std::string full = ReadFile(proto.segment(last));  // header + the record of seq 11
  ASSERT_GT(full.size(), nedb::test::kSegmentHeaderBytes + 8);
  std::vector<std::string> cuts;
  for (std::size_t len = 0; len < full.size(); ++len) cuts.push_back(full.substr(0, len));
  cuts.push_back(full.substr(0, 10) + std::string(100, '\0'));
  for (const std::string& cut : cuts) {
    SCOPED_TRACE("segment " + std::to_string(last) + " of " + std::to_string(cut.size()) +
                 " bytes");
    ScratchDir dir;
    std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
    WriteFile(dir.segment(last), cut);
    if (cut.size() == nedb::test::kSegmentHeaderBytes) {
      // A whole header and nothing after it: an empty last segment, no tear.
      NEDB db(dir.db(), {.logger = [](const std::string& m) { ADD_FAILURE() << m; }});
      ExpectTenOpsIntact(db);
      continue;
    }
    // Reopening starts the segment afresh: its header, no record.
    ExpectTornTailCut(dir, dir.segment(last), full.substr(0, nedb::test::kSegmentHeaderBytes), head,
                      tiny);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(Crash, DamageInTheMiddleThrowsCorruptionErrorNamingSeqAndOffset) {
  ScratchDir proto;
  const TenOps ten = MakeTenOps(proto);
  const std::string& base = ten.bytes;
  const auto& f = ten.frames;
  auto flip = [&](std::uint64_t at) {
    std::string b = base;
    b[at] ^= 0x01;
    return b;
  };
  struct Case {
    const char* name;
    std::string bytes;
    std::uint64_t seq, offset;
  };
  const std::vector<Case> cases = {
      {"flipped bit in op 5", flip(f[5].offset + f[5].size / 2), 5, f[5].offset},
      {"flipped bit in genesis", flip(f[0].offset + 10), 0, f[0].offset},
      {"flipped bit in the segment header", flip(14), 0, 0},
      {"op 5 deleted", base.substr(0, f[5].offset) + base.substr(f[6].offset), 5, f[5].offset},
      {"op 5 duplicated", base.substr(0, f[6].offset) + ten.frame(5) + base.substr(f[6].offset), 6,
       f[6].offset},
      {"ops 4 and 5 swapped",
       base.substr(0, f[4].offset) + ten.frame(5) + ten.frame(4) + base.substr(f[6].offset), 4,
       f[4].offset},
      {"junk before op 7", base.substr(0, f[7].offset) + "junk\n" + base.substr(f[7].offset), 7,
       f[7].offset},
      {"zeros before op 7",
       base.substr(0, f[7].offset) + std::string(64, '\0') + base.substr(f[7].offset), 7,
       f[7].offset},
      {"op 7 cut short", base.substr(0, f[7].end() - 5) + base.substr(f[8].offset), 7, f[7].offset},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScratchDir dir;
    std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
    WriteFile(dir.segment(1), c.bytes);
    try {
      NEDB db(dir.db(), Quiet());
      ADD_FAILURE() << "opened a corrupt log";
    } catch (const nedb::CorruptionError& e) {
      EXPECT_EQ(e.seq(), c.seq) << e.what();
      EXPECT_EQ(e.offset(), c.offset) << e.what();
      EXPECT_NE(std::string(e.what()).find("00000001.seg"), std::string::npos) << e.what();
    }
    EXPECT_EQ(ReadFile(dir.segment(1)), c.bytes) << "a corrupt log must be left untouched";
    WriteFile(dir.segment(1), base);  // the failed open released the lock
    NEDB db(dir.db(), Quiet());
    ExpectTenOpsIntact(db);
  }
}

// Any one bit flipped in any byte of a middle record, frame header
// included: the CRC fails and it is never skipped. Open throws
// CorruptionError naming that record's seq and its offset, and verify() of
// a database opened before the damage is false.
TEST(Crash, FlippedBitInEveryByteOfAMiddleRecordIsCorruption) {
  ScratchDir dir;
  const TenOps ten = MakeTenOps(dir);
  const nedb::test::Frame f = ten.frames[5];
  std::optional<NEDB> live(std::in_place, dir.db(), Quiet());
  for (std::uint64_t at = f.offset; at < f.end(); ++at) {
    SCOPED_TRACE("bit " + std::to_string(at % 8) + " of byte " + std::to_string(at - f.offset) +
                 " of the frame of seq 5");
    std::string bad = ten.bytes;
    bad[at] ^= static_cast<char>(1 << (at % 8));
    WriteFile(dir.segment(1), bad);
    EXPECT_FALSE(live->verify());
    live.reset();
    try {
      NEDB db(dir.db(), Quiet());
      ADD_FAILURE() << "opened a corrupt log";
    } catch (const nedb::CorruptionError& e) {
      EXPECT_EQ(e.seq(), 5u) << e.what();
      EXPECT_EQ(e.offset(), f.offset) << e.what();
    }
    EXPECT_EQ(ReadFile(dir.segment(1)), bad) << "a corrupt log must be left untouched";
    WriteFile(dir.segment(1), ten.bytes);
    live.emplace(dir.db(), Quiet());
    if (::testing::Test::HasFailure()) return;
  }
  ExpectTenOpsIntact(*live);
}

// The same flips with the frame's CRC recomputed (no crash does that: it
// is tampering). A byte of the entry: open throws CorruptionError naming
// seq 5 and its offset, or the log opens under a different root (the tree
// commits to every entry). A byte of the payload section: open throws
// CorruptionError as above, or verify() is false (the salted payload digest
// fails), on the reopened database and on one opened before the damage.
TEST(Crash, FlippedBitWithItsCrcRecomputedIsNeverSilent) {
  ScratchDir dir;
  const TenOps ten = MakeTenOps(dir);
  const nedb::test::Frame f = ten.frames[5];  // a put: c/k5
  const std::string record = ten.frame(5).substr(8);
  const std::size_t entry_end = 1 + static_cast<unsigned char>(record[0]);  // entry_len < 128
  ASSERT_LT(static_cast<unsigned char>(record[0]), 0x80);
  int opened = 0, refused = 0;
  for (std::uint64_t at = f.offset + 8; at < f.end(); ++at) {
    const std::uint64_t in_record = at - f.offset - 8;
    const bool in_entry = in_record < entry_end;
    SCOPED_TRACE("bit " + std::to_string(at % 8) + " of record byte " + std::to_string(in_record) +
                 (in_entry ? " (entry)" : " (payload section)"));
    std::string bad = ten.bytes;
    bad[at] ^= static_cast<char>(1 << (at % 8));
    nedb::test::RepairFrameCrc(&bad, f);
    {
      NEDB live(dir.db(), Quiet());
      WriteFile(dir.segment(1), bad);
      EXPECT_FALSE(live.verify());
    }
    try {
      NEDB db(dir.db(), Quiet());
      opened++;
      if (in_entry) {
        EXPECT_NE(db.head(), ten.head);
      } else {
        EXPECT_FALSE(db.verify());
      }
    } catch (const nedb::CorruptionError& e) {
      refused++;
      EXPECT_EQ(e.seq(), 5u) << e.what();
      EXPECT_EQ(e.offset(), f.offset) << e.what();
    }
    WriteFile(dir.segment(1), ten.bytes);
    if (::testing::Test::HasFailure()) return;
  }
  std::printf("%d flips opened (and were caught), %d refused at open\n", opened, refused);
  EXPECT_GT(opened, 0);
  EXPECT_GT(refused, 0);
  NEDB db(dir.db(), Quiet());
  ExpectTenOpsIntact(db);
}

// A garbage or oversize length field in the middle of the log (the v2 form
// of an over-long line): CorruptionError naming that frame's seq and
// offset, never a torn tail, wherever the length says the frame ends.
TEST(Crash, GarbageFrameLengthInTheMiddleNamesItsSeqAndOffset) {
  ScratchDir proto;
  const TenOps ten = MakeTenOps(proto);
  for (const std::uint64_t s : {7u, 9u}) {  // 9: the last but one
    const nedb::test::Frame f = ten.frames[s];
    const std::uint32_t len = static_cast<std::uint32_t>(f.size - 8);
    const std::uint32_t to_end = static_cast<std::uint32_t>(ten.bytes.size() - f.offset - 8);
    for (const std::uint32_t bad_len :
         {0u, 1u, len - 1, len + 1, to_end, to_end + 1000, (64u << 20) + 1, 0xFFFFFFFFu}) {
      SCOPED_TRACE("seq " + std::to_string(s) + ", length " + std::to_string(bad_len));
      ScratchDir dir;
      std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
      std::string bad = ten.bytes;
      nedb::test::PutU32(&bad, f.offset, bad_len);
      WriteFile(dir.segment(1), bad);
      try {
        NEDB db(dir.db(), Quiet());
        ADD_FAILURE() << "opened a corrupt log";
      } catch (const nedb::CorruptionError& e) {
        EXPECT_EQ(e.seq(), s) << e.what();
        EXPECT_EQ(e.offset(), f.offset) << e.what();
      }
      EXPECT_EQ(ReadFile(dir.segment(1)), bad) << "a corrupt log must be left untouched";
    }
  }
  // A real frame over the 64 MiB limit in the middle, CRC and all.
  ScratchDir dir;
  std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
  std::string big(8 + (64u << 20) + 1, 'x');
  nedb::test::PutU32(&big, 0, (64u << 20) + 1);
  nedb::test::RepairFrameCrc(&big, {0, big.size()});
  const std::uint64_t at = ten.frames[7].offset;
  WriteFile(dir.segment(1), ten.bytes.substr(0, at) + big + ten.bytes.substr(at));
  try {
    NEDB db(dir.db(), Quiet());
    ADD_FAILURE() << "opened a corrupt log";
  } catch (const nedb::CorruptionError& e) {
    EXPECT_EQ(e.seq(), 7u) << e.what();
    EXPECT_EQ(e.offset(), at) << e.what();
  }
}

// ---- the directory lock ----

TEST(Crash, SecondOpenInTheSameProcessGetsLockError) {
  ScratchDir dir;
  NEDB a(dir.db());
  EXPECT_THROW(NEDB(dir.db()), nedb::LockError);
  a.close();
  NEDB b(dir.db());
  EXPECT_EQ(b.seq(), 0u);
}

TEST(Crash, ChildProcessGetsLockErrorWhileWeHoldTheDatabase) {
  ScratchDir dir;
  auto open_in_child = [&] {
    Child child({dir.db(), "lock"}, dir.sub("lock.stderr"));
    const int status = child.Wait();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  {
    NEDB db(dir.db());
    EXPECT_EQ(open_in_child(), 3) << ReadFile(dir.sub("lock.stderr"));
  }
  EXPECT_EQ(open_in_child(), 0) << ReadFile(dir.sub("lock.stderr"));
}

TEST(Crash, WeGetLockErrorWhileAChildHoldsTheDatabaseAndNotAfterItIsKilled) {
  ScratchDir dir;
  Child child({dir.db(), "hold"}, dir.sub("hold.stderr"));
  child.ReadUntil(Clock::now() + std::chrono::seconds(20), "ready");
  ASSERT_NE(child.out().find("ready"), std::string::npos) << ReadFile(dir.sub("hold.stderr"));
  EXPECT_THROW(NEDB(dir.db()), nedb::LockError);
  child.KillAndWait();
  NEDB db(dir.db());
  EXPECT_TRUE(db.verify());
}

}  // namespace
