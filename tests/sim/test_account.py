#!/usr/bin/env python3
"""plexsim: the account routes (companions, friends, home, password sign-in,
the v1 users list), in JSON and XML, with their errors, faults and stats."""
import unittest
import xml.etree.ElementTree as ET

from simlib import USER_TOKEN, Sim, SimCase, run

ACCOUNT_ROUTES = ["GET /api/v2/companions", "GET /api/v2/friends", "GET /api/v2/home",
                  "POST /api/v2/users/signin", "GET /api/users"]


class Account(SimCase):
    def error_code(self, r):
        if "json" in r.header("Content-Type"):
            return r.json()["errors"][0]["code"]
        return int(ET.fromstring(r.body).find("error").get("code"))

    def test_companions_friends_home_json(self):
        c = self.sim.get("/api/v2/companions", token=USER_TOKEN)
        self.assertEqual(c.status, 200)
        self.assertEqual(c.json()[0]["identifier"], "tv.plex.sonos")
        f = self.sim.get("/api/v2/friends", token=USER_TOKEN).json()
        self.assertEqual(len(f), 2)
        self.assertIsNone(f[1]["friendlyName"])
        self.assertNotIn("email", f[1])
        self.assertIsInstance(f[0]["sharedServers"], list)
        h = self.sim.get("/api/v2/home", token=USER_TOKEN).json()
        self.assertEqual(sorted(h), sorted(["id", "name", "guestUserID", "guestUserUUID",
                                            "guestEnabled", "subscription"]))

    def test_xml_forms(self):
        for path, root in (("/api/v2/companions", "companions"), ("/api/v2/friends", "friends"),
                           ("/api/v2/home", "home")):
            r = self.sim.get(path, token=USER_TOKEN, json_accept=False)
            self.assertEqual(r.status, 200, path)
            self.assertIn("application/xml", r.header("Content-Type"))
            self.assertEqual(ET.fromstring(r.body).tag, root)

    def test_auth_and_client_id(self):
        for path in ("/api/v2/companions", "/api/v2/friends", "/api/v2/home", "/api/users"):
            r = self.sim.get(path, token="nope")
            self.assertEqual(r.status, 401, path)
            self.assertEqual(self.error_code(r), 1001, path)
            r = self.sim.get(path, token=USER_TOKEN, client_id=None)
            self.assertEqual(r.status, 400, path)
            self.assertEqual(self.error_code(r), 1000, path)

    def test_users_v1_always_xml(self):
        r = self.sim.get("/api/users", token=USER_TOKEN)  # Accept: application/json
        self.assertEqual(r.status, 200)
        self.assertIn("application/xml", r.header("Content-Type"))
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, "MediaContainer")
        users = root.findall("User")
        self.assertEqual(root.get("size"), str(len(users)))
        self.assertEqual(users[0].get("filterMovies"), 'label=Kids & "Family"')
        self.assertEqual(users[0].find("Server").get("numLibraries"), "3")
        self.assertIsNone(users[1].find("Server"))

    def signin(self, **form):
        return self.sim.post("/api/v2/users/signin", form=form)

    def test_signin(self):
        r = self.signin(login="plexsim", password="plexsim-password", rememberMe="true")
        self.assertEqual(r.status, 201)
        u = r.json()
        self.assertEqual(u["username"], "plexsim")
        tok = u["authToken"]
        self.assertEqual(self.sim.get("/api/v2/user", token=tok).status, 200)
        r = self.signin(login="plexsim@example.invalid", password="plexsim-password")
        self.assertEqual(r.status, 201)
        self.assertNotEqual(r.json()["authToken"], tok)
        # XML too
        r = self.sim.post("/api/v2/users/signin", json_accept=False,
                          form={"login": "plexsim", "password": "plexsim-password"})
        self.assertEqual(r.status, 201)
        self.assertEqual(ET.fromstring(r.body).tag, "user")

    def test_signin_errors(self):
        r = self.signin(login="plexsim")
        self.assertEqual((r.status, self.error_code(r)), (400, 1000))
        r = self.signin(login="plexsim-2fa", password="plexsim-password")
        self.assertEqual((r.status, self.error_code(r)), (401, 1029))
        r = self.signin(login="plexsim-2fa", password="plexsim-password", verificationCode="1")
        self.assertEqual((r.status, self.error_code(r)), (401, 1028))
        r = self.signin(login="plexsim-2fa", password="plexsim-password",
                        verificationCode="123456")
        self.assertEqual(r.status, 201)
        for _ in range(5):
            r = self.signin(login="plexsim", password="wrong")
            self.assertEqual((r.status, self.error_code(r)), (401, 1001))
        r = self.signin(login="plexsim", password="plexsim-password")
        self.assertEqual((r.status, self.error_code(r)), (429, 1031))
        self.assertIsNotNone(r.header("Retry-After"))
        self.assertEqual(self.sim.control("reset").status, 200)
        self.assertEqual(self.signin(login="plexsim", password="plexsim-password").status, 201)

    def test_stats_and_faults(self):
        stats = self.sim.stats()
        for route in ACCOUNT_ROUTES:
            self.assertEqual(stats["requests"][route], 0, route)
        self.assertEqual(self.sim.fault("GET /api/v2/home", "503").status, 200)
        self.assertEqual(self.sim.get("/api/v2/home", token=USER_TOKEN).status, 503)
        self.assertEqual(self.sim.get("/api/v2/home", token=USER_TOKEN).status, 200)
        self.sim.get("/api/users", token=USER_TOKEN)
        stats = self.sim.stats()
        self.assertEqual(stats["requests"]["GET /api/v2/home"], 2)
        self.assertEqual(stats["requests"]["GET /api/users"], 1)


if __name__ == "__main__":
    run()
