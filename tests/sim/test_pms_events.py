#!/usr/bin/env python3
"""plexsim's media-server event stream on the wire (GET /:/eventsource/notifications):
its framing (text/event-stream, chunked, a ping at once and every event_ping_ms), the
filters, each notification's payload (the bare object keyed by kind), many subscribers,
a reader that does not read (the others get everything; it is closed once it falls out
of the ring), subscribers that go away, /__sim/reset, and the stream fault tokens
(silent, close, endless, junk) beside the generic ones (garbage, truncate)."""
import json
import select
import socket
import time
import unittest
import urllib.parse

from simlib import CLIENT_ID, USER_TOKEN, Sim, SimCase, run

PING_MS = 100
ROUTE = "GET /:/eventsource/notifications"


class Stream:
    """One subscriber on a raw socket: the response head, then the chunked body
    decoded as it arrives and split into SSE messages (type, data)."""

    def __init__(self, pms, query="", token=USER_TOKEN, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", pms.port))
        path = "/:/eventsource/notifications" + ("?" + query if query else "")
        head = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                "X-Plex-Client-Identifier: %s\r\n" % (path, CLIENT_ID))
        if token:
            head += "X-Plex-Token: %s\r\n" % token
        self.sock.sendall((head + "\r\n").encode())
        self.raw = b""      # bytes received, not yet decoded
        self.body = b""     # decoded body, not yet split into messages
        self.total = 0      # decoded body bytes so far
        self.ended = False  # the last chunk (0) came
        self.eof = False    # the connection closed
        while b"\r\n\r\n" not in self.raw:
            if not self._recv(10):
                raise AssertionError("no response head: %r" % self.raw)
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"

    def _recv(self, timeout):
        """Receive what comes within timeout; False on timeout or EOF."""
        if self.eof:
            return False
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            data = b""
        if not data:
            self.eof = True
            return False
        self.raw += data
        return True

    def _decode(self):
        if not self.chunked:
            self.body += self.raw
            self.total += len(self.raw)
            self.raw = b""
            return
        while not self.ended:
            if b"\r\n" not in self.raw:
                return
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self.ended = True
                self.raw = rest
                return
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.total += size
            self.raw = rest[size + 2:]

    def pump(self, timeout):
        """Read for at most timeout seconds (until something new came)."""
        got = self._recv(timeout)
        self._decode()
        return got

    def message(self, timeout=10):
        """The next SSE message (type, data), or None if none came in time or
        the stream ended."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.body:
            left = deadline - time.monotonic()
            if left <= 0 or self.ended or not self.pump(left):
                if b"\n\n" not in self.body:
                    return None
        msg, self.body = self.body.split(b"\n\n", 1)
        etype, data = "message", []
        for line in msg.decode(errors="replace").split("\n"):
            if line.startswith("event:"):
                etype = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        return etype, "\n".join(data)

    def until(self, etype, timeout=10, skip_pings=True):
        """Messages up to and including the next of etype; [] if it did not come."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.message(deadline - time.monotonic())
            if m is None:
                return []
            if m[0] != "ping" or not skip_pings:
                seen.append(m)
            if m[0] == etype:
                return seen
        return []

    def close(self):
        self.sock.close()


