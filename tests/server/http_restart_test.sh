#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM: in-flight requests finish, every database is checkpointed, exit 0;
# the next start loads the snapshots and replays zero delta ops (boot log),
# with all data intact. Also SIGINT, and the environment variables.
source "$(dirname "$0")/lib.sh" "$1"

start_nedbd
expect 201 POST /v1/databases -d '{"name":"shop","init":{"indexes":[["users","status","eq"]]}}'
expect 201 POST /v1/databases -d '{"name":"empty"}'
for i in $(seq 1 40); do
  expect 200 POST /v1/databases/shop/put -d "{\"coll\":\"users\",\"id\":\"u$i\",\"doc\":{\"n\":$i,\"status\":\"s$((i % 3))\"}}"
done
expect 200 POST /v1/databases/shop/link -d '{"frm":"users:u1","rel":"follows","to":"users:u2"}'
expect 200 GET /v1/databases/shop/verify
HEAD=$(jq -r .head <<<"$BODY")
SEQ=$(jq -r .seq <<<"$BODY")

# A burst of puts still in flight when SIGTERM arrives: each one either got
# its 200 (and must be there after the restart) or was never answered.
for c in 1 2 3 4; do
  (for i in $(seq 1 30); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/databases/shop/put" \
      -d "{\"coll\":\"late\",\"id\":\"c$c-$i\",\"doc\":{}}")
    [ "$code" = 200 ] && echo "c$c-$i" >>"$WORK/late.$c"
  done) &
done
sleep 0.3
stop_nedbd TERM || fail "exit status $? on SIGTERM, want 0"
wait
grep -q "checkpoint db shop" "$WORK/out.log" || fail "no shutdown checkpoint: $(cat "$WORK/out.log")"
grep -q "nedbd: stopped" "$WORK/out.log" || fail "no clean stop"

start_nedbd
grep -q "^nedbd: db shop .* snapshot=yes .* replayed_ops=0$" "$WORK/out.log" ||
  fail "shop replayed ops after a clean stop: $(cat "$WORK/out.log")"
grep -q "^nedbd: db empty .*replayed_ops=0$" "$WORK/out.log" ||
  fail "empty replayed ops: $(cat "$WORK/out.log")"
expect 200 GET /v1/databases/shop/verify
check '.ok' 'true'
expect 200 GET "/v1/databases/shop/rows/users/u40?as_of=$SEQ"
check '.doc.n' '40'
expect 200 POST /v1/databases/shop/query -d '{"nql":"FROM users WHERE status = \"s1\""}'
check '.count' '14'
expect 200 GET "/v1/databases/shop/neighbors?node=users:u1&rel=follows"
check '.nodes' '["users:u2"]'
# The head seen at SEQ is the root of the tree of the first SEQ+1 ops.
expect 200 GET "/v1/databases/shop/root?size=$((SEQ + 1))"
check ".root" "\"$HEAD\""
ACKED=$(cat "$WORK"/late.* 2>/dev/null | sort)
expect 200 POST /v1/databases/shop/query -d '{"nql":"FROM late"}'
HAVE=$(jq -r '.rows[]._id' <<<"$BODY" | sort)
[ -z "$(comm -23 <(echo "$ACKED") <(echo "$HAVE") | grep .)" ] ||
  fail "acknowledged late puts lost: $(comm -23 <(echo "$ACKED") <(echo "$HAVE") | head)"
expect 200 POST /v1/databases/shop/put -d '{"coll":"users","id":"after","doc":{}}'

# SIGINT stops the same way; a database unchanged since its snapshot is
# not checkpointed again.
stop_nedbd INT || fail "exit status $? on SIGINT, want 0"
grep -q "checkpoint db empty" "$WORK/out.log" && fail "unchanged database checkpointed again"

# The environment variables (NEDBD_DATA, NEDBD_HOST, NEDBD_PORT).
: >"$WORK/out.log"
NEDBD_DATA=$DATA NEDBD_HOST=127.0.0.1 NEDBD_PORT=0 "$NEDBD" >>"$WORK/out.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do grep -q "^nedbd 0" "$WORK/out.log" && break; sleep 0.05; done
grep -q "^nedbd ${NEDB_VERSION//./\\.} — http://127\.0\.0\.1:[0-9]* data=$DATA auth=off$" "$WORK/out.log" ||
  fail "boot line with env: $(cat "$WORK/out.log")"
grep -q "^nedbd: db shop .*replayed_ops=0$" "$WORK/out.log" || fail "env: replayed ops"
stop_nedbd || fail "exit status on SIGTERM"
"$NEDBD" --help | grep -q -- "--data" || fail "--help"
NEDBD_SYNC=sometimes "$NEDBD" --port 0 --data "$DATA" >/dev/null 2>&1 && fail "bad NEDBD_SYNC accepted"
"$NEDBD" --port 0 --data "$DATA" --max-body 999999999 >/dev/null 2>&1 && fail "--max-body over 64 MiB"
finish
