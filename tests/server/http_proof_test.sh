#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Merkle routes and erasure over HTTP (docs/SERVER.md): /root, /proof
# (every proof checked with scripts/merkle_verify.py, and a tampered one
# refused), /consistency, their 400s; POST /erase, then the row is gone at
# HEAD, a read AS OF an erased version is 410 erased (rows and query), /log
# shows "erased", /verify stays ok, every root and proof from before the erase
# is unchanged, nothing in the data directory holds the erased value; the
# same after a restart.
source "$(dirname "$0")/lib.sh" "$1"
MV="$(cd "$(dirname "$0")/../.." && pwd)/scripts/merkle_verify.py"
D=/v1/databases/ledger

# merkle_verify: feeds BODY to scripts/merkle_verify.py, checks its verdict.
merkle_verify() {
  local want=$1 got
  got=$(printf '%s' "$BODY" | python3 "$MV")
  [ "$got" = "$want" ] || fail "merkle_verify.py said $got, want $want, for $BODY"
}

# refused STATUS CODE METHOD PATH [curl args...]: the request fails with that
# status and error code.
refused() {
  local status=$1 code=$2
  shift 2
  expect "$status" "$@"
  check '.error.code' "\"$code\""
}

start_nedbd
expect 201 POST /v1/databases -d '{"name":"ledger"}'
expect 200 POST $D/put -d '{"coll":"users","id":"u1","doc":{"email":"SECRET-V1@example.com"}}'
V1=$(jq .seq <<<"$BODY")
expect 200 POST $D/put -d '{"coll":"users","id":"u2","doc":{"email":"u2@example.com"}}'
expect 200 POST $D/link -d '{"frm":"users:u1","rel":"knows","to":"users:u2"}'
expect 200 POST $D/checkpoint
expect 200 POST $D/put -d '{"coll":"users","id":"u1","doc":{"email":"SECRET-V2@example.com"}}'
V2=$(jq .seq <<<"$BODY")
for i in 3 4 5 6; do
  expect 200 POST $D/put -d "{\"coll\":\"users\",\"id\":\"u$i\",\"doc\":{\"n\":$i}}"
done
expect 200 GET $D/verify
check '.ok' 'true'
HEAD=$(jq -r .head <<<"$BODY")
N=$(($(jq .seq <<<"$BODY") + 1))  # the tree size

# /root: default = every op = head; any size up to N; past it 400.
expect 200 GET $D/root
check '.' "{\"root\":\"$HEAD\",\"tree_size\":$N}"
declare -A ROOT
for n in $(seq 0 $N); do
  expect 200 GET "$D/root?size=$n"
  check '.tree_size' "$n"
  ROOT[$n]=$(jq -r .root <<<"$BODY")
done
[ "${ROOT[0]}" = "$(printf '' | sha256sum | cut -d' ' -f1)" ] || fail "root of size 0: ${ROOT[0]}"
[ "${ROOT[$N]}" = "$HEAD" ] || fail "root?size=$N is not head"
refused 400 invalid_argument GET "$D/root?size=$((N + 1))"
refused 400 bad_request GET "$D/root?size=-1"

# /proof: every seq in every tree size; merkle_verify.py checks each as it is.
PROOFS=0
for n in $(seq 1 $N); do
  for s in $(seq 0 $((n - 1))); do
    expect 200 GET "$D/proof?seq=$s&size=$n"
    check 'keys' '["entry","index","leaf_hash","path","root","tree_size"]'
    check '[.index, .tree_size]' "[$s,$n]"
    check '.root' "\"${ROOT[$n]}\""
    leaf=$(printf '00%s' "$(jq -r .entry <<<"$BODY")" | xxd -r -p | sha256sum | cut -d' ' -f1)
    check '.leaf_hash' "\"$leaf\""
    merkle_verify true
    [ "$n" = "$N" ] && echo "$BODY" >>"$WORK/proofs.before"
    PROOFS=$((PROOFS + 1))
  done
done
expect 200 GET "$D/proof?seq=$V1"  # default size: every op
check '[.index, .tree_size, .root]' "[$V1,$N,\"$HEAD\"]"
BODY=$(jq -c '.leaf_hash = ("0" * 64)' <<<"$BODY")
merkle_verify false
expect 200 GET "$D/proof?seq=$V1"
BODY=$(jq -c ".root = \"${ROOT[$((N - 1))]}\"" <<<"$BODY")
merkle_verify false
refused 400 missing_field GET "$D/proof"
refused 400 invalid_argument GET "$D/proof?seq=$N"
refused 400 invalid_argument GET "$D/proof?seq=2&size=2"
refused 400 invalid_argument GET "$D/proof?seq=0&size=$((N + 1))"

