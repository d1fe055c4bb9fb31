// SPDX-License-Identifier: Apache-2.0
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

// A database at path with a checkpoint and 10 ops after it; returns its head.
std::string CheckpointedWithDelta(const std::string& path) {
  NEDB db(path);
  Fill(db, 100);
  db.checkpoint();
  Fill(db, 10, 100);
  return db.head();
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
  Quiet q;
  NEDB db(dir.sub("d"), q.opts());
  EXPECT_TRUE(q.messages.empty());
  const json info = db.open_info();
  EXPECT_EQ(info["snapshot"], true);
  EXPECT_EQ(info["snapshot_seq"], cp_seq - 1);
  EXPECT_EQ(info["replayed_ops"], db.seq() - cp_seq);  // only the delta
  EXPECT_EQ(db.head(), head);
  const std::vector<json> ops = db.log(db.seq() - cp_seq + 1);
  EXPECT_EQ(ops.back()["op"], "checkpoint");
  EXPECT_EQ(ops.back()["seq"], cp_seq);
  EXPECT_EQ(ops.back()["snapshot"].get<std::string>().size(), 128u);
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
  const std::string head = CheckpointedWithDelta(dir.sub("d"));
  const std::string snap = ReadFile(dir.sub("d/snapshot.json"));
  std::string flipped = snap;
  flipped[snap.size() / 2] ^= 1;
  const std::string header = snap.substr(0, snap.find('\n') + 1);
  const std::vector<std::string> bad = {
      snap.substr(0, snap.size() / 2),  // truncated
      snap.substr(0, snap.size() - 1),
      header,  // no body
      flipped, "", "garbage\n",
      // a version-1 file (JSON lines), as written before the binary format
      R"({"checkpoint_offset":1,"checkpoint_seq":2,"counts":[1,1,0,0,0,0,0,0],"format":"nedb-snapshot","has_genesis":true,"head":"00","indexes":[],"seq":1,"version":1})"
      "\n[\"end\",1]\n"};
  for (const std::string& b : bad) {
    WriteFile(dir.sub("d/snapshot.json"), b);
    Quiet q;
    NEDB db(dir.sub("d"), q.opts());
    EXPECT_EQ(db.open_info()["snapshot"], false);
    EXPECT_EQ(db.head(), head);
    EXPECT_TRUE(db.verify_determinism());
    ASSERT_EQ(q.messages.size(), 1u);
    EXPECT_NE(q.messages[0].find("ignoring snapshot.json"), std::string::npos);
    if (b.find("\"version\":1") != std::string::npos) {
      EXPECT_NE(q.messages[0].find("unsupported version 1"), std::string::npos) << q.messages[0];
    }
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
        case 2: env.Arm(F::kAppend, 1, ".seg"); break;
        case 3: env.Arm(F::kSync, 1, ".seg"); break;
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

// Documents loaded from a snapshot live in the snapshot's buffer: updating,
// deleting, reading old versions, checkpointing again and closing must all
// work (and free correctly under ASan).
TEST(CheckpointTest, WritesAfterASnapshotLoadAndCheckpointAgain) {
  TempDir dir;
  std::string head;
  {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None});
    db.create_index("users", "status", "eq");
    Fill(db, 200);
    db.checkpoint();
  }
  for (int round = 0; round < 2; ++round) {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None});
    ASSERT_EQ(db.open_info()["snapshot"], true);
    const std::uint64_t before = db.seq();
    const auto old = db.get("users", "u3");
    for (int i = 0; i < 50; i += 2) {
      db.put("users", "u" + std::to_string(i), {{"i", 1000 + i}, {"status", "c"}});
      db.remove("users", "u" + std::to_string(i + 1));
    }
    EXPECT_EQ(db.get("users", "u3", before), old);
    EXPECT_FALSE(db.get("users", "u3").has_value());
    EXPECT_EQ((*db.get("users", "u4"))["i"], 1004);
    EXPECT_EQ(db.query(R"(FROM users WHERE status = "c")").size(), 25u);
    EXPECT_TRUE(db.verify_determinism());
    db.checkpoint();
    head = db.head();
  }
  NEDB db(dir.sub("d"));
  EXPECT_EQ(db.open_info()["snapshot"], true);
  EXPECT_EQ(db.head(), head);
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

