#!/usr/bin/env python3
"""plexsim: XML unless Accept names application/json, on every route, errors included."""
import unittest

from simlib import USER_TOKEN, Sim, SimCase, run

XML_CT = "application/xml"
JSON_CT = "application/json"


class Formats(SimCase):
    def xml(self, method, path, accept=None, **kw):
        headers = {"Accept": accept} if accept else None
        r = self.sim.request(method, path, json_accept=False, headers=headers, **kw)
        self.assertIn(XML_CT, r.header("Content-Type"), (path, r))
        self.assertTrue(r.body.startswith(b"<?xml"), r)
        return r, r.xml()

    def test_pin_xml(self):
        r, pin = self.xml("POST", "/api/v2/pins")
        self.assertEqual(r.status, 201)
        self.assertEqual(pin.tag, "pin")
        for a in ("id", "code", "product", "trusted", "qr", "clientIdentifier", "expiresIn",
                  "createdAt", "expiresAt", "authToken", "newRegistration"):
            self.assertIsNotNone(pin.get(a), a)
        loc = pin.find("location")
        for a in ("code", "continent_code", "country", "city", "european_union_member",
                  "time_zone", "postal_code", "in_privacy_restricted_country",
                  "in_privacy_restricted_region", "subdivisions", "coordinates"):
            self.assertIsNotNone(loc.get(a), a)
        self.assertEqual(pin.get("authToken"), "")
        r, p = self.xml("GET", "/api/v2/pins/" + pin.get("id"))
        self.assertEqual(r.status, 200)
        self.assertEqual(p.get("code"), pin.get("code"))
        self.sim.control("approve", code=pin.get("code"))
        r, p = self.xml("GET", "/api/v2/pins/" + pin.get("id"))
        self.assertEqual(len(p.get("authToken")), 20)
        # and gone, as XML
        r, e = self.xml("GET", "/api/v2/pins/" + pin.get("id"))
        self.assertEqual(r.status, 404)
        self.assertEqual(e.tag, "errors")
        err = e.find("error")
        self.assertEqual(err.get("code"), "1020")
        self.assertEqual(err.get("status"), "404")
        self.assertTrue(err.get("message"))

    def test_same_pin_both_ways(self):
        j = self.sim.post("/api/v2/pins").json()
        r, x = self.xml("GET", "/api/v2/pins/%d" % j["id"])
        self.assertEqual(x.get("code"), j["code"])
        self.assertEqual(x.get("qr"), j["qr"])
        self.assertEqual(x.get("clientIdentifier"), j["clientIdentifier"])
        self.assertEqual(x.get("createdAt"), j["createdAt"])
        self.assertEqual(x.find("location").get("city"), j["location"]["city"])

    def test_errors_xml(self):
        r, e = self.xml("POST", "/api/v2/pins", client_id=None)
        self.assertEqual(r.status, 400)
        self.assertEqual(e.find("error").get("code"), "1000")
        r, e = self.xml("GET", "/api/v2/user")
        self.assertEqual(r.status, 401)
        self.assertEqual(e.find("error").get("code"), "1001")
        r, e = self.xml("GET", "/nowhere")
        self.assertEqual(r.status, 404)
        self.assertEqual(e.tag, "errors")

    def test_documents_xml(self):
        r, u = self.xml("GET", "/api/v2/user", token=USER_TOKEN)
        self.assertEqual((r.status, u.tag), (200, "user"))
        self.assertEqual(u.get("authToken"), USER_TOKEN)
        self.assertIsNotNone(u.find("subscription"))
        r, g = self.xml("GET", "/api/v2/geoip")
        self.assertEqual((r.status, g.tag), (200, "location"))
        self.assertEqual(g.get("country"), "Netherlands")
        r, res = self.xml("GET", "/api/v2/resources?includeRelay=1", token=USER_TOKEN)
        self.assertEqual((r.status, res.tag), (200, "resources"))
        devices = res.findall("resource")
        self.assertEqual(int(res.get("size")), len(devices))
        conns = [c for d in devices for c in d.find("connections").findall("connection")]
        self.assertTrue(any(c.get("relay") == "1" for c in conns))
        for c in conns:
            for a in ("protocol", "address", "port", "uri", "local", "relay", "IPv6"):
                self.assertIsNotNone(c.get(a))
        r, ping = self.xml("GET", "/api/v2/ping", token=USER_TOKEN)
        self.assertEqual((r.status, ping.tag), (200, "pong"))
        r, ident = self.sim.pms.xml("/identity", token=None)
        self.assertEqual(ident.tag, "MediaContainer")

    def test_accept_variants(self):
        for accept, want in (("application/json", JSON_CT),
                             ("text/plain, application/json;q=0.9", JSON_CT),
                             ("APPLICATION/JSON", JSON_CT),
                             ("application/xml", XML_CT), ("text/html", XML_CT),
                             ("*/*", XML_CT)):
            r = self.sim.request("GET", "/api/v2/geoip", json_accept=False,
                                 headers={"Accept": accept})
            self.assertIn(want, r.header("Content-Type"), accept)
        r = self.sim.request("GET", "/api/v2/geoip", json_accept=False)
        self.assertIn(XML_CT, r.header("Content-Type"))

    def test_control_endpoints_are_json(self):
        r = self.sim.control("stats")
        self.assertIn(JSON_CT, r.header("Content-Type"))
        r = self.sim.control("approve", code="NONE")
        self.assertEqual(r.status, 404)
        self.assertIn(JSON_CT, r.header("Content-Type"))


if __name__ == "__main__":
    run()
