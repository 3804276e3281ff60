"""Ends the processes of a local Ray when the `ko-brief` driver that started it is gone, even
after `kill -9`: ray_backend runs this file as a small process of its own (its own session, so
Ctrl-C and a closed terminal do not end it first).

    python ray_reaper.py NAME=VALUE    # standard input: a pipe from the driver

It waits until its standard input closes (the driver ended or died: the kernel closes the pipe
either way), then kills every process whose environment holds NAME=VALUE, the marker the driver
put in the environment of the Ray it started. Ray's processes all inherit it, whatever process
group or parent they end up with (Ray moves its workers to groups of their own). Ray ends its core
with the driver, but its node agents (DashboardAgent, RuntimeEnvAgent) outlive it by a minute or
more, one of them ignoring SIGTERM. Written by hand: Ray has no option for this. Linux only (it
reads /proc); only the standard library, so it starts in a few milliseconds.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

GIVE_UP_S = 10  # a process that spawns others while being killed is followed this long at most
# Done once no marked process has been seen for this long: one empty scan can race a fork, and on
# a busy machine a process caught between fork and exec shows no environment for a while.
QUIET_S = 2.0


def marked(marker: bytes) -> list[int]:
    """The live processes (other than this one) whose environment holds ``marker``; a zombie (killed,
    not yet collected by its parent) is dead already and not listed."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0") and not _zombie(entry):
                found.append(int(entry.name))
        except (OSError, IndexError):  # gone meanwhile (an empty stat), or another user's
            continue
    return found


def _zombie(entry: Path) -> bool:
    """State Z in /proc/PID/stat (the field after the parenthesised command name)."""
    return (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"


def main() -> None:
    marker = sys.argv[1].encode()
    sys.stdin.buffer.read()  # until the driver's end of the pipe closes
    deadline = time.monotonic() + GIVE_UP_S
    last_seen = time.monotonic()
    while time.monotonic() < min(deadline, last_seen + QUIET_S):
        for pid in marked(marker):
            last_seen = time.monotonic()
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:  # gone meanwhile
                pass
        time.sleep(0.05)


if __name__ == "__main__":
    main()
