# SPDX-License-Identifier: Apache-2.0
# Helpers for nedbd's end-to-end tests (sourced). Each test runs the real
# daemon on an ephemeral loopback port with a temporary data directory and
# talks to it with curl. The daemon is always stopped by PID (trap on EXIT).
#
#   source lib.sh /path/to/nedbd
set -uo pipefail

NEDBD=${1:?usage: test.sh /path/to/nedbd}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nedbd-test.XXXXXX")
DATA=$WORK/data
PID=
PORT=
BASE=
BODY=
STATUS=
FAILURES=0

cleanup() {
  if [ -n "$PID" ]; then
    kill -KILL "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

die() {
  echo "FAIL: $*" >&2
  [ -f "$WORK/out.log" ] && { echo "--- nedbd stdout"; cat "$WORK/out.log"; } >&2
  [ -f "$WORK/err.log" ] && { echo "--- nedbd stderr"; cat "$WORK/err.log"; } >&2
  exit 1
}

# start_nedbd [flags...]: starts the daemon on port 0 and waits for its boot
# line; sets PID, PORT, BASE.
start_nedbd() {
  # Truncated here, not by the child's redirection: that races with the
  # polling below, which could read the previous run's boot line.
  : >"$WORK/out.log"
  "$NEDBD" --port 0 --data "$DATA" "$@" >"$WORK/out.log" 2>"$WORK/err.log" &
  PID=$!
  for _ in $(seq 1 600); do  # up to 30 s on a loaded machine
    PORT=$(sed -n 's/^nedbd .* — http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$WORK/out.log")
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || die "nedbd exited during boot"
    sleep 0.05
  done
  [ -n "$PORT" ] || die "no boot line from nedbd"
  BASE=http://127.0.0.1:$PORT
}

# stop_nedbd [SIGNAL]: signals the daemon (TERM by default), waits for it and
# returns its exit status.
stop_nedbd() {
  local sig=${1:-TERM} rc
  kill -"$sig" "$PID"
  wait "$PID"
  rc=$?
  PID=
  return $rc
}

# req METHOD PATH [curl args...]: sets STATUS and BODY.
req() {
  local method=$1 path=$2
  shift 2
  BODY=$(curl -s -m 30 -X "$method" -o - -w '\n%{http_code}' "$@" "$BASE$path")
  STATUS=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}

# expect CODE METHOD PATH [curl args...]: req, then checks the status.
expect() {
  local code=$1
  shift
  req "$@"
  [ "$STATUS" = "$code" ] || fail "$1 $2: status $STATUS, want $code; body: $BODY"
}

# check 'jq filter' expected: compares jq -c output on BODY.
check() {
  local got
  got=$(printf '%s' "$BODY" | jq -c "$1" 2>&1)
  [ "$got" = "$2" ] || fail "jq '$1' on $BODY: got $got, want $2"
}

# alive: the daemon still runs and answers /health.
alive() {
  kill -0 "$PID" 2>/dev/null || die "nedbd died"
  expect 200 GET /health
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "--- nedbd stderr" >&2
    cat "$WORK/err.log" >&2
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "ok"
}