# /consistency: every pair of sizes; roots as /root says.
for m in $(seq 0 $N); do
  for n in $(seq $m $N); do
    expect 200 GET "$D/consistency?from=$m&to=$n"
    check 'keys' '["path","root1","root2","size1","size2"]'
    check '[.size1, .size2, .root1, .root2]' "[$m,$n,\"${ROOT[$m]}\",\"${ROOT[$n]}\"]"
    merkle_verify true
  done
done
expect 200 GET "$D/consistency?from=3"
check '[.size1, .size2, .root2]' "[3,$N,\"$HEAD\"]"
merkle_verify true
BODY=$(jq -c ".root1 = \"${ROOT[2]}\"" <<<"$BODY")
merkle_verify false
refused 400 missing_field GET "$D/consistency"
refused 400 invalid_argument GET "$D/consistency?from=$N&to=$((N - 1))"
refused 400 invalid_argument GET "$D/consistency?from=1&to=$((N + 1))"
echo "ok: $PROOFS inclusion proofs and every consistency proof verify"

# POST /erase: both versions of users/u1.
refused 400 missing_field POST $D/erase -d '{"id":"u1"}'
refused 400 bad_request POST $D/erase -d '{"coll":"users","id":"u1","reason":7}'
expect 200 POST $D/erase -d '{"coll":"users","id":"u1","reason":"GDPR art. 17","idem":"erase-u1"}'
check '.ok' 'true'
E=$(jq .seq <<<"$BODY")
EHEAD=$(jq -r .head <<<"$BODY")
[ "$E" -ge "$N" ] || fail "erase seq $E inside the old tree"
# head is the database's head when erase answers: after the erase op and the
# checkpoint op the erase appends (the database has a snapshot).
expect 200 GET $D/verify
check '[.ok, .head, .seq]' "[true,\"$EHEAD\",$((E + 1))]"
EN=$((E + 2))  # the tree size after the erase
expect 200 POST $D/erase -d '{"coll":"users","id":"u1","idem":"erase-u1"}'
check '.seq' "$E"
refused 404 not_found POST $D/erase -d '{"coll":"users","id":"u1"}'
refused 404 not_found POST $D/erase -d '{"coll":"users","id":"nobody"}'

# checks_after_erase: what must hold after the erase, before and after a restart.
checks_after_erase() {
  refused 404 no_row GET $D/rows/users/u1
  for s in $V1 $V2; do
    expect 410 GET "$D/rows/users/u1?as_of=$s"
    check '[.error.code, .error.erase_seq]' "[\"erased\",$E]"
  done
  expect 200 GET "$D/rows/users/u2?as_of=$V2"
  check '.doc.email' '"u2@example.com"'
  refused 410 erased POST $D/query -d "{\"nql\":\"FROM users AS OF $V2\"}"
  expect 200 POST $D/query -d '{"nql":"FROM users"}'
  check '[.rows[]._id] | sort' '["u2","u3","u4","u5","u6"]'
  expect 200 GET $D/verify
  check '.ok' 'true'
  expect 200 GET "$D/log?limit=10000"
  check "[.entries[] | select(.seq == $V1 or .seq == $V2) | [.erased, has(\"doc\")]]" \
    "[[$E,false],[$E,false]]"
  check "[.entries[] | select(.seq == $E) | [.op, .coll, .id, .reason, .erases]]" \
    "[[\"erase\",\"users\",\"u1\",\"GDPR art. 17\",[$V1,$V2]]]"
  check '[.entries[] | has("leaf_hash") and (has("prev") or has("hash") | not)] | all' 'true'
  # Nothing changed in the tree of the first N ops.
  for n in $(seq 0 $N); do
    expect 200 GET "$D/root?size=$n"
    check '.root' "\"${ROOT[$n]}\""
  done
  local s=0
  while IFS= read -r want; do
    expect 200 GET "$D/proof?seq=$s&size=$N"
    [ "$BODY" = "$want" ] || fail "proof of seq $s changed by the erase: $BODY, was $want"
    s=$((s + 1))
  done <"$WORK/proofs.before"
  expect 200 GET "$D/consistency?from=$N&to=$EN"
  check '[.root1, .root2]' "[\"$HEAD\",\"$EHEAD\"]"
  merkle_verify true
  if grep -r -l -a "SECRET-V" "$DATA"; then fail "an erased value is still in the data directory"; fi
}
checks_after_erase
echo "ok: erase"

stop_nedbd TERM || fail "exit status $? on SIGTERM"
start_nedbd
grep -q "^nedbd: db ledger .* snapshot=yes" "$WORK/out.log" || fail "no snapshot: $(cat "$WORK/out.log")"
expect 200 GET "$D/root?size=$EN"  # the shutdown appended a checkpoint op
check '.root' "\"$EHEAD\""
checks_after_erase
alive
echo "ok: the same after a restart"
finish
