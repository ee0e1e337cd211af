#!/usr/bin/env python3
"""plexsim under load: a few thousand requests from parallel clients, nothing lost."""
import threading
import time
import unittest

from simlib import USER_TOKEN, Sim, run

THREADS = 32
ROUNDS = 20
PER_ROUND = 6  # requests in one simulated sign-in


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Load(unittest.TestCase):
    def test_parallel_sign_ins(self):
        with Sim() as sim:
            sim.control("reset")
            errors = []
            counts = {"ok": 0}
            lock = threading.Lock()

            def worker(n):
                keepalive = n % 2 == 0
                conn = sim.connect() if keepalive else None
                cid = "load-client-%d" % n
                try:
                    for _ in range(ROUNDS):
                        kw = {"conn": conn} if keepalive else {"new_conn": True}
                        r = sim.request("POST", "/api/v2/pins", client_id=cid, **kw)
                        assert r.status == 201, r
                        pin = r.json()
                        path = "/api/v2/pins/%d" % pin["id"]
                        r = sim.request("GET", path, client_id=cid, **kw)
                        assert r.status == 200 and r.json()["authToken"] is None, r
                        r = sim.request("PUT", "/api/v2/pins/link", client_id=cid,
                                        token=USER_TOKEN, form={"code": pin["code"]}, **kw)
                        assert r.status == 204, r
                        r = sim.request("GET", path, client_id=cid, **kw)
                        token = r.json()["authToken"]
                        assert r.status == 200 and token, r
                        r = sim.request("GET", "/api/v2/user", client_id=cid, token=token, **kw)
                        assert r.status == 200 and r.json()["authToken"] == token, r
                        r = sim.request("GET", "/api/v2/geoip", client_id=cid, json_accept=False,
                                        **kw)
                        assert r.status == 200 and r.body.startswith(b"<?xml"), r
                        with lock:
                            counts["ok"] += PER_ROUND
                except Exception as e:  # noqa: BLE001 - collected and reported below
                    with lock:
                        errors.append("thread %d: %r" % (n, e))
                finally:
                    if conn:
                        conn.close()

            t0 = time.monotonic()
            threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.monotonic() - t0
            self.assertEqual(errors, [])
            total = THREADS * ROUNDS * PER_ROUND
            self.assertEqual(counts["ok"], total)
            st = sim.stats()
            req = st["requests"]
            per_route = THREADS * ROUNDS
            self.assertEqual(req["POST /api/v2/pins"], per_route)
            self.assertEqual(req["GET /api/v2/pins/{id}"], 2 * per_route)
            self.assertEqual(req["PUT /api/v2/pins/link"], per_route)
            self.assertEqual(req["GET /api/v2/user"], per_route)
            self.assertEqual(req["GET /api/v2/geoip"], per_route)
            self.assertEqual(req["other"], 0)
            # keep-alive threads use one connection each; the others one per request
            expected = THREADS // 2 + (THREADS // 2) * ROUNDS * PER_ROUND + 1
            self.assertEqual(st["connections"], expected)
            self.assertEqual(st["pins"], 0)  # every token was collected
            print("\n%d requests from %d threads in %.2f s (%.0f/s), plexsim RSS %d KiB"
                  % (total, THREADS, took, total / took, rss_kib(sim.proc.pid)))

    def test_connection_burst(self):
        """Many connections open at once, each waiting on a delayed answer."""
        n = 200
        with Sim("--fault", "GET /api/v2/geoip=delay=500*%d" % n) as sim:
            results = []
            lock = threading.Lock()

            def one():
                try:
                    r = sim.get("/api/v2/geoip", new_conn=True)
                    with lock:
                        results.append(r.status)
                except Exception as e:  # noqa: BLE001
                    with lock:
                        results.append(repr(e))

            t0 = time.monotonic()
            threads = [threading.Thread(target=one) for _ in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.monotonic() - t0
            self.assertEqual(results, [200] * n)
            self.assertLess(took, 20)
            time.sleep(0.3)
            st = sim.stats()
            self.assertEqual(st["requests"]["GET /api/v2/geoip"], n)
            self.assertLessEqual(st["active_connections"], 2)


if __name__ == "__main__":
    run()
