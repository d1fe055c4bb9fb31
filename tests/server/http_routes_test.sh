#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every HTTP route of nedbd against the real daemon, the reference's curl
# examples verbatim (port substituted), CORS, and every error case
# (docs/SERVER.md). Usage: http_routes_test.sh /path/to/nedbd
source "$(dirname "$0")/lib.sh" "$1"

# One version everywhere: project(VERSION) in CMakeLists.txt, passed in by CTest.
: "${NEDB_VERSION:?NEDB_VERSION (the project version) must be set}"
V=$(sed 's/\./\\./g' <<<"$NEDB_VERSION")
[ "$("$NEDBD" --version)" = "nedbd $NEDB_VERSION" ] || fail "--version: $("$NEDBD" --version)"

# Background expiry off: /sweep below must be what deletes the expired row.
start_nedbd --max-body 4096 --expire-interval-ms 0
grep -q "auth=off" "$WORK/out.log" || fail "boot line without auth=off"
grep -q "^nedbd $V — http://127\.0\.0\.1:$PORT data=$DATA auth=off$" "$WORK/out.log" ||
  fail "boot line: $(head -1 "$WORK/out.log")"

# ---- the reference's curl examples, verbatim but for the port ----
B=http://localhost:$PORT
R=$(curl -s -w ' %{http_code}' -X POST $B/v1/databases \
  -H 'Content-Type: application/json' \
  -d '{"name":"myapp"}')
[ "${R##* }" = 201 ] || fail "reference create: $R"
R=$(curl -s -X POST $B/v1/databases/myapp/query \
  -H 'Content-Type: application/json' \
  -d '{"nql":"FROM users WHERE status = \"active\" ORDER BY age DESC LIMIT 5"}')
[ "$(jq -c '[.rows, .count, .seq]' <<<"$R")" = '[[],0,0]' ] || fail "reference query: $R"
R=$(curl -s -X POST $B/v1/databases/myapp/put \
  -H 'Content-Type: application/json' \
  -d '{"coll":"users","id":"u1","doc":{"name":"Ada","status":"active","age":31}}')
[ "$(jq -c '[.ok, .doc.name, .seq]' <<<"$R")" = '[true,"Ada",1]' ] || fail "reference put: $R"
R=$(curl -s $B/v1/databases/myapp/verify)
[ "$(jq -c '[.ok, .seq, (.head | length)]' <<<"$R")" = '[true,1,64]' ] || fail "verify: $R"
R=$(curl -s -X POST $B/v1/databases/myapp/query \
  -H 'Content-Type: application/json' \
  -d '{"nql":"FROM users WHERE status = \"active\" ORDER BY age DESC LIMIT 5"}')
[ "$(jq -c '[.rows[0]._id, .count, .seq]' <<<"$R")" = '["u1",1,1]' ] || fail "query: $R"

# ---- GET /health ----
expect 200 GET /health
check '[.ok, .version, .databases]' "[true,\"$NEDB_VERSION\",[\"myapp\"]]"

# ---- POST /v1/databases with the reference's init payload ----
INIT='{"name":"shop","init":{"indexes":[["users","status","eq"],["orders","total","ordered"]],
  "seed":{"users":[{"id":"u1","name":"Ada","status":"active"}]},
  "links":[["users:u1","placed","orders:o1"]]}}'
expect 201 POST /v1/databases -d "$INIT"
check '[.ok, .name, .seq, .indexes]' '[true,"shop",2,[["orders","total","ordered"],["users","status","eq"]]]'
expect 409 POST /v1/databases -d "$INIT"
check '.error.code' '"exists"'
expect 400 POST /v1/databases -d '{"name":"bad","init":{"indexes":[["users","status"]]}}'
check '.error.code' '"bad_init"'
expect 400 POST /v1/databases -d '{"name":"bad2","init":{"indexes":[["users","status","nope"]]}}'
expect 404 GET /v1/databases/bad2  # a failed init leaves no database
expect 400 POST /v1/databases -d '{"init":{}}'
check '.error.code' '"missing_field"'
expect 400 POST /v1/databases -d '{"name":"../etc"}'
check '.error.code' '"bad_name"'
expect 400 POST /v1/databases -d "{\"name\":\"$(printf 'a%.0s' $(seq 65))\"}"

