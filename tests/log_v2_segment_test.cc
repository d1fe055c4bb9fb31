// SPDX-License-Identifier: Apache-2.0
// Log format v2 segments: SegmentWriter and SegmentReader on real files and
// through FaultInjectionEnv; torn tails against corruption in the middle.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "fault_env.h"
#include "log/v2/frame.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "log_v2_random_ops.h"
#include "nedb/errors.h"
#include "test_util.h"

namespace nedb::logv2 {
namespace {

using nedb::test::TempDir;
using nedb_test::Encoded;
using nedb_test::FaultInjectionEnv;
using nedb_test::RandomOps;

// Writes n random ops (seq 0..n-1) with small segments; returns their record bytes.
std::vector<std::string> WriteLog(Env* env, const std::string& dir, std::uint64_t seed, int n,
                                  std::uint64_t segment_bytes = 2048) {
  RandomOps gen(seed);
  auto w = SegmentWriter::Create(env, dir, 0, {segment_bytes});
  std::vector<std::string> out;
  for (int i = 0; i < n; i++) {
    const OpRecord r = gen.Make(static_cast<std::uint64_t>(i));
    w->Add(r);
    out.push_back(Encoded(r));
    if (gen.OneIn(7)) w->Write();
    if (gen.OneIn(20)) w->Sync();
  }
  w->Close();
  return out;
}

struct Scan {
  std::vector<std::string> records;
  std::vector<RecordLocation> locs;
  std::optional<TornTail> torn;
};

Scan ReadLog(Env* env, const std::string& dir, ScanOptions opts = {}) {
  SegmentReader r(env, dir, opts);
  Scan s;
  OpRecord rec;
  RecordLocation loc;
  while (r.Next(&rec, &loc)) {
    s.records.push_back(Encoded(rec));
    s.locs.push_back(loc);
  }
  s.torn = r.torn_tail();
  return s;
}

std::string SegPath(const std::string& dir, std::uint32_t n) {
  return dir + "/" + SegmentFileName(n);
}

TEST(Segments, RoundTripAcrossManySegments) {
  for (std::uint64_t seed = 1; seed <= 5; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir tmp;
    const std::string dir = tmp.sub("log");
    const auto written = WriteLog(Env::Default(), dir, seed, 400);
    const Scan s = ReadLog(Env::Default(), dir, {.check_digests = true});
    EXPECT_FALSE(s.torn);
    ASSERT_EQ(s.records, written);
    std::uint32_t segments = s.locs.back().segment;
    EXPECT_GT(segments, 10u);
    for (std::uint32_t n = 1; n <= segments; n++) {
      const std::uint64_t size = Env::Default()->GetFileSize(SegPath(dir, n));
      int in_segment = 0;
      for (const auto& l : s.locs) in_segment += l.segment == n;
      EXPECT_GE(in_segment, 1);
      if (in_segment > 1) {
        EXPECT_LE(size, 2048u);  // only a lone big record goes past
      }
    }
    EXPECT_FALSE(Env::Default()->FileExists(SegPath(dir, segments + 1)));
  }
}

// Add() says where each frame goes, while it is still only buffered: the
// reader finds it there, and the file's bytes there are its frame.
TEST(Segments, AddReturnsTheRecordsLocation) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  RandomOps gen(31);
  auto w = SegmentWriter::Create(Env::Default(), dir, 0, {1500});
  std::vector<RecordLocation> added;
  std::vector<std::string> frames;
  for (int i = 0; i < 200; i++) {
    const OpRecord r = gen.Make(static_cast<std::uint64_t>(i));
    added.push_back(w->Add(r));
    frames.emplace_back();
    AppendFramedRecord(r, &frames.back());
    if (gen.OneIn(5)) w->Write();
  }
  w->Close();
  const Scan s = ReadLog(Env::Default(), dir);
  ASSERT_EQ(s.locs.size(), added.size());
  EXPECT_GT(added.back().segment, 5u);
  std::map<std::uint32_t, std::string> files;
  for (std::size_t i = 0; i < added.size(); i++) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(added[i].segment, s.locs[i].segment);
    EXPECT_EQ(added[i].offset, s.locs[i].offset);
    EXPECT_EQ(added[i].size, s.locs[i].size);
    auto [it, fresh] = files.try_emplace(added[i].segment);
    if (fresh) it->second = nedb::test::ReadFile(SegPath(dir, added[i].segment));
    EXPECT_EQ(it->second.substr(added[i].offset, added[i].size), frames[i]);
  }
}

