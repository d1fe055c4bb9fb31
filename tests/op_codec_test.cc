// SPDX-License-Identifier: Apache-2.0
// The canonical line: encoding, hashing, strict decoding.
#include "log/op_codec.h"

#include <gtest/gtest.h>

#include "log/log_format.h"
#include "util/blake2b.h"

namespace nedb {
namespace {

std::string Encode(const OpView& op, std::string* hash = nullptr) {
  std::string line;
  char h[kDigestHexChars];
  EncodeOpLine(op, &line, h);
  if (hash) hash->assign(h, kDigestHexChars);
  return line;
}

OpView PutOp() {
  OpView op;
  op.seq = 7;
  op.ts = 1700000000123;
  op.client = "checkout";
  op.nonce = 42;
  op.kind = OpKind::kPut;
  op.coll = "orders";
  op.id = "o\"1\n";
  op.doc = R"({"_id":"o\"1\n","total":42})";
  op.idem = "charge-o1";
  op.prev = logfmt::kZeroHash;
  return op;
}

TEST(Blake2bTest, KnownAnswer) {
  // RFC 7693 Appendix A: BLAKE2b-512("abc").
  EXPECT_EQ(
      ToHex(Blake2b("abc")),
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de"
      "4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(OpCodecTest, LineLayoutIsCanonical) {
  std::string hash;
  std::string line = Encode(PutOp(), &hash);
  EXPECT_EQ(
      line.substr(0, 85),
      R"({"seq":7,"ts":1700000000123,"client":"checkout","nonce":42,"op":"put","coll":"orders")");
  EXPECT_NE(
      line.find(R"("id":"o\"1\n","doc":{"_id":"o\"1\n","total":42},"idem":"charge-o1","prev":")"),
      std::string::npos);
  ASSERT_EQ(line.back(), '\n');
  // The hash covers exactly the bytes before ,"hash":".
  std::size_t at = line.rfind(",\"hash\":\"");
  EXPECT_EQ(ToHex(Blake2b(std::string_view(line).substr(0, at))), hash);
  EXPECT_EQ(line.substr(at), ",\"hash\":\"" + hash + "\"}\n");
}

TEST(OpCodecTest, RoundTripsEveryKind) {
  for (OpKind k :
       {OpKind::kGenesis, OpKind::kPut, OpKind::kDelete, OpKind::kLink, OpKind::kUnlink}) {
    OpView op = PutOp();
    op.kind = k;
    op.from = "users:a\tb";
    op.rel = "follows";
    op.to = "users:\xc3\xa9";
    op.format_version = 1;
    if (k == OpKind::kGenesis) op.idem.reset();
    std::string hash;
    std::string line = Encode(op, &hash);
    DecodeScratch scratch;
    OpView out;
    std::string why;
    ASSERT_EQ(DecodeOpLine(std::string_view(line).substr(0, line.size() - 1), &scratch, &out, &why),
              LineStatus::kOk)
        << why << "\n"
        << line;
    EXPECT_EQ(out.kind, k);
    EXPECT_EQ(out.seq, op.seq);
    EXPECT_EQ(out.ts, op.ts);
    EXPECT_EQ(out.client, op.client);
    EXPECT_EQ(out.nonce, op.nonce);
    EXPECT_EQ(out.hash, hash);
    EXPECT_EQ(out.prev, op.prev);
    EXPECT_EQ(out.idem.has_value(), op.idem.has_value());
    if (k == OpKind::kPut || k == OpKind::kDelete) {
      EXPECT_EQ(out.coll, op.coll);
      EXPECT_EQ(out.id, op.id);
    }
    if (k == OpKind::kPut) {
      EXPECT_EQ(out.doc, op.doc);
    }
    if (k == OpKind::kLink || k == OpKind::kUnlink) {
      EXPECT_EQ(out.from, op.from);
      EXPECT_EQ(out.rel, op.rel);
      EXPECT_EQ(out.to, op.to);
    }
  }
}

LineStatus DecodeText(const std::string& line, std::string* why) {
  DecodeScratch scratch;
  OpView out;
  return DecodeOpLine(line, &scratch, &out, why);
}

// Rehashes a hand-edited body so only the syntax check can reject it.
std::string WithHash(const std::string& body) {
  return body + ",\"hash\":\"" + ToHex(Blake2b(body)) + "\"}";
}

TEST(OpCodecTest, EveryFlippedByteIsDetected) {
  std::string line = Encode(PutOp());
  line.pop_back();
  for (std::size_t i = 0; i < line.size(); ++i) {
    std::string bad = line;
    bad[i] ^= 0x01;
    std::string why;
    EXPECT_NE(DecodeText(bad, &why), LineStatus::kOk) << "byte " << i;
  }
}

TEST(OpCodecTest, RejectsNonCanonicalBodiesEvenWithValidHash) {
  const std::string prev = "\"" + std::string(logfmt::kZeroHash) + "\"";
  const std::string bad_bodies[] = {
      R"({"ts":1,"seq":1,"client":"c","nonce":1,"op":"delete","coll":"a","id":"b","prev":)" + prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"frob","coll":"a","id":"b","prev":)" + prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":[1],"prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":{"x":01},"prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":{"x":"\q"},"prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":{"x":1,},"prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"delete","coll":"a","id":"b","prev":"zz"})",
      R"({"seq":99999999999999999999,"ts":1,"client":"c","nonce":1,"op":"delete","coll":"a","id":"b","prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"delete","coll":"a","id":"b","extra":1,"prev":)" +
          prev,
      R"({"seq":1,"ts":1,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":{"x":"\xff"},"prev":)" +
          prev,
  };
  for (const std::string& body : bad_bodies) {
    std::string why;
    EXPECT_EQ(DecodeText(WithHash(body), &why), LineStatus::kBadSyntax) << body;
    EXPECT_FALSE(why.empty());
  }
  std::string why;
  std::string ok =
      R"({"seq":1,"ts":-5,"client":"c","nonce":1,"op":"put","coll":"a","id":"b","doc":{"x":[1,-2.5e3,true,null,{"y":"\u00e9\ud83d\ude00"}]},"prev":)" +
      prev;
  EXPECT_EQ(DecodeText(WithHash(ok), &why), LineStatus::kOk) << why;
}

TEST(OpCodecTest, TruncatedLinesAreRejected) {
  std::string line = Encode(PutOp());
  line.pop_back();
  for (std::size_t n = 0; n < line.size(); n += 7) {
    std::string why;
    EXPECT_NE(DecodeText(line.substr(0, n), &why), LineStatus::kOk);
  }
}

}  // namespace
}  // namespace nedb

namespace nedb {
namespace {

TEST(SecretEqualsTest, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(SecretEquals("s3cret", "s3cret"));
  EXPECT_TRUE(SecretEquals("", ""));
  EXPECT_FALSE(SecretEquals("s3cret", "s3creT"));
  EXPECT_FALSE(SecretEquals("s3cret", "s3cre"));                          // prefix
  EXPECT_FALSE(SecretEquals("s3cret", std::string_view("s3cret\0", 7)));  // same C string
  EXPECT_FALSE(SecretEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  EXPECT_FALSE(SecretEquals("", "x"));
}

}  // namespace
}  // namespace nedb
