// SPDX-License-Identifier: Apache-2.0
// Random v2 op records for the log v2 tests: every kind, every optional field
// and payload state, strings of any bytes. The views of a record point into
// the generator's arena, which lives as long as the generator.
#ifndef NEDB_TESTS_LOG_V2_RANDOM_OPS_H_
#define NEDB_TESTS_LOG_V2_RANDOM_OPS_H_

#include <deque>
#include <random>
#include <string>

#include "log/v2/op_record.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"

namespace nedb_test {

// rec's record bytes (EncodeRecord), to compare records by value.
inline std::string Encoded(const nedb::logv2::OpRecord& rec) {
  std::string s;
  nedb::logv2::EncodeRecord(rec, &s);
  return s;
}

class RandomOps {
 public:
  explicit RandomOps(std::uint64_t seed) : rng_(seed) {}

  // A random op with the given seq (kind random unless given).
  nedb::logv2::OpRecord Make(std::uint64_t seq, int kind = -1) {
    using namespace nedb::logv2;
    OpRecord r;
    r.kind = static_cast<Kind>(kind >= 0 ? kind : Uniform(0, kMaxKind));
    r.seq = seq;
    r.ts = OneIn(8) ? static_cast<std::int64_t>(rng_()) : 1795547053623 + Uniform(0, 1 << 20);
    r.client = Str(0, 12);
    r.nonce = Number();
    switch (r.kind) {
      case Kind::kGenesis: r.format_version = Number(); break;
      case Kind::kPut:
      case Kind::kDelete:
        r.coll = Str(1, 10);
        r.id = Str(0, 20);
        break;
      case Kind::kLink:
      case Kind::kUnlink:
        r.from = Str(1, 16);
        r.rel = Str(1, 8);
        r.to = Str(1, 16);
        break;
      case Kind::kCheckpoint:
        r.snapshot = Str(0, 64);
        r.state_seq = Number();
        break;
      case Kind::kErase:
        r.coll = Str(1, 10);
        r.id = Str(0, 20);
        r.reason = Str(0, 30);
        r.erases = Seqs(seq);
        break;
      case Kind::kPutFile:
        r.file = Str(1, 20);
        r.file_version = Number();
        break;
      case Kind::kDeleteFile: r.file = Str(1, 20); break;
    }
    if (OneIn(3)) r.idem = Str(0, 16);
    if (OneIn(4)) r.prov.caused_by = Seqs(seq);
    if (OneIn(4)) r.prov.evidence = Str(0, 40);
    if (OneIn(4)) r.prov.confidence = OneIn(5) ? double(Uniform(0, 1)) : Unit();
    if (OneIn(4)) r.prov.valid_from = static_cast<std::int64_t>(rng_()) / 4;
    if (OneIn(4))
      r.prov.valid_to = r.prov.valid_from ? *r.prov.valid_from + Uniform(0, 1000)
                                          : static_cast<std::int64_t>(rng_()) / 4;
    if (r.kind == Kind::kGenesis && OneIn(2)) {
      r.v1_head = Str(64, 64);
      r.v1_ops = Number();
    }
    if (OneIn(6)) {
      std::uint64_t tag = 16;
      for (int i = Uniform(1, 3); i > 0; i--) {
        tag += 2 * Uniform(1, 40);
        r.unknown.push_back({tag, Str(0, 10)});
      }
    }
    if (KindHasPayload(r.kind)) {
      const int state = OneIn(2) ? 0 : Uniform(0, 2);
      r.payload.state = static_cast<PayloadState>(state);
      r.payload.bytes = Str(0, 200);
      if (state == 0) {
        r.payload.salt = Str(kSaltBytes, kSaltBytes);
        r.digest = PayloadDigest(r.payload.salt, r.payload.bytes);
      } else {
        for (auto& b : r.digest) b = static_cast<std::uint8_t>(rng_());
      }
      if (state == 1) {
        r.payload.bytes = {};
        r.payload.erased_by = seq + 1 + Uniform(0, 1000);
        r.payload.padding = Uniform(0, 40);
      }
      if (state == 2) {
        r.payload.key_id = Str(1, 12);
        r.payload.alg = static_cast<std::uint8_t>(Uniform(1, 255));
      }
    }
    return r;
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool OneIn(int n) { return Uniform(0, n - 1) == 0; }
  std::mt19937_64& rng() { return rng_; }

  // Bytes of any value (biased to printable), kept in the arena.
  std::string_view Str(int lo, int hi) {
    std::string s(static_cast<std::size_t>(Uniform(lo, hi)), '\0');
    for (char& c : s) c = static_cast<char>(OneIn(4) ? Uniform(0, 255) : Uniform('a', 'z'));
    return arena_.emplace_back(std::move(s));
  }

 private:
  std::uint64_t Number() {
    switch (Uniform(0, 3)) {
      case 0: return static_cast<std::uint64_t>(Uniform(0, 127));
      case 1: return static_cast<std::uint64_t>(Uniform(0, 1 << 30));
      case 2: return rng_();
      default: return ~std::uint64_t{0} - static_cast<std::uint64_t>(Uniform(0, 3));
    }
  }
  double Unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  // Strictly ascending seqs below seq (none when seq is 0).
  std::vector<std::uint64_t> Seqs(std::uint64_t seq) {
    std::vector<std::uint64_t> v;
    std::uint64_t s = 0;
    for (int i = Uniform(0, 5); i > 0 && seq > 0; i--) {
      s += static_cast<std::uint64_t>(Uniform(v.empty() ? 0 : 1, 50));
      if (s >= seq) break;
      v.push_back(s);
    }
    return v;
  }

  std::mt19937_64 rng_;
  std::deque<std::string> arena_;
};

}  // namespace nedb_test

#endif  // NEDB_TESTS_LOG_V2_RANDOM_OPS_H_