// A snapshot large enough to be read and hashed by a second thread while
// it is parsed: loads, and falls back when damaged far into the file.
TEST(CheckpointTest, LargeSnapshotIsReadHashedAndParsedConcurrently) {
  TempDir dir;
  std::string head;
  {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None});
    const std::string pad(600, 'x');
    for (int i = 0; i < 16000; ++i) db.put("big", "k" + std::to_string(i), {{"i", i}, {"p", pad}});
    db.checkpoint();
    db.put("big", "k1", {{"i", -1}});
    head = db.head();
  }
  const std::string snap = ReadFile(dir.sub("d/snapshot.json"));
  ASSERT_GE(snap.size(), kSnapshotThreadBytes);
  {
    NEDB db(dir.sub("d"));
    EXPECT_EQ(db.open_info()["snapshot"], true);
    EXPECT_EQ(db.head(), head);
    EXPECT_EQ((*db.get("big", "k15999"))["i"], 15999);
    EXPECT_TRUE(db.verify_determinism());
  }
  std::string flipped = snap;
  flipped[snap.size() - 5 * kSnapshotChunk / 2] ^= 4;
  for (const std::string& b : {flipped, snap.substr(0, snap.size() - kSnapshotChunk)}) {
    WriteFile(dir.sub("d/snapshot.json"), b);
    Quiet q;
    NEDB db(dir.sub("d"), q.opts());
    EXPECT_EQ(db.open_info()["snapshot"], false);
    EXPECT_EQ(db.head(), head);
    ASSERT_EQ(q.messages.size(), 1u);
    EXPECT_NE(q.messages[0].find("ignoring snapshot.json"), std::string::npos);
  }
}

// PosixEnv maps snapshot.json read-only; an EnvWrapper (Env's default
// MapReadOnly) reads it into a buffer through NewSequentialFile. Both give
// the file's bytes and load the same state, directly and through open.
TEST(CheckpointTest, MappedAndReadSnapshotsLoadTheSameState) {
  TempDir dir;
  std::string head;
  {
    NEDB db(dir.sub("d"), Options{.sync = Sync::None});
    db.create_index("users", "status", "eq");
    const std::string pad(600, 'y');
    for (int i = 0; i < 16000; ++i) db.put("big", "k" + std::to_string(i), {{"i", i}, {"p", pad}});
    Fill(db, 300);
    db.checkpoint();
    Fill(db, 20, 300);
    head = db.head();
  }
  const std::string path = dir.sub("d/snapshot.json");
  const std::string file = ReadFile(path);
  ASSERT_GE(file.size(), kSnapshotThreadBytes);
  EnvWrapper wrapper(Env::Default());
  auto mapped = Env::Default()->MapReadOnly(path);
  auto read = wrapper.MapReadOnly(path);
  ASSERT_EQ(mapped->size(), file.size());
  ASSERT_EQ(read->size(), file.size());
  EXPECT_EQ(std::string_view(mapped->data(), mapped->size()), file);
  EXPECT_EQ(std::string_view(read->data(), read->size()), file);
  State from_map, from_read;
  SnapshotHeader h_map, h_read;
  SnapshotCodec::Load(Arena(std::move(mapped)), file.size(), &from_map, &h_map);
  SnapshotCodec::Load(Arena(std::move(read)), file.size(), &from_read, &h_read);
  EXPECT_TRUE(from_map.Equals(from_read));
  EXPECT_EQ(h_map.head, h_read.head);
  // Nothing is lost: it serializes to as many bytes as the file has (the
  // same bytes but for the order of hash-map items such as edge lists).
  EXPECT_EQ(SnapshotCodec::Serialize(from_map, h_map).size(), file.size());
  EXPECT_EQ(SnapshotCodec::Serialize(from_read, h_read).size(), file.size());

  std::vector<json> big, users;
  json info;
  for (Env* env : {static_cast<Env*>(&wrapper), Env::Default()}) {
    Quiet q;
    Options o = q.opts(Sync::None);
    o.env = env;
    NEDB db(dir.sub("d"), o);
    EXPECT_TRUE(q.messages.empty());
    EXPECT_EQ(db.open_info()["snapshot"], true);
    EXPECT_EQ(db.head(), head);
    EXPECT_TRUE(db.verify_determinism());
    if (env == &wrapper) {
      big = db.query("FROM big");
      users = db.query(R"(FROM users WHERE status = "a")");
      info = db.open_info();
      continue;
    }
    EXPECT_EQ(db.query("FROM big"), big);
    EXPECT_EQ(db.query(R"(FROM users WHERE status = "a")"), users);
    EXPECT_EQ(db.open_info(), info);
    // A checkpoint renames a new file over the mapped one: the documents
    // loaded from the old mapping stay readable.
    db.put("big", "k0", {{"i", -1}});
    db.checkpoint();
    EXPECT_EQ((*db.get("big", "k15999"))["i"], 15999);
    EXPECT_EQ(db.query("FROM big").size(), big.size());
    EXPECT_TRUE(db.verify_determinism());
  }
}

