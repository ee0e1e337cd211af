#!/usr/bin/env python3
"""plexsim's media server: browsing routes in XML (read with ElementTree, as
python-plexapi does) and JSON, items as real servers send them, paging edge
cases, media queries (filters, sorts, the Meta block), tag lists, children
and leaves, hubs and search."""
import json
import re
import unittest
import urllib.parse

from simlib import SERVER_ID, Sim, SimCase, run

EPOCH = 1764547200  # the library's clock (docs/plexsim.md)

# One sample request per browsing route, as the stats name them.
ROUTES = {
    "GET /": "/",
    "GET /media/providers": "/media/providers",
    "GET /library": "/library",
    "GET /library/sections": "/library/sections",
    "GET /library/sections/all": "/library/sections/all",
    "GET /library/sections/{id}": "/library/sections/1?includeDetails=1",
    "GET /library/sections/{id}/all": "/library/sections/2/all?type=4",
    "GET /library/sections/{id}/allLeaves": "/library/sections/3/allLeaves",
    "GET /library/sections/{id}/onDeck": "/library/sections/2/onDeck",
    "GET /library/sections/{id}/recentlyAdded": "/library/sections/2/recentlyAdded",
    "GET /library/sections/{id}/firstCharacter": "/library/sections/1/firstCharacter",
    "GET /library/sections/{id}/collections": "/library/sections/1/collections",
    "GET /library/sections/{id}/genre": "/library/sections/1/genre",
    "GET /library/sections/{id}/year": "/library/sections/1/year",
    "GET /library/sections/{id}/decade": "/library/sections/1/decade",
    "GET /library/sections/{id}/director": "/library/sections/1/director",
    "GET /library/sections/{id}/writer": "/library/sections/1/writer",
    "GET /library/sections/{id}/producer": "/library/sections/1/producer",
    "GET /library/sections/{id}/actor": "/library/sections/2/actor",
    "GET /library/sections/{id}/country": "/library/sections/1/country",
    "GET /library/sections/{id}/contentRating": "/library/sections/1/contentRating",
    "GET /library/sections/{id}/studio": "/library/sections/1/studio",
    "GET /library/sections/{id}/resolution": "/library/sections/1/resolution",
    "GET /library/sections/{id}/collection": "/library/sections/1/collection",
    "GET /library/sections/{id}/label": "/library/sections/1/label",
    "GET /library/sections/{id}/mood": "/library/sections/3/mood",
    "GET /library/sections/{id}/style": "/library/sections/3/style",
    "GET /library/metadata/{ids}": "/library/metadata/1,2",
    "GET /library/metadata/{id}/children": "/library/metadata/51/children",
    "GET /library/metadata/{id}/grandchildren": "/library/metadata/51/grandchildren",
    "GET /library/metadata/{id}/allLeaves": "/library/metadata/51/allLeaves",
    "GET /library/metadata/{id}/related": "/library/metadata/1/related",
    "GET /library/metadata/{id}/similar": "/library/metadata/1/similar",
    "GET /library/metadata/{id}/extras": "/library/metadata/1/extras",
    "GET /library/onDeck": "/library/onDeck",
    "GET /library/recentlyAdded": "/library/recentlyAdded",
    "GET /library/all": "/library/all?type=1&year>>=2000",
    "GET /library/tags": "/library/tags?type=1",
    "GET /hubs": "/hubs",
    "GET /hubs/promoted": "/hubs/promoted",
    "GET /hubs/continueWatching": "/hubs/continueWatching",
    "GET /hubs/continueWatching/items": "/hubs/continueWatching/items",
    "GET /hubs/sections/{id}": "/hubs/sections/1",
    "GET /hubs/search": "/hubs/search?query=the",
    "GET /library/search": "/library/search?query=the",
    "GET /servers": "/servers",
    "GET /clients": "/clients",
    "GET /devices": "/devices",
    "GET /accounts": "/accounts",
    "GET /myplex/account": "/myplex/account",
    "GET /:/prefs": "/:/prefs",
    "GET /:/prefs/get": "/:/prefs/get?id=FriendlyName",
    "GET /identity": "/identity",
}

ITEM_ELEMENTS = {"Video", "Directory", "Track", "Photo", "Playlist"}


def items(root):
    """The item elements of an XML container (a Directory with a ratingKey is one)."""
    return [e for e in root if e.tag in ITEM_ELEMENTS and e.get("ratingKey")]


def keys_of(root):
    return [e.get("ratingKey") for e in items(root)]


