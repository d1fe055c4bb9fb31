#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/FORMAT.md against databases the engine wrote, so that the document
# cannot drift from the code:
# - quickstart's directory: the files of "The data directory"; every segment
#   header as the table says; the Python reader (the doc's ```python blocks)
#   checks every CRC and payload digest and its root() of the leaf hashes is
#   head(), as scripts/verify_log.py's and `nedb verify`'s are; meta.json is the
#   documented line; a payload byte flipped (CRC fixed up) fails all three.
# - nedb_cli_engine_db's directory (puts, deletes, links, checkpoints, an
#   erase): the erased records are `01 erased_by 00...`; snapshot.json is
#   version 3 as documented (header keys, head = root(seq + 1), body parsed
#   section by section to its last byte); the doc's ```sh digest recipe gives
#   the checkpoint op's digest.
# - docs/FORMAT-v1.md's jq + b2sum recipe on the v1 fixture's log.aof gives the
#   v1 head that the upgraded genesis records; an erase deletes log.aof.v1 and
#   snapshot.json.v1.
#   format_doc_test.sh SOURCE_DIR QUICKSTART NEDB ENGINE_DB TMPDIR
set -euo pipefail
src="$1" quickstart="$2" nedb="$3" engine="$4" tmp="$5/format_doc_test"
rm -rf "$tmp"
mkdir -p "$tmp"
"$quickstart" "$tmp/qs" >"$tmp/qs.out"
"$engine" write "$tmp/eng" >"$tmp/eng.json"

# The v1 recipe, exactly as docs/FORMAT-v1.md shows it, on a copy of the fixture.
cp -r "$src/tests/data/v1_fixture/db" "$tmp/v1"
awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0} on' "$src/docs/FORMAT-v1.md" |
  awk '/^prev=/ {on = 1} on; /^echo "head/ {exit}' >"$tmp/v1_recipe.sh"
grep -q 'done < log.aof' "$tmp/v1_recipe.sh"
(cd "$tmp/v1" && bash "$tmp/v1_recipe.sh") >"$tmp/v1_recipe.out"
"$engine" erase "$tmp/v1" users alice >"$tmp/v1_erase.json"

python3 - "$src" "$nedb" "$tmp" <<'PY'
import json, os, re, shutil, struct, subprocess, sys
src, nedb, tmp = sys.argv[1:]
doc = open(f"{src}/docs/FORMAT.md").read()
ns = {}
for block in re.findall(r"```python\n(.*?)```", doc, re.S):
    exec(block, ns)
records, leaf_hash, check_payload, root, var, crc32c = (
    ns[k] for k in ("records", "leaf_hash", "check_payload", "root", "var", "crc32c"))


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def roots(d):
    """The root by the doc's Python, by verify_log.py and by `nedb verify`."""
    py = root(leaf_hash(e) for _, e, _ in records(f"{d}/log")).hex()
    code, out, err = run(sys.executable, f"{src}/scripts/verify_log.py", d)
    assert code == 0, err
    code, cli, err = run(nedb, "verify", d)
    assert code == 0 and err == "", (cli, err)
    return py, out.split()[1], json.loads(cli)["root"]


# ---- quickstart: the directory, the segments, the Python reader, the root ----
qs = f"{tmp}/qs"
head = re.search(r'^head -> "([0-9a-f]{64})"$', open(f"{tmp}/qs.out").read(), re.M).group(1)
layout = doc.split("\n## The data directory\n")[1].split("\n## ")[0]
documented = set(re.findall(r"^\| `([^`|]+?)/?`(?:, `([^`|]+?)`)? \|", layout, re.M))
documented = {n for pair in documented for n in pair if n}
assert {"log", "snapshot.json", "meta.json", "LOCK", "log.aof.v1", "log.tmp"} <= documented
for d in (qs, f"{tmp}/eng", f"{tmp}/v1"):
    assert set(os.listdir(d)) <= documented, (d, os.listdir(d), documented)