// A failure opening snapshot.json (through the read path a wrapper Env
// uses) means a warning and a full replay, as for any unusable snapshot.
TEST(CheckpointTest, FaultOpeningTheSnapshotFallsBackToFullReplay) {
  TempDir dir;
  const std::string head = CheckpointedWithDelta(dir.sub("d"));
  nedb_test::FaultInjectionEnv env(Env::Default());
  {
    Quiet q;
    Options o = q.opts();
    o.env = &env;
    NEDB db(dir.sub("d"), o);  // no fault: loads through the read path
    EXPECT_EQ(db.open_info()["snapshot"], true);
    EXPECT_GE(env.count(nedb_test::FaultInjectionEnv::kOpenRead), 1u);
    EXPECT_TRUE(q.messages.empty());
  }
  env.Arm(nedb_test::FaultInjectionEnv::kOpenRead, 1, "snapshot.json");
  Quiet q;
  Options o = q.opts();
  o.env = &env;
  NEDB db(dir.sub("d"), o);
  EXPECT_EQ(env.fired(), 1u);
  EXPECT_EQ(db.open_info()["snapshot"], false);
  EXPECT_EQ(db.head(), head);
  EXPECT_TRUE(db.verify_determinism());
  ASSERT_EQ(q.messages.size(), 1u);
  EXPECT_NE(q.messages[0].find("ignoring snapshot.json"), std::string::npos) << q.messages[0];
  EXPECT_NE(q.messages[0].find("injected open for reading failure"), std::string::npos)
      << q.messages[0];
}

// The mapping's edge cases: an empty file, a missing one.
TEST(CheckpointTest, MapReadOnlyOfEmptyAndMissingFiles) {
  TempDir dir;
  WriteFile(dir.sub("empty"), "");
  EnvWrapper wrapper(Env::Default());
  for (Env* env : {Env::Default(), static_cast<Env*>(&wrapper)}) {
    auto r = env->MapReadOnly(dir.sub("empty"));
    EXPECT_EQ(r->size(), 0u);
    EXPECT_NE(r->data(), nullptr);
    EXPECT_THROW(env->MapReadOnly(dir.sub("missing")), IOError);
  }
}

// ---- the version-2 body, byte by byte (docs/FORMAT.md) ----

void PutVar(std::uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutStr(std::string_view s, std::string* out) {
  PutVar(s.size(), out);
  out->append(s);
}
void PutU32(std::uint32_t v, std::string* out) { out->append(reinterpret_cast<char*>(&v), 4); }

// A snapshot file from a header object (its body_bytes set here) and a body.
std::string Snapshot(json header, const std::string& body) {
  header["body_bytes"] = body.size();
  return header.dump() + "\n" + body;
}

json MinimalHeader() {
  return {{"format", "nedb-snapshot"},
          {"version", 3},
          {"seq", 3},
          {"head", std::string(64, 'a')},
          {"checkpoint_seq", 4},
          {"counts", {1, 3, 0, 0, 0, 0, 0, 0, 0}},
          {"has_genesis", true},
          {"indexes", json::array()},
          {"collections", 1},
          {"documents", 2},
          {"edges", 1},
          {"nonces", 1},
          {"idem", 1}};
}

std::string MinimalBody() {
  std::string b;
  PutStr("c", &b);
  PutVar(2, &b);
  PutVar(1, &b);  // seq
  PutStr("a", &b);
  PutU32(9, &b);
  b += R"({"_id":1})";
  PutVar(300, &b);  // a two-byte var
  PutStr("b", &b);
  PutU32(0xFFFFFFFF, &b);  // deleted
  PutStr("c:a", &b);       // edge
  PutStr("r", &b);
  PutStr("c:b", &b);
  PutVar(2, &b);
  PutVar(0, &b);      // still live
  PutStr("cli", &b);  // nonce
  PutVar(7, &b);
  PutStr("key", &b);  // idem
  PutVar(1, &b);
  PutStr("put", &b);
  PutStr("c", &b);
  PutStr("a", &b);
  return b;
}

void ExpectBad(const std::string& bytes, const std::string& why) {
  State st;
  SnapshotHeader h;
  try {
    SnapshotCodec::Load(bytes, &st, &h);
    ADD_FAILURE() << "loaded; expected: " << why;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos)
        << e.what() << "; expected: " << why;
  }
}

