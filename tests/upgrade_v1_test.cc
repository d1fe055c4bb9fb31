// SPDX-License-Identifier: Apache-2.0
// logv2::UpgradeV1 (src/log/v2/upgrade_v1.h) on the v1 fixture that the last
// v1 engine wrote (tests/data/v1_fixture/): every op comes back from the v2
// segments as the v1 reader reads it from log.aof.v1; a failure at every Env
// call of the upgrade, in turn, is completed by the next call; a torn tail is
// cut, a damaged middle refused with nothing changed.
#include "log/v2/upgrade_v1.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fault_env.h"
#include "log/log_reader.h"
#include "log/op_codec.h"
#include "log/v2/op_convert.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "nedb/errors.h"
#include "test_util.h"
#include "util/blake2b.h"

namespace nedb::logv2 {
namespace {

namespace fs = std::filesystem;
using nedb::test::ReadFile;
using nedb::test::TempDir;
using nedb::test::WriteFile;
using nedb_test::FailNthCallEnv;

const std::string kFixture = NEDB_V1_FIXTURE_DIR;

nlohmann::json Expected() { return nlohmann::json::parse(ReadFile(kFixture + "/expected.json")); }

// Copies the fixture's database files into dir.
void CopyFixture(const std::string& dir) {
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(kFixture + "/db")) {
    fs::copy_file(e.path(), fs::path(dir) / e.path().filename());
  }
}

// An op with its own storage: what the v1 reader and the v2 reader give
// back, compared field by field.
struct Op {
  OpKind kind = OpKind::kGenesis;
  std::uint64_t seq = 0, nonce = 0, format_version = 0, state_seq = 0;
  std::int64_t ts = 0;
  std::string client, coll, id, doc, from, rel, to, snapshot;
  std::optional<std::string> idem;

  explicit Op(const OpView& v)
      : kind(v.kind),
        seq(v.seq),
        nonce(v.nonce),
        format_version(v.format_version),
        state_seq(v.state_seq),
        ts(v.ts),
        client(v.client),
        coll(v.coll),
        id(v.id),
        doc(v.doc),
        from(v.from),
        rel(v.rel),
        to(v.to),
        snapshot(v.snapshot) {
    if (v.idem) idem.emplace(*v.idem);
  }
  bool operator==(const Op&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Op& o) {
  return os << "{seq " << o.seq << ", " << OpKindName(o.kind) << ", ts " << o.ts << ", client "
            << o.client << ", nonce " << o.nonce << ", coll " << o.coll << ", id " << o.id
            << ", doc " << o.doc.size() << " bytes, " << o.from << " -" << o.rel << "-> " << o.to
            << ", snapshot " << o.snapshot << "/" << o.state_seq << ", idem "
            << o.idem.value_or("-") << ", format " << o.format_version << "}";
}

struct V1Log {
  std::vector<Op> ops;
  ScanResult scan;
};

V1Log ReadV1(const std::string& path) {
  V1Log out;
  auto file = Env::Default()->NewSequentialFile(path);
  out.scan = ScanLog(*file, TailPolicy::kRecover,
                     [&](const OpView& op, std::uint64_t) { out.ops.emplace_back(op); });
  return out;
}

struct V2Log {
  std::vector<Op> ops;
  std::optional<std::string> v1_head;  // hex
  std::optional<std::uint64_t> v1_ops;
  std::set<std::string> salts;
  std::uint64_t puts = 0;
  std::size_t segments = 0;
};

// Reads dir/log strictly: no torn tail, every payload digest checked.
V2Log ReadV2(const std::string& dir) {
  V2Log out;
  ScanOptions opts;
  opts.allow_torn_tail = false;
  opts.check_digests = true;
  SegmentReader reader(Env::Default(), dir + "/log", opts);
  OpRecord rec;
  ConvertScratch scratch;
  while (reader.Next(&rec)) {
    OpView view;
    FromRecord(rec, &view, &scratch);
    out.ops.emplace_back(view);
    if (rec.kind == OpKind::kGenesis) {
      if (rec.v1_head) out.v1_head = ToHex(*rec.v1_head);
      out.v1_ops = rec.v1_ops;
    }
    if (rec.kind == OpKind::kPut) {
      EXPECT_EQ(rec.payload.state, PayloadState::kPlain);
      EXPECT_TRUE(PayloadDigestMatches(rec));
      out.salts.insert(std::string(rec.payload.salt));
      out.puts++;
    }
  }
  out.segments = reader.last_segment();
  return out;
}

// Checks that dir holds the finished upgrade of the v1 log v1 (read from the
// fixture or its damaged copy): the v2 ops are the v1 ops, the genesis names
// the v1 head and op count, the v1 files are kept under their new names.
void ExpectUpgraded(const std::string& dir, const V1Log& v1, const std::string& v1_bytes) {
  ASSERT_FALSE(fs::exists(dir + "/log.aof"));
  ASSERT_FALSE(fs::exists(dir + "/log.tmp"));
  ASSERT_TRUE(fs::exists(dir + "/log.aof.v1"));
  EXPECT_TRUE(ReadFile(dir + "/log.aof.v1") == v1_bytes) << "log.aof.v1 is not the v1 log";
  const V2Log v2 = ReadV2(dir);
  ASSERT_EQ(v2.ops.size(), v1.ops.size());
  for (std::size_t i = 0; i < v1.ops.size(); ++i) {
    Op want = v1.ops[i];
    if (want.kind == OpKind::kGenesis) {
      EXPECT_EQ(want.format_version, 1u);
      want.format_version = kLogFormatVersion;
    }
    ASSERT_EQ(v2.ops[i], want) << "op " << i;
  }
  ASSERT_TRUE(v2.v1_head.has_value());
  EXPECT_EQ(*v2.v1_head, v1.scan.last_hash);
  ASSERT_TRUE(v2.v1_ops.has_value());
  EXPECT_EQ(*v2.v1_ops, v1.ops.size());
  EXPECT_EQ(v2.salts.size(), v2.puts) << "every put has a salt of its own";
}

// name -> bytes of every file below dir (paths relative to dir).
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    out[rel] = e.is_regular_file() ? ReadFile(e.path().string()) : std::string("<dir>");
  }
  return out;
}

