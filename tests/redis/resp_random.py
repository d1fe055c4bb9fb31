# SPDX-License-Identifier: Apache-2.0
"""Random command sequences for the RESP differential (redis_diff_test.py):
a small key space of mixed types (strings, hashes, sets, lists), TTLs,
MULTI/EXEC, errors and wrong types, and how to compare two servers' replies
and whole states under the documented differences (docs/RESP.md) only.
"""
import time

KEYS = ["k1", "k2", "k3", "user:1", "user:2", "a:b:c", ""]
VALUES = ["", "0", "1", "-1", "42", "007", "abc", "hello world", "xxxxx", b"\x00\xff\r\n",
          "9223372036854775807", "-9223372036854775808", "3.5", "\xe9t\xe9", " 1", "-0"]
FIELDS = ["f1", "f2", "f3", "name", "_id", "_x", "1", b"\xff"]
MEMBERS = ["a", "b", "c", "1", "2", "10", "-5", "", b"\x00z"]
INTS = ["0", "1", "-1", "2", "3", "5", "-3", "-7", "100", "abc", "", "+1", "1.5",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999"]
SMALL = ["0", "1", "2", "3", "-1", "-2", "-3", "5", "10", "-10", "abc", "-100", "100"]
# Relative expiries far enough that no key expires during a run, the past,
# and the edges of the overflow checks.
SECONDS = ["1000000", "86400000", "0", "-1", "-100", "abc", "9223372036854775",
           "9223372036854", "-9223372036854775808", "9223372036854775807"]
MILLIS = ["1000000000", "86400000000", "0", "-1", "abc", "9223372036854775807",
          "9223372036854775000", "-9223372036854775808"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    def pick(self, xs):
        return self.r.choice(xs)

    def key(self):
        return self.pick(KEYS)

    def val(self):
        return self.pick(VALUES)

    def at_seconds(self):
        now = int(time.time())
        return self.pick(["1", "100", str(now - 10), str(now + 10**7), str(now + 10**8),
                          "9223372036854775", "9223372036854776", "abc", "0", "-5"])

    def at_millis(self):
        now = int(time.time() * 1000)
        return self.pick(["1", str(now - 5000), str(now + 10**10), "9223372036854775807",
                          "abc", "0"])

    def expire_flags(self):
        flags = []
        for _ in range(self.r.choice([0, 0, 0, 1, 1, 2])):
            flags.append(self.pick(["NX", "XX", "GT", "LT", "nx", "gt", "BOGUS"]))
        return flags

    def set_options(self, getex=False):
        opts = []
        for _ in range(self.r.choice([0, 0, 1, 1, 2, 3])):
            o = self.pick(["EX", "PX", "EXAT", "PXAT", "KEEPTTL", "NX", "XX", "GET",
                           "PERSIST" if getex else "ex", "BOGUS"])
            opts.append(o)
            if o.upper() == "EX":
                opts.append(self.pick(SECONDS))
            elif o == "PX":
                opts.append(self.pick(MILLIS))
            elif o == "EXAT":
                opts.append(self.at_seconds())
            elif o == "PXAT":
                opts.append(self.at_millis())
        return opts

    def pairs(self, a, b, lo=1, hi=3):
        out = []
        for _ in range(self.r.randint(lo, hi)):
            out += [a(), b()]
        return out

    def scan_opts(self, keys=False, in_multi=False):
        opts = []
        for _ in range(self.r.choice([0, 1, 1, 2])):
            o = self.pick(["MATCH", "COUNT", "TYPE"] if keys else ["MATCH", "COUNT"])
            if o == "MATCH":
                opts += [o, self.pick(["*", "k*", "f?", "[a-c]", "*1*", "user:*", "\\*", "[^k]*"])]
            elif o == "COUNT":
                opts += [o, self.pick(["1000", "0", "x", "-1"]) if in_multi else
                         self.pick(["1", "2", "10", "1000", "0", "x"])]
            else:
                opts += [o, self.pick(["string", "HASH", "set", "list", "zset", "none"])]
        if in_multi and "COUNT" not in opts:
            opts += ["COUNT", "1000"]
        return opts

    def cursor(self):
        return self.pick(["0", "0", "0", "", "00", "+0", "abc", " 0", "-", "18446744073709551616"])

    def command(self, in_multi=False):
        """One random command (argv list)."""
        r, k, v = self.r, self.key, self.val
        table = [
            # strings
            (8, lambda: ["SET", k(), v()] + self.set_options()),
            (4, lambda: ["GET", k()]),
            (2, lambda: ["GETEX", k()] + self.set_options(getex=True)),
            (2, lambda: ["MSET"] + self.pairs(k, v)),
            (2, lambda: ["MSETNX"] + self.pairs(k, v)),
            (1, lambda: ["MSETNX", k(), v(), k()]),
            (2, lambda: ["MGET"] + [k() for _ in range(r.randint(1, 3))]),
            (1, lambda: ["SETNX", k(), v()]),
            (2, lambda: ["SETEX", k(), self.pick(SECONDS), v()]),
            (2, lambda: ["PSETEX", k(), self.pick(MILLIS), v()]),
            (1, lambda: ["GETSET", k(), v()]),
            (1, lambda: ["GETDEL", k()]),
            (2, lambda: ["APPEND", k(), v()]),
            (1, lambda: ["STRLEN", k()]),
            (2, lambda: ["INCR", k()]),
            (1, lambda: ["DECR", k()]),
            (2, lambda: ["INCRBY", k(), self.pick(INTS)]),
            (1, lambda: ["DECRBY", k(), self.pick(INTS)]),
            (3, lambda: ["GETRANGE", k(), self.pick(SMALL), self.pick(SMALL)]),
            (3, lambda: ["SETRANGE", k(), self.pick(SMALL + ["20"]), v()]),
            # keys and TTL
            (2, lambda: ["DEL"] + [k() for _ in range(r.randint(1, 3))]),
            (2, lambda: ["EXISTS"] + [k() for _ in range(r.randint(1, 3))]),
            (2, lambda: ["TOUCH"] + [k() for _ in range(r.randint(1, 3))]),
            (2, lambda: ["TYPE", k()]),
            (1, lambda: ["RENAME", k(), k()]),
            (1, lambda: ["RENAMENX", k(), k()]),
            (3, lambda: ["EXPIRE", k(), self.pick(SECONDS)] + self.expire_flags()),
            (2, lambda: ["PEXPIRE", k(), self.pick(MILLIS)] + self.expire_flags()),
            (2, lambda: ["EXPIREAT", k(), self.at_seconds()] + self.expire_flags()),
            (2, lambda: ["PEXPIREAT", k(), self.at_millis()] + self.expire_flags()),
            (2, lambda: ["TTL", k()]),
            (2, lambda: ["PTTL", k()]),
            (2, lambda: ["PERSIST", k()]),
            (1, lambda: ["KEYS", self.pick(["*", "k*", "user:*", "?", "*:*", "[kx]?"])]),
            (2, lambda: ["SCAN", self.cursor()] + self.scan_opts(True, in_multi)),
            (1, lambda: ["DBSIZE"]),
            # hashes
            (6, lambda: ["HSET", k()] + self.pairs(lambda: self.pick(FIELDS), v)),
            (1, lambda: ["HMSET", k()] + self.pairs(lambda: self.pick(FIELDS), v)),
            (1, lambda: ["HSETNX", k(), self.pick(FIELDS), v()]),
            (3, lambda: ["HGET", k(), self.pick(FIELDS)]),
            (1, lambda: ["HMGET", k()] + [self.pick(FIELDS) for _ in range(r.randint(1, 3))]),
            (2, lambda: ["HGETALL", k()]),
            (2, lambda: ["HDEL", k()] + [self.pick(FIELDS) for _ in range(r.randint(1, 3))]),
            (1, lambda: ["HEXISTS", k(), self.pick(FIELDS)]),
            (1, lambda: ["HKEYS", k()]),
            (1, lambda: ["HVALS", k()]),
            (1, lambda: ["HLEN", k()]),
            (1, lambda: ["HSTRLEN", k(), self.pick(FIELDS)]),
            (2, lambda: ["HINCRBY", k(), self.pick(FIELDS), self.pick(INTS)]),
            (3, lambda: ["HSCAN", k(), self.cursor()] + self.scan_opts(False, in_multi)),
            # sets
            (6, lambda: ["SADD", k()] + [self.pick(MEMBERS) for _ in range(r.randint(1, 3))]),
            (2, lambda: ["SREM", k()] + [self.pick(MEMBERS) for _ in range(r.randint(1, 3))]),
            (2, lambda: ["SMEMBERS", k()]),
            (1, lambda: ["SISMEMBER", k(), self.pick(MEMBERS)]),
            (1, lambda: ["SMISMEMBER", k()] + [self.pick(MEMBERS) for _ in range(r.randint(1, 3))]),
            (1, lambda: ["SCARD", k()]),
            (1, lambda: ["SUNION"] + [k() for _ in range(r.randint(1, 3))]),
            (1, lambda: ["SINTER"] + [k() for _ in range(r.randint(1, 3))]),
            (1, lambda: ["SDIFF"] + [k() for _ in range(r.randint(1, 3))]),
            (3, lambda: ["SSCAN", k(), self.cursor()] + self.scan_opts(False, in_multi)),
            # lists
            (5, lambda: ["RPUSH", k()] + [v() for _ in range(r.randint(1, 3))]),
            (4, lambda: ["LPUSH", k()] + [v() for _ in range(r.randint(1, 3))]),
            (1, lambda: ["LPUSHX", k(), v()]),
            (1, lambda: ["RPUSHX", k(), v()]),
            (3, lambda: ["LRANGE", k(), self.pick(SMALL), self.pick(SMALL)]),
            (1, lambda: ["LLEN", k()]),
            (2, lambda: ["LINDEX", k(), self.pick(SMALL)]),
            (1, lambda: ["LSET", k(), self.pick(SMALL), v()]),
            (2, lambda: ["LPOP", k()] + ([self.pick(SMALL)] if r.random() < 0.4 else [])),
            (2, lambda: ["RPOP", k()] + ([self.pick(SMALL)] if r.random() < 0.4 else [])),
            (3, lambda: ["LTRIM", k(), self.pick(SMALL), self.pick(SMALL)]),
            (3, lambda: ["LREM", k(), self.pick(SMALL), v()]),
            # errors, server
            (1, lambda: self.pick([["NOSUCH", k()], ["GET"], ["SET", k()], ["HSET", k(), "f"],
                                   ["CLIENT", "BOGUS"], ["CONFIG", "GET"], ["LREM", k(), "1"],
                                   ["GETRANGE", k(), "0"], ["TIME", "x"], ["FLUSHALL", "x"],
                                   ["MULTI"] if in_multi else ["EXEC"], ["PING", "a", "b"],
                                   ["AUTH", "x"], ["ECHO", v()], ["PING"]])),
            (1, lambda: ["TIME"]),
            (1, lambda: ["CONFIG", "GET", self.pick(["databases", "DATABASES", "save", "Save",
                                                     "data*", "sav?", "nosuch"])]),
            (1, lambda: ["SELECT", "0"]),
            (1, lambda: ["HELLO", "2"] if in_multi else ["ECHO", v()]),
            # Big sets and hashes: Redis keeps them as hash tables, so its
            # scans come in parts (followed to the end by complete_scan).
            (0.3, lambda: ["SADD", k()] + [str(i) for i in range(r.randint(100, 600))]),
            (0.3, lambda: ["SADD", k()] + ["m%d" % i for i in range(r.randint(20, 200))]),
            (0.3, lambda: ["HSET", k()] + sum((["f%d" % i, "v"] for i in range(150)), [])),
        ]
        total = sum(w for w, _ in table)
        x = r.uniform(0, total)
        for w, fn in table:
            x -= w
            if x <= 0:
                return fn()
        return table[-1][1]()

    def step(self):
        """A list of commands to send in order: one command, a MULTI block,
        or (rarely) FLUSHDB/FLUSHALL."""
        x = self.r.random()
        if x < 0.002:
            return [[self.pick(["FLUSHDB", "FLUSHALL"])]]
        if x < 0.06:
            block = [["MULTI"]] + [self.command(True) for _ in range(self.r.randint(0, 4))]
            return block + [[self.pick(["EXEC", "EXEC", "EXEC", "DISCARD"])]]
        return [self.command()]


# ---- comparison ----

UNORDERED = {"SMEMBERS", "SUNION", "SINTER", "SDIFF", "KEYS", "HKEYS", "HVALS"}
PAIRS = {"HGETALL"}


def _sorted(v):
    return sorted(repr(x) for x in v)


def _pairs(v):
    return sorted((repr(v[i]), repr(v[i + 1])) for i in range(0, len(v), 2))


def same(cmd, a, b):
    """True if replies a (redis-server) and b (nedbd) to cmd agree up to the
    documented differences. Scan replies must already be complete (see
    complete_scan)."""
    name = cmd[0].upper() if isinstance(cmd[0], str) else cmd[0]
    if a[0] != b[0]:
        return False
    kind, va = a
    vb = b[1]
    if kind == "*" and va is not None and vb is not None:
        if name in UNORDERED:
            return _sorted(va) == _sorted(vb)
        if name in PAIRS:
            return _pairs(va) == _pairs(vb)
        if name in ("SCAN", "SSCAN", "HSCAN"):
            if va[0] != vb[0]:
                return False
            if name == "HSCAN":
                return _pairs(va[1][1]) == _pairs(vb[1][1])
            return _sorted(va[1][1]) == _sorted(vb[1][1])
        if name == "HELLO":
            return len(va) == len(vb)
        if name == "TIME":
            return len(va) == len(vb) == 2 and abs(int(va[0][1]) - int(vb[0][1])) <= 2
    if kind == ":" and name in ("TTL", "PTTL") and va >= 0 and vb >= 0:
        return abs(va - vb) <= (1 if name == "TTL" else 1500)
    return a == b


def same_exec(queued, a, b):
    """EXEC's replies: each queued command's reply compared as above."""
    if a[0] != "*" or b[0] != "*" or a[1] is None or b[1] is None:
        return a == b
    if len(a[1]) != len(b[1]):
        return False
    return all(same(c, x, y) for c, x, y in zip(queued, a[1], b[1]))


def complete_scan(conn, cmd, reply):
    """redis-server's SCAN/SSCAN/HSCAN may stop before the end (nedbd returns
    every match at once, docs/RESP.md): follow its cursor to the end and
    return one reply with cursor 0 and every element."""
    if reply[0] != "*" or reply[1][0][1] == b"0":
        return reply
    pos = 1 if cmd[0].upper() == "SCAN" else 2
    items, seen = [], set()
    while True:
        for x in reply[1][1][1]:
            items.append(x)
        cursor = reply[1][0][1]
        if cursor == b"0":
            break
        reply = conn.call(*(cmd[:pos] + [cursor] + cmd[pos + 1:]))
    if cmd[0].upper() == "HSCAN":
        out = []
        for i in range(0, len(items), 2):
            if items[i] not in seen:
                seen.add(items[i])
                out += items[i:i + 2]
    else:
        out = [x for x in items if not (x in seen or seen.add(x))]
    return ("*", [("$", b"0"), ("*", out)])


def state(conn):
    """The whole database: {key: (type, value, has_ttl, pttl)}."""
    out = {}
    kind, keys = conn.call("KEYS", "*")
    for _, key in keys:
        t = conn.call("TYPE", key)[1].decode()
        if t == "string":
            v = conn.call("GET", key)
        elif t == "hash":
            v = ("pairs", _pairs(conn.call("HGETALL", key)[1]))
        elif t == "set":
            v = ("set", _sorted(conn.call("SMEMBERS", key)[1]))
        elif t == "list":
            v = conn.call("LRANGE", key, "0", "-1")
        else:
            v = None
        out[key] = (t, v, conn.call("PTTL", key)[1])
    return out


def state_diff(sa, sb):
    """Human-readable differences between two state() results."""
    diffs = []
    for key in sorted(set(sa) | set(sb)):
        a, b = sa.get(key), sb.get(key)
        if a is None or b is None:
            diffs.append("key %r: redis %r, nedbd %r" % (key, a, b))
            continue
        ta, va, pa = a
        tb, vb, pb = b
        ttl_ok = pa == pb or (pa >= 0 and pb >= 0 and abs(pa - pb) <= 1500)
        if ta != tb or va != vb or not ttl_ok:
            diffs.append("key %r: redis %r, nedbd %r" % (key, a, b))
    return diffs
