// SPDX-License-Identifier: Apache-2.0
// Log format v2 records (issue 14, not yet wired into the engine): encode +
// frame and decode per op for a typical put, against today's v1 line codec
// in the same run, and the bytes per op. See bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "log/op_codec.h"
#include "log/v2/frame.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_writer.h"
#include "util/blake2b.h"
#include "util/crc32c.h"

namespace {

using namespace nedb::logv2;

// 150 bytes of canonical JSON, as a stored document looks.
const std::string kDoc =
    "{\"_id\":\"u123456\",\"age\":31,\"city\":\"Lisbon\",\"email\":\"someone@example.com\","
    "\"name\":\"Some One\",\"status\":\"active\",\"tags\":[\"a\",\"b\",\"c\"]}";
constexpr std::uint64_t kSeq = 1000000;

OpRecord TypicalPut(std::uint64_t seq, std::string_view salt) {
  OpRecord r;
  r.kind = Kind::kPut;
  r.seq = seq;
  r.ts = 1795547053625;
  r.client = "local";
  r.nonce = seq;
  r.coll = "users";
  r.id = "u123456";
  r.payload.salt = salt;
  r.payload.bytes = kDoc;
  return r;
}

void Report(benchmark::State& state, std::size_t frame_bytes) {
  state.counters["bytes_per_op"] = static_cast<double>(frame_bytes);
  state.counters["doc_bytes"] = static_cast<double>(kDoc.size());
  state.counters["overhead"] = static_cast<double>(frame_bytes - kDoc.size());
  state.counters["bar_overhead"] = 7 + 96;  // id bytes + 96
}

// A fresh salt, the payload digest (SHA-256), the record, its frame (CRC32C).
void BM_V2_EncodeFrame(benchmark::State& state) {
  std::string out;
  std::uint64_t seq = kSeq;
  char salt[kSaltBytes];
  for (auto _ : state) {
    out.clear();
    NewSalt(salt);
    AppendFramedRecord(TypicalPut(seq++, std::string_view(salt, kSaltBytes)), &out);
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, out.size());
}
BENCHMARK(BM_V2_EncodeFrame);

// Frame check (CRC32C) and strict decode; with the digest check (verify) or not (open).
void BM_V2_Decode(benchmark::State& state) {
  const bool check_digest = state.range(0) != 0;
  char salt[kSaltBytes];
  NewSalt(salt);
  std::string frame;
  AppendFramedRecord(TypicalPut(kSeq, std::string_view(salt, kSaltBytes)), &frame);
  OpRecord rec;
  for (auto _ : state) {
    std::string_view record;
    std::uint32_t len;
    if (ReadFrame(frame, &record, &len) != FrameStatus::kOk ||
        !DecodeRecord(record, &rec, nullptr) || (check_digest && !PayloadDigestMatches(rec))) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(rec.payload.bytes.data());
  }
  Report(state, frame.size());
}
BENCHMARK(BM_V2_Decode)->Arg(0)->Arg(1)->ArgName("check_digest");

// SegmentWriter: Add() per op, Write() every 64 ops (no fsync), 1 MiB segments.
void BM_V2_SegmentAppend(benchmark::State& state) {
  const std::string dir = "/tmp/nedb-log-v2-bench";
  nedb::Env* env = nedb::Env::Default();
  if (env->FileExists(dir)) env->RemoveDirRecursively(dir);
  auto w = SegmentWriter::Create(env, dir, 0, {1 << 20});
  char salt[kSaltBytes];
  for (auto _ : state) {
    NewSalt(salt);
    w->Add(TypicalPut(w->next_seq(), std::string_view(salt, kSaltBytes)));
    if (w->next_seq() % 64 == 0) w->Write();
  }
  w->Close();
  state.counters["segments"] = w->segment();
  env->RemoveDirRecursively(dir);
}
BENCHMARK(BM_V2_SegmentAppend);

// Today's v1 codec on the same op: canonical JSON line + BLAKE2b-512 chain.
void BM_V1_EncodeLine(benchmark::State& state) {
  const std::string prev(nedb::kDigestHexChars, 'a');
  std::string out;
  char hash[nedb::kDigestHexChars];
  nedb::OpView op;
  op.seq = kSeq;
  op.ts = 1795547053625;
  op.client = "local";
  op.nonce = kSeq;
  op.kind = nedb::OpKind::kPut;
  op.coll = "users";
  op.id = "u123456";
  op.doc = kDoc;
  op.prev = prev;
  for (auto _ : state) {
    out.clear();
    nedb::EncodeOpLine(op, &out, hash);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes_per_op"] = static_cast<double>(out.size());
  state.counters["overhead"] = static_cast<double>(out.size() - kDoc.size());
}
BENCHMARK(BM_V1_EncodeLine);

void BM_Crc32c(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(1)), 'x');
  const bool hw = state.range(0) != 0;
  if (hw && !nedb::Crc32cHardwareAvailable()) {
    state.SkipWithError("no SSE4.2");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(hw ? nedb::Crc32cExtendHardware(0, data.data(), data.size())
                                : nedb::Crc32cExtendPortable(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(1));
}
BENCHMARK(BM_Crc32c)->Args({1, 256})->Args({0, 256})->ArgNames({"hw", "bytes"});

}  // namespace

BENCHMARK_MAIN();
