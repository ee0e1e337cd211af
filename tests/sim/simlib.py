"""Helpers for the plexsim integration tests (Python 3 standard library only).

Each test starts its own plexsim on --port 0, reads the LISTENING line (plex.tv)
and the PMS line (the emulated media server), talks to it over 127.0.0.0/8
only, and stops it itself (--max-seconds is the safety net). The plexsim
binary comes from $PLEXSIM.
"""
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

PLEXSIM = os.environ.get("PLEXSIM", "plexsim")
USER_TOKEN = "plexsim-user-token-0001"
CLIENT_ID = "plexsim-test-client"
SAFETY_SECONDS = "180"

ROUTES = [
    "POST /api/v2/pins",
    "GET /api/v2/pins/{id}",
    "PUT /api/v2/pins/link",
    "GET /api/v2/pins/qr/{code}",
    "GET /api/v2/user",
    "GET /api/v2/ping",
    "DELETE /api/v2/users/signout",
    "GET /api/v2/geoip",
    "GET /api/v2/resources",
]
SERVER_TOKEN = "plexsim-server-token-0001"
SERVER_ID = "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d"

PLEX_DIRECT_HASH = "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c"
LOOPBACK_URI_RE = re.compile(
    r"^https?://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]"
    r"|127-\d{1,3}-\d{1,3}-\d{1,3}\." + PLEX_DIRECT_HASH + r"\.plex\.direct):\d+$")


def loopback_uri(uri):
    """True if uri is on 127.0.0.0/8 or [::1], directly or by its plex.direct name."""
    return LOOPBACK_URI_RE.match(uri) is not None