TEST(Segments, RecordLargerThanASegmentGetsItsOwn) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  std::string big(5000, 'x');
  auto w = SegmentWriter::Create(Env::Default(), dir, 7, {1024});
  OpRecord r;
  r.kind = Kind::kPut;
  r.coll = "c";
  r.id = "i";
  std::string salt(16, 's');
  r.payload.salt = salt;
  for (int i = 0; i < 4; i++) {
    r.seq = 7 + i;
    r.payload.bytes = i == 1 ? std::string_view(big) : std::string_view("{}");
    w->Add(r);
  }
  w->Close();
  const Scan s = ReadLog(Env::Default(), dir, {.first_seq = 7});
  ASSERT_EQ(s.records.size(), 4u);
  EXPECT_EQ(s.locs[0].segment, 1u);
  EXPECT_EQ(s.locs[1].segment, 2u);
  EXPECT_EQ(s.locs[2].segment, 3u);
  EXPECT_EQ(s.locs[3].segment, 3u);
  // A reader that expects the log to start elsewhere refuses it.
  EXPECT_THROW(ReadLog(Env::Default(), dir, {.first_seq = 0}), CorruptionError);
}

TEST(Segments, AddRefusesAWrongSeq) {
  TempDir tmp;
  auto w = SegmentWriter::Create(Env::Default(), tmp.sub("log"), 0);
  RandomOps gen(3);
  EXPECT_THROW(w->Add(gen.Make(1)), InvalidArgument);
  w->Add(gen.Make(0));
  EXPECT_EQ(w->next_seq(), 1u);
}

// Cut the last segment at every byte: the reader stops at the last whole
// record and reports the rest as a torn tail; Open() cuts it and writing
// goes on from there. Zeros after the cut (a file extended by the crash) too.
TEST(Segments, TornTailAtEveryByteIsCutAndWritingContinues) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  const auto written = WriteLog(Env::Default(), dir, 11, 120);
  const Scan full = ReadLog(Env::Default(), dir);
  const std::uint32_t last = full.locs.back().segment;
  const std::string path = SegPath(dir, last);
  const std::string original = nedb::test::ReadFile(path);
  for (std::size_t cut = 0; cut < original.size(); cut++) {
    for (bool zeros : {false, true}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + (zeros ? " + zeros" : ""));
      nedb::test::WriteFile(path, original.substr(0, cut) + (zeros ? std::string(300, '\0') : ""));
      SegmentReader reader(Env::Default(), dir);
      OpRecord rec;
      std::size_t n = 0;
      while (reader.Next(&rec)) n++;
      std::size_t whole = 0;  // records wholly before the cut
      while (whole < full.locs.size() && (full.locs[whole].segment < last ||
                                          full.locs[whole].offset + full.locs[whole].size <= cut)) {
        whole++;
      }
      ASSERT_EQ(n, whole);
      const bool clean_end =
          !zeros && (cut == kSegmentHeaderBytes ||
                     (whole > 0 && full.locs[whole - 1].segment == last &&
                      full.locs[whole - 1].offset + full.locs[whole - 1].size == cut));
      ASSERT_EQ(reader.torn_tail().has_value(), !clean_end);
      if (reader.torn_tail()) {
        EXPECT_EQ(reader.torn_tail()->offset,
                  cut < kSegmentHeaderBytes ? 0 : reader.last_segment_end());
      }
      if (cut % 97 != 0 && cut != 5) continue;  // reopening is slower: a sample of cuts
      {
        auto w = SegmentWriter::Open(Env::Default(), reader);
        RandomOps gen(cut);
        w->Add(gen.Make(reader.next_seq()));
        w->Close();
      }
      const Scan after = ReadLog(Env::Default(), dir, {.allow_torn_tail = false});
      ASSERT_EQ(after.records.size(), whole + 1);
      for (std::size_t i = 0; i < whole; i++) ASSERT_EQ(after.records[i], written[i]);
      nedb::test::WriteFile(path, original);
      for (std::uint32_t n2 = last + 1; Env::Default()->FileExists(SegPath(dir, n2)); n2++) {
        Env::Default()->RemoveFile(SegPath(dir, n2));
      }
    }
  }
}

