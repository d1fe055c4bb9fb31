#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGKILL during a burst of concurrent puts from 8 clients, then restart:
# every put that got a 200 is there, and the chain verifies.
source "$(dirname "$0")/lib.sh" "$1"

start_nedbd
expect 201 POST /v1/databases -d '{"name":"burst"}'
for c in $(seq 1 8); do
  (for i in $(seq 1 100000); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/databases/burst/put" \
      -d "{\"coll\":\"w\",\"id\":\"c$c-$i\",\"doc\":{\"c\":$c,\"i\":$i}}")
    if [ "$code" = 200 ]; then echo "c$c-$i" >>"$WORK/acked.$c"; else break; fi
  done) &
  CLIENTS+=($!)
done
sleep 3
kill -KILL "$PID"
wait "$PID"
PID=
wait "${CLIENTS[@]}"
ACKED=$(cat "$WORK"/acked.* | sort)
N=$(grep -c . <<<"$ACKED")
[ "$N" -ge 50 ] || fail "only $N puts acknowledged before the kill"

start_nedbd
expect 200 GET /v1/databases/burst/verify
check '.ok' 'true'
expect 200 POST /v1/databases/burst/query -d '{"nql":"FROM w"}'
HAVE=$(jq -r '.rows[]._id' <<<"$BODY" | sort)
LOST=$(comm -23 <(echo "$ACKED") <(echo "$HAVE"))
[ -z "$LOST" ] || fail "$(grep -c . <<<"$LOST") acknowledged puts lost, e.g. $(head -3 <<<"$LOST")"
echo "acknowledged $N puts, found $(grep -c . <<<"$HAVE") after the restart"
expect 200 POST /v1/databases/burst/put -d '{"coll":"w","id":"after","doc":{}}'
stop_nedbd || fail "exit status on SIGTERM"
finish
