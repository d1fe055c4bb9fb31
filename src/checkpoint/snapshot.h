// SPDX-License-Identifier: Apache-2.0
// Snapshot files: the whole state at one seq, written by checkpoint() and
// loaded on open so only the ops after it are replayed. Format: docs/FORMAT.md
// ("snapshot.json": a JSON header line, then a binary body).
#ifndef NEDB_CHECKPOINT_SNAPSHOT_H_
#define NEDB_CHECKPOINT_SNAPSHOT_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "db/meta.h"
#include "state/state.h"
#include "util/blake2b.h"

namespace nedb {

inline constexpr std::string_view kSnapshotFile = "snapshot.json";
// 3: log format v2 (head is the Merkle root; nine op kinds). A version 2
// snapshot belongs to a v1 log.aof and is set aside when that is upgraded.
inline constexpr std::uint64_t kSnapshotVersion = 3;
// The leaf size of the snapshot digest (docs/FORMAT.md, "Digest").
inline constexpr std::size_t kSnapshotChunk = std::size_t{1} << 20;

struct SnapshotHeader {
  std::uint64_t seq = 0;             // the state is the one after this op
  std::string head;                  // hex Merkle root of ops [0, seq]
  std::uint64_t checkpoint_seq = 0;  // the checkpoint op that commits to this file (seq + 1)
  std::vector<IndexSpec> indexes;
};

// The snapshot digest, computed by one or more threads while the buffer is
// being filled: BLAKE2b-512 over the concatenated BLAKE2b-512 digests of
// the data's kSnapshotChunk-byte chunks (the last one may be shorter).
class SnapshotHasher {
 public:
  SnapshotHasher(const char* data, std::size_t size);
  // Bytes [0, n) of data are final (the filling thread calls this).
  void Filled(std::size_t n);
  // Hashes chunks no other thread has taken, waiting for them to be
  // filled; returns once every chunk is taken (or after Abort()).
  void Work();
  // Makes waiting and later Work() calls return at once.
  void Abort();
  // The digest. REQUIRES: every Work() call returned, without Abort().
  Digest Root() const;

 private:
  const char* data_;
  std::size_t size_;
  std::size_t chunks_;
  std::vector<std::uint8_t> leaves_;  // chunks_ * kDigestBytes
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t filled_ = 0;  // guarded by mu_
  bool abort_ = false;      // guarded by mu_
  std::size_t next_ = 0;    // next group of chunks to take; guarded by mu_
};

// Runs body on a second thread; the destructor aborts hasher (so a body
// blocked in it returns) if the thread is still joinable, and joins.
class HelperThread {
 public:
  HelperThread(SnapshotHasher* hasher, std::function<void()> body);
  ~HelperThread();
  void Join();

 private:
  SnapshotHasher* hasher_;
  std::thread thread_;
};

// Inputs at least this large are hashed (and read) by two threads.
inline constexpr std::size_t kSnapshotThreadBytes = 8 * kSnapshotChunk;

// The snapshot digest of bytes (two threads for large inputs).
Digest SnapshotDigest(std::string_view bytes);

class SnapshotCodec {
 public:
  // The snapshot bytes of state (which must be at header.seq).
  static std::string Serialize(const State& state, const SnapshotHeader& header);
  // Parses the first size bytes of arena into *state (which must be empty)
  // and *header. The state adopts the arena, and its documents point into
  // it. Throws Error naming what is wrong for a truncated or malformed
  // snapshot (the state is then unusable).
  static void Load(Arena arena, std::size_t size, State* state, SnapshotHeader* header);
  // The same over a copy of bytes.
  static void Load(std::string_view bytes, State* state, SnapshotHeader* header);
};

}  // namespace nedb

#endif  // NEDB_CHECKPOINT_SNAPSHOT_H_