class Browse(SimCase):
    def all_movies(self, query=""):
        _, root = self.pms.xml("/library/sections/1/all" + query)
        return items(root)

    # ---- every route, both renderings ----

    def test_every_route_in_xml_and_json(self):
        for name, path in ROUTES.items():
            r, root = self.pms.xml(path)
            self.assertEqual(root.tag, "MediaContainer", name)
            self.assertEqual(int(root.get("size")), len([e for e in root if e.tag != "Meta"]),
                             name)
            self.assertEqual(r.header("X-Plex-Protocol"), "1.0", name)
            r, mc = self.pms.json(path)
            self.assertIsInstance(mc["size"], int, name)
        stats = self.sim.stats()["requests"]
        for name in ROUTES:
            self.assertEqual(stats[name], 2, name)

    def test_sizes_match_children(self):
        for path in ("/library/sections", "/library/sections/1/all", "/library/metadata/51/children",
                     "/library/sections/1/genre", "/hubs/search?query=a"):
            _, root = self.pms.xml(path)
            self.assertEqual(int(root.get("size")), len(list(root)), path)
            _, mc = self.pms.json(path)
            n = sum(len(v) for k, v in mc.items() if isinstance(v, list))
            self.assertEqual(mc["size"], n, path)

    # ---- the server and the library root ----

    def test_root_and_identity(self):
        _, root = self.pms.xml("/")
        self.assertEqual(root.get("machineIdentifier"), SERVER_ID)
        self.assertEqual(root.get("friendlyName"), "plexsim")
        for a in ("version", "platform", "myPlexUsername", "transcoderVideoBitrates",
                  "ownerFeatures", "updatedAt"):
            self.assertTrue(root.get(a), a)
        self.assertIn("library", [d.get("key") for d in root.findall("Directory")])
        _, ident = self.pms.xml("/identity", token=None)
        self.assertEqual((ident.get("claimed"), ident.get("machineIdentifier")), ("1", SERVER_ID))
        _, mc = self.pms.json("/identity", token=None)
        self.assertIs(mc["claimed"], True)
        self.assertEqual(mc["size"], 0)

    def test_providers(self):
        _, root = self.pms.xml("/media/providers")
        mp = root.find("MediaProvider")
        self.assertEqual(mp.get("identifier"), "com.plexapp.plugins.library")
        features = {f.get("type"): f for f in mp.findall("Feature")}
        for t in ("content", "search", "timeline", "playqueue", "imagetranscoder", "playlist"):
            self.assertIn(t, features)
        self.assertEqual(len(features["content"].findall("Directory")), 4)
        self.assertEqual(features["timeline"].get("scrobbleKey"), "/:/scrobble")
        _, mc = self.pms.json("/media/providers")
        self.assertEqual(mc["MediaProvider"][0]["identifier"], "com.plexapp.plugins.library")

    def test_library_root(self):
        _, root = self.pms.xml("/library")
        self.assertEqual(root.get("identifier"), "com.plexapp.plugins.library")
        self.assertEqual(root.get("title1"), "Plex Library")
        self.assertEqual({d.get("key") for d in root.findall("Directory")},
                         {"sections", "recentlyAdded", "onDeck"})

    # ---- sections ----

    def test_sections_both_paths(self):
        r1, a = self.pms.xml("/library/sections")
        r2, b = self.pms.xml("/library/sections/all")
        self.assertEqual(r1.body, r2.body)
        dirs = a.findall("Directory")
        self.assertEqual([(d.get("key"), d.get("type"), d.get("title")) for d in dirs],
                         [("1", "movie", "Movies"), ("2", "show", "TV Shows"),
                          ("3", "artist", "Music"), ("4", "photo", "Photos")])
        for d in dirs:
            for attr in ("agent", "scanner", "language", "uuid", "createdAt", "updatedAt",
                         "scannedAt", "contentChangedAt", "thumb", "art"):
                self.assertTrue(d.get(attr), attr)
            self.assertTrue(d.find("Location").get("path").startswith("/data/"))
        _, mc = self.pms.json("/library/sections")
        s = mc["Directory"][0]
        self.assertEqual(s["key"], "1")  # a string
        self.assertEqual(s["hidden"], 0)  # an int beside real booleans (PMS.md 2.7)
        self.assertIs(s["refreshing"], False)

    def test_section_details_and_meta(self):
        _, root = self.pms.xml("/library/sections/2")
        self.assertIsNone(root.find("Meta"))
        self.assertIn("all", [d.get("key") for d in root.findall("Directory")])
        _, root = self.pms.xml("/library/sections/2?includeDetails=1")
        types = root.find("Meta").findall("Type")
        self.assertEqual([t.get("type") for t in types], ["show", "season", "episode"])
        _, mc = self.pms.json("/library/sections/1/all?includeMeta=1&X-Plex-Container-Size=0")
        meta = mc["Meta"]
        self.assertEqual(mc["size"], 0)
        self.assertEqual(mc["totalSize"], 50)
        self.assertNotIn("Metadata", mc)
        t = meta["Type"][0]
        self.assertEqual(t["type"], "movie")
        filters = {f["filter"]: f for f in t["Filter"]}
        self.assertIn("genre", filters)
        self.assertEqual(filters["genre"]["key"], "/library/sections/1/genre")
        sorts = {s["key"]: s for s in t["Sort"]}
        self.assertEqual(sorts["addedAt"]["descKey"], "addedAt:desc")
        self.assertEqual(sorts["addedAt"]["defaultDirection"], "desc")
        self.assertTrue(t["Field"])
        ft = {f["type"]: [o["key"] for o in f["Operator"]] for f in meta["FieldType"]}
        self.assertEqual(ft["integer"], ["=", "!=", ">>=", "<<=", ">=", "<="])
        self.assertEqual(ft["string"], ["=", "!=", "==", "!==", "<=", ">="])
        self.assertEqual(ft["tag"], ["=", "!="])
        for path in ("/library/sections/0", "/library/sections/9/all", "/library/sections/x/all"):
            r = self.pms.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.header("Content-Type"), "text/html")

    # ---- items ----

    def test_movie_in_a_list_is_partial(self):
        movies = self.all_movies()
        self.assertEqual(len(movies), 50)
        for m in movies:
            self.assertEqual(m.tag, "Video")
            for a in ("ratingKey", "key", "guid", "type", "title", "addedAt", "updatedAt",
                      "thumb", "duration"):
                self.assertTrue(m.get(a), (a, m.get("title")))
            self.assertTrue(m.get("guid").startswith("plex://movie/"))
            self.assertIsNone(m.get("librarySectionID"))  # hoisted to the container
            self.assertLessEqual(len(m.findall("Genre")), 2)
            self.assertLessEqual(len(m.findall("Director")), 1)
            self.assertLessEqual(len(m.findall("Role")), 3)
            self.assertEqual(m.findall("Writer") + m.findall("Producer") + m.findall("Guid"), [])
            for g in m.findall("Genre"):
                self.assertEqual(set(g.attrib), {"tag"})
            media = m.findall("Media")
            self.assertTrue(media)
            for md in media:
                part = md.find("Part")
                self.assertTrue(part.get("key").startswith("/library/parts/"))
                self.assertIsNone(part.find("Stream"))
            self.assertTrue(re.match(r"^/library/metadata/\d+/thumb/\d+$", m.get("thumb")))
        # some items go without optional attributes
        for a in ("summary", "tagline", "studio", "contentRating", "rating"):
            self.assertTrue(any(m.get(a) is None for m in movies), a)
            self.assertTrue(any(m.get(a) is not None for m in movies), a)
        # 4K and 1080p versions of some movies
        two = [m for m in movies if len(m.findall("Media")) == 2]
        self.assertTrue(two)
        self.assertEqual([md.get("videoResolution") for md in two[0].findall("Media")],
                         ["4k", "1080"])
        # non-ASCII titles, and XML specials that survive the round trip
        titles = [m.get("title") for m in movies]
        for t in ("Amélie", "千と千尋の神隠し", "Ærø", "Tom & Jerry's \"Big\" <Night>"):
            self.assertIn(t, titles)
        self.assertTrue(all(m.get("titleSort") != m.get("title") for m in movies
                            if m.get("titleSort")))

    def test_includeGuids_on_lists(self):
        m = self.all_movies("?includeGuids=1")[0]
        ids = [g.get("id") for g in m.findall("Guid")]
        self.assertTrue(any(i.startswith("imdb://tt") for i in ids))
        self.assertTrue(any(i.startswith("tmdb://") for i in ids))

    def test_full_movie(self):
        movies = self.all_movies()
        rk = [m.get("ratingKey") for m in movies if len(m.findall("Media")) == 2][0]
        _, root = self.pms.xml("/library/metadata/" + rk)
        m = root.find("Video")
        self.assertEqual(m.get("librarySectionID"), "1")
        self.assertEqual(m.get("librarySectionKey"), "/library/sections/1")
        self.assertTrue(m.findall("Writer") and m.findall("Guid") and m.findall("Rating"))
        for g in m.findall("Genre"):
            self.assertTrue(g.get("id") and g.get("filter") == "genre=" + g.get("id"))
        for r in m.findall("Role"):
            self.assertTrue(r.get("tag") and r.get("role") and r.get("id"))
        streams = m.find("Media").find("Part").findall("Stream")
        kinds = [s.get("streamType") for s in streams]
        self.assertEqual(kinds[0], "1")
        self.assertIn("2", kinds)
        video = streams[0]
        self.assertEqual(video.get("codec"), "hevc")
        self.assertEqual(video.get("colorTrc"), "smpte2084")  # the 4K one is HDR
        audio = [s for s in streams if s.get("streamType") == "2"][0]
        for a in ("channels", "samplingRate", "language", "languageCode", "displayTitle"):
            self.assertTrue(audio.get(a), a)
        for rating in m.findall("Rating"):
            float(rating.get("value"))
        self.assertTrue(m.find("UltraBlurColors").get("topLeft"))
        _, mc = self.pms.json("/library/metadata/" + rk)
        j = mc["Metadata"][0]
        self.assertIsInstance(j["ratingKey"], str)
        self.assertIsInstance(j["Media"], list)
        self.assertIsInstance(j["UltraBlurColors"], dict)  # a single child: an object
        self.assertIsInstance(j["Guid"][0]["id"], str)

    def test_include_flags(self):
        base = "/library/metadata/1"
        _, plain = self.pms.xml(base)
        v = plain.find("Video")
        for el in ("Chapter", "Marker", "Extras", "Related", "Review"):
            self.assertIsNone(v.find(el), el)
        _, root = self.pms.xml(base + "?includeChapters=1&includeMarkers=1&includeExtras=1"
                               "&includeRelated=1&includeReviews=1&checkFiles=1")
        v = root.find("Video")
        chapters = v.findall("Chapter")
        self.assertGreaterEqual(len(chapters), 4)
        self.assertEqual(chapters[-1].get("endTimeOffset"), v.get("duration"))
        marker = v.find("Marker")
        self.assertEqual((marker.get("type"), marker.get("final")), ("credits", "1"))
        trailer = v.find("Extras").find("Video")
        self.assertEqual((trailer.get("type"), trailer.get("subtype"), trailer.get("extraType")),
                         ("clip", "trailer", "1"))
        self.assertEqual(v.get("primaryExtraKey"), trailer.get("key"))
        self.assertTrue(v.find("Related").find("Hub").get("hubIdentifier"))
        self.assertTrue(v.find("Media").find("Part").get("exists") == "1")
        _, mc = self.pms.json(base + "?includeExtras=1&includeRelated=1")
        self.assertIsInstance(mc["Metadata"][0]["Extras"], dict)
        self.assertIsInstance(mc["Metadata"][0]["Related"]["Hub"], list)
        # an episode: intro and credits markers; a show: OnDeck
        _, root = self.pms.xml("/library/metadata/51/allLeaves")
        ep = items(root)[0].get("ratingKey")
        _, root = self.pms.xml("/library/metadata/%s?includeMarkers=1" % ep)
        self.assertEqual([m.get("type") for m in root.find("Video").findall("Marker")],
                         ["intro", "credits"])
        _, root = self.pms.xml("/library/metadata/51?includeOnDeck=1")
        self.assertEqual(root.find("Directory").find("OnDeck").find("Video").get("ratingKey"),
                         ep)

    def test_metadata_lists_and_unknown(self):
        _, root = self.pms.xml("/library/metadata/3,1,2")
        self.assertEqual(keys_of(root), ["3", "1", "2"])
        _, root = self.pms.xml("/library/metadata/1,999999999,2")
        self.assertEqual(keys_of(root), ["1", "2"])
        for path in ("/library/metadata/999999999", "/library/metadata/0",
                     "/library/metadata/-5", "/library/metadata/abc",
                     "/library/metadata/99999999999999999999999",
                     "/library/metadata/999999999/children"):
            r = self.pms.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertTrue(r.body.startswith(b"<html>"), path)

    def test_hierarchy_walks(self):
        _, shows = self.pms.xml("/library/sections/2/all")
        for show in items(shows):
            self.assertEqual(show.tag, "Directory")
            rk = show.get("ratingKey")
            _, ch = self.pms.xml("/library/metadata/%s/children" % rk)
            all_eps = ch.find("Directory")
            self.assertEqual(all_eps.get("title"), "All episodes")
            self.assertIsNone(all_eps.get("ratingKey"))
            seasons = items(ch)
            self.assertEqual(len(seasons), int(show.get("childCount")))
            total = 0
            for s in seasons:
                self.assertEqual((s.get("type"), s.get("parentRatingKey")), ("season", rk))
                _, eps = self.pms.xml("/library/metadata/%s/children" % s.get("ratingKey"))
                eps = items(eps)
                self.assertEqual(len(eps), int(s.get("leafCount")))
                for i, e in enumerate(eps):
                    self.assertEqual(e.get("grandparentRatingKey"), rk)
                    self.assertEqual(e.get("index"), str(i + 1))
                    self.assertEqual(e.get("parentIndex"), s.get("index"))
                total += len(eps)
            self.assertEqual(total, int(show.get("leafCount")))
            _, leaves = self.pms.xml("/library/metadata/%s/allLeaves" % rk)
            _, grand = self.pms.xml("/library/metadata/%s/grandchildren" % rk)
            self.assertEqual(keys_of(leaves), keys_of(grand))
            self.assertEqual(len(keys_of(leaves)), total)
        # music: artist -> album -> track; photos: album -> photo
        _, artists = self.pms.xml("/library/sections/3/all")
        a = items(artists)[0]
        _, albums = self.pms.xml(a.get("key"))
        album = items(albums)[0]
        self.assertEqual(album.get("type"), "album")
        _, tracks = self.pms.xml(album.get("key"))
        t = items(tracks)[0]
        self.assertEqual((t.tag, t.get("type")), ("Track", "track"))
        self.assertEqual(t.find("Media").get("audioCodec") in ("flac", "mp3", "aac"), True)
        _, palbums = self.pms.xml("/library/sections/4/all")
        pa = items(palbums)[0]
        self.assertEqual((pa.tag, pa.get("type")), ("Directory", "photo"))
        _, photos = self.pms.xml(pa.get("key"))
        self.assertEqual(items(photos)[0].tag, "Photo")
        # a leaf has no children
        _, none = self.pms.xml("/library/metadata/1/children")
        self.assertEqual(none.get("size"), "0")

    def test_related_and_similar(self):
        _, sim = self.pms.xml("/library/metadata/1/similar")
        _, full = self.pms.xml("/library/metadata/1")
        genre = full.find("Video").find("Genre").get("tag")
        for m in items(sim):
            self.assertIn(genre, [g.get("tag") for g in m.findall("Genre")])
        _, rel = self.pms.xml("/library/metadata/1/related")
        self.assertEqual(rel.find("Hub").get("hubIdentifier"), "movie.similar")

    # ---- paging ----

    def test_paging_headers_and_query(self):
        everything = [m.get("ratingKey") for m in self.all_movies()]
        r, root = self.pms.xml("/library/sections/1/all",
                               headers={"X-Plex-Container-Start": "10",
                                        "X-Plex-Container-Size": "5"})
        self.assertEqual(keys_of(root), everything[10:15])
        self.assertEqual((root.get("size"), root.get("totalSize"), root.get("offset")),
                         ("5", "50", "10"))
        self.assertEqual(r.header("X-Plex-Container-Start"), "10")
        self.assertEqual(r.header("X-Plex-Container-Total-Size"), "50")
        r2, root2 = self.pms.xml("/library/sections/1/all?X-Plex-Container-Start=10"
                                 "&X-Plex-Container-Size=5")
        self.assertEqual(r.body, r2.body)
        # walking every page gives every item once
        seen = []
        for start in range(0, 60, 7):
            _, page = self.pms.xml("/library/sections/1/all?X-Plex-Container-Start=%d"
                                   "&X-Plex-Container-Size=7" % start)
            seen += keys_of(page)
        self.assertEqual(seen, everything)

    def test_paging_edges(self):
        # start past the end: an empty page, the total still right
        r, root = self.pms.xml("/library/sections/1/all?X-Plex-Container-Start=500"
                               "&X-Plex-Container-Size=10")
        self.assertEqual((root.get("size"), root.get("totalSize")), ("0", "50"))
        self.assertEqual(items(root), [])
        _, mc = self.pms.json("/library/sections/1/all?X-Plex-Container-Start=500"
                              "&X-Plex-Container-Size=10")
        self.assertEqual((mc["size"], mc["totalSize"]), (0, 50))
        self.assertNotIn("Metadata", mc)
        # size 0: only the total
        r, root = self.pms.xml("/library/sections/1/all?X-Plex-Container-Size=0")
        self.assertEqual((root.get("size"), root.get("totalSize"), len(items(root))),
                         ("0", "50", 0))
        self.assertEqual(r.header("X-Plex-Container-Total-Size"), "50")
        # negative start counts from 0; a negative size is no limit
        _, a = self.pms.xml("/library/sections/1/all?X-Plex-Container-Start=-5"
                            "&X-Plex-Container-Size=3")
        self.assertEqual(a.get("offset"), "0")
        self.assertEqual(len(items(a)), 3)
        _, b = self.pms.xml("/library/sections/1/all?X-Plex-Container-Size=-1")
        self.assertEqual(len(items(b)), 50)
        # huge values: an empty page, no overflow
        _, c = self.pms.xml("/library/sections/1/all?X-Plex-Container-Start=999999999999999999"
                            "&X-Plex-Container-Size=999999999999999999")
        self.assertEqual((c.get("size"), c.get("totalSize")), ("0", "50"))
        # not a number, or beyond 64 bits: 400
        for q in ("X-Plex-Container-Start=abc", "X-Plex-Container-Size=1e3",
                  "X-Plex-Container-Start=99999999999999999999999"):
            r = self.pms.get("/library/sections/1/all?" + q)
            self.assertEqual(r.status, 400, q)
            self.assertEqual(r.body, b"<html><head><title>Bad Request</title></head><body>"
                                     b"<h1>400 Bad Request</h1></body></html>")
        # limit caps the total; it combines with paging
        _, d = self.pms.xml("/library/sections/1/all?limit=12&X-Plex-Container-Start=10"
                            "&X-Plex-Container-Size=5")
        self.assertEqual((d.get("size"), d.get("totalSize")), ("2", "12"))
        # the show's "All episodes" directory is the first entry of its children
        _, ch = self.pms.xml("/library/metadata/51/children?X-Plex-Container-Start=1"
                             "&X-Plex-Container-Size=50")
        self.assertIsNone(ch.find("Directory[@title='All episodes']"))
        self.assertEqual(int(ch.get("totalSize")), int(ch.get("size")) + 1)

    # ---- media queries ----

    def test_sorts(self):
        movies = self.all_movies()
        sort_titles = [(m.get("titleSort") or m.get("title")) for m in movies]
        self.assertEqual(len(sort_titles), 50)
        movies = self.all_movies("?sort=year:desc,titleSort")
        years = [int(m.get("year")) for m in movies]
        self.assertEqual(years, sorted(years, reverse=True))
        movies = self.all_movies("?sort=addedAt")
        added = [int(m.get("addedAt")) for m in movies]
        self.assertEqual(added, sorted(added))
        movies = self.all_movies("?sort=movie.addedAt:desc")
        self.assertEqual([int(m.get("addedAt")) for m in movies], sorted(added, reverse=True))
        movies = self.all_movies("?sort=rating:desc:nullsLast")
        ratings = [m.get("rating") for m in movies]
        present = [float(x) for x in ratings if x is not None]
        self.assertEqual(present, sorted(present, reverse=True))
        self.assertEqual(ratings[len(present):], [None] * (50 - len(present)))
        r = self.pms.get("/library/sections/1/all?sort=noSuchField")
        self.assertEqual(r.status, 400)
        r = self.pms.get("/library/sections/1/all?sort=title:sideways")
        self.assertEqual(r.status, 400)

    def test_integer_filters(self):
        movies = self.all_movies()
        years = {m.get("ratingKey"): int(m.get("year")) for m in movies}
        y = sorted(years.values())[len(years) // 2]
        cases = {">>=": lambda v: v > y, "<<=": lambda v: v < y, ">=": lambda v: v >= y,
                 "<=": lambda v: v <= y, "=": lambda v: v == y, "!=": lambda v: v != y}
        for op, want in cases.items():
            key = "year" + op[:-1]
            got = keys_of(self.pms.xml("/library/sections/1/all?%s=%d" % (
                urllib.parse.quote(key), y))[1])
            self.assertEqual(sorted(got), sorted(k for k, v in years.items() if want(v)), op)
        # a comma is an OR
        two = sorted(set(years.values()))[:2]
        got = keys_of(self.pms.xml("/library/sections/1/all?year=%d,%d" % tuple(two))[1])
        self.assertEqual(sorted(got), sorted(k for k, v in years.items() if v in two))
        r = self.pms.get("/library/sections/1/all?year>>=abc")
        self.assertEqual(r.status, 400)

    def test_string_filters(self):
        movies = self.all_movies()
        titles = {m.get("ratingKey"): m.get("title") for m in movies}

        def want(pred):
            return sorted(k for k, t in titles.items() if pred(t.lower()))

        def got(q):
            return sorted(keys_of(self.pms.xml("/library/sections/1/all?" + q)[1]))

        self.assertEqual(got("title=the"), want(lambda t: "the" in t))
        self.assertEqual(got("title!=the"), want(lambda t: "the" not in t))
        self.assertEqual(got("title<=the"), want(lambda t: t.startswith("the")))
        t0 = titles[sorted(titles)[0]]
        self.assertEqual(got("title==" + urllib.parse.quote(t0)),
                         want(lambda t: t == t0.lower()))
        last = t0.split()[-1]
        self.assertEqual(got("title>=" + urllib.parse.quote(last)),
                         want(lambda t: t.endswith(last.lower())))
        # accents fold: "amelie" finds "Amélie"
        self.assertIn("Amélie", [titles[k] for k in got("title=amelie")])
        # an unknown field is ignored; a bad operator on a known one is 400
        self.assertEqual(len(got("noSuchField=1")), 50)
        self.assertEqual(self.pms.get("/library/sections/1/all?genre>>=3").status, 400)

    def test_tag_filters_by_id_and_name(self):
        _, genres = self.pms.xml("/library/sections/1/genre")
        g = genres.findall("Directory")[0]
        by_id = keys_of(self.pms.xml("/library/sections/1/all?genre=" + g.get("key"))[1])
        by_name = keys_of(self.pms.xml("/library/sections/1/all?genre=" +
                                       urllib.parse.quote(g.get("title")))[1])
        self.assertEqual(by_id, by_name)
        self.assertEqual(len(by_id), int(g.get("count")))
        fast = keys_of(self.pms.xml(g.get("fastKey"))[1])
        self.assertEqual(fast, by_id)
        for rk in by_id:
            _, full = self.pms.xml("/library/metadata/" + rk)
            self.assertIn(g.get("title"), [x.get("tag") for x in
                                           full.find("Video").findall("Genre")])
        not_g = keys_of(self.pms.xml("/library/sections/1/all?genre!=" + g.get("key"))[1])
        self.assertEqual(sorted(by_id + not_g), sorted(keys_of(self.pms.xml(
            "/library/sections/1/all")[1])))
        # counts of a tag list add up to the tags the items carry
        _, countries = self.pms.xml("/library/sections/1/country")
        total = sum(int(d.get("count")) for d in countries.findall("Directory"))
        n = 0
        for m in self.all_movies():
            _, full = self.pms.xml("/library/metadata/" + m.get("ratingKey"))
            n += len(full.find("Video").findall("Country"))
        self.assertEqual(total, n)

    def test_boolean_and_date_filters(self):
        self.assertEqual(len(self.all_movies("?unwatched=1")), 50)
        self.assertEqual(len(self.all_movies("?unwatched=0")), 0)
        self.assertEqual(len(self.all_movies("?inProgress=1")), 0)
        dup = self.all_movies("?duplicate=1")
        self.assertTrue(dup)
        self.assertTrue(all(len(m.findall("Media")) == 2 for m in dup))
        hdr = self.all_movies("?hdr=1")
        self.assertTrue(all(any(md.get("videoResolution") == "4k" for md in m.findall("Media"))
                            for m in hdr))
        movies = self.all_movies()
        recent = sorted(m.get("ratingKey") for m in movies
                        if int(m.get("addedAt")) > EPOCH - 30 * 86400)
        got = sorted(keys_of(self.pms.xml("/library/sections/1/all?" +
                                          urllib.parse.quote("addedAt>>") + "=-30d")[1]))
        self.assertEqual(got, recent)
        old = sorted(m.get("ratingKey") for m in movies if int(m.get("addedAt")) < EPOCH - 86400)
        got = sorted(keys_of(self.pms.xml("/library/sections/1/all?addedAt%3C%3C=-1d")[1]))
        self.assertEqual(got, old)
        got = self.all_movies("?originallyAvailableAt>>=2020-01-01")
        self.assertTrue(all(m.get("originallyAvailableAt") > "2020-01-01" for m in got))
        r = self.pms.get("/library/sections/1/all?unwatched=maybe")
        self.assertEqual(r.status, 400)

    def test_push_pop_or(self):
        movies = self.all_movies()
        years = {m.get("ratingKey"): int(m.get("year")) for m in movies}
        ys = sorted(set(years.values()))
        a, b = ys[0], ys[-1]
        q = "push=1&year=%d&or=1&year=%d&pop=1&title=" % (a, b)
        got = sorted(keys_of(self.pms.xml("/library/sections/1/all?" + q)[1]))
        self.assertEqual(got, sorted(k for k, v in years.items() if v in (a, b)))
        q = "year=%d&or=1&year=%d" % (a, b)
        self.assertEqual(sorted(keys_of(self.pms.xml("/library/sections/1/all?" + q)[1])), got)

    def test_types_and_scopes(self):
        _, eps = self.pms.xml("/library/sections/2/all?type=4")
        eps = items(eps)
        self.assertTrue(eps and all(e.get("type") == "episode" for e in eps))
        _, seasons = self.pms.xml("/library/sections/2/all?type=3")
        self.assertTrue(all(s.get("type") == "season" for s in items(seasons)))
        show = items(self.pms.xml("/library/sections/2/all")[1])[0]
        q = "type=4&show.title==" + urllib.parse.quote(show.get("title"))
        got = items(self.pms.xml("/library/sections/2/all?" + q)[1])
        self.assertEqual(len(got), int(show.get("leafCount")))
        self.assertTrue(all(e.get("grandparentTitle") == show.get("title") for e in got))
        q = "type=4&sourceType=2&title==" + urllib.parse.quote(show.get("title"))
        self.assertEqual(len(items(self.pms.xml("/library/sections/2/all?" + q)[1])), len(got))
        artist = items(self.pms.xml("/library/sections/3/all")[1])[0]
        got = items(self.pms.xml("/library/sections/3/all?type=9&artist.id=" +
                                 artist.get("ratingKey"))[1])
        self.assertEqual(len(got), int(artist.get("childCount")))
        # across sections
        _, every = self.pms.xml("/library/all?type=1")
        self.assertEqual(len(items(every)), 50)
        self.assertEqual(items(every)[0].get("librarySectionID"), "1")
        _, mixed = self.pms.xml("/library/all?title=the")
        self.assertTrue({m.get("type") for m in items(mixed)} >= {"movie"})

    # ---- lists ----

    def test_tag_lists(self):
        _, years = self.pms.xml("/library/sections/1/year")
        ys = [d.get("key") for d in years.findall("Directory")]
        self.assertEqual(ys, sorted(ys, reverse=True))
        self.assertEqual(sum(int(d.get("count")) for d in years.findall("Directory")), 50)
        _, first = self.pms.xml("/library/sections/1/firstCharacter")
        self.assertEqual(sum(int(d.get("size")) for d in first.findall("Directory")), 50)
        _, res = self.pms.xml("/library/sections/1/resolution")
        self.assertIn("4k", [d.get("key") for d in res.findall("Directory")])
        _, tags = self.pms.xml("/library/tags?type=1")
        self.assertIn("Drama", [d.get("tag") for d in tags.findall("Directory")])
        self.assertEqual(self.pms.get("/library/tags").status, 400)

    def test_recently_added_and_on_deck(self):
        _, ra = self.pms.xml("/library/recentlyAdded")
        added = [int(m.get("addedAt")) for m in items(ra)]
        self.assertEqual(added, sorted(added, reverse=True))
        self.assertEqual(len(added), 50)
        self.assertTrue({m.get("type") for m in items(ra)} >= {"movie", "episode"})
        _, ra = self.pms.xml("/library/sections/3/recentlyAdded?X-Plex-Container-Size=5")
        self.assertEqual({m.get("type") for m in items(ra)}, {"album"})
        _, deck = self.pms.xml("/library/onDeck")
        self.assertEqual(deck.get("size"), "0")  # nothing watched yet

    def test_collections_list_is_empty_until_made(self):
        _, root = self.pms.xml("/library/sections/1/collections")
        self.assertEqual(root.get("size"), "0")

    # ---- hubs and search ----

    def test_hubs(self):
        _, root = self.pms.xml("/hubs")
        ids = [h.get("hubIdentifier") for h in root.findall("Hub")]
        self.assertIn("movie.recentlyadded", ids)
        hub = [h for h in root.findall("Hub") if h.get("hubIdentifier") == "movie.recentlyadded"][0]
        self.assertEqual(len(items(hub)), 12)
        self.assertEqual(hub.get("more"), "1")
        _, root = self.pms.xml("/hubs?count=3")
        hub = [h for h in root.findall("Hub") if h.get("hubIdentifier") == "tv.recentlyadded"][0]
        self.assertEqual([e.tag for e in items(hub)], ["Video"] * 3)
        _, root = self.pms.xml("/hubs/sections/2")
        self.assertIn("tv.recentlyadded.2", [h.get("hubIdentifier") for h in root.findall("Hub")])
        self.assertEqual(self.pms.get("/hubs/sections/9").status, 400)
        _, mc = self.pms.json("/hubs/sections/1")
        self.assertIsInstance(mc["Hub"][0]["Metadata"], list)

    def test_hubs_search(self):
        _, root = self.pms.xml("/hubs/search?query=am%C3%A9lie")
        movie = [h for h in root.findall("Hub") if h.get("type") == "movie"][0]
        self.assertEqual(items(movie)[0].get("title"), "Amélie")
        _, root = self.pms.xml("/hubs/search?query=smith&limit=2")
        actors = [h for h in root.findall("Hub") if h.get("type") == "actor"][0]
        hits = actors.findall("Directory")
        self.assertEqual(len(hits), 2)
        self.assertEqual(actors.get("more"), "1")
        self.assertTrue(all("Smith" in d.get("tag") for d in hits))
        fast = items(self.pms.xml(hits[0].get("key"))[1])
        for m in fast:
            _, full = self.pms.xml("/library/metadata/" + m.get("ratingKey"))
            self.assertIn(hits[0].get("tag"), [r.get("tag") for r in
                                               full.find("Video").findall("Role")])
        _, mc = self.pms.json("/hubs/search?query=smith")
        actor = [h for h in mc["Hub"] if h["type"] == "actor"][0]
        self.assertIn("Directory", actor)
        _, root = self.pms.xml("/hubs/search?query=season&sectionId=2")
        self.assertTrue(all(h.get("type") in ("show", "episode", "actor", "director", "genre")
                            for h in root.findall("Hub")))
        self.assertEqual(self.pms.get("/hubs/search").status, 400)

    def test_library_search(self):
        _, root = self.pms.xml("/library/search?query=the&searchTypes=movies&limit=3")
        results = root.findall("SearchResult")
        self.assertEqual(len(results), 3)
        for sr in results:
            float(sr.get("score"))
            self.assertEqual(sr.find("Video").get("type"), "movie")
        _, mc = self.pms.json("/library/search?query=the&searchTypes=music")
        types = {r["Metadata"]["type"] for r in mc.get("SearchResult", [])}
        self.assertTrue(types <= {"artist", "album", "track"})

    def test_json_and_xml_agree(self):
        for path in ("/library/sections/1/all?X-Plex-Container-Size=5", "/library/metadata/1",
                     "/library/metadata/51/children"):
            _, root = self.pms.xml(path)
            _, mc = self.pms.json(path)
            self.assertEqual(keys_of(root), [m["ratingKey"] for m in mc.get("Metadata", [])])
            for x, j in zip(items(root), mc.get("Metadata", [])):
                for k, v in x.attrib.items():
                    jv = j[k]
                    if isinstance(jv, bool):
                        self.assertEqual(v, "1" if jv else "0", (path, k))
                    elif isinstance(jv, float):
                        self.assertEqual(float(v), jv, (path, k))
                    else:
                        self.assertEqual(v, str(jv), (path, k))

if __name__ == "__main__":
    run()
