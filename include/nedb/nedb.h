// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// NEDB: a versioned, time-traveling embedded database. One nonce-enforced,
// append-only log, every op a leaf of a Merkle tree (docs/MERKLE.md), is the
// source of truth; documents, graph edges and indexes are views folded from it.
//
//   nedb::NEDB db("./mydata");                       // durable
//   db.put("users", "alice", {{"name", "Alice"}});
//   auto then = db.get("users", "alice", /*as_of=*/0);  // std::nullopt
//
// Thread safety: every method may be called from several threads at once,
// except close() and the destructor, which must not race with other calls.
// Writes are serialized in seq order; readers never wait for an fsync.
#ifndef NEDB_NEDB_H_
#define NEDB_NEDB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/env.h"
#include "nedb/errors.h"
#include "nedb/options.h"
#include "nedb/proof.h"
#include "nedb/query.h"
#include "nedb/version.h"

namespace nedb {

// The library version (project(VERSION) in CMakeLists.txt, via nedb/version.h),
// also written into the genesis op.
inline constexpr const char* kVersion = NEDB_VERSION_STRING;

// Why a durable database given these options would refuse to open because
// encryption at rest was asked for (Options::tmk, or NEDB_TMK / NEDB_TMK_FILE
// set in the environment, even to an empty value), or "" if it was not.
// Encryption at rest is not available in this version; NEDB(path, options)
// throws NotSupported with this message and nedbd exits non-zero with it,
// both before writing anything.
std::string EncryptionRefusal(const Options& options = {});

// The largest document: its canonical JSON text (what get_text() returns)
// is at most 16 MiB. The one size limit of NEDB end to end: a Redis value
// is stored in a document of this size at most (RESP bulk strings are
// capped at it too), and nedbd's default HTTP body limit admits one
// document of this size with its request's other fields. A larger
// document is refused with InvalidArgument("document is N bytes, over
// NEDB's document size limit of 16777216 bytes (16 MiB)").
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{16} << 20;

// Counters and sizes of an open database (NEDB::stats()).
struct Stats {
  std::uint64_t seq = 0;  // seq of the last op
  // Ops appended since this NEDB was opened, by kind: "put", "delete",
  // "link", "unlink", "checkpoint" (every kind is present, 0 if none).
  std::map<std::string, std::uint64_t> ops_appended;
  std::uint64_t fsyncs = 0;  // fsyncs of the log since open (0 in memory)
  // Documents live at HEAD: neither deleted nor expired (past their
  // "_expires_at" by the Env clock, whether or not the delete op that
  // reclaims them has been appended yet).
  std::uint64_t live_docs = 0;
  // Live documents per collection at HEAD (collections with none omitted).
  std::map<std::string, std::uint64_t> collections;
  // Documents past their expiry whose delete op is not appended yet (the
  // next HEAD read of each, sweep() or the background expiry removes them).
  std::uint64_t expired_pending = 0;
};

class NEDB {
 public:
  // In-memory database: nothing touches disk.
  NEDB();
  // Durable database in directory path (docs/FORMAT.md): created (log/,
  // meta.json) if missing, else opened from its log (a v1 log.aof is upgraded
  // once). Throws LockError if another process has it open, CorruptionError
  // if the log is damaged anywhere but a torn tail (cut with a warning).
  explicit NEDB(const std::string& path, Options options = {});
  // Closes (see close()); errors are swallowed.
  ~NEDB();

  NEDB(const NEDB&) = delete;
  NEDB& operator=(const NEDB&) = delete;

  // ---- writes. Each appends exactly one op, or nothing (see below). ----

  // Inserts or fully replaces coll/id with doc (a JSON object). Sets "_id"
  // to id (an existing "_id" must equal id). Returns the stored document.
  // Throws InvalidArgument for an empty or invalid coll, empty id, a
  // non-object doc, or one whose canonical text is over kMaxDocumentBytes;
  // ReplayError for a stale nonce. A collection name -- and a
  // relation name, and the collection part of a node key -- is any 1 to 256
  // bytes of UTF-8 without NUL, control characters or ':' ("users-v2",
  // "café"); NQL and SQL write the ones that are not identifiers
  // double-quoted. With an idem key already
  // used, returns that write's original result and appends nothing.
  nlohmann::json put(std::string_view coll, std::string_view id, nlohmann::json doc,
                     const WriteOptions& options = {});

