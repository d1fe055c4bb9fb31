#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 13 item 7: partial requests cannot take nedbd's memory.

Twenty RESP connections each hold a 12 MB partial bulk string (the issue's
twenty 32 MiB values, scaled to the 16 MiB bulk limit and a 64 MiB total
cap set by --resp2-query-buffer-total). The server answers those past the
total with "-ERR ... --resp2-query-buffer-total" and closes them, its RSS
stays within the cap (plus slack), and it keeps serving: a new client gets
PONG, and the connections it kept can finish their values. A single request
over --resp2-query-buffer-limit (per connection) is refused the same way.
The HTTP side has the same bound: twenty requests each with 12 MB of a body
still arriving, under --max-body-total 64 MiB: those past it get 503 busy
(the connection closes), RSS stays bounded, the others complete with 200.

    nedbd_query_buffer_test.py <nedbd> <work dir>
"""
import os
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

MiB = 1 << 20
TOTAL = 64 * MiB
PER_CLIENT = 32 * MiB
CONNS = 20
BULK = 16000000   # announced length of each value (under the 16 MiB bulk limit)
SENT = 12000000   # bytes of it each connection sends before pausing


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def reply_or_none(conn, timeout):
    """The error line a refused connection got (then EOF), or None if none came."""
    conn.sock.settimeout(timeout)
    try:
        data = b""
        while True:
            chunk = conn.sock.recv(4096)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        return None if not data else data
    except OSError:
        return b"<reset>"


def http_checks(proc, port):
    check(port, "no HTTP boot line")
    base = rss(proc.pid)
    socks = []
    for i in range(CONNS):
        head = b'{"coll":"c","id":"h%02d","doc":{"v":"' % i
        tail = b'"}}'
        body = head + b"x" * (SENT - len(head) - len(tail)) + tail
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        socks.append((s, body))
        try:
            s.sendall(b"POST /v1/databases/default/put HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % len(body))
            s.sendall(body[:-1])
        except OSError:
            pass
    time.sleep(0.5)
    peak = rss(proc.pid)
    print("HTTP RSS: %.1f MiB before, %.1f MiB with %d partial bodies of %d bytes"
          % (base / MiB, peak / MiB, CONNS, SENT))
    check(peak - base < TOTAL + 48 * MiB,
          "HTTP: RSS grew by %.1f MiB, over the %d MiB cap" % ((peak - base) / MiB, TOTAL // MiB))
    kept, busy, told = [], 0, 0
    for s, body in socks:
        s.settimeout(0.2)
        try:
            got = s.recv(65536)
        except socket.timeout:
            kept.append((s, body))
            continue
        except OSError:
            got = b"<reset>"
        busy += 1
        told += got != b"<reset>"
        check(got == b"<reset>" or (got.startswith(b"HTTP/1.1 503") and b'"busy"' in got
                                    and b"--max-body-total" in got),
              "HTTP refused request: %r" % got[:300])
    print("HTTP: %d requests kept, %d refused (%d read the 503)" % (len(kept), busy, told))
    check(busy >= CONNS - TOTAL // SENT, "HTTP: only %d refused" % busy)
    check(told > 0, "HTTP: no refused request could read its 503")
    check(kept, "HTTP: every request refused")
    for s, body in kept:
        s.settimeout(20)
        s.sendall(body[-1:])
        got = s.recv(65536)
        check(got.startswith(b"HTTP/1.1 200"), "HTTP: a kept request: %r" % got[:200])


def main():
    nedbd, work = sys.argv[1], os.path.join(sys.argv[2], "nedbd-query-buffer-test")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    proc, port, http = resp_client.start_nedbd(
        nedbd, os.path.join(work, "data"), "--sync", "no",
        "--resp2-query-buffer-total", str(TOTAL), "--resp2-query-buffer-limit", str(PER_CLIENT),
        "--max-body-total", str(TOTAL))
    try:
        http_port = int(http.rsplit(":", 1)[1])
        base = rss(proc.pid)
        conns = []
        chunk = b"x" * MiB
        for i in range(CONNS):
            c = resp_client.Conn(port)
            conns.append(c)
            try:
                c.raw(b"*3\r\n$3\r\nSET\r\n$%d\r\nbig:%02d\r\n$%d\r\n" % (6, i, BULK))
                for _ in range(SENT // MiB):
                    c.raw(chunk)
                c.raw(b"x" * (SENT % MiB))
            except OSError:
                pass  # refused and closed by the server
        time.sleep(0.5)
        peak = rss(proc.pid)
        print("RSS: %.1f MiB at start, %.1f MiB with %d partial values of %d bytes"
              % (base / MiB, peak / MiB, CONNS, SENT))
        check(peak - base < TOTAL + 48 * MiB,
              "RSS grew by %.1f MiB, over the %d MiB cap" % ((peak - base) / MiB, TOTAL // MiB))
        kept, refused, told = [], 0, 0
        for c in conns:
            got = reply_or_none(c, 0.2)
            if got is None:
                kept.append(c)
                continue
            refused += 1
            told += got != b"<reset>"
            check(got == b"<reset>" or got.startswith(
                b"-ERR total query buffer limit reached: ") and b"--resp2-query-buffer-total" in got,
                "refused connection's reply: %r" % got[:200])
        print("%d connections kept, %d refused (%d read the error)" % (len(kept), refused, told))
        check(refused >= CONNS - TOTAL // BULK, "only %d connections refused" % refused)
        check(told > 0, "no refused connection could read its error")
        check(kept, "every connection was refused")
        other = resp_client.Conn(port)
        check(other.call("PING") == ("+", b"PONG"), "a new client is served")
        for c in kept:  # the kept connections finish their values
            c.sock.settimeout(20)
            c.raw(b"x" * (BULK - SENT) + b"\r\n")
            check(c.read() == ("+", b"OK"), "a kept connection's SET")
        check(other.call("STRLEN", "big:00") == (":", BULK), "the first value is stored")

        # One connection's request over the per-client limit (three 15 MB arguments).
        c = resp_client.Conn(port)
        got = None
        try:
            c.raw(b"*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n")
            for _ in range(3):
                c.raw(b"$15000000\r\n" + b"y" * 15000000 + b"\r\n")
        except OSError:
            pass
        got = reply_or_none(c, 5)
        check(got is not None and (got == b"<reset>" or got.startswith(
            b"-ERR client query buffer limit reached: ") and b"--resp2-query-buffer-limit" in got),
              "per-client limit: %r" % (got[:200] if got else got))
        check(other.call("PING") == ("+", b"PONG"), "still serving")
        check(proc.poll() is None, "nedbd died")
        http_checks(proc, http_port)
    finally:
        resp_client.stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    print("nedbd_query_buffer_test: ok")


if __name__ == "__main__":
    main()
