#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test: the same command script against redis-server 7 and
nedbd's RESP2 server (resp_harness); replies must be equal.

Documented differences (docs/RESP.md) are the only exclusions: the order
of unordered replies (SMEMBERS, SUNION, SINTER, SDIFF, KEYS, HKEYS, HVALS,
HGETALL: compared as sets/pairs), and replies that describe the server
(INFO, HELLO's id, CLIENT ID/INFO, COMMAND) compared by kind only.

usage: redis_diff_test.py <resp_harness> <work dir>
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

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


def main():
    harness, work = sys.argv[1], sys.argv[2]
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
    finally:
        resp_client.stop(redis)
        resp_client.stop(nedbd)
    print("%d commands, %d differences" % (len(SCRIPT), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
