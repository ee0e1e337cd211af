#!/usr/bin/env python3
"""plexsim over TLS, with a certificate made at test time by the openssl CLI."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest

from simlib import PLEX_DIRECT_HASH, PLEXSIM, USER_TOKEN, Sim, loopback_uri, run

OPENSSL = os.environ.get("OPENSSL", "")
if not OPENSSL or OPENSSL.endswith("NOTFOUND"):
    OPENSSL = shutil.which("openssl")


def make_cert(d, name="cert"):
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=plexsim test", "-addext",
                    "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3,DNS:localhost,"
                    "DNS:*.%s.plex.direct" % PLEX_DIRECT_HASH,
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def own_port(devs):
    """The port of the owned server's connections."""
    return devs[0]["connections"][0]["port"]


@unittest.skipUnless(OPENSSL, "openssl CLI not found")
class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.tls = make_cert(cls.dir.name)
        cls.sim = Sim(tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.dir.cleanup()

    def test_listening_line(self):
        self.assertTrue(self.sim.line.startswith("LISTENING https://127.0.0.1:"))

    def test_sign_in_over_tls(self):
        conn = self.sim.connect()
        pin = self.sim.request("POST", "/api/v2/pins", conn=conn).json()
        self.assertTrue(pin["qr"].startswith("https://127.0.0.1:%d/" % self.sim.port))
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN,
                             form={"code": pin["code"]}, conn=conn)
        self.assertEqual(r.status, 204)
        p = self.sim.request("GET", "/api/v2/pins/%d" % pin["id"], conn=conn).json()
        r = self.sim.request("GET", "/api/v2/user", token=p["authToken"], conn=conn)
        self.assertEqual(r.status, 200)
        conn.close()

    def test_keepalive_over_tls(self):
        before = self.sim.stats()["connections"]
        conn = self.sim.connect()
        for _ in range(20):
            self.assertEqual(self.sim.request("GET", "/api/v2/geoip", conn=conn).status, 200)
        conn.close()
        self.assertEqual(self.sim.stats()["connections"] - before, 2)

    def test_resources_point_at_https(self):
        devs = self.sim.get("/api/v2/resources", token=USER_TOKEN).json()
        own = devs[0]["connections"]
        self.assertTrue(own)
        for c in own:
            self.assertEqual(c["protocol"], "https")
            self.assertTrue(c["uri"].startswith("https://"))

    def test_resources_loopback_only_with_plex_direct(self):
        for q in ("", "?includeHttps=1", "?includeHttps=1&includeRelay=1&includeIPv6=1"):
            devs = self.sim.get("/api/v2/resources" + q, token=USER_TOKEN).json()
            conns = [c for d in devs for c in d["connections"]]
            self.assertTrue(conns)
            for c in conns:
                self.assertTrue(loopback_uri(c["uri"]), c)
                self.assertTrue(c["address"].startswith("127.") or c["address"] == "::1", c)
            names = [c["uri"] for c in conns if ".plex.direct:" in c["uri"]]
            self.assertEqual(bool(names), "includeHttps" in q, q)
        relay = [c for c in conns if c["relay"]]
        self.assertEqual(len(relay), 1)
        self.assertTrue(relay[0]["uri"].startswith(
            "https://127-0-0-3.%s.plex.direct:" % PLEX_DIRECT_HASH))
        for dashed, local in (("127-0-0-1", True), ("127-0-0-2", False)):
            uri = "https://%s.%s.plex.direct:%d" % (dashed, PLEX_DIRECT_HASH, own_port(devs))
            self.assertEqual([c["local"] for c in conns if c["uri"] == uri], [local])

    def test_certificate_verifies_for_plex_direct_names(self):
        # connect to the address, name the plex.direct host (what CURLOPT_RESOLVE does)
        ctx = ssl.create_default_context(cafile=self.tls[0])
        name = "127-0-0-1.%s.plex.direct" % PLEX_DIRECT_HASH
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname=name) as t:
                self.assertTrue(t.getpeercert())
        other = "127-0-0-1.0123456789abcdef0123456789abcdef.plex.direct"
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname=other)

    def test_untrusted_certificate_fails(self):
        ctx = ssl.create_default_context()  # the system CAs do not know our cert
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")
        # wrong host name
        ctx = ssl.create_default_context(cafile=self.tls[0])
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname="plex.tv")
        # still serving
        self.assertEqual(self.sim.get("/api/v2/geoip", new_conn=True).status, 200)

    def test_plain_http_to_tls_port(self):
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=5) as s:
            s.sendall(b"GET /api/v2/geoip HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(1000)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"))
        self.assertEqual(self.sim.get("/api/v2/geoip", new_conn=True).status, 200)

    def test_faults_over_tls(self):
        import http.client
        self.sim.fault("GET /api/v2/geoip", "drop,truncate,429")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.sim.get("/api/v2/geoip", new_conn=True)
        conn = self.sim.connect()
        conn.request("GET", "/api/v2/geoip", headers={"X-Plex-Client-Identifier": "x"})
        with self.assertRaises((http.client.IncompleteRead, ssl.SSLError)):
            conn.getresponse().read()
        conn.close()
        self.assertEqual(self.sim.get("/api/v2/geoip", new_conn=True).status, 429)


@unittest.skipUnless(OPENSSL, "openssl CLI not found")
class TlsOptions(unittest.TestCase):
    def run_sim(self, *args):
        return subprocess.run([PLEXSIM, "--port", "0", "--max-seconds", "5", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)

    def test_cert_without_key(self):
        with tempfile.TemporaryDirectory() as d:
            cert, _ = make_cert(d)
            r = self.run_sim("--tls-cert", cert)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(r.stdout, b"")

    def test_unreadable_or_bad_files(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = make_cert(d)
            r = self.run_sim("--tls-cert", os.path.join(d, "missing.pem"), "--tls-key", key)
            self.assertEqual(r.returncode, 1)
            bad = os.path.join(d, "bad.pem")
            with open(bad, "w") as f:
                f.write("not a certificate\n")
            r = self.run_sim("--tls-cert", bad, "--tls-key", key)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, b"")
            # a key that does not match the certificate
            _, other_key = make_cert(d, "other")
            r = self.run_sim("--tls-cert", cert, "--tls-key", other_key)
            self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    run()
