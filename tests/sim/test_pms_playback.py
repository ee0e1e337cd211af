#!/usr/bin/env python3
"""plexsim's playback routes (issue 16), on the wire: the timeline and what it
does to the watch state and the sessions (JSON and XML), the old GET forms of
every write, the session timeout on the server's clock (X-Plex-Sim-Now), the
transcoder's decisions and HLS/DASH sessions, play queues, playlists,
collections, edits and the watchlist on the plex.tv port; errors as PMS
answers them (HTML pages, 400/404)."""
import urllib.parse

import simlib
from simlib import Sim

LIB = "com.plexapp.plugins.library"
MACHINE = "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d"


def q(**kw):
    return urllib.parse.urlencode(kw)


class PlaybackTest(simlib.unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--library-size", "20")
        cls.pms = cls.sim.pms
        _, mc = cls.pms.json("/library/sections/1/all")
        cls.movies = [m["ratingKey"] for m in mc["Metadata"]]
        cls.durations = {m["ratingKey"]: m["duration"] for m in mc["Metadata"]}

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def item(self, rk):
        _, mc = self.pms.json("/library/metadata/" + rk)
        return mc["Metadata"][0]

    def timeline(self, rk, state, time, ident="s1", method="POST", **extra):
        path = "/:/timeline?" + q(ratingKey=rk, key="/library/metadata/" + rk, state=state,
                                   time=time, duration=self.durations[rk], **extra)
        return self.pms.request(method, path, json=True,
                                headers={"X-Plex-Session-Identifier": ident})

    def sessions(self, **params):
        _, mc = self.pms.json("/status/sessions" + ("?" + q(**params) if params else ""))
        return mc.get("Metadata", [])

    def test_timeline_drives_state_and_sessions(self):
        rk = self.movies[0]
        r = self.timeline(rk, "playing", 75000)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["MediaContainer"]["playbackState"], "playing")
        self.assertEqual(r.json()["MediaContainer"]["viewOffset"], 75000)
        m = self.item(rk)
        self.assertEqual(m["viewOffset"], 75000)
        self.assertNotIn("viewCount", m)
        s = self.sessions()
        self.assertEqual(len(s), 1)
        self.assertEqual(s[0]["ratingKey"], rk)
        self.assertEqual(s[0]["Player"]["state"], "playing")
        self.assertEqual(s[0]["Player"]["machineIdentifier"], simlib.CLIENT_ID)
        self.assertIsInstance(s[0]["Session"], dict)  # a single child: an object
        # XML: Video with Player, Session, User children
        _, root = self.pms.xml("/status/sessions")
        self.assertEqual(root.attrib["size"], "1")
        v = root.find("Video")
        self.assertEqual(v.attrib["sessionKey"], s[0]["sessionKey"])
        self.assertIsNotNone(v.find("Player"))
        self.assertIsNotNone(v.find("User"))
        # the old GET form works too; stopped ends the session
        r = self.timeline(rk, "stopped", 80000, method="GET")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.sessions(), [])
        self.assertEqual(self.item(rk)["viewOffset"], 80000)

    def test_ninety_percent_is_watched(self):
        rk = self.movies[1]
        d = self.durations[rk]
        self.timeline(rk, "playing", d * 89 // 100, ident="w")
        self.assertNotIn("viewCount", self.item(rk))
        self.timeline(rk, "playing", d * 91 // 100, ident="w")
        m = self.item(rk)
        self.assertEqual(m["viewCount"], 1)
        self.assertNotIn("viewOffset", m)
        self.assertIn("lastViewedAt", m)
        self.timeline(rk, "stopped", d * 99 // 100, ident="w")
        self.assertEqual(self.item(rk)["viewCount"], 1)
        _, h = self.pms.json("/status/sessions/history/all?" + q(metadataItemID=rk))
        self.assertEqual(h["totalSize"], 1)
        self.assertEqual(h["Metadata"][0]["ratingKey"], rk)
        self.assertTrue(h["Metadata"][0]["historyKey"].startswith("/status/sessions/history/"))

    def test_silent_sessions_expire(self):
        rk = self.movies[2]
        r = self.timeline(rk, "paused", 1000, ident="quiet")
        self.assertEqual(r.status, 200)
        _, mc = self.pms.json("/status/sessions")
        now = mc["Metadata"][0]["lastViewedAt"]
        self.assertEqual(len(self.sessions(**{"X-Plex-Sim-Now": now + 30})), 1)
        self.assertEqual(self.sessions(**{"X-Plex-Sim-Now": now + 61}), [])
        self.assertEqual(self.sessions(), [])  # gone for good

    def test_watch_state_writes_and_their_get_forms(self):
        rk = self.movies[3]
        for method in ("PUT", "GET"):
            r = self.pms.request(method, "/:/scrobble?" + q(identifier=LIB, key=rk))
            self.assertEqual(r.status, 200)
        self.assertEqual(self.item(rk)["viewCount"], 2)
        r = self.pms.request("GET", "/:/unscrobble?" + q(identifier=LIB, key=rk))
        self.assertEqual(r.status, 200)
        m = self.item(rk)
        for absent in ("viewCount", "viewOffset", "lastViewedAt"):
            self.assertNotIn(absent, m)
        self.assertEqual(self.pms.request("GET", "/:/rate?" + q(identifier=LIB, key=rk,
                                                                   rating=6)).status, 200)
        self.assertEqual(self.item(rk)["userRating"], 6)
        self.assertEqual(self.pms.request("PUT", "/:/rate?" + q(identifier=LIB, key=rk,
                                                                   rating=-1)).status, 200)
        self.assertNotIn("userRating", self.item(rk))
        self.assertEqual(self.pms.request("GET", "/:/progress?" + q(key=rk, time=4242,
                                                                       identifier=LIB)).status,
                         200)
        self.assertEqual(self.item(rk)["viewOffset"], 4242)
        # errors: HTML pages
        for path, status in (("/:/scrobble?" + q(key=rk), 400),
                             ("/:/scrobble?" + q(identifier=LIB, key="99999999"), 404),
                             ("/:/rate?" + q(identifier=LIB, key=rk, rating=11), 400),
                             ("/:/timeline?" + q(ratingKey=rk, state="dancing"), 400)):
            r = self.pms.request("PUT" if "timeline" not in path else "POST", path)
            self.assertEqual(r.status, status, path)
            self.assertTrue(r.header("Content-Type").startswith("text/html"))

    def test_terminate(self):
        rk = self.movies[4]
        self.timeline(rk, "playing", 1000, ident="t1")
        sid = self.sessions()[0]["Session"]["id"]
        self.assertEqual(self.pms.request("POST", "/status/sessions/terminate?" +
                                          q(sessionId="nope")).status, 404)
        r = self.pms.request("GET", "/status/sessions/terminate?" + q(sessionId=sid,
                                                                        reason="Bed time"))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.sessions(), [])
        mc = self.timeline(rk, "playing", 2000, ident="t1").json()["MediaContainer"]
        self.assertEqual(mc["terminationCode"], 2006)
        self.assertEqual(mc["terminationText"], "Bed time")

    def test_transcoder(self):
        rk = self.movies[5]
        base = "/video/:/transcode/universal/"
        params = q(path="/library/metadata/" + rk, protocol="hls", directPlay=0, session="tx1")
        _, mc = self.pms.json(base + "decision?" + params)
        self.assertEqual(mc["generalDecisionCode"], 1001)
        self.assertEqual(mc["directPlayDecisionCode"], 3000)
        part = mc["Metadata"][0]["Media"][0]["Part"][0]
        self.assertEqual(part["decision"], "transcode")
        self.assertNotIn("key", part)
        self.assertEqual(self.pms.get("/transcode/sessions").xml().attrib["size"], "0")
        r = self.pms.get(base + "start.m3u8?" + params)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body.startswith(b"#EXTM3U\n"))
        self.assertIn(b"session/tx1/base/index.m3u8", r.body)
        r = self.pms.get(base + "session/tx1/base/index.m3u8")
        self.assertIn(b"#EXT-X-ENDLIST", r.body)
        seg = self.pms.get(base + "session/tx1/base/0.ts").body
        self.assertEqual(len(seg), 256 * 188)
        self.assertEqual(seg[::188], b"G" * 256)
        self.assertEqual(seg, self.pms.get(base + "session/tx1/base/0.ts").body)  # deterministic
        self.assertEqual(self.pms.get(base + "session/tx1/base/99999.ts").status, 404)
        _, ts = self.pms.json("/transcode/sessions")
        self.assertEqual([t["key"] for t in ts["TranscodeSession"]], ["tx1"])
        self.assertEqual(self.pms.get(base + "start.mpd?" + params).status, 400)  # not dash
        self.assertEqual(self.pms.get(base + "stop?" + q(session="tx1")).status, 200)
        self.assertEqual(self.pms.get(base + "stop?" + q(session="tx1")).status, 404)
        _, ts = self.pms.json("/transcode/sessions")
        self.assertNotIn("TranscodeSession", ts)
        self.assertEqual(self.pms.get(base + "decision?" + q(path="/library/metadata/99999999"))
                         .status, 404)
        self.assertEqual(self.pms.get(base + "decision?" + q(path="/nowhere")).status, 400)

    def test_lists(self):
        a, b = self.movies[6], self.movies[7]
        uri = "server://%s/%s/library/metadata/%s,%s" % (MACHINE, LIB, a, b)
        r = self.pms.request("POST", "/playQueues?" + q(type="video", uri=uri), json=True)
        pq = r.json()["MediaContainer"]
        self.assertEqual(pq["playQueueTotalCount"], 2)
        self.assertEqual(pq["playQueueVersion"], 1)
        _, root = self.pms.xml("/playQueues/%d" % pq["playQueueID"])
        self.assertEqual([v.attrib["ratingKey"] for v in root.findall("Video")], [a, b])
        r = self.pms.request("POST", "/playlists?" + q(uri=uri, title="Mine", type="video",
                                                       smart=0), json=True)
        pl = r.json()["MediaContainer"]["Metadata"][0]
        self.assertEqual(pl["leafCount"], 2)
        _, root = self.pms.xml("/playlists/%s/items" % pl["ratingKey"])
        self.assertEqual([v.attrib["ratingKey"] for v in root.findall("Video")], [a, b])
        self.assertEqual(self.pms.request("DELETE", "/playlists/" + pl["ratingKey"]).status, 204)
        r = self.pms.request("POST", "/library/collections?" +
                             q(type=1, title="Pair", smart=0, sectionId=1, uri=uri), json=True)
        col = r.json()["MediaContainer"]["Metadata"][0]
        _, mc = self.pms.json("/library/collections/%s/children" % col["ratingKey"])
        self.assertEqual([m["ratingKey"] for m in mc["Metadata"]], [a, b])
        # edits through the section, several items at once
        r = self.pms.request("PUT", "/library/sections/1/all?" + q(
            type=1, id="%s,%s" % (a, b), **{"title.value": "Same", "title.locked": 1,
                                           "label[0].tag.tag": "Kept"}))
        self.assertEqual(r.status, 200)
        for rk in (a, b):
            m = self.item(rk)
            self.assertEqual(m["title"], "Same")
            self.assertIn({"name": "title", "locked": True}, m.get("Field", []))
            self.assertIn("Kept", [t["tag"] for t in m.get("Label", [])])

    def test_watchlist_on_plex_tv(self):
        guid = self.item(self.movies[8])["guid"]
        hexkey = guid.rsplit("/", 1)[1]
        r = self.sim.request("PUT", "/actions/addToWatchlist?" + q(ratingKey=hexkey),
                             token=simlib.USER_TOKEN)
        self.assertEqual(r.status, 200)
        r = self.sim.request("GET", "/library/sections/watchlist/all", token=simlib.USER_TOKEN)
        mc = r.json()["MediaContainer"]
        self.assertEqual([m["ratingKey"] for m in mc["Metadata"]], [hexkey])
        self.assertEqual(mc["Metadata"][0]["guid"], guid)
        r = self.sim.request("GET", "/library/sections/watchlist/all", token=None)
        self.assertEqual(r.status, 401)
        r = self.sim.request("PUT", "/actions/removeFromWatchlist?" + q(ratingKey=hexkey),
                             token=simlib.USER_TOKEN)
        self.assertEqual(r.status, 200)


if __name__ == "__main__":
    simlib.run()
