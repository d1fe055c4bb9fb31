// SPDX-License-Identifier: Apache-2.0
// OpRecord: one op of log format v2 (docs/FORMAT.md), as the record codec
// encodes it and decodes it. Every value here that is written to disk (kind
// numbers, field tags, payload states) must never change.
#ifndef NEDB_LOG_V2_OP_RECORD_H_
#define NEDB_LOG_V2_OP_RECORD_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "log/op.h"

namespace nedb::logv2 {

// Op kinds: nedb::OpKind (log/op.h), the one enum of the engine and the log.
using Kind = OpKind;
inline constexpr std::uint8_t kMaxKind = kOpKindCount - 1;
// Kinds whose record carries a payload section (and whose entry a digest).
inline constexpr bool KindHasPayload(Kind k) { return k == Kind::kPut || k == Kind::kPutFile; }
const char* KindName(Kind k);

// Tags of the optional fields that follow the fixed part of an entry. An odd
// tag is critical: a reader that does not know it must reject the record. An
// even tag may be skipped by a reader that does not know it (it stays in the
// entry bytes, so the leaf still verifies).
enum Tag : std::uint64_t {
  kTagIdem = 1,        // bytes: the idempotency key
  kTagCausedBy = 2,    // seq list: earlier ops this one was derived from
  kTagEvidence = 4,    // bytes (UTF-8 text)
  kTagConfidence = 6,  // f64le in [0, 1]
  kTagValidFrom = 8,   // zigzag varint, ms since the Unix epoch
  kTagValidTo = 10,    // zigzag varint, ms; >= valid_from when both are set
  kTagV1Head = 12,     // genesis only: the v1 head (64 raw bytes) of an upgraded log
  kTagV1Ops = 14,      // genesis only: number of v1 ops converted
};

// What the record holds of the payload (the payload section's first byte).
enum class PayloadState : std::uint8_t {
  kPlain = 0,      // salt and payload bytes
  kErased = 1,     // removed by the erase op at erased_by; only the digest is left
  kEncrypted = 2,  // an envelope of salt || payload under key_id
};

inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<std::uint8_t, kDigestBytes>;

struct Provenance {
  std::vector<std::uint64_t> caused_by;  // strictly ascending, each < the op's seq
  std::optional<std::string_view> evidence;
  std::optional<double> confidence;  // 0 <= c <= 1
  std::optional<std::int64_t> valid_from, valid_to;
  bool empty() const {
    return caused_by.empty() && !evidence && !confidence && !valid_from && !valid_to;
  }
};

// An optional field with a tag this version does not know (even tags only:
// an unknown odd tag is rejected). Kept so that a record round-trips.
struct UnknownField {
  std::uint64_t tag;
  std::string_view value;
};

// The payload section of a record with a payload (put, put_file).
struct Payload {
  PayloadState state = PayloadState::kPlain;
  std::string_view salt;        // kPlain: kSaltBytes random bytes
  std::string_view bytes;       // kPlain: the payload; kEncrypted: the envelope
  std::string_view key_id;      // kEncrypted: which key sealed it
  std::uint8_t alg = 0;         // kEncrypted: envelope algorithm (1: AES-256-GCM)
  std::uint64_t erased_by = 0;  // kErased: seq of the erase op
  std::uint64_t padding = 0;    // kErased: zero bytes after erased_by (in-place rewrite)
};

// One op. The string views point at the caller's bytes (encoding) or at the
// record's bytes (decoding) and live as long as those.
struct OpRecord {
  Kind kind = Kind::kGenesis;
  std::uint64_t seq = 0;
  std::int64_t ts = 0;  // ms since the Unix epoch
  std::string_view client;
  std::uint64_t nonce = 0;

  // The names, by kind.
  std::uint64_t format_version = 0;   // genesis
  std::string_view coll, id;          // put, delete, erase
  std::string_view from, rel, to;     // link, unlink
  std::string_view snapshot;          // checkpoint: raw digest bytes of the snapshot file
  std::uint64_t state_seq = 0;        // checkpoint
  std::string_view reason;            // erase
  std::vector<std::uint64_t> erases;  // erase: the seqs whose payloads it removes, ascending
  std::string_view file;              // put_file, delete_file: the file's name
  std::uint64_t file_version = 0;     // put_file, delete_file

  // Optional fields.
  std::optional<std::string_view> idem;
  Provenance prov;
  std::optional<std::string_view> v1_head;  // genesis of an upgraded log
  std::optional<std::uint64_t> v1_ops;
  std::vector<UnknownField> unknown;  // even tags only, ascending

  // put, put_file only.
  Payload payload;
  // SHA-256(0x02 || salt || payload). Encoding computes it for a kPlain
  // payload (this value is then ignored) and takes it from here otherwise;
  // decoding fills it in.
  Digest digest{};

  // Set by decoding: the entry bytes inside the record (the Merkle leaf's
  // committed bytes).
  std::string_view entry;
};

bool operator==(const Provenance& a, const Provenance& b);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_OP_RECORD_H_
