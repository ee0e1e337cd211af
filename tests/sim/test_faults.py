#!/usr/bin/env python3
"""plexsim: every fault token, from --fault and from /__sim/fault, on every route."""
import http.client
import json
import socket
import threading
import time
import unittest

from simlib import CLIENT_ID, ROUTES, USER_TOKEN, Sim, SimCase, run

HUGE = 64 * 1024 * 1024


def route_request(sim, route, pin, conn=None):
    """Send a request that matches `route`; returns the Response."""
    method, path = route.split(" ", 1)
    path = path.replace("{id}", str(pin["id"])).replace("{code}", pin["code"])
    form = {"code": pin["code"]} if route == "PUT /api/v2/pins/link" else None
    return sim.request(method, path, token=USER_TOKEN, form=form,
                       conn=conn, new_conn=conn is None)


class Faults(SimCase):
    def poll(self, pin, **kw):
        return self.sim.get("/api/v2/pins/%d" % pin["id"], new_conn=True, **kw)

    def test_status_tokens(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/pins/{id}", "429,500,503,401,404")
        r = self.poll(pin)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("Retry-After"), "1")
        self.assertEqual(r.json()["errors"][0]["code"], 1003)
        for status, code in ((500, None), (503, None), (401, 1001), (404, 1020)):
            r = self.poll(pin)
            self.assertEqual(r.status, status)
            e = r.json()["errors"][0]
            self.assertEqual(e["status"], status)
            self.assertIsInstance(e["message"], str)
            if code:
                self.assertEqual(e["code"], code)
            self.assertIsNone(r.header("Retry-After"))
        # then normal behaviour resumes
        r = self.poll(pin)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["id"], pin["id"])

    def test_status_token_in_xml(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/pins/{id}", "429")
        r = self.poll(pin, json_accept=False)
        self.assertEqual(r.status, 429)
        self.assertIn("xml", r.header("Content-Type"))
        root = r.xml()
        self.assertEqual(root.tag, "errors")
        self.assertEqual(root[0].get("code"), "1003")

    def test_drop(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/pins/{id}", "drop")
        conn = self.sim.connect()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.sim.request("GET", "/api/v2/pins/%d" % pin["id"], conn=conn)
        conn.close()
        self.assertEqual(self.poll(pin).status, 200)
        # a dropped request is still counted
        self.assertEqual(self.sim.stats()["requests"]["GET /api/v2/pins/{id}"], 2)

    def test_delay_does_not_block_others(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/pins/{id}", "delay=3000")
        result = {}

        def slow():
            t0 = time.monotonic()
            result["r"] = self.poll(pin)
            result["t"] = time.monotonic() - t0

        th = threading.Thread(target=slow)
        th.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        for _ in range(5):
            self.assertEqual(self.sim.get("/api/v2/geoip", new_conn=True).status, 200)
        self.assertEqual(self.poll(pin).status, 200)  # the same route, unfaulted now
        fast = time.monotonic() - t0
        self.assertTrue(th.is_alive())  # the delayed answer is still pending
        th.join()
        self.assertLess(fast, 2.5)
        self.assertEqual(result["r"].status, 200)
        self.assertGreaterEqual(result["t"], 2.9)

    def test_many_delays_in_parallel(self):
        self.sim.fault("GET /api/v2/geoip", "delay=700*20")
        out = []

        def one():
            out.append(self.sim.get("/api/v2/geoip", new_conn=True).status)

        t0 = time.monotonic()
        threads = [threading.Thread(target=one) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        self.assertEqual(out, [200] * 20)
        self.assertLess(took, 7.0)  # 20 x 0.7 s one after another would be 14 s

    def test_truncate(self):
        self.sim.fault("POST /api/v2/pins", "truncate")
        req = ("POST /api/v2/pins HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
               "X-Plex-Client-Identifier: %s\r\nContent-Length: 0\r\n\r\n" % CLIENT_ID)
        out = self.sim.raw(req.encode())
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 201"), head)
        length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")][0]
        self.assertEqual(len(body), length // 2)
        self.assertTrue(body.startswith(b'{"id":'))
        # http.client sees it as an incomplete read
        self.sim.fault("GET /api/v2/geoip", "truncate")
        conn = self.sim.connect()
        conn.request("GET", "/api/v2/geoip", headers={"Accept": "application/json",
                                                      "X-Plex-Client-Identifier": "x"})
        r = conn.getresponse()
        with self.assertRaises(http.client.IncompleteRead):
            r.read()
        conn.close()
        # an empty answer (204) cannot be cut in half: the connection just closes
        pin = self.sim.new_pin()
        self.sim.fault("PUT /api/v2/pins/link", "truncate")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            route_request(self.sim, "PUT /api/v2/pins/link", pin)

    def test_garbage(self):
        pin = self.sim.new_pin()
        self.sim.fault("GET /api/v2/pins/{id}", "garbage")
        r = self.poll(pin)
        self.assertEqual(r.status, 200)
        self.assertIn("application/json", r.header("Content-Type"))
        with self.assertRaises(ValueError):
            json.loads(r.body.decode("utf-8"))

    def test_html(self):
        self.sim.fault("POST /api/v2/pins", "html")
        r = self.sim.post("/api/v2/pins", new_conn=True)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn(b"<html>", r.body)
        # nothing was created
        self.assertEqual(self.sim.stats()["pins"], 0)

    def test_huge(self):
        self.sim.fault("GET /api/v2/user", "huge")
        conn = self.sim.connect(timeout=60)
        conn.request("GET", "/api/v2/user", headers={"Accept": "application/json",
                                                     "X-Plex-Client-Identifier": "x"})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.getheader("Content-Length")), HUGE)
        total, first, last = 0, b"", b""
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            if not first:
                first = chunk[:16]
            last = (last + chunk)[-16:]
            total += len(chunk)
        conn.close()
        self.assertEqual(total, HUGE)
        self.assertTrue(first.startswith(b'{"data":"aaa'))
        self.assertTrue(last.endswith(b'aaa"}'))

    def test_huge_abandoned_by_client(self):
        self.sim.fault("GET /api/v2/user", "huge")
        s = socket.create_connection(("127.0.0.1", self.sim.port))
        s.sendall(b"GET /api/v2/user HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 200"))
        s.close()
        time.sleep(0.2)
        self.assertEqual(self.sim.get("/api/v2/geoip", new_conn=True).status, 200)

    def test_every_route_takes_faults(self):
        for route in ROUTES:
            self.sim.control("reset")
            pin = self.sim.new_pin()
            self.sim.fault(route, "418,garbage")
            r = route_request(self.sim, route, pin)
            self.assertEqual(r.status, 418, route)
            self.assertIsInstance(r.json()["errors"][0]["code"], int)
            r = route_request(self.sim, route, pin)
            self.assertEqual(r.status, 200, route)
            self.assertTrue(r.body.startswith(b'{"id":308667304'), route)
            r = route_request(self.sim, route, pin)
            self.assertIn(r.status, (200, 201, 204), (route, r))

    def test_faults_only_hit_their_route(self):
        self.sim.fault("GET /api/v2/user", "500")
        self.assertEqual(self.sim.get("/api/v2/geoip").status, 200)
        self.assertEqual(self.sim.post("/api/v2/pins").status, 201)
        self.assertEqual(self.sim.get("/api/v2/user", token=USER_TOKEN).status, 500)
        self.assertEqual(self.sim.get("/api/v2/user", token=USER_TOKEN).status, 200)

    def test_sequences_and_repeats(self):
        r = self.sim.fault("GET /api/v2/geoip", "500*3,delay=10,204")
        self.assertEqual(r.json()["queued"], 5)
        self.sim.fault("GET /api/v2/geoip", "502")  # appended
        self.assertEqual(self.sim.stats()["faults_pending"], 6)
        got = [self.sim.get("/api/v2/geoip").status for _ in range(7)]
        self.assertEqual(got, [500, 500, 500, 200, 204, 502, 200])
        self.assertEqual(self.sim.stats()["faults_pending"], 0)

    def test_route_with_plus_for_space(self):
        r = self.sim.request("POST", "/__sim/fault?route=GET+/api/v2/geoip&seq=503",
                             client_id=None, new_conn=True)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.sim.get("/api/v2/geoip").status, 503)

    def test_bad_fault_requests(self):
        for route, seq in (("GET /api/v2/nope", "500"), ("GET /api/v2/geoip", "teapot"),
                           ("GET /api/v2/geoip", "99"), ("GET /api/v2/geoip", "600"),
                           ("GET /api/v2/geoip", "delay=-1"), ("GET /api/v2/geoip", "delay=x"),
                           ("GET /api/v2/geoip", "500,"), ("GET /api/v2/geoip", ""),
                           ("GET /api/v2/geoip", "drop*0"), ("GET /__sim/stats", "500"),
                           ("GET /api/v2/geoip", "500*5000")):
            r = self.sim.control("fault", route=route, seq=seq)
            self.assertEqual(r.status, 400, (route, seq))
            self.assertIn("errors", r.json())
        self.assertEqual(self.sim.control("fault", seq="500").status, 400)
        self.assertEqual(self.sim.stats()["faults_pending"], 0)


class CommandLineFaults(unittest.TestCase):
    def test_fault_option(self):
        with Sim("--fault", "GET /api/v2/pins/{id}=429,drop,html",
                 "--fault", "POST /api/v2/pins=503",
                 "--fault", "GET /api/v2/pins/{id}=truncate") as sim:
            self.assertEqual(sim.stats()["faults_pending"], 5)
            self.assertEqual(sim.post("/api/v2/pins").status, 503)
            pin = sim.new_pin()
            conn = sim.connect()
            r = sim.get("/api/v2/pins/%d" % pin["id"], conn=conn)
            self.assertEqual(r.status, 429)
            self.assertEqual(r.header("Retry-After"), "1")
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
                sim.get("/api/v2/pins/%d" % pin["id"], conn=conn)
            conn.close()
            r = sim.get("/api/v2/pins/%d" % pin["id"], new_conn=True)
            self.assertTrue(r.header("Content-Type").startswith("text/html"))
            conn = sim.connect()
            conn.request("GET", "/api/v2/pins/%d" % pin["id"],
                         headers={"X-Plex-Client-Identifier": CLIENT_ID})
            with self.assertRaises(http.client.IncompleteRead):
                conn.getresponse().read()
            conn.close()
            self.assertEqual(sim.get("/api/v2/pins/%d" % pin["id"],
                                     new_conn=True).status, 200)


if __name__ == "__main__":
    run()
