// SPDX-License-Identifier: Apache-2.0
// Checkpoint benchmarks (bench/RESULTS.md, "Checkpoints"). A plain main() with
// std::chrono; every figure is the median of NEDB_BENCH_CKPT_REPS (default 3)
// repetitions, wall-clock time, data on the disk under NEDB_BENCH_DIR (keep it
// off tmpfs; the files are warm in the page cache when opens are timed).
//
//   checkpoint_bench [N_DOCS [DELTA_OPS [IDS]]]  default 1000000 1000 N_DOCS
//   checkpoint_bench --open DIR [TIMES]       only open DIR (for perf record)
//
// Data set: N_DOCS puts of distinct ids (~104-byte documents from
// bench_common.h) into a durable database with Sync::None, so N_DOCS live
// documents and N_DOCS + 1 ops (with genesis). With IDS < N_DOCS, put i
// writes id i % IDS instead (a history with updates: IDS live documents,
// N_DOCS / IDS versions each); "docs" below then means the IDS live ones.
//  (b) checkpoint() of the N_DOCS live documents: time (each repetition is one
//      more checkpoint() of the same state) and snapshot.json size; then the
//      open of that directory (exactly the snapshot + 0 delta ops): docs / open
//      time = snapshot load rate.              Bar: >= 2,000,000 docs/s.
//  (a) DELTA_OPS more puts after the checkpoint (updates of ids 0..DELTA_OPS-1),
//      then: open (snapshot-assisted; checks open_info().snapshot == true and
//      replayed_ops == DELTA_OPS) vs open of a copy of the directory without
//      snapshot.json (full replay; checks open_info().snapshot == false),
//      repetitions interleaved.                Bar: snapshot open <= 1/10 full.
// Only the constructor nedb::NEDB(dir, ...) is timed for opens (not the
// destructor), as in BM_Reopen_NEDB.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_common.h"
#include "nedb/nedb.h"

namespace nb = nedb_bench;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Stat {
  double med = 0, min = 0, max = 0;
};

Stat Summ(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "checkpoint_bench: FAILED CHECK: %s\n", why.c_str());
  std::exit(1);
}

// Times nedb::NEDB(dir) and checks what open_info() says.
double TimedOpen(const std::string& dir, bool want_snapshot, std::uint64_t want_replayed,
                 std::uint64_t want_seq) {
  std::optional<nedb::NEDB> db;
  auto t0 = Clock::now();
  db.emplace(dir, nedb::Options{.sync = nedb::Sync::None});
  auto t1 = Clock::now();
  nlohmann::json info = db->open_info();
  if (info["snapshot"].get<bool>() != want_snapshot) Die(dir + ": open_info " + info.dump());
  if (info["replayed_ops"].get<std::uint64_t>() != want_replayed) {
    Die(dir + ": open_info " + info.dump() + ", want replayed_ops " +
        std::to_string(want_replayed));
  }
  if (db->seq() != want_seq) Die(dir + ": seq " + std::to_string(db->seq()));
  db.reset();
  return Seconds(t0, t1);
}

