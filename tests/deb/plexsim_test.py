#!/usr/bin/env python3
"""The installed plexsim and plex together (tests/deb/installed_test.sh runs this).

plexsim ($PLEXSIM) starts on 127.0.0.1 with --port 0 and simlib.Sim reads its
LISTENING line; plex (from PATH) signs in against it and whoami shows the
simulated user; plexsim then stops on SIGTERM with exit status 0.

usage: PLEXSIM=/usr/bin/plexsim PYTHONPATH=tests/sim python3 tests/deb/plexsim_test.py
"""
import re
import subprocess
import sys
import tempfile

import simlib


def plex(sim, config, *args):
    """Run the plex on PATH against sim; its stdout, or AssertionError."""
    r = subprocess.run(["plex", "--base-url", sim.base, "--config-dir", config, *args],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("plex %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                         r.stderr))
    return r.stdout


def main():
    with tempfile.TemporaryDirectory() as config:
        with simlib.Sim("--approve-after", "1") as sim:
            print("ok   %s --port 0: %s" % (simlib.PLEXSIM, sim.line))
            plex(sim, config, "login", "--poll-interval", "0.1")
            print("ok   plex login against it")
            out = plex(sim, config, "whoami")
            if not re.search(r"(?im)^user: *plexsim$", out):
                raise AssertionError("plex whoami does not show the user plexsim:\n" + out)
            print("ok   plex whoami: the simulated user")
        print("ok   plexsim stopped on SIGTERM with exit 0")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL %s" % e)
        sys.exit(1)
