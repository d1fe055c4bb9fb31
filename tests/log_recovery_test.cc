// SPDX-License-Identifier: Apache-2.0
// Reading the log back (log format v2, docs/FORMAT-v2.md, "Recovery"): a torn
// tail of the last segment is cut, everything else is CorruptionError naming
// the seq and the offset of the damaged frame; verify() catches every kind of
// tampering. (The v1 reader, still used to upgrade a log.aof, is tested in
// log_v1_reader_test.cc.)
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "log/v2/segment_reader.h"
#include "nedb/env.h"
#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using test::DbDir;
using test::Frame;
using test::ReadFile;
using test::WriteFile;

Options Quiet() {
  return {.logger = [](const std::string&) {}};
}

// A durable database of a genesis and n puts; the bytes of its one segment
// and its frames (frame s holds seq s).
struct Log {
  std::string bytes;
  std::vector<Frame> frames;
  std::string frame(std::size_t s) const { return bytes.substr(frames[s].offset, frames[s].size); }
};

Log MakeLog(const DbDir& dir, int n) {
  {
    NEDB db(dir.db(), Options{.sync = Sync::None});
    for (int i = 0; i < n; ++i) db.put("docs", "d" + std::to_string(i), {{"i", i}});
  }
  EXPECT_EQ(dir.last_segment(), 1u);
  Log log{ReadFile(dir.segment(1)), {}};
  log.frames = test::SegmentFrames(log.bytes);
  EXPECT_EQ(log.frames.size(), static_cast<std::size_t>(n) + 1);
  EXPECT_EQ(log.frames.back().end(), log.bytes.size());
  return log;
}

// What a SegmentReader finds in a log directory.
struct Scan {
  std::vector<std::uint64_t> seqs;
  std::vector<logv2::RecordLocation> locs;
  std::optional<logv2::TornTail> torn;
  std::uint64_t last_end = 0;
};

Scan ScanDir(const std::string& log_dir, logv2::ScanOptions opts = {}) {
  logv2::SegmentReader reader(Env::Default(), log_dir, opts);
  Scan s;
  logv2::OpRecord rec;
  logv2::RecordLocation loc;
  while (reader.Next(&rec, &loc)) {
    s.seqs.push_back(rec.seq);
    s.locs.push_back(loc);
  }
  s.torn = reader.torn_tail();
  s.last_end = reader.last_segment_end();
  return s;
}

// Expects CorruptionError at seq and offset of segment file `segment`, in its
// message too.
void ExpectCorruption(const std::function<void()>& fn, std::uint64_t seq, std::uint64_t offset,
                      const std::string& segment) {
  try {
    fn();
    ADD_FAILURE() << "expected CorruptionError at seq " << seq << ", offset " << offset;
  } catch (const CorruptionError& e) {
    EXPECT_EQ(e.seq(), seq) << e.what();
    EXPECT_EQ(e.offset(), offset) << e.what();
    const std::string what = e.what();
    EXPECT_NE(what.find("seq " + std::to_string(seq)), std::string::npos) << what;
    EXPECT_NE(what.find("offset " + std::to_string(offset)), std::string::npos) << what;
    EXPECT_NE(what.find(std::filesystem::path(segment).filename().string()), std::string::npos)
        << what;
  }
}

// The segment `bytes` (in place of dir's first) is corrupt at seq and
// offset: for the reader with and without a torn tail allowed, and for open,
// which leaves the file untouched.
void ExpectCorruptLog(const DbDir& dir, const std::string& bytes, std::uint64_t seq,
                      std::uint64_t offset) {
  WriteFile(dir.segment(1), bytes);
  for (const bool allow_torn_tail : {true, false}) {
    ExpectCorruption([&] { ScanDir(dir.log(), {.allow_torn_tail = allow_torn_tail}); }, seq, offset,
                     dir.segment(1));
  }
  ExpectCorruption([&] { NEDB db(dir.db(), Quiet()); }, seq, offset, dir.segment(1));
  EXPECT_EQ(ReadFile(dir.segment(1)), bytes) << "a corrupt log must be left untouched";
}

