// SPDX-License-Identifier: Apache-2.0
// Log format v2 records: CRC32C, varints, the record codec, leaf entries,
// payload digests, frames (docs/FORMAT.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "log/v2/frame.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "log/v2/varint.h"
#include "log_v2_random_ops.h"
#include "nedb/errors.h"
#include "util/crc32c.h"

namespace nedb::logv2 {
namespace {

using nedb_test::RandomOps;

std::uint32_t Both(std::string_view s) {
  const std::uint32_t sw = Crc32cExtendPortable(0, s.data(), s.size());
  if (Crc32cHardwareAvailable()) {
    EXPECT_EQ(sw, Crc32cExtendHardware(0, s.data(), s.size()));
  }
  EXPECT_EQ(sw, Crc32c(s));
  return sw;
}

// RFC 3720 appendix B.4, and the usual check value of "123456789".
TEST(Crc32c, Rfc3720Vectors) {
  EXPECT_EQ(Both(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Both(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string inc(32, 0), dec(32, 0);
  for (int i = 0; i < 32; i++) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Both(inc), 0x46DD794Eu);
  EXPECT_EQ(Both(dec), 0x113FDB5Cu);
  const unsigned char pdu[48] = {0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    0, 0, 0, 0,
                                 0x14, 0,    0, 0, 0, 0, 4, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
                                 0x28, 0,    0, 0, 0, 0, 0, 0, 2, 0, 0, 0,    0, 0, 0, 0};
  EXPECT_EQ(Both(std::string_view(reinterpret_cast<const char*>(pdu), 48)), 0xD9963A56u);
  EXPECT_EQ(Both("123456789"), 0xE3069283u);
  EXPECT_EQ(Both(""), 0u);
}

TEST(Crc32c, PathsAgreeOnRandomDataAndExtendSplits) {
  std::printf("hardware CRC32C: %s\n", Crc32cHardwareAvailable() ? "yes" : "no (table only)");
  std::mt19937_64 rng(7);
  std::string buf(5000, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (int i = 0; i < 2000; i++) {
    const std::size_t off = rng() % 64, len = rng() % (buf.size() - 64);
    const std::string_view s(buf.data() + off, len);  // every alignment
    const std::uint32_t whole = Both(s);
    const std::size_t cut = len ? rng() % len : 0;
    EXPECT_EQ(Crc32cExtend(Crc32c(s.substr(0, cut)), s.data() + cut, len - cut), whole);
  }
}

TEST(Varint, MinimalFormOnly) {
  std::string s;
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, ~0ull}) {
    s.clear();
    PutVarint(&s, v);
    EXPECT_EQ(s.size(), VarintSize(v));
    ByteReader r(s);
    std::uint64_t got;
    ASSERT_TRUE(r.GetVarint(&got));
    EXPECT_EQ(got, v);
    for (std::size_t n = 0; n < s.size(); n++) {  // every truncation fails
      ByteReader t(std::string_view(s).substr(0, n));
      EXPECT_FALSE(t.GetVarint(&got));
    }
  }
  for (std::string bad : {std::string("\x80\x00", 2), std::string("\xFF\x00", 2),
                          std::string(9, '\xFF') + '\x02', std::string(10, '\xFF') + '\x01'}) {
    ByteReader r(bad);
    std::uint64_t got;
    EXPECT_FALSE(r.GetVarint(&got)) << ToHex(bad);
  }
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1},
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(UnZigZag(ZigZag(v)), v);
  }
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
}

TEST(PayloadDigest, KnownAnswers) {
  // python3: hashlib.sha256(b'\x02' + bytes(16) + b'abc').hexdigest()
  EXPECT_EQ(ToHex(PayloadDigest(std::string(16, '\0'), "abc")),
            "a53f30491e8f99145c675b5521478ed9bf2da5de69afbeab8008a37a8d00a0e7");
  EXPECT_EQ(ToHex(merkle::HashLeaf("abc")),
            "609f6e36d2405585188d5cfd761f407c7cc46a7d3f314c88270469dde315fcd1");
  char a[kSaltBytes], b[kSaltBytes];
  NewSalt(a);
  NewSalt(b);
  EXPECT_NE(std::string_view(a, 16), std::string_view(b, 16));
}

void ExpectSame(const OpRecord& a, const OpRecord& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.client, b.client);
  EXPECT_EQ(a.nonce, b.nonce);
  EXPECT_EQ(a.format_version, b.format_version);
  EXPECT_EQ(a.coll, b.coll);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.rel, b.rel);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.snapshot, b.snapshot);
  EXPECT_EQ(a.state_seq, b.state_seq);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.erases, b.erases);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.file_version, b.file_version);
  EXPECT_EQ(a.idem, b.idem);
  EXPECT_TRUE(a.prov == b.prov);
  EXPECT_EQ(a.v1_head, b.v1_head);
  EXPECT_EQ(a.v1_ops, b.v1_ops);
  ASSERT_EQ(a.unknown.size(), b.unknown.size());
  for (std::size_t i = 0; i < a.unknown.size(); i++) {
    EXPECT_EQ(a.unknown[i].tag, b.unknown[i].tag);
    EXPECT_EQ(a.unknown[i].value, b.unknown[i].value);
  }
  if (!KindHasPayload(a.kind)) return;
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.payload.state, b.payload.state);
  EXPECT_EQ(a.payload.salt, b.payload.salt);
  EXPECT_EQ(a.payload.bytes, b.payload.bytes);
  EXPECT_EQ(a.payload.key_id, b.payload.key_id);
  EXPECT_EQ(a.payload.alg, b.payload.alg);
  EXPECT_EQ(a.payload.erased_by, b.payload.erased_by);
  EXPECT_EQ(a.payload.padding, b.payload.padding);
}

