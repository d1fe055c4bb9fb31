#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check RFC 9162 Merkle proofs of a NEDB history without NEDB (docs/MERKLE.md).

Input (a file, or stdin): JSON proofs, one object per line, or one object, or a list:
  inclusion:   {"index", "tree_size", "leaf_hash", "path", "root"}
  consistency: {"size1", "size2", "path", "root1", "root2"}
Hashes are 64 lower-case hex digits (SHA-256; leaf = H(0x00||entry), node =
H(0x01||left||right)). Prints true or false for each proof, in order.
Exit status: 0 if every proof verified, 1 if any did not, 2 on unreadable input.
"""
import hashlib
import json
import re
import sys

HEX = re.compile(r"[0-9a-f]{64}\Z")
EMPTY = hashlib.sha256(b"").digest()


def digest(v):  # the bytes of a well-formed hash, else None
    return bytes.fromhex(v) if isinstance(v, str) and HEX.match(v) else None


def size(v):  # an unsigned 64-bit integer (not a bool), else None
    return v if type(v) is int and 0 <= v < 2**64 else None


def path_of(p):
    path = p.get("path")
    return [digest(c) for c in path] if isinstance(path, list) else [None]


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion(p):  # RFC 9162 section 2.1.3.2
    fn, n, r, root = size(p.get("index")), size(p.get("tree_size")), \
        digest(p.get("leaf_hash")), digest(p.get("root"))
    path = path_of(p)
    if None in (fn, n, r, root) or None in path or fn >= n:
        return False
    sn = n - 1
    for c in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(c, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency(p):  # RFC 9162 section 2.1.4.2, and NEDB's rules for size1 in (0, size2)
    m, n, r1, r2 = size(p.get("size1")), size(p.get("size2")), \
        digest(p.get("root1")), digest(p.get("root2"))
    path = path_of(p)
    if None in (m, n, r1, r2) or None in path or m > n:
        return False
    if m == 0:
        return not path and r1 == EMPTY and (n > 0 or r2 == EMPTY)
    if m == n:
        return not path and r1 == r2
    if not path:
        return False
    if m & (m - 1) == 0:
        path = [r1] + path
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == r1 and sr == r2


def verify(p):
    if not isinstance(p, dict):
        return False
    if "leaf_hash" in p:
        return inclusion(p)
    return "size1" in p and consistency(p)


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    try:
        try:
            doc = json.loads(text)
            proofs = doc if isinstance(doc, list) else [doc]
        except json.JSONDecodeError:
            proofs = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        print(f"merkle_verify.py: not JSON: {e}", file=sys.stderr)
        return 2
    verdicts = [verify(p) for p in proofs]
    print("\n".join("true" if v else "false" for v in verdicts))
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
