#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check a NEDB v2 log without NEDB (docs/FORMAT.md) and print its Merkle root.

  verify_log.py [--json | --quiet] DATA_DIR

Reads DATA_DIR/log/NNNNNNNN.seg in order and checks every segment header, every
frame's CRC32C, that seqs run 0, 1, 2, ... with genesis at 0, every plain payload's
digest SHA-256(0x02 || salt || payload), and that every erased payload names an
erase op (kind 6) of the log, after it, that lists its seq (and, for a put, names
the same coll/id). Then folds the leaf hashes SHA-256(0x00 || entry), leaf index =
seq, into the RFC 9162 root and prints "root <hex> size <n>". Python 3 standard
library only. Exit status: 0 if the log checks, 1 on any problem (the message
names the file, the byte offset and the seq), 2 on bad usage.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys

MAGIC, HEADER, MAX_RECORD = b"NEDBSEG\n", 32, 64 << 20
PAYLOAD_KINDS = (1, 7)  # put, put_file
KNOWN_TAGS = (1, 2, 4, 6, 8, 10, 12, 14)
CRC_TABLE = []
for _n in range(256):
    for _ in range(8):
        _n = (_n >> 1) ^ 0x82F63B78 if _n & 1 else _n >> 1
    CRC_TABLE.append(_n)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class Problem(Exception):
    def __init__(self, what, file, offset, seq, torn=False):
        super().__init__(what)
        self.what, self.file, self.offset, self.seq, self.torn = what, file, offset, seq, torn

    def __str__(self):
        if self.offset is None:
            return f"{self.file}: {self.what}"
        kind = "torn tail" if self.torn else "corrupt log"
        return f"{kind}: {self.file} at offset {self.offset} (seq {self.seq}): {self.what}"


class Bytes:
    """A cursor over a record's bytes; ValueError on any read past the end."""

    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if n > len(self.b) - self.i:
            raise ValueError("truncated field")
        self.i += n
        return self.b[self.i - n:self.i]

    def var(self):  # LEB128, minimal form only
        v = shift = 0
        while True:
            c = self.take(1)[0]
            if shift == 63 and c > 1 or shift and c == 0:
                raise ValueError("non-minimal or oversized varint")
            v |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                return v

    def str(self):
        return self.take(self.var())

    def seqs(self):
        out = []
        for k in range(self.var()):
            d = self.var()
            if k and d == 0:
                raise ValueError("seq list not strictly ascending")
            out.append(d + (out[-1] if out else 0))
        return out


def parse_entry(entry):
    """(kind, seq, names, erases, digest) of a leaf entry; names are what an erase matches."""
    r = Bytes(entry)
    kind, seq = r.take(1)[0], r.var()
    r.var(), r.str(), r.var()  # ts, client, nonce
    names, erases, digest = None, [], None
    if kind == 0:
        r.var()  # format_version
    elif kind in (1, 2):
        names = (r.str(), r.str())  # coll, id
    elif kind in (3, 4):
        r.str(), r.str(), r.str()  # from, rel, to
    elif kind == 5:
        r.str(), r.var()  # snapshot, state_seq
    elif kind == 6:
        names = (r.str(), r.str())
        r.str()  # reason
        erases = r.seqs()
        if any(s >= seq for s in erases):
            raise ValueError("erase lists a seq not before it")
    elif kind in (7, 8):  # file (and put_file's version)
        r.str(), r.var() if kind == 7 else None
    else:
        raise ValueError(f"unknown kind {kind}")
    if kind in PAYLOAD_KINDS:
        digest = r.take(32)
    last = 0
    while r.i < len(entry):  # optional fields: tag, length, value
        tag = r.var()
        if tag <= last:
            raise ValueError("optional field tags not strictly ascending")
        if tag & 1 and tag not in KNOWN_TAGS:
            raise ValueError(f"unknown critical field tag {tag}")
        r.str()
        last = tag
    return kind, seq, names, erases, digest


def read_frame(data, pos):
    """(record, None) for a valid frame at pos, else (length field or None, reason)."""
    if pos + 8 > len(data):
        return None, "truncated frame header"
    length, crc = struct.unpack_from("<II", data, pos)
    if length == 0 or length > MAX_RECORD:
        return length, f"bad frame length {length}"
    if pos + 8 + length > len(data):
        return length, "truncated frame"
    if crc32c(data[pos:pos + 4] + data[pos + 8:pos + 8 + length]) != crc:
        return length, "frame CRC32C mismatch"
    return data[pos + 8:pos + 8 + length], None


def torn_tail(data, pos, length, seq):
    """True if a bad frame at pos of the last segment looks like an interrupted append:
    only zeros after the extent its length claims, and no valid frame of seq + 1 later."""
    end = len(data) if length is None or length > MAX_RECORD else min(len(data), pos + 8 + length)
    if any(data[end:]):
        return False
    for q in range(pos + 1, len(data) - 8):  # a damaged length may hide later records
        try:
            r = Bytes(data[q + 8:q + 40])  # entry_len, kind, seq: cheap checks first
            r.var()
            if r.take(1)[0] <= 8 and r.var() == seq + 1 and read_frame(data, q)[1] is None:
                return False
        except ValueError:
            pass
    return True


