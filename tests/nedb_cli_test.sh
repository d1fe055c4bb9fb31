#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The nedb command-line tool (tools/, docs/CLI.md) over logs that
# log_v2_verify_fixture and log_v2_sample_writer write, and over a database the
# engine wrote (nedb_cli_engine_db: puts, deletes, links, a checkpoint, an
# erase, several segments):
# - engine: verify's root = NEDB::head() = verify_log.py's; every prove
#   verifies and its root = NEDB::root(size); log (any --from/--limit) =
#   NEDB::log(); the erased payloads are nowhere in the directory; the same
#   while a process has the directory open.
# - verify: the root and size equal the C++ tree's and scripts/verify_log.py's;
#   no progress output when stderr is not a terminal; a byte flipped in the
#   middle of a segment exits 1 naming the file and offset; a payload byte
#   flipped (CRC fixed up) is a digest mismatch; payloads erased without a
#   covering erase op are refused; a torn tail is a warning (exit 0).
# - log: one JSON object per op, every field; erased payloads as "erased";
#   --from/--limit; the leaf hashes the writer printed; a torn tail is noted.
# - prove: every (seq, size) verifies with nedb::VerifyInclusion (the checker)
#   and scripts/merkle_verify.py, leaf_hash = SHA-256(0x00 || entry).
# - exit 2 on usage and I/O errors, 1 for a seq not in the tree.
#   nedb_cli_test.sh SOURCE_DIR NEDB FIXTURE SAMPLE_WRITER CHECKER ENGINE_DB TMPDIR
set -euo pipefail
src="$1" nedb="$2" fixture="$3" writer="$4" checker="$5" engine="$6" tmp="$7/nedb_cli_test"
rm -rf "$tmp"
mkdir -p "$tmp"
for mode in ok no-erase not-listed other-doc beyond; do
  "$fixture" "$tmp/$mode" "$mode" >"$tmp/$mode.root"
done
mkdir -p "$tmp/sample"
"$writer" "$tmp/sample/log" >"$tmp/sample.hashes"
python3 - "$src" "$nedb" "$checker" "$engine" "$tmp" <<'PY'
import glob, hashlib, importlib.util, json, os, shutil, struct, subprocess, sys
src, nedb, checker, engine, tmp = sys.argv[1:]
spec = importlib.util.spec_from_file_location("verify_log", f"{src}/scripts/verify_log.py")
vl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vl)


def run(*args, stdin=None):
    p = subprocess.run([nedb, *args], capture_output=True, text=True, input=stdin)
    return p.returncode, p.stdout, p.stderr


def lines(out):
    return [json.loads(line) for line in out.splitlines()]


def copy(name):
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(tmp, "ok"), d)
    return d


def segments(d):
    return sorted(glob.glob(os.path.join(d, "log", "*.seg")))


def check_proofs(proofs):
    """`nedb prove` lines: each must verify with nedb::VerifyInclusion (and its
    altered copies fail) and with scripts/merkle_verify.py."""
    stdin = "".join(proofs)
    c = subprocess.run([checker], input=stdin, capture_output=True, text=True)
    assert c.returncode == 0, (c.stdout, c.stderr)
    m = subprocess.run([sys.executable, f"{src}/scripts/merkle_verify.py"], input=stdin,
                       capture_output=True, text=True)
    assert m.returncode == 0 and set(m.stdout.split()) == {"true"}, m.stdout
    return c.stdout.strip()


def frame_at(data, at):  # offset of the frame holding byte `at` of a segment
    pos = 32
    while pos + 8 + struct.unpack_from("<I", data, pos)[0] <= at:
        pos += 8 + struct.unpack_from("<I", data, pos)[0]
    return pos


ok = os.path.join(tmp, "ok")
want_root, want_size = (lambda w: (w[1], int(w[3])))(open(ok + ".root").read().split())

# verify: the C++ tree's root, the same as scripts/verify_log.py's; nothing on stderr.
code, out, err = run("verify", ok)
assert code == 0 and err == "", (code, out, err)
res = json.loads(out)
assert res["ok"] is True and res["root"] == want_root, res
assert res["ops"] == res["tree_size"] == want_size, res
assert res["payloads"] == {"encrypted": 1, "erased": 2, "plain": 64}, res
assert "torn_tail" not in res and out.count("\n") == 1, out
py = subprocess.run([sys.executable, f"{src}/scripts/verify_log.py", "--json", ok],
                    capture_output=True, text=True, check=True)
