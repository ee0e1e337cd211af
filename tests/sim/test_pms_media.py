#!/usr/bin/env python3
"""plexsim's media server: part downloads (exact sizes, byte ranges, content
checked against the seed's generator), sidecar subtitles, artwork and the photo
transcoder (real PNGs of the requested size), theme music."""
import hashlib
import struct
import unittest
import xml.etree.ElementTree as ET

from simlib import Sim, SimCase, part_bytes, png_info, run

SEED = 1


class Media(SimCase):
    RESET = False

    def parts(self, path):
        """(Part element, Media element, item) of every part in a listing."""
        _, root = self.pms.xml(path)
        out = []
        for item in root:
            for media in item.findall("Media"):
                for part in media.findall("Part"):
                    out.append((part, media, item))
        return out

    def test_part_download_exact_and_checked(self):
        # the smallest file of a music section: downloaded whole and checked byte by byte
        tracks = self.parts("/library/sections/3/allLeaves")
        part, media, _ = min(tracks, key=lambda t: int(t[0].get("size")))
        size = int(part.get("size"))
        r = self.pms.get(part.get("key"))
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), size)
        self.assertEqual(r.header("Content-Length"), str(size))
        self.assertEqual(r.header("Accept-Ranges"), "bytes")
        want = part_bytes(SEED, int(part.get("id")), part.get("container"), 0, size)
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(want).digest())
        self.assertTrue(r.header("Content-Type").startswith(("audio/", "video/")))

    def test_ranges(self):
        movies = self.parts("/library/sections/1/all")
        part, _, _ = max(movies, key=lambda t: int(t[0].get("size")))
        size, pid, cont = int(part.get("size")), int(part.get("id")), part.get("container")
        self.assertGreater(size, 1 << 30)  # a 4K movie: gigabytes, never held in memory
        key = part.get("key")
        for rng, a, b in (("bytes=0-99", 0, 99), ("bytes=%d-" % (size - 10), size - 10, size - 1),
                          ("bytes=-16", size - 16, size - 1),
                          ("bytes=%d-%d" % (size - 100, size + 5000), size - 100, size - 1),
                          ("bytes=123456789-123460000", 123456789, 123460000)):
            r = self.pms.get(key, headers={"Range": rng})
            self.assertEqual(r.status, 206, rng)
            self.assertEqual(r.header("Content-Range"), "bytes %d-%d/%d" % (a, b, size), rng)
            self.assertEqual(len(r.body), b - a + 1, rng)
            self.assertEqual(r.body, part_bytes(SEED, pid, cont, a, b - a + 1), rng)
        # the container's magic number starts the file
        r = self.pms.get(key, headers={"Range": "bytes=0-3"})
        self.assertEqual(r.body, {"mkv": b"\x1a\x45\xdf\xa3", "mp4": b"\x00\x00\x00\x20",
                                  "avi": b"RIFF"}[cont])
        # beyond the end: 416 with the size
        r = self.pms.get(key, headers={"Range": "bytes=%d-" % size})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("Content-Range"), "bytes */%d" % size)
        self.assertEqual(r.header("Content-Type"), "text/html")
        # several ranges, or nonsense: the whole file (200; read only its start)
        for rng in ("bytes=0-1,5-6", "bytes=abc", "items=0-5"):
            conn = self.pms.connect()
            conn.request("GET", key, headers={"Range": rng,
                                              "X-Plex-Token": "plexsim-user-token-0001"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200, rng)
            self.assertEqual(resp.getheader("Content-Length"), str(size))
            self.assertEqual(resp.read(64), part_bytes(SEED, pid, cont, 0, 64))
            conn.close()
        # HEAD: the length, no body
        r = self.pms.request("HEAD", key)
        self.assertEqual((r.status, r.body, r.header("Content-Length")), (200, b"", str(size)))

    def test_download_disposition_and_unknown_parts(self):
        part, _, item = self.parts("/library/sections/1/all")[0]
        r = self.pms.get(part.get("key") + "?download=1", headers={"Range": "bytes=0-0"})
        self.assertEqual(r.status, 206)
        disp = r.header("Content-Disposition")
        self.assertTrue(disp.startswith('attachment; filename="'), disp)
        self.assertIn("filename*=UTF-8''", disp)
        for bad in ("/library/parts/999999999/1/file.mkv", "/library/parts/17/1/file.mkv",
                    "/library/parts/abc/1/file.mkv", "/library/parts/-4/1/file.mkv"):
            self.assertEqual(self.pms.get(bad).status, 404, bad)

    def test_sidecar_subtitles(self):
        found = 0
        for m in range(1, 51):
            _, root = self.pms.xml("/library/metadata/%d" % m)
            for s in root.iter("Stream"):
                if s.get("streamType") == "3" and s.get("key"):
                    r = self.pms.get(s.get("key"))
                    self.assertEqual(r.status, 200)
                    self.assertTrue(r.header("Content-Type").startswith("application/x-subrip"))
                    self.assertTrue(r.body.startswith(b"1\n00:00:05,000 --> 00:00:09,500\n"))
                    self.assertEqual(self.pms.get(s.get("key") + ".srt").body, r.body)
                    found += 1
            if found >= 2:
                break
        self.assertGreaterEqual(found, 1)
        self.assertEqual(self.pms.get("/library/streams/999999999").status, 404)

    def test_artwork(self):
        _, root = self.pms.xml("/library/metadata/1")
        v = root.find("Video")
        sizes = {}
        for attr in ("thumb", "art"):
            r = self.pms.get(v.get(attr))
            self.assertEqual((r.status, r.header("Content-Type")), (200, "image/png"), attr)
            w, h, depth, colour, raw = png_info(r.body)
            self.assertEqual((depth, colour), (8, 2))
            self.assertEqual(len(raw), h * (1 + 3 * w))
            sizes[attr] = (w, h)
            self.assertLess(len(r.body), 100000)  # compressed
        self.assertEqual(sizes, {"thumb": (400, 600), "art": (1280, 720)})
        img = [i.get("url") for i in v.findall("Image") if i.get("type") == "clearLogo"][0]
        self.assertEqual(png_info(self.pms.get(img).body)[:2], (800, 310))
        # the same picture every time; another item's differs
        self.assertEqual(self.pms.get(v.get("thumb")).body, self.pms.get(v.get("thumb")).body)
        _, other = self.pms.xml("/library/metadata/2")
        self.assertNotEqual(self.pms.get(other.find("Video").get("thumb")).body,
                            self.pms.get(v.get("thumb")).body)
        # sections' and resources' pictures
        _, secs = self.pms.xml("/library/sections")
        d = secs.find("Directory")
        for attr in ("thumb", "art", "composite"):
            r = self.pms.get(d.get(attr))
            self.assertEqual(r.status, 200, attr)
            png_info(r.body)
        self.assertEqual(self.pms.get("/library/metadata/999999999/thumb/1").status, 404)

    def test_photo_transcode(self):
        _, root = self.pms.xml("/library/metadata/1")
        thumb = root.find("Video").get("thumb")
        url = "/photo/:/transcode?width=%d&height=%d&minSize=1&upscale=1&url="
        for w, h in ((100, 150), (1, 1), (333, 77), (1920, 1080)):
            r = self.pms.get((url % (w, h)) + thumb.replace("/", "%2F"))
            self.assertEqual(r.status, 200, (w, h))
            self.assertEqual(png_info(r.body)[:2], (w, h))
        # the URL may be a full one of this server, with a token in it
        full = "http://127.0.0.1:%d%s?X-Plex-Token=plexsim-user-token-0001" % (self.pms.port, thumb)
        import urllib.parse
        r = self.pms.get(url % (64, 64) + urllib.parse.quote(full, safe=""))
        self.assertEqual(png_info(r.body)[:2], (64, 64))
        # no size: the picture's own
        r = self.pms.get("/photo/:/transcode?url=" + urllib.parse.quote(thumb, safe=""))
        self.assertEqual(png_info(r.body)[:2], (400, 600))
        # anything else: 404 (nothing outside this server is ever fetched), bad sizes 400
        for u in ("https://example.com/x.jpg", "/etc/passwd", "/library/metadata/1/children",
                  "http://192.0.2.1/library/metadata/1/thumb/1"):
            r = self.pms.get("/photo/:/transcode?width=10&height=10&url=" +
                             urllib.parse.quote(u, safe=""))
            self.assertEqual(r.status, 404, u)
        for q in ("width=0&height=10", "width=10&height=99999", "width=abc&height=10"):
            r = self.pms.get("/photo/:/transcode?%s&url=%s" % (q, urllib.parse.quote(thumb)))
            self.assertEqual(r.status, 400, q)
        self.assertEqual(self.pms.get("/photo/:/transcode").status, 400)

    def test_theme_music(self):
        _, root = self.pms.xml("/library/sections/2/all")
        show = root.find("Directory")
        r = self.pms.get(show.get("theme"))
        self.assertEqual((r.status, r.header("Content-Type")), (200, "audio/mpeg"))
        self.assertTrue(r.body.startswith(b"ID3"))
        self.assertEqual(len(r.body), 256 * 1024)

    def test_every_photo_and_track_part_answers(self):
        parts = self.parts("/library/sections/4/all?type=13") + \
            self.parts("/library/sections/3/allLeaves")[:20]
        for part, media, item in parts:
            r = self.pms.get(part.get("key"), headers={"Range": "bytes=0-15"})
            self.assertEqual(r.status, 206)
            self.assertEqual(r.body, part_bytes(SEED, int(part.get("id")),
                                                part.get("container"), 0, 16))


class StreamSelection(SimCase):
    """PUT /library/parts/{id}: the user's audio and subtitle streams, kept and
    shown as `selected` in JSON and XML, for one part or all of an item's."""

    def movie_with_two_versions(self):
        _, mc = self.pms.json("/library/sections/1/all")
        for m in mc["Metadata"]:
            if len(m.get("Media", [])) == 2:
                return m["ratingKey"]
        self.fail("no movie with two Media in the library")

    def streams_json(self, rk):
        """[(part id, {type: [(id, selected, languageCode)]})] of every part."""
        _, mc = self.pms.json("/library/metadata/" + rk)
        out = []
        for media in mc["Metadata"][0]["Media"]:
            part = media["Part"][0]
            by = {}
            for st in part.get("Stream", []):
                by.setdefault(st["streamType"], []).append(
                    (st["id"], st.get("selected") is True, st.get("languageCode")))
            out.append((part["id"], by))
        return out

    def selected_xml(self, rk):
        """{part id: set of selected stream ids} from the XML rendering."""
        _, root = self.pms.xml("/library/metadata/" + rk)
        return {int(p.get("id")): {int(s.get("id")) for s in p.findall("Stream")
                                   if s.get("selected") == "1"}
                for p in root.iter("Part")}

    def test_choice_kept_json_and_xml(self):
        rk = self.movie_with_two_versions()
        (p0, s0), (p1, s1) = self.streams_json(rk)
        video0 = s0[1][0][0]
        audio0 = s0[2][-1]  # the last audio stream of the first version
        r = self.pms.request("PUT", "/library/parts/%d?audioStreamID=%d&subtitleStreamID=0"
                             % (p0, audio0[0]))
        self.assertEqual(r.status, 200)
        (_, s0), (_, s1b) = self.streams_json(rk)
        self.assertEqual([a[0] for a in s0[2] if a[1]], [audio0[0]])
        self.assertEqual([t[0] for t in s0.get(3, []) if t[1]], [])
        self.assertEqual(s1b, s1)  # the other version: untouched without allParts
        self.assertEqual(self.selected_xml(rk)[p0], {audio0[0]})
        # allParts: the other version gets its stream of the same language
        r = self.pms.request("PUT", "/library/parts/%d?audioStreamID=%d&allParts=1"
                             % (p0, audio0[0]))
        self.assertEqual(r.status, 200)
        (_, s0), (_, s1) = self.streams_json(rk)
        same = [a[0] for a in s1[2] if a[2] == audio0[2]]
        chosen = [a[0] for a in s1[2] if a[1]]
        if same:
            self.assertEqual(chosen, same[:1])
        else:
            self.assertEqual(len(chosen), 1)  # none alike: its own choice stays
        # refused: not an audio stream of this part, a stream of the other part, no part
        for bad in ("audioStreamID=%d" % video0, "subtitleStreamID=%d" % audio0[0],
                    "audioStreamID=%d" % s1[2][0][0]):
            r = self.pms.request("PUT", "/library/parts/%d?%s" % (p0, bad))
            self.assertEqual(r.status, 400, bad)
        r = self.pms.request("PUT", "/library/parts/%d?audioStreamID=1" % (p0 + 400000000))
        self.assertEqual(r.status, 404)
        r = self.pms.request("PUT", "/library/parts/%d?audioStreamID=x" % p0)
        self.assertEqual(r.status, 400)
        self.assertEqual(self.selected_xml(rk)[p0], {audio0[0]})  # unchanged by the refusals
        # a reset forgets the choice
        self.assertEqual(self.sim.control("reset").status, 200)
        (_, s0), _ = self.streams_json(rk)
        self.assertEqual([a[0] for a in s0[2] if a[1]], [s0[2][0][0]])


class Previews(SimCase):
    """GET /library/parts/{id}/indexes/sd (a BIF, read here with struct, not
    with libplex) and /indexes/sd/{offset} (one picture)."""

    RESET = False

    def parts_by_indexes(self):
        """(part id, duration) of a movie with previews, and a part id without."""
        _, root = self.pms.xml("/library/sections/1/all")
        with_, without = None, None
        for video in root:
            _, full = self.pms.xml(video.get("key"))
            part = full.find("Video/Media/Part")
            if part.get("indexes") == "sd" and with_ is None:
                with_ = (int(part.get("id")), int(full.find("Video").get("duration")))
            elif part.get("indexes") is None and without is None:
                without = int(part.get("id"))
        self.assertIsNotNone(with_)
        self.assertIsNotNone(without)
        return with_, without

    def bif(self, body):
        """[(time ms, image bytes)] of a BIF, every rule of the format checked."""
        self.assertEqual(body[:8], b"\x89BIF\r\n\x1a\n")
        version, n, mult = struct.unpack_from("<III", body, 8)
        self.assertEqual(version, 0)
        self.assertEqual(body[20:64], bytes(44))
        mult = mult or 1000
        entries = [struct.unpack_from("<II", body, 64 + 8 * i) for i in range(n + 1)]
        self.assertEqual(entries[-1][0], 0xFFFFFFFF)
        self.assertEqual(entries[0][1], 64 + 8 * (n + 1))
        self.assertEqual(entries[-1][1], len(body))
        out = []
        for (ts, off), (_, end) in zip(entries, entries[1:]):
            self.assertLess(off, end)
            out.append((ts * mult, body[off:end]))
        return out

    def test_bif_and_pictures(self):
        (pid, duration), bare = self.parts_by_indexes()
        r = self.pms.get("/library/parts/%d/indexes/sd" % pid)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/octet-stream")
        frames = self.bif(r.body)
        self.assertEqual(len(frames), -(-duration // 10000))
        self.assertEqual([t for t, _ in frames], [i * 10000 for i in range(len(frames))])
        for _, img in frames:
            w, h = png_info(img)[:2]
            self.assertEqual((w, h), (160, 90))
        # they differ: a bar moves across (156 positions) as the time goes on
        self.assertGreaterEqual(len({img for _, img in frames}), min(len(frames), 100))
        self.assertNotEqual(frames[0][1], frames[-1][1])
        # one picture: the BIF's at the default interval, for any offset within its 10 s
        for at in (0, 9999, 65500, duration - 1):
            r = self.pms.get("/library/parts/%d/indexes/sd/%d" % (pid, at))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Type"), "image/png")
            self.assertEqual(r.body, frames[at // 10000][1])
        # another interval: times in ms (multiplier 1) when not whole seconds
        r = self.pms.get("/library/parts/%d/indexes/sd?interval=2500" % pid)
        self.assertEqual(r.status, 200)
        self.assertEqual(struct.unpack_from("<I", r.body, 16)[0], 1)
        frames = self.bif(r.body)
        self.assertEqual([t for t, _ in frames][:3], [0, 2500, 5000])
        self.assertEqual(len(frames), -(-duration // 2500))
        # none: an interval too small, no index, another index, out of the item, no part
        for path in ("/library/parts/%d/indexes/sd?interval=1000" % pid,
                     "/library/parts/%d/indexes/sd?interval=x" % pid,
                     "/library/parts/%d/indexes/sd" % bare,
                     "/library/parts/%d/indexes/hd" % pid,
                     "/library/parts/%d/indexes/sd/%d" % (pid, duration),
                     "/library/parts/%d/indexes/sd/-1" % pid,
                     "/library/parts/999999996/indexes/sd"):
            self.assertEqual(self.pms.get(path).status, 404, path)


if __name__ == "__main__":
    run()
