#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# RESP2 benchmark: redis-benchmark against nedbd's RESP2 server (sync=no and
# sync=always) and, in the same run, redis-server 7 with appendonly no and
# with appendonly yes + appendfsync always. Servers run one at a time on
# free loopback ports and are stopped by PID.
#
#   bench/redis/run.sh [build dir with tests/redis/resp_harness]   (default build-redis)
#   N=200000 CLIENTS=50 TESTS=set,get,incr,lpush,sadd,hset bench/redis/run.sh
#   HARNESS_ARGS="--threads 1" bench/redis/run.sh   (extra resp_harness options)
#
# Prints a Markdown table (requests per second) and checks the bars of
# issue 6: sync=no GET >= 70% and SET >= 50% of redis appendonly=no;
# sync=always SET >= redis appendfsync=always. Exit status 1 if a bar fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${1:-$ROOT/build-redis}"
HARNESS="$BUILD/tests/redis/resp_harness"
N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
TESTS="${TESTS:-set,get,incr,lpush,sadd,hset}"
read -r -a HARNESS_ARGS <<<"${HARNESS_ARGS:-}"
WORK="$(mktemp -d /tmp/nedb-redis-bench.XXXXXX)"
[[ -x "$HARNESS" ]] || { echo "build $HARNESS first (cmake --build $BUILD --target resp_harness)" >&2; exit 2; }

PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 200); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "server on port $1 did not start" >&2; exit 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

declare -A RPS
bench() {  # bench <label>: runs redis-benchmark against $PORT with and without -P 16
  local label="$1" p out line
  for p in 1 16; do
    out=$(redis-benchmark -p "$PORT" -q -t "$TESTS" -n "$N" -c "$CLIENTS" -P "$p" 2>&1 | tr '\r' '\n' |
          grep -E '^[A-Z_]+( \(.*\))?: [0-9.]+ requests per second' || true)
    while read -r line; do
      [[ -z "$line" ]] && continue
      local t="${line%%:*}" v
      t="${t%% *}"
      v=$(echo "$line" | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
      RPS["$label|$p|$t"]="$v"
    done <<<"$out"
    echo "  $label -P $p: $(echo "$out" | sed -E 's/ requests per second.*//' | tr '\n' ' ')" >&2
  done
}

run_redis() {  # run_redis <label> [redis-server args]
  PORT=$(free_port)
  mkdir -p "$WORK/$1"
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --dir "$WORK/$1" --daemonize no "${@:2}" \
    >"$WORK/$1.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
  bench "$1"
  stop
}

run_nedbd() {  # run_nedbd <label> <sync>
  PORT=$(free_port)
  "$HARNESS" --data "$WORK/$1" --port "$PORT" --sync "$2" "${HARNESS_ARGS[@]}" >"$WORK/$1.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
  bench "$1"
  stop
}

echo "redis-benchmark -q -t $TESTS -n $N -c $CLIENTS [-P 16]; $(nproc) cores" >&2
run_redis "redis-aof-no" --appendonly no
run_nedbd "nedbd-sync-no" no
run_redis "redis-aof-always" --appendonly yes --appendfsync always
run_nedbd "nedbd-sync-always" always

labels=(redis-aof-no nedbd-sync-no redis-aof-always nedbd-sync-always)
for p in 1 16; do
  echo
  echo "Pipeline $p (requests per second):"
  echo
  printf '| test |'; for l in "${labels[@]}"; do printf ' %s |' "$l"; done; echo
  printf '|---|'; for _ in "${labels[@]}"; do printf -- '---:|'; done; echo
  for t in ${TESTS//,/ }; do
    T="${t^^}"
    printf '| %s |' "$T"
    for l in "${labels[@]}"; do printf ' %s |' "${RPS["$l|$p|$T"]:-n/a}"; done
    echo
  done
done

status=0
echo
check() {  # check <description> <value> <reference> <ratio>
  local ok
  ok=$(python3 -c "print('PASS' if float('${2:-0}') >= float('${4}') * float('${3:-0}') else 'FAIL')")
  echo "$ok: $1: ${2:-n/a} vs ${4} x ${3:-n/a}"
  [[ "$ok" == PASS ]] || status=1
}
for p in 1 16; do
  check "P=$p GET sync=no >= 70% redis aof=no" "${RPS["nedbd-sync-no|$p|GET"]:-0}" "${RPS["redis-aof-no|$p|GET"]:-0}" 0.7
  check "P=$p SET sync=no >= 50% redis aof=no" "${RPS["nedbd-sync-no|$p|SET"]:-0}" "${RPS["redis-aof-no|$p|SET"]:-0}" 0.5
  check "P=$p SET sync=always >= redis appendfsync=always" "${RPS["nedbd-sync-always|$p|SET"]:-0}" "${RPS["redis-aof-always|$p|SET"]:-0}" 1.0
done
exit $status
