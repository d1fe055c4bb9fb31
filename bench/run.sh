#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds NEDB in Release and runs every benchmark (NEDB and the SQLite peer in
# the same run), then prints a summary table of medians. `make bench` calls it.
#
#   bench/run.sh [GROUP...]      GROUP: put durable fsyncs get replay rss checkpoint
#                                (default: all)
#
# Environment: NEDB_BENCH_BUILD (build dir, default build-bench), NEDB_BENCH_REPS
# (repetitions, default 5), NEDB_BENCH_DIR (scratch data dir, default
# $NEDB_BENCH_BUILD/tmp: keep it on the disk under test, not a tmpfs),
# NEDB_BENCH_NO_BUILD=1 (run the binaries already built), NEDB_BENCH_OUT (results
# dir, default $NEDB_BENCH_BUILD/bench-results).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${NEDB_BENCH_BUILD:-build-bench}
REPS=${NEDB_BENCH_REPS:-5}
export NEDB_BENCH_DIR=${NEDB_BENCH_DIR:-$BUILD/tmp}
OUT=${NEDB_BENCH_OUT:-$BUILD/bench-results}
GROUPS_TO_RUN=("$@")
[ ${#GROUPS_TO_RUN[@]} -eq 0 ] && GROUPS_TO_RUN=(put durable fsyncs get replay rss checkpoint)

if [ "${NEDB_BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DNEDB_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target nedb_bench rss_bench checkpoint_bench
fi

mkdir -p "$NEDB_BENCH_DIR" "$OUT"
fs=$(stat -f -c %T "$NEDB_BENCH_DIR")
echo "scratch dir $NEDB_BENCH_DIR on $fs ($(df -P "$NEDB_BENCH_DIR" | awk 'NR==2{print $1}'))"
if [ "$fs" = tmpfs ]; then
  echo "WARNING: $NEDB_BENCH_DIR is a tmpfs: durable figures would not measure a disk" >&2
fi
echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

run_bench() {  # name filter
  local name=$1 filter=$2
  local cmd=("$BUILD/bench/nedb_bench" "--benchmark_filter=$filter"
             "--benchmark_repetitions=$REPS" "--benchmark_enable_random_interleaving=true"
             "--benchmark_display_aggregates_only=true"
             "--benchmark_out=$OUT/$name.json" "--benchmark_out_format=json")
  echo
  echo "== $name: NEDB_BENCH_DIR=$NEDB_BENCH_DIR ${cmd[*]}"
  printf 'NEDB_BENCH_DIR=%s %s\n' "$NEDB_BENCH_DIR" "${cmd[*]}" >"$OUT/cmd.$name"
  "${cmd[@]}"
}

for g in "${GROUPS_TO_RUN[@]}"; do
  case $g in
    put) run_bench put '^BM_PutMem_' ;;
    durable) run_bench durable '^BM_Durable_' ;;
    fsyncs)
      # How many puts share one fdatasync with 16 threads (group commit batch size).
      if command -v perf >/dev/null; then
        cmd=("perf" "stat" "-x," "-e" "syscalls:sys_enter_fdatasync" "-o" "$OUT/fsyncs.txt"
             "$BUILD/bench/nedb_bench" "--benchmark_filter=^BM_Durable_NEDB_SyncAlways/threads:16/"
             "--benchmark_repetitions=3" "--benchmark_out=$OUT/fsyncs.json" "--benchmark_out_format=json")
        echo
        echo "== fsyncs: NEDB_BENCH_DIR=$NEDB_BENCH_DIR ${cmd[*]}"
        printf 'NEDB_BENCH_DIR=%s %s\n' "$NEDB_BENCH_DIR" "${cmd[*]}" >"$OUT/cmd.fsyncs"
        "${cmd[@]}" || echo "perf stat failed (needs tracepoint access); skipped" >&2
        cat "$OUT/fsyncs.txt" 2>/dev/null || true
      else
        echo "perf not found: fsync batch size not measured" >&2
      fi
      ;;
    get) run_bench get '^BM_Get_' ;;
    replay) run_bench replay '^BM_(Reopen|Verify)_' ;;
    rss)
      echo
      : >"$OUT/rss.jsonl"
      for mode in nedb-durable nedb-memory sqlite-memory; do
        cmd="NEDB_BENCH_DIR=$NEDB_BENCH_DIR $BUILD/bench/rss_bench $mode 1000000"
        echo "== rss $mode ($REPS runs, separate processes): $cmd"
        printf '%s  (x%s, median)\n' "$cmd" "$REPS" >"$OUT/cmd.rss-$mode"
        for _ in $(seq "$REPS"); do
          "$BUILD/bench/rss_bench" "$mode" 1000000 | tee -a "$OUT/rss.jsonl"
        done
      done
      ;;
    checkpoint)
      # checkpoint() of 1M docs, snapshot size and load rate, snapshot-assisted
      # open (+1000 ops) vs full replay; a plain table (medians of 3), not JSON.
      cmd="NEDB_BENCH_DIR=$NEDB_BENCH_DIR $BUILD/bench/checkpoint_bench 1000000 1000"
      echo
      echo "== checkpoint: $cmd"
      printf '%s\n' "$cmd" >"$OUT/cmd.checkpoint"
      echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
      "$BUILD/bench/checkpoint_bench" 1000000 1000 | tee "$OUT/checkpoint.txt"
      echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
      ;;
    *) echo "unknown group $g (put durable fsyncs get replay rss checkpoint)" >&2; exit 2 ;;
  esac
done

echo
if command -v python3 >/dev/null; then
  python3 bench/summarize.py "$OUT"
else
  echo "python3 not found: raw results are in $OUT (*.json, rss.jsonl)"
fi