  // put() of a document given as canonical JSON text -- exactly what
  // get_text() returns and the log stores: nlohmann::json::dump() of an
  // object whose "_id" is id (compact, keys sorted and unique, only '"',
  // '\\' and control characters escaped, numbers as dump() prints them).
  // Skips building a JSON tree; meant for adapters that write documents of
  // a known shape. Returns the seq of the op (for a repeated idem key, of
  // the op that first used it). Throws InvalidArgument if the text is not
  // canonical or its "_id" differs, and everything put() throws. With
  // options.ttl_s the text is parsed and put() does the work.
  std::uint64_t put_text(std::string_view coll, std::string_view id, std::string_view doc_text,
                         const WriteOptions& options = {});

  // Deletes coll/id (the reference's delete()). Returns false, appending
  // nothing, if it does not exist at HEAD. Older versions stay readable AS OF.
  bool remove(std::string_view coll, std::string_view id, const WriteOptions& options = {});

  // Erases coll/id (GDPR art. 17): appends an erase op (options.reason,
  // client, nonce, idem) naming every version of coll/id that holds a
  // payload, makes it durable, then removes those payloads from the log's
  // records, the snapshot and memory before it returns. The history stays
  // provable: no leaf, root or proof changes (a leaf commits to a salted
  // digest of the payload, not to its bytes). Afterwards get() at HEAD
  // returns nothing, and a read AS OF a seq where an erased version was
  // visible throws ErasedError naming the erase op's seq. Returns that seq
  // (for a repeated idem key, the first erase's). NotFound if no version of
  // coll/id holds a payload (never written, or erased already);
  // InvalidArgument inside atomic() or for a reason over 1 KiB.
  std::uint64_t erase(std::string_view coll, std::string_view id, const EraseOptions& options = {});

  // Adds the directed edge from -[rel]-> to. Node keys are "collection:id".
  // Returns false, appending nothing, if the edge already exists.
  bool link(std::string_view from, std::string_view rel, std::string_view to,
            const WriteOptions& options = {});
  // Removes the edge; false, appending nothing, if it does not exist.
  bool unlink(std::string_view from, std::string_view rel, std::string_view to,
              const WriteOptions& options = {});

  // ---- TTL. A document whose "_expires_at" (seconds since the Unix epoch,
  // per the Env clock) has passed is deleted lazily: a HEAD read (get,
  // query) that meets it appends a delete op (client "nedb") and does not
  // return it; stats() does not count it. AS OF reads ignore expiry: they
  // show what was true then. With Options::expire_interval_ms a background
  // thread also deletes expired documents as they fall due (off by default:
  // embedded databases start no thread unless asked). ----

  // Sets or updates coll/id's TTL to ttl_s seconds from now (a put op).
  // Returns false, appending nothing, if the document does not exist.
  bool expire(std::string_view coll, std::string_view id, double ttl_s,
              const WriteOptions& options = {});
  // Deletes every expired document now; returns how many. Costs O(expired
  // documents): an index ordered by expiry time finds them (the first call
  // on a database opened from a snapshot builds it, O(documents), once).
  // The deletes go in groups of up to 512 per atomic() (one fsync each).
  std::size_t sweep();

  // ---- reads. as_of = s reads the state after every op with seq <= s;
  // std::nullopt reads HEAD. An as_of beyond seq() throws InvalidArgument. ----

  std::optional<nlohmann::json> get(std::string_view coll, std::string_view id,
                                    std::optional<std::uint64_t> as_of = std::nullopt) const;

  // get() without parsing: the stored document's canonical JSON text (see
  // put_text()), with the same expiry and as_of rules.
  std::optional<std::string> get_text(std::string_view coll, std::string_view id,
                                      std::optional<std::uint64_t> as_of = std::nullopt) const;

  // Targets of from's rel edges, in the order their link ops were applied.
  std::vector<std::string> neighbors(std::string_view from, std::string_view rel,
                                     std::optional<std::uint64_t> as_of = std::nullopt) const;
  // Sources of rel edges into to, in the order their link ops were applied.
  std::vector<std::string> inbound(std::string_view to, std::string_view rel,
                                   std::optional<std::uint64_t> as_of = std::nullopt) const;

  // ---- indexes and queries (docs/NQL.md) ----

  // Creates a secondary index on coll.field (a dotted path) of kind "eq"
  // (equality), "ordered" (ranges, ORDER BY) or "search" (SEARCH terms),
  // filled from the existing documents. Durable databases record it in
  // meta.json. Creating an existing index does nothing. Throws
  // InvalidArgument for a bad collection, field or kind.
  void create_index(std::string_view coll, std::string_view field, std::string_view kind);
  // The index specs, sorted: {{"users", "status", "eq"}, ...}.
  std::vector<std::vector<std::string>> indexes() const;