TEST(SnapshotFormatTest, LoadsTheDocumentedLayout) {
  State st;
  SnapshotHeader h;
  SnapshotCodec::Load(Snapshot(MinimalHeader(), MinimalBody()), &st, &h);
  EXPECT_EQ(h.seq, 3u);
  EXPECT_EQ(st.seq(), 3u);
  const Collection* c = st.docs().collection("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->entries().size(), 2u);
  EXPECT_EQ(c->live(), 1u);
  EXPECT_EQ(st.docs().Get("c", "a", 3)->view(), R"({"_id":1})");
  EXPECT_EQ(st.docs().HeadSeq("c", "b"), 300u);
  EXPECT_FALSE(st.docs().Live("c", "b"));
  EXPECT_EQ(st.graph().Out("c:a", "r", 3), std::vector<std::string>{"c:b"});
  EXPECT_EQ(st.last_nonce("cli"), 7u);
  ASSERT_NE(st.idem("key"), nullptr);
  EXPECT_EQ(st.idem("key")->coll, "c");
  EXPECT_EQ(st.op_count(OpKind::kPut), 3u);
}

TEST(SnapshotFormatTest, RejectsEveryTruncationAndBadField) {
  const json hd = MinimalHeader();
  const std::string body = MinimalBody();
  const std::string good = Snapshot(hd, body);
  // Cut anywhere (in the header or in any section): rejected.
  for (std::size_t n = 0; n < good.size(); ++n) {
    State st;
    SnapshotHeader h;
    EXPECT_THROW(SnapshotCodec::Load(std::string_view(good).substr(0, n), &st, &h), Error) << n;
  }
  // A body cut anywhere but with body_bytes saying so: each section's
  // reader finds the end.
  for (std::size_t n = 0; n < body.size(); ++n) {
    State st;
    SnapshotHeader h;
    EXPECT_THROW(SnapshotCodec::Load(Snapshot(hd, body.substr(0, n)), &st, &h), Error) << n;
  }
  // Counts that do not match the body, in each direction.
  for (const char* k : {"collections", "documents", "edges", "nonces", "idem"}) {
    for (int d : {-1, 1}) {
      json x = hd;
      x[k] = x[k].get<int>() + d;
      State st;
      SnapshotHeader h;
      EXPECT_THROW(SnapshotCodec::Load(Snapshot(x, body), &st, &h), Error) << k << d;
    }
  }
  {
    json x = hd;
    x["documents"] = 1'000'000'000;
    ExpectBad(Snapshot(x, body), "documents count is larger than the file");
  }
  ExpectBad(good + "x", "the header says the body has");
  ExpectBad(Snapshot(hd, body + "x"), "bytes after the last item");
  for (int v : {0, 1, 2, 4}) {
    json x = hd;
    x["version"] = v;
    ExpectBad(Snapshot(x, body), "unsupported version " + std::to_string(v));
  }
  for (const char* k : {"seq", "head", "counts", "collections", "idem", "has_genesis"}) {
    json x = hd;
    x.erase(k);
    ExpectBad(Snapshot(x, body), "header");
  }
  // Lengths and counts pointing past the end.
  std::string b = body;
  b.replace(0, 1, "\xff\xff\xff\xff\x0f");  // the collection name's length: 2^32 - 1
  ExpectBad(Snapshot(hd, b), "a string length points past the end");
  b = body;
  b[2] = '\x7f';  // the entry count (127 entries of >= 6 bytes: more than the file)
  ExpectBad(Snapshot(hd, b), "the entry count is larger than the file");
  b = body;
  b.replace(6, 4, "\xf0\xff\xff\x7f");  // the first document's u32 length
  ExpectBad(Snapshot(hd, b), "a document length points past the end");
  b = body;
  b.replace(3, 1, std::string(10, '\xff') + "\x01");  // an 11-byte var
  ExpectBad(Snapshot(hd, b), "a number does not fit in 64 bits");
  // Duplicates and unknown names.
  b = body;
  b[b.find(std::string("\x01") + "b") + 1] = 'a';  // the deleted entry gets id "a" too
  ExpectBad(Snapshot(hd, b), "listed twice");
  b = body;
  b.replace(b.find("put"), 3, "pub");
  ExpectBad(Snapshot(hd, b), "unknown op kind");
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
    HelperThread helper(&h, [&h] { h.Work(); });
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