struct Logged {
  std::vector<std::string> lines;
  std::function<void(const std::string&)> fn() {
    return [this](const std::string& s) { lines.push_back(s); };
  }
  bool Has(const std::string& part) const {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(part) != std::string::npos; });
  }
};

TEST(UpgradeV1, FixtureKeepsEveryOp) {
  const nlohmann::json ex = Expected();
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  const std::string v1_bytes = ReadFile(dir + "/log.aof");
  const std::string meta = ReadFile(dir + "/meta.json");
  const std::string snapshot = ReadFile(dir + "/snapshot.json");

  Logged log;
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, log.fn()));
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_TRUE(log.Has(std::to_string(ex["ops"].get<std::uint64_t>()) + " ops converted"))
      << log.lines[0];
  EXPECT_TRUE(log.Has(ex["head"].get<std::string>())) << log.lines[0];

  const V1Log v1 = ReadV1(dir + "/log.aof.v1");
  EXPECT_FALSE(v1.scan.torn_tail);
  ASSERT_EQ(v1.ops.size(), ex["ops"].get<std::uint64_t>());
  EXPECT_EQ(v1.ops.back().seq, ex["seq"].get<std::uint64_t>());
  EXPECT_EQ(v1.scan.last_hash, ex["head"].get<std::string>());
  ExpectUpgraded(dir, v1, v1_bytes);

  // The fixture has every kind of v1 op, idem keys, a checkpoint, a ~100 KB
  // document; one segment at the default size.
  const V2Log v2 = ReadV2(dir);
  EXPECT_EQ(v2.segments, 1u);
  std::map<std::string, std::uint64_t> kinds;
  std::uint64_t idem = 0;
  std::size_t largest = 0;
  for (const Op& op : v2.ops) {
    kinds[std::string(OpKindName(op.kind))]++;
    idem += op.idem.has_value();
    largest = std::max(largest, op.doc.size());
  }
  for (const auto& [kind, n] : ex["op_kinds"].items()) {
    EXPECT_EQ(kinds[kind], n.get<std::uint64_t>()) << kind;
  }
  EXPECT_EQ(idem, ex["idem"].size());
  EXPECT_GT(largest, 100000u);

  // The v1 snapshot is kept aside, meta.json (indexes) stays as it was.
  EXPECT_FALSE(fs::exists(dir + "/snapshot.json"));
  EXPECT_TRUE(ReadFile(dir + "/snapshot.json.v1") == snapshot);
  EXPECT_TRUE(ReadFile(dir + "/meta.json") == meta);

  // Once only.
  Logged again;
  EXPECT_FALSE(UpgradeV1(Env::Default(), dir, again.fn()));
  EXPECT_TRUE(again.lines.empty());
}