LISTEN_RE = re.compile(r"^LISTENING (https?)://127\.0\.0\.1:(\d+)$")
PMS_RE = re.compile(r"^PMS (https?)://127\.0\.0\.1:(\d+)$")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def xml(self):
        return ET.fromstring(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class KeptConnection:
    """One keep-alive connection to a server (made by the subclass's connect()),
    reused by every request that names no connection of its own."""

    _conn = None

    def close(self):
        if self._conn:
            self._conn.close()
            self._conn = None

    def exchange(self, method, path, body, headers, conn=None):
        """Send a request and read the whole answer, on conn or on the kept
        connection (dropped after a failure, so the next request reconnects)."""
        own = conn is None
        if own:
            if self._conn is None:
                self._conn = self.connect()
            conn = self._conn
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
        except Exception:
            if own:
                self.close()
            raise
        return Response(r.status, r.getheaders(), data)


class Sim(KeptConnection):
    """A running plexsim. Use as a context manager."""

    def __init__(self, *args, tls=None, quiet=True, max_seconds=SAFETY_SECONDS):
        cmd = [PLEXSIM, "--port", "0", "--max-seconds", str(max_seconds)]
        if quiet:
            cmd.append("--quiet")
        if tls:
            cmd += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        cmd += list(args)
        self.errfile = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.errfile)
        self.line = self._read_line(20)
        m = LISTEN_RE.match(self.line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("bad first line %r; stderr: %s" % (self.line, self.stderr()))
        self.scheme = m.group(1)
        self.port = int(m.group(2))
        self.base = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        self.pms_line = self._read_line(20)
        m = PMS_RE.match(self.pms_line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("bad second line %r; stderr: %s" % (self.pms_line,
                                                                     self.stderr()))
        self.pms_port = int(m.group(2))
        self.ssl_context = None
        if tls:
            self.ssl_context = ssl.create_default_context(cafile=tls[0])
        self._conn = None
        self.pms = Pms(self)

    def _read_line(self, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            chunk = os.read(fd, 1)
            if not chunk:
                break
            buf += chunk
        return buf.decode("utf-8", "replace").rstrip("\n")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop(check=exc[0] is None)

    def stderr(self):
        self.errfile.seek(0)
        return self.errfile.read().decode("utf-8", "replace")

    def stop(self, check=True, sig=signal.SIGTERM):
        self.close()
        self.pms.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("plexsim did not stop on %s" % sig)
        self.proc.stdout.close()
        err = self.stderr()
        self.errfile.close()
        if check:
            if self.proc.returncode != 0:
                raise AssertionError("plexsim exited with %d: %s" % (self.proc.returncode, err))
            for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
                if bad in err:
                    raise AssertionError("sanitizer report from plexsim:\n" + err)
        return err

    # ---- HTTP ----

    def connect(self, timeout=30):
        if self.scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, headers=None, body=None, json_accept=True,
                client_id=CLIENT_ID, token=None, conn=None, form=None, new_conn=False):
        """One request; on the shared keep-alive connection unless conn is given
        (or new_conn asks for a connection of its own, closed afterwards)."""
        if new_conn:
            conn = self.connect()
            try:
                return self.request(method, path, headers=headers, body=body,
                                    json_accept=json_accept, client_id=client_id, token=token,
                                    conn=conn, form=form)
            finally:
                conn.close()
        h = {}
        if json_accept:
            h["Accept"] = "application/json"
        if client_id is not None:
            h["X-Plex-Client-Identifier"] = client_id
        if token is not None:
            h["X-Plex-Token"] = token
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if headers:
            h.update(headers)
        return self.exchange(method, path, body, h, conn)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def control(self, path, **params):
        q = urllib.parse.urlencode(params)
        method = "GET" if path == "stats" else "POST"
        conn = self.connect()
        try:
            return self.request(method, "/__sim/%s%s" % (path, "?" + q if q else ""),
                                client_id=None, json_accept=False, conn=conn)
        finally:
            conn.close()

    def stats(self):
        r = self.control("stats")
        assert r.status == 200, r
        return r.json()

    def fault(self, route, seq):
        r = self.control("fault", route=route, seq=seq)
        assert r.status == 200, r
        return r

    def new_pin(self, strong=False, client_id=CLIENT_ID, product="plexsim-tests"):
        r = self.post("/api/v2/pins" + ("?strong=true" if strong else ""), client_id=client_id,
                      headers={"X-Plex-Product": product})
        assert r.status == 201, r
        return r.json()

    def raw(self, data, timeout=10):
        """Send raw bytes on a new plain socket; return everything until EOF."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        if self.scheme == "https":
            s = self.ssl_context.wrap_socket(s, server_hostname="127.0.0.1")
        try:
            s.sendall(data)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, ssl.SSLError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()


class Pms(KeptConnection):
    """The emulated media server of a running plexsim: XML by default (as
    python-plexapi reads it), JSON with json=True; the account's token unless
    token= says otherwise (None: no token)."""

    def __init__(self, sim):
        self.sim = sim
        self.port = sim.pms_port
        self.scheme = sim.scheme
        self.base = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        self._conn = None

    def connect(self, host="127.0.0.1", timeout=60, server_hostname=None):
        if self.scheme == "https":
            ctx = self.sim.ssl_context
            if server_hostname:
                raw = socket.create_connection((host, self.port), timeout=timeout)
                conn = http.client.HTTPSConnection(server_hostname, self.port, timeout=timeout,
                                                   context=ctx)
                conn.sock = ctx.wrap_socket(raw, server_hostname=server_hostname)
                return conn
            return http.client.HTTPSConnection(host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(host, self.port, timeout=timeout)

    def request(self, method, path, json=False, token=USER_TOKEN, headers=None, conn=None,
                body=None):
        h = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Product": "plexsim-tests"}
        if json:
            h["Accept"] = "application/json"
        if token is not None:
            h["X-Plex-Token"] = token
        if headers:
            h.update(headers)
        return self.exchange(method, path, body, h, conn)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def xml(self, path, **kw):
        """GET an XML document: (response, root element); asserts 200."""
        r = self.get(path, **kw)
        assert r.status == 200, (path, r)
        assert r.header("Content-Type").startswith("text/xml"), r.header("Content-Type")
        return r, ET.fromstring(r.body)

    def json(self, path, **kw):
        """GET a JSON document: (response, its MediaContainer); asserts 200."""
        r = self.get(path, json=True, **kw)
        assert r.status == 200, (path, r)
        assert r.header("Content-Type").startswith("application/json"), r.header("Content-Type")
        return r, r.json()["MediaContainer"]


# ---- what the media server generates (docs/plexsim.md, "Determinism") ----

M64 = (1 << 64) - 1
PART_MAGIC = {"mkv": b"\x1a\x45\xdf\xa3", "mp4": b"\x00\x00\x00\x20ftypisom",
              "avi": b"RIFF\x00\x00\x00\x00AVI ", "flac": b"fLaC", "mp3": b"ID3\x04\x00",
              "jpeg": b"\xff\xd8\xff\xe0"}


def mix64(z):
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def part_bytes(seed, part_id, container, pos, n):
    """Bytes [pos, pos + n) of a part's content: the container's magic number,
    then 8-byte little-endian blocks mix64(seed*G + part_id*K + block)."""
    base = (seed * 0x9E3779B97F4A7C15 + part_id * 0xBF58476D1CE4E5B9) & M64
    first, last = pos // 8, (pos + n + 7) // 8
    blob = b"".join(struct.pack("<Q", mix64((base + b) & M64)) for b in range(first, last))
    out = bytearray(blob[pos - first * 8:pos - first * 8 + n])
    magic = PART_MAGIC.get(container, b"")
    for i in range(pos, min(pos + n, len(magic))):
        out[i - pos] = magic[i]
    return bytes(out)


def png_info(data):
    """(width, height, bit depth, colour type, raw scanlines) of a PNG, checking
    its signature, every chunk's CRC and the zlib stream."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, colour = struct.unpack(">IIBB", ihdr[:10])
    return w, h, depth, colour, zlib.decompress(idat)


def rss_kib(pid):
    """The resident set size of a process, in KiB (Linux)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1



class SimCase(unittest.TestCase):
    """A test class with one plexsim for all its tests (started with the class's
    SIM_ARGS), reset to its initial state before each test; `pms` is its media
    server."""

    SIM_ARGS = ()
    RESET = True

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(*cls.SIM_ARGS)
        cls.pms = cls.sim.pms

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        if self.RESET:
            self.assertEqual(self.sim.control("reset").status, 200)


def run():
    unittest.main(verbosity=2)
