"""Every media-server command of `plex` against plexsim's emulated media
server on 127.0.0.1: text and --json output (the JSON compared with what the
server itself answers; for `plex events`, with the event stream read
directly), exit codes, Ctrl-C (130), the choice of the server (--server URL,
NAME, machine id, the account's only one), a rejected token (77), an
unreachable server (a closed loopback port: 69), a server that answers
garbage (plexsim fault tokens: 65), and the memory of `plex --json ls` over a
large section (peak RSS, counted, not timed).

Environment: PLEX (the plex binary), PLEXSIM, SRC (the source tree).
Exit 77 (skipped) when this plexsim has no media server.
"""
import hashlib
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SRC = os.environ["SRC"]
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
import simlib  # noqa: E402

PLEX = os.environ["PLEX"]
TOKEN = simlib.USER_TOKEN
RSS_LIMIT_KIB = 64 * 1024


def vm_hwm_kib(pid):
    """The peak resident set of a running process (VmHWM), or 0."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def closed_port():
    """A loopback port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Run:
    def __init__(self, rc, out, err, rss_kib):
        self.rc, self.out, self.err, self.rss_kib = rc, out, err, rss_kib

    def lines(self):
        return self.out.splitlines()

    def json(self):
        return [json.loads(line) for line in self.out.splitlines()]

    def __repr__(self):
        return "<exit %d\nstdout: %s\nstderr: %s>" % (self.rc, self.out[:1500], self.err[:1500])


class PmsCase(unittest.TestCase):
    sim = None

    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory()
        cls.sim = simlib.Sim()
        cls.url = cls.sim.pms.base

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.home.cleanup()

    def env(self, env=None, server=True):
        """The environment of a plex run against this plexsim."""
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PLEX_") and k not in ("COLUMNS", "NO_COLOR")}
        # plex.tv is plexsim's too: nothing may leave 127.0.0.1
        e.update({"HOME": self.home.name, "PLEX_TOKEN": TOKEN, "LC_ALL": "C.UTF-8",
                  "PLEX_BASE_URL": self.sim.base})
        if server:
            e["PLEX_SERVER"] = self.url
        if env:
            e.update(env)
        return e

    def plex(self, *args, env=None, server=True, cwd=None, timeout=120):
        p = subprocess.Popen([PLEX] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env(env, server), cwd=cwd)
        out, err = p.communicate(timeout=timeout)
        ru = p.returncode
        return Run(ru, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), 0)

    def ok(self, r, lines=None):
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.err, "", r)
        if lines is not None:
            self.assertEqual(len(r.lines()), lines, r)

    def fails(self, r, code, pattern):
        self.assertEqual(r.rc, code, r)
        self.assertRegex(r.err, pattern)
        self.assertTrue(r.err.startswith("plex"), r)

    def needs(self, *routes):
        """Skip when this plexsim does not emulate a route yet (its stats
        list every route it has)."""
        known = self.sim.stats()["requests"]
        missing = [r for r in routes if r not in known]
        if missing:
            self.skipTest("this plexsim has no %s" % ", ".join(missing))

    def server_json(self, path):
        return self.sim.pms.json(path)[1]

    def first(self, section, **kw):
        """A ratingKey of a section's first item (of a type)."""
        q = "&".join("%s=%s" % kv for kv in kw.items())
        mc = self.server_json("/library/sections/%s/all?%s" % (section, q))
        return mc["Metadata"][0]


