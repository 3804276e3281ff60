"""Ends the processes of a local Ray when the `ko-brief` driver that started it is gone, even
after `kill -9`: ray_backend runs this file as a small process of its own (its own session, so
Ctrl-C and a closed terminal do not end it first).

    python ray_reaper.py NAME=VALUE    # standard input: a pipe from the driver

Ray's processes are the ones whose environment holds NAME=VALUE, the marker the driver put in the
environment of the Ray it started (they inherit it whatever process group or parent they end up
with: Ray moves its workers to groups of their own), and their descendants. The descendants count
because Ray's node agents (DashboardAgent, RuntimeEnvAgent) rewrite their process title over the
environment /proc shows, so the marker cannot be read there; they are children of the raylet. So
while the driver runs, the reaper notes once a second every marked process and every descendant
of one (with its start time, so that a reused process id is never taken for it). When its
standard input closes (the driver ended or died: the kernel closes the pipe either way) it kills
all of them that still run, and whatever marked process appears for a while after. Ray ends its
core with the driver, but the agents would outlive it by a minute or more (reparented once the
raylet is gone), one of them ignoring SIGTERM. Written by hand: Ray has no option for this.
Linux only (it reads /proc); only the standard library, so it starts in a few milliseconds. It
tells what it killed on stderr, which goes nowhere unless ``KO_BRIEF_REAPER_LOG`` names a file
(tests).
"""
from __future__ import annotations

import os
import select
import signal
import sys
import time
from pathlib import Path

NOTE_EVERY_S = 1.0  # how often Ray's processes are noted while the driver runs
GIVE_UP_S = 10  # a process that spawns others while being killed is followed this long at most
# Done once no marked process has been seen for this long: one empty scan can race a fork, and on
# a busy machine a process caught between fork and exec shows no environment for a while.
QUIET_S = 2.0


def _stat(entry: Path) -> tuple[str, int, int]:
    """State, parent id and start time (clock ticks since boot) from /proc/PID/stat."""
    fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
    return fields[0].decode(), int(fields[1]), int(fields[19])


def processes() -> dict[int, tuple[str, int, int]]:
    """pid -> (state, parent id, start time) of every process but this one."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            table[int(entry.name)] = _stat(entry)
        except (OSError, IndexError, ValueError):  # gone meanwhile
            continue
    return table


def _has(pid: int, marker: bytes) -> bool:
    try:
        return marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:  # gone meanwhile, or another user's
        return False


def marked(marker: bytes) -> list[int]:
    """The live processes (other than this one) whose environment holds ``marker``; a zombie (killed,
    not yet collected by its parent) is dead already and not listed."""
    return [pid for pid, (state, _, _) in processes().items() if state != "Z" and _has(pid, marker)]


def family(marker: bytes, known: dict[int, int]) -> dict[int, int]:
    """``known`` (pid -> start time) with every live marked process and every descendant of a
    known or marked one added, and the processes that ended (or whose id was reused) left out."""
    table = processes()
    out = {pid: start for pid, start in known.items() if pid in table and table[pid][2] == start and table[pid][0] != "Z"}
    out.update({pid: row[2] for pid, row in table.items() if row[0] != "Z" and pid not in out and _has(pid, marker)})
    grew = True
    while grew:  # children may be listed before their parents
        grew = False
        for pid, (state, parent, start) in table.items():
            if pid not in out and parent in out and state != "Z":
                out[pid] = start
                grew = True
    return out


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:100]
    except OSError:
        return "?"


def _wait_for_the_driver(marker: bytes) -> dict[int, int]:
    """Note Ray's processes every NOTE_EVERY_S until standard input closes; the last note."""
    known: dict[int, int] = {}
    stdin = sys.stdin.buffer.raw
    while True:
        ready, _, _ = select.select([stdin], [], [], NOTE_EVERY_S)
        if ready and not stdin.read(4096):
            return known
        known = family(marker, known)


def main() -> None:
    marker = sys.argv[1].encode()
    known = _wait_for_the_driver(marker)
    start = last_seen = time.monotonic()
    print(f"pipe closed; reaping {sys.argv[1]} and {len(known)} noted processes", file=sys.stderr, flush=True)
    while time.monotonic() < min(start + GIVE_UP_S, last_seen + QUIET_S):
        known = family(marker, known)
        for pid in known:
            last_seen = time.monotonic()
            command = _command(pid)
            try:
                os.kill(pid, signal.SIGKILL)
                print(f"{last_seen - start:.2f} s: killed {pid} {command}", file=sys.stderr, flush=True)
            except OSError:  # gone meanwhile
                pass
        time.sleep(0.05)
    print(f"{time.monotonic() - start:.2f} s: done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