# ---- GET /v1/databases, GET /v1/databases/:name ----
expect 200 GET /v1/databases
check '[.databases[] | [.name, .seq, .rows, .collections]]' '[["myapp",1,1,{"users":1}],["shop",2,1,{"users":1}]]'
expect 200 GET /v1/databases/shop
check '[.name, .seq, .rows, .verified, .collections, (.indexes | length), (.log | length), .log[0].op]' \
  '["shop",2,1,true,{"users":1},2,3,"link"]'

# ---- query: indexed, explain, bad NQL (with the position), missing nql ----
expect 200 POST /v1/databases/shop/query -d '{"nql":"FROM users WHERE status = \"active\""}'
check '[.count, .rows[0].name, .seq]' '[1,"Ada",2]'
expect 200 POST /v1/databases/shop/query -d '{"nql":"FROM users WHERE status = \"active\"","explain":true}'
check '.plan | tostring | test("status")' 'true'
expect 400 POST /v1/databases/shop/query -d '{"nql":"FROM users WHERE status = "}'
check '[.error.code, .error.position]' '["bad_query",26]'
expect 400 POST /v1/databases/shop/query -d '{"nql":"FROM users AS OF 999"}'
check '.error.code' '"invalid_argument"'
expect 400 POST /v1/databases/shop/query -d '{}'
check '.error.code' '"missing_field"'

# ---- put: write options pass through; replay 409; idem; ttl ----
expect 200 POST /v1/databases/shop/put -d '{"coll":"users","id":"u2","doc":{"name":"Bo","age":28},"client":"app","nonce":5}'
check '[.ok, .doc._id, .seq]' '[true,"u2",3]'
expect 409 POST /v1/databases/shop/put -d '{"coll":"users","id":"u2","doc":{"name":"Bo"},"client":"app","nonce":5}'
check '.error.code' '"replay"'
expect 200 POST /v1/databases/shop/put -d '{"coll":"orders","id":"o1","doc":{"total":42},"client":"app","nonce":6,"idem":"k1"}'
check '.seq' '4'
expect 200 POST /v1/databases/shop/put -d '{"coll":"orders","id":"o1","doc":{"total":99},"client":"app","nonce":7,"idem":"k1"}'
check '[.seq, .doc.total]' '[4,42]'
expect 200 POST /v1/databases/shop/put -d '{"coll":"cache","id":"s1","doc":{"t":1},"ttl_s":3600}'
check '.doc._expires_at > 0' 'true'
expect 400 POST /v1/databases/shop/put -d '{"coll":"users","id":"u3"}'
expect 400 POST /v1/databases/shop/put -d '{"coll":"users","id":"u3","doc":[1]}'
expect 400 POST /v1/databases/shop/put -d '{"coll":"users","id":"u3","doc":{},"nonce":-1}'
expect 400 POST /v1/databases/shop/put -d '{"coll":"bad:coll","id":"u3","doc":{}}'
check '.error.code' '"invalid_argument"'
expect 400 POST /v1/databases/shop/put -d '{"coll":"users","id":"u3","doc":{'
check '.error.code' '"bad_json"'
expect 400 POST /v1/databases/shop/put -d '[1,2]'
expect 400 POST /v1/databases/shop/put
expect 400 POST /v1/databases/shop/put -d "$(printf '[%.0s' $(seq 300))"
check '.error.code' '"bad_json"'

# ---- rows: GET (HEAD and AS OF), DELETE (with write options in the query) ----
expect 200 GET /v1/databases/shop/rows/users/u2
check '.doc.name' '"Bo"'
expect 404 GET "/v1/databases/shop/rows/users/u2?as_of=2"
check '.error.code' '"no_row"'
expect 200 GET "/v1/databases/shop/rows/users/u1?as_of=1"
check '.doc.name' '"Ada"'
expect 400 GET "/v1/databases/shop/rows/users/u1?as_of=abc"
expect 400 GET "/v1/databases/shop/rows/users/u1?as_of=999"
expect 200 DELETE "/v1/databases/shop/rows/users/u2?client=app&nonce=8"
check '.ok' 'true'
expect 404 DELETE /v1/databases/shop/rows/users/u2
expect 404 GET /v1/databases/shop/rows/users/u2

