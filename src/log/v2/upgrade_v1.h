// SPDX-License-Identifier: Apache-2.0
// Upgrading a database directory from log format v1 (log.aof, docs/FORMAT-v1.md)
// to log format v2 (log/NNNNNNNN.seg, docs/FORMAT.md), once, on open
// (docs/FORMAT.md, "Upgrading a v1 directory").
//
// Every v1 op becomes the v2 record of the same seq with the same ts, client,
// nonce, idem, names, link fields, checkpoint digest and state_seq, and the
// same payload bytes (a put's document text) under a fresh salt. The v2
// genesis keeps the v1 genesis's ts, client and nonce, names format version
// 2, and records the v1 head (the hash of the last v1 op, 64 raw bytes) and
// the number of v1 ops converted (genesis included) in its v1_head / v1_ops
// fields. log.aof stays, renamed log.aof.v1; a v1 snapshot.json becomes
// snapshot.json.v1 (v2 does not read it: the converted log is replayed).
//
// Crash-safe: the log is written into DIR/log.tmp/ and fsync'd, then renamed
// to DIR/log in one step; only after that are the v1 files renamed. Whatever
// step a crash (or an error) interrupts, calling UpgradeV1 again finishes
// the job: a leftover log.tmp/ is removed and written again; a complete log/
// beside a log.aof (a crash during the renames) gets the renames only, once
// log.aof is checked to be the log it was converted from.
#ifndef NEDB_LOG_V2_UPGRADE_V1_H_
#define NEDB_LOG_V2_UPGRADE_V1_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "log/v2/segment_format.h"
#include "nedb/env.h"

namespace nedb::logv2 {

// The names UpgradeV1 uses in a database directory, besides the v1 log
// (logfmt::kLogFile, "log.aof") and the v2 log directory (kLogDir, "log").
inline constexpr std::string_view kV1LogKeptFile = "log.aof.v1";
inline constexpr std::string_view kV1SnapshotFile = "snapshot.json";
inline constexpr std::string_view kV1SnapshotKeptFile = "snapshot.json.v1";
inline constexpr std::string_view kUpgradeTmpDir = "log.tmp";

struct UpgradeV1Options {
  std::uint64_t segment_bytes = kDefaultSegmentBytes;  // tests make it small
  // Records are handed to the OS once this many bytes are buffered (the
  // memory an upgrade needs, besides one v1 line and one record).
  std::size_t write_batch_bytes = std::size_t{1} << 20;
};

// If dir holds a v1 log (log.aof) and no v2 log, converts it once and
// returns true; also true if it finished an upgrade a crash interrupted.
// Else returns false and changes nothing (nothing to do). log receives one
// line saying what was done (and one for each torn tail cut or leftover
// removed); it may be empty.
//
// The v1 log is read as the v1 engine opens it (TailPolicy::kRecover): a
// torn last line is left out of the v2 log (log.aof.v1 keeps it) and logged.
// Damage anywhere else throws CorruptionError before anything in dir
// changes. Env failures throw IOError; the directory is then left in a
// state that the next call completes. Memory does not grow with the log:
// ops are converted one at a time and written in batches.
//
// REQUIRES: no other process or thread uses dir (the caller holds its lock).
bool UpgradeV1(Env* env, const std::string& dir,
               const std::function<void(const std::string&)>& log);
bool UpgradeV1(Env* env, const std::string& dir, const std::function<void(const std::string&)>& log,
               const UpgradeV1Options& options);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_UPGRADE_V1_H_
