#!/usr/bin/env python3
"""plexsim's command line: options, usage errors, lifetime and signals."""
import http.client
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from simlib import PLEXSIM, USER_TOKEN, Sim, run


def run_sim(*args, timeout=30):
    return subprocess.run([PLEXSIM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


class CommandLine(unittest.TestCase):
    def test_help_documents_the_account(self):
        r = run_sim("--help")
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertIn(USER_TOKEN, out)
        for word in ("--port", "--bind", "--tls-cert", "--tls-key", "--approve-after",
                     "--pin-ttl", "--strong-pin-ttl", "--fault", "--max-seconds", "--quiet",
                     "/__sim/approve", "/__sim/stats", "truncate", "garbage", "huge", "html"):
            self.assertIn(word, out)

    def test_version(self):
        r = run_sim("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout.decode(), r"^plexsim \(libplex \d+\.\d+\.\d+\)")

    def test_usage_errors(self):
        for args in (["--nope"], ["--port"], ["--port", "70000"], ["--port", "x"],
                     ["--approve-after", "-1"], ["--pin-ttl", "0"], ["--max-seconds", "1e3"],
                     ["--fault", "GET /api/v2/geoip"], ["--fault", "GET /nope=500"],
                     ["--fault", "GET /api/v2/geoip=teapot"], ["extra"],
                     ["--tls-key", "k.pem"]):
            r = run_sim(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(r.stdout, b"", args)
            self.assertIn(b"usage: plexsim", r.stderr, args)

    def test_bad_bind(self):
        r = run_sim("--bind", "localhost", "--max-seconds", "2")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"numeric", r.stderr)

    def test_port_in_use(self):
        with Sim() as sim:
            r = run_sim("--port", str(sim.port), "--max-seconds", "2")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, b"")

    def test_fixed_port(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = subprocess.Popen([PLEXSIM, "--port", str(port), "--quiet", "--max-seconds", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = p.stdout.readline().decode()
        self.assertEqual(line, "LISTENING http://127.0.0.1:%d\n" % port)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(timeout=20), 0)
        p.stdout.close()
        p.stderr.close()

    def test_bind_any_prints_loopback(self):
        with Sim("--bind", "0.0.0.0") as sim:
            self.assertEqual(sim.get("/api/v2/geoip").status, 200)

    @unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback here")
    def test_bind_ipv6(self):
        p = subprocess.Popen([PLEXSIM, "--port", "0", "--bind", "::1", "--quiet",
                              "--max-seconds", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = p.stdout.readline().decode()
        m = re.match(r"^LISTENING http://\[::1\]:(\d+)\n$", line)
        self.assertTrue(m, line)
        conn = http.client.HTTPConnection("::1", int(m.group(1)), timeout=10)
        conn.request("GET", "/api/v2/geoip", headers={"X-Plex-Client-Identifier": "v6"})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=20), 0)
        p.stdout.close()
        p.stderr.close()

    def test_max_seconds(self):
        t0 = time.monotonic()
        sim = Sim(max_seconds=1)
        self.assertEqual(sim.proc.wait(timeout=20), 0)
        self.assertLess(time.monotonic() - t0, 10)
        sim.stop()

    def test_sigint(self):
        sim = Sim()
        sim.stop(sig=signal.SIGINT)

    def test_stop_during_a_delay(self):
        sim = Sim("--fault", "GET /api/v2/geoip=delay=60000")
        out = {}

        def slow():
            try:
                out["r"] = sim.get("/api/v2/geoip", new_conn=True)
            except Exception as e:  # noqa: BLE001 - the answer may be cut by the stop
                out["e"] = e

        th = threading.Thread(target=slow)
        th.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        sim.stop()
        self.assertLess(time.monotonic() - t0, 10)
        th.join(timeout=20)
        self.assertFalse(th.is_alive())

    def test_stop_with_idle_keepalive_connections(self):
        sim = Sim()
        conns = [sim.connect() for _ in range(10)]
        for c in conns:
            sim.request("GET", "/api/v2/geoip", conn=c)
        t0 = time.monotonic()
        sim.stop()
        self.assertLess(time.monotonic() - t0, 10)
        for c in conns:
            c.close()

    def test_log_never_shows_secrets(self):
        sim = Sim(quiet=False)
        pin = sim.new_pin()
        sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN, form={"code": pin["code"]})
        token = sim.get("/api/v2/pins/%d" % pin["id"]).json()["authToken"]
        sim.get("/api/v2/user?X-Plex-Token=" + token)
        sim.fault("GET /api/v2/geoip", "500")
        sim.get("/api/v2/geoip")
        err = sim.stop()
        self.assertIn("GET /api/v2/pins/{id} -> 200", err)
        self.assertIn("GET /api/v2/geoip -> 500 (fault)", err)
        for secret in (str(pin["id"]), pin["code"], token, USER_TOKEN):
            self.assertNotIn(secret, err)


if __name__ == "__main__":
    run()