TEST(RecordCodec, RoundTripsEveryKindAndField) {
  int kinds[kMaxKind + 1] = {}, states[3] = {}, optional = 0;
  for (std::uint64_t seed = 1; seed <= 30; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomOps gen(seed);
    for (int i = 0; i < 1000; i++) {
      const std::uint64_t seq = gen.OneIn(5) ? gen.rng()() : static_cast<std::uint64_t>(i);
      const OpRecord rec = gen.Make(seq);
      std::string bytes;
      EncodeRecord(rec, &bytes);
      OpRecord got;
      std::string why;
      ASSERT_TRUE(DecodeRecord(bytes, &got, &why)) << why << " " << ToHex(bytes);
      ExpectSame(rec, got);
      EXPECT_TRUE(PayloadDigestMatches(got));
      EXPECT_EQ(LeafEntry(rec), got.entry);
      OpRecord from_entry;
      ASSERT_TRUE(DecodeEntry(got.entry, &from_entry, &why)) << why;
      EXPECT_EQ(from_entry.idem, rec.idem);
      EXPECT_EQ(from_entry.digest, got.digest);
      std::string again;
      EncodeRecord(got, &again);
      EXPECT_EQ(again, bytes);  // canonical: one encoding per record
      if (::testing::Test::HasFailure()) {
        std::printf("failing seed %llu op %d\n", static_cast<unsigned long long>(seed), i);
        return;
      }
      kinds[static_cast<int>(rec.kind)]++;
      if (KindHasPayload(rec.kind)) states[static_cast<int>(rec.payload.state)]++;
      optional += rec.idem || !rec.prov.empty() || !rec.unknown.empty();
    }
  }
  for (int k = 0; k <= kMaxKind; k++) EXPECT_GT(kinds[k], 100) << KindName(static_cast<Kind>(k));
  for (int s : states) EXPECT_GT(s, 100);
  EXPECT_GT(optional, 1000);
}

// A record that decodes is the canonical encoding of what it decodes to; a
// frame with any bit flipped or cut anywhere is rejected by its CRC.
TEST(RecordCodec, EveryTruncationAndBitFlipIsRejected) {
  for (std::uint64_t seed = 100; seed < 110; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomOps gen(seed);
    for (int i = 0; i < 20; i++) {
      const OpRecord rec = gen.Make(static_cast<std::uint64_t>(i) + 5);
      std::string record, frame;
      EncodeRecord(rec, &record);
      AppendFrame(record, &frame);
      std::string_view got;
      std::uint32_t len;
      ASSERT_EQ(ReadFrame(frame, &got, &len), FrameStatus::kOk);
      ASSERT_EQ(got, record);
      for (std::size_t n = 0; n < frame.size(); n++) {
        EXPECT_NE(ReadFrame(std::string_view(frame).substr(0, n), &got, &len), FrameStatus::kOk);
      }
      for (std::size_t bit = 0; bit < frame.size() * 8; bit++) {
        std::string bad = frame;
        bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        EXPECT_NE(ReadFrame(bad, &got, &len), FrameStatus::kOk) << "bit " << bit;
      }
      // Below the frame: truncation leaves either an invalid record or (cut
      // inside a plain payload) one whose digest no longer matches.
      for (std::size_t n = 0; n < record.size(); n++) {
        OpRecord r;
        if (!DecodeRecord(std::string_view(record).substr(0, n), &r, nullptr)) continue;
        ASSERT_TRUE(KindHasPayload(rec.kind)) << "cut at " << n;
        if (rec.payload.state == PayloadState::kPlain) {
          EXPECT_FALSE(PayloadDigestMatches(r));
        }
      }
      for (std::size_t bit = 0; bit < record.size() * 8; bit++) {
        std::string bad = record;
        bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        OpRecord r;
        if (!DecodeRecord(bad, &r, nullptr) || !PayloadDigestMatches(r)) continue;
        std::string again;
        EncodeRecord(r, &again);
        EXPECT_EQ(again, bad) << "bit " << bit;
      }
    }
  }
}

