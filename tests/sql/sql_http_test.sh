#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end test of POST /v1/databases/:name/sql: starts the built nedbd on
# a free loopback port with a temporary data directory, runs SQL through
# curl, checks the JSON answers, and stops the daemon by its PID.
#
#   sql_http_test.sh <path to nedbd> <scratch dir>
set -euo pipefail

NEDBD="$1"
SCRATCH="$2/sql_http_test.$$"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH/data"
PID=""
cleanup() {
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

"$NEDBD" --host 127.0.0.1 --port 0 --data "$SCRATCH/data" >"$SCRATCH/out.txt" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$SCRATCH/out.txt" | head -1 | sed 's/.*://')" || true
  [[ -n "$PORT" ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$SCRATCH/out.txt"; echo "nedbd exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$PORT" ]] || { cat "$SCRATCH/out.txt"; echo "no port in nedbd's boot line" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"

fail() { echo "FAIL: $*" >&2; exit 1; }

# post <path> <json body>: prints "<status> <body>".
post() {
  curl -s -o "$SCRATCH/body.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$2" "$BASE$1" >"$SCRATCH/code.txt"
  echo "$(cat "$SCRATCH/code.txt") $(cat "$SCRATCH/body.json")"
}
expect() {  # expect <what> <actual> <jq filter that must print true>
  local code="${2%% *}" body="${2#* }"
  echo "$body" | jq -e "$3" >/dev/null || fail "$1: got $code $body"
  echo "ok: $1"
}

r="$(post /v1/databases '{"name":"shop"}')"
[[ "${r%% *}" == 2* ]] || fail "create database: $r"

SQL=/v1/databases/shop/sql
r="$(post $SQL '{"sql":"INSERT INTO users (id, name, age, status) VALUES ('"'u1'"', '"'Ada'"', 31, '"'active'"'), ('"'u2'"', '"'Bob'"', 25, '"'inactive'"')"}')"
[[ "${r%% *}" == 200 ]] || fail "insert: $r"
expect "insert" "$r" '.affected == 2 and (.seq | type) == "number"'

r="$(post $SQL '{"sql":"UPDATE users SET age = 32 WHERE id = '"'u1'"'"}')"
expect "update" "$r" '.affected == 1'

r="$(post $SQL '{"sql":"SELECT name, age FROM users WHERE status = '"'active'"' OR age < 30 ORDER BY age DESC"}')"
[[ "${r%% *}" == 200 ]] || fail "select: $r"
expect "select" "$r" '.count == 2 and .rows == [{"name":"Ada","age":32},{"name":"Bob","age":25}]'

r="$(post $SQL '{"sql":"SELECT status, COUNT(*) FROM users GROUP BY status;"}')"
expect "group by" "$r" '.rows == [{"status":"active","count":1},{"status":"inactive","count":1}]'

r="$(post $SQL '{"sql":"SELECT * FROM users AS OF 1"}')"
expect "as of" "$r" '.count == 1 and .rows[0]._id == "u1" and .rows[0].age == 31'

r="$(post $SQL '{"sql":"DELETE FROM users WHERE id = '"'u2'"'"}')"
expect "delete" "$r" '.affected == 1'

r="$(post $SQL '{"sql":"SELECT * FROM users JOIN orders ON users.id = orders.user"}')"
[[ "${r%% *}" == 400 ]] || fail "join: expected 400, got $r"
expect "join is unsupported" "$r" '.error.position == 20 and (.error.message | contains("JOIN"))'

r="$(post $SQL '{"sql":"SELECT * FROM users WHERE"}')"
[[ "${r%% *}" == 400 ]] || fail "syntax: expected 400, got $r"
expect "syntax error" "$r" '.error.code == "bad_query" and .error.position == 25'

r="$(post $SQL '{"nql":"FROM users"}')"
[[ "${r%% *}" == 400 ]] || fail "missing sql: expected 400, got $r"

r="$(post /v1/databases/nosuch/sql '{"sql":"SELECT * FROM users"}')"
[[ "${r%% *}" == 404 ]] || fail "unknown database: expected 404, got $r"

echo "sql_http_test: all passed"