# ---- index ----
expect 200 POST /v1/databases/shop/index -d '{"coll":"users","field":"age","kind":"ordered"}'
check '.indexes | length' '3'
expect 400 POST /v1/databases/shop/index -d '{"coll":"users","field":"age","kind":"hash"}'

# ---- link, unlink, neighbors, inbound (with as_of) ----
expect 200 POST /v1/databases/shop/link -d '{"frm":"users:u1","rel":"follows","to":"users:u9"}'
check '.created' 'true'
SEQ_LINKED=$(jq .seq <<<"$BODY")
expect 200 POST /v1/databases/shop/link -d '{"frm":"users:u1","rel":"follows","to":"users:u9"}'
check '.created' 'false'
expect 200 GET "/v1/databases/shop/neighbors?node=users:u1&rel=follows"
check '.nodes' '["users:u9"]'
expect 200 GET "/v1/databases/shop/inbound?node=users:u9&rel=follows"
check '.nodes' '["users:u1"]'
expect 200 POST /v1/databases/shop/unlink -d '{"frm":"users:u1","rel":"follows","to":"users:u9"}'
check '.removed' 'true'
expect 200 GET "/v1/databases/shop/neighbors?node=users:u1&rel=follows"
check '.nodes' '[]'
expect 200 GET "/v1/databases/shop/neighbors?node=users:u1&rel=follows&as_of=$SEQ_LINKED"
check '.nodes' '["users:u9"]'
expect 400 GET "/v1/databases/shop/neighbors?node=users:u1"
expect 400 POST /v1/databases/shop/link -d '{"frm":"users:u1","rel":"follows"}'

# ---- TTL: expire, sweep ----
expect 200 POST /v1/databases/shop/expire -d '{"coll":"users","id":"u1","ttl_s":3600}'
expect 404 POST /v1/databases/shop/expire -d '{"coll":"users","id":"nobody","ttl_s":10}'
expect 400 POST /v1/databases/shop/expire -d '{"coll":"users","id":"u1"}'
expect 200 POST /v1/databases/shop/put -d '{"coll":"cache","id":"s2","doc":{"t":2},"ttl_s":0.05}'
sleep 1.2
expect 200 POST /v1/databases/shop/sweep
check '.deleted >= 1' 'true'

# ---- verify, log, checkpoint ----
expect 200 GET /v1/databases/shop/verify
check '.ok' 'true'
expect 200 GET "/v1/databases/shop/log?limit=3"
check '[.count, (.entries | length), (.entries[0].seq > .entries[1].seq)]' '[3,3,true]'
expect 200 GET /v1/databases/shop/log
check '.count == ([.entries[0].seq + 1, 50] | min)' 'true'
expect 400 GET "/v1/databases/shop/log?limit=-1"
expect 200 POST /v1/databases/shop/checkpoint
check '[.ok, (.snapshot | length > 0)]' '[true,true]'

# ---- 404 / 405 / 400: unknown database, route, method, path tricks ----
expect 404 GET /v1/databases/nope
check '.error.code' '"no_database"'
expect 404 POST /v1/databases/nope/query -d '{"nql":"FROM users"}'
expect 404 GET /v1/nothing
check '.error.code' '"no_route"'
expect 405 PUT /v1/databases/shop/put -d '{}'
check '.error.code' '"method_not_allowed"'
R=$(curl -s -i -X PATCH "$BASE/v1/databases/shop")
grep -qi '^Allow: GET, DELETE, OPTIONS' <<<"$R" || fail "405 without Allow: $R"
for path in /v1/databases/%2e%2e /v1/databases/%2E%2E/verify /v1/databases/a%2Fb \
  /v1/databases/..%2F..%2Fetc /v1/databases/%2e /v1/databases/a%00b /v1/databases/%zz \
  /v1/databases/%2 "/v1/databases/a%20b" "/v1/databases/$(printf 'b%.0s' $(seq 65))"; do
  expect 400 GET "$path" --path-as-is
done
expect 400 GET /v1/databases/../../etc/passwd --path-as-is
expect 400 GET /v1/databases/shop/rows/users/.. --path-as-is
[ -z "$(ls "$WORK" | grep -v -e '^data$' -e '\.log$')" ] || fail "files outside the data root"