TEST(LogRecoveryTest, WholeLogScansClean) {
  DbDir dir;
  const Log log = MakeLog(dir, 10);
  const Scan s = ScanDir(dir.log(), {.allow_torn_tail = false, .check_digests = true});
  ASSERT_EQ(s.seqs.size(), 11u);
  for (std::uint64_t i = 0; i < 11; ++i) {
    EXPECT_EQ(s.seqs[i], i);
    EXPECT_EQ(s.locs[i].segment, 1u);
    EXPECT_EQ(s.locs[i].offset, log.frames[i].offset);
    EXPECT_EQ(s.locs[i].size, log.frames[i].size);
  }
  EXPECT_FALSE(s.torn);
  EXPECT_EQ(s.last_end, log.bytes.size());
}

TEST(LogRecoveryTest, WholeLogOfManySegmentsScansClean) {
  DbDir dir;
  {
    NEDB db(dir.db(), Options{.sync = Sync::None, .segment_bytes = 300});
    for (int i = 0; i < 30; ++i) db.put("docs", "d" + std::to_string(i), {{"i", i}});
    EXPECT_TRUE(db.verify());
  }
  const std::uint32_t segments = dir.last_segment();
  ASSERT_GT(segments, 5u);
  const Scan s = ScanDir(dir.log(), {.allow_torn_tail = false, .check_digests = true});
  ASSERT_EQ(s.seqs.size(), 31u);
  std::size_t k = 0;
  for (std::uint32_t n = 1; n <= segments; ++n) {
    const std::string bytes = ReadFile(dir.segment(n));
    const std::vector<Frame> frames = test::SegmentFrames(bytes);
    ASSERT_FALSE(frames.empty()) << "segment " << n;
    EXPECT_EQ(frames.back().end(), bytes.size()) << "segment " << n;
    for (const Frame& f : frames) {
      ASSERT_LT(k, s.locs.size());
      EXPECT_EQ(s.seqs[k], k);
      EXPECT_EQ(s.locs[k].segment, n);
      EXPECT_EQ(s.locs[k].offset, f.offset);
      EXPECT_EQ(s.locs[k].size, f.size);
      ++k;
    }
  }
  EXPECT_EQ(k, 31u);
  EXPECT_FALSE(s.torn);
}

TEST(LogRecoveryTest, EveryPrefixRecoversToLastWholeRecord) {
  DbDir dir;
  const Log log = MakeLog(dir, 5);
  for (std::size_t cut = 0; cut < log.bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFile(dir.segment(1), log.bytes.substr(0, cut));
    std::size_t whole = 0;
    while (whole < log.frames.size() && log.frames[whole].end() <= cut) whole++;
    const Scan s = ScanDir(dir.log());
    ASSERT_EQ(s.seqs.size(), whole);
    // A cut inside the header (or an empty file) is a torn header: offset 0.
    const bool torn_header = cut < test::kSegmentHeaderBytes;
    const std::uint64_t valid = torn_header  ? 0
                                : whole == 0 ? test::kSegmentHeaderBytes
                                             : log.frames[whole - 1].end();
    EXPECT_EQ(s.torn.has_value(), torn_header || valid != cut);
    if (s.torn) {
      EXPECT_EQ(s.torn->offset, valid);
      EXPECT_EQ(s.torn->bytes, cut - valid);
      EXPECT_EQ(s.last_end, valid);
      EXPECT_THROW(ScanDir(dir.log(), {.allow_torn_tail = false}), CorruptionError);
    } else {
      EXPECT_EQ(s.last_end, cut);
    }
  }
}

TEST(LogRecoveryTest, TrailingZerosAreATornTail) {
  DbDir dir;
  const Log log = MakeLog(dir, 3);
  for (const std::string& torn :
       {log.bytes + std::string(4096, '\0'),
        log.bytes + log.frame(3).substr(0, 20) + std::string(4096, '\0')}) {
    WriteFile(dir.segment(1), torn);
    const Scan s = ScanDir(dir.log());
    EXPECT_EQ(s.seqs.size(), 4u);
    ASSERT_TRUE(s.torn);
    EXPECT_EQ(s.torn->offset, log.bytes.size());
    EXPECT_EQ(s.torn->bytes, torn.size() - log.bytes.size());
    ExpectCorruption([&] { ScanDir(dir.log(), {.allow_torn_tail = false}); }, 4, log.bytes.size(),
                     dir.segment(1));
  }
}

