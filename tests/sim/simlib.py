"""Helpers for the plexsim integration tests (Python 3 standard library only).

Each test starts its own plexsim on --port 0, reads the LISTENING line, talks
to it over 127.0.0.1 only, and stops it itself (--max-seconds is the safety
net). The plexsim binary comes from $PLEXSIM.
"""
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

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
    "GET /identity",
]

PLEX_DIRECT_HASH = "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c"
LOOPBACK_URI_RE = re.compile(
    r"^https?://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]"
    r"|127-\d{1,3}-\d{1,3}-\d{1,3}\." + PLEX_DIRECT_HASH + r"\.plex\.direct):\d+$")


def loopback_uri(uri):
    """True if uri is on 127.0.0.0/8 or [::1], directly or by its plex.direct name."""
    return LOOPBACK_URI_RE.match(uri) is not None


LISTEN_RE = re.compile(r"^LISTENING (https?)://127\.0\.0\.1:(\d+)$")


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


class Sim:
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
        self.ssl_context = None
        if tls:
            self.ssl_context = ssl.create_default_context(cafile=tls[0])
        self._conn = None

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
        if self._conn:
            self._conn.close()
            self._conn = None
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
        own = conn is None
        if own:
            if self._conn is None:
                self._conn = self.connect()
            conn = self._conn
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
        except Exception:
            if own:
                self._conn.close()
                self._conn = None
            raise
        return Response(r.status, r.getheaders(), data)

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


def run():
    unittest.main(verbosity=2)
