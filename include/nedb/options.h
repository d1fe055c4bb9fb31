// Copyright (c) NEDB authors. Plain option structs with documented defaults.
// SPDX-License-Identifier: Apache-2.0
#ifndef NEDB_OPTIONS_H_
#define NEDB_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace nedb {

class Env;

// When a durable database makes an appended op durable (fsync), like Redis's
// appendfsync. The op is written to the OS (and so survives a crash of the
// process) before any write call returns under every policy (inside
// NEDB::atomic(): before atomic() returns).
enum class Sync {
  Always,    // fsync before the write call returns (group commit shares it).
  EverySec,  // a background thread fsyncs once a second: a power loss can
             // lose up to about a second of writes.
  None,      // fsync only on flush() and close().
};

// Whether NEDB::atomic() waits for the fsync Sync::Always asks for.
enum class AtomicSync {
  kWait,   // atomic() returns once fn's ops are durable (one fsync for all)
  kDefer,  // Sync::Always: atomic() returns with the lines still buffered
           // (NEDB::atomic()); call flush(), which writes and fsyncs them,
           // before acknowledging them. Other policies: as kWait.
};

struct Options {
  // Durability policy for durable databases. Ignored in memory.
  Sync sync = Sync::Always;
  // The file-system seam. nullptr means the process-wide POSIX Env. The Env
  // must outlive the database.
  Env* env = nullptr;
  // Receives warnings such as "truncated a torn tail". nullptr: stderr.
  std::function<void(const std::string&)> logger = nullptr;
  // The master key for encryption at rest. Encryption at rest is not
  // available in this version: a durable database given a key (here, or by
  // NEDB_TMK / NEDB_TMK_FILE in the environment) refuses to open with
  // NotSupported before it touches the disk, so nothing meant to be
  // encrypted is ever written in plain text (fail closed).
  std::optional<std::string> tmk;
  // Background expiry (durable databases): every expire_interval_ms a
  // thread of this database deletes the documents whose "_expires_at" has
  // passed (as sweep() does), finding them through an index ordered by
  // expiry time, so each pass costs O(expired documents), not O(database);
  // a pass spends at most a quarter of the interval before yielding to the
  // next. 0 (the default): off -- expired documents are deleted only when a
  // HEAD read meets them or sweep() runs (they are never returned or
  // counted either way). nedbd turns it on (--expire-interval-ms, 100).
  std::uint32_t expire_interval_ms = 0;
  // The log's segment files (DIR/log/NNNNNNNN.seg, docs/FORMAT.md) are
  // closed and a new one started when a record would take one past this
  // many bytes. Tests make it small.
  std::uint64_t segment_bytes = 64u << 20;
};

// Per-write options. An aggregate, so designated initializers work:
//   db.put("orders", "o1", doc, {.client = "checkout", .nonce = 7, .idem = "k"});
struct WriteOptions {
  // The client the nonce belongs to. Non-empty, at most 256 bytes of UTF-8.
  std::string client = "local";
  // Must strictly exceed the client's last nonce. Omitted: last + 1.
  std::optional<std::uint64_t> nonce;
  // Idempotency key: a repeated key returns the original result and appends
  // nothing. Keys are global to the database.
  std::optional<std::string> idem;
  // put() only: expire the document ttl_s seconds from now (stored in the
  // document as "_expires_at", seconds since the Unix epoch). > 0, finite.
  std::optional<double> ttl_s;
};

// Options of NEDB::erase(). The erase op is a write like any other: client,
// nonce and idem mean what they mean in WriteOptions.
struct EraseOptions {
  // Why the document is erased (kept in the log, e.g. "GDPR art. 17
  // request 2026-118"). UTF-8, at most 1 KiB; may be empty.
  std::string reason;
  std::string client = "local";
  std::optional<std::uint64_t> nonce;
  std::optional<std::string> idem;
};

}  // namespace nedb

#endif  // NEDB_OPTIONS_H_