// A flipped bit anywhere in a segment is CorruptionError naming the record's
// seq and offset, except in the last record of the log (a torn tail).
TEST(Segments, BitFlipInTheMiddleIsCorruptionWithSeqAndOffset) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  WriteLog(Env::Default(), dir, 21, 60, 1024);
  const Scan full = ReadLog(Env::Default(), dir);
  const std::uint32_t last = full.locs.back().segment;
  ASSERT_GE(last, 3u);
  int corrupt = 0, torn = 0;
  for (std::size_t i = 0; i < full.locs.size(); i++) {
    const RecordLocation& l = full.locs[i];
    const std::string path = SegPath(dir, l.segment);
    const std::string original = nedb::test::ReadFile(path);
    for (std::uint64_t byte = 0; byte < l.size; byte += (l.size > 40 ? 3 : 1)) {
      std::string bad = original;
      bad[l.offset + byte] ^= static_cast<char>(1 << (byte % 8));
      nedb::test::WriteFile(path, bad);
      SCOPED_TRACE("record " + std::to_string(i) + " byte " + std::to_string(byte));
      if (i + 1 == full.locs.size()) {
        const Scan s = ReadLog(Env::Default(), dir);
        ASSERT_TRUE(s.torn);
        EXPECT_EQ(s.torn->offset, l.offset);
        EXPECT_EQ(s.records.size(), i);
        EXPECT_THROW(ReadLog(Env::Default(), dir, {.allow_torn_tail = false}), CorruptionError);
        torn++;
      } else {
        try {
          ReadLog(Env::Default(), dir);
          ADD_FAILURE() << "no CorruptionError";
        } catch (const CorruptionError& e) {
          EXPECT_EQ(e.seq(), i) << e.what();
          EXPECT_EQ(e.offset(), l.offset) << e.what();
          corrupt++;
        }
      }
    }
    nedb::test::WriteFile(path, original);
  }
  EXPECT_GT(corrupt, 500);
  EXPECT_GT(torn, 5);
  // A flipped header bit, in any segment, is corruption too.
  const std::string p1 = SegPath(dir, 1);
  const std::string orig1 = nedb::test::ReadFile(p1);
  for (std::size_t b = 0; b < kSegmentHeaderBytes; b++) {
    std::string bad = orig1;
    bad[b] ^= 0x10;
    nedb::test::WriteFile(p1, bad);
    EXPECT_THROW(ReadLog(Env::Default(), dir), CorruptionError) << "header byte " << b;
  }
  nedb::test::WriteFile(p1, orig1);
}

TEST(Segments, DamagedTailFollowedByDataIsCorruption) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  WriteLog(Env::Default(), dir, 5, 10, 1 << 20);
  const Scan full = ReadLog(Env::Default(), dir);
  const std::string path = SegPath(dir, 1);
  const std::string original = nedb::test::ReadFile(path);
  const RecordLocation& l = full.locs.back();
  // The last record cut short, then junk that is not zeros.
  nedb::test::WriteFile(path, original.substr(0, l.offset + l.size - 3) + "junk");
  EXPECT_THROW(ReadLog(Env::Default(), dir), CorruptionError);
  // The length of the second-to-last record damaged to point past the end:
  // a valid record of the next seq after it shows it is no tail.
  std::string bad = original;
  const RecordLocation& m = full.locs[full.locs.size() - 2];
  bad[m.offset + 3] = '\x7f';
  nedb::test::WriteFile(path, bad);
  try {
    ReadLog(Env::Default(), dir);
    ADD_FAILURE() << "no CorruptionError";
  } catch (const CorruptionError& e) {
    EXPECT_EQ(e.seq(), full.locs.size() - 2);
    EXPECT_NE(std::string(e.what()).find("follows"), std::string::npos) << e.what();
  }
}

TEST(Segments, MissingOrTornSegments) {
  TempDir tmp;
  const std::string dir = tmp.sub("log");
  const auto written = WriteLog(Env::Default(), dir, 8, 80, 1024);
  const Scan full = ReadLog(Env::Default(), dir);
  const std::uint32_t last = full.locs.back().segment;
  ASSERT_GE(last, 3u);
  // A missing middle segment.
  const std::string mid = nedb::test::ReadFile(SegPath(dir, 2));
  Env::Default()->RemoveFile(SegPath(dir, 2));
  EXPECT_THROW(ReadLog(Env::Default(), dir), CorruptionError);
  nedb::test::WriteFile(SegPath(dir, 2), mid);
  // A segment under another number.
  Env::Default()->RenameFile(SegPath(dir, last), SegPath(dir, last + 1));
  nedb::test::WriteFile(SegPath(dir, last), nedb::test::ReadFile(SegPath(dir, last - 1)));
  EXPECT_THROW(ReadLog(Env::Default(), dir), CorruptionError);
  Env::Default()->RemoveFile(SegPath(dir, last + 1));
  WriteLog(Env::Default(), dir + "2", 8, 80, 1024);  // the same log again, to restore it
  Env::Default()->RemoveDirRecursively(dir);
  Env::Default()->RenameFile(dir + "2", dir);
  // An empty segment before the last is corruption; as the last, a torn header.
  nedb::test::WriteFile(SegPath(dir, last + 1), "NEDB");
  {
    SegmentReader reader(Env::Default(), dir);
    OpRecord rec;
    std::size_t n = 0;
    while (reader.Next(&rec)) n++;
    EXPECT_EQ(n, written.size());
    ASSERT_TRUE(reader.torn_tail());
    EXPECT_EQ(reader.torn_tail()->offset, 0u);
    auto w = SegmentWriter::Open(Env::Default(), reader);  // removes and restarts it
    RandomOps gen(1);
    w->Add(gen.Make(written.size()));
    w->Close();
  }
  EXPECT_EQ(ReadLog(Env::Default(), dir, {.allow_torn_tail = false}).records.size(),
            written.size() + 1);
  nedb::test::WriteFile(SegPath(dir, last + 2), "");
  nedb::test::WriteFile(SegPath(dir, last + 1),
                        EncodeSegmentHeader({last + 1, written.size() + 1}));
  EXPECT_THROW(ReadLog(Env::Default(), dir), CorruptionError);
}