pyres = json.loads(py.stdout)
assert (pyres["root"], pyres["size"], pyres["segments"]) == (res["root"], res["ops"], res["segments"])
print(f"ok: verify: root {res['root']} size {res['ops']}, as verify_log.py")

# log: every op, every field.
code, out, err = run("log", ok)
assert code == 0 and err == "", (code, err)
ops = lines(out)
assert [o["seq"] for o in ops] == list(range(want_size))
assert list(ops[0]) == ["seq", "ts", "op", "client", "nonce", "format_version", "leaf_hash"], ops[0]
assert ops[0]["op"] == "genesis" and ops[0]["client"] == "nedb" and ops[0]["format_version"] == 2
assert ops[1] == {"seq": 1, "ts": 1795547053626, "op": "put", "client": "local", "nonce": 1,
                  "coll": "users", "id": "alice",
                  "doc": {"_id": "alice", "note": "PAYLOAD-MARKER"},
                  "leaf_hash": ops[1]["leaf_hash"]}, ops[1]
for s in (2, 4):  # erased by the erase op at 10
    assert ops[s]["erased"] == 10 and "doc" not in ops[s] and ops[s]["id"] == "carol", ops[s]
assert ops[3]["from"] == "users/alice" and ops[3]["rel"] == "knows" and ops[3]["to"] == "users/carol"
assert ops[7]["snapshot"] == "5a" * 32 and ops[7]["state_seq"] == 6, ops[7]
assert ops[8]["op"] == "put_file" and ops[8]["file"] == "report.pdf" and "payload" in ops[8]
assert ops[9]["encrypted"] == {"key_id": "k1", "alg": 1}, ops[9]
assert ops[10]["op"] == "erase" and ops[10]["erases"] == [2, 4] and ops[10]["reason"] == "GDPR art. 17"
o = ops[11]
assert (o["idem"], o["caused_by"], o["evidence"], o["confidence"]) == ("idem-11", [1, 5], "a form", 0.5), o
assert list(o)[-5:] == ["idem", "caused_by", "evidence", "confidence", "leaf_hash"], o
assert ops[-1]["op"] == "delete_file"
code, out, _ = run("log", ok, "--from", "5", "--limit", "3")
assert code == 0 and [o["seq"] for o in lines(out)] == [5, 6, 7], out
assert run("log", ok, "--from", "1000") == (0, "", "")
assert run("log", ok, "--limit", "0") == (0, "", "")
print(f"ok: log: {len(ops)} ops")

# log over random ops (any bytes in every string): the writer's leaf hashes.
sample = os.path.join(tmp, "sample")
code, out, err = run("log", sample)
assert code == 0 and err == "", (code, err)
want = [line.split() for line in open(sample + ".hashes")]
got = lines(out)
assert [[str(o["seq"]), o["leaf_hash"]] for o in got] == want
print(f"ok: log: {len(got)} random ops, leaf hashes as written")

# prove: every seq at every size, checked by nedb::VerifyInclusion and merkle_verify.py.
proofs = []
for d, size in ((ok, want_size), (sample, len(want))):
    for n in sorted({1, 2, 3, 7, 8, 9, 31, 32, 33, size}):
        for s in range(0, n, 1 if n < 40 else 3):
            code, out, err = run("prove", d, str(s), *(["--size", str(n)] if n != size else []))
            assert code == 0 and err == "", (d, s, n, code, err)
            p = json.loads(out)
            assert list(p) == ["index", "tree_size", "leaf_hash", "entry", "path", "root"], p
            assert (p["index"], p["tree_size"]) == (s, n), p
            assert hashlib.sha256(b"\0" + bytes.fromhex(p["entry"])).hexdigest() == p["leaf_hash"]
            proofs.append(out)
            if d == ok and n == size:
                assert p["root"] == want_root, p
            if d == sample:
                assert p["leaf_hash"] == want[s][1], (s, p)
print(f"ok: prove: {check_proofs(proofs)} (nedb::VerifyInclusion), merkle_verify.py agrees")
assert run("prove", ok, str(want_size))[0] == 1
assert run("prove", ok, "3", "--size", "3")[0] == 1
code, _, err = run("prove", ok, "0", "--size", str(want_size + 1))
assert code == 1 and "the log has only" in err, err