# ---- 413 over --max-body (4096 here) ----
BIG=$(head -c 5000 /dev/zero | tr '\0' 'x')
expect 413 POST /v1/databases/shop/put -d "{\"coll\":\"users\",\"id\":\"big\",\"doc\":{\"x\":\"$BIG\"}}"
check '.error.code' '"body_too_large"'

# ---- CORS on every response; OPTIONS preflight 204 ----
R=$(curl -s -i -X OPTIONS "$BASE/v1/databases/shop/put" -H 'Origin: http://example.com' \
  -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type')
grep -q '^HTTP/1.1 204' <<<"$R" || fail "preflight: $R"
grep -qi '^Access-Control-Allow-Origin: \*' <<<"$R" || fail "preflight ACAO: $R"
grep -qi '^Access-Control-Allow-Methods: .*POST' <<<"$R" || fail "preflight methods: $R"
grep -qi '^Access-Control-Allow-Headers: .*Content-Type' <<<"$R" || fail "preflight headers: $R"
for p in /health /v1/databases/nope /v1/nothing; do
  curl -s -i "$BASE$p" | grep -qi '^Access-Control-Allow-Origin: \*' || fail "no CORS on $p"
done

# ---- malformed HTTP never kills the daemon ----
# raw REQUEST: sends bytes on a fresh connection, prints the status line.
# (In a subshell ignoring SIGPIPE: the daemon may close before all is sent.)
raw() {
  (
    trap '' PIPE
    exec 3<>/dev/tcp/127.0.0.1/"$PORT"
    printf '%s' "$1" >&3 2>/dev/null
    timeout 5 head -1 <&3
  )
}
raw $'GARBAGE\r\n\r\n' | grep -q ' 400 ' || fail "garbage request not answered 400"
raw "GET /health HTTP/1.1"$'\r\n'"X-Big: $(head -c 70000 /dev/zero | tr '\0' 'a')"$'\r\n\r\n' |
  grep -q ' 431 ' || fail "huge header not answered 431"
raw $'POST /v1/databases/shop/put HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"co' >/dev/null
raw $'GET /health HTTP/1.1\r\nContent-Length: -5\r\n\r\n' | grep -q ' 400 ' ||
  fail "negative Content-Length not answered 400"
curl -s -X POST "$BASE/v1/databases/shop/put" --data-binary $'{"coll":"users","id":"\xff\xfe","doc":{}}' -o /dev/null
alive

# ---- keep-alive: several requests on one connection ----
R=$(curl -s -v "$BASE/health" "$BASE/health" "$BASE/health" 2>&1)
[ "$(grep -c 'Re-using existing connection' <<<"$R")" -ge 2 ] || fail "no keep-alive reuse"

# ---- GET /metrics ----
expect 200 GET /metrics
grep -q '^nedb_ops_appended_total{db="shop",kind="put"} [1-9]' <<<"$BODY" || fail "metrics ops: $BODY"
grep -q '^nedb_fsyncs_total{db="shop"} [1-9]' <<<"$BODY" || fail "metrics fsyncs"
grep -q '^nedb_seq{db="myapp"} 1$' <<<"$BODY" || fail "metrics seq"
grep -q '^nedbd_requests_total{route="/v1/databases/:name/put",method="POST",status="409"} 1$' \
  <<<"$BODY" || fail "metrics requests"
grep -q '^nedbd_request_duration_seconds_bucket{route="/health",le="+Inf"} [1-9]' <<<"$BODY" ||
  fail "metrics histogram"
grep -q '^nedbd_request_duration_seconds_count{route="/v1/databases/:name/put"} [1-9]' <<<"$BODY" ||
  fail "metrics histogram count"

# ---- DELETE /v1/databases/:name ----
expect 200 DELETE /v1/databases/myapp
check '.dropped' '"myapp"'
[ ! -e "$DATA/myapp" ] || fail "dropped database still on disk"
expect 404 DELETE /v1/databases/myapp
expect 404 GET /v1/databases/myapp/verify
expect 200 GET /health
check '.databases' '["shop"]'

stop_nedbd TERM || fail "nedbd exit status $? on SIGTERM"
finish
