// SPDX-License-Identifier: Apache-2.0
#include "log/v2/upgrade_v1.h"

#include <limits>
#include <memory>
#include <utility>

#include "log/log_format.h"
#include "log/log_reader.h"
#include "log/v2/op_convert.h"
#include "log/v2/payload_digest.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "nedb/errors.h"
#include "util/blake2b.h"

namespace nedb::logv2 {

namespace {

struct Paths {
  explicit Paths(const std::string& d)
      : dir(d),
        aof(d + "/" + std::string(logfmt::kLogFile)),
        aof_kept(d + "/" + std::string(kV1LogKeptFile)),
        snap(d + "/" + std::string(kV1SnapshotFile)),
        snap_kept(d + "/" + std::string(kV1SnapshotKeptFile)),
        log_dir(d + "/" + std::string(kLogDir)),
        tmp(d + "/" + std::string(kUpgradeTmpDir)) {}
  std::string dir, aof, aof_kept, snap, snap_kept, log_dir, tmp;
};

void Say(const std::function<void(const std::string&)>& log, const std::string& line) {
  if (log) log(line);
}

bool HasSegments(Env* env, const std::string& dir) {
  if (!env->FileExists(dir)) return false;
  for (const std::string& name : env->GetChildren(dir)) {
    if (ParseSegmentFileName(name) != 0) return true;
  }
  return false;
}

// The v1 log's hash chain (every line's hash, seq and prev; nothing decoded),
// read as the v1 engine opens it: a torn last line ends it.
ScanResult ScanChain(Env* env, const std::string& aof) {
  std::unique_ptr<SequentialFile> file = env->NewSequentialFile(aof);
  return ScanLog(
      *file, TailPolicy::kRecover, [](const OpView&, std::uint64_t) {},
      std::numeric_limits<std::uint64_t>::max(), /*chain_only=*/true);
}

// The raw 64 bytes of a v1 head (hex BLAKE2b-512).
std::string RawV1Head(const std::string& hex) {
  nedb::Digest d;
  if (!FromHex(hex, &d)) throw CorruptionError("log.aof: head is not 128 hex digits", 0, 0);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// The last step: the v1 files move aside. snapshot.json first, so that
// log.aof, renamed last, marks an upgrade whose renames are not all done.
std::string RenameV1Files(Env* env, const Paths& p) {
  std::string what;
  if (env->FileExists(p.snap)) {
    env->RenameFile(p.snap, p.snap_kept);
    what = ", snapshot.json -> snapshot.json.v1";
  }
  env->RenameFile(p.aof, p.aof_kept);
  env->SyncDir(p.dir);
  return "log.aof -> log.aof.v1" + what;
}

// A crash came after log.tmp became log/ but before the v1 files were all
// renamed: checks that log.aof is the log that log/ was converted from (its
// genesis names the v1 head and op count), then renames.
void FinishRenames(Env* env, const Paths& p, const std::function<void(const std::string&)>& log) {
  std::string v1_head;
  std::uint64_t v1_ops = 0;
  {
    SegmentReader reader(env, p.log_dir);
    OpRecord genesis;
    if (!reader.Next(&genesis) || genesis.kind != OpKind::kGenesis || !genesis.v1_head ||
        !genesis.v1_ops) {
      throw CorruptionError(p.dir + " holds both log.aof (log format v1) and a v2 log in log/ " +
                                "that was not upgraded from it; move one of them away",
                            0, 0);
    }
    v1_head.assign(*genesis.v1_head);
    v1_ops = *genesis.v1_ops;
  }
  const ScanResult chain = ScanChain(env, p.aof);
  if (chain.ops != v1_ops || chain.ops == 0 || RawV1Head(chain.last_hash) != v1_head) {
    throw CorruptionError(p.dir + "/log.aof (" + std::to_string(chain.ops) +
                              " ops) is not the v1 log that log/ was upgraded from (" +
                              std::to_string(v1_ops) + " ops, v1 head " + ToHex(v1_head) +
                              "); move one of them away",
                          0, 0);
  }
  const std::string renamed = RenameV1Files(env, p);
  Say(log, "finished an interrupted upgrade of " + p.dir + " to log format v2 (" +
               std::to_string(v1_ops) + " ops, v1 head " + chain.last_hash + "): " + renamed);
}

// Writes every op of the v1 log (the first scan.valid_bytes bytes of
// log.aof, as `scan` found them) into a new v2 log in p.tmp, durably.
void Convert(Env* env, const Paths& p, const ScanResult& scan, const UpgradeV1Options& options) {
  const std::string v1_head = RawV1Head(scan.last_hash);
  SegmentWriterOptions wopts;
  wopts.segment_bytes = options.segment_bytes;
  std::unique_ptr<SegmentWriter> writer = SegmentWriter::Create(env, p.tmp, 0, wopts);
  ConvertScratch scratch;
  char salt[kSaltBytes];
  std::unique_ptr<SequentialFile> file = env->NewSequentialFile(p.aof);
  // The bytes the first scan accepted, all complete lines: any damage now is
  // an error (the file changed under us).
  const ScanResult again = ScanLog(
      *file, TailPolicy::kStrict,
      [&](const OpView& op, std::uint64_t) {
        std::string_view salt_view;
        if (KindHasPayload(op.kind)) {
          NewSalt(salt);
          salt_view = std::string_view(salt, kSaltBytes);
        }
        OpRecord rec = ToRecord(op, salt_view, &scratch);
        if (op.kind == OpKind::kGenesis) {
          rec.format_version = kLogFormatVersion;
          rec.v1_head = v1_head;
          rec.v1_ops = scan.ops;
        }
        writer->Add(rec);
        if (writer->buffered_bytes() >= options.write_batch_bytes) writer->Write();
      },
      scan.valid_bytes);
  if (again.ops != scan.ops || again.last_hash != scan.last_hash) {
    throw CorruptionError("log.aof changed while it was being upgraded", again.last_seq,
                          again.valid_bytes);
  }
  writer->Close();  // writes the last batch and fsyncs
}

}  // namespace

bool UpgradeV1(Env* env, const std::string& dir,
               const std::function<void(const std::string&)>& log) {
  return UpgradeV1(env, dir, log, UpgradeV1Options{});
}

bool UpgradeV1(Env* env, const std::string& dir, const std::function<void(const std::string&)>& log,
               const UpgradeV1Options& options) {
  const Paths p(dir);
  if (!env->FileExists(p.aof)) return false;
  if (HasSegments(env, p.log_dir)) {
    FinishRenames(env, p, log);
    return true;
  }

  // Read the whole chain first: a damaged log throws here, with nothing in
  // dir changed. It also gives the v1 head and op count, which the genesis
  // (the first record written) records.
  const ScanResult scan = ScanChain(env, p.aof);
  if (env->FileExists(p.tmp)) {
    env->RemoveDirRecursively(p.tmp);
    Say(log, "removed " + p.tmp + ", left by an interrupted upgrade to log format v2");
  }
  if (scan.ops == 0) {  // not even the genesis line is whole: there is no history
    const std::string renamed = RenameV1Files(env, p);
    Say(log, p.aof + " holds no complete op (" +
                 (scan.torn_reason.empty() ? std::string("empty file") : scan.torn_reason) +
                 "): nothing to convert to log format v2; " + renamed);
    return true;
  }
  if (scan.torn_tail) {
    Say(log, p.aof + ": a torn tail of " +
                 std::to_string(env->GetFileSize(p.aof) - scan.valid_bytes) +
                 " bytes at byte offset " + std::to_string(scan.valid_bytes) + " (" +
                 scan.torn_reason + ") is not converted to log format v2 (log.aof.v1 keeps it)");
  }
  try {
    Convert(env, p, scan, options);
  } catch (...) {
    try {  // the next call would remove it too; this frees the space now
      if (env->FileExists(p.tmp)) env->RemoveDirRecursively(p.tmp);
    } catch (const std::exception&) {
      // The first error is the one to report.
    }
    throw;
  }
  // A log/ without segments holds no log: the converted one replaces it.
  if (env->FileExists(p.log_dir)) env->RemoveDirRecursively(p.log_dir);
  env->RenameFile(p.tmp, p.log_dir);
  env->SyncDir(dir);
  const std::string renamed = RenameV1Files(env, p);
  Say(log, "upgraded " + dir + " from log format v1 to v2: " + std::to_string(scan.ops) +
               " ops converted (seq 0-" + std::to_string(scan.last_seq) + "), v1 head " +
               scan.last_hash + "; " + renamed);
  return true;
}

}  // namespace nedb::logv2