std::uint64_t DirBytes(const std::string& dir, const char* file) {
  return fs::file_size(fs::path(dir) / file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--open") {
    const int times = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
    for (int i = 0; i < times; ++i) {
      auto t0 = Clock::now();
      nedb::NEDB db(argv[2], nedb::Options{.sync = nedb::Sync::None});
      auto t1 = Clock::now();
      std::printf("open %s: %.3f s %s\n", argv[2], Seconds(t0, t1), db.open_info().dump().c_str());
    }
    return 0;
  }
  const std::uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::uint64_t delta = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000;
  const std::uint64_t ids =
      std::min(n, argc > 3 ? std::max<std::uint64_t>(1, std::strtoull(argv[3], nullptr, 10)) : n);
  const char* reps_env = std::getenv("NEDB_BENCH_CKPT_REPS");
  const int reps = reps_env != nullptr ? std::max(1, std::atoi(reps_env)) : 3;

  const std::string dir = nb::FreshDir("ckpt");
  const std::string full_dir = nb::FreshDir("ckpt-full");
  std::printf(
      "scratch %s on %s; %llu puts over %llu ids, %llu delta ops, %d repetitions (median)\n",
      nb::ScratchRoot().c_str(), nb::FsType(nb::ScratchRoot()).c_str(),
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(ids),
      static_cast<unsigned long long>(delta), reps);

  // ---- load ----
  std::uint64_t seq_after_ckpt = 0;
  std::vector<double> ckpt_s;
  std::uint64_t snap_bytes = 0;
  std::uint64_t json_bytes = 0;
  {
    nedb::NEDB db(dir, nedb::Options{.sync = nedb::Sync::None});
    auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
      nlohmann::json d = nb::Doc(i % ids, i / ids);
      if (i >= n - ids && i % 1024 == 0) {  // the live versions
        json_bytes += d.dump().size() * std::min<std::uint64_t>(1024, n - i);
      }
      db.put(nb::kColl, nb::Id(i % ids), std::move(d));
    }
    auto t1 = Clock::now();
    std::printf("load: %llu puts in %.2f s (%.0f puts/s)\n", static_cast<unsigned long long>(n),
                Seconds(t0, t1), static_cast<double>(n) / Seconds(t0, t1));
    // ---- (b) checkpoint() of n live docs ----
    for (int r = 0; r < reps; ++r) {
      auto c0 = Clock::now();
      nlohmann::json res = db.checkpoint();
      auto c1 = Clock::now();
      if (!res["ok"].get<bool>()) Die("checkpoint: " + res.dump());
      ckpt_s.push_back(Seconds(c0, c1));
      snap_bytes = res["bytes"].get<std::uint64_t>();
      std::printf("  checkpoint %d: %.3f s, %llu bytes, snapshot_seq %llu\n", r, Seconds(c0, c1),
                  static_cast<unsigned long long>(snap_bytes),
                  static_cast<unsigned long long>(res["snapshot_seq"].get<std::uint64_t>()));
    }
    seq_after_ckpt = db.seq();
    db.close();
  }
  if (DirBytes(dir, "snapshot.json") != snap_bytes) Die("snapshot.json size != bytes");
  const std::uint64_t log_bytes_b = nb::LogBytes(dir);

  // (b) load rate: open of exactly the snapshot + 0 delta ops.
  std::vector<double> snap0_s;
  TimedOpen(dir, true, 0, seq_after_ckpt);  // warm-up (page cache), not counted
  for (int r = 0; r < reps; ++r) snap0_s.push_back(TimedOpen(dir, true, 0, seq_after_ckpt));

  // ---- (a) delta ops after the checkpoint, then snapshot vs full replay ----
  {
    nedb::NEDB db(dir, nedb::Options{.sync = nedb::Sync::None});
    for (std::uint64_t i = 0; i < delta; ++i) {
      db.put(nb::kColl, nb::Id(i % ids), nb::Doc(i % ids, n / ids + 1));
    }
    db.close();
  }
  const std::uint64_t final_seq = seq_after_ckpt + delta;
  fs::copy(dir, full_dir, fs::copy_options::recursive);
  fs::remove(fs::path(full_dir) / "snapshot.json");
  fs::remove(fs::path(full_dir) / "LOCK");  // harmless if absent
  const std::uint64_t log_bytes_a = nb::LogBytes(dir);
  const std::uint64_t all_ops = final_seq + 1;  // a full open replays genesis too

  std::vector<double> snap_s, full_s;
  TimedOpen(dir, true, delta, final_seq);          // warm-up
  TimedOpen(full_dir, false, all_ops, final_seq);  // warm-up
  for (int r = 0; r < reps; ++r) {
    // interleaved, alternating which goes first
    if (r % 2 == 0) {
      snap_s.push_back(TimedOpen(dir, true, delta, final_seq));
      full_s.push_back(TimedOpen(full_dir, false, all_ops, final_seq));
    } else {
      full_s.push_back(TimedOpen(full_dir, false, all_ops, final_seq));
      snap_s.push_back(TimedOpen(dir, true, delta, final_seq));
    }
  }

  Stat ck = Summ(ckpt_s), s0 = Summ(snap0_s), sa = Summ(snap_s), fa = Summ(full_s);
  const double load_rate = static_cast<double>(ids) / s0.med;
  const double ratio = sa.med / fa.med;
  const double mb = 1e6;
  std::printf("\n");
  std::printf("| metric | median | min..max | bar | result |\n|---|---|---|---|---|\n");
  std::printf("| (b) checkpoint() of %llu live docs | %.3f s | %.3f..%.3f s | - | - |\n",
              static_cast<unsigned long long>(ids), ck.med, ck.min, ck.max);
  std::printf("| (b) snapshot.json size | %.1f MB (%.2fx the %.1f MB of doc JSON) | - | - | - |\n",
              static_cast<double>(snap_bytes) / mb,
              static_cast<double>(snap_bytes) / static_cast<double>(json_bytes),
              static_cast<double>(json_bytes) / mb);
  std::printf("| (b) open, snapshot + 0 delta ops | %.3f s | %.3f..%.3f s | - | - |\n", s0.med,
              s0.min, s0.max);
  std::printf(
      "| (b) snapshot load rate | %.0f docs/s (%.0f MB/s of snapshot) | %.0f..%.0f | >= 2,000,000 "
      "docs/s | %s |\n",
      load_rate, static_cast<double>(snap_bytes) / mb / s0.med, static_cast<double>(ids) / s0.max,
      static_cast<double>(ids) / s0.min, load_rate >= 2e6 ? "PASS" : "FAIL");
  std::printf("| (a) open, snapshot + %llu delta ops | %.3f s | %.3f..%.3f s | - | - |\n",
              static_cast<unsigned long long>(delta), sa.med, sa.min, sa.max);
  std::printf(
      "| (a) open, full replay of %llu ops (%.0f MB log) | %.3f s | %.3f..%.3f s | - | - |\n",
      static_cast<unsigned long long>(all_ops), static_cast<double>(log_bytes_a) / mb, fa.med,
      fa.min, fa.max);
  std::printf("| (a) snapshot open / full replay | %.3f (%.1fx faster) | - | <= 0.100 | %s |\n",
              ratio, 1.0 / ratio, ratio <= 0.1 ? "PASS" : "FAIL");
  std::printf("\nlog: %llu bytes at the checkpoint, %llu after the delta\n",
              static_cast<unsigned long long>(log_bytes_b),
              static_cast<unsigned long long>(log_bytes_a));
  std::printf(
      "{\"ops\":%llu,\"docs\":%llu,\"delta\":%llu,\"reps\":%d,\"checkpoint_s\":%.6f,\"snapshot_"
      "bytes\":%llu,"
      "\"json_bytes\":%llu,\"open_snap0_s\":%.6f,\"load_docs_per_s\":%.0f,\"open_snap_s\":%.6f,"
      "\"open_full_s\":%.6f,\"ratio\":%.4f}\n",
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(ids),
      static_cast<unsigned long long>(delta), reps, ck.med,
      static_cast<unsigned long long>(snap_bytes), static_cast<unsigned long long>(json_bytes),
      s0.med, load_rate, sa.med, fa.med, ratio);
  if (std::getenv("NEDB_BENCH_KEEP") == nullptr) {
    fs::remove_all(full_dir);
  }
  return 0;
}