# A byte flipped in the middle of a middle segment: exit 1, the file and the offset.
d = copy("flipped")
segs = segments(d)
assert len(segs) > 2, segs
path = segs[len(segs) // 2]
data = open(path, "rb").read()
at = len(data) // 2
pos = frame_at(data, at)  # the offset to be named
open(path, "wb").write(data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1:])
code, out, err = run("verify", d)
res = json.loads(out)
assert code == 1 and res["ok"] is False and res["file"] == path, (code, out, err)
assert res["offset"] == pos and f"at offset {pos}" in res["error"], (res, pos)
code, out, err = run("log", d)
assert code == 1 and f"at offset {pos}" in err, (code, err)
assert run("prove", d, "0")[0] == 1
print(f"ok: flipped byte: {res}")

# A payload byte flipped with its frame CRC fixed: only the digest catches it.
d = copy("payload")
for path in segments(d):
    data = bytearray(open(path, "rb").read())
    at = data.find(b"PAYLOAD-MARKER")
    if at >= 0:
        break
data[at] ^= 1
pos = frame_at(data, at)
n = struct.unpack_from("<I", data, pos)[0]
struct.pack_into("<I", data, pos + 4, vl.crc32c(bytes(data[pos:pos + 4] + data[pos + 8:pos + 8 + n])))
open(path, "wb").write(data)
code, out, _ = run("verify", d)
res = json.loads(out)
assert code == 1 and "payload digest mismatch" in res["error"], res
assert (res["seq"], res["file"], res["offset"]) == (1, path, pos), res

# Payloads erased without a covering erase op (the fixture's modes).
for mode, why, seq in [("no-erase", "erased by seq 11, which is not an erase op", 5),
                       ("not-listed", "erased by seq 10, which does not list this seq", 5),
                       ("other-doc", "erased by seq 10, which names another document", 2),
                       ("beyond", "erased by seq 1000, which is not in the log", 5)]:
    code, out, _ = run("verify", os.path.join(tmp, mode))
    res = json.loads(out)
    assert code == 1 and why in res["error"] and res["seq"] == seq, (mode, res)
    assert res["file"].endswith(".seg") and res["offset"] >= 32, res
print("ok: erasure rule")

# A segment missing: corruption, naming the log directory.
d = copy("gap")
os.remove(segments(d)[1])
code, out, err = run("verify", d)
res = json.loads(out)
assert code == 1 and "00000002.seg is missing" in res["error"], res
assert run("log", d)[0] == 1

# A torn tail: log and prove read up to it (noted on stderr); verify warns, exits 0.
d = copy("torn")
last = segments(d)[-1]
data = open(last, "rb").read()
frame = 32 + 8 + struct.unpack_from("<I", data, 32)[0]  # the second frame of the last segment
open(last, "wb").write(data[:frame + 11])
code, out, err = run("verify", d)
res = json.loads(out)
assert code == 0 and res["ok"] is True and err == "", (code, out, err)
t = res["torn_tail"]
assert (t["file"], t["offset"], t["bytes"], t["seq"]) == (last, frame, 11, res["ops"]), t
assert res["ops"] < want_size and res["root"] != want_root, res
code, out, err = run("log", d)
assert code == 0 and len(lines(out)) == res["ops"] and "torn tail" in err and last in err, err
code, out, err = run("prove", d, "0")
assert code == 0 and json.loads(out)["tree_size"] == res["ops"] and "torn tail" in err
code, _, err = run("prove", d, str(res["ops"]))
assert code == 1, err
print(f"ok: torn tail: {t}")

# Usage and I/O errors: exit 2. --version, --help: exit 0.
empty = os.path.join(tmp, "empty")
os.makedirs(empty)
for args in [[], ["log"], ["verify"], ["prove", ok], ["bogus"], ["log", ok, "--limit"],
             ["prove", ok, "x"], ["prove", ok, "-1"], ["log", ok, "--from", "abc"],
             ["verify", ok, "extra"], ["log", os.path.join(tmp, "nowhere")], ["verify", empty],
             ["prove", empty, "0"], ["--bogus"]]:
    code, out, err = run(*args)
    assert code == 2 and out == "" and err, (args, code, out, err)
os.makedirs(os.path.join(empty, "log"))
code, out, _ = run("verify", empty)
assert code == 1 and json.loads(out)["error"] == "no segment files", out
version = open(f"{src}/CMakeLists.txt").read().split("project(nedb VERSION ")[1].split()[0]
assert run("--version") == (0, f"nedb {version}\n", ""), run("--version")
for args in (["--help"], ["verify", "--help"]):
    code, out, _ = run(*args)
    assert code == 0 and "Exit status: 0 ok; 1 verification failed" in out, out
