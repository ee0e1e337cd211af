"""plex on a terminal (a pseudo-terminal): the download's progress bar
(percent, bytes, rate, time left, redrawn on one line), Ctrl-C during a
download (exit 130, the partial file kept and named, resumed by the next
run), tables sized to the terminal (titles cut with an ellipsis, bold
headers, no colours with NO_COLOR), and plex events (lines cut to the
terminal, Ctrl-C).

Environment: PLEX, PLEXSIM, SRC. Exit 77 (skipped) when this plexsim has no
media server.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import unittest

SRC = os.environ["SRC"]
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
import simlib  # noqa: E402

PLEX = os.environ["PLEX"]


class Terminal:
    """plex ARGS on a new pseudo-terminal of COLS x 24."""

    def __init__(self, args, env, cols=100, cwd=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if cwd:
                os.chdir(cwd)
            os.execve(PLEX, [PLEX] + args, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        self.out = b""
        self.status = None

    def read_until(self, pattern, timeout=30):
        """Read until the output matches (the match, or None at EOF or timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.out)
            if m:
                return m
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    return re.search(pattern, self.out)
                self.out += data
        return None

    def finish(self, timeout=60):
        self.read_until(b"(?!)", timeout)  # to EOF
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status


class PtyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory()
        cls.sim = simlib.Sim()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.home.cleanup()

    def env(self, **more):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PLEX_") and k not in ("COLUMNS", "NO_COLOR")}
        e.update({"HOME": self.home.name, "PLEX_TOKEN": simlib.USER_TOKEN, "TERM": "xterm",
                  "PLEX_SERVER": self.sim.pms.base, "PLEX_BASE_URL": self.sim.base,
                  "LC_ALL": "C.UTF-8"})
        e.update(more)
        return e

    def test_download_bar_and_ctrl_c(self):
        # an episode: hundreds of MB, long enough to see the bar and stop it
        ep = self.sim.pms.json("/library/sections/2/all?type=4")[1]["Metadata"][0]
        part = self.sim.pms.json("/library/metadata/" + ep["ratingKey"])[1]["Metadata"][0][
            "Media"][0]["Part"][0]
        name = os.path.basename(part["file"])
        with tempfile.TemporaryDirectory() as d:
            t = Terminal(["download", ep["ratingKey"], "-o", d], self.env())
            bar = rb"\r\x1b\[K.*?([4-9]|[1-9]\d)%  [\d.]+ [kMG]?B / [\d.]+ [kMG]?B  [\d.]+ [kMG]?B/s  \d+:\d\d left"
            m = t.read_until(bar)
            self.assertIsNotNone(m, t.out[-2000:])
            self.assertIn(name[:10].encode(), t.out)
            self.assertIn(b"[#", t.out)  # the bar itself
            self.assertIn(b"\x1b[1m", t.out)  # bold on a terminal
            # Ctrl-C, as the terminal sends it
            os.write(t.fd, b"\x03")
            code = t.finish()
            self.assertEqual(code, 130, t.out[-2000:])
            partial = os.path.join(d, name + ".plexpart")
            self.assertRegex(t.out.decode("utf-8", "replace"),
                             r"plex: interrupted: the partial file %s is kept; run the same "
                             r"command again to resume" % re.escape(partial))
            self.assertTrue(os.path.exists(partial))
            have = os.path.getsize(partial)
            self.assertGreater(have, 0)
            self.assertLess(have, part["size"])
            self.assertFalse(os.path.exists(os.path.join(d, name)))
            # the same command resumes it (not on a terminal: no bar)
            r = subprocess.run([PLEX, "download", ep["ratingKey"], "-o", d], env=self.env(),
                               capture_output=True, timeout=300)
            self.assertEqual(r.returncode, 0, r)
            self.assertRegex(r.stdout.decode(), r"^Resuming .*\nDownloaded ")
            self.assertNotIn(b"\r", r.stdout)
            self.assertEqual(os.path.getsize(os.path.join(d, name)), part["size"])
            self.assertFalse(os.path.exists(partial))

    def test_table_on_terminal(self):
        t = Terminal(["ls", "1", "--limit", "8"], self.env(), cols=40)
        self.assertEqual(t.finish(), 0, t.out)
        text = t.out.decode("utf-8")
        self.assertIn("\x1b[1m", text)  # the header in bold
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in text.replace("\r", "").splitlines()]
        self.assertEqual(len(lines), 9, text)
        self.assertTrue(all(len(ln) <= 40 for ln in lines), lines)
        self.assertTrue(any("\u2026" in ln for ln in lines), lines)  # a title cut
        t = Terminal(["ls", "1", "--limit", "3"], self.env(NO_COLOR="1"), cols=40)
        self.assertEqual(t.finish(), 0, t.out)
        self.assertNotIn(b"\x1b[", t.out)

    def test_events_on_terminal(self):
        """plex events on a narrow terminal: lines cut to its width (never
        wrapped), and Ctrl-C ends it (130)."""
        t = Terminal(["events"], self.env(), cols=50)
        n = 0
        while t.read_until(rb"preference +FriendlyName", 0.5) is None and n < 120:
            n += 1  # until the stream is open: a preference change shows
            r = self.sim.pms.request("PUT", "/:/prefs?FriendlyName=pty-%d" % n)
            self.assertEqual(r.status, 200, r)
        self.assertLess(n, 120, t.out[-2000:])
        self.sim.pms.request("POST", "/butler/DeepMediaAnalysis")
        m = t.read_until(rb"activity +started Perform Extensive[^\r\n]*\r?\n")
        self.assertIsNotNone(m, t.out[-2000:])
        os.write(t.fd, b"\x03")
        self.assertEqual(t.finish(), 130, t.out[-2000:])
        text = t.out.decode("utf-8")
        self.assertIn("plex: interrupted", text)
        lines = [ln for ln in text.replace("\r", "").splitlines() if re.match(r"\d\d:", ln)]
        self.assertTrue(lines and all(len(ln) <= 50 for ln in lines), lines)
        self.assertTrue(any(ln.endswith("\u2026") for ln in lines), lines)  # a line cut


if __name__ == "__main__":
    probe = simlib.Sim()
    has_pms = hasattr(probe, "pms")
    probe.stop()
    if not has_pms:
        print("SKIP: this plexsim has no media server")
        sys.exit(77)
    unittest.main(verbosity=2)
