#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP benchmark of nedbd with wrk on loopback, with nginx serving a small
# static file in the same run as the ceiling of HTTP on this machine.
#
#   bench/http/run.sh            # results table on stdout, raw wrk output in $OUT
#
# Environment: NEDBD (daemon binary, default build-srv/server/nedbd, built if
# missing), NEDB_HTTP_BENCH_DIR (scratch dir for the database and nginx,
# default build-srv/http-bench: keep it on the disk under test), DURATION
# (per wrk run, default 10s), CONNS (default "1 16 64"). Every run uses wrk
# with 2 threads (1 thread for 1 connection: wrk needs a connection per
# thread). nedbd runs with its defaults (sync=always, a thread per core).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
NEDBD=${NEDBD:-build-srv/server/nedbd}
DIR=${NEDB_HTTP_BENCH_DIR:-build-srv/http-bench}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-1 16 64}
OUT=$DIR/results
HERE=bench/http

if [ ! -x "$NEDBD" ]; then
  cmake -S . -B build-srv -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEDB_BUILD_BENCH=OFF >/dev/null
  cmake --build build-srv -j2 --target nedbd
fi
rm -rf "$DIR"
mkdir -p "$DIR/data" "$DIR/nginx/html" "$DIR/nginx/logs" "$OUT"

NEDBD_PID=
NGINX_PID=
cleanup() {
  [ -n "$NEDBD_PID" ] && kill "$NEDBD_PID" 2>/dev/null && wait "$NEDBD_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- nginx: a small static file, its own config, not a daemon ----
NGINX_PORT=$(free_port)
printf '{"ok":true,"version":"0.2.0","databases":["bench"]}' >"$DIR/nginx/html/health"
cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $ROOT/$DIR/nginx/nginx.pid;
error_log $ROOT/$DIR/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  client_body_temp_path $ROOT/$DIR/nginx/tmp;
  proxy_temp_path $ROOT/$DIR/nginx/tmp;
  fastcgi_temp_path $ROOT/$DIR/nginx/tmp;
  uwsgi_temp_path $ROOT/$DIR/nginx/tmp;
  scgi_temp_path $ROOT/$DIR/nginx/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $ROOT/$DIR/nginx/html;
  }
}
CONF
mkdir -p "$DIR/nginx/tmp"
/usr/sbin/nginx -p "$ROOT/$DIR/nginx" -c "$ROOT/$DIR/nginx/nginx.conf" -g 'daemon off;' \
  2>"$DIR/nginx/logs/stderr.log" &
NGINX_PID=$!

# ---- nedbd with a database: 1000 users, 10 per status, status indexed ----
"$NEDBD" --port 0 --data "$DIR/data" >"$DIR/nedbd.log" 2>&1 &
NEDBD_PID=$!
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/^nedbd .* — http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$DIR/nedbd.log")
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { cat "$DIR/nedbd.log"; exit 1; }
BASE=http://127.0.0.1:$PORT
python3 - "$DIR/init.json" <<'PY'
import json, sys
users = [{"id": f"u{i}", "status": f"s{i % 100}", "age": i % 90} for i in range(1000)]
json.dump({"name": "bench", "init": {"indexes": [["users", "status", "eq"]],
                                     "seed": {"users": users}}}, open(sys.argv[1], "w"))
PY
curl -sf -X POST "$BASE/v1/databases" --data-binary @"$DIR/init.json" >/dev/null
COUNT=$(curl -sf -X POST "$BASE/v1/databases/bench/query" -d '{"nql":"FROM users WHERE status = \"s7\""}' | jq .count)
[ "$COUNT" = 10 ] || { echo "query returns $COUNT rows, want 10"; exit 1; }
curl -sf -X POST "$BASE/v1/databases/bench/query" \
  -d '{"nql":"FROM users WHERE status = \"s7\"","explain":true}' >"$OUT/query-plan.json"
curl -sf "http://127.0.0.1:$NGINX_PORT/health" >/dev/null || { echo "nginx not serving"; exit 1; }

echo "# $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)" |
  tee "$OUT/summary.txt"

# run NAME CONNS wrk-args...: prints "NAME CONNS req/s p50 p99 non2xx" and
# keeps wrk's output in $OUT/NAME-CONNS.txt.
run() {
  local name=$1 c=$2 t=2
  shift 2
  [ "$c" -lt 2 ] && t=1
  local cmd=(wrk -t"$t" -c"$c" -d"$DURATION" --latency "$@")
  "${cmd[@]}" >"$OUT/$name-$c.txt" 2>&1
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/{print $2}' "$OUT/$name-$c.txt")
  p50=$(awk '$1=="50%"{print $2}' "$OUT/$name-$c.txt")
  p99=$(awk '$1=="99%"{print $2}' "$OUT/$name-$c.txt")
  bad=$(awk '/Non-2xx/{print $5}' "$OUT/$name-$c.txt")
  printf '%-8s %3s conns  %10s req/s  p50 %-8s p99 %-8s non-2xx %s   # %s\n' \
    "$name" "$c" "$rps" "$p50" "$p99" "${bad:-0}" "${cmd[*]}" | tee -a "$OUT/summary.txt"
}

for c in $CONNS; do
  run nginx "$c" "http://127.0.0.1:$NGINX_PORT/health"
  run health "$c" "$BASE/health"
done
for c in $CONNS; do run query "$c" -s "$HERE/query.lua" "$BASE"; done
for c in $CONNS; do run put "$c" -s "$HERE/put.lua" "$BASE" -- "c$c"; done

curl -sf "$BASE/metrics" | grep -E '^nedb_(fsyncs_total|ops_appended_total\{db="bench",kind="put"\})' |
  tee -a "$OUT/summary.txt"

# Ratios against the bars of issue 5.
awk '
  { r[$1 " " $2] = $4 }
  END {
    for (c = 1; c <= 64; c *= 4) {
      if (("nginx " c) in r && r["nginx " c] > 0)
        printf "health/nginx at %d conns: %.2f (bar >= 0.50)\n", c, r["health " c] / r["nginx " c]
    }
    if (r["put 1"] > 0) printf "put 64 conns / put 1 conn: %.1fx (bar >= 20x)\n", r["put 64"] / r["put 1"]
    if (r["put 1"] > 0) printf "put 16 conns / put 1 conn: %.1fx\n", r["put 16"] / r["put 1"]
  }' "$OUT/summary.txt" | tee -a "$OUT/summary.txt"
