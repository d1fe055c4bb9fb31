#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Collection and relation names over HTTP ("a collection is just a string",
# docs/SERVER.md): any 1 to 256 bytes of UTF-8 without NUL, control
# characters or ':' works percent-encoded in rows/:coll/:id, in JSON bodies
# ("coll", node keys, "rel", init), in NQL and SQL (double-quoted), in the
# neighbors query string, and survives a restart and a checkpoint; a bad name
# is a 400 that states the rule. Usage: http_collnames_test.sh /path/to/nedbd
source "$(dirname "$0")/lib.sh" "$1"

RULE="1 to 256 bytes of UTF-8 without NUL, control characters or ':'"
uri() { jq -rn --arg s "$1" '$s|@uri'; }
jstr() { jq -cn --arg s "$1" '$s'; }

LONG=$(printf 'n%.0s' $(seq 256))
NAMES=("users-v2" "a b" "a+b" "a.b" "caf$(printf '\xc3\xa9') $(printf '\xe2\x98\x95')" \
  'a"b\c' "it's" "/slash/" "%41" "from" "$LONG")

start_nedbd
INIT=$(jq -cn '{name: "names", init: {indexes: [["users-v2", "age", "ordered"]],
  seed: {"users-v2": [{id: "u1", age: 40}, {id: "u2", age: 20}]},
  links: [["users-v2:u1", "follows-v2", "users-v2:u2"]]}}')
expect 201 POST /v1/databases -d "$INIT"
check '.indexes' '[["users-v2","age","ordered"]]'
expect 200 POST /v1/databases/names/query -d '{"nql":"FROM \"users-v2\" WHERE age >= 30"}'
check '[.count, .rows[0]._id]' '[1,"u1"]'
expect 200 POST /v1/databases/names/query \
  -d '{"nql":"FROM \"users-v2\" WHERE age >= 30","explain":true}'
check '[.plan.collection, .plan.steps[0].using]' '["users-v2",{"field":"age","kind":"ordered"}]'
expect 200 POST /v1/databases/names/query -d '{"nql":"FROM \"users-v2\" TRAVERSE \"follows-v2\""}'
check '[.rows[]._id]' '["u2"]'
expect 200 POST /v1/databases/names/sql -d '{"sql":"SELECT * FROM \"users-v2\" WHERE age < 30"}'
check '[.rows[]._id]' '["u2"]'

for n in "${NAMES[@]}"; do
  enc=$(uri "$n")
  expect 200 POST /v1/databases/names/put \
    -d "$(jq -cn --arg c "$n" '{coll: $c, id: "r 1", doc: {age: 7}}')"
  expect 200 GET "/v1/databases/names/rows/$enc/r%201"
  check '.doc' '{"_id":"r 1","age":7}'
  expect 200 POST /v1/databases/names/query -d "$(jq -cn --arg c "$n" \
    '{nql: ("FROM " + ($c | tojson) + " WHERE age = 7")}')"
  check '[.rows[]._id]' '["r 1"]'
  sql="SELECT * FROM \"${n//\"/\"\"}\" WHERE age = 7"
  expect 200 POST /v1/databases/names/sql -d "$(jq -cn --arg s "$sql" '{sql: $s}')"
  check '[.rows[]._id]' '["r 1"]'
  expect 200 POST /v1/databases/names/index \
    -d "$(jq -cn --arg c "$n" '{coll: $c, field: "age", kind: "eq"}')"
  expect 200 POST /v1/databases/names/link \
    -d "$(jq -cn --arg c "$n" '{frm: ($c + ":r 1"), rel: $c, to: "users-v2:u1"}')"
  check '.created' 'true'
  expect 200 GET "/v1/databases/names/neighbors?node=$(uri "$n:r 1")&rel=$enc"
  check '.nodes' '["users-v2:u1"]'
  expect 200 POST /v1/databases/names/put \
    -d "$(jq -cn --arg c "$n" '{coll: $c, id: "gone", doc: {}}')"
  expect 200 DELETE "/v1/databases/names/rows/$enc/gone"
  expect 404 GET "/v1/databases/names/rows/$enc/gone"
  check '.error.code' '"no_row"'