// A failed or short append is cut back; the writer goes on with the same seqs.
TEST(Segments, FailedAndShortAppendsAreCutBack) {
  for (std::optional<std::size_t> short_bytes :
       {std::optional<std::size_t>{}, std::optional<std::size_t>{1},
        std::optional<std::size_t>{100}}) {
    SCOPED_TRACE(short_bytes ? "short " + std::to_string(*short_bytes) : "failed");
    TempDir tmp;
    FaultInjectionEnv env;
    const std::string dir = tmp.sub("log");
    RandomOps gen(4);
    auto w = SegmentWriter::Create(&env, dir, 0, {1 << 20});
    std::vector<std::string> expect;
    for (int i = 0; i < 5; i++) {
      const OpRecord r = gen.Make(w->next_seq());
      w->Add(r);
      expect.push_back(Encoded(r));
    }
    w->Write();
    const std::uint64_t size = w->segment_size();
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, short_bytes);
    for (int i = 0; i < 3; i++) w->Add(gen.Make(w->next_seq()));
    EXPECT_THROW(w->Write(), IOError);
    EXPECT_EQ(env.fired(), 1u);
    EXPECT_EQ(w->next_seq(), 5u);
    EXPECT_EQ(w->written_seq(), 5u);
    EXPECT_EQ(env.GetFileSize(SegPath(dir, 1)), size);
    for (int i = 0; i < 3; i++) {
      const OpRecord r = gen.Make(w->next_seq());
      w->Add(r);
      expect.push_back(Encoded(r));
    }
    w->Sync();
    EXPECT_EQ(ReadLog(&env, dir, {.allow_torn_tail = false}).records, expect);
  }
}

TEST(Segments, FailedSyncOrCutBreaksTheWriter) {
  TempDir tmp;
  FaultInjectionEnv env;
  RandomOps gen(6);
  {
    auto w = SegmentWriter::Create(&env, tmp.sub("a"), 0);
    w->Add(gen.Make(0));
    env.Arm(FaultInjectionEnv::kSync, 1, ".seg");
    EXPECT_THROW(w->Sync(), IOError);
    EXPECT_THROW(w->Add(gen.Make(1)), IOError);  // sticky
    EXPECT_THROW(w->Sync(), IOError);
  }
  {
    auto w = SegmentWriter::Create(&env, tmp.sub("b"), 0);
    w->Add(gen.Make(0));
    env.Arm(FaultInjectionEnv::kAppend, 1, ".seg", false, 3);
    env.Arm(FaultInjectionEnv::kTruncate, 1, ".seg");
    EXPECT_THROW(w->Write(), IOError);
    EXPECT_THROW(w->Add(gen.Make(0)), IOError);
    // What is on disk: a header and a torn frame, which a reader reports.
    const Scan s = ReadLog(&env, tmp.sub("b"));
    EXPECT_TRUE(s.records.empty());
    ASSERT_TRUE(s.torn);
    EXPECT_EQ(s.torn->offset, kSegmentHeaderBytes);
  }
  {  // Starting the next segment fails: broken, and the full one is intact.
    const std::string dir = tmp.sub("c");
    auto w = SegmentWriter::Create(&env, dir, 0, {300});
    std::vector<std::string> expect;
    env.Arm(FaultInjectionEnv::kOpen, 1, "00000002.seg");
    EXPECT_THROW(
        {
          for (int i = 0; i < 50; i++) {
            const OpRecord r = gen.Make(w->next_seq());
            w->Add(r);
            expect.push_back(Encoded(r));
          }
        },
        IOError);
    EXPECT_THROW(w->Write(), IOError);
    EXPECT_EQ(ReadLog(&env, dir, {.allow_torn_tail = false}).records, expect);
  }
}

}  // namespace
}  // namespace nedb::logv2
