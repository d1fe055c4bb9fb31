#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Profiles the operations whose figures bench/RESULTS.md reports, with the
# set-up excluded (bench/prof_driver.cc enables perf around the measured part).
#
#   bench/profile.sh [MODE...]   MODE: put-mem get-head get-asof reopen verify durable
#
# Builds a separate Release build with -g -fno-omit-frame-pointer in
# build-bench-prof (NEDB_PROF_BUILD), writes perf data and reports to
# $BUILD/prof/, prints the top symbols by self time and, for durable, the
# fdatasync count (strace) that shows how many ops share one fsync.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${NEDB_PROF_BUILD:-build-bench-prof}
export NEDB_BENCH_DIR=${NEDB_BENCH_DIR:-build-bench/tmp}
MODES=("$@")
[ ${#MODES[@]} -eq 0 ] && MODES=(put-mem get-head get-asof reopen verify durable)

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DNEDB_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-g -fno-omit-frame-pointer" >/dev/null
cmake --build "$BUILD" -j2 --target prof_driver
mkdir -p "$BUILD/prof" "$NEDB_BENCH_DIR"
P=$BUILD/prof

for m in "${MODES[@]}"; do
  rm -f "$P/ctl" "$P/ack"; mkfifo "$P/ctl" "$P/ack"
  echo "== $m: perf record -F 1999 --call-graph dwarf,16384 -D -1 --control fifo:$P/ctl,$P/ack -- $BUILD/bench/prof_driver $m"
  NEDB_PERF_CTL=$P/ctl NEDB_PERF_ACK=$P/ack perf record -q -F 1999 --call-graph dwarf,16384 -D -1 \
    --control "fifo:$P/ctl,$P/ack" -o "$P/$m.data" -- "$BUILD/bench/prof_driver" "$m" 2>&1 | grep -v '^\[' || true
  perf report -i "$P/$m.data" --no-children --sort symbol --stdio 2>/dev/null \
    | sed -E 's/(nlohmann::json_abi_v3_11_2::)?basic_json<[^ ]*( [^ ]*)*> >/json/' >"$P/$m.self.txt" || true
  perf report -i "$P/$m.data" --children --sort symbol --stdio -g none 2>/dev/null >"$P/$m.children.txt" || true
  echo "-- top self time ($P/$m.self.txt):"
  grep -E '^ +[0-9.]+%' "$P/$m.self.txt" | head -15 | cut -c1-170 || true
  echo "-- top inclusive time, nedb:: functions ($P/$m.children.txt):"
  grep -E '^ +[0-9.]+%' "$P/$m.children.txt" | grep -E 'nedb::|json|Blake|EVP|parse' | head -15 | cut -c1-170 || true
  echo
done
if printf '%s\n' "${MODES[@]}" | grep -qx durable; then
  echo "== durable under strace (fdatasync calls per op):"
  strace -f -c -e trace=fdatasync,fsync,pwrite64,write -o "$P/durable.strace" \
    "$BUILD/bench/prof_driver" durable 16
  cat "$P/durable.strace"
fi
rm -f "$P/ctl" "$P/ack"
