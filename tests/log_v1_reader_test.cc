// SPDX-License-Identifier: Apache-2.0
// The log format v1 reader (src/log/log_reader.h), which opening a v1
// directory still uses, once, to upgrade its log.aof (upgrade_v1.cc): a torn
// last line ends the log; any other damage is CorruptionError naming the seq
// and offset, with the full decoder and with the chain-only check alike.
// The same properties of the v2 log are in log_recovery_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "log/log_format.h"
#include "log/log_reader.h"
#include "log/op_codec.h"
#include "nedb/errors.h"

namespace nedb {
namespace {

// A v1 log.aof of a genesis and n puts, as the v1 engine wrote it; fills
// *offsets with where each line starts (line i holds seq i).
std::string MakeV1Log(int n, std::vector<std::size_t>* offsets) {
  std::string out, prev(logfmt::kZeroHash);
  char hash[kDigestHexChars];
  offsets->clear();
  for (int i = 0; i <= n; ++i) {
    OpView op;
    op.seq = static_cast<std::uint64_t>(i);
    op.ts = 1717243200000 + i;
    op.prev = prev;
    const std::string id = "d" + std::to_string(i);
    const std::string doc = "{\"_id\":\"" + id + "\",\"i\":" + std::to_string(i) + "}";
    if (i == 0) {
      op.kind = OpKind::kGenesis;
      op.client = logfmt::kGenesisClient;
      op.format_version = logfmt::kFormatVersion;
    } else {
      op.kind = OpKind::kPut;
      op.client = "local";
      op.nonce = static_cast<std::uint64_t>(i);
      op.coll = "docs";
      op.id = id;
      op.doc = doc;
    }
    offsets->push_back(out.size());
    EncodeOpLine(op, &out, hash);
    prev.assign(hash, kDigestHexChars);
  }
  return out;
}

ScanResult Scan(const std::string& bytes, TailPolicy policy, bool chain_only = false,
                std::uint64_t* count = nullptr) {
  StringSequentialFile f(bytes);
  std::uint64_t n = 0;
  ScanResult r = ScanLog(
      f, policy, [&](const OpView&, std::uint64_t) { ++n; },
      std::numeric_limits<std::uint64_t>::max(), chain_only);
  if (count) *count = n;
  return r;
}

std::string Line(const std::string& log, const std::vector<std::size_t>& off, std::size_t i) {
  const std::size_t end = i + 1 < off.size() ? off[i + 1] : log.size();
  return log.substr(off[i], end - off[i]);
}

// Scans bytes both ways (full decoding, chain only) and expects
// CorruptionError at seq and offset, with either tail policy.
void ExpectCorruptAt(const std::string& bytes, std::uint64_t seq, std::uint64_t offset) {
  for (const bool chain_only : {false, true}) {
    for (const TailPolicy policy : {TailPolicy::kRecover, TailPolicy::kStrict}) {
      SCOPED_TRACE(std::string(chain_only ? "chain only" : "decoded") +
                   (policy == TailPolicy::kStrict ? ", strict" : ", recover"));
      try {
        Scan(bytes, policy, chain_only);
        ADD_FAILURE() << "expected CorruptionError";
      } catch (const CorruptionError& e) {
        EXPECT_EQ(e.seq(), seq) << e.what();
        EXPECT_EQ(e.offset(), offset) << e.what();
        EXPECT_NE(std::string(e.what()).find("seq " + std::to_string(seq)), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(offset)), std::string::npos)
            << e.what();
      }
    }
  }
}

TEST(LogV1ReaderTest, WholeLogScansClean) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(10, &off);
  for (const bool chain_only : {false, true}) {
    std::uint64_t count = 0;
    const ScanResult r = Scan(log, TailPolicy::kStrict, chain_only, &count);
    EXPECT_EQ(r.ops, 11u);
    EXPECT_EQ(count, 11u);
    EXPECT_EQ(r.last_seq, 10u);
    EXPECT_EQ(r.valid_bytes, log.size());
    EXPECT_FALSE(r.torn_tail);
  }
}

TEST(LogV1ReaderTest, EveryPrefixRecoversToLastWholeLine) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(5, &off);
  for (std::size_t cut = 1; cut < log.size(); ++cut) {
    std::size_t whole = 0;
    for (std::size_t o : off) {
      if (o < cut && log.find('\n', o) < cut) whole++;
    }
    for (const bool chain_only : {false, true}) {
      const ScanResult r = Scan(log.substr(0, cut), TailPolicy::kRecover, chain_only);
      ASSERT_EQ(r.ops, whole) << "cut at " << cut;
      EXPECT_EQ(r.valid_bytes, whole == 0 ? 0 : off[whole - 1] + Line(log, off, whole - 1).size());
      EXPECT_EQ(r.torn_tail, r.valid_bytes != cut) << "cut at " << cut;
      if (r.torn_tail) {
        EXPECT_THROW(Scan(log.substr(0, cut), TailPolicy::kStrict, chain_only), CorruptionError);
      }
    }
  }
}

TEST(LogV1ReaderTest, TrailingZerosAreATornTail) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(3, &off);
  const std::string torn = log + std::string(4096, '\0');
  const ScanResult r = Scan(torn, TailPolicy::kRecover);
  EXPECT_TRUE(r.torn_tail);
  EXPECT_EQ(r.ops, 4u);
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_THROW(Scan(torn, TailPolicy::kStrict), CorruptionError);
}

TEST(LogV1ReaderTest, DamageBeforeTheTailIsCorruptionNamingSeqAndOffset) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(6, &off);
  // Every byte of the line of seq 3 but its newline, one bit each.
  for (std::size_t i = off[3]; i + 1 < off[4]; ++i) {
    SCOPED_TRACE("byte " + std::to_string(i - off[3]) + " of seq 3");
    std::string bad = log;
    bad[i] ^= static_cast<char>(1 << (i % 7));  // never 0x80: a byte stays ASCII
    if (bad[i] == '\n') continue;               // a split line: the hash of both halves fails too
    ExpectCorruptAt(bad, 3, off[3]);
    if (HasFailure()) return;
  }
}

TEST(LogV1ReaderTest, ValidLinesOutOfChainAreCorruptionEvenAtTheTail) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(4, &off);
  // Deleting the second-to-last op leaves a last line with a valid hash but
  // a broken chain: that is tampering, never a torn write.
  ExpectCorruptAt(log.substr(0, off[3]) + Line(log, off, 4), 3, off[3]);
  ExpectCorruptAt(log.substr(0, off[2]) + Line(log, off, 3) + Line(log, off, 2) + Line(log, off, 4),
                  2, off[2]);
  ExpectCorruptAt(log + Line(log, off, 4), 5, log.size());
  ExpectCorruptAt(log.substr(0, off[3]) + Line(log, off, 2) + log.substr(off[3]), 3, off[3]);
}

TEST(LogV1ReaderTest, OverlongLineInTheMiddleNamesItsSeqAndOffset) {
  std::vector<std::size_t> off;
  const std::string log = MakeV1Log(10, &off);
  const std::string bad = log.substr(0, off[7]) + std::string(logfmt::kMaxLineBytes + 1, 'x') +
                          "\n" + log.substr(off[7]);
  for (const bool chain_only : {false, true}) {
    try {
      Scan(bad, TailPolicy::kRecover, chain_only);
      ADD_FAILURE() << "expected CorruptionError";
    } catch (const CorruptionError& e) {
      EXPECT_EQ(e.seq(), 7u) << e.what();
      EXPECT_EQ(e.offset(), off[7]) << e.what();
    }
  }
}

}  // namespace
}  // namespace nedb