TEST(LogRecoveryTest, DamageBeforeTheTailIsCorruptionNamingSeqAndOffset) {
  DbDir dir;
  const Log log = MakeLog(dir, 6);
  std::string bad = log.bytes;
  bad[log.frames[3].offset + 20] ^= 0x20;  // inside the record of seq 3
  ExpectCorruptLog(dir, bad, 3, log.frames[3].offset);
  // So is damage to the last record followed by anything but zeros.
  bad = log.bytes + "x";
  bad[log.frames[6].offset + 20] ^= 0x20;
  ExpectCorruptLog(dir, bad, 6, log.frames[6].offset);
}

TEST(LogRecoveryTest, ValidRecordsOutOfOrderAreCorruptionEvenAtTheTail) {
  DbDir dir;
  const Log log = MakeLog(dir, 4);
  const std::string head = log.bytes.substr(0, log.frames[2].offset);
  // Deleting the second-to-last op leaves a last record with a valid CRC
  // but the wrong seq: that is tampering, never a torn write.
  ExpectCorruptLog(dir, head + log.frame(2) + log.frame(4), 3, log.frames[3].offset);
  ExpectCorruptLog(dir, head + log.frame(3) + log.frame(2) + log.frame(4), 2, log.frames[2].offset);
  ExpectCorruptLog(dir, log.bytes + log.frame(4), 5, log.bytes.size());
  ExpectCorruptLog(dir, log.bytes + log.frame(0), 5, log.bytes.size());
}

TEST(LogRecoveryTest, VerifyDetectsModifiedReorderedInsertedDeletedOps) {
  DbDir dir;
  const Log log = MakeLog(dir, 6);
  const std::string seg = dir.segment(1);
  NEDB db(dir.db(), Quiet());
  ASSERT_TRUE(db.verify());
  auto frames = [&](std::initializer_list<std::size_t> order) {
    std::string b = log.bytes.substr(0, test::kSegmentHeaderBytes);
    for (std::size_t s : order) b += log.frame(s);
    return b;
  };
  std::string modified = log.bytes;  // the CRC fails
  modified[log.frames[2].offset + 30] ^= 1;
  std::string entry_resealed = log.bytes;  // the ts of op 2, CRC recomputed
  entry_resealed[log.frames[2].offset + 8 + 4] ^= 1;
  test::RepairFrameCrc(&entry_resealed, log.frames[2]);
  std::string payload_resealed = log.bytes;  // a byte of op 2's document, CRC recomputed
  payload_resealed[log.frames[2].end() - 3] ^= 1;
  test::RepairFrameCrc(&payload_resealed, log.frames[2]);
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"modified", modified},
      {"entry modified, CRC recomputed", entry_resealed},
      {"payload modified, CRC recomputed", payload_resealed},
      {"reordered", frames({0, 2, 1, 3, 4, 5, 6})},
      {"inserted", frames({0, 1, 2, 2, 3, 4, 5, 6})},
      {"deleted", frames({0, 1, 3, 4, 5, 6})},
      {"last deleted", frames({0, 1, 2, 3, 4, 5})},
  };
  for (const auto& [name, bad] : cases) {
    SCOPED_TRACE(name);
    WriteFile(seg, bad);
    EXPECT_FALSE(db.verify());
  }
  // (What follows the database's last op is not its: verify() reads up to
  // there, as writers may be appending meanwhile. Reopening reads it:
  // ValidRecordsOutOfOrderAreCorruptionEvenAtTheTail, ReopenCutsTornTailAndLogsIt.)
  WriteFile(seg, log.bytes);
  EXPECT_TRUE(db.verify());
}

