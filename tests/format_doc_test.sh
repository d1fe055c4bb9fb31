#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The docs/FORMAT.md recipe verifies a log the engine wrote, and rejects a
# tampered copy. Usage: format_doc_test.sh <quickstart binary> <work dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir="$2/format-doc-db"
rm -rf "$dir"
"$1" "$dir" > /dev/null
out=$(bash "$here/verify_chain.sh" "$dir/log.aof")
echo "$out"
last=$(tail -n 1 "$dir/log.aof" | jq -r .hash)
[ "$out" = "head $last after $(wc -l < "$dir/log.aof") ops" ]
sed -i '4s/"total":42/"total":43/' "$dir/log.aof"
if bash "$here/verify_chain.sh" "$dir/log.aof"; then echo "tampering not detected"; exit 1; fi
rm -rf "$dir"