def verify(datadir):
    logdir = os.path.join(datadir, "log")
    if not os.path.isdir(logdir):
        raise Problem("no log directory (not a NEDB v2 data directory)", logdir, None, None)
    numbers = sorted(int(n[:8]) for n in os.listdir(logdir) if re.fullmatch(r"\d{8}\.seg", n))
    if not numbers:
        raise Problem("no segment files", logdir, None, None)
    seq, stack, erasures, ops = 0, [], [], {}
    counts = {"plain": 0, "erased": 0, "encrypted": 0}
    for k, number in enumerate(numbers):
        name = os.path.join(logdir, f"{number:08d}.seg")
        last = k + 1 == len(numbers)
        if number != k + 1:
            raise Problem(f"segment {k + 1:08d}.seg is missing", name, 0, seq)
        with open(name, "rb") as f:
            data = f.read()
        why = "truncated segment header" if len(data) < HEADER else None
        if not why:
            magic, version, hnum, first, reserved, crc = struct.unpack_from("<8sIIQII", data)
            why = ("bad magic" if magic != MAGIC else
                   "segment header CRC32C mismatch" if crc32c(data[:28]) != crc else
                   "unsupported format version" if version != 2 else
                   "reserved header bits set" if reserved else None)
        if why:  # a torn header (nothing but zeros after it) ends the last segment
            raise Problem(why, name, 0, seq, torn=last and not any(data[HEADER:]))
        if hnum != number or first != seq:
            raise Problem(f"header says segment {hnum} from seq {first}", name, 0, seq)
        pos = HEADER
        if pos == len(data) and not last:
            raise Problem("a segment before the last is empty", name, pos, seq)
        while pos < len(data):
            record, why = read_frame(data, pos)
            if why:
                torn = last and torn_tail(data, pos, record, seq)
                if torn:
                    why += f" ({len(data) - pos} bytes to the end of the file)"
                raise Problem(why, name, pos, seq, torn=torn)
            try:
                r = Bytes(record)
                entry = r.take(r.var())
                kind, eseq, names, erases, digest = parse_entry(entry)
                if eseq != seq:
                    raise ValueError(f"record has seq {eseq}")
                if (kind == 0) != (seq == 0):
                    raise ValueError("genesis must be the op at seq 0, and only it")
                state, by = check_payload(record[r.i:], kind, seq, digest)
            except (ValueError, IndexError) as e:
                raise Problem(str(e), name, pos, seq)
            if state:
                counts[state] += 1
            if state == "erased":
                erasures.append((seq, by, name, pos))
            if kind == 6:
                ops[seq] = (names, set(erases))
            elif kind in PAYLOAD_KINDS:
                ops[seq] = (names, None)
            leaf, size = hashlib.sha256(b"\x00" + entry).digest(), 1
            while stack and stack[-1][0] == size:  # merge equal complete subtrees
                leaf, size = node(stack.pop()[1], leaf), size * 2
            stack.append((size, leaf))
            seq, pos = seq + 1, pos + 8 + len(record)
    for eseq, by, name, pos in erasures:  # each erased payload needs its erase op
        erase = ops.get(by)
        if erase is None or erase[1] is None:
            why = "is not in the log" if by >= seq else "is not an erase op"
        elif eseq not in erase[1]:
            why = "does not list this seq"
        elif ops[eseq][0] is not None and ops[eseq][0] != erase[0]:
            why = "names another document"
        else:
            continue
        raise Problem(f"payload erased by seq {by}, which {why}", name, pos, eseq)
    root = stack.pop()[1] if stack else hashlib.sha256(b"").digest()
    while stack:
        root = node(stack.pop()[1], root)
    return {"root": root.hex(), "size": seq, "segments": len(numbers), "payloads": counts}


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def check_payload(section, kind, seq, digest):
    """(state, erased_by) of a record's payload section, checking the plain digest."""
    if kind not in PAYLOAD_KINDS:
        if section:
            raise ValueError("bytes after the entry of an op without a payload")
        return None, None
    r = Bytes(section)
    state = r.take(1)[0]
    if state == 0:
        salt = r.take(16)
        if hashlib.sha256(b"\x02" + salt + section[17:]).digest() != digest:
            raise ValueError("payload digest mismatch")
        return "plain", None
    if state == 1:
        by = r.var()
        if by <= seq or any(section[r.i:]):
            raise ValueError("erased payload: erased_by not after it, or padding not zero")
        return "erased", by
    if state == 2:
        if not r.str() or not r.take(1)[0]:
            raise ValueError("encrypted payload without key id or algorithm")
        return "encrypted", None
    raise ValueError(f"unknown payload state {state}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("datadir", help="a NEDB data directory (holding log/)")
    out = ap.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--quiet", action="store_true", help="print nothing; exit status only")
    args = ap.parse_args()
    try:
        res = verify(args.datadir)
    except (Problem, OSError) as e:
        if not isinstance(e, Problem):
            e = Problem(e.strerror or str(e), e.filename, None, None)
        if args.json:
            print(json.dumps({"ok": False, "error": e.what, "torn_tail": e.torn,
                              "file": e.file, "offset": e.offset, "seq": e.seq}))
        elif not args.quiet:
            print(f"verify_log: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"ok": True, **res}))
    elif not args.quiet:
        print(f"root {res['root']} size {res['size']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