// Nothing is lost, byte for byte: every v2 record, turned back into a v1 op
// and encoded with the v1 codec on the v1 hash chain, gives log.aof's line,
// and the chain ends at the v1 head the genesis records.
TEST(UpgradeV1, RecordsReencodeToTheV1Log) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, {}));
  const std::string v1_bytes = ReadFile(dir + "/log.aof.v1");
  SegmentReader reader(Env::Default(), dir + "/log");
  OpRecord rec;
  ConvertScratch scratch;
  std::string rebuilt, line, prev(kDigestHexChars, '0'), v1_head;
  char hash[kDigestHexChars];
  while (reader.Next(&rec)) {
    OpView op;
    FromRecord(rec, &op, &scratch);
    if (op.kind == OpKind::kGenesis) {
      ASSERT_TRUE(rec.v1_head.has_value());
      v1_head = ToHex(*rec.v1_head);
      op.format_version = 1;
    }
    op.prev = prev;
    line.clear();
    EncodeOpLine(op, &line, hash);
    rebuilt += line;
    prev.assign(hash, kDigestHexChars);
  }
  EXPECT_TRUE(rebuilt == v1_bytes) << "the v1 log rebuilt from the v2 records differs";
  EXPECT_EQ(prev, v1_head);
  EXPECT_EQ(prev, Expected()["head"].get<std::string>());
}

TEST(UpgradeV1, NothingToDo) {
  TempDir t;
  Logged log;
  EXPECT_FALSE(UpgradeV1(Env::Default(), t.path(), log.fn()));
  // A v2 directory (or one that is not a database) is left alone.
  fs::create_directories(t.sub("log"));
  WriteFile(t.sub("log/00000001.seg"), "whatever");
  EXPECT_FALSE(UpgradeV1(Env::Default(), t.path(), log.fn()));
  EXPECT_TRUE(log.lines.empty());
  EXPECT_EQ(ReadFile(t.sub("log/00000001.seg")), "whatever");
}

TEST(UpgradeV1, SmallSegmentsAndBatches) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  const std::string v1_bytes = ReadFile(dir + "/log.aof");
  UpgradeV1Options opts;
  opts.segment_bytes = 4 << 10;
  opts.write_batch_bytes = 1 << 10;
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, {}, opts));
  const V1Log v1 = ReadV1(dir + "/log.aof.v1");
  ExpectUpgraded(dir, v1, v1_bytes);
  EXPECT_GT(ReadV2(dir).segments, 5u);
}

// An Env that remembers the largest single append.
class MaxAppendEnv final : public EnvWrapper {
 public:
  MaxAppendEnv() : EnvWrapper(Env::Default()) {}
  std::unique_ptr<WritableFile> NewAppendableFile(const std::string& p) override {
    return std::make_unique<File>(this, target()->NewAppendableFile(p));
  }
  std::size_t max_append = 0;
  std::uint64_t appends = 0;

 private:
  class File final : public WritableFile {
   public:
    File(MaxAppendEnv* env, std::unique_ptr<WritableFile> base)
        : env_(env), base_(std::move(base)) {}
    void Append(std::string_view d) override {
      env_->max_append = std::max(env_->max_append, d.size());
      env_->appends++;
      base_->Append(d);
    }
    void Sync() override { base_->Sync(); }
    void Truncate(std::uint64_t n) override { base_->Truncate(n); }
    void Close() override { base_->Close(); }

   private:
    MaxAppendEnv* env_;
    std::unique_ptr<WritableFile> base_;
  };
};