assert set(os.listdir(qs)) == {"log", "meta.json", "LOCK"}, os.listdir(qs)
seqs = []
segs = sorted(os.listdir(f"{qs}/log"))
for k, name in enumerate(segs, 1):
    data = open(f"{qs}/log/{name}", "rb").read()
    magic, version, number, first, reserved, crc = struct.unpack_from("<8sIIQII", data)
    assert (name, magic, version, number, reserved) == (f"{k:08d}.seg", b"NEDBSEG\n", 2, k, 0)
    assert crc == crc32c(data[:28]) and (k > 1 or first == 0), (name, first)
got = list(records(f"{qs}/log"))
assert [s for s, _, _ in got] == list(range(len(got)))
e0 = got[0][1]  # genesis: kind 0, seq 0, ts, client "nedb", nonce 0, format_version 2
i = var(e0, var(e0, 1)[1])[1]
n, i = var(e0, i)
assert (e0[0], e0[i:i + n], var(e0, var(e0, i + n)[1])[0]) == (0, b"nedb", 2), e0
plain = [check_payload(e, s) for _, e, s in got]
docs = [json.loads(p) for p in plain if p is not None]
assert any(d == {"_id": "bob", "age": 40, "bio": "database architect", "name": "Bob",
                 "status": "active"} for d in docs), docs
