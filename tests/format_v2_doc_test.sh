#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the Python reader of docs/FORMAT.md (its ```python blocks, standard
# library only) over a v2 log written by log_v2_sample_writer: every CRC,
# seq, leaf hash and plain payload digest must agree with the C++ encoder.
#   format_v2_doc_test.sh SOURCE_DIR WRITER TMPDIR
set -euo pipefail
src="$1" writer="$2" tmp="$3/format_v2_doc_test"
rm -rf "$tmp"
mkdir -p "$tmp"
"$writer" "$tmp/log" >"$tmp/hashes"
python3 - "$src/docs/FORMAT.md" "$tmp/log" "$tmp/hashes" <<'PY'
import re, sys
doc, logdir, hashes = sys.argv[1:]
ns = {}
for block in re.findall(r"```python\n(.*?)```", open(doc).read(), re.S):
    exec(block, ns)
want = [line.split() for line in open(hashes)]
got = list(ns["records"](logdir))
assert len(got) == len(want) == 300, (len(got), len(want))
plain = 0
for (seq, entry, section), (s, h) in zip(got, want):
    assert seq == int(s), (seq, s)
    assert ns["leaf_hash"](entry).hex() == h, seq
    plain += ns["check_payload"](entry, section) is not None
assert plain > 10, plain
print(f"{len(got)} records read, {plain} plain payload digests checked")
PY