// In a segment before the last, nothing is a torn tail: a frame cut short
// or zeros at its end, a missing, emptied or mislabelled segment are
// CorruptionError naming the segment, the seq expected there and the offset.
TEST(LogRecoveryTest, DamageInASegmentBeforeTheLastIsCorruption) {
  DbDir proto;
  {
    NEDB db(proto.db(), Options{.sync = Sync::None, .segment_bytes = 300});
    for (int i = 0; i < 30; ++i) db.put("docs", "d" + std::to_string(i), {{"i", i}});
  }
  ASSERT_GT(proto.last_segment(), 4u);
  const std::string seg3 = ReadFile(proto.segment(3));
  const std::vector<Frame> frames = test::SegmentFrames(seg3);
  ASSERT_GE(frames.size(), 2u);
  const Scan whole = ScanDir(proto.log());
  std::uint64_t first3 = 0;  // the seq of segment 3's first record
  while (whole.locs[first3].segment < 3) first3++;
  const std::uint64_t last3 = first3 + frames.size() - 1;  // and of its last
  auto with_header = [&](std::uint64_t first_seq) {
    std::string b = seg3;
    test::PutU32(&b, 16, static_cast<std::uint32_t>(first_seq));
    test::PutU32(&b, 28, test::TestCrc32c(b.substr(0, 28)));
    return b;
  };
  struct Case {
    const char* name;
    std::optional<std::string> bytes;  // of segment 3; nullopt: removed
    std::uint64_t seq, offset;
  };
  const std::vector<Case> cases = {
      {"last frame cut short", seg3.substr(0, frames.back().end() - 3), last3,
       frames.back().offset},
      {"zeros after the last frame", seg3 + std::string(100, '\0'), last3 + 1, seg3.size()},
      {"emptied", seg3.substr(0, test::kSegmentHeaderBytes), first3, test::kSegmentHeaderBytes},
      {"header torn", seg3.substr(0, 20), first3, 0},
      {"header names the wrong first seq", with_header(first3 + 1), first3, 0},
      {"removed", std::nullopt, first3, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DbDir dir;
    std::filesystem::copy(proto.db(), dir.db(), std::filesystem::copy_options::recursive);
    if (c.bytes) {
      WriteFile(dir.segment(3), *c.bytes);
    } else {
      std::filesystem::remove(dir.segment(3));
    }
    for (const bool allow_torn_tail : {true, false}) {
      ExpectCorruption([&] { ScanDir(dir.log(), {.allow_torn_tail = allow_torn_tail}); }, c.seq,
                       c.offset, dir.segment(3));
    }
    ExpectCorruption([&] { NEDB db(dir.db(), Quiet()); }, c.seq, c.offset, dir.segment(3));
    if (c.bytes) {
      EXPECT_EQ(ReadFile(dir.segment(3)), *c.bytes) << "a corrupt log must be left untouched";
    }
  }
}

TEST(LogRecoveryTest, ReopenCutsTornTailAndLogsIt) {
  DbDir dir;
  const Log log = MakeLog(dir, 3);
  std::string head;
  {
    NEDB db(dir.db());
    head = db.head();
  }
  WriteFile(dir.segment(1), log.bytes + log.frame(1).substr(0, 40));  // half a record
  std::vector<std::string> messages;
  NEDB db(dir.db(), Options{.logger = [&](const std::string& m) { messages.push_back(m); }});
  EXPECT_EQ(db.seq(), 3u);
  EXPECT_EQ(db.head(), head);
  EXPECT_EQ(ReadFile(dir.segment(1)), log.bytes);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("torn tail"), std::string::npos) << messages[0];
  EXPECT_NE(messages[0].find("00000001.seg"), std::string::npos) << messages[0];
  EXPECT_NE(messages[0].find("offset " + std::to_string(log.bytes.size())), std::string::npos)
      << messages[0];
  db.put("docs", "after", {{"ok", true}});
  EXPECT_TRUE(db.verify());
}

TEST(LogRecoveryTest, ReopenRefusesMidLogCorruption) {
  DbDir dir;
  const Log log = MakeLog(dir, 3);
  std::string bad = log.bytes;
  bad[log.frames[1].offset + 15] ^= 1;
  ExpectCorruptLog(dir, bad, 1, log.frames[1].offset);
}

}  // namespace
}  // namespace nedb
