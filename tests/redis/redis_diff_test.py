#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test: the same command script against redis-server 7 and
nedbd's RESP2 server (resp_harness); replies must be equal.

Documented differences (docs/RESP.md) are the only exclusions: the order
of unordered replies (SMEMBERS, SUNION, SINTER, SDIFF, KEYS, HKEYS, HVALS,
HGETALL: compared as sets/pairs), and replies that describe the server
(INFO, HELLO's id, CLIENT ID/INFO, COMMAND) compared by kind only.

Then a random phase (resp_random.py): random command sequences over a small
key space of mixed types, TTLs, MULTI/EXEC, errors and the newer commands;
replies compared after each command and the whole state (every key's type,
value and TTL) every STATE_EVERY steps and at the end. The seed is printed;
RESP_DIFF_SEED=<n> replays it, RESP_DIFF_COMMANDS=<n> sets the length
(default 2000: a few seconds; e.g. 100000 for a long run).

usage: redis_diff_test.py <resp_harness> <work dir> [--seed N] [--commands N]
"""
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402
import resp_random  # noqa: E402

STATE_EVERY = 50
MAX_REPORTED = 30

B = b"bin\x00\r\n\xff\xfe"

# (command, mode): mode is "exact" (default), "set" (array, any order),
# "pairs" (flat field/value array, any pair order), "kind" (reply type only:
# PTTL right after a set depends on the millisecond the reply is made).
SCRIPT = [
    # strings
    ["SET", "k", "hello"], ["GET", "k"], ["GET", "nokey"], ["SET", "k", "v", "NX"],
    ["SET", "k", "v2", "XX"], ["SET", "k", "v3", "XX", "GET"], ["SET", "nk", "v", "XX"],
    ["SET", "nk", "v", "NX", "GET"], ["SET", "k", "v", "NX", "XX"], ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "EX", "abc"], ["SET", "k", "v", "EX", "10", "PX", "100"],
    ["SET", "k", "v", "KEEPTTL", "EX", "5"], ["SET", "k", "v", "BOGUS"], ["SET", "k"],
    ["SET", "e", "v", "EX", "100"], ["TTL", "e"], ["SET", "e", "w", "KEEPTTL"], ["TTL", "e"],
    ["SET", "e", "x"], ["TTL", "e"], ["PTTL", "nokey"], ["TTL", "nokey"],
    ["INCR", "counter"], ["INCR", "counter"], ["INCRBY", "counter", "10"], ["DECR", "counter"],
    ["DECRBY", "counter", "5"], ["INCRBY", "counter", "x"], ["INCR", "k"],
    ["SET", "max", "9223372036854775807"], ["INCR", "max"], ["DECRBY", "max", "-1"],
    ["SET", "min", "-9223372036854775808"], ["DECR", "min"],
    ["SET", "z", "007"], ["INCR", "z"], ["SET", "z", " 1"], ["INCR", "z"],
    ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b", "nokey", "counter"], ["MSET", "a"],
    ["MSET", "a", "1", "b"], ["SETNX", "a", "9"], ["SETNX", "fresh", "9"], ["GETDEL", "fresh"],
    ["GETDEL", "fresh"], ["APPEND", "a", "xyz"], ["APPEND", "newapp", "abc"], ["STRLEN", "a"],
    ["STRLEN", "nokey"], ["TYPE", "a"], ["TYPE", "nokey"], ["RENAME", "a", "a2"], ["GET", "a2"],
    ["RENAME", "nokey", "x"], ["RENAME", "a2", "a2"], ["RENAMENX", "a2", "b"],
    ["RENAMENX", "a2", "c"], ["EXISTS", "a2", "c", "c", "nokey"], ["DEL", "c", "b", "nokey"],
    ["GETSET", "gs", "1"], ["GETSET", "gs", "2"], ["SETEX", "se", "100", "v"], ["TTL", "se"],
    ["SETEX", "se", "0", "v"], ["PSETEX", "pse", "100000", "v"], (["PTTL", "pse"], "kind"), ["GET"],
    ["SET", B, B], ["GET", B], ["STRLEN", B], ["APPEND", B, B], ["GET", B],
    ["SET", "user:9", "x"], ["GET", "user:9"], ["SET", "", "empty"], ["GET", ""],
    # keys
    (["KEYS", "*"], "set"), (["KEYS", "user:*"], "set"), (["KEYS", "[ab]*"], "set"),
    (["KEYS", "?"], "set"), (["KEYS", "*\\**"], "set"), ["DBSIZE"],
    ["EXPIRE", "k", "100"], ["TTL", "k"], ["PEXPIRE", "k", "200000"], ["TTL", "k"],
    ["EXPIRE", "k", "50", "GT"], ["EXPIRE", "k", "50", "LT"], ["TTL", "k"],
    ["EXPIRE", "k", "60", "NX"], ["EXPIRE", "k", "10", "NX", "XX"], ["EXPIRE", "k", "10", "GT", "LT"],
    ["EXPIRE", "k", "10", "FOO"], ["EXPIRE", "k", "abc"], ["EXPIRE", "nokey", "10"],
    ["PERSIST", "k"], ["PERSIST", "k"], ["TTL", "k"], ["EXPIRE", "k", "-5"], ["EXISTS", "k"],
    ["EXPIRE", "k"],
    # hashes
    ["HSET", "user:1", "name", "Ada", "age", "31"], ["HGET", "user:1", "name"],
    (["HGETALL", "user:1"], "pairs"), ["HSET", "user:1", "name"], ["HMSET", "h", "a", "1", "b", "2"],
    ["HSETNX", "h", "a", "3"], ["HSETNX", "h", "c", "3"], ["HMGET", "h", "a", "nofield", "c"],
    (["HKEYS", "h"], "set"), (["HVALS", "h"], "set"), ["HLEN", "h"], ["HLEN", "nokey"],
    ["HEXISTS", "h", "a"], ["HEXISTS", "h", "zz"], ["HINCRBY", "h", "a", "5"],
    ["HINCRBY", "h", "new", "-5"], ["HINCRBY", "h", "a", "x"], ["HSET", "h", "s", "str"],
    ["HINCRBY", "h", "s", "1"], ["HDEL", "h", "a", "b", "zz"], ["HDEL", "nokey", "a"],
    ["HGET", "h", "nofield"], ["HGET", "nokey", "f"], (["HGETALL", "nokey"], "pairs"),
    ["HGET", "counter", "f"], ["HSET", "counter", "f", "v"], ["HDEL", "h", "c", "new", "s"],
    ["EXISTS", "h"], ["HSET", "hb", B, B, "_id", "x"], ["HGET", "hb", B], ["HGET", "hb", "_id"],
    (["HGETALL", "hb"], "pairs"), ["HSTRLEN", "hb", B], ["TYPE", "user:1"],
    # sets
    ["SADD", "tags", "python", "rust"], (["SMEMBERS", "tags"], "set"),
    ["SISMEMBER", "tags", "rust"], ["SISMEMBER", "tags", "go"], ["SISMEMBER", "nokey", "go"],
    ["SADD", "tags", "rust", "go"], ["SCARD", "tags"], ["SCARD", "nokey"],
    ["SADD", "other", "go", "c", B], (["SUNION", "tags", "other"], "set"),
    (["SINTER", "tags", "other"], "set"), (["SDIFF", "tags", "other"], "set"),
    (["SINTER", "tags", "nokey"], "set"), (["SUNION", "nokey"], "set"),
    ["SREM", "tags", "go", "nope"], ["SREM", "nokey", "x"], ["SADD", "counter", "x"],
    ["SUNION", "tags", "counter"], ["SMISMEMBER", "tags", "rust", "x"], ["SREM", "tags", "python", "rust"],
    ["EXISTS", "tags"], ["SADD", "s1", "1", "2", "3"], (["SMEMBERS", "s1"], "set"),
    # lists
    ["RPUSH", "q", "a", "b", "c"], ["LRANGE", "q", "0", "-1"], ["LPOP", "q"], ["LPUSH", "q", "x", "y"],
    ["LRANGE", "q", "0", "-1"], ["LRANGE", "q", "-2", "-1"], ["LRANGE", "q", "-100", "100"],
    ["LRANGE", "q", "3", "1"], ["LRANGE", "q", "10", "20"], ["LRANGE", "q", "a", "b"],
    ["LRANGE", "nokey", "0", "-1"], ["LLEN", "q"], ["LLEN", "nokey"], ["LINDEX", "q", "0"],
    ["LINDEX", "q", "-1"], ["LINDEX", "q", "99"], ["LINDEX", "q", "x"], ["LSET", "q", "0", "X"],
    ["LSET", "q", "-1", "Z"], ["LSET", "q", "99", "Z"], ["LSET", "nokey", "0", "Z"],
    ["LRANGE", "q", "0", "-1"], ["RPOP", "q"], ["LPOP", "q", "2"], ["RPOP", "q", "0"],
    ["LPOP", "q", "-1"], ["LPOP", "q", "x"], ["LPOP", "nokey"], ["LPOP", "nokey", "2"],
    ["LPOP", "q", "10"], ["EXISTS", "q"], ["LPUSH", "counter", "x"], ["RPUSH", "bl", B, ""],
    ["LRANGE", "bl", "0", "-1"], ["LPUSHX", "nokey", "a"], ["RPUSHX", "bl", "c"], ["TYPE", "bl"],
    ["SET", "bl", "now a string"], ["TYPE", "bl"], ["LPOP", "a", "1", "2"],
    # server
    ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"],
    ["NOSUCH", "a", "b"], ["nosuch"], ["SELECT", "0"], ["CLIENT", "SETNAME", "app"],
    ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "a b"], ["CLIENT", "SETNAME"], ["CLIENT", "FOO"],
    (["CLIENT", "ID"], "kind"), (["CLIENT", "INFO"], "kind"), (["HELLO", "2"], "kind"),
    ["HELLO", "x"], ["HELLO", "2", "FOO"], (["INFO", "server"], "kind"), (["COMMAND", "COUNT"], "kind"),
    ["AUTH", "pw"], ["MULTI"], ["SET", "m", "1"], ["INCR", "m"], ["LPUSH", "m", "x"], ["EXEC"],
    ["EXEC"], ["DISCARD"], ["MULTI"], ["SET", "m", "5"], ["DISCARD"], ["GET", "m"],
    ["MULTI"], ["INCR"], ["SET", "m", "6"], ["EXEC"], ["GET", "m"],
    ["FLUSHDB"], ["DBSIZE"], (["KEYS", "*"], "set"),
    # issue 13: replies that differed from redis-server 7.0
    ["SET", "k", "v"], ["PEXPIRE", "k", "9223372036854775807"], ["EXPIRE", "k", "9223372036854775"],
    ["SETEX", "k", "9223372036854775", "v"], ["SET", "k", "v", "PX", "9223372036854775807"],
    ["SET", "k", "v", "EX", "100", "EX", "200"], ["TTL", "k"], ["LINDEX", "nokey", "abc"],
    ["SCAN", ""], ["SCAN", "abc"], ["CONFIG", "GET", "DATABASES"], ["CONFIG", "GET", "data*"],
    ["MULTI"], ["AUTH", "pw"], ["EXEC"], ["MULTI"], ["SET", "m", "1"], ["CLIENT", "BOGUS"],
    ["EXEC"], ["EXISTS", "m"], ["PEXPIREAT", "k", "9223372036854775807"], (["PTTL", "k"], "kind"),
    # issue 13: more commands
    ["SET", "s", "Hello World"], ["GETRANGE", "s", "-5", "-1"], ["SETRANGE", "s", "6", "Redis"],
    ["SETRANGE", "nk", "3", "ab"], ["GET", "nk"], ["RPUSH", "l", "a", "b", "c", "a", "b", "a"],
    ["LREM", "l", "-1", "a"], ["LREM", "l", "0", "b"], ["LTRIM", "l", "1", "-1"],
    ["LRANGE", "l", "0", "-1"], ["MSETNX", "a", "1", "b", "2"], ["MSETNX", "b", "3", "c", "4"],
    ["GETEX", "s", "EX", "100"], ["TTL", "s"], ["GETEX", "s", "PERSIST"], ["TTL", "s"],
    ["TOUCH", "s", "l", "nokey"], (["TIME"], "kind"), ["HSET", "h", "f1", "v1", "x", "3"],
    (["HSCAN", "h", "0", "MATCH", "f*"], "exact"), ["SADD", "st", "1", "2", "3"],
    (["SSCAN", "st", "0"], "exact"), ["FLUSHALL"], ["DBSIZE"],
]


def normalize(reply, mode):
    kind, v = reply
    if mode == "kind":
        return kind
    if mode == "set" and kind == "*" and v is not None:
        return (kind, sorted(repr(x) for x in v))
    if mode == "pairs" and kind == "*" and v is not None:
        pairs = [(repr(v[i]), repr(v[i + 1])) for i in range(0, len(v), 2)]
        return (kind, sorted(pairs))
    return reply


def random_phase(a, b, seed, n):
    """n random commands against redis-server (a) and nedbd (b)."""
    gen = resp_random.Gen(random.Random(seed))
    failures = 0
    history = []
    sent = 0
    queued = None
    start = time.time()

    def report(text):
        nonlocal failures
        failures += 1
        if failures <= MAX_REPORTED:
            print("DIFF (seed %d, command %d) %s" % (seed, sent, text))
            print("  last commands: %r" % history[-8:])

    def touch_if_expired(cmd):
        # SET ... EXAT/PXAT in the past leaves an expired key in Redis's dict
        # until it is looked up or sampled, and Redis's DBSIZE counts it
        # meanwhile (nedbd never counts an expired key): look it up.
        if cmd[0].upper() == "SET" and any(
                isinstance(x, str) and x.upper() in ("EXAT", "PXAT") for x in cmd):
            a.call("EXISTS", cmd[1])
            b.call("EXISTS", cmd[1])

    while sent < n:
        for cmd in gen.step():
            sent += 1
            history.append(cmd)
            ra, rb = a.call(*cmd), b.call(*cmd)
            name = cmd[0].upper()
            if name == "MULTI" and ra == ("+", b"OK"):
                queued = []
            elif queued is not None and name in ("EXEC", "DISCARD"):
                ok = resp_random.same_exec(queued, ra, rb) if name == "EXEC" else ra == rb
                if not ok:
                    report("%r\n  redis: %r\n  nedbd: %r" % (cmd, ra, rb))
                for q in queued if name == "EXEC" else []:
                    touch_if_expired(q)
                queued = None
                continue
            elif queued is not None and ra == ("+", b"QUEUED"):
                queued.append(cmd)
            if queued is None and name in ("SCAN", "SSCAN", "HSCAN"):
                ra = resp_random.complete_scan(a, cmd, ra)
            if not resp_random.same(cmd, ra, rb):
                report("%r\n  redis: %r\n  nedbd: %r" % (cmd, ra, rb))
            if queued is None:
                touch_if_expired(cmd)
        if queued is None and (sent // STATE_EVERY != (sent - 1) // STATE_EVERY or sent >= n):
            diffs = resp_random.state_diff(resp_random.state(a), resp_random.state(b))
            if diffs:
                report("state:\n  " + "\n  ".join(diffs))
                # Go on from the same state: copy nothing, start both afresh.
                a.call("FLUSHALL")
                b.call("FLUSHALL")
    print("random phase: seed %d, %d commands in %.1f s, %d differences"
          % (seed, sent, time.time() - start, failures))
    return failures


def main():
    args = [x for x in sys.argv[1:]]
    opts = {}
    for flag in ("--seed", "--commands"):
        if flag in args:
            i = args.index(flag)
            opts[flag] = int(args[i + 1])
            del args[i:i + 2]
    harness, work = args[0], args[1]
    seed = opts.get("--seed", int(os.environ.get("RESP_DIFF_SEED", "0")) or
                    random.randrange(1, 2**31))
    commands = opts.get("--commands", int(os.environ.get("RESP_DIFF_COMMANDS", "2000")))
    data = os.path.join(work, "diff-data")
    shutil.rmtree(data, ignore_errors=True)
    redis = nedbd = None
    failures = 0
    try:
        redis, rport = resp_client.start_redis()
        nedbd, nport = resp_client.start_harness(harness, data, "--sync", "no")
        a, b = resp_client.Conn(rport), resp_client.Conn(nport)
        a.call("FLUSHALL")
        for entry in SCRIPT:
            cmd, mode = (entry, "exact") if isinstance(entry, list) else entry
            ra, rb = a.call(*cmd), b.call(*cmd)
            if normalize(ra, mode) != normalize(rb, mode):
                failures += 1
                print("DIFF %r\n  redis: %r\n  nedbd: %r" % (cmd, ra, rb))
        # Protocol errors: same error line, then the connection closes.
        for wire in [b"*1\r\n$3\r\nfoo\r\n*x\r\n", b"*2\r\n?3\r\n", b'SET "a b\r\n',
                     b"*1\r\n$-5\r\n", b"*1\r\n$999999999999\r\n"]:
            outs = []
            for port in (rport, nport):
                c = resp_client.Conn(port)
                c.raw(wire)
                got = []
                try:
                    while True:
                        got.append(c.read())
                except EOFError:
                    pass
                outs.append(got)
                c.close()
            if outs[0] != outs[1]:
                failures += 1
                print("DIFF protocol %r\n  redis: %r\n  nedbd: %r" % (wire, outs[0], outs[1]))
        print("%d script commands, %d differences" % (len(SCRIPT), failures))
        print("random phase seed %d (replay: RESP_DIFF_SEED=%d)" % (seed, seed), flush=True)
        a, b = resp_client.Conn(rport), resp_client.Conn(nport)
        a.call("FLUSHALL")
        b.call("FLUSHALL")
        failures += random_phase(a, b, seed, commands)
    finally:
        resp_client.stop(redis)
        resp_client.stop(nedbd)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
