#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 13 item 5: one size limit end to end -- NEDB's maximum document size,
16 MiB (16,777,216 bytes, nedb::kMaxDocumentBytes) -- over RESP and HTTP.

A value whose document is exactly 16 MiB is stored and read back; one byte
more is refused with the engine's message naming that limit (RESP: -ERR and
the connection stays usable; HTTP: 400 invalid_argument). A RESP bulk string
over 16 MiB is a protocol error (Redis's text) that closes only that
connection. nedbd's default --max-body admits a maximum-size document with
its request fields.

    nedbd_value_limit_test.py <nedbd> <work dir>
"""
import json
import os
import shutil
import socket
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

LIMIT = 16 << 20
MESSAGE = ("document is %d bytes, over NEDB's document size limit of 16777216 bytes (16 MiB)"
           % (LIMIT + 1))


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def start(nedbd, data):
    return resp_client.start_nedbd(nedbd, data, "--sync", "no")


def post(url, body):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def resp_checks(port):
    conn = resp_client.Conn(port)
    # SET k v stores {"_id":"k","_rtype":"string","value":"<v>"}.
    overhead = len('{"_id":"k","_rtype":"string","value":""}')
    fits = b"a" * (LIMIT - overhead)
    check(conn.call("SET", "k", fits) == ("+", b"OK"), "SET of a value whose document is 16 MiB")
    check(conn.call("STRLEN", "k") == (":", len(fits)), "STRLEN")
    check(conn.call("GET", "k") == ("$", fits), "GET of the 16 MiB document's value")
    got = conn.call("SET", "k", fits + b"a")
    check(got == ("-", ("ERR " + MESSAGE).encode()), "SET one byte over: %r" % (got,))
    check(conn.call("APPEND", "k", "b")[0] == "-", "APPEND past the limit")
    check(conn.call("STRLEN", "k") == (":", len(fits)), "the old value stays")
    check(conn.call("PING") == ("+", b"PONG"), "the connection stays usable")
    conn.close()
    # A bulk string over 16 MiB: Redis's protocol error, this connection closes.
    bad = resp_client.Conn(port)
    bad.raw(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$%d\r\n" % (LIMIT + 1))
    check(bad.read() == ("-", b"ERR Protocol error: invalid bulk length"), "bulk over 16 MiB")
    try:
        bad.read()
        check(False, "the connection stays open after a protocol error")
    except (EOFError, OSError):
        pass
    other = resp_client.Conn(port)
    check(other.call("STRLEN", "k") == (":", len(fits)), "other clients keep working")
    other.close()


def http_checks(http):
    prefix = b'{"coll":"c","doc":'
    head = b'{"_id":"x","v":"'
    tail = b'"}'
    fits = head + b"a" * (LIMIT - len(head) - len(tail)) + tail
    check(len(fits) == LIMIT, "test document size")
    status, body = post(http + "/v1/databases/default/put", prefix + fits + b',"id":"x"}')
    check(status == 200, "HTTP put of a 16 MiB document: %s %s" % (status, str(body)[:200]))
    over = head + b"a" * (LIMIT - len(head) - len(tail) + 1) + tail
    status, body = post(http + "/v1/databases/default/put", prefix + over + b',"id":"x"}')
    check(status == 400 and body["error"]["code"] == "invalid_argument"
          and body["error"]["message"] == MESSAGE,
          "HTTP put one byte over: %s %s" % (status, body))
    with urllib.request.urlopen(http + "/v1/databases/default/rows/c/x", timeout=60) as r:
        check(len(json.load(r)["doc"]["v"]) == LIMIT - len(head) - len(tail), "HTTP get")


def main():
    nedbd, work = sys.argv[1], os.path.join(sys.argv[2], "nedbd-value-limit-test")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    proc = None
    try:
        proc, port, http = start(nedbd, os.path.join(work, "data"))
        resp_checks(port)
        http_checks(http)
        check(proc.poll() is None, "nedbd died")
    finally:
        resp_client.stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    print("nedbd_value_limit_test: ok")


if __name__ == "__main__":
    main()
