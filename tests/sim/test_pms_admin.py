#!/usr/bin/env python3
"""plexsim's media-server administration on the wire, in XML (as python-plexapi
reads it) and JSON: butler tasks (root ButlerTasks; 200, 202, 404), activities
(progress that advances and ends; cancel 200/400/404), the updater, statistics, the
log (PUT and GET /log, POST /log lines, /log/networked), transient tokens (accepted as
tokens, header or query) and /security/resources."""
import time
import unittest
import urllib.parse

from simlib import SERVER_ID, USER_TOKEN, Sim, SimCase, run


class Admin(SimCase):
    def status(self, method, path, **kw):
        return self.pms.request(method, path, **kw).status

    def activities(self):
        return self.pms.json("/activities")[1].get("Activity", [])

    # ---- butler ----

    def test_butler(self):
        r = self.pms.get("/butler", json=True)
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertEqual(list(body), ["ButlerTasks"])  # not a MediaContainer
        tasks = {t["name"]: t for t in body["ButlerTasks"]["ButlerTask"]}
        self.assertEqual(tasks["BackupDatabase"]["interval"], 3)
        self.assertIs(tasks["BackupDatabase"]["enabled"], True)
        self.assertIs(tasks["GenerateChapterThumbs"]["enabled"], False)
        for t in tasks.values():
            self.assertEqual(set(t), {"name", "title", "description", "interval", "enabled",
                                      "scheduleRandomized"})
        _, root = self.pms.xml("/butler")
        self.assertEqual(root.tag, "ButlerTasks")
        self.assertEqual(len(root.findall("ButlerTask")), len(tasks))
        self.assertEqual(root.find("ButlerTask").get("enabled"), "1")

        self.assertEqual(self.status("POST", "/butler/BackupDatabase"), 200)
        self.assertEqual(self.status("POST", "/butler/BackupDatabase"), 202)  # running
        self.assertEqual(self.status("POST", "/butler/NoSuchTask"), 404)
        self.assertEqual(self.status("GET", "/butler/BackupDatabase"), 404)  # no such route
        acts = [a for a in self.activities() if a["type"] == "butler.task"]
        self.assertEqual([a["Context"]["name"] for a in acts], ["BackupDatabase"])
        self.assertEqual(self.status("DELETE", "/butler/BackupDatabase"), 200)
        self.assertEqual(self.status("DELETE", "/butler/BackupDatabase"), 404)  # not running
        self.assertEqual(self.status("DELETE", "/butler/NoSuchTask"), 404)
        self.assertEqual(self.status("POST", "/butler"), 200)
        running = {a["Context"]["name"] for a in self.activities()}
        self.assertEqual(running, {n for n, t in tasks.items() if t["enabled"]})
        self.assertEqual(self.status("DELETE", "/butler"), 200)
        self.assertEqual(self.activities(), [])
        self.assertEqual(self.status("GET", "/butler", token="wrong"), 401)

    # ---- activities ----

    def test_activity_progress(self):
        self.assertEqual(self.status("POST", "/library/sections/1/refresh"), 200)
        seen, uuid = [], None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            acts = [a for a in self.activities() if a["type"] == "library.update.section"]
            if not acts:
                break
            a = acts[0]
            uuid = uuid or a["uuid"]
            self.assertEqual(a["uuid"], uuid)
            self.assertEqual(a["Context"]["librarySectionID"], "1")
            self.assertIs(a["cancellable"], True)
            self.assertEqual(a["userID"], 1)
            seen.append(a["progress"])
            time.sleep(0.05)
        self.assertIsNotNone(uuid)
        self.assertEqual(seen, sorted(seen))
        self.assertGreater(len(set(seen)), 2)
        self.assertEqual(self.status("DELETE", "/activities/" + uuid), 404)  # over
        # XML, and a cancel
        self.assertEqual(self.status("PUT", "/library/metadata/%s/refresh" % self.first_movie()),
                         200)
        _, root = self.pms.xml("/activities")
        act = root.find("Activity")
        self.assertEqual(act.get("type"), "library.refresh.items")
        self.assertIsNotNone(act.find("Context").get("ratingKey"))
        self.assertEqual(root.get("size"), "1")
        self.assertEqual(self.status("DELETE", "/activities/" + act.get("uuid")), 200)
        self.assertEqual(self.activities(), [])
        self.assertEqual(self.status("POST", "/butler/OptimizeDatabase"), 200)
        butler = self.activities()[0]
        self.assertIs(butler["cancellable"], False)
        self.assertEqual(self.status("DELETE", "/activities/" + butler["uuid"]), 400)
        self.assertEqual(self.status("DELETE", "/activities/nope"), 404)

    def first_movie(self):
        return self.pms.json("/library/sections/1/all?X-Plex-Container-Size=1")[1]["Metadata"][0][
            "ratingKey"]

    # ---- updater ----

    def test_updater(self):
        _, mc = self.pms.json("/updater/status")
        self.assertIs(mc["canInstall"], True)
        self.assertNotIn("Release", mc)
        self.assertNotIn("checkedAt", mc)
        self.assertEqual(self.status("PUT", "/updater/apply"), 400)  # nothing to install
        self.assertEqual(self.status("PUT", "/updater/check"), 200)
        _, root = self.pms.xml("/updater/status")
        rel = root.find("Release")
        self.assertEqual(rel.get("state"), "available")
        self.assertTrue(root.get("checkedAt").isdigit())
        self.assertEqual(self.status("PUT", "/updater/apply"), 400)  # not downloaded
        self.assertEqual(self.status("PUT", "/updater/check?download=1"), 200)
        self.assertEqual(self.pms.json("/updater/status")[1]["Release"][0]["state"], "downloaded")
        self.assertEqual(self.status("PUT", "/updater/apply?tonight=1&skip=1"), 200)  # tonight wins
        self.assertEqual(self.pms.json("/updater/status")[1]["Release"][0]["state"], "tonight")
        self.assertEqual(self.status("PUT", "/updater/apply"), 200)
        self.assertEqual(self.pms.json("/updater/status")[1]["Release"][0]["state"], "installing")

    # ---- statistics ----

    def test_statistics(self):
        _, mc = self.pms.json("/statistics/media?timespan=4")
        self.assertEqual(len(mc["StatisticsMedia"]), 12 * len(mc["Device"]))
        self.assertEqual(mc["size"], len(mc["StatisticsMedia"]))
        self.assertEqual(mc["Account"][0]["id"], 1)
        for s in mc["StatisticsMedia"]:
            self.assertEqual(s["timespan"], 4)
            self.assertEqual(s["at"] % 3600, 0)
        dev = mc["Device"][0]["id"]
        _, mc = self.pms.json("/statistics/bandwidth?timespan=3&deviceID=%d" % dev)
        self.assertEqual({s["deviceID"] for s in mc["StatisticsBandwidth"]}, {dev})
        self.assertEqual(len(mc["StatisticsBandwidth"]), 12)
        _, mc = self.pms.json("/statistics/bandwidth?accountID=99")
        self.assertEqual(mc["size"], 0)
        # the same statistics twice: the same numbers
        a = self.pms.get("/statistics/media?timespan=2", json=True).body
        self.assertEqual(a, self.pms.get("/statistics/media?timespan=2", json=True).body)
        _, root = self.pms.xml("/statistics/resources?timespan=6")
        first = len(root.findall("StatisticsResources"))
        _, root = self.pms.xml("/statistics/resources?timespan=6")
        res = root.findall("StatisticsResources")
        self.assertEqual(len(res), first + 1)
        for r in res:
            self.assertTrue(0 < float(r.get("hostMemoryUtilization")) <= 100)
            self.assertTrue(0 < float(r.get("processMemoryUtilization")) < 100)
        for bad in ("timespan=5", "timespan=0", "timespan=x", "deviceID=-1"):
            self.assertEqual(self.status("GET", "/statistics/media?" + bad), 400, bad)

    # ---- the log ----

    def test_log(self):
        for method in ("PUT", "GET"):
            self.assertEqual(self.status(method, "/log?level=3&message=hello&source=py"), 200)
        for bad in ("level=5&message=x", "level=x&message=x", "level=2", "level=2&message="):
            self.assertEqual(self.status("PUT", "/log?" + bad), 400, bad)
        body = "level=0&message=a%20b&source=s\r\nlevel=4&message=c+d\n\n"
        self.assertEqual(self.pms.request("POST", "/log", body=body.encode()).status, 200)
        self.assertEqual(self.pms.request("POST", "/log", body=b"").status, 400)
        self.assertEqual(self.pms.request("POST", "/log", body=b"level=9&message=x").status, 400)
        for method in ("POST", "GET", "PUT"):
            self.assertEqual(self.status(method, "/log/networked?minutes=5"), 200)
        self.assertEqual(self.status("POST", "/log/networked?minutes=0"), 400)

    # ---- security ----

    def test_transient_token(self):
        toks = []
        for method in ("POST", "GET", "PUT"):  # any verb, POST preferred
            r = self.pms.request(method, "/security/token?type=delegation&scope=all", json=True)
            self.assertEqual(r.status, 200)
            toks.append(r.json()["MediaContainer"]["token"])
        _, root = self.pms.xml("/security/token?type=delegation&scope=all")
        toks.append(root.get("token"))
        self.assertEqual(len(set(toks)), 4)
        for tok in toks:
            self.assertRegex(tok, r"^transient-[0-9a-f]{32}$")
            # the server takes it, as a header and in the query
            self.assertEqual(self.status("GET", "/library/sections", token=tok), 200)
            self.assertEqual(self.status("GET", "/library/sections?X-Plex-Token=" + tok,
                                         token=None), 200)
        for bad in ("", "type=delegation", "scope=all", "type=other&scope=all"):
            self.assertEqual(self.status("POST", "/security/token?" + bad), 400, bad)
        self.assertEqual(self.status("GET", "/library/sections",
                                     token="transient-" + "0" * 32), 401)
        self.assertEqual(self.status("POST", "/security/token?type=delegation&scope=all",
                                     token="nope"), 401)
        # a reset forgets them (as a server restart does)
        r = self.pms.request("POST", "/security/token?type=delegation&scope=all", json=True)
        tok = r.json()["MediaContainer"]["token"]
        self.assertEqual(self.sim.control("reset").status, 200)
        self.assertEqual(self.status("GET", "/library/sections", token=tok), 401)

    def test_security_resources(self):
        src = urllib.parse.quote("server://%s/com.plexapp.plugins.library" % SERVER_ID)
        _, mc = self.pms.json("/security/resources?source=" + src)
        dev = mc["Device"][0]
        self.assertEqual(dev["clientIdentifier"], SERVER_ID)
        self.assertEqual(dev["Connection"][0]["uri"], self.pms.base)
        self.assertIs(dev["Connection"][0]["local"], True)
        self.assertEqual(self.status("GET", "/library", token=dev["accessToken"]), 200)
        _, root = self.pms.xml("/security/resources?refresh=1&source=" + src)
        self.assertEqual(root.find("Device/Connection").get("port"), str(self.pms.port))
        self.assertEqual(self.status("GET", "/security/resources"), 400)
        self.assertEqual(self.status("GET", "/security/resources?source=provider%3A%2F%2Fx"), 400)
        self.assertEqual(self.status("GET", "/security/resources?source=server%3A%2F%2F00"), 404)
        self.assertNotEqual(USER_TOKEN, dev["accessToken"])


if __name__ == "__main__":
    run()
