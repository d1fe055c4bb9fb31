#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bearer-token auth (--token / NEDBD_TOKEN): every /v1/* route needs it,
# /health, /metrics and CORS preflights do not; auth=on in the boot line.
source "$(dirname "$0")/lib.sh" "$1"

NEDBD_TOKEN=my-secret start_nedbd
grep -q "auth=on$" "$WORK/out.log" || fail "boot line without auth=on: $(cat "$WORK/out.log")"
AUTH=(-H 'Authorization: Bearer my-secret')

expect 200 GET /health
expect 200 GET /metrics
expect 401 GET /v1/databases
check '.error.code' '"unauthorized"'
R=$(curl -s -i "$BASE/v1/databases")
grep -qi '^WWW-Authenticate: Bearer' <<<"$R" || fail "401 without WWW-Authenticate"
grep -qi '^Access-Control-Allow-Origin: \*' <<<"$R" || fail "401 without CORS"
expect 401 POST /v1/databases -d '{"name":"myapp"}'
expect 401 GET /v1/databases -H 'Authorization: Bearer my-secreT'
expect 401 GET /v1/databases -H 'Authorization: Bearer my-secret2'
expect 401 GET /v1/databases -H 'Authorization: Bearer '
expect 401 GET /v1/databases -H 'Authorization: my-secret'
expect 401 GET /v1/databases -H 'Authorization: Basic bXktc2VjcmV0'
expect 204 OPTIONS /v1/databases
[ ! -e "$DATA/myapp" ] || fail "an unauthorized request created a database"

expect 201 POST /v1/databases -d '{"name":"myapp"}' "${AUTH[@]}"
expect 200 POST /v1/databases/myapp/put "${AUTH[@]}" \
  -d '{"coll":"users","id":"u1","doc":{"name":"Ada"}}'
expect 401 GET /v1/databases/myapp/rows/users/u1
expect 200 GET /v1/databases/myapp/rows/users/u1 -H 'authorization: bearer my-secret'

# The reference's example, verbatim but for the port.
R=$(curl -s -w ' %{http_code}' http://localhost:$PORT/v1/databases \
  -H 'Authorization: Bearer my-secret')
[ "${R##* }" = 200 ] || fail "reference auth example: $R"
[ "$(jq -c '[.databases[].name]' <<<"${R% *}")" = '["myapp"]' ] || fail "list: $R"
stop_nedbd || fail "exit status on SIGTERM"

# --token overrides the environment; without either, auth is off.
NEDBD_TOKEN=env-secret start_nedbd --token flag-secret
expect 401 GET /v1/databases -H 'Authorization: Bearer env-secret'
expect 200 GET /v1/databases -H 'Authorization: Bearer flag-secret'
stop_nedbd || fail "exit status on SIGTERM"
start_nedbd
grep -q "auth=off$" "$WORK/out.log" || fail "boot line without auth=off"
expect 200 GET /v1/databases
stop_nedbd || fail "exit status on SIGTERM"
finish