class Browse(PmsCase):
    def test_libraries(self):
        r = self.plex("libraries")
        self.ok(r, 5)
        self.assertRegex(r.lines()[0], r"^KEY +TITLE +TYPE +ITEMS$")
        self.assertRegex(r.out, r"\n +1 +Movies +movie +50\n")
        j = self.plex("libraries", "--json")
        self.ok(j)
        self.assertEqual(j.json(), self.server_json("/library/sections")["Directory"])

    def test_ls(self):
        r = self.plex("ls", "Movies", "--limit", "5")
        self.ok(r, 6)
        self.assertRegex(r.lines()[0], r"^ *KEY +TITLE +YEAR +LENGTH +WATCHED$")
        self.assertRegex(r.lines()[1], r"^ +\d+ +\S.* +\d{4} +\d+h \d\dm$")
        # --json: the items as the server sends them, in its order
        j = self.plex("--json", "ls", "1")
        self.ok(j, 50)
        self.assertEqual(j.json(), self.server_json("/library/sections/1/all")["Metadata"])
        # the section by title, any case; global options after the command
        self.assertEqual(self.plex("ls", "movies", "--json", "-n", "3").json(), j.json()[:3])

    def test_ls_query(self):
        eps = self.plex("--json", "ls", "TV Shows", "--type", "episode", "--limit", "40").json()
        self.assertEqual(len(eps), 40)
        self.assertTrue(all(e["type"] == "episode" for e in eps))
        years = [m["year"] for m in self.plex("--json", "ls", "1", "--sort", "year:desc").json()]
        self.assertEqual(years, sorted(years, reverse=True))
        recent = self.plex("--json", "ls", "1", "--filter", "year>=2000").json()
        self.assertTrue(recent and all(m["year"] >= 2000 for m in recent))
        self.assertLess(len(recent), 50)
        r = self.plex("ls", "1", "--type", "spaceship")
        self.fails(r, 2, r"unknown type 'spaceship'")
        r = self.plex("ls", "1", "--filter", "nonsense")
        self.fails(r, 2, r"--filter: expected FIELD=VALUE")
        r = self.plex("ls", "Nowhere")
        self.fails(r, 1, r"^plex: no library section 'Nowhere'")
        self.fails(self.plex("ls"), 2, r"missing argument: SECTION")

    def test_children_show(self):
        show = self.first(2)
        r = self.plex("children", show["ratingKey"])
        self.ok(r)
        self.assertRegex(r.out, r"Season 1 .*\d+ episodes")
        seasons = self.plex("--json", "children", show["ratingKey"]).json()
        self.assertEqual(seasons, self.server_json(
            "/library/metadata/%s/children" % show["ratingKey"])["Metadata"])
        eps = self.plex("children", seasons[0]["ratingKey"])
        self.ok(eps)
        self.assertRegex(eps.lines()[1], r"^ +\d+ +S01E01 ")
        # plex show: full metadata with Media, Part, Stream
        movie = self.first(1)
        r = self.plex("show", movie["ratingKey"])
        self.ok(r)
        self.assertIn(movie["title"], r.lines()[0])
        for what in (r"\n  duration +\dh \d\dm", r"\n  Media: ", r"\n    Part 1: /data/.* \(\d+\.\d [MG]B\)",
                     r"\n      Video +\w+", r"\n      Audio +\w+: "):
            self.assertRegex(r.out, what)
        j = self.plex("show", movie["ratingKey"], "--json")
        self.ok(j, 1)
        self.assertEqual(j.json(), self.server_json(
            "/library/metadata/%s" % movie["ratingKey"])["Metadata"])
        r = self.plex("show", "987654321")
        self.fails(r, 1, r"^plex: item 987654321: not found")

    def test_search_ondeck_recent(self):
        word = self.first(1)["title"].split()[-1]
        r = self.plex("search", word)
        self.ok(r)
        self.assertRegex(r.lines()[0], r"^TYPE +KEY +TITLE +YEAR$")
        hubs = self.plex("--json", "search", word, "--limit", "2").json()
        self.assertTrue(hubs and all("hubIdentifier" in h for h in hubs))
        self.assertTrue(all(len(h.get("Metadata", [])) <= 2 for h in hubs))
        self.ok(self.plex("ondeck"))
        rec = self.plex("--json", "recent", "--section", "Music", "-n", "3").json()
        self.assertEqual(rec, self.server_json(
            "/library/sections/3/recentlyAdded")["Metadata"][:3])
        self.ok(self.plex("recent", "--limit", "2"), 3)

    def test_server_choice(self):
        base = ["--base-url", self.sim.base]
        # the account's only owned server, through its resources
        self.ok(self.plex(*base, "libraries", server=False), 5)
        self.ok(self.plex(*base, "--server", "plexsim server", "libraries", server=False), 5)
        self.ok(self.plex(*base, "libraries", "--server", simlib.SERVER_ID, server=False), 5)
        r = self.plex(*base, "--server", "Atlantis", "libraries", server=False)
        self.fails(r, 2, r"no server named Atlantis")
        self.assertIn("plexsim Server", r.err)
        r = self.plex(*base, "--server", "Friend's Server", "libraries", server=False)
        self.fails(r, 69, r"cannot reach the server Friend's Server")
        # PLEX_SERVER
        self.ok(self.plex("libraries", env={"PLEX_SERVER": self.url}), 5)

    def test_failures(self):
        r = self.plex("libraries", env={"PLEX_TOKEN": "rejected"})
        self.fails(r, 77, r"refused the token \(PLEX_TOKEN\)")
        self.assertEqual(len(r.err.splitlines()), 1, r)
        r = self.plex("ls", "1", env={"PLEX_TOKEN": "rejected"})
        self.fails(r, 77, r"refused the token")
        dead = "http://127.0.0.1:%d" % closed_port()
        for args in (["libraries"], ["ls", "1"], ["show", "1"], ["download", "1"]):
            r = self.plex("--server", dead, *args, server=False)
            self.fails(r, 69, r"could not connect")
            self.assertEqual(len(r.err.splitlines()), 1, r)
        r = self.plex("--server", "ftp://127.0.0.1", "libraries", server=False)
        self.fails(r, 2, r"--server ftp://127.0.0.1: a server URL is http:// or https://")
        self.assertEqual(self.plex("libraries", env={"PLEX_TOKEN": ""}, server=True).rc, 77)

    def test_help(self):
        cmds = [c for c in re.findall(r"^  ([a-z][a-z ]*?)  ", self.plex("--help").out, re.M)]
        for c in cmds:
            r = self.plex(*c.split(), "--help")
            self.assertEqual(r.rc, 0, (c, r))
            self.assertTrue(r.out.startswith("usage: plex " + c), (c, r))


