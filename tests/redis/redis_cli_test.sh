#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# redis-cli (Debian redis-tools) against the RESP2 server: each command
# group, the reference's examples verbatim (with the port), SELECT of a
# named database, AUTH, and a protocol error. Fails on the first mismatch.
#   redis_cli_test.sh <resp_harness> <work dir>
set -euo pipefail
HARNESS="$1"
WORK="$2/redis-cli-test"
rm -rf "$WORK"
mkdir -p "$WORK"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

start() {  # start <data dir> [args...]: sets PORT
  local out="$WORK/harness.$RANDOM.out"
  "$HARNESS" --data "$1" --port 0 "${@:2}" >"$out" &
  PIDS+=($!)
  for _ in $(seq 200); do
    PORT=$(awk '/^port/{print $2}' "$out")
    [[ -n "$PORT" ]] && return 0
    sleep 0.05
  done
  echo "harness did not start" >&2
  exit 1
}

FAILS=0
expect() {  # expect <expected output> <redis-cli args...>
  local want="$1"
  shift
  local got
  got=$(redis-cli -p "$PORT" "$@" 2>&1) || true  # trailing newlines dropped
  if [[ "$got" != "$want" ]]; then
    echo "FAIL: redis-cli $*"
    echo "  want: $(printf '%q' "$want")"
    echo "  got:  $(printf '%q' "$got")"
    FAILS=$((FAILS + 1))
  fi
}

start "$WORK/data" --sync no

# The reference's examples, verbatim but for the port.
expect "PONG" PING
expect "OK" SELECT salonbooking
expect "OK" SET key "hello"
expect "2" HSET "user:1" name Ada age 31
expect "2" SADD tags python rust
expect $'python\nrust' SMEMBERS tags
redis-cli -p "$PORT" HSET "user:u1" name Ada status active >/dev/null
redis-cli -p "$PORT" HSET "user:u2" name Bo status active >/dev/null
expect $'{"_id":"u1","_rtype":"hash","name":"Ada","status":"active"}\n{"_id":"u2","_rtype":"hash","name":"Bo","status":"active"}' \
  EVAL "FROM user WHERE status = \"active\" LIMIT 5" 0

# Strings
expect "hello" GET key
expect "1" INCR counter
expect "OK" MSET a 1 b 2
expect $'1\n2' MGET a b nokey  # then the nil: an empty line
expect "" GET nokey
expect "ERR wrong number of arguments for 'get' command" GET
expect "WRONGTYPE Operation against a key holding the wrong kind of value" GET tags
expect "string" TYPE key
expect "OK" RENAME a a2
expect "1" EXISTS a2
expect "6" APPEND key "!"
expect "hello!" GETDEL key
# Keys, TTL
expect "1" EXPIRE b 100
expect "100" TTL b
expect "1" PERSIST b
expect "-1" TTL b
expect "-2" TTL nokey
# Hashes
expect "Ada" HGET user:1 name
expect $'age\n31\nname\nAda' HGETALL user:1
expect "32" HINCRBY user:1 age 1
expect "1" HDEL user:1 age
# Sets
expect "1" SISMEMBER tags rust
expect "2" SCARD tags
# Lists (negative indexes, LPOP with count)
expect "3" RPUSH q a b c
expect $'a\nb\nc' LRANGE q 0 -1
expect $'b\nc' LRANGE q -2 -1
expect "a" LPOP q
expect $'b\nc' LPOP q 5
expect "0" LLEN q
# Server
expect "hi" ECHO hi
expect "ERR unknown command 'FOO', with args beginning with: 'x' " FOO x
expect "OK" CLIENT SETNAME tester
expect "OK" SELECT 0
expect "OK" FLUSHDB
expect "0" DBSIZE

# SELECT <name> lands in the named database on disk.
[[ -d "$WORK/data/salonbooking" ]] || { echo "FAIL: no database directory salonbooking"; FAILS=$((FAILS + 1)); }
got=$(printf 'SELECT salonbooking\nSET only-here 1\nDBSIZE\nSELECT 0\nEXISTS only-here\n' | redis-cli -p "$PORT")
[[ "$got" == $'OK\nOK\n1\nOK\n0' ]] || { echo "FAIL: SELECT then DBSIZE: $got"; FAILS=$((FAILS + 1)); }

# AUTH with a token.
start "$WORK/data-auth" --sync no --token s3cret
expect "NOAUTH Authentication required." GET k
expect $'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\nNOAUTH Authentication required.' -a wrong --no-auth-warning GET k
expect "" -a s3cret --no-auth-warning GET k
expect "PONG" -a s3cret --no-auth-warning PING

if ((FAILS > 0)); then
  echo "redis_cli_test: $FAILS failures"
  exit 1
fi
echo "redis_cli_test: ok"