OpRecord TypicalPut(std::string_view doc, std::string_view salt) {
  OpRecord r;
  r.kind = Kind::kPut;
  r.seq = 1;
  r.ts = 1795547053625;
  r.client = "local";
  r.nonce = 1;
  r.coll = "users";
  r.id = "alice";
  r.payload.salt = salt;
  r.payload.bytes = doc;
  return r;
}

bool Decodes(std::string_view bytes, std::string* why = nullptr) {
  OpRecord r;
  return DecodeRecord(bytes, &r, why);
}

TEST(RecordCodec, RejectsBrokenRules) {
  const std::string salt(16, 's');
  OpRecord ok = TypicalPut("{\"_id\":\"alice\"}", salt);
  auto rejects = [](OpRecord r, const char* what) {
    std::string out = "x";
    EXPECT_THROW(EncodeRecord(r, &out), InvalidArgument) << what;
    EXPECT_EQ(out, "x") << what;
  };
  OpRecord r = ok;
  r.payload.salt = "short";
  rejects(r, "salt");
  r = ok;
  r.seq = 10;
  r.prov.caused_by = {3, 3};
  rejects(r, "caused_by repeated");
  r.prov.caused_by = {3, 10};
  rejects(r, "caused_by not earlier");
  for (double c : {-0.0, -0.5, 1.5, std::nan("")}) {
    r = ok;
    r.prov.confidence = c;
    rejects(r, "confidence");
  }
  r = ok;
  r.prov.valid_from = 10;
  r.prov.valid_to = 9;
  rejects(r, "valid_to < valid_from");
  r = ok;
  r.v1_ops = 3;
  rejects(r, "v1 fields on a put");
  r = ok;
  r.unknown = {{3, "x"}};
  rejects(r, "odd unknown tag");
  r.unknown = {{kTagEvidence, "x"}};
  rejects(r, "known tag as unknown");
  r.unknown = {{20, "x"}, {18, "y"}};
  rejects(r, "unsorted unknown tags");
  r = ok;
  r.payload.state = PayloadState::kErased;
  r.payload.erased_by = 1;
  rejects(r, "erased by itself");
  r = ok;
  r.payload.state = PayloadState::kEncrypted;
  rejects(r, "no key id");

  // Hand-made bad bytes.
  std::string good;
  EncodeRecord(ok, &good);
  ASSERT_TRUE(Decodes(good));
  std::string bad = good;
  bad[1] = static_cast<char>(kMaxKind + 1);  // the kind byte
  EXPECT_FALSE(Decodes(bad));
  OpRecord del = ok;
  del.kind = Kind::kDelete;
  std::string d;
  EncodeRecord(del, &d);
  ASSERT_TRUE(Decodes(d));
  EXPECT_FALSE(Decodes(d + "x"));  // bytes after an entry without a payload
  // An erased payload's padding is zeros only.
  std::string erased;
  ASSERT_TRUE(EraseRecordPayload(good, 7, &erased));
  ASSERT_TRUE(Decodes(erased));
  std::string junk = erased;
  junk.back() = 1;
  EXPECT_FALSE(Decodes(junk));
}

// An entry with an extra field: an even unknown tag is skipped (and kept),
// an odd one is refused.
TEST(RecordCodec, UnknownFieldsEvenSkippedOddRefused) {
  OpRecord del = TypicalPut("", "");
  del.kind = Kind::kDelete;
  std::string base;
  EncodeRecord(del, &base);
  const std::string entry = base.substr(1);
  for (std::uint64_t tag : {98u, 99u}) {
    std::string e = entry;
    PutVarint(&e, tag);
    PutString(&e, "future");
    std::string rec;
    PutVarint(&rec, e.size());
    rec += e;
    OpRecord got;
    std::string why;
    const bool ok = DecodeRecord(rec, &got, &why);
    EXPECT_EQ(ok, tag % 2 == 0) << why;
    if (ok) {
      ASSERT_EQ(got.unknown.size(), 1u);
      EXPECT_EQ(got.unknown[0].value, "future");
      EXPECT_EQ(LeafEntry(got), e);
    } else {
      EXPECT_NE(why.find("critical"), std::string::npos) << why;
    }
  }
}