class Events(SimCase):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.sim.control("config", event_ping_ms=PING_MS).status, 200)
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()

    def open(self, query="", **kw):
        s = Stream(self.pms, query, **kw)
        self.streams.append(s)
        return s

    def pref(self, value):
        r = self.pms.request("PUT", "/:/prefs?FriendlyName=" + urllib.parse.quote(value))
        self.assertEqual(r.status, 200)

    def log_lines(self, lines):
        body = "\n".join("level=2&message=%s&source=wire" % urllib.parse.quote(m) for m in lines)
        r = self.pms.request("POST", "/log", body=body.encode())
        self.assertEqual(r.status, 200, r)

    # ---- framing ----

    def test_stream_head_and_pings(self):
        s = self.open()
        self.assertEqual(s.status, 200)
        self.assertEqual(s.headers["content-type"], "text/event-stream")
        self.assertTrue(s.chunked)
        self.assertEqual(s.headers["x-plex-protocol"], "1.0")
        self.assertEqual(s.headers["cache-control"], "no-cache")
        # a ping at once, then one per interval
        for _ in range(4):
            self.assertEqual(s.message(5), ("ping", "{}"))
        # the raw framing: "event: T\ndata: D\n\n"
        self.pref("Framing")
        s.until("preference")
        self.pref("Framing 2")
        while b"event: preference" not in s.body:
            self.assertTrue(s.pump(5))
        i = s.body.index(b"event: preference")
        self.assertTrue(s.body[i:].startswith(b"event: preference\ndata: {\"Setting\":{"))

    def test_no_token(self):
        for tok in (None, "wrong"):
            s = self.open(token=tok)
            self.assertEqual(s.status, 401)

    def test_filters(self):
        default, logs, everything, no_pref, two = (
            self.open(), self.open("filters=log"), self.open("filters="),
            self.open("filters=-preference"), self.open("filters=preference,log"))
        self.log_lines(["one"])
        self.pref("Filtered")
        self.log_lines(["two"])
        # everything: log, preference, log, in order
        self.assertEqual([m[0] for m in everything.until("log")], ["log"])
        self.assertEqual([m[0] for m in everything.until("log")], ["preference", "log"])
        self.assertEqual([m[0] for m in two.until("log")], ["log"])
        self.assertEqual([m[0] for m in two.until("log")], ["preference", "log"])
        # the default is everything but logs: the preference only
        self.assertEqual([m[0] for m in default.until("preference")], ["preference"])
        self.pref("After")
        self.assertEqual([m[0] for m in default.until("preference")], ["preference"])
        self.assertEqual([m[0] for m in logs.until("log")], ["log"])
        self.assertEqual([m[0] for m in logs.until("log")], ["log"])
        self.assertEqual([m[0] for m in no_pref.until("log")], ["log"])
        self.assertEqual([m[0] for m in no_pref.until("log")], ["log"])  # no preference between

    # ---- payloads ----

    def payload(self, s, etype, key):
        msgs = s.until(etype)
        self.assertTrue(msgs, "no %s notification" % etype)
        body = json.loads(msgs[-1][1])
        self.assertEqual(list(body), [key])
        self.assertIsInstance(body[key], dict)  # the bare payload: an object keyed by kind
        return body[key]

    def test_payloads(self):
        s = self.open("filters=")
        self.pref("Payloads")
        p = self.payload(s, "preference", "Setting")
        self.assertEqual((p["id"], p["value"], p["type"]), ("FriendlyName", "Payloads", "text"))
        self.log_lines(["a log line & more"])
        p = self.payload(s, "log", "Log")
        self.assertEqual((p["level"], p["message"], p["source"]), (2, "a log line & more", "wire"))
        self.assertEqual(self.pms.request("POST", "/butler/CleanOldBundles").status, 200)
        a = self.payload(s, "activity", "ActivityNotification")
        self.assertEqual(a["event"], "started")
        self.assertEqual(a["uuid"], a["Activity"]["uuid"])
        self.assertEqual(a["Activity"]["type"], "butler.task")
        self.assertEqual(a["Activity"]["Context"], {"name": "CleanOldBundles"})
        self.assertEqual(self.pms.request("POST", "/library/sections/3/refresh").status, 200)
        st = self.payload(s, "status", "StatusNotification")
        self.assertEqual(st["notificationName"], "LIBRARY_UPDATE")
        r = self.pms.request("PUT", "/:/prefs?ManualPortMappingMode=1")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.payload(s, "reachability", "ReachabilityNotification"),
                         {"reachability": True})
        # a playback
        rk = self.pms.json("/library/sections/1/all?X-Plex-Container-Size=1")[1]["Metadata"][0][
            "ratingKey"]
        r = self.pms.request("POST", "/:/timeline?ratingKey=%s&state=paused&time=42000"
                             "&duration=600000" % rk)
        self.assertEqual(r.status, 200)
        p = self.payload(s, "playing", "PlaySessionStateNotification")
        self.assertEqual((p["ratingKey"], p["key"], p["state"], p["viewOffset"]),
                         (rk, "/library/metadata/" + rk, "paused", 42000))
        self.assertEqual(p["clientIdentifier"], CLIENT_ID)
        self.assertIsInstance(p["sessionKey"], str)
        self.assertTrue(p["guid"].startswith("plex://"))

    # ---- many subscribers, slow ones, gone ones ----

    def test_many_subscribers(self):
        subs = [self.open("filters=log") for _ in range(40)]
        lines = ["line %d" % i for i in range(300)]
        self.log_lines(lines)
        for s in subs:
            got = []
            while len(got) < 300:
                m = s.message(10)
                self.assertIsNotNone(m)
                if m[0] == "log":
                    got.append(json.loads(m[1])["Log"]["message"])
            self.assertEqual(got, lines)

    def test_slow_reader_and_gone_readers(self):
        slow = self.open("filters=log", rcvbuf=4096)
        fast = self.open("filters=log")
        gone = [self.open("filters=log") for _ in range(10)]
        for g in gone:
            self.assertEqual(g.message(5), ("ping", "{}"))
        before = self.sim.stats()["event_streams"]
        self.assertGreaterEqual(before, len(gone) + 2)
        for g in gone:  # they go away without a word
            g.sock.shutdown(socket.SHUT_RDWR)
            g.close()
        self.streams = [s for s in self.streams if s not in gone]
        # the server notices at its next write (a ping) and lets them go (counted
        # as event streams: other connections come and go with the test's requests)
        deadline = time.monotonic() + 10
        while (self.sim.stats()["event_streams"] > before - len(gone) and
               time.monotonic() < deadline):
            time.sleep(PING_MS / 1000.0)
        self.assertLessEqual(self.sim.stats()["event_streams"], before - len(gone))
        n = 0
        for batch in range(100):  # 100,000 events: more than the ring and the socket buffers
            self.log_lines(["b%d-%d" % (batch, i) for i in range(1000)])
            n += 1000
            # the fast reader keeps up: everything, in order, whatever the slow one does
            got = 0
            while got < 1000:
                m = fast.message(10)
                self.assertIsNotNone(m, "fast reader starved at batch %d" % batch)
                if m[0] == "log":
                    self.assertEqual(json.loads(m[1])["Log"]["message"], "b%d-%d" % (batch, got))
                    got += 1
        # the slow one fell out of the ring: it gets some, then the server closes it
        received = 0
        while True:
            m = slow.message(10)
            if m is None:
                break
            received += m[0] == "log"
        self.assertTrue(slow.eof, "the lagging stream was not closed")
        self.assertLess(received, n)
        self.assertGreater(received, 0)
        # the server is still fine: a new subscriber works
        s = self.open("filters=log")
        self.log_lines(["after"])
        self.assertEqual(json.loads(s.until("log")[-1][1])["Log"]["message"], "after")

    def test_reset_closes_streams(self):
        s = self.open()
        self.assertEqual(s.message(5), ("ping", "{}"))
        self.assertEqual(self.sim.control("reset").status, 200)
        while s.pump(5):
            pass
        self.assertTrue(s.eof or s.ended)

    # ---- faults ----

    def test_silent(self):
        self.sim.fault(ROUTE, "silent=1")
        s = self.open()
        self.assertEqual(s.message(5), ("ping", "{}"))
        self.pref("Unheard")
        # ten ping intervals and an event: nothing comes
        self.assertIsNone(s.message(10 * PING_MS / 1000.0))
        self.assertFalse(s.eof)
        # the next subscriber is not silent
        t = self.open()
        self.pref("Heard")
        self.assertTrue(t.until("preference"))

    def test_close(self):
        self.sim.fault(ROUTE, "close=2")
        s = self.open()
        self.assertEqual(s.message(5), ("ping", "{}"))
        self.assertEqual(s.message(5), ("ping", "{}"))
        self.assertIsNone(s.message(5))
        self.assertTrue(s.ended)  # a clean end of the chunked body

    def test_endless(self):
        self.sim.fault(ROUTE, "endless=1")
        s = self.open()
        self.assertEqual(s.message(5), ("ping", "{}"))
        while s.total < 2 * 1024 * 1024:
            self.assertTrue(s.pump(5))
            self.assertNotIn(b"\n", s.body)  # one line, never ending
            s.body = s.body[-16:]
        self.assertTrue(s.body.endswith(b"x"))

    def test_junk(self):
        self.sim.fault(ROUTE, "junk=1")
        s = self.open()
        self.assertEqual(s.message(5), ("ping", "{}"))
        msgs = s.until("playing")
        self.assertTrue(msgs)
        with self.assertRaises(ValueError):
            json.loads(msgs[-1][1])
        self.pref("After the junk")  # and it goes on
        self.assertTrue(s.until("preference"))

    def test_generic_faults(self):
        self.sim.fault(ROUTE, "garbage")
        s = self.open()
        self.assertEqual(s.status, 200)
        self.assertTrue(s.headers["content-type"].startswith("application/json"))
        self.sim.fault(ROUTE, "503")
        self.assertEqual(self.open().status, 503)
        self.sim.fault(ROUTE, "truncate")
        s = self.open("filters=log")
        self.log_lines(["truncated %d" % i for i in range(1200)])
        while s.pump(5):
            pass
        self.assertTrue(s.eof)
        self.assertFalse(s.ended)  # cut: no last chunk
        self.assertEqual(s.total, 64 * 1024)
        r = self.sim.control("fault", route=ROUTE, seq="silent=x")
        self.assertEqual(r.status, 400)


if __name__ == "__main__":
    run()
