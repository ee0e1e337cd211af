#!/usr/bin/env python3
"""examples/play against plexsim's media server (issue 16): the example picks a
movie, asks for a decision, prints a direct-play or transcode URL with its token
masked, reports a playback on the timeline with its fake clock (buffering, 60 s
playing every 10 s, a pause kept alive, the end) and stops the transcode; the
server then shows the item's progress and no session or transcode left."""
import os
import re
import subprocess

import simlib
from simlib import Sim

PLAY = os.environ.get("PLAY_EXAMPLE", "play")


class ExamplePlayTest(simlib.unittest.TestCase):
    def run_play(self, sim, *args):
        r = subprocess.run([PLAY, "--server", sim.pms.base, *args],
                           env=dict(os.environ, PLEX_TOKEN=simlib.USER_TOKEN),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_play(self):
        with Sim("--library-size", "10") as sim:
            out = self.run_play(sim)
            m = re.search(r"^item (\d+): ", out, re.M)
            self.assertIsNotNone(m, out)
            rk = m.group(1)
            self.assertRegex(out, r"\n(direct play|transcode): http://127\.0\.0\.1:\d+/")
            self.assertNotIn(simlib.USER_TOKEN, out)  # masked
            self.assertIn("X-Plex-Token=***", out)
            states = re.findall(r"timeline (\w+) +at (\d+) ms", out)
            self.assertEqual(states[0], ("buffering", "0"))
            self.assertEqual(states[-1], ("stopped", "80000"))
            self.assertEqual(len(states), 12, out)  # changes, every 10 s, the stop
            # what the server shows afterwards
            _, mc = sim.pms.json("/library/metadata/" + rk)
            self.assertEqual(mc["Metadata"][0]["viewOffset"], 80000)
            _, s = sim.pms.json("/status/sessions")
            self.assertEqual(s["size"], 0)
            _, t = sim.pms.json("/transcode/sessions")
            self.assertEqual(t["size"], 0)
            # a bitrate limit: the decision says why it transcodes
            out = self.run_play(sim, "--max-bitrate", "500")
            self.assertRegex(out, r"direct play 300\d: ")
            self.assertIn("\ntranscode: ", out)

    def test_usage(self):
        r = subprocess.run([PLAY], capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in os.environ.items() if k != "PLEX_TOKEN"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: play", r.stderr)


if __name__ == "__main__":
    simlib.run()
