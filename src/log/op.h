// SPDX-License-Identifier: Apache-2.0
// The op: one entry of the log, the unit every view is folded from.
#ifndef NEDB_LOG_OP_H_
#define NEDB_LOG_OP_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace nedb {

// Never renumber: names (not numbers) are written to disk, but tables index by these.
enum class OpKind : std::uint8_t {
  kGenesis = 0,
  kPut = 1,
  kDelete = 2,
  kLink = 3,
  kUnlink = 4,
  kCheckpoint = 5,
};

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
  std::optional<std::string_view> idem;
  std::string_view prev;  // hex hash of the previous op
  std::string_view hash;  // hex hash of this op
};

}  // namespace nedb

#endif  // NEDB_LOG_OP_H_