class Garbage(PmsCase):
    """A server that answers garbage: exit 65 and one line."""

    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory()
        cls.sim = simlib.Sim("--fault", "GET /library/sections=garbage",
                             "--fault", "GET /library/sections/{id}/all=garbage",
                             "--fault", "GET /library/metadata/{ids}=garbage",
                             "--fault", "GET /hubs/search=garbage",
                             "--fault", "GET /butler=garbage*2",
                             "--fault", "GET /activities=garbage*2",
                             "--fault", "GET /:/eventsource/notifications=garbage")
        cls.url = cls.sim.pms.base

    def test_garbage(self):
        # in this order: ls finds its section with the second GET /library/sections
        for args in (["libraries"], ["ls", "1", "--json"], ["show", "7"], ["search", "x"]):
            r = self.plex(*args)
            self.fails(r, 65, r"could not be read")
            self.assertEqual(r.out, "")
            self.assertEqual(len(r.err.splitlines()), 1, r)

    def test_admin_garbage(self):
        for args in (["butler"], ["--json", "butler"], ["activities"], ["--json", "activities"],
                     ["events"]):
            r = self.plex(*args, timeout=60)
            self.fails(r, 65, r"could not be read|not an event stream")
            self.assertEqual(r.out, "")
            self.assertEqual(len(r.err.splitlines()), 1, r)


class Watch(PmsCase):
    def test_mark_rate(self):
        self.needs("PUT /:/scrobble", "PUT /:/unscrobble", "PUT /:/rate")
        key = self.first(1)["ratingKey"]
        r = self.plex("mark", "watched", key)
        self.ok(r, 1)
        self.assertRegex(r.out, r"^Marked .* watched\.$")
        self.assertEqual(self.server_json("/library/metadata/" + key)["Metadata"][0]["viewCount"], 1)
        ls = self.plex("ls", "1")
        self.assertRegex(ls.out, r"\n +%s +.* yes\n" % key)
        self.assertNotIn(key, [m["ratingKey"] for m in self.plex("--json", "ls", "1", "-u").json()])
        j = self.plex("--json", "mark", "unwatched", key)
        self.ok(j, 1)
        self.assertNotIn("viewCount", j.json()[0])
        j = self.plex("--json", "rate", key, "7.5")
        self.ok(j, 1)
        self.assertEqual(j.json()[0]["userRating"], 7.5)
        self.fails(self.plex("rate", key, "11"), 2, r"from 0 to 10")
        self.fails(self.plex("mark", "watched", "987654321"), 1, r"not found")
        self.fails(self.plex("mark", "seen", key), 2, r"unknown command: mark seen")

    def test_streams(self):
        # a movie with an audio stream and a subtitle stream in another language than English
        key = part = None
        for m in self.server_json("/library/sections/1/all")["Metadata"]:
            item = self.server_json("/library/metadata/" + m["ratingKey"])["Metadata"][0]
            streams = item["Media"][0]["Part"][0].get("Stream", [])
            subs = [s for s in streams if s["streamType"] == 3 and s.get("languageCode") != "eng"]
            if subs and not subs[0].get("forced"):
                key, part, sub = m["ratingKey"], item["Media"][0]["Part"][0], subs[0]
                break
        self.assertIsNotNone(key)
        audio = [s for s in part["Stream"] if s["streamType"] == 2]
        r = self.plex("streams", key)
        self.ok(r)
        self.assertIn("  Part %d: " % part["id"], r.out)
        for s in audio + [sub]:
            self.assertRegex(r.out, r"\n    (Audio|Subtitle) +%d +" % s["id"])
        self.assertRegex(r.out, r"\n    Subtitle +none +no subtitles, selected\n")
        # by language (its code, tag or name, any case) and by id
        r = self.plex("streams", key, "--subtitle", sub["languageCode"].upper(),
                      "--audio", str(audio[-1]["id"]))
        self.ok(r, 1)
        self.assertRegex(r.out, r"^.*: audio .*, subtitles .*\.$")
        chosen = self.server_json("/library/metadata/" + key)["Metadata"][0]["Media"][0]["Part"][0]
        selected = {s["id"] for s in chosen["Stream"] if s.get("selected")}
        self.assertIn(sub["id"], selected)
        self.assertIn(audio[-1]["id"], selected)
        r = self.plex("streams", key)
        self.assertRegex(r.out, r"\n    Subtitle +%d +[^\n]*, selected" % sub["id"])
        self.assertRegex(r.out, r"\n    Subtitle +none +no subtitles\n")
        # none, as JSON: the item as the server then has it
        j = self.plex("--json", "streams", key, "--subtitle", "none")
        self.ok(j, 1)
        streams = j.json()[0]["Media"][0]["Part"][0]["Stream"]
        self.assertFalse([s for s in streams if s["streamType"] == 3 and s.get("selected")])
        # refused: no such language or id, an item without a file, no such item
        self.fails(self.plex("streams", key, "--audio", "klingon"), 2, r"no audio stream 'klingon'")
        self.fails(self.plex("streams", key, "--subtitle", str(audio[0]["id"])), 2,
                   r"no subtitle stream")
        show = self.first(2)["ratingKey"]
        self.fails(self.plex("streams", show), 2, r"has no file")
        self.fails(self.plex("streams", "987654321"), 1, r"not found")

    def test_playlists(self):
        self.needs("GET /playlists", "POST /playlists", "PUT /playlists/{id}/items",
                   "DELETE /playlists/{id}/items/{item}", "DELETE /playlists/{id}")
        movies = [m["ratingKey"] for m in self.plex("--json", "ls", "1", "-n", "4").json()]
        track = self.first(3, type=10)["ratingKey"]
        r = self.plex("playlist", "create", "Road trip", *movies[:3])
        self.ok(r, 1)
        self.assertRegex(r.out, r"^Created the video playlist Road trip \(key \d+\) with 3 items")
        r = self.plex("playlists")
        self.ok(r)
        self.assertRegex(r.out, r"Road trip +video +3 ")
        items = self.plex("--json", "playlist", "road trip").json()
        self.assertEqual([m["ratingKey"] for m in items], movies[:3])
        self.ok(self.plex("playlist", "add", "Road trip", movies[3]), 1)
        self.ok(self.plex("playlist", "remove", "Road trip", movies[0]), 1)
        keys = [m["ratingKey"] for m in self.plex("--json", "playlist", "Road trip").json()]
        self.assertEqual(keys, movies[1:4])
        self.fails(self.plex("playlist", "remove", "Road trip", movies[0]), 1, r"not in the playlist")
        # a track into a video playlist: the server refuses it (400)
        self.fails(self.plex("playlist", "add", "Road trip", track), 1, r"one kind|rejected")
        self.fails(self.plex("playlist", "create", "x", "abc"), 2, r"not an item key")
        r = self.plex("--json", "playlist", "delete", "Road trip")
        self.ok(r, 1)
        self.assertTrue(r.json()[0]["deleted"])
        self.fails(self.plex("playlist", "Road trip"), 1, r"no playlist is titled")


