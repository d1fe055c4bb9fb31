# SPDX-License-Identifier: Apache-2.0
"""A minimal RESP2 client and server launchers for the RESP tests (stdlib only)."""
import os
import signal
import socket
import subprocess
import time


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        """One reply as (kind, value): '+', '-', ':', '$' (bytes or None), '*' (list or None)."""
        line = self._line()
        kind, rest = line[:1].decode(), line[1:]
        if kind in "+-":
            return (kind, rest)
        if kind == ":":
            return (kind, int(rest))
        if kind == "$":
            n = int(rest)
            if n < 0:
                return ("$", None)
            while len(self.buf) < n + 2:
                self._fill()
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return ("$", v)
        if kind == "*":
            n = int(rest)
            if n < 0:
                return ("*", None)
            return ("*", [self.read() for _ in range(n)])
        raise ValueError("bad reply line %r" % line)

    def raw(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self.read()

    def close(self):
        self.sock.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen on %d" % port)


def start_harness(harness, data_dir, *extra):
    port = free_port()
    proc = subprocess.Popen([harness, "--data", data_dir, "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, port


def start_nedbd(nedbd, data, *flags, env_extra=None):
    """nedbd with HTTP on an ephemeral port and RESP2 on a free one; waits for
    both. Returns (proc, resp2 port, "http://host:port"). Its output goes to
    out.log beside the data directory."""
    port = free_port()
    out = os.path.join(os.path.dirname(data), "out.log")
    env = dict(os.environ, **(env_extra or {}))
    with open(out, "w") as f:
        proc = subprocess.Popen([nedbd, "--data", data, "--port", "0", "--resp2-port", str(port),
                                 *flags], stdout=f, stderr=subprocess.STDOUT, env=env)
    wait_port(port, proc)
    for _ in range(200):
        with open(out) as f:
            for line in f:
                if " http://" in line:
                    return proc, port, "http://" + line.split(" http://")[1].split()[0]
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError("no HTTP boot line from nedbd")


def start_redis(redis_server="redis-server"):
    port = free_port()
    proc = subprocess.Popen([redis_server, "--save", "", "--appendonly", "no", "--port", str(port),
                             "--bind", "127.0.0.1", "--daemonize", "no"],
                            stdout=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, port


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
