// Checkpoints: the op in the chain, snapshot-assisted open (O(delta)),
// fallback to a full replay for a missing/truncated/mismatched snapshot,
// time travel before the checkpoint, and faults at every step.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "checkpoint/snapshot.h"
#include "fault_env.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::ReadFile;
using test::TempDir;
using test::WriteFile;

void Fill(NEDB& db, int n, int base = 0) {
  for (int i = base; i < base + n; ++i) {
    db.put("users", "u" + std::to_string(i % 50), {{"i", i}, {"status", i % 3 ? "a" : "b"}});
    if (i % 10 == 0) db.remove("users", "u" + std::to_string((i + 7) % 50));
    if (i % 4 == 0)
      db.link("users:u" + std::to_string(i % 7), "r", "users:u" + std::to_string(i % 5));
    if (i % 8 == 0)
      db.unlink("users:u" + std::to_string(i % 7), "r", "users:u" + std::to_string(i % 5));
  }
}

struct Quiet {
  std::vector<std::string> messages;
  Options opts(Sync s = Sync::Always) {
    return Options{.sync = s, .logger = [this](const std::string& m) { messages.push_back(m); }};
  }
};

TEST(CheckpointTest, IsAnOpAndReopenReplaysOnlyTheDelta) {
  TempDir dir;
  std::string head;
  std::vector<json> at_snap, at_head;
  std::uint64_t cp_seq;
  {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None});
    db.create_index("users", "status", "eq");
    Fill(db, 300);
    db.put("orders", "o1", {{"t", 1}}, {.client = "shop", .nonce = 9, .idem = "k1"});
    json cp = db.checkpoint();
    cp_seq = cp["seq"];
    EXPECT_EQ(cp_seq, db.seq());
    EXPECT_EQ(cp["snapshot_seq"], cp_seq - 1);
    EXPECT_EQ(cp["snapshot"].get<std::string>().size(), 128u);
    Fill(db, 40, 300);
    head = db.head();
    at_snap = db.query("FROM users AS OF " + std::to_string(cp_seq - 1));
    at_head = db.query(R"(FROM users WHERE status = "a")");
  }
  const std::string log = ReadFile(dir.sub("d/log.aof"));
  EXPECT_NE(log.find("\"op\":\"checkpoint\",\"snapshot\":\""), std::string::npos);
  Quiet q;
  NEDB db(dir.sub("d"), q.opts());
  EXPECT_TRUE(q.messages.empty());
  const json info = db.open_info();
  EXPECT_EQ(info["snapshot"], true);
  EXPECT_EQ(info["snapshot_seq"], cp_seq - 1);
  EXPECT_EQ(info["replayed_ops"], db.seq() - cp_seq);  // only the delta
  EXPECT_EQ(db.head(), head);
  EXPECT_TRUE(db.verify());  // genesis -> checkpoint -> head
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_EQ(db.query(R"(FROM users WHERE status = "a")"), at_head);
  EXPECT_EQ(db.explain(R"(FROM users WHERE status = "a")")["steps"][0]["using"]["kind"], "eq");
  // Time travel before the checkpoint still works (history loaded lazily).
  EXPECT_EQ(db.query("FROM users AS OF " + std::to_string(cp_seq - 1)), at_snap);
  EXPECT_FALSE(db.get("users", "u1", 0).has_value());
  ASSERT_TRUE(db.get("users", "u3", 6).has_value());
  EXPECT_EQ((*db.get("users", "u3", 6))["i"], 3);
  // Replay protection and idempotency survived the snapshot-assisted open.
  EXPECT_THROW(db.put("x", "1", json::object(), {.client = "shop", .nonce = 9}), ReplayError);
  EXPECT_EQ(db.put("orders", "o1", {{"t", 2}}, {.client = "shop", .idem = "k1"})["t"], 1);
  EXPECT_EQ(db.seq(), db.seq());
}

TEST(CheckpointTest, NeighborsAsOfBeforeTheCheckpoint) {
  TempDir dir;
  {
    NEDB db(dir.sub("d"));
    db.link("a:1", "r", "b:1");    // 1
    db.link("a:1", "r", "b:2");    // 2
    db.unlink("a:1", "r", "b:1");  // 3
    db.checkpoint();
  }
  NEDB db(dir.sub("d"));
  EXPECT_EQ(db.neighbors("a:1", "r", 2), (std::vector<std::string>{"b:1", "b:2"}));
  EXPECT_EQ(db.neighbors("a:1", "r"), (std::vector<std::string>{"b:2"}));
  EXPECT_EQ(db.inbound("b:1", "r", 1), (std::vector<std::string>{"a:1"}));
  EXPECT_TRUE(db.verify_determinism());
}