for p in plain:
    if p is not None:  # canonical JSON text: what json.dumps writes with sorted keys
        assert p == json.dumps(json.loads(p), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode(), p
assert roots(qs) == (head, head, head)
meta = open(f"{qs}/meta.json").read()
m = json.loads(meta)
assert meta == json.dumps(m, sort_keys=True, separators=(",", ":")) + "\n", meta
assert sorted(m) == ["format", "indexes", "version"] and (m["format"], m["version"]) == (
    "nedb-meta", 1), m
assert sorted(m["indexes"]) == [["users", "age", "ordered"], ["users", "bio", "search"],
                                ["users", "status", "eq"]], m
print(f"ok: quickstart: {len(got)} ops in {len(segs)} segment(s), root {head} = head()")

# A payload byte flipped behind a fixed-up CRC: only the digest catches it.
bad = f"{tmp}/qs-flipped"
shutil.copytree(qs, bad)
path = f"{bad}/log/{segs[0]}"
data = bytearray(open(path, "rb").read())
at = data.find(b"database architect")
pos = 32
while pos + 8 + struct.unpack_from("<I", data, pos)[0] <= at:
    pos += 8 + struct.unpack_from("<I", data, pos)[0]
n = struct.unpack_from("<I", data, pos)[0]
data[at] ^= 1
struct.pack_into("<I", data, pos + 4, crc32c(bytes(data[pos:pos + 4] + data[pos + 8:pos + 8 + n])))
open(path, "wb").write(data)
try:
    for _, e, s in records(f"{bad}/log"):
        check_payload(e, s)
    raise SystemExit("the doc's check_payload missed a flipped payload byte")
except AssertionError:
    pass
assert run(sys.executable, f"{src}/scripts/verify_log.py", bad)[0] == 1
code, out, _ = run(nedb, "verify", bad)
assert code == 1 and "payload digest mismatch" in json.loads(out)["error"], out
print("ok: a flipped payload byte fails the doc's reader, verify_log.py and nedb verify")

# ---- the engine's database: erasure, snapshot version 3, the digest ----
eng = f"{tmp}/eng"
e = json.load(open(f"{tmp}/eng.json"))
assert roots(eng) == (e["head"],) * 3
byseq = {s: (ent, sec) for s, ent, sec in records(f"{eng}/log")}
for s in e["erased"]:
    sec = byseq[s][1]
    assert sec[0] == 1 and var(sec, 1)[0] == e["erase_seq"], (s, sec[:12])
    assert set(sec[var(sec, 1)[1]:]) == {0}, (s, sec)
    assert check_payload(*byseq[s]) is None
assert byseq[e["erase_seq"]][0][0] == 6 and byseq[e["erase_seq"]][1] == b""
raw = open(f"{eng}/snapshot.json", "rb").read()
nl = raw.index(b"\n")
h = json.loads(raw[:nl])
assert raw[:nl] == json.dumps(h, sort_keys=True, separators=(",", ":")).encode()
assert sorted(h) == sorted(["body_bytes", "checkpoint_seq", "collections", "counts", "documents",
                            "edges", "format", "has_genesis", "head", "idem", "indexes",
                            "nonces", "seq", "version"]), h
assert (h["format"], h["version"], h["has_genesis"]) == ("nedb-snapshot", 3, True), h
assert h["checkpoint_seq"] == h["seq"] + 1 and h["head"] == e["roots"][h["seq"]], h
assert h["checkpoint_seq"] > e["erase_seq"], h  # the erase's own checkpoint
assert len(h["counts"]) == 9 and sum(h["counts"]) == h["seq"] + 1, h
kinds = ["genesis", "put", "delete", "link", "unlink", "checkpoint", "erase", "put_file",
         "delete_file"]
assert h["counts"] == [sum(o["op"] == k for o in e["log"][:h["seq"] + 1]) for k in kinds], h
assert h["body_bytes"] == len(raw) - nl - 1, h
cp = e["log"][h["checkpoint_seq"]]
assert cp["op"] == "checkpoint" and cp["state_seq"] == h["seq"] and cp["client"] == "nedb", cp

body, i = raw[nl + 1:], 0


def take_var():
    global i
    v, i = var(body, i)
    return v


def take_str():
    global i
    n = take_var()
    i += n
    return body[i - n:i].decode()


docs, edges = {}, []
for _ in range(h["collections"]):
    coll = take_str()
    for _ in range(take_var()):
        seq, id_ = take_var(), take_str()
        (n,) = struct.unpack_from("<I", body, i)
        i += 4
        docs[(coll, id_)] = (seq, None if n == 0xFFFFFFFF else body[i:i + n])
        i += 0 if n == 0xFFFFFFFF else n
for _ in range(h["edges"]):
    edges.append((take_str(), take_str(), take_str(), take_var(), take_var()))
nonces = {take_str(): take_var() for _ in range(h["nonces"])}
idem = {take_str(): (take_var(), take_str(), take_str(), take_str()) for _ in range(h["idem"])}
assert i == len(body) and len(docs) == h["documents"], (i, len(body))
assert docs[("users", "carol")] == (e["erase_seq"], None), docs[("users", "carol")]
assert docs[("users", "u3")][1] is None and json.loads(docs[("users", "u5")][1])["n"] == 5
assert [x[3] + 1 == x[4] for x in edges if x[:3] == ("users:u2", "knows", "users:u1")] == [True]
assert [x[4] for x in edges if x[:3] == ("users:u1", "knows", "users:carol")] == [0], edges
assert nonces["checkout"] == 7 and idem["charge-o1"][1:] == ("put", "orders", "o1"), idem
assert idem["rm-u4"][1:] == ("delete", "users", "u4"), idem
recipe = re.search(r"```sh\n(split -b .*?snapshot\.json.*?)\n```", doc).group(1)
digest = subprocess.run(["bash", "-c", recipe], cwd=eng, capture_output=True, text=True,
                        check=True).stdout
assert digest == cp["snapshot"], (digest, cp["snapshot"])
print(f"ok: engine: {len(e['erased'])} erased records, snapshot version 3 at seq {h['seq']}, "
      f"digest recipe = checkpoint op's")

# ---- v1: the FORMAT-v1.md recipe, the upgraded genesis, the erase ----
v1 = f"{tmp}/v1"
want = json.load(open(f"{src}/tests/data/v1_fixture/expected.json"))
out = open(f"{tmp}/v1_recipe.out").read().split()
assert out == ["head", want["head"], "after", str(want["ops"]), "ops"], out
code, out, _ = run(nedb, "log", v1, "--limit", "1")
g = json.loads(out)
assert code == 0 and (g["v1_head"], g["v1_ops"]) == (want["head"], want["ops"]), g
assert not os.path.exists(f"{v1}/log.aof.v1") and not os.path.exists(f"{v1}/snapshot.json.v1")
assert roots(v1) == (json.load(open(f"{tmp}/v1_erase.json"))["head"],) * 3
print("ok: v1: the FORMAT-v1.md recipe gives the genesis's v1_head; the erase deleted the v1 files")
PY
rm -rf "$tmp"
