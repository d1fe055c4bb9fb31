#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/verify_log.py against logs log_v2_verify_fixture writes: its root
# must equal the C++ Merkle tree's; a flipped payload byte (CRC fixed up) is a
# digest mismatch; a flipped entry byte is a CRC mismatch, or (CRC fixed up)
# another root; a cut in the last segment is a torn tail, in an earlier one
# corruption; a payload erased without a covering erase op is refused.
#   verify_log_py_test.sh SOURCE_DIR FIXTURE TMPDIR
set -euo pipefail
src="$1" fixture="$2" tmp="$3/verify_log_py_test"
rm -rf "$tmp"
mkdir -p "$tmp"
for mode in ok plain no-erase not-listed other-doc beyond; do
  "$fixture" "$tmp/$mode" "$mode" >"$tmp/$mode.root"
done
python3 - "$src/scripts/verify_log.py" "$tmp" <<'PY'
import glob, importlib.util, json, os, shutil, struct, subprocess, sys
script, tmp = sys.argv[1:]
spec = importlib.util.spec_from_file_location("verify_log", script)
vl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vl)
assert vl.crc32c(b"123456789") == 0xE3069283


def run(d, *opts):
    p = subprocess.run([sys.executable, script, *opts, d], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def fails(d, *needles):
    code, out, err = run(d)
    assert code == 1 and out == "", (d, code, out, err)
    for n in needles:
        assert n in err, (d, n, err)
    code, out, _ = run(d, "--json")
    res = json.loads(out)
    assert code == 1 and res["ok"] is False, res
    print(f"ok: {os.path.basename(d)}: {err.strip()}")
    return res


def copy(name):
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(tmp, "ok"), d)
    return d


def segments(d):
    return sorted(glob.glob(os.path.join(d, "log", "*.seg")))


def find(d, marker):  # (segment path, offset of marker, start of its frame)
    for path in segments(d):
        data = open(path, "rb").read()
        at = data.find(marker)
        if at >= 0:
            pos = 32
            while pos + 8 + struct.unpack_from("<I", data, pos)[0] <= at:
                pos += 8 + struct.unpack_from("<I", data, pos)[0]
            return path, at, pos
    raise AssertionError(marker)


def flip(path, at, fix_crc_of=None):
    data = bytearray(open(path, "rb").read())
    data[at] ^= 0x01
    if fix_crc_of is not None:
        n = struct.unpack_from("<I", data, fix_crc_of)[0]
        rec = bytes(data[fix_crc_of + 8:fix_crc_of + 8 + n])
        struct.pack_into("<I", data, fix_crc_of + 4, vl.crc32c(data[fix_crc_of:fix_crc_of + 4] + rec))
    open(path, "wb").write(data)


# The untouched log: the same root and size as the C++ tree; erasure changes no leaf.
want = open(os.path.join(tmp, "ok.root")).read()
ok = os.path.join(tmp, "ok")
code, out, err = run(ok)
assert (code, out, err) == (0, want, ""), (code, out, err, want)
assert open(os.path.join(tmp, "plain.root")).read() == want
assert run(os.path.join(tmp, "plain")) == (0, want, "")
res = json.loads(run(ok, "--json")[1])
assert res["ok"] and f"root {res['root']} size {res['size']}\n" == want, res
assert res["payloads"] == {"plain": 64, "erased": 2, "encrypted": 1}, res
assert res["segments"] > 2, res
assert run(ok, "--quiet") == (0, "", "")
print(f"ok: {want.strip()}, {res['segments']} segments, {res['payloads']}")

# A payload byte flipped, frame CRC made valid again: only the digest catches it.
d = copy("payload")
path, at, frame = find(d, b"PAYLOAD-MARKER")
flip(path, at, fix_crc_of=frame)
r = fails(d, "payload digest mismatch", f"{path} at offset {frame} (seq 1)")
assert (r["file"], r["offset"], r["seq"], r["torn_tail"]) == (path, frame, 1, False), r

# An entry byte flipped: the frame CRC fails; with the CRC fixed, the root differs.
d = copy("entry")
path, at, frame = find(d, b"ENTRY-MARKER")
flip(path, at)
fails(d, "frame CRC32C mismatch", f"corrupt log: {path} at offset {frame} (seq 11)")
d = copy("entry-crc")
path, at, frame = find(d, b"ENTRY-MARKER")
flip(path, at, fix_crc_of=frame)
code, out, err = run(d)
assert code == 0 and out.startswith("root ") and out != want and out.endswith(want.split()[-1] + "\n"), out
print(f"ok: entry-crc: {out.strip()} != {want.strip()}")

# Cut mid-record: a torn tail in the last segment, corruption in an earlier one.
d = copy("torn")
last = segments(d)[-1]
data = open(last, "rb").read()
frame = 32 + 8 + struct.unpack_from("<I", data, 32)[0]  # the second frame
open(last, "wb").write(data[:frame + 11])
r = fails(d, "torn tail:", f"{last} at offset {frame} (seq ")
assert r["torn_tail"] and r["file"] == last and r["offset"] == frame, r
d = copy("torn-zeros")  # a crash can leave zeros after the cut: still torn
open(segments(d)[-1], "wb").write(data[:frame + 11] + bytes(50))
assert fails(d, "torn tail:")["torn_tail"]
d = copy("bad-then-bytes")  # a bad frame in the last segment with more after it
path = segments(d)[-1]
flip(path, 32 + 8 + 3)
assert not fails(d, "corrupt log:", f"{path} at offset 32 (seq ")["torn_tail"]
d = copy("bad-then-junk")  # a bad last frame followed by non-zero bytes (no record)
path = segments(d)[-1]
size = os.path.getsize(path)
flip(path, size - 1)
open(path, "ab").write(b"junk")
assert not fails(d, "corrupt log:", f"{path} at offset ")["torn_tail"]
d = copy("bad-length")  # a length claiming the rest of the file hides a later valid record
path = segments(d)[-1]
data = bytearray(open(path, "rb").read())
struct.pack_into("<I", data, 32, len(data) - 32 - 8 + 1)
open(path, "wb").write(data)
assert not fails(d, "corrupt log:", f"{path} at offset 32 (seq ")["torn_tail"]
d = copy("cut-middle")
first = segments(d)[0]
data = open(first, "rb").read()
open(first, "wb").write(data[:-5])
r = fails(d, "corrupt log:", first)
assert not r["torn_tail"], r
d = copy("torn-header")  # a last segment with a torn header
segs = segments(d)
open(segs[-1], "wb").write(b"NEDBSEG\n\x02\x00")
assert fails(d, "torn tail:", f"{segs[-1]} at offset 0")["torn_tail"]

# Payloads erased without an erase op that covers them: refused.
for mode, why, seq in [("no-erase", "erased by seq 11, which is not an erase op", 5),
                       ("not-listed", "erased by seq 10, which does not list this seq", 5),
                       ("other-doc", "erased by seq 10, which names another document", 2),
                       ("beyond", "erased by seq 1000, which is not in the log", 5)]:
    assert fails(os.path.join(tmp, mode), why, f"(seq {seq})")["seq"] == seq

# Not a data directory, or a segment missing.
fails(os.path.join(tmp, "nowhere"), "log: no log directory")
d = copy("gap")
os.remove(segments(d)[1])
fails(d, "segment 00000002.seg is missing")
PY