TEST(RecordCodec, ErasingKeepsTheEntryAndTheSize) {
  const std::string salt(16, '\x11');
  const OpRecord put = TypicalPut("{\"_id\":\"alice\",\"ssn\":\"123-45-6789\"}", salt);
  std::string record;
  EncodeRecord(put, &record);
  OpRecord before;
  ASSERT_TRUE(DecodeRecord(record, &before, nullptr));
  std::string erased;
  EXPECT_FALSE(EraseRecordPayload(record, 1, &erased));  // not by itself
  ASSERT_TRUE(EraseRecordPayload(record, 9, &erased));
  EXPECT_EQ(erased.size(), record.size());
  EXPECT_EQ(erased.find("123-45-6789"), std::string::npos);
  EXPECT_EQ(erased.find(salt), std::string::npos);
  OpRecord after;
  ASSERT_TRUE(DecodeRecord(erased, &after, nullptr));
  EXPECT_EQ(after.entry, before.entry);
  EXPECT_EQ(merkle::HashLeaf(after.entry), merkle::HashLeaf(before.entry));
  EXPECT_EQ(after.payload.state, PayloadState::kErased);
  EXPECT_EQ(after.payload.erased_by, 9u);
  EXPECT_TRUE(after.payload.bytes.empty());
  EXPECT_FALSE(EraseRecordPayload(erased, 10, &erased));  // already erased
  std::string again;                                      // and it re-encodes to the same bytes
  EncodeRecord(after, &again);
  EXPECT_EQ(again, erased);
}

// The worked example of docs/FORMAT.md: keep the two in step.
TEST(RecordCodec, WorkedExampleOfTheFormatDocument) {
  std::string salt;
  for (int i = 0; i < 16; i++) salt.push_back(static_cast<char>(i));
  const OpRecord put = TypicalPut("{\"_id\":\"alice\",\"age\":31}", salt);
  std::string frame;
  AppendFramedRecord(put, &frame);
  const std::string entry = LeafEntry(put);
  std::printf("frame (%zu bytes): %s\nentry (%zu bytes): %s\nleaf hash: %s\n", frame.size(),
              ToHex(frame).c_str(), entry.size(), ToHex(entry).c_str(),
              ToHex(merkle::HashLeaf(entry)).c_str());
  // Checked independently with Python's hashlib and a bitwise CRC32C.
  EXPECT_EQ(ToHex(frame),
            "6500000059d917a63b0101f2f88defc168056c6f63616c0105757365727305616c696365ec78a6f1"
            "9a4eff7e522eed882d3fc65f231306b0af3dc9ecb3e84f4ff7beaf4000000102030405060708090a"
            "0b0c0d0e0f7b225f6964223a22616c696365222c22616765223a33317d");
  EXPECT_EQ(ToHex(entry),
            "0101f2f88defc168056c6f63616c0105757365727305616c696365ec78a6f19a4eff7e522eed882d"
            "3fc65f231306b0af3dc9ecb3e84f4ff7beaf40");
  EXPECT_EQ(ToHex(merkle::HashLeaf(entry)),
            "d43d6e07d62489ccfa6bd95b6eb8136d65424a51e89c5838188f6a4783b799a4");
}

// Issue 14's bar: segment bytes per op <= document bytes + id bytes + 96.
TEST(RecordCodec, TypicalPutOverheadIsWithinTheBar) {
  char salt[kSaltBytes];
  NewSalt(salt);
  for (std::uint64_t seq : {1ull, 1000ull, 1000000ull, 100000000ull}) {
    OpRecord put = TypicalPut(
        "{\"_id\":\"u123456\",\"age\":31,\"email\":\"someone@example.com\",\"name\":\"Some "
        "One\",\"status\":\"active\",\"tags\":[\"a\",\"b\"]}",
        std::string_view(salt, kSaltBytes));
    put.seq = seq;
    put.nonce = seq;
    put.id = "u123456";
    std::string frame;
    AppendFramedRecord(put, &frame);
    const std::size_t overhead = frame.size() - put.payload.bytes.size();
    std::printf(
        "put seq %llu: %zu bytes framed, doc %zu, id %zu: overhead %zu (bar: id + 96 = "
        "%zu)\n",
        static_cast<unsigned long long>(seq), frame.size(), put.payload.bytes.size(), put.id.size(),
        overhead, put.id.size() + 96);
    EXPECT_LE(overhead, put.id.size() + 96);
  }
}

}  // namespace
}  // namespace nedb::logv2
