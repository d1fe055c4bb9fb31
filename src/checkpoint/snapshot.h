// Snapshot files: the whole state at one seq, written by checkpoint() and
// loaded on open so only the ops after it are replayed. Format: docs/FORMAT.md
// ("snapshot.json").
#ifndef NEDB_CHECKPOINT_SNAPSHOT_H_
#define NEDB_CHECKPOINT_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/meta.h"
#include "state/state.h"

namespace nedb {

inline constexpr std::string_view kSnapshotFile = "snapshot.json";
inline constexpr std::uint64_t kSnapshotVersion = 1;

struct SnapshotHeader {
  std::uint64_t seq = 0;                // the state is the one after this op
  std::string head;                     // hash of op seq
  std::uint64_t checkpoint_seq = 0;     // the checkpoint op that commits to this file (seq + 1)
  std::uint64_t checkpoint_offset = 0;  // byte offset of that op's line in log.aof
  std::vector<IndexSpec> indexes;
};

class SnapshotCodec {
 public:
  // The snapshot bytes of state (which must be at header.seq).
  static std::string Serialize(const State& state, const SnapshotHeader& header);
  // Parses bytes into *state (which must be empty) and *header. Throws
  // Error naming what is wrong for a truncated or malformed snapshot.
  static void Load(std::string_view bytes, State* state, SnapshotHeader* header);
};

}  // namespace nedb

#endif  // NEDB_CHECKPOINT_SNAPSHOT_H_