// Every way the snapshot can be unusable ends in a full replay, a warning,
// and the same state.
TEST(CheckpointTest, BadSnapshotsFallBackToFullReplay) {
  TempDir dir;
  std::string head;
  {
    NEDB db(dir.sub("d"));
    Fill(db, 100);
    db.checkpoint();
    Fill(db, 10, 100);
    head = db.head();
  }
  const std::string snap = ReadFile(dir.sub("d/snapshot.json"));
  std::string flipped = snap;
  flipped[snap.size() / 2] ^= 1;
  const std::vector<std::string> bad = {snap.substr(0, snap.size() / 2),  // truncated
                                        snap.substr(0, snap.size() - 1), flipped, "", "garbage\n"};
  for (const std::string& b : bad) {
    WriteFile(dir.sub("d/snapshot.json"), b);
    Quiet q;
    NEDB db(dir.sub("d"), q.opts());
    EXPECT_EQ(db.open_info()["snapshot"], false);
    EXPECT_EQ(db.head(), head);
    EXPECT_TRUE(db.verify_determinism());
    ASSERT_EQ(q.messages.size(), 1u);
    EXPECT_NE(q.messages[0].find("ignoring snapshot.json"), std::string::npos);
  }
  // A snapshot of another database (valid file, wrong digest in this log).
  TempDir other;
  {
    NEDB o(other.sub("d"));
    Fill(o, 100);
    o.checkpoint();
  }
  WriteFile(dir.sub("d/snapshot.json"), ReadFile(other.sub("d/snapshot.json")));
  Quiet q;
  NEDB db(dir.sub("d"), q.opts());
  EXPECT_EQ(db.open_info()["snapshot"], false);
  EXPECT_EQ(db.head(), head);
}

TEST(CheckpointTest, OlderSnapshotStaysValidAfterLaterCheckpointsAndMemoryWorks) {
  TempDir dir;
  std::string head;
  {
    NEDB db(dir.sub("d"));
    Fill(db, 50);
    db.checkpoint();
    const std::string first = ReadFile(dir.sub("d/snapshot.json"));
    Fill(db, 50, 50);
    db.checkpoint();
    Fill(db, 5, 100);
    head = db.head();
    db.close();
    // As if the second checkpoint's rename never happened.
    WriteFile(dir.sub("d/snapshot.json"), first);
  }
  NEDB db(dir.sub("d"));
  EXPECT_EQ(db.open_info()["snapshot"], true);
  EXPECT_EQ(db.head(), head);
  EXPECT_TRUE(db.verify_determinism());
  NEDB mem;
  Fill(mem, 30);
  json cp = mem.checkpoint();
  EXPECT_EQ(cp["seq"], mem.seq());
  EXPECT_TRUE(mem.verify());
  EXPECT_TRUE(mem.verify_determinism());
}

// A fault at each I/O step of checkpoint(): the caller gets an error and
// the database reopens to a correct state with every acknowledged op.
TEST(CheckpointTest, FaultAtEveryStepLeavesAnOpenableDatabase) {
  for (int step = 0; step < 6; ++step) {
    TempDir dir;
    std::string head_before;
    nedb_test::FaultInjectionEnv env(Env::Default());
    {
      NEDB db(dir.sub("d"), Options{.env = &env});
      Fill(db, 60);
      head_before = db.head();
      switch (step) {
        using F = nedb_test::FaultInjectionEnv;
        case 0: env.Arm(F::kAppend, 1, "snapshot.json.tmp"); break;
        case 1: env.Arm(F::kSync, 1, "snapshot.json.tmp"); break;
        case 2: env.Arm(F::kAppend, 1, "log.aof"); break;
        case 3: env.Arm(F::kSync, 1, "log.aof"); break;
        case 4: env.Arm(F::kRename, 1); break;
        case 5: env.Arm(F::kSyncDir, 1); break;
      }
      EXPECT_THROW(db.checkpoint(), IOError) << "step " << step;
    }
    Quiet q;
    NEDB db(dir.sub("d"), q.opts());
    EXPECT_TRUE(db.verify()) << step;
    EXPECT_TRUE(db.verify_determinism()) << step;
    EXPECT_GE(db.seq(), 1u);
    EXPECT_EQ((*db.get("users", "u9"))["i"], 59) << step;
    db.put("users", "after", {{"ok", true}});
    EXPECT_TRUE(db.verify()) << step;
  }
}

// The snapshot digest is the documented tree hash: BLAKE2b-512 over the
// concatenated BLAKE2b-512 digests of 1 MiB chunks, whichever code path
// (4-way AVX2, libsodium, one or two threads) computes each chunk.
TEST(SnapshotDigestTest, IsTheDocumentedTreeHash) {
  const std::size_t c = kSnapshotChunk;
  std::mt19937_64 rng(7);
  std::string data(9 * c + 300, '\0');
  for (char& ch : data) ch = static_cast<char>(rng());
  for (std::size_t n :
       {std::size_t{0}, std::size_t{1}, std::size_t{127}, std::size_t{128}, std::size_t{129}, c - 1,
        c, c + 1, 4 * c, 4 * c + 1, 5 * c - 128, 8 * c, 8 * c + 17, 9 * c + 300}) {
    const std::string_view in(data.data(), n);
    std::string leaves;
    for (std::size_t off = 0; off < n; off += c) {
      const Digest d = Blake2b(in.substr(off, std::min(c, n - off)));
      leaves.append(reinterpret_cast<const char*>(d.data()), d.size());
    }
    EXPECT_EQ(ToHex(SnapshotDigest(in)), ToHex(Blake2b(leaves))) << n;
    // Filled piecewise by another thread while two threads hash.
    SnapshotHasher h(in.data(), n);
    HasherThread helper(&h, n);
    std::thread filler([&] {
      for (std::size_t k = 0; k <= n; k += 300'000) h.Filled(k);
      h.Filled(n);
    });
    h.Work();
    filler.join();
    helper.Join();
    EXPECT_EQ(ToHex(h.Root()), ToHex(Blake2b(leaves))) << n;
  }
}

}  // namespace
}  // namespace nedb