// A larger v1 log, written with the v1 codec: the upgrade streams it, one op
// at a time, handing the OS batches of about write_batch_bytes.
TEST(UpgradeV1, StreamsALargeLogInBatches) {
  TempDir t;
  const std::string dir = t.sub("db");
  fs::create_directories(dir);
  constexpr int kOps = 20000;
  {
    std::string out, line;
    char hash[kDigestHexChars];
    std::string prev(128, '0');
    const std::string filler(900, 'x');
    for (int i = 0; i < kOps; ++i) {
      OpView op;
      op.seq = static_cast<std::uint64_t>(i);
      op.ts = 1717243200000 + i;
      op.prev = prev;
      std::string doc;
      if (i == 0) {
        op.kind = OpKind::kGenesis;
        op.client = "nedb";
        op.format_version = 1;
      } else {
        op.kind = OpKind::kPut;
        op.client = "local";
        op.nonce = static_cast<std::uint64_t>(i);
        op.coll = "items";
        doc = "{\"_id\":\"" + std::to_string(i % 500) + "\",\"f\":\"" + filler + "\"}";
        op.id = std::string_view(doc).substr(8, std::to_string(i % 500).size());
        op.doc = doc;
      }
      line.clear();
      EncodeOpLine(op, &line, hash);
      out += line;
      prev.assign(hash, kDigestHexChars);
    }
    WriteFile(dir + "/log.aof", out);
  }
  const std::string v1_bytes = ReadFile(dir + "/log.aof");
  ASSERT_GT(v1_bytes.size(), std::size_t{20} << 20);
  MaxAppendEnv env;
  UpgradeV1Options opts;
  opts.segment_bytes = 1 << 20;
  opts.write_batch_bytes = 64 << 10;
  ASSERT_TRUE(UpgradeV1(&env, dir, {}, opts));
  EXPECT_LE(env.max_append, opts.write_batch_bytes + 2048);  // a batch and one record
  EXPECT_GT(env.appends, 200u);
  const V1Log v1 = ReadV1(dir + "/log.aof.v1");
  ASSERT_EQ(v1.ops.size(), static_cast<std::size_t>(kOps));
  ExpectUpgraded(dir, v1, v1_bytes);
  EXPECT_GE(ReadV2(dir).segments, 10u);
}

// Every Env call of the upgrade fails in turn: alone (the upgrade's own error
// handling runs) or with every call after it (a crash: nothing more reaches
// the disk). A second UpgradeV1 with a good Env always finishes the job.
void FailEveryCall(bool crash) {
  const std::string v1_bytes = ReadFile(kFixture + "/db/log.aof");
  const V1Log v1 = ReadV1(kFixture + "/db/log.aof");
  UpgradeV1Options opts;
  opts.segment_bytes = 8 << 10;  // a few segments, so segment changes fail too
  opts.write_batch_bytes = 4 << 10;
  std::uint64_t n = 1;
  bool leftover_removed = false, renames_finished = false;
  for (;; ++n) {
    SCOPED_TRACE("failing call " + std::to_string(n) + (crash ? " and every later one" : ""));
    TempDir t;
    const std::string dir = t.sub("db");
    CopyFixture(dir);
    FailNthCallEnv env(n, crash);
    bool threw = false;
    try {
      EXPECT_TRUE(UpgradeV1(&env, dir, {}, opts));
    } catch (const IOError& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    }
    if (!env.fired()) {
      EXPECT_FALSE(threw);
      ExpectUpgraded(dir, v1, v1_bytes);
      break;
    }
    EXPECT_TRUE(threw) << "the failure of " << env.failed_call() << " was not reported";
    Logged log;
    const bool done_before = !fs::exists(dir + "/log.aof");
    EXPECT_EQ(UpgradeV1(Env::Default(), dir, log.fn(), opts), !done_before)
        << "after the failure of " << env.failed_call();
    ExpectUpgraded(dir, v1, v1_bytes);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "after the failure of " << env.failed_call();
      return;
    }
    leftover_removed |= log.Has("left by an interrupted upgrade");
    renames_finished |= log.Has("finished an interrupted upgrade");
  }
  // The fixture's upgrade: opens, reads, segment writes and fsyncs, renames.
  EXPECT_GT(n, 30u);
  std::printf("%s: %llu Env calls, each failed in turn\n", crash ? "crash" : "failure",
              static_cast<unsigned long long>(n - 1));
  EXPECT_TRUE(renames_finished);
  if (crash) {
    EXPECT_TRUE(leftover_removed);
  }
}

TEST(UpgradeV1, FailureAtEveryEnvCall) { FailEveryCall(/*crash=*/false); }
TEST(UpgradeV1, CrashAtEveryEnvCall) { FailEveryCall(/*crash=*/true); }

TEST(UpgradeV1, TornTailIsCut) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  std::string bytes = ReadFile(dir + "/log.aof");
  const std::size_t last_start = bytes.rfind('\n', bytes.size() - 2) + 1;
  const std::size_t last_len = bytes.size() - last_start;
  bytes.resize(last_start + last_len / 2);  // the last line cut in half
  WriteFile(dir + "/log.aof", bytes);

  Logged log;
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, log.fn()));
  EXPECT_TRUE(log.Has("torn tail of " + std::to_string(last_len / 2) + " bytes at byte offset " +
                      std::to_string(last_start)))
      << ::testing::PrintToString(log.lines);
  const V1Log v1 = ReadV1(dir + "/log.aof.v1");  // the v1 reader cuts it too
  EXPECT_TRUE(v1.scan.torn_tail);
  const nlohmann::json ex = Expected();
  ASSERT_EQ(v1.ops.size(), ex["ops"].get<std::size_t>() - 1);
  ExpectUpgraded(dir, v1, bytes);  // log.aof.v1 keeps the torn bytes
}

