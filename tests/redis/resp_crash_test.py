#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""SIGKILL of the RESP2 server (--sync always) during a burst of SETs from
16 concurrent clients, half of them pipelining; then a restart: every SET
that got +OK is there with its value.

    resp_crash_test.py <resp_harness> <work dir>
"""
import os
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

CLIENTS = 16


def writer(port, c, acked, stop):
    """SETs crash:c<c>-<i> = <i> until the server dies; records each +OK."""
    pipeline = 8 if c % 2 else 1
    try:
        conn = resp_client.Conn(port)
        i = 0
        while not stop.is_set():
            keys = ["crash:c%d-%d" % (c, i + k) for k in range(pipeline)]
            conn.raw(b"".join(resp_client.encode(["SET", k, str(i + n)])
                              for n, k in enumerate(keys)))
            for n, k in enumerate(keys):
                kind, value = conn.read()
                if kind != "+" or value != b"OK":
                    raise RuntimeError("SET %s: %s %r" % (k, kind, value))
                acked.append((k, str(i + n).encode()))
            i += pipeline
    except (OSError, EOFError):
        pass  # the server was killed


def main():
    harness, work = sys.argv[1], os.path.join(sys.argv[2], "resp-crash-test")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(work, "data")
    proc, port = resp_client.start_harness(harness, data, "--sync", "always")
    try:
        acked = [[] for _ in range(CLIENTS)]
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(port, c, acked[c], stop))
                   for c in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(2.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join(30)
        keys = [kv for a in acked for kv in a]
        if len(keys) < 100:
            sys.exit("FAIL: only %d SETs acknowledged before the kill" % len(keys))

        proc, port = resp_client.start_harness(harness, data, "--sync", "always")
        conn = resp_client.Conn(port)
        lost = []
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            kind, values = conn.call("MGET", *[k for k, _ in chunk])
            assert kind == "*", (kind, values)
            for (k, want), (_, got) in zip(chunk, values):
                if got != want:
                    lost.append((k, want, got))
        if lost:
            sys.exit("FAIL: %d acknowledged SETs lost or wrong, e.g. %r" % (len(lost), lost[:3]))
        kind, value = conn.call("SET", "after", "1")
        assert (kind, value) == ("+", b"OK"), (kind, value)
        conn.close()
        print("ok: %d acknowledged SETs from %d clients, all present after SIGKILL + restart"
              % (len(keys), CLIENTS))
    finally:
        resp_client.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
