#!/usr/bin/env python3
"""plexsim's media server: tokens and their 401 pages, preferences and refreshes
(state seen by later answers), faults and stats on its routes, bad requests,
many clients at once, determinism, TLS with plex.direct names, and scale
(--library-size 50000: start-up time, RSS and an unpaged listing, printed)."""
import os
import socket
import ssl
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from simlib import (CLIENT_ID, PLEX_DIRECT_HASH, PLEXSIM, SERVER_TOKEN, USER_TOKEN, Sim,
                    SimCase, rss_kib, run)

UNAUTHORIZED = (b"<html><head><title>Unauthorized</title></head><body>"
                b"<h1>401 Unauthorized</h1></body></html>")


class Server(SimCase):
    # ---- tokens ----

    def test_tokens(self):
        for tok in (None, "", "not-a-token", USER_TOKEN + "x"):
            r = self.pms.get("/library/sections", token=tok, json=True)
            self.assertEqual(r.status, 401, tok)
            self.assertEqual(r.body, UNAUTHORIZED)
            self.assertEqual(len(r.body), 91)
            self.assertEqual(r.header("Content-Type"), "text/html")  # whatever Accept says
        r = self.pms.get("/", token=None)
        self.assertEqual(r.status, 401)
        self.assertIn(b"web/index.html", r.body)
        self.assertEqual(self.pms.get("/no/such/route", token=None).status, 401)
        # the account's token, the server's own token, as a header or in the query
        for tok in (USER_TOKEN, SERVER_TOKEN):
            self.assertEqual(self.pms.get("/library/sections", token=tok).status, 200)
        r = self.pms.get("/library/sections?X-Plex-Token=" + SERVER_TOKEN, token=None)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.pms.get("/identity", token="nonsense").status, 200)
        # a token from an approved pin, and from a password sign-in
        pin = self.sim.new_pin()
        r = self.sim.control("approve", code=pin["code"])
        tok = r.json()["authToken"]
        self.assertEqual(self.pms.get("/library", token=tok).status, 200)
        r = self.sim.post("/api/v2/users/signin",
                          form={"login": "plexsim", "password": "plexsim-password"})
        self.assertEqual(r.status, 201)
        self.assertEqual(self.pms.get("/library", token=r.json()["authToken"]).status, 200)
        # a signed-out token stops working here too
        r = self.sim.request("DELETE", "/api/v2/users/signout", token=tok)
        self.assertEqual(r.status, 204)
        self.assertEqual(self.pms.get("/library", token=tok).status, 401)

    def test_x_plex_values_as_headers_or_query(self):
        r = self.pms.get("/library?X-Plex-Client-Identifier=from-query&X-Plex-Product=Q")
        self.assertEqual(r.status, 200)
        _, root = self.pms.xml("/devices")
        ids = [d.get("clientIdentifier") for d in root.findall("Device")]
        self.assertIn(CLIENT_ID, ids)  # as a header
        self.assertIn("from-query", ids)  # as a query parameter
        r = self.pms.get("/library/sections/1/all?X-Plex-Container-Size=1",
                         headers={"X-Plex-Container-Start": "3"})
        self.assertEqual(ET.fromstring(r.body).get("offset"), "3")

    # ---- preferences: a state change seen by later answers ----

    def prefs(self):
        _, mc = self.pms.json("/:/prefs")
        return {s["id"]: s for s in mc["Setting"]}

    def test_prefs(self):
        p = self.prefs()
        self.assertIs(p["GdmEnabled"]["value"], True)
        self.assertEqual(p["ManualPortMappingPort"]["value"], 32400)
        self.assertEqual(p["ButlerUpdateChannel"]["value"], "0")  # text, even numeric
        self.assertIn("|", p["secureConnections"]["enumValues"])
        _, root = self.pms.xml("/:/prefs")
        s = [x for x in root.findall("Setting") if x.get("id") == "GdmEnabled"][0]
        self.assertEqual((s.get("value"), s.get("type")), ("true", "bool"))
        # set: checked, then all applied
        r = self.pms.request("PUT", "/:/prefs?FriendlyName=Caf%C3%A9%20Server&GdmEnabled=0"
                             "&ManualPortMappingPort=8443")
        self.assertEqual((r.status, r.body), (200, b""))
        p = self.prefs()
        self.assertEqual(p["FriendlyName"]["value"], "Café Server")
        self.assertIs(p["GdmEnabled"]["value"], False)
        self.assertEqual(p["ManualPortMappingPort"]["value"], 8443)
        _, root = self.pms.xml("/")
        self.assertEqual(root.get("friendlyName"), "Café Server")
        _, servers = self.pms.xml("/servers")
        self.assertEqual(servers.find("Server").get("name"), "Café Server")
        _, one = self.pms.xml("/:/prefs/get?id=FriendlyName")
        self.assertEqual(one.find("Setting").get("value"), "Café Server")
        # one bad value: nothing changes
        for q in ("FriendlyName=X&GdmEnabled=maybe", "ManualPortMappingPort=abc",
                  "NoSuchPref=1", "secureConnections=7"):
            r = self.pms.request("PUT", "/:/prefs?" + q)
            self.assertEqual(r.status, 400, q)
        self.assertEqual(self.prefs()["FriendlyName"]["value"], "Café Server")
        # old clients set with GET
        _, root = self.pms.xml("/:/prefs?LogVerbose=true")
        self.assertIs(self.prefs()["LogVerbose"]["value"], True)
        self.assertEqual(self.pms.get("/:/prefs/get?id=NoSuchPref").status, 404)
        # reset forgets it
        self.sim.control("reset")
        self.assertEqual(self.prefs()["FriendlyName"]["value"], "plexsim")

    # ---- refreshes ----

    def test_refreshes(self):
        def scanned():
            _, root = self.pms.xml("/library/sections")
            return {d.get("key"): d.get("scannedAt") for d in root.findall("Directory")}

        before = scanned()
        for method in ("PUT", "POST", "GET", "DELETE"):
            r = self.pms.request(method, "/library/sections/2/refresh?force=1")
            self.assertEqual((r.status, r.body), (200, b""), method)
        after = scanned()
        self.assertNotEqual(before["2"], after["2"])
        self.assertEqual(before["1"], after["1"])
        self.assertGreater(int(after["2"]), 1700000000)
        _, root = self.pms.xml("/library/metadata/1")
        old = root.find("Video")
        for method in ("PUT", "GET", "POST"):
            r = self.pms.request(method, "/library/metadata/1/refresh")
            self.assertEqual(r.status, 200)
        _, root = self.pms.xml("/library/metadata/1")
        new = root.find("Video")
        self.assertGreater(int(new.get("updatedAt")), int(old.get("updatedAt")))
        self.assertEqual(new.get("thumb"), "/library/metadata/1/thumb/" + new.get("updatedAt"))
        # ...in every later answer
        _, lst = self.pms.xml("/library/sections/1/all?id=1")
        self.assertEqual(lst.find("Video").get("updatedAt"), new.get("updatedAt"))
        self.assertEqual(self.pms.request("PUT", "/library/metadata/999999999/refresh").status,
                         404)
        self.assertEqual(self.pms.request("PUT", "/library/sections/7/refresh").status, 404)

    # ---- faults and stats ----

    def test_faults_on_pms_routes(self):
        route = "GET /library/sections/{id}/all"
        self.sim.fault(route, "503,garbage,html,delay=200")
        r = self.pms.get("/library/sections/1/all", json=True)
        self.assertEqual(r.status, 503)
        self.assertEqual(r.header("Content-Type"), "text/html")
        self.assertIn(b"503 Service Unavailable", r.body)
        r = self.pms.get("/library/sections/1/all")
        self.assertEqual(r.status, 200)
        self.assertRaises(ET.ParseError, ET.fromstring, r.body)
        r = self.pms.get("/library/sections/1/all")
        self.assertIn(b"Sign in to use this network", r.body)
        t = time.monotonic()
        r = self.pms.get("/library/sections/1/all")
        self.assertGreaterEqual(time.monotonic() - t, 0.15)
        self.assertEqual(r.status, 200)
        # other routes untouched
        self.assertEqual(self.pms.get("/library/sections/1").status, 200)
        # drop, truncate (a small body and a streamed one)
        self.sim.fault(route, "drop,truncate")
        with self.assertRaises(Exception):
            self.pms.get("/library/sections/1/all", conn=self.pms.connect())
        conn = self.pms.connect()
        conn.request("GET", "/library/sections/1/all?X-Plex-Container-Size=3",
                     headers={"X-Plex-Token": USER_TOKEN})
        resp = conn.getresponse()
        with self.assertRaises(Exception):
            resp.read()
        conn.close()
        self.sim.fault(route, "truncate")
        conn = self.pms.connect()
        conn.request("GET", "/library/sections/2/all?type=4", headers={"X-Plex-Token": USER_TOKEN})
        resp = conn.getresponse()
        with self.assertRaises(Exception):
            resp.read()
        conn.close()
        self.assertEqual(self.pms.get("/library/sections/1/all").status, 200)
        # the stats count the media server's routes by name
        stats = self.sim.stats()["requests"]
        self.assertEqual(stats[route], 8)
        self.assertEqual(stats["GET /library/sections/{id}"], 1)
        # unknown names are refused
        r = self.sim.control("fault", route="GET /library/nothing", seq="500")
        self.assertEqual(r.status, 400)
        r = self.sim.control("fault", route="GET /identity", seq="500*2")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.pms.get("/identity", token=None).status, 500)

    def test_fault_flag_at_start(self):
        with Sim("--fault", "GET /library/metadata/{ids}=404,500") as other:
            self.assertEqual(other.pms.get("/library/metadata/1").status, 404)
            self.assertEqual(other.pms.get("/library/metadata/1").status, 500)
            self.assertEqual(other.pms.get("/library/metadata/1").status, 200)

    # ---- bad requests ----

    def test_bad_requests(self):
        cases = [("DELETE", "/library/sections"), ("POST", "/library/metadata/1"),
                 ("PATCH", "/hubs"), ("GET", "/library//sections"), ("GET", "/library/sections/1/all/x"),
                 ("GET", "/library/metadata/%zz"), ("GET", "/" + "a/" * 40),
                 ("GET", "/library/metadata/" + "9" * 400), ("GET", "/library/metadata/1,,,2,x"),
                 ("GET", "/library/sections/-1/all"), ("GET", "/hubs/search?query=" + "x" * 300)]
        for method, path in cases:
            r = self.pms.request(method, path)
            self.assertIn(r.status, (200, 400, 404), (method, path))
            if r.status != 200:
                self.assertEqual(r.header("Content-Type"), "text/html", (method, path))
        for junk in (b"GARBAGE\r\n\r\n", b"GET /library HTTP/1.1\r\nHost: x\r\nContent-Length: -1"
                     b"\r\n\r\n", b"\x00\xff" * 100, b"GET " + b"/x" * 5000 + b" HTTP/1.1\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", self.pms.port), timeout=5)
            try:
                s.sendall(junk)
                s.shutdown(socket.SHUT_WR)
                while s.recv(4096):
                    pass
            except OSError:
                pass
            s.close()
        self.assertEqual(self.pms.get("/identity", token=None).status, 200)

    def test_many_clients(self):
        paths = ["/library/sections/1/all?X-Plex-Container-Size=5", "/library/metadata/1",
                 "/hubs/search?query=the", "/library/metadata/51/children", "/identity",
                 "/library/sections/2/all?type=4&X-Plex-Container-Size=20"]
        errors = []

        def worker(n):
            conn = self.pms.connect()
            try:
                for i in range(15):
                    r = self.pms.get(paths[(n + i) % len(paths)], conn=conn)
                    if r.status != 200:
                        errors.append((n, i, r.status))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append((n, repr(e)))
            finally:
                conn.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        before = self.sim.stats()["connections"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        # keep-alive: one connection per client (+1 for the stats request itself)
        self.assertLessEqual(self.sim.stats()["connections"] - before, 16 + 2)


DETERMINISTIC = ["/", "/library/sections", "/library/sections/1/all", "/library/sections/2/all?type=4",
                 "/library/sections/3/allLeaves", "/library/sections/4/all?type=13",
                 "/library/metadata/1?includeChapters=1&includeMarkers=1&includeExtras=1",
                 "/library/metadata/51/children", "/library/sections/1/genre", "/hubs",
                 "/hubs/search?query=a", "/library/search?query=the", "/:/prefs",
                 "/library/metadata/1/thumb/1", "/photo/:/transcode?width=50&height=60&url=%2F"
                 "library%2Fmetadata%2F2%2Fart%2F1"]


class Determinism(unittest.TestCase):
    def answers(self, *args):
        out = []
        with Sim(*args) as sim:
            for path in DETERMINISTIC:
                for js in (False, True):
                    r = sim.pms.get(path, json=js)
                    self.assertEqual(r.status, 200, path)
                    out.append(r.body)
            # the parts' bytes too
            r = sim.pms.get("/library/metadata/3")
            key = ET.fromstring(r.body).find(".//Part").get("key")
            out.append(sim.pms.get(key, headers={"Range": "bytes=1000000-1001023"}).body)
        return out

    def test_same_flags_same_bytes(self):
        a = self.answers("--seed", "7", "--library-size", "60")
        b = self.answers("--seed", "7", "--library-size", "60")
        for i, (x, y) in enumerate(zip(a, b)):
            self.assertEqual(x, y, DETERMINISTIC[i // 2] if i // 2 < len(DETERMINISTIC) else i)
        c = self.answers("--seed", "8", "--library-size", "60")
        self.assertNotEqual(a[4], c[4])  # another seed, another library

    def test_library_size_scales(self):
        with Sim("--library-size", "200") as sim:
            _, root = sim.pms.xml("/library/sections/1/all?X-Plex-Container-Size=0")
            self.assertEqual(root.get("totalSize"), "200")
            _, root = sim.pms.xml("/library/sections/2/all?X-Plex-Container-Size=0")
            self.assertEqual(root.get("totalSize"), "20")
            _, root = sim.pms.xml("/library/sections/3/all?X-Plex-Container-Size=0")
            self.assertEqual(root.get("totalSize"), "20")
        r = __import__("subprocess").run([PLEXSIM, "--library-size", "0"],
                                         capture_output=True, timeout=20)
        self.assertEqual(r.returncode, 2)


OPENSSL = os.environ.get("OPENSSL", "")
if not OPENSSL or OPENSSL.endswith("NOTFOUND"):
    import shutil
    OPENSSL = shutil.which("openssl")


@unittest.skipUnless(OPENSSL, "openssl CLI not found")
class Tls(unittest.TestCase):
    def test_pms_over_tls_with_plex_direct_names(self):
        import tempfile
        from test_tls import make_cert
        with tempfile.TemporaryDirectory() as d:
            cert = make_cert(d)
            with Sim(tls=cert) as sim:
                self.assertTrue(sim.pms_line.startswith("PMS https://127.0.0.1:"))
                devs = sim.get("/api/v2/resources?includeHttps=1&includeRelay=1",
                               token=USER_TOKEN).json()
                for c in devs[0]["connections"]:
                    self.assertEqual(c["port"], sim.pms_port)
                    if ".plex.direct:" not in c["uri"]:
                        continue
                    name = c["uri"].split("//")[1].split(":")[0]
                    self.assertTrue(name.endswith(PLEX_DIRECT_HASH + ".plex.direct"))
                    conn = sim.pms.connect(host=c["address"], server_hostname=name)
                    r = sim.pms.request("GET", "/identity", json=True, conn=conn)
                    conn.close()
                    self.assertEqual(r.status, 200, c)
                ctx = ssl.create_default_context()
                with socket.create_connection(("127.0.0.1", sim.pms_port), timeout=10) as s:
                    with self.assertRaises(ssl.SSLCertVerificationError):
                        ctx.wrap_socket(s, server_hostname="127.0.0.1")


class Scale(unittest.TestCase):
    def test_fifty_thousand_movies(self):
        t0 = time.monotonic()
        with Sim("--library-size", "50000") as sim:
            started = time.monotonic() - t0
            pid = sim.proc.pid
            rss0 = rss_kib(pid)
            _, root = sim.pms.xml("/library/sections/1/all?X-Plex-Container-Size=0")
            self.assertEqual(root.get("totalSize"), "50000")
            # an unpaged listing, read as it streams
            conn = sim.pms.connect()
            t = time.monotonic()
            conn.request("GET", "/library/sections/1/all", headers={"X-Plex-Token": USER_TOKEN})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertIsNone(resp.getheader("Content-Length"))  # chunked: never held whole
            total, videos, tail, peak = 0, 0, b"", rss0
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
                videos += (tail + chunk).count(b"<Video ") - tail.count(b"<Video ")
                tail = chunk[-32:]
                peak = max(peak, rss_kib(pid))
            secs = time.monotonic() - t
            conn.close()
            self.assertEqual(videos, 50000)
            self.assertTrue(tail.endswith(b"</MediaContainer>\n"))
            # a page at the far end, and the cache of the sorted query
            _, page = sim.pms.xml("/library/sections/1/all?X-Plex-Container-Start=49995"
                                  "&X-Plex-Container-Size=10")
            self.assertEqual(page.get("size"), "5")
            rss1 = rss_kib(pid)
            print("\nscale: 50,000 movies: PMS line after %.3f s; RSS %.1f MiB at start, "
                  "%.1f MiB peak during an unpaged /all, %.1f MiB after; /all: %.1f MB in "
                  "%.2f s (%.1f MB/s)" % (started, rss0 / 1024.0, peak / 1024.0,
                                          rss1 / 1024.0, total / 1e6, secs,
                                          total / 1e6 / max(secs, 1e-9)))
            # generous bounds in bytes, never times
            self.assertLess(rss0, 64 * 1024)
            self.assertLess(peak, 128 * 1024)


if __name__ == "__main__":
    run()
