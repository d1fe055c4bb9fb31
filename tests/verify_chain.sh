#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Verifies a log.aof with jq and b2sum only, exactly as docs/FORMAT.md shows.
# Usage: verify_chain.sh <log.aof>. Exit 0 if the chain is intact.
set -uo pipefail
prev=$(printf '0%.0s' $(seq 128))
n=0
while IFS= read -r line; do
  body=${line%,\"hash\":\"*}
  hash=$(printf '%s' "$body" | b2sum | cut -d' ' -f1)
  [ "$hash" = "$(jq -r .hash <<<"$line")" ] || { echo "bad hash at seq $n"; exit 1; }
  [ "$(jq -r .prev <<<"$line")" = "$prev" ] || { echo "broken chain at seq $n"; exit 1; }
  [ "$(jq -r .seq <<<"$line")" = "$n" ]     || { echo "bad seq at $n"; exit 1; }
  prev=$hash; n=$((n+1))
done < "$1"
echo "head $prev after $n ops"
