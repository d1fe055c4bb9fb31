#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/merkle_verify.py (Python standard library only) must give the same
# verdict as nedb::VerifyInclusion / VerifyConsistency on every proof
# merkle_proof_dump prints: valid proofs and every tampering of them.
# Usage: merkle_verify_py_test.sh <merkle_proof_dump> <source dir> <work dir>
set -euo pipefail
dump=$1 src=$2 work=$3
mkdir -p "$work"
"$dump" "$work/proofs.jsonl" "$work/ours.txt"
status=0
python3 "$src/scripts/merkle_verify.py" "$work/proofs.jsonl" >"$work/theirs.txt" || status=$?
if [ "$status" -ne 1 ]; then  # 1: some proofs did not verify, as some are tampered
  echo "merkle_verify.py exited with $status, expected 1"; exit 1
fi
valid=$(grep -c '^true$' "$work/ours.txt" || true)
invalid=$(grep -c '^false$' "$work/ours.txt" || true)
if [ "$valid" -lt 500 ] || [ "$invalid" -lt 10000 ]; then
  echo "too few cases: $valid valid, $invalid invalid"; exit 1
fi
if ! cmp -s "$work/ours.txt" "$work/theirs.txt"; then
  echo "verdicts differ (line: ours theirs proof):"
  paste -d' ' "$work/ours.txt" "$work/theirs.txt" | awk '$1 != $2 {print NR": "$0}' | head -5 |
    while read -r line; do echo "$line $(sed -n "${line%%:*}p" "$work/proofs.jsonl" | cut -c1-300)"; done
  exit 1
fi
echo "merkle_verify.py agrees with nedb on $valid valid and $invalid invalid proofs"