TEST(UpgradeV1, DamagedMiddleChangesNothing) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  std::string bytes = ReadFile(dir + "/log.aof");
  // A character inside the document of an op in the middle.
  const std::size_t at = bytes.find("\"batch\":\"pre-checkpoint\"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = 'P';
  WriteFile(dir + "/log.aof", bytes);
  const auto before = Snapshot(dir);
  Logged log;
  try {
    UpgradeV1(Env::Default(), dir, log.fn());
    ADD_FAILURE() << "no CorruptionError";
  } catch (const CorruptionError& e) {
    EXPECT_NE(std::string(e.what()).find("log.aof corrupt at seq"), std::string::npos) << e.what();
    EXPECT_GT(e.seq(), 50u);
  }
  EXPECT_TRUE(Snapshot(dir) == before) << "the directory changed";
  EXPECT_TRUE(log.lines.empty());
}

TEST(UpgradeV1, LogWithoutACompleteOp) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  const std::string bytes = ReadFile(dir + "/log.aof");
  WriteFile(dir + "/log.aof", bytes.substr(0, bytes.find('\n') / 2));  // half a genesis
  Logged log;
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, log.fn()));
  EXPECT_TRUE(log.Has("holds no complete op")) << ::testing::PrintToString(log.lines);
  EXPECT_FALSE(fs::exists(dir + "/log"));
  EXPECT_FALSE(fs::exists(dir + "/log.aof"));
  EXPECT_TRUE(fs::exists(dir + "/log.aof.v1"));
  EXPECT_FALSE(UpgradeV1(Env::Default(), dir, log.fn()));
}

// A crash between the renames leaves log/ beside log.aof: the renames are
// done only if log.aof is the log that log/ was converted from.
TEST(UpgradeV1, FinishesRenamesOnlyForItsOwnV1Log) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, {}));
  const std::string v1_bytes = ReadFile(dir + "/log.aof.v1");

  // Another v1 log (one op short) beside log/: refused, nothing changed.
  WriteFile(dir + "/log.aof", v1_bytes.substr(0, v1_bytes.rfind('\n', v1_bytes.size() - 2) + 1));
  auto before = Snapshot(dir);
  EXPECT_THROW(UpgradeV1(Env::Default(), dir, {}), CorruptionError);
  EXPECT_TRUE(Snapshot(dir) == before) << "the directory changed";

  // The same v1 log: the renames are finished.
  fs::rename(dir + "/log.aof.v1", dir + "/log.aof");
  fs::rename(dir + "/snapshot.json.v1", dir + "/snapshot.json");
  Logged log;
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, log.fn()));
  EXPECT_TRUE(log.Has("finished an interrupted upgrade")) << ::testing::PrintToString(log.lines);
  EXPECT_TRUE(fs::exists(dir + "/snapshot.json.v1"));
  ExpectUpgraded(dir, ReadV1(dir + "/log.aof.v1"), v1_bytes);

  // A v2 log not upgraded from any v1 log, beside a log.aof: refused.
  TempDir t2;
  const std::string dir2 = t2.sub("db");
  CopyFixture(dir2);
  {  // a genesis without v1 fields
    OpRecord g;
    g.kind = OpKind::kGenesis;
    g.client = "nedb";
    g.format_version = kLogFormatVersion;
    auto w = SegmentWriter::Create(Env::Default(), dir2 + "/log", 0);
    w->Add(g);
    w->Close();
  }
  before = Snapshot(dir2);
  try {
    UpgradeV1(Env::Default(), dir2, {});
    ADD_FAILURE() << "no CorruptionError";
  } catch (const CorruptionError& e) {
    EXPECT_NE(std::string(e.what()).find("not upgraded from it"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(Snapshot(dir2) == before) << "the directory changed";
}

// A leftover log/ with no segment (no v2 log) is replaced by the converted one.
TEST(UpgradeV1, EmptyLogDirIsReplaced) {
  TempDir t;
  const std::string dir = t.sub("db");
  CopyFixture(dir);
  const std::string v1_bytes = ReadFile(dir + "/log.aof");
  fs::create_directories(dir + "/log");
  ASSERT_TRUE(UpgradeV1(Env::Default(), dir, {}));
  ExpectUpgraded(dir, ReadV1(dir + "/log.aof.v1"), v1_bytes);
}

}  // namespace
}  // namespace nedb::logv2
