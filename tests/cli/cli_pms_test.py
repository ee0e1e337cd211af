"""Every media-server command of `plex` against plexsim's emulated media
server on 127.0.0.1: text and --json output (the JSON compared with what the
server itself answers), exit codes, the choice of the server (--server URL,
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
import socket
import subprocess
import sys
import tempfile
import threading
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

    def plex(self, *args, env=None, server=True, cwd=None, timeout=120):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PLEX_") and k not in ("COLUMNS", "NO_COLOR")}
        # plex.tv is plexsim's too: nothing may leave 127.0.0.1
        e.update({"HOME": self.home.name, "PLEX_TOKEN": TOKEN, "LC_ALL": "C.UTF-8",
                  "PLEX_BASE_URL": self.sim.base})
        if server:
            e["PLEX_SERVER"] = self.url
        if env:
            e.update(env)
        p = subprocess.Popen([PLEX] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=e, cwd=cwd)
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
                             "--fault", "GET /hubs/search=garbage")
        cls.url = cls.sim.pms.base

    def test_garbage(self):
        # in this order: ls finds its section with the second GET /library/sections
        for args in (["libraries"], ["ls", "1", "--json"], ["show", "7"], ["search", "x"]):
            r = self.plex(*args)
            self.fails(r, 65, r"could not be read")
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
