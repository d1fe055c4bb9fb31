#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# nedbd with --resp2-port: the boot line, a key written over RESP visible to
# an HTTP query at once (same registry), SELECT <name> shared with HTTP,
# NEDBD_RESP2_PORT and the token, clean stop on SIGTERM.
#   nedbd_resp2_test.sh <nedbd> <work dir>
set -euo pipefail
NEDBD="$1"
WORK="$2/nedbd-resp2-test"
rm -rf "$WORK"
mkdir -p "$WORK"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; cat "$WORK/out" || true; exit 1; }

RPORT=$(free_port)
NEDBD_RESP2_PORT=$RPORT "$NEDBD" --data "$WORK/data" --port 0 --sync no >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 600); do grep -q '^resp2' "$WORK/out" 2>/dev/null && break; sleep 0.05; done
grep -qx "resp2 — redis:// 127.0.0.1:$RPORT (RESP2 wire protocol)" "$WORK/out" || fail "boot line"
HTTP=$(grep -o 'http://[0-9.:]*' "$WORK/out" | head -1)

[[ "$(redis-cli -p "$RPORT" HSET user:1 name Ada age 31)" == 2 ]] || fail HSET
rows=$(curl -sf "$HTTP/v1/databases/default/query" -d '{"nql":"FROM user WHERE age > 30"}')
[[ "$rows" == *'"rows":[{"_id":"1","_rtype":"hash","age":31,"name":"Ada"}]'* ]] || fail "HTTP query: $rows"
printf 'SELECT shop\nSET order:7 paid\n' | redis-cli -p "$RPORT" >/dev/null
rows=$(curl -sf "$HTTP/v1/databases/shop/query" -d '{"nql":"FROM order"}')
[[ "$rows" == *'"value":"paid"'* ]] || fail "SELECT shop: $rows"

kill -TERM "$PID"
wait "$PID" || fail "exit status $?"
PID=""
grep -q "nedbd: stopped" "$WORK/out" || fail "no clean stop"

# --resp2-port with a token: NOAUTH until AUTH.
RPORT=$(free_port)
"$NEDBD" --data "$WORK/data" --port 0 --resp2-port "$RPORT" --token s3cret >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 600); do grep -q '^resp2' "$WORK/out" 2>/dev/null && break; sleep 0.05; done
[[ "$(redis-cli -p "$RPORT" GET x)" == "NOAUTH Authentication required." ]] || fail NOAUTH
[[ "$(redis-cli -p "$RPORT" -a s3cret --no-auth-warning HGET user:1 name)" == Ada ]] || fail AUTH
echo "nedbd_resp2_test: ok"
