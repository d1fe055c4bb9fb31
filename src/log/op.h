// SPDX-License-Identifier: Apache-2.0
// The op: one entry of the log, the unit every view is folded from.
#ifndef NEDB_LOG_OP_H_
#define NEDB_LOG_OP_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace nedb {

// The op kinds. Never renumber: log format v2 writes these numbers
// (docs/FORMAT.md), and tables index by them.
enum class OpKind : std::uint8_t {
  kGenesis = 0,
  kPut = 1,
  kDelete = 2,
  kLink = 3,
  kUnlink = 4,
  kCheckpoint = 5,
  kErase = 6,       // erases the payloads of every earlier version of coll/id
  kPutFile = 7,     // a version of a file in the file store (payload: its manifest)
  kDeleteFile = 8,  // ends a file
};
inline constexpr int kOpKindCount = 9;

std::string_view OpKindName(OpKind k);
// False for an unknown name.
bool ParseOpKind(std::string_view name, OpKind* out);

// A decoded op. The views point into a line buffer or the writer's locals and
// are valid only for the duration of the call that receives the OpView.
struct OpView {
  std::uint64_t seq = 0;
  std::int64_t ts = 0;  // milliseconds since the Unix epoch
  std::string_view client;
  std::uint64_t nonce = 0;
  OpKind kind = OpKind::kGenesis;
  // put / delete
  std::string_view coll;
  std::string_view id;
  std::string_view doc;  // put: the document as canonical JSON text
  // link / unlink
  std::string_view from;
  std::string_view rel;
  std::string_view to;
  // genesis
  std::uint64_t format_version = 0;
  // checkpoint: the hex BLAKE2b-512 of the snapshot file, and the seq of the
  // state it holds (the op before the checkpoint op)
  std::string_view snapshot;
  std::uint64_t state_seq = 0;
  // erase: why, and the seqs whose payloads it removes (ascending)
  std::string_view reason;
  std::span<const std::uint64_t> erases;
  // put read back from the log after its payload was erased: the seq of the
  // erase op (doc is then empty)
  std::uint64_t erased_by = 0;
  std::optional<std::string_view> idem;
  // log format v1 only (log.aof, read to upgrade it): the hex hash chain
  std::string_view prev;  // hex hash of the previous op
  std::string_view hash;  // hex hash of this op
};

}  // namespace nedb

#endif  // NEDB_LOG_OP_H_