class Files(PmsCase):
    def part_of(self, key):
        m = self.server_json("/library/metadata/" + key)["Metadata"][0]
        return m["Media"][0]["Part"][0]

    def test_url(self):
        track = self.first(3, type=10)["ratingKey"]
        part = self.part_of(track)
        r = self.plex("url", track)
        self.ok(r, 1)
        self.assertEqual(r.out.strip(), "%s%s?X-Plex-Token=%s" % (self.url, part["key"], TOKEN))
        j = self.plex("--json", "url", track, "--no-token").json()
        self.assertEqual(j[0]["url"], self.url + part["key"])
        album = self.first(3, type=9)
        r = self.plex("url", album["ratingKey"])
        self.ok(r, album["leafCount"])

    def test_download(self):
        track = self.first(3, type=10)["ratingKey"]
        part = self.part_of(track)
        body = self.sim.pms.get(part["key"]).body
        self.assertEqual(len(body), part["size"])
        name = os.path.basename(part["file"])
        with tempfile.TemporaryDirectory() as d:
            r = self.plex("download", track, cwd=d)
            self.ok(r, 1)
            self.assertRegex(r.out, r"^Downloaded %s \(\d" % re.escape(name))
            with open(os.path.join(d, name), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(body).digest())
            # already there: not fetched again
            self.assertRegex(self.plex("download", track, cwd=d).out, r"^Already there")
            # a partial file is resumed
            os.unlink(os.path.join(d, name))
            with open(os.path.join(d, name + ".plexpart"), "wb") as f:
                f.write(body[:len(body) // 3])
            r = self.plex("download", track, "-o", d)
            self.ok(r, 2)
            self.assertRegex(r.out, r"^Resuming .* after ")
            with open(os.path.join(d, name), "rb") as f:
                self.assertEqual(f.read(), body)
            self.assertFalse(os.path.exists(os.path.join(d, name + ".plexpart")))
            # -o FILE, --json
            j = self.plex("--json", "download", track, "-o", os.path.join(d, "x.m4a"))
            self.ok(j, 1)
            self.assertEqual(j.json()[0], {"ratingKey": track, "title": j.json()[0]["title"],
                                           "path": os.path.join(d, "x.m4a"), "size": len(body)})
        # an album: every track, one after another, into a new directory
        album = self.first(3, type=9)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "album")
            r = self.plex("download", album["ratingKey"], "-o", out)
            self.ok(r, album["leafCount"])
            self.assertEqual(len(os.listdir(out)), album["leafCount"])
            self.assertFalse(any(n.endswith(".plexpart") for n in os.listdir(out)))
            self.assertNotRegex(r.out, "\r|\033")  # no progress bar without a terminal


class Status(PmsCase):
    def test_sessions_history(self):
        self.needs("POST /:/timeline", "GET /status/sessions", "GET /status/sessions/history/all",
                   "PUT /:/scrobble")
        ep = self.first(2, type=4)
        self.sim.pms.request("POST", "/:/timeline?ratingKey=%s&key=/library/metadata/%s"
                             "&state=playing&time=60000&duration=%d" %
                             (ep["ratingKey"], ep["ratingKey"], ep["duration"]),
                             headers={"X-Plex-Session-Identifier": "cli-test"})
        r = self.plex("sessions")
        self.ok(r)
        self.assertRegex(r.lines()[0], r"^USER +PLAYER +TITLE +STATE +PROGRESS +STREAM$")
        self.assertRegex(r.out, r"playing +\d+% 1m 00s/")
        j = self.plex("--json", "sessions").json()
        self.assertEqual(j, self.server_json("/status/sessions")["Metadata"])
        self.plex("mark", "watched", ep["ratingKey"])
        # the history holds playbacks that reached the end (a scrobble is not one: PMS.md §4.6)
        self.sim.pms.request("POST", "/:/timeline?ratingKey=%s&key=/library/metadata/%s"
                             "&state=stopped&time=%d&duration=%d" %
                             (ep["ratingKey"], ep["ratingKey"], ep["duration"], ep["duration"]),
                             headers={"X-Plex-Session-Identifier": "cli-test"})
        h = self.plex("history", "-n", "5")
        self.ok(h)
        self.assertRegex(h.lines()[0], r"^WATCHED +ACCOUNT +KEY +TITLE$")
        self.assertTrue(all("historyKey" in e for e in self.plex("--json", "history").json()))


class Server(PmsCase):
    def test_server(self):
        r = self.plex("server")
        self.ok(r)
        root = self.server_json("/")
        self.assertRegex(r.out, r"^name +%s\n" % re.escape(root["friendlyName"]))
        self.assertIn("machine id  %s\n" % root["machineIdentifier"], r.out)
        self.assertIn("version     %s\n" % root["version"], r.out)
        self.assertRegex(r.out, r"\nupdate +(available|none|unknown)")
        j = self.plex("--json", "server").json()
        self.assertEqual(j[0], root)
        self.fails(self.plex("server", env={"PLEX_TOKEN": "rejected"}), 77, r"refused the token")


class Admin(PmsCase):
    """plex butler, butler run/stop, activities, activities cancel. plexsim's
    activities last two seconds of its clock, so what must be seen while one
    runs is tried again (a few times) when the activity ended before the
    command looked: never a timed assertion."""

    def butler_tasks(self):
        r = self.sim.pms.get("/butler", json=True)
        self.assertEqual(r.status, 200, r)
        return r.json()["ButlerTasks"]["ButlerTask"]

    def activities(self):
        return self.server_json("/activities").get("Activity", [])

    def test_butler_list(self):
        self.needs("GET /butler", "GET /activities")
        tasks = self.butler_tasks()
        r = self.plex("butler")
        self.ok(r, len(tasks) + 1)
        self.assertRegex(r.lines()[0], r"^NAME +TITLE +INTERVAL +ENABLED +RUNNING$")
        for t, line in zip(tasks, r.lines()[1:]):
            every = "daily" if t["interval"] == 1 else "every %d days" % t["interval"]
            self.assertRegex(line, r"^%s +%s +%s +%s +(no|yes( \d+%%)?)$" % (
                re.escape(t["name"]), re.escape(t["title"]), every, "yes" if t["enabled"] else "no"))
        j = self.plex("--json", "butler")
        self.ok(j)
        self.assertEqual(j.json(), tasks)

    def butler_cycle(self, task):
        """Run a task, see it running, stop it: the runs, or None when the
        task ended (its two seconds) before the last command looked."""
        self.sim.pms.request("DELETE", "/butler/" + task)  # not running (404 if it is not)
        runs = {"run": self.plex("butler", "run", task),
                "again": self.plex("butler", "run", task),
                "json": self.plex("--json", "butler", "run", task),
                "table": self.plex("butler"),
                "acts": self.plex("--json", "activities"),
                "text": self.plex("activities"),
                "stop": self.plex("butler", "stop", task)}
        self.ok(runs["run"], 1)
        self.assertEqual(runs["run"].out, "Started the butler task %s.\n" % task)
        if runs["stop"].rc != 0 or runs["again"].out.startswith("Started"):
            return None
        return runs

    def test_butler_run_stop(self):
        self.needs("POST /butler/{task}", "DELETE /butler/{task}", "GET /activities")
        task, title = "BackupDatabase", "Backup Database"
        for _ in range(5):
            runs = self.butler_cycle(task)
            if runs:
                break
        self.assertIsNotNone(runs, "the task never ran through five commands")
        # already running: said so, not an error (PMS answers 202)
        self.ok(runs["again"], 1)
        self.assertEqual(runs["again"].out, "The butler task %s is already running.\n" % task)
        self.assertEqual(runs["json"].json(), [{"name": task, "started": False,
                                                "alreadyRunning": True}])
        self.assertRegex(runs["table"].out, r"\n%s +%s +every 3 days +yes +yes( \d+%%)?\n" % (
            task, title))
        mine = [a for a in runs["acts"].json() if a.get("Context", {}).get("name") == task]
        self.assertEqual(len(mine), 1, runs["acts"])
        self.assertEqual((mine[0]["type"], mine[0]["title"], mine[0]["cancellable"]),
                         ("butler.task", title, False))
        text = runs["text"]
        self.assertRegex(text.lines()[0], r"^UUID +TYPE +TITLE +(SUBTITLE +)?PROGRESS +CANCEL$")
        self.assertRegex(text.out, r"\n%s +butler\.task +%s +\d+%% +no\n" % (
            re.escape(mine[0]["uuid"]), title))
        self.ok(runs["stop"], 1)
        self.assertEqual(runs["stop"].out, "Stopped the butler task %s.\n" % task)
        self.assertNotIn(task, [a.get("Context", {}).get("name") for a in self.activities()])
        # stopping it again: not running (404)
        self.fails(self.plex("butler", "stop", task), 1, r"^plex: the butler task %s is not "
                   r"running\n$" % task)
        self.assertEqual(self.plex("--json", "butler", "stop", "GenerateChapterThumbs").rc, 1)
        # unknown tasks: a clear error, 1
        for verb in ("run", "stop"):
            r = self.plex("butler", verb, "NoSuchTask")
            self.fails(r, 1, r"^plex: no butler task named NoSuchTask on .*'plex butler' lists")
            self.assertEqual(len(r.err.splitlines()), 1, r)
            self.assertEqual(r.out, "")
        self.fails(self.plex("butler", "run"), 2, r"missing argument: TASK")
        self.fails(self.plex("butler", "start", task), 2, r"unexpected argument: start")

    def test_activities_cancel(self):
        self.needs("GET /activities", "DELETE /activities/{uuid}",
                   "POST /library/sections/{id}/refresh")
        for _ in range(5):
            self.sim.pms.request("POST", "/library/sections/1/refresh")
            scans = [a for a in self.activities() if a["type"] == "library.update.section"]
            self.assertTrue(scans and scans[0]["cancellable"], scans)
            r = self.plex("--json", "activities", "cancel", scans[0]["uuid"])
            if r.rc == 1 and "may have ended" in r.err:
                continue
            self.ok(r, 1)
            self.assertEqual(r.json(), [{"uuid": scans[0]["uuid"], "cancelled": True}])
            self.assertNotIn(scans[0]["uuid"], [a["uuid"] for a in self.activities()])
            break
        else:
            self.fail("no scan could be cancelled while it ran")
        # a butler task cannot be cancelled (400): stopped with plex butler stop
        for _ in range(5):
            self.sim.pms.request("POST", "/butler/OptimizeDatabase")
            acts = [a for a in self.activities() if a["type"] == "butler.task"]
            self.assertTrue(acts, "no butler task runs")
            r = self.plex("activities", "cancel", acts[0]["uuid"])
            if r.rc == 1 and "may have ended" in r.err:
                continue
            self.fails(r, 1, r"^plex: the server cannot cancel the activity %s\n$" %
                       acts[0]["uuid"])
            break
        else:
            self.fail("no butler task was seen by plex activities cancel while it ran")
        self.fails(self.plex("activities", "cancel", "0000-nothing"), 1,
                   r"^plex: no activity 0000-nothing on .* \(it may have ended\)\n$")

    def test_activities_idle(self):
        self.needs("GET /activities", "DELETE /butler")
        self.sim.pms.request("DELETE", "/butler")  # every task stops
        deadline = time.monotonic() + 60
        while self.activities() and time.monotonic() < deadline:
            time.sleep(0.2)  # scans end by themselves
        self.assertEqual(self.activities(), [])
        r = self.plex("activities")
        self.assertEqual((r.rc, r.out, r.err), (0, "", "The server is doing nothing.\n"))
        j = self.plex("--json", "activities")
        self.ok(j, 0)

    def test_failures(self):
        for args in (["butler"], ["butler", "run", "BackupDatabase"],
                     ["butler", "stop", "BackupDatabase"], ["activities"],
                     ["activities", "cancel", "x"], ["events"]):
            r = self.plex(*args, env={"PLEX_TOKEN": "rejected"})
            self.fails(r, 77, r"refused the token \(PLEX_TOKEN\)")
            self.assertEqual(len(r.err.splitlines()), 1, r)
            r = self.plex("--server", "http://127.0.0.1:%d" % closed_port(), *args, server=False)
            self.fails(r, 69, r"could not connect")
            self.assertEqual(len(r.err.splitlines()), 1, r)
            self.assertEqual(r.out, "")


class Background:
    """plex ARGS running in the background: its stdout lines and stderr as
    they come, stopped with a signal."""

    def __init__(self, case, *args):
        self.proc = subprocess.Popen([PLEX] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=case.env())
        self.out, self.err = b"", b""

    def lines(self):
        return self.out.decode("utf-8", "replace").splitlines()

    def pump(self, timeout):
        """Read what came within timeout seconds (until EOF)."""
        fds = [f for f in (self.proc.stdout, self.proc.stderr) if not f.closed]
        r, _, _ = select.select(fds, [], [], timeout)
        for f in r:
            data = os.read(f.fileno(), 65536)
            if f is self.proc.stdout:
                self.out += data
            else:
                self.err += data
        return bool(r)

    def until(self, pred, timeout=60, poke=None):
        """Read until pred(self) holds (poke() is called every half second
        meanwhile); False at the timeout."""
        deadline = time.monotonic() + timeout
        while not pred(self):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.pump(0.1)
                return pred(self)
            if poke:
                poke()
            end = time.monotonic() + 0.5
            while time.monotonic() < end and not pred(self):
                self.pump(end - time.monotonic())
        return True

    def stop(self, sig=signal.SIGINT, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.out += out
        self.err += err
        return self.proc.returncode


class RawStream(threading.Thread):
    """The server's event stream read directly: each event's (type, data)."""

    def __init__(self, pms):
        super().__init__(daemon=True)
        self.conn = pms.connect()
        self.conn.request("GET", "/:/eventsource/notifications",
                          headers={"X-Plex-Token": TOKEN, "Accept": "text/event-stream",
                                   "X-Plex-Client-Identifier": simlib.CLIENT_ID})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.status
        self.events = []
        self.start()

    def run(self):
        kind, data = None, []
        try:
            for raw in iter(self.resp.readline, b""):
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line:
                    if kind and kind != "ping":
                        self.events.append((kind, "\n".join(data)))
                    kind, data = None, []
        except (OSError, ValueError, AttributeError):
            pass  # closed

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        self.join(10)


class Events(PmsCase):
    """plex events: plexsim pings every 200 ms; events come from a butler
    task, a playback's timelines, a section refresh and an item refresh."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.sim.control("config", event_ping_ms=200).status == 200

    def setUp(self):
        self.needs("GET /:/eventsource/notifications", "POST /butler/{task}", "POST /:/timeline",
                   "PUT /:/prefs")
        self.probes = 0

    def probe(self):
        """A preference notification (FriendlyName) with a new value: its value."""
        self.probes += 1
        value = "probe-%d" % self.probes
        r = self.sim.pms.request("PUT", "/:/prefs?FriendlyName=" + value)
        self.assertEqual(r.status, 200, r)
        return value

    def subscribed(self, bg, json_lines):
        """Poke with preferences until plex shows one: its stream is open."""
        seen = (lambda b: any('"probe-' in ln for ln in b.lines())) if json_lines else \
            (lambda b: any(re.search(r"preference +FriendlyName = probe-", ln)
                           for ln in b.lines()))
        self.assertTrue(bg.until(seen, 60, self.probe), bg.err)

    def timeline(self, ep, state, t):
        r = self.sim.pms.request("POST", "/:/timeline?ratingKey=%s&key=/library/metadata/%s"
                                 "&state=%s&time=%d&duration=%d" %
                                 (ep["ratingKey"], ep["ratingKey"], state, t, ep["duration"]),
                                 headers={"X-Plex-Session-Identifier": "cli-events"})
        self.assertEqual(r.status, 200, r)

    def cause_events(self, bg, json_lines):
        """The events the tests look for: a butler task's activity (started ...
        ended), a playback (playing; once plex showed it, stopped), a section
        scan, an item refresh. The episode, the movie, and who played where
        as /status/sessions said."""
        ep = self.first(2, type=4)
        self.sim.pms.request("POST", "/butler/CleanOldBundles")
        self.timeline(ep, "playing", 60000)
        s = [m for m in self.server_json("/status/sessions")["Metadata"]
             if m["ratingKey"] == ep["ratingKey"]][0]
        who, where = s["User"]["title"], s["Player"]["title"]
        if s["Player"].get("address"):
            where += " (%s)" % s["Player"]["address"]
        shown = r'"state":"playing"' if json_lines else r"playing +.*: playing "
        self.assertTrue(bg.until(lambda b: re.search(shown, b.out.decode()), 60), bg.err)
        self.timeline(ep, "stopped", 70000)
        self.sim.pms.request("POST", "/library/sections/1/refresh")
        movie = self.first(1)
        self.sim.pms.request("PUT", "/library/metadata/%s/refresh" % movie["ratingKey"])
        return ep, movie, who, where

    def test_json(self):
        raw = RawStream(self.sim.pms)
        bg = Background(self, "--json", "events")
        try:
            self.subscribed(bg, True)
            sync = self.probe()  # both see it: the outputs are compared from there
            ep, movie, _, _ = self.cause_events(bg, True)

            def done(b):
                js = [json.loads(ln) for ln in b.lines()]
                acts = [j["ActivityNotification"] for j in js if "ActivityNotification" in j]
                return (any(a["event"] == "ended" and a["Activity"].get("Context", {}).get("name")
                            == "CleanOldBundles" for a in acts) and
                        any(a["event"] == "ended" and a["Activity"]["type"] ==
                            "library.update.section" for a in acts) and
                        any(j.get("TimelineEntry", {}).get("itemID") == movie["ratingKey"]
                            for j in js) and
                        any(j.get("PlaySessionStateNotification", {}).get("state") == "stopped"
                            for j in js) and
                        any(j.get("StatusNotification", {}).get("title") ==
                            "Library scan complete" for j in js))
            self.assertTrue(bg.until(done, 90), (bg.out[-3000:], bg.err))
        finally:
            rc = bg.stop()
            raw.close()
        self.assertEqual(rc, 130, bg.err)
        self.assertEqual(bg.err.decode(), "plex: interrupted\n")
        js = [json.loads(ln) for ln in bg.lines()]
        self.assertTrue(all(isinstance(j, dict) for j in js))
        playing = [j["PlaySessionStateNotification"] for j in js
                   if "PlaySessionStateNotification" in j]
        self.assertEqual([(p["ratingKey"], p["state"], p["viewOffset"]) for p in playing],
                         [(ep["ratingKey"], "playing", 60000), (ep["ratingKey"], "stopped", 70000)])
        # each line is the event's data as the server sent it, in its order
        def at_sync(events):
            return next(i for i, j in enumerate(events)
                        if j.get("Setting", {}).get("value") == sync)
        theirs = [json.loads(d) for _, d in raw.events]
        mine, theirs = js[at_sync(js):], theirs[at_sync(theirs):]
        n = min(len(mine), len(theirs))
        self.assertGreater(n, 10)
        self.assertEqual(mine[:n], theirs[:n])

    def test_text(self):
        bg = Background(self, "events")
        try:
            self.subscribed(bg, False)
            ep, movie, who, where = self.cause_events(bg, False)
            title = "%s S%02dE%02d %s" % (ep["grandparentTitle"], ep["parentIndex"], ep["index"],
                                          ep["title"])

            def done(b):
                return (re.search(r"activity +ended Remove Old Bundles", b.out.decode()) and
                        re.search(r"status +Library scan complete", b.out.decode()) and
                        re.search(r"playing +.*: stopped ", b.out.decode()) and
                        re.search(r"timeline +.*: processed", b.out.decode()))
            self.assertTrue(bg.until(done, 90), (bg.out[-3000:], bg.err))
        finally:
            rc = bg.stop()
        self.assertEqual(rc, 130, bg.err)
        self.assertEqual(bg.err.decode(), "plex: interrupted\n")
        out = bg.out.decode()
        line = r"(?m)^\d\d:\d\d:\d\d  "
        self.assertRegex(out, line + r"activity +started Remove Old Bundles, 0%$")
        self.assertRegex(out, line + r"activity +updated Remove Old Bundles, \d+%$")
        self.assertRegex(out, line + r"activity +started Scanning library section 1, 0%$")
        self.assertRegex(out, line + r"status +Library scan started: ")
        # who plays what, where, and how far
        of = r"(\d+h \d\dm|\d+m( \d\ds)?)"
        self.assertRegex(out, line + r"playing +%s on %s: playing %s at 1m 00s of %s$" % (
            re.escape(who), re.escape(where), re.escape(title), of))
        self.assertRegex(out, line + r"playing +%s on %s: stopped %s at 1m 10s of %s$" % (
            re.escape(who), re.escape(where), re.escape(title), of))
        self.assertRegex(out, line + r"timeline +%s \(movie\) in section 1: processed$" %
                         re.escape(movie["title"]))
        self.assertRegex(out, line + r"preference +FriendlyName = probe-\d+$")
        self.assertTrue(all(re.match(line[4:], ln) for ln in out.splitlines()), out)

    def test_junk(self):
        """Garbage in the stream, and an event whose data is not JSON: left
        out with a warning (--json prints only JSON), and the stream goes on."""
        self.sim.fault("GET /:/eventsource/notifications", "junk=1")
        bg = Background(self, "--json", "events")
        try:
            self.subscribed(bg, True)
        finally:
            rc = bg.stop()
        self.assertEqual(rc, 130, bg.err)
        self.assertEqual(bg.err.decode(), "plex: warning: a playing event whose data is not JSON "
                         "was left out\nplex: interrupted\n")
        self.assertTrue(all(isinstance(json.loads(ln), dict) for ln in bg.lines()), bg.out)

    def test_reconnect(self):
        """The stream closes after its first ping: reported (one line), opened
        again after the back-off, and the events go on."""
        self.sim.fault("GET /:/eventsource/notifications", "close=2")
        bg = Background(self, "--json", "events")
        try:
            lost = re.compile(r"^plex: warning: the event stream was lost \(.+\); reconnecting "
                              r"in \d+ s", re.M)
            self.assertTrue(bg.until(lambda b: lost.search(b.err.decode()), 60), bg.err)
            self.subscribed(bg, True)
        finally:
            rc = bg.stop()
        self.assertEqual(rc, 130, bg.err)
        err = bg.err.decode().splitlines()
        self.assertEqual(len(err), 2, err)
        self.assertRegex(err[0], lost)
        self.assertEqual(err[1], "plex: interrupted")


class Memory(unittest.TestCase):
    def test_large_section(self):
        """plex --json ls of 50,000 movies: every item, in a small peak RSS."""
        with tempfile.TemporaryDirectory() as home, \
                simlib.Sim("--library-size", "50000", max_seconds=600) as sim:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
            env.update({"HOME": home, "PLEX_TOKEN": TOKEN, "PLEX_SERVER": sim.pms.base})
            p = subprocess.Popen([PLEX, "--json", "ls", "1"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
            # the child's own high-water mark (its rusage would count the
            # memory of this Python process, which it was forked from)
            peak = [0]
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    hwm = vm_hwm_kib(p.pid)
                    if hwm:
                        peak[0] = max(peak[0], hwm)
                    stop.wait(0.02)

            t = threading.Thread(target=sample)
            t.start()
            count, keys = 0, set()
            for line in p.stdout:
                count += 1
                if count % 997 == 0:
                    keys.add(json.loads(line)["ratingKey"])
            stop.set()
            t.join()
            err = p.stderr.read()
            p.wait()
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(count, 50000)
            self.assertEqual(len(keys), 50000 // 997)
            print("plex --json ls 1 (50,000 movies): peak RSS %d KiB" % peak[0], file=sys.stderr)
            self.assertGreater(peak[0], 0)
            self.assertLess(peak[0], RSS_LIMIT_KIB)


if __name__ == "__main__":
    probe = simlib.Sim()
    has_pms = hasattr(probe, "pms")
    probe.stop()
    if not has_pms:
        print("SKIP: this plexsim has no media server")
        sys.exit(77)
    unittest.main(verbosity=2)
