// SPDX-License-Identifier: Apache-2.0
// Reading the log back: torn tails are cut, everything else is corruption;
// verify() catches every kind of tampering.
#include <gtest/gtest.h>

#include <vector>

#include "log/log_reader.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using test::ReadFile;
using test::TempDir;
using test::WriteFile;

// A durable log of n puts; returns its bytes and the offsets of each line.
std::string MakeLog(const TempDir& dir, int n, std::vector<std::size_t>* offsets) {
  {
    NEDB db(dir.sub("db"), Options{.sync = Sync::None});
    for (int i = 0; i < n; ++i) db.put("docs", "d" + std::to_string(i), {{"i", i}});
  }
  std::string log = ReadFile(dir.sub("db/log.aof"));
  offsets->clear();
  std::size_t at = 0;
  while (at < log.size()) {
    offsets->push_back(at);
    at = log.find('\n', at) + 1;
  }
  return log;
}

ScanResult Scan(const std::string& bytes, TailPolicy policy, std::uint64_t* count = nullptr) {
  StringSequentialFile f(bytes);
  std::uint64_t n = 0;
  ScanResult r = ScanLog(f, policy, [&](const OpView&, std::uint64_t) { ++n; });
  if (count) *count = n;
  return r;
}

TEST(LogRecoveryTest, WholeLogScansClean) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 10, &off);
  ScanResult r = Scan(log, TailPolicy::kStrict);
  EXPECT_EQ(r.ops, 11u);
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_FALSE(r.torn_tail);
}

TEST(LogRecoveryTest, EveryPrefixRecoversToLastWholeLine) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 5, &off);
  for (std::size_t cut = 1; cut < log.size(); ++cut) {
    ScanResult r = Scan(log.substr(0, cut), TailPolicy::kRecover);
    std::size_t whole = 0;
    for (std::size_t o : off) {
      if (o < cut && log.find('\n', o) < cut) whole++;
    }
    ASSERT_EQ(r.ops, whole) << "cut at " << cut;
    EXPECT_EQ(r.torn_tail, r.valid_bytes != cut);
  }
}

TEST(LogRecoveryTest, TrailingZerosAreATornTail) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 3, &off);
  std::string torn = log + std::string(4096, '\0');
  ScanResult r = Scan(torn, TailPolicy::kRecover);
  EXPECT_TRUE(r.torn_tail);
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_THROW(Scan(torn, TailPolicy::kStrict), CorruptionError);
}

TEST(LogRecoveryTest, DamageBeforeTheTailIsCorruptionNamingSeqAndOffset) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 6, &off);
  std::string bad = log;
  bad[off[3] + 20] ^= 0x20;  // inside the line of seq 3
  try {
    Scan(bad, TailPolicy::kRecover);
    FAIL() << "expected CorruptionError";
  } catch (const CorruptionError& e) {
    EXPECT_EQ(e.seq(), 3u);
    EXPECT_EQ(e.offset(), off[3]);
    EXPECT_NE(std::string(e.what()).find("seq 3"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(off[3])), std::string::npos);
  }
}

std::string Line(const std::string& log, const std::vector<std::size_t>& off, std::size_t i) {
  std::size_t end = i + 1 < off.size() ? off[i + 1] : log.size();
  return log.substr(off[i], end - off[i]);
}

TEST(LogRecoveryTest, ValidLinesOutOfChainAreCorruptionEvenAtTheTail) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 4, &off);
  // Deleting the second-to-last op leaves a last line with a valid hash but
  // a broken chain: that is tampering, never a torn write.
  std::string deleted = log.substr(0, off[3]) + Line(log, off, 4);
  EXPECT_THROW(Scan(deleted, TailPolicy::kRecover), CorruptionError);
  std::string swapped =
      log.substr(0, off[2]) + Line(log, off, 3) + Line(log, off, 2) + Line(log, off, 4);
  EXPECT_THROW(Scan(swapped, TailPolicy::kRecover), CorruptionError);
  std::string duplicated = log + Line(log, off, 4);
  EXPECT_THROW(Scan(duplicated, TailPolicy::kRecover), CorruptionError);
}

TEST(LogRecoveryTest, VerifyDetectsModifiedReorderedInsertedDeletedOps) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 6, &off);
  const std::string path = dir.sub("db/log.aof");
  NEDB db(dir.sub("db"), Options{.logger = [](const std::string&) {}});
  ASSERT_TRUE(db.verify());
  std::string modified = log;
  modified[off[2] + 30] ^= 1;
  std::string reordered =
      log.substr(0, off[1]) + Line(log, off, 2) + Line(log, off, 1) + log.substr(off[3]);
  std::string inserted = log.substr(0, off[3]) + Line(log, off, 2) + log.substr(off[3]);
  std::string deleted = log.substr(0, off[2]) + log.substr(off[3]);
  for (const std::string& bad : {modified, reordered, inserted, deleted}) {
    WriteFile(path, bad);
    EXPECT_FALSE(db.verify());
  }
  WriteFile(path, log);
  EXPECT_TRUE(db.verify());
}

TEST(LogRecoveryTest, ReopenCutsTornTailAndLogsIt) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 3, &off);
  const std::string path = dir.sub("db/log.aof");
  std::string head;
  {
    NEDB db(dir.sub("db"));
    head = db.head();
  }
  WriteFile(path, log + log.substr(off[1], 40));  // a half-written line
  std::vector<std::string> messages;
  NEDB db(dir.sub("db"), Options{.logger = [&](const std::string& m) { messages.push_back(m); }});
  EXPECT_EQ(db.seq(), 3u);
  EXPECT_EQ(db.head(), head);
  EXPECT_EQ(ReadFile(path), log);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("torn tail"), std::string::npos);
  db.put("docs", "after", {{"ok", true}});
  EXPECT_TRUE(db.verify());
}

TEST(LogRecoveryTest, ReopenRefusesMidLogCorruption) {
  TempDir dir;
  std::vector<std::size_t> off;
  std::string log = MakeLog(dir, 3, &off);
  log[off[1] + 15] ^= 1;
  WriteFile(dir.sub("db/log.aof"), log);
  try {
    NEDB db(dir.sub("db"));
    FAIL();
  } catch (const CorruptionError& e) {
    EXPECT_EQ(e.seq(), 1u);
    EXPECT_EQ(e.offset(), off[1]);
  }
}

}  // namespace
}  // namespace nedb
