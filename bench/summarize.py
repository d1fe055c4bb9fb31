#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the bench/RESULTS.md table from the outputs of bench/run.sh.

usage: summarize.py OUT_DIR   (OUT_DIR holds put.json, durable.json, get.json,
replay.json, fsyncs.txt/.json, rss.jsonl and cmd.GROUP; missing groups are
skipped)

Figures are medians over the repetitions; "spread" is min..max.
"""
import json
import os
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "build-bench/bench-results"

commands = {}  # group -> the exact command (bench/run.sh writes OUT/cmd.GROUP)
for f in sorted(os.listdir(out)):
    if f.startswith("cmd."):
        commands[f[4:]] = open(os.path.join(out, f)).read().strip()

runs = {}  # benchmark run_name -> list of per-repetition rows
for group in ("put", "durable", "get", "replay"):
    p = os.path.join(out, group + ".json")
    if not os.path.exists(p):
        continue
    for b in json.load(open(p))["benchmarks"]:
        if b.get("run_type") == "iteration" and not b.get("error_occurred"):
            runs.setdefault(b["run_name"], []).append((group, b))
        elif b.get("error_occurred"):
            print("ERROR in %s: %s" % (b["name"], b.get("error_message")), file=sys.stderr)


def find(prefix, field="items_per_second"):
    """(median, min, max, n, group) of field over the repetitions of the run
    whose name starts with prefix, or None."""
    for name, rows in runs.items():
        if name.startswith(prefix):
            vals = [r[field] for _, r in rows if field in r]
            if vals:
                return statistics.median(vals), min(vals), max(vals), len(vals), rows[0][0]
    return None


def cpu_rate(prefix):
    """Median of items_per_second rescaled to CPU time (real/cpu): what the
    rate would be if the process had had its core to itself. Context only."""
    for name, rows in runs.items():
        if name.startswith(prefix):
            vals = [r["items_per_second"] * r["real_time"] / r["cpu_time"]
                    for _, r in rows if "items_per_second" in r and r["cpu_time"] > 0]
            if vals:
                return statistics.median(vals)
    return None


fsync_batch = None
fp, fj = os.path.join(out, "fsyncs.txt"), os.path.join(out, "fsyncs.json")
if os.path.exists(fp) and os.path.exists(fj):
    calls = None
    for line in open(fp):
        parts = line.strip().split(",")
        if len(parts) > 2 and parts[2].startswith("syscalls:sys_enter_fdatasync"):
            calls = float(parts[0])
    ops_total = 0
    for b in json.load(open(fj))["benchmarks"]:
        if b.get("run_type") == "iteration":
            ops_total += int(b["run_name"].split("ops:")[1].split("/")[0])
    if calls:
        fsync_batch = (ops_total / calls, ops_total, calls)

rss = {}
p = os.path.join(out, "rss.jsonl")
if os.path.exists(p):
    for line in open(p):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            rss.setdefault(r["mode"], []).append(r)


def rss_find(mode):
    rows = rss.get(mode)
    if not rows:
        return None
    vals = [r["ratio"] for r in rows]
    return (statistics.median(vals), min(vals), max(vals), len(vals), "rss-" + mode,
            statistics.median(r["rss_delta"] for r in rows) / 1e6,
            statistics.median(r["doc_json_bytes"] for r in rows) / 1e6)


def ops(x):
    if x >= 1e6:
        return "%.2f M ops/s" % (x / 1e6)
    if x >= 1e3:
        return "%.1f k ops/s" % (x / 1e3)
    return "%.0f ops/s" % x


def spread(m):
    return "%s..%s (n=%d)" % (fmt_num(m[1]), fmt_num(m[2]), m[3])


def fmt_num(x):
    if x >= 1e6:
        return "%.2fM" % (x / 1e6)
    if x >= 1e3:
        return "%.1fk" % (x / 1e3)
    return "%.3g" % x


rows = []


def cpu_note(*pairs):
    parts = []
    for label, prefix in pairs:
        c = cpu_rate(prefix)
        if c:
            parts.append("%s %s" % (label, ops(c)))
    return ("; rates on CPU time (as if the core were idle): " + ", ".join(parts)) if parts else ""


def row(metric, nedb, peer, ratio, bar, ok, cmd, note=""):
    rows.append((metric, nedb, peer, ratio, bar, ok, cmd, note))


def verdict(ok):
    return "PASS" if ok else "**FAIL**"


def cmdref(group):
    return "[%s](#commands)" % group


# --- in-memory put ---
n = find("BM_PutMem_NEDB/")
sm = find("BM_PutMem_SqliteMemory/")
sw = find("BM_PutMem_SqliteWalFile/")
if n and sm:
    row("in-memory put (1M docs, ~104 B)", ops(n[0]), "SQLite :memory: 1 txn: " + ops(sm[0]),
        "%.2fx" % (n[0] / sm[0]), ">= 400k ops/s and >= SQLite",
        verdict(n[0] >= 4e5 and n[0] >= sm[0]), cmdref("put"),
        "NEDB spread " + spread(n) + "; SQLite " + spread(sm) + cpu_note(
            ("NEDB", "BM_PutMem_NEDB/"), ("SQLite :memory:", "BM_PutMem_SqliteMemory/"),
            ("SQLite WAL", "BM_PutMem_SqliteWalFile/")))
if n and sw:
    row("in-memory put vs SQLite file", ops(n[0]), "SQLite WAL sync=OFF 1 txn: " + ops(sw[0]),
        "%.2fx" % (n[0] / sw[0]), ">= SQLite", verdict(n[0] >= sw[0]), cmdref("put"),
        "SQLite spread " + spread(sw))

# --- durable put ---
raw = find("BM_Durable_RawAppendFdatasync/")
d1 = find("BM_Durable_NEDB_SyncAlways/threads:1/")
d16 = find("BM_Durable_NEDB_SyncAlways/threads:16/")
q1 = find("BM_Durable_SqliteWalFull/threads:1/")
q16 = find("BM_Durable_SqliteWalFull/threads:16/")
if d1 and raw:
    row("durable put, Sync::Always, 1 thread", ops(d1[0]),
        "raw 200 B write+fdatasync: " + ops(raw[0]), "%.2f" % (d1[0] / raw[0]),
        ">= 0.80 of raw", verdict(d1[0] >= 0.8 * raw[0]), cmdref("durable"),
        "NEDB " + spread(d1) + "; raw " + spread(raw) +
        ("; SQLite WAL sync=FULL autocommit: " + ops(q1[0]) if q1 else ""))
if d16 and d1:
    row("durable put, Sync::Always, 16 threads", ops(d16[0]), "NEDB 1 thread: " + ops(d1[0]),
        "%.2fx" % (d16[0] / d1[0]), ">= 8x 1 thread", verdict(d16[0] >= 8 * d1[0]),
        cmdref("durable"),
        "NEDB " + spread(d16) + ("; SQLite WAL sync=FULL 16 threads: " + ops(q16[0]) if q16 else ""))
if fsync_batch:
    row("group commit batch, 16 threads", "%.1f puts per fdatasync" % fsync_batch[0], "-", "-",
        "(context: 16 would be ideal)", "-", cmdref("fsyncs"),
        "%d puts, %d fdatasync calls (perf stat)" % (fsync_batch[1], fsync_batch[2]))

# --- get ---
gh = find("BM_Get_NEDB_Head")
ga = find("BM_Get_NEDB_AsOf")
sh = find("BM_Get_SqliteHead")
sa = find("BM_Get_SqliteAsOf")
jp = find("BM_Get_JsonParseOnly")
jc = find("BM_Get_JsonCopyOnly")
if gh and sh:
    row("get HEAD -> parsed json (1M docs, random keys)", ops(gh[0]),
        "SQLite point select + json::parse: " + ops(sh[0]), "%.2fx" % (gh[0] / sh[0]),
        ">= 1M ops/s and >= 2x SQLite", verdict(gh[0] >= 1e6 and gh[0] >= 2 * sh[0]),
        cmdref("get"),
        "NEDB " + spread(gh) + cpu_note(("NEDB HEAD", "BM_Get_NEDB_Head"),
                                        ("SQLite", "BM_Get_SqliteHead"),
                                        ("parse alone", "BM_Get_JsonParseOnly"),
                                        ("copy alone", "BM_Get_JsonCopyOnly")) +
        ("; json::parse alone: " + ops(jp[0]) if jp else "") +
        ("; copy of a prebuilt json alone: " + ops(jc[0]) if jc else ""))
if ga:
    row("get AS OF old seq -> parsed json", ops(ga[0]),
        ("SQLite history table seq<=?: " + ops(sa[0])) if sa else "-",
        ("%.2fx" % (ga[0] / sa[0])) if sa else "-", ">= 500k ops/s", verdict(ga[0] >= 5e5),
        cmdref("get"), "NEDB " + spread(ga) + cpu_note(("NEDB AS OF", "BM_Get_NEDB_AsOf"),
                                                     ("SQLite", "BM_Get_SqliteAsOf")))

# --- replay / verify ---
ro = find("BM_Reopen_NEDB")
rr = find("BM_Reopen_RawReadLog", "bytes_per_second")
vf = find("BM_Verify_NEDB", "bytes_per_second")
if ro:
    rb = find("BM_Reopen_NEDB", "bytes_per_second")
    row("reopen (replay) 1M-op log", ops(ro[0]),
        ("read() of log.aof: %.0f MB/s" % (rr[0] / 1e6)) if rr else "-", "-",
        ">= 1M ops/s", verdict(ro[0] >= 1e6), cmdref("replay"),
        "NEDB %s; %.0f MB/s of log" % (spread(ro), rb[0] / 1e6) +
        cpu_note(("reopen", "BM_Reopen_NEDB"), ("verify (ops/s)", "BM_Verify_NEDB")))
if vf:
    row("verify() of the 1M-op log", "%.0f MB/s" % (vf[0] / 1e6), "-", "-", ">= 300 MB/s",
        verdict(vf[0] >= 300e6), cmdref("replay"),
        "spread %.0f..%.0f MB/s (n=%d)" % (vf[1] / 1e6, vf[2] / 1e6, vf[3]))

# --- rss ---
rd = rss_find("nedb-durable")
rm = rss_find("nedb-memory")
rs = rss_find("sqlite-memory")
if rd:
    row("RSS, 1M live docs, durable Sync::None (x JSON bytes)",
        "%.2fx (%.0f MB for %.0f MB JSON)" % (rd[0], rd[5], rd[6]),
        ("SQLite :memory: %.2fx (%.0f MB)" % (rs[0], rs[5])) if rs else "-",
        ("%.2f" % (rd[0] / rs[0])) if rs else "-", "<= 2.5x", verdict(rd[0] <= 2.5),
        cmdref("rss-nedb-durable"), "spread %.2f..%.2f (n=%d)" % (rd[1], rd[2], rd[3]))
if rm:
    row("RSS, 1M live docs, in-memory NEDB (keeps the log text too)",
        "%.2fx (%.0f MB for %.0f MB JSON)" % (rm[0], rm[5], rm[6]),
        ("SQLite :memory: %.2fx" % rs[0]) if rs else "-",
        ("%.2f" % (rm[0] / rs[0])) if rs else "-", "<= 2.5x (reported; bar taken on durable)",
        verdict(rm[0] <= 2.5), cmdref("rss-nedb-memory"),
        "spread %.2f..%.2f (n=%d)" % (rm[1], rm[2], rm[3]))

print("| metric | NEDB | peer | ratio | bar | result | command |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s | %s | %s | %s |" % r[:7])
print()
print("Spreads (min..max over repetitions) and context:")
print()
for r in rows:
    if r[7]:
        print("- %s: %s" % (r[0], r[7]))

print()
print("Commands (run from the repository root):")
print()
for g in ("put", "durable", "fsyncs", "get", "replay", "rss-nedb-durable", "rss-nedb-memory",
          "rss-sqlite-memory"):
    if g in commands:
        print("- %s: `%s`" % (g, commands[g]))
