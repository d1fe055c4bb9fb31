#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 13, item 1: one query used to kill nedbd (an empty range whose start
# lies past the last entry of an ordered index). Through /query and /sql, on
# every index kind, at HEAD and AS OF, an empty or inverted range answers 200
# with no rows and the daemon keeps running.
# Usage: http_empty_range_test.sh /path/to/nedbd
source "$(dirname "$0")/lib.sh" "$1"

start_nedbd

INIT='{"name":"shop","init":{"indexes":[["items","e","ordered"],["eqs","e","eq"],
  ["words","e","search"]],"seed":{"items":[{"id":"a","e":1}],"eqs":[{"id":"a","e":1}],
  "words":[{"id":"a","e":1}],"plain":[{"id":"a","e":1}]}}}'
expect 201 POST /v1/databases -d "$INIT"

for coll in items eqs words plain; do
  for as_of in "" " AS OF 1" " AS OF 4"; do
    for where in 'e >= 2 AND e <= 0' 'e > 1 AND e < 1' 'e >= 2 AND e < 2' 'e > 5' \
                 'e > 1 AND e < 1 ORDER BY e DESC' 'e >= 2 AND e <= 0 ORDER BY e LIMIT 1'; do
      nql="FROM $coll$as_of WHERE $where"
      expect 200 POST /v1/databases/shop/query -d "{\"nql\":\"$nql\"}"
      check '[.rows, .count]' '[[],0]'
      alive
    done
    for where in 'e BETWEEN 2 AND 0' 'e > 1 AND e < 1' 'e BETWEEN 2 AND 0 ORDER BY e DESC'; do
      sql="SELECT * FROM $coll$as_of WHERE $where"
      expect 200 POST /v1/databases/shop/sql -d "{\"sql\":\"$sql\"}"
      check '[.rows, .count]' '[[],0]'
      alive
    done
  done
  # The range that holds the document still finds it.
  expect 200 POST /v1/databases/shop/sql -d "{\"sql\":\"SELECT * FROM $coll WHERE e BETWEEN 0 AND 2\"}"
  check '[.rows[0]._id, .count]' '["a",1]'
done

finish