print("ok: usage errors exit 2")
# A database the engine wrote (nedb_cli_engine_db write): what nedb reads from
# the closed directory is what nedb::NEDB said before it closed.
eng = os.path.join(tmp, "engine")
w = subprocess.run([engine, "write", eng], capture_output=True, text=True)
assert w.returncode == 0, w.stderr
e = json.loads(w.stdout)
size = e["seq"] + 1
assert len(segments(eng)) > 3 and os.path.exists(os.path.join(eng, "snapshot.json")), eng
code, out, err = run("verify", eng)
res = json.loads(out)
assert code == 0 and err == "" and res["ok"] is True, (code, out, err)
assert (res["root"], res["ops"]) == (e["head"], size), (res, e["head"], size)
assert res["payloads"]["erased"] == len(e["erased"]) == 3, (res, e["erased"])
py = subprocess.run([sys.executable, f"{src}/scripts/verify_log.py", "--json", eng],
                    capture_output=True, text=True, check=True)
pyres = json.loads(py.stdout)
assert (pyres["root"], pyres["size"]) == (e["head"], size), pyres
print(f"ok: engine: verify root = NEDB::head() = verify_log.py's ({size} ops)")

proofs = []
for n in sorted({1, 2, 3, e["erased"][0] + 1, e["erase_seq"], e["erase_seq"] + 1, size - 1, size}):
    for s in range(n):
        code, out, err = run("prove", eng, str(s), *(["--size", str(n)] if n != size else []))
        assert code == 0 and err == "", (s, n, code, err)
        p = json.loads(out)
        assert (p["index"], p["tree_size"], p["root"]) == (s, n, e["roots"][n - 1]), (s, n, p)
        assert p["leaf_hash"] == e["log"][s]["leaf_hash"], (s, p)
        assert hashlib.sha256(b"\0" + bytes.fromhex(p["entry"])).hexdigest() == p["leaf_hash"]
        proofs.append(out)
print(f"ok: engine: {check_proofs(proofs)}, roots = NEDB::root(size)")

code, out, err = run("log", eng)
assert code == 0 and err == "" and lines(out) == e["log"], (code, err)
for frm, lim in [(0, 1), (0, size), (5, 7), (e["erase_seq"] - 2, 5), (size - 3, 10), (size, 1)]:
    code, out, _ = run("log", eng, "--from", str(frm), "--limit", str(lim))
    assert code == 0 and lines(out) == e["log"][frm:frm + lim], (frm, lim, out)
code, out, _ = run("log", eng, "--from", str(size - 4))
assert code == 0 and lines(out) == e["log"][size - 4:], out
ops = e["log"]
assert {o["op"] for o in ops} >= {"genesis", "put", "delete", "link", "unlink", "checkpoint",
                                  "erase"}, {o["op"] for o in ops}
assert ops[e["erase_seq"]]["reason"] == "GDPR art. 17", ops[e["erase_seq"]]
for s in e["erased"]:
    assert ops[s]["erased"] == e["erase_seq"] and "doc" not in ops[s], ops[s]
for d, _, files in os.walk(eng):
    for f in files:
        assert e["marker"].encode() not in open(os.path.join(d, f), "rb").read(), f
print("ok: engine: log --from/--limit = NEDB::log(); the erased payloads are gone from the directory")

# The directory while a process has it open (nedb_cli_engine_db hold: one more
# put, flushed): nedb takes no lock and reads what is on disk.
h = subprocess.Popen([engine, "hold", eng], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     text=True)
held = json.loads(h.stdout.readline())
assert held["seq"] == size, held
code, out, err = run("verify", eng)
res = json.loads(out)
assert code == 0 and (res["root"], res["ops"]) == (held["head"], size + 1), (code, out, err)
code, out, _ = run("log", eng, "--from", str(size))
assert code == 0 and lines(out)[0]["doc"]["text"] == "written while nedb reads", out
code, out, _ = run("prove", eng, "0")
assert code == 0 and json.loads(out)["root"] == held["head"], out
h.stdin.close()
assert h.wait() == 0
code, out, _ = run("verify", eng)
assert code == 0 and json.loads(out)["root"] == held["head"], out
print("ok: engine: the same while the directory is open in another process, and after")
PY
