"""Who used the CPU during a row, from /proc: gunicorn's workers, their PostgreSQL backends,
the load generator, everything else.

On a shared two-core machine latencies move with the neighbours; CPU time per request
much less, and the others' CPU says how far to trust a row's latencies.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICK = 1 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return raw[raw.rindex(")") + 2 :].split()  # after the command name, which may hold spaces


def children(pid: int) -> list[int]:
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return [child for child in pids if (fields := _stat(child)) and int(fields[1]) == pid]


def _busy() -> float:
    """CPU seconds the machine has been busy since boot (idle, iowait and steal left out)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4] - ticks[7]) * TICK


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk and pgbench, once waited for
    return usage.ru_utime + usage.ru_stime


@dataclass
class Usage:
    server: float
    database: float
    client: float
    other: float
    wall: float


class Sampler:
    """start(); poll() as often as a process may exit (pgbench's backends); stop().

    Further groups (`redis=...`) are counted as the client's CPU in Usage, and each group's
    CPU seconds are in `spent` after stop()."""

    def __init__(self, server_pids, database_pids, **groups) -> None:
        # callables: the pids now
        self.groups = {"server": server_pids, "database": database_pids, **groups}
        self.spent: dict[str, float] = {}

    def start(self) -> None:
        self.first: dict[str, dict[int, float]] = {group: {} for group in self.groups}
        self.last: dict[str, dict[int, float]] = {group: {} for group in self.groups}
        self.begin = (_busy(), _children_cpu(), time.monotonic())
        self.poll(starting=True)

    def poll(self, starting: bool = False) -> None:
        for group, pids in self.groups.items():
            for pid in pids():
                if fields := _stat(pid):
                    # A process born during the row spent all its CPU (utime + stime) in it.
                    self.last[group][pid] = (int(fields[11]) + int(fields[12])) * TICK
                    self.first[group].setdefault(pid, self.last[group][pid] if starting else 0.0)

    def stop(self) -> Usage:
        self.poll()
        self.spent = {g: sum(self.last[g][pid] - self.first[g][pid] for pid in self.last[g]) for g in self.groups}
        server, database = self.spent["server"], self.spent["database"]
        busy, client, wall = (
            _busy() - self.begin[0],
            _children_cpu() - self.begin[1] + sum(self.spent.values()) - server - database,
            time.monotonic() - self.begin[2],
        )
        return Usage(server, database, client, max(busy - server - database - client, 0.0), wall)
