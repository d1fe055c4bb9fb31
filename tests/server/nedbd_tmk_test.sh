#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fail closed on keys: with NEDB_TMK or NEDB_TMK_FILE set, nedbd says that
# encryption at rest is not available, exits non-zero and writes nothing
# (no data directory is created; an existing one is left byte for byte).
# Usage: nedbd_tmk_test.sh /path/to/nedbd
source "$(dirname "$0")/lib.sh" "$1"

refused() {  # refused ENV=VALUE: nedbd must exit non-zero with the message
  local rc=0
  timeout 20 env "$1" "$NEDBD" --port 0 --data "$DATA" >"$WORK/out.log" 2>"$WORK/err.log" </dev/null || rc=$?
  [ "$rc" -ne 0 ] || fail "$1: nedbd exited 0"
  grep -q "encryption at rest is not available" "$WORK/err.log" || fail "$1: stderr: $(cat "$WORK/err.log")"
  grep -q "${1%%=*}" "$WORK/err.log" || fail "$1: the message does not name ${1%%=*}"
  ! grep -q "http://" "$WORK/out.log" || fail "$1: nedbd printed a boot line"
}

refused NEDB_TMK=00112233445566778899aabbccddeeff
[ ! -e "$DATA" ] || fail "NEDB_TMK: the data directory was created"
refused NEDB_TMK_FILE=/nonexistent/key
[ ! -e "$DATA" ] || fail "NEDB_TMK_FILE: the data directory was created"

# An existing data directory is not touched.
start_nedbd
expect 201 POST /v1/databases -d '{"name":"app"}'
expect 200 POST /v1/databases/app/put -d '{"coll":"users","id":"u1","doc":{"secret":"canary"}}'
stop_nedbd TERM || fail "clean stop"
before=$(cd "$DATA" && find . -type f -exec sha256sum {} + | sort)
refused NEDB_TMK=abcd
after=$(cd "$DATA" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "the refused start changed the data directory"

finish
