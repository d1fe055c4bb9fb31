#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 13 item 4: nedbd reclaims expired keys without any read.

5,000 keys set with PX 200 (pipelined), never read: DBSIZE counts none of
them once they are due, and the background expiry (on by default,
--expire-interval-ms 100) appends their 5,000 delete ops within seconds (seen
in ops_appended of GET /v1/databases/default). With NEDBD_EXPIRE_INTERVAL_MS=0
nothing is deleted in the background, yet DBSIZE, KEYS, SCAN and EXISTS still
never count an expired key.

    nedbd_expiry_test.py <nedbd> <work dir>
"""
import json
import os
import shutil
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

N = 5000


def start(nedbd, data, env_extra, *flags):
    return resp_client.start_nedbd(nedbd, data, *flags, env_extra=env_extra)


def deletes(http):
    with urllib.request.urlopen(http + "/v1/databases/default", timeout=30) as r:
        return json.load(r)["ops_appended"]["delete"]


def fill(conn):
    """N keys with PX 200 and one without, in one pipelined write."""
    conn.raw(b"".join(resp_client.encode(["SET", "tmp:%d" % i, "v", "PX", "200"])
                      for i in range(N)) + resp_client.encode(["SET", "keep", "v"]))
    for _ in range(N + 1):
        kind, value = conn.read()
        assert (kind, value) == ("+", b"OK"), (kind, value)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    nedbd, work = sys.argv[1], os.path.join(sys.argv[2], "nedbd-expiry-test")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    proc = None
    try:
        # Default flags: background expiry every 100 ms.
        proc, port, http = start(nedbd, os.path.join(work, "a"), {}, "--sync", "always")
        conn = resp_client.Conn(port)
        fill(conn)
        time.sleep(0.3)
        check(conn.call("DBSIZE") == (":", 1), "DBSIZE counts expired keys")
        deadline = time.time() + 10
        while deadline > time.time() and deletes(http) < N:
            time.sleep(0.05)
        check(deletes(http) == N, "background expiry deleted %d of %d" % (deletes(http), N))
        check(conn.call("DBSIZE") == (":", 1), "DBSIZE after the sweep")
        check(conn.call("EXISTS", "keep") == (":", 1), "the key without TTL")
        conn.close()
        resp_client.stop(proc)
        check(proc.returncode == 0, "nedbd exit status %s" % proc.returncode)

        # Off: nothing is deleted in the background, nothing expired is counted.
        proc, port, http = start(nedbd, os.path.join(work, "b"),
                                 {"NEDBD_EXPIRE_INTERVAL_MS": "0"}, "--sync", "no")
        conn = resp_client.Conn(port)
        fill(conn)
        time.sleep(0.6)
        check(conn.call("DBSIZE") == (":", 1), "DBSIZE counts expired keys (expiry off)")
        check(deletes(http) == 0, "deletes with the background expiry off: %d" % deletes(http))
        check(conn.call("EXISTS", "tmp:1", "tmp:2", "keep") == (":", 1), "EXISTS")
        check(conn.call("KEYS", "*") == ("*", [("$", b"keep")]), "KEYS")
        check(conn.call("SCAN", "0") == ("*", [("$", b"0"), ("*", [("$", b"keep")])]), "SCAN")
        conn.close()
    finally:
        resp_client.stop(proc)
    print("nedbd_expiry_test: ok")


if __name__ == "__main__":
    main()
