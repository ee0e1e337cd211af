#!/usr/bin/env python3
"""plexsim: every route and control endpoint, in JSON."""
import datetime
import re
import struct
import time
import unittest
import zlib

from simlib import CLIENT_ID, ROUTES, USER_TOKEN, Sim, SimCase, loopback_uri, run

SHORT_RE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$")
STRONG_RE = re.compile(r"^[a-z0-9]{25}$")
GEO_KEYS = ["code", "continent_code", "country", "city", "european_union_member", "time_zone",
            "postal_code", "in_privacy_restricted_country", "in_privacy_restricted_region",
            "subdivisions", "coordinates"]
PIN_KEYS = ["id", "code", "product", "trusted", "qr", "clientIdentifier", "location",
            "expiresIn", "createdAt", "expiresAt", "authToken", "newRegistration"]


def rfc3339(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


class Routes(SimCase):
    def assertPlexError(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertIn("application/json", r.header("Content-Type"))
        errs = r.json()["errors"]
        self.assertEqual(len(errs), 1)
        if code is not None:
            self.assertEqual(errs[0]["code"], code)
        self.assertEqual(errs[0]["status"], status)
        self.assertIsInstance(errs[0]["message"], str)

    # ---- POST /api/v2/pins ----

    def test_create_pin(self):
        r = self.sim.post("/api/v2/pins", headers={"X-Plex-Product": "My App \u00e9".encode("utf-8")})
        self.assertEqual(r.status, 201)
        self.assertIn("application/json", r.header("Content-Type"))
        pin = r.json()
        for k in PIN_KEYS:
            self.assertIn(k, pin)
        for k in GEO_KEYS:
            self.assertIn(k, pin["location"])
        self.assertIsInstance(pin["location"]["postal_code"], str)
        self.assertIsInstance(pin["id"], int)
        self.assertRegex(pin["code"], SHORT_RE)
        self.assertEqual(pin["product"], "My App \u00e9")
        self.assertEqual(pin["clientIdentifier"], CLIENT_ID)
        self.assertIs(pin["trusted"], False)
        self.assertEqual(pin["expiresIn"], 900)
        self.assertIsNone(pin["authToken"])
        self.assertIsNone(pin["newRegistration"])
        self.assertEqual(pin["qr"], "%s/api/v2/pins/qr/%s" % (self.sim.base, pin["code"]))
        created, expires = rfc3339(pin["createdAt"]), rfc3339(pin["expiresAt"])
        self.assertEqual((expires - created).total_seconds(), 900)
        now = datetime.datetime.utcnow()
        self.assertLess(abs((now - created).total_seconds()), 60)

    def test_create_pin_without_product(self):
        pin = self.sim.post("/api/v2/pins").json()
        self.assertEqual(pin["product"], "0")

    def test_strong_pins(self):
        for how in ("query", "form", "json", "form1"):
            if how == "query":
                r = self.sim.post("/api/v2/pins?strong=true")
            elif how == "form":
                r = self.sim.post("/api/v2/pins", form={"strong": "true"})
            elif how == "form1":
                r = self.sim.post("/api/v2/pins", form={"strong": "1"})
            else:
                r = self.sim.post("/api/v2/pins", body='{"strong":true,"jwk":{"kty":"OKP"}}',
                                  headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 201, how)
            pin = r.json()
            self.assertRegex(pin["code"], STRONG_RE, how)
            self.assertEqual(pin["expiresIn"], 1800, how)
        pin = self.sim.post("/api/v2/pins?strong=false").json()
        self.assertRegex(pin["code"], SHORT_RE)

    def test_codes_are_unique(self):
        codes = {self.sim.new_pin()["code"] for _ in range(300)}
        self.assertEqual(len(codes), 300)

    def test_identity_as_query_parameters(self):
        r = self.sim.post("/api/v2/pins?X-Plex-Client-Identifier=q-id&X-Plex-Product=QP",
                          client_id=None)
        self.assertEqual(r.status, 201, r)
        pin = r.json()
        self.assertEqual(pin["clientIdentifier"], "q-id")
        self.assertEqual(pin["product"], "QP")
        r = self.sim.get("/api/v2/pins/%d?X-Plex-Client-Identifier=q-id" % pin["id"],
                         client_id=None)
        self.assertEqual(r.status, 200)
        r = self.sim.get("/api/v2/user?X-Plex-Token=" + USER_TOKEN)
        self.assertEqual(r.status, 200)

    def test_missing_client_identifier(self):
        paths = [("POST", "/api/v2/pins"), ("GET", "/api/v2/pins/123"),
                 ("PUT", "/api/v2/pins/link"), ("GET", "/api/v2/user"),
                 ("GET", "/api/v2/ping"), ("DELETE", "/api/v2/users/signout"),
                 ("GET", "/api/v2/geoip"), ("GET", "/api/v2/resources")]
        for method, path in paths:
            r = self.sim.request(method, path, client_id=None, token=USER_TOKEN)
            self.assertPlexError(r, 400, 1000)
        r = self.sim.post("/api/v2/pins", client_id="")
        self.assertPlexError(r, 400, 1000)
        r = self.sim.post("/api/v2/pins", client_id="x" * 300)
        self.assertPlexError(r, 400, 1000)

    # ---- GET /api/v2/pins/{id} ----

    def test_poll_pending_counts_down(self):
        pin = self.sim.new_pin()
        r = self.sim.get("/api/v2/pins/%d" % pin["id"])
        self.assertEqual(r.status, 200)
        p = r.json()
        self.assertIsNone(p["authToken"])
        self.assertEqual(p["code"], pin["code"])
        self.assertEqual(p["id"], pin["id"])
        time.sleep(1.2)
        p2 = self.sim.get("/api/v2/pins/%d" % pin["id"]).json()
        self.assertLess(p2["expiresIn"], p["expiresIn"])
        self.assertGreater(p2["expiresIn"], 890)

    def test_poll_unknown_and_foreign(self):
        pin = self.sim.new_pin()
        self.assertPlexError(self.sim.get("/api/v2/pins/1"), 404, 1020)
        self.assertPlexError(self.sim.get("/api/v2/pins/abc"), 404, 1020)
        self.assertPlexError(self.sim.get("/api/v2/pins/99999999999999999999999"), 404, 1020)
        r = self.sim.get("/api/v2/pins/%d" % pin["id"], client_id="someone-else")
        self.assertPlexError(r, 404, 1020)
        # the owner still sees it
        self.assertEqual(self.sim.get("/api/v2/pins/%d" % pin["id"]).status, 200)

    def test_link_then_collect_once(self):
        pin = self.sim.new_pin()
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN,
                             form={"code": pin["code"].lower()})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        r = self.sim.get("/api/v2/pins/%d" % pin["id"])
        self.assertEqual(r.status, 200)
        p = r.json()
        self.assertIsInstance(p["authToken"], str)
        self.assertEqual(len(p["authToken"]), 20)
        self.assertIs(p["newRegistration"], False)
        # collected: gone
        self.assertPlexError(self.sim.get("/api/v2/pins/%d" % pin["id"]), 404, 1020)
        # the token works, and is random
        r = self.sim.get("/api/v2/user", token=p["authToken"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["authToken"], p["authToken"])
        pin2 = self.sim.new_pin()
        self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN, form={"code": pin2["code"]})
        t2 = self.sim.get("/api/v2/pins/%d" % pin2["id"]).json()["authToken"]
        self.assertNotEqual(t2, p["authToken"])

    def test_link_errors(self):
        pin = self.sim.new_pin()
        r = self.sim.request("PUT", "/api/v2/pins/link", form={"code": pin["code"]})
        self.assertPlexError(r, 401, 1001)
        r = self.sim.request("PUT", "/api/v2/pins/link", token="bogus", form={"code": pin["code"]})
        self.assertPlexError(r, 401, 1001)
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN, form={"code": "ZZZZ9"})
        self.assertPlexError(r, 404, 1020)
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN)
        self.assertPlexError(r, 404, 1020)
        # code as a query parameter works too
        r = self.sim.request("PUT", "/api/v2/pins/link?code=" + pin["code"], token=USER_TOKEN)
        self.assertEqual(r.status, 204)

    def test_link_strong_pin(self):
        pin = self.sim.new_pin(strong=True)
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN,
                             form={"code": pin["code"]})
        self.assertEqual(r.status, 204)
        self.assertIsNotNone(self.sim.get("/api/v2/pins/%d" % pin["id"]).json()["authToken"])

    def test_expire_control(self):
        pin = self.sim.new_pin()
        self.assertEqual(self.sim.control("expire", id=pin["id"]).status, 200)
        self.assertPlexError(self.sim.get("/api/v2/pins/%d" % pin["id"]), 404, 1020)
        self.assertEqual(self.sim.control("expire", id=pin["id"]).status, 404)
        self.assertEqual(self.sim.control("expire", id="nope").status, 404)
        # an expired code cannot be linked
        pin = self.sim.new_pin()
        self.sim.control("expire", id=pin["id"])
        r = self.sim.request("PUT", "/api/v2/pins/link", token=USER_TOKEN,
                             form={"code": pin["code"]})
        self.assertPlexError(r, 404, 1020)

    def test_approve_control(self):
        pin = self.sim.new_pin()
        r = self.sim.control("approve", code=pin["code"])
        self.assertEqual(r.status, 200)
        token = r.json()["authToken"]
        p = self.sim.get("/api/v2/pins/%d" % pin["id"]).json()
        self.assertEqual(p["authToken"], token)
        self.assertEqual(self.sim.control("approve", code="QQQQ").status, 404)
        self.assertEqual(self.sim.control("approve").status, 404)

    def test_config_approve_after(self):
        r = self.sim.control("config", approve_after=3)
        self.assertEqual(r.status, 200)
        pin = self.sim.new_pin()
        for _ in range(2):
            self.assertIsNone(self.sim.get("/api/v2/pins/%d" % pin["id"]).json()["authToken"])
        self.assertIsNotNone(self.sim.get("/api/v2/pins/%d" % pin["id"]).json()["authToken"])
        self.assertEqual(self.sim.control("config", approve_after="x").status, 400)
        self.assertEqual(self.sim.control("config", pin_ttl=0).status, 400)
        self.sim.control("config", pin_ttl=2, strong_pin_ttl=3)
        self.assertEqual(self.sim.new_pin()["expiresIn"], 2)
        self.assertEqual(self.sim.new_pin(strong=True)["expiresIn"], 3)
        # reset restores the command line's configuration
        self.sim.control("reset")
        self.assertEqual(self.sim.new_pin()["expiresIn"], 900)

    # ---- the account ----

    def test_user(self):
        r = self.sim.get("/api/v2/user", token=USER_TOKEN)
        self.assertEqual(r.status, 200)
        u = r.json()
        for k in ("id", "uuid", "username", "email", "title", "authToken", "subscription",
                  "profile", "entitlements", "joinedAt", "thumb", "friendlyName"):
            self.assertIn(k, u)
        self.assertEqual(u["authToken"], USER_TOKEN)
        self.assertEqual(u["username"], "plexsim")
        self.assertPlexError(self.sim.get("/api/v2/user"), 401, 1001)
        self.assertPlexError(self.sim.get("/api/v2/user", token="nope"), 401, 1001)

    def test_ping(self):
        r = self.sim.get("/api/v2/ping", token=USER_TOKEN)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"pong": True})
        self.assertPlexError(self.sim.get("/api/v2/ping"), 401, 1001)

    def test_signout(self):
        pin = self.sim.new_pin()
        token = self.sim.control("approve", code=pin["code"]).json()["authToken"]
        self.assertEqual(self.sim.get("/api/v2/user", token=token).status, 200)
        r = self.sim.request("DELETE", "/api/v2/users/signout", token=token)
        self.assertEqual(r.status, 204)
        self.assertPlexError(self.sim.get("/api/v2/user", token=token), 401, 1001)
        r = self.sim.request("DELETE", "/api/v2/users/signout", token=token)
        self.assertPlexError(r, 401, 1001)
        # the fixed account too, until a reset
        self.assertEqual(self.sim.request("DELETE", "/api/v2/users/signout",
                                          token=USER_TOKEN).status, 204)
        self.assertEqual(self.sim.get("/api/v2/user", token=USER_TOKEN).status, 401)
        self.sim.control("reset")
        self.assertEqual(self.sim.get("/api/v2/user", token=USER_TOKEN).status, 200)

    def test_geoip(self):
        r = self.sim.get("/api/v2/geoip")
        self.assertEqual(r.status, 200)
        g = r.json()
        self.assertEqual(sorted(g), sorted(GEO_KEYS))
        self.assertIsInstance(g["european_union_member"], bool)

    def test_resources(self):
        self.assertPlexError(self.sim.get("/api/v2/resources"), 401, 1001)
        r = self.sim.get("/api/v2/resources", token=USER_TOKEN)
        self.assertEqual(r.status, 200)
        devs = r.json()
        self.assertGreaterEqual(len([d for d in devs if "server" in d["provides"]]), 2)
        for d in devs:
            for k in ("name", "product", "productVersion", "clientIdentifier", "createdAt",
                      "lastSeenAt", "provides", "ownerId", "accessToken", "owned",
                      "connections", "publicAddress", "presence", "relay", "home"):
                self.assertIn(k, d)
            for c in d["connections"]:
                self.assertEqual(sorted(c), sorted(["protocol", "address", "port", "uri",
                                                    "local", "relay", "IPv6"]))
                self.assertFalse(c["relay"])
                self.assertFalse(c["IPv6"])
                self.assertEqual(c["protocol"], "http")
        self.assertTrue(any(d["accessToken"] is None for d in devs))
        full = self.sim.get("/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1",
                            token=USER_TOKEN).json()
        conns = [c for d in full for c in d["connections"]]
        self.assertTrue(any(c["relay"] for c in conns))
        self.assertTrue(any(c["IPv6"] for c in conns))
        # without TLS every URI is http (the plex.direct names need TLS)
        self.assertTrue(all(c["protocol"] == "http" for c in conns))
        self.assertTrue(any(c["local"] for c in conns))
        self.assertTrue(any(not c["local"] and not c["relay"] for c in conns))
        # the owned server is the emulated media server: its /identity answers on
        # every advertised address (127.0.0.1, .2 and .3), and its token opens it
        own = full[0]
        self.assertEqual({c["port"] for c in own["connections"]}, {self.sim.pms_port})
        for c in own["connections"]:
            if c["IPv6"]:
                continue
            conn = self.sim.pms.connect(host=c["address"])
            r = self.sim.pms.request("GET", "/identity", json=True, token=None, conn=conn)
            conn.close()
            self.assertEqual(r.status, 200, c)
            self.assertEqual(r.json()["MediaContainer"]["machineIdentifier"],
                             own["clientIdentifier"])
        r = self.sim.pms.get("/library/sections", token=own["accessToken"])
        self.assertEqual(r.status, 200)

    def test_resources_loopback_only(self):
        """Whatever the flags, every advertised address is on 127.0.0.0/8 or [::1]."""
        seen = set()
        for q in ("", "?includeHttps=1", "?includeRelay=1", "?includeIPv6=1",
                  "?includeHttps=1&includeRelay=1&includeIPv6=1"):
            for fmt in (True, False):
                r = self.sim.get("/api/v2/resources" + q, token=USER_TOKEN, json_accept=fmt)
                self.assertEqual(r.status, 200)
                if fmt:
                    conns = [c for d in r.json() for c in d["connections"]]
                    devs = r.json()
                else:
                    conns = [c.attrib for c in r.xml().iter("connection")]
                    devs = [d.attrib for d in r.xml().iter("resource")]
                for d in devs:
                    self.assertTrue(d["publicAddress"].startswith("127."), d)
                for c in conns:
                    self.assertTrue(loopback_uri(c["uri"]), c)
                    seen.add(c["address"])
        self.assertEqual(seen, {"127.0.0.1", "127.0.0.2", "127.0.0.3", "::1"})
        # the friend's server is offline: no connections at all
        devs = self.sim.get("/api/v2/resources?includeRelay=1", token=USER_TOKEN).json()
        friend = [d for d in devs if not d["owned"] and "server" in d["provides"]]
        self.assertEqual([d["connections"] for d in friend], [[]])
        # --resources-loopback is still accepted (a no-op)
        with Sim("--resources-loopback") as other:
            r = other.get("/api/v2/resources?includeRelay=1&includeIPv6=1", token=USER_TOKEN)
            self.assertEqual(len(r.json()[0]["connections"]), 4)

    def test_qr_png(self):
        pin = self.sim.new_pin()
        r = self.sim.get("/api/v2/pins/qr/" + pin["code"], client_id=None)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "image/png")
        png = r.body
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        pos, chunks = 8, {}
        while pos < len(png):
            n, = struct.unpack(">I", png[pos:pos + 4])
            kind = png[pos + 4:pos + 8]
            data = png[pos + 8:pos + 8 + n]
            crc, = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
            self.assertEqual(zlib.crc32(kind + data) & 0xFFFFFFFF, crc)
            chunks[kind] = data
            pos += 12 + n
        w, h, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
        self.assertEqual(w, h)
        self.assertEqual((depth, color), (1, 0))
        raw = zlib.decompress(chunks[b"IDAT"])
        self.assertEqual(len(raw), h * (1 + (w + 7) // 8))
        self.assertIn(b"IEND", chunks)
        # unknown code
        self.assertEqual(self.sim.get("/api/v2/pins/qr/NOPE").status, 404)

    # ---- the rest ----

    def test_unknown_routes(self):
        for method, path in [("GET", "/"), ("GET", "/api/v2/pins"), ("GET", "/api/v2/users"),
                             ("POST", "/api/v2/user"), ("PATCH", "/api/v2/pins"),
                             ("GET", "/api/v2/pins/1/2"), ("GET", "/__sim/reset")]:
            r = self.sim.request(method, path, token=USER_TOKEN)
            self.assertEqual(r.status, 404, (method, path))
        self.assertEqual(self.sim.stats()["requests"]["other"], 7)

    def test_body_limits(self):
        big = "strong=true&pad=" + "x" * (100 * 1024)
        r = self.sim.post("/api/v2/pins", body=big,
                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                          new_conn=True)
        self.assertPlexError(r, 413, None)
        # chunked, without a length
        conn = self.sim.connect()
        conn.putrequest("POST", "/api/v2/pins")
        conn.putheader("Accept", "application/json")
        conn.putheader("X-Plex-Client-Identifier", CLIENT_ID)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for _ in range(40):
            conn.send(b"1000\r\n" + b"a" * 4096 + b"\r\n")
        conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        self.assertEqual(r.status, 413)
        r.read()
        conn.close()
        # still serving
        self.assertEqual(self.sim.post("/api/v2/pins").status, 201)

    def test_malformed_requests(self):
        for junk in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /api/v2/pins/1 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                     b"\x00\x01\x02\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
            out = self.sim.raw(junk, timeout=2)
            self.assertTrue(out == b"" or out.startswith(b"HTTP/1."), out[:100])
        self.assertEqual(self.sim.post("/api/v2/pins").status, 201)

    def test_stats_and_keepalive(self):
        before = self.sim.stats()
        conn = self.sim.connect()
        for _ in range(5):
            self.sim.request("POST", "/api/v2/pins", conn=conn)
        for _ in range(3):
            self.sim.request("GET", "/api/v2/geoip", conn=conn)
        conn.close()
        after = self.sim.stats()
        self.assertEqual(after["requests"]["POST /api/v2/pins"], 5)
        self.assertEqual(after["requests"]["GET /api/v2/geoip"], 3)
        # one connection for the eight requests, one for the second stats call
        self.assertEqual(after["connections"] - before["connections"], 2)
        for route in ROUTES:
            self.assertIn(route, after["requests"])
        self.assertEqual(after["pins"], 5)

    def test_reset(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/geoip", "500")
        self.assertEqual(self.sim.control("reset").status, 200)
        self.assertPlexError(self.sim.get("/api/v2/pins/%d" % pin["id"]), 404, 1020)
        self.assertEqual(self.sim.get("/api/v2/geoip").status, 200)
        st = self.sim.stats()
        self.assertEqual(st["faults_pending"], 0)
        self.assertEqual(st["requests"]["POST /api/v2/pins"], 0)

    def test_pin_table_is_bounded(self):
        conn = self.sim.connect()
        statuses = {}
        for _ in range(4100):
            r = self.sim.request("POST", "/api/v2/pins", conn=conn)
            statuses[r.status] = statuses.get(r.status, 0) + 1
        conn.close()
        self.assertEqual(statuses.get(201), 4096)
        self.assertEqual(statuses.get(429), 4)
        r = self.sim.post("/api/v2/pins")
        self.assertPlexError(r, 429, 1003)
        self.assertEqual(r.header("Retry-After"), "1")


class Lifetimes(unittest.TestCase):
    def test_ttl_and_approve_after_options(self):
        with Sim("--pin-ttl", "1", "--strong-pin-ttl", "2", "--approve-after", "2") as sim:
            pin = sim.new_pin()
            self.assertEqual(pin["expiresIn"], 1)
            strong = sim.new_pin(strong=True)
            self.assertEqual(strong["expiresIn"], 2)
            p = sim.get("/api/v2/pins/%d" % strong["id"]).json()
            self.assertIsNone(p["authToken"])
            p = sim.get("/api/v2/pins/%d" % strong["id"]).json()
            self.assertIsNotNone(p["authToken"])
            time.sleep(1.3)
            r = sim.get("/api/v2/pins/%d" % pin["id"])
            self.assertEqual(r.status, 404)
            self.assertEqual(r.json()["errors"][0]["code"], 1020)


if __name__ == "__main__":
    run()