  // Runs an NQL query. Throws QueryError (with the position) for bad text,
  // InvalidArgument for AS OF a future seq.
  std::vector<nlohmann::json> query(std::string_view nql) const;
  // A fluent builder over coll; see nedb/query.h.
  Query q(std::string_view coll) const;
  // The plan query() would use: for each step the index used or "scan".
  nlohmann::json explain(std::string_view nql) const;

  // Seq of the last op (0 for a fresh database: the genesis op).
  std::uint64_t seq() const;
  // The hex root of the Merkle tree over every op (root()): a commitment
  // to the whole history.
  std::string head() const;

  // ---- the history as an RFC 9162 Merkle tree (docs/MERKLE.md): leaf i
  // commits to op seq i, so the tree of every op has seq() + 1 leaves.
  // Sizes beyond seq() + 1 throw InvalidArgument. ----

  // Hex root of the tree of the first tree_size ops (default: all).
  std::string root(std::optional<std::uint64_t> tree_size = {}) const;
  // Hex of the entry bytes op seq's leaf commits to (docs/FORMAT.md,
  // "Entry"); its leaf hash is SHA-256(0x00 || entry).
  std::string leaf_entry(std::uint64_t seq) const;
  // Proof that op seq is in the tree of tree_size ops (default: all);
  // check it with nedb::VerifyInclusion against root(tree_size).
  InclusionProof prove(std::uint64_t seq, std::optional<std::uint64_t> tree_size = {}) const;
  // Proof that the tree of size1 ops is a prefix of the tree of size2 ops
  // (default: all); check it with nedb::VerifyConsistency.
  ConsistencyProof prove_consistency(std::uint64_t size1,
                                     std::optional<std::uint64_t> size2 = {}) const;

  // Re-reads every record (from disk when durable): frame checksums, strict
  // decoding, each payload's salted digest, the erasure rule, and the Merkle
  // root recomputed from the entries against head(); false on any modified,
  // reordered, inserted or deleted op.
  bool verify() const;
  // Replays the log into fresh state and compares it with the live state.
  bool verify_determinism() const;

  // Captures the whole state in a snapshot anchored in the log: appends a
  // checkpoint op whose payload is the snapshot's BLAKE2b-512 digest, and
  // (durable) writes snapshot.json atomically. The next open loads it and
  // replays only the ops after it. Returns {"ok": true, "seq": <the
  // checkpoint op>, "head": ..., "snapshot": <digest>, "snapshot_seq": <state
  // seq>, "bytes": <size>}. Writers wait while the snapshot is written.
  nlohmann::json checkpoint();
  // How the last open went: {"snapshot": bool, "snapshot_seq": n | null,
  // "replayed_ops": n} (ops replayed from the log, after the snapshot if any).
  nlohmann::json open_info() const;

  // Runs fn holding this database's write lock: the ops that fn's writes
  // append (from the calling thread) are consecutive in the log, with no
  // other writer's op between them, and under Sync::Always they are made
  // durable by one fsync when fn returns. Reads inside fn see fn's earlier
  // writes. If fn throws, the ops it already appended stay (each op is
  // atomic, the group is not) and the exception propagates. fn must not
  // call checkpoint(), create_index(), verify(), verify_determinism(),
  // close() or log() (InvalidArgument), nor wait for another thread's write.
  // Nested atomic() calls on the same thread just run fn.
  // The lines of fn's ops reach the OS together, with one write() when fn
  // returns (or every 1 MiB): until atomic() returns a crash of the process
  // can lose them, while other threads' reads already see them.
  // sync = AtomicSync::kDefer skips the final fsync under Sync::Always: the
  // caller must call flush() before it acknowledges the writes (a server
  // that fsyncs once for every client it served in a loop pass). The lines
  // then wait in the process until flush() (which writes all deferred
  // groups with one write()), the next write outside kDefer, or a call that
  // reads the log (verify, log, checkpoint, close) writes them first.
  void atomic(const std::function<void()>& fn, AtomicSync sync = AtomicSync::kWait);

  // Counters and sizes: ops appended by kind, fsyncs, live documents.
  Stats stats() const;
  // The last `limit` ops, newest first, each as a JSON object (docs/CLI.md,
  // "nedb log": op, doc or "erased", leaf_hash, ...). Reads only the log's tail.
  std::vector<nlohmann::json> log(std::size_t limit = 50) const;

  // Makes every appended op durable (fsync) now.
  void flush();
  // Flushes and closes; releases the directory lock. Idempotent. Every other
  // call afterwards throws ClosedError.
  void close();

  // Directory of a durable database; empty in memory.
  const std::string& path() const;

  class Impl;

 private:
  friend class Query;
  friend class AutoIndexDB;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nedb

#endif  // NEDB_NEDB_H_