done
expect 200 GET /v1/databases/names
check '.collections["a\"b\\c"]' '1'
check '(.indexes | length)' "$((${#NAMES[@]} + 1))"

# ---- bad names: 400 naming the rule, nothing written ----
expect 200 GET /v1/databases/names
SEQ=$(jq .seq <<<"$BODY")
for bad in '"a:b"' '"a\u0001b"' '"a\nb"' '"a\u007fb"' '"a\u0085b"' "\"n$LONG\""; do
  expect 400 POST /v1/databases/names/put -d "{\"coll\":$bad,\"id\":\"x\",\"doc\":{}}"
  check '.error.code' '"invalid_argument"'
  check ".error.message | contains(\"$RULE\")" 'true'
  expect 400 POST /v1/databases/names/index -d "{\"coll\":$bad,\"field\":\"a\",\"kind\":\"eq\"}"
  check '.error.code' '"invalid_argument"'
  expect 400 POST /v1/databases/names/link -d "{\"frm\":\"u:1\",\"rel\":$bad,\"to\":\"u:2\"}"
  check '.error.code' '"invalid_argument"'
  check ".error.message | contains(\"relation name\")" 'true'
done
for path in a%3Ab a%0Ab a%7Fb %C2%85 %FF %C3 "n$LONG"; do
  expect 400 GET "/v1/databases/names/rows/$path/x"
  check '.error.code' '"invalid_argument"'
  check ".error.message | contains(\"$RULE\")" 'true'
  expect 400 DELETE "/v1/databases/names/rows/$path/x"
done
expect 400 POST /v1/databases/names/put -d '{"coll":"","id":"x","doc":{}}'
expect 400 GET "/v1/databases/names/rows/a%00b/x"
check '.error.code' '"bad_path"'
expect 400 GET "/v1/databases/names/neighbors?node=a%0A%3A1&rel=r"
check '.error.code' '"invalid_argument"'
expect 400 POST /v1/databases/names/link -d '{"frm":"a\nb:1","rel":"r","to":"u:2"}'
expect 400 POST /v1/databases/names/query -d '{"nql":"FROM \"a:b\""}'
check '[.error.code, .error.position]' '["bad_query",5]'
expect 400 POST /v1/databases/names/sql -d '{"sql":"SELECT * FROM \"a:b\""}'
check '[.error.code, .error.position]' '["bad_query",14]'
expect 400 POST /v1/databases -d '{"name":"bad3","init":{"seed":{"a:b":[{"id":"x"}]}}}'
check '.error.code' '"invalid_argument"'
expect 404 GET /v1/databases/bad3
expect 200 GET /v1/databases/names
check '.seq' "$SEQ"
ROWS=$(jq .rows <<<"$BODY")

# ---- restart (log replay), then checkpoint and restart (snapshot) ----
verify_all() {
  for n in "${NAMES[@]}"; do
    enc=$(uri "$n")
    expect 200 GET "/v1/databases/names/rows/$enc/r%201"
    check '.doc.age' '7'
    expect 200 GET "/v1/databases/names/neighbors?node=$(uri "$n:r 1")&rel=$enc"
    check '.nodes' '["users-v2:u1"]'
  done
  expect 200 POST /v1/databases/names/query \
    -d '{"nql":"FROM \"a b\" WHERE age = 7","explain":true}'
  check '.plan.steps[0].using' '{"field":"age","kind":"eq"}'
  expect 200 GET /v1/databases/names
  check '(.indexes | length)' "$((${#NAMES[@]} + 1))"
  check '.rows' "$ROWS"
}
stop_nedbd || fail "nedbd exit status $?"
start_nedbd
verify_all
expect 200 POST /v1/databases/names/checkpoint
stop_nedbd || fail "nedbd exit status $?"
start_nedbd
verify_all
stop_nedbd || fail "nedbd exit status $?"
finish
