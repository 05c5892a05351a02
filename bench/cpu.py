"""Who used the CPU during a row: the gunicorn workers, their PostgreSQL backends, wrk, and everything else.

Latencies measured on a shared two-core machine move with whatever else runs
on it. CPU time does much less: the workers' CPU milliseconds per request is
what a request costs the server, whatever the neighbours do, and the CPU used
by other processes during the row says how far to trust its latencies.
Linux only (/proc); elsewhere the figures are left out.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
try:
    TICK = 1 / os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    TICK = 0.01


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return raw[raw.rindex(")") + 2 :].split()


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used, or None if it is gone or unreadable."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) * TICK  # utime, stime: fields 14 and 15 of stat(5)


def children(pid: int) -> list[int]:
    found = []
    for entry in PROC.iterdir() if PROC.is_dir() else []:
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[1]) == pid:  # ppid: field 4 of stat(5)
                found.append(int(entry.name))
    return found


def system_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot."""
    try:
        values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    # user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice]
    busy = sum(values[:8]) - values[3] - values[4] - values[7]
    steal = values[7] if len(values) > 7 else 0
    return busy * TICK, steal * TICK


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Usage:
    """CPU seconds used during one row."""

    server: float  # gunicorn workers
    database: float  # the PostgreSQL backends serving them
    client: float  # wrk
    other: float  # everything else on the machine
    steal: float  # taken by the hypervisor from this virtual machine
    wall: float  # seconds between the two samples


class Sampler:
    def __init__(self, server_pids, database_pids) -> None:
        """server_pids and database_pids: callables returning the pids to account for, read at each sample."""
        self.server_pids = server_pids
        self.database_pids = database_pids
        self.available = (PROC / "stat").exists()

    def _sample(self) -> dict:
        return {
            "server": {pid: process_cpu(pid) for pid in self.server_pids()},
            "database": {pid: process_cpu(pid) for pid in self.database_pids()},
            "system": system_cpu(),
            "children": child_cpu(),
            "wall": time.monotonic(),
        }

    def start(self) -> None:
        self.before = self._sample() if self.available else None
        self.seen = {group: {} for group in ("server", "database")}
        if self.before is not None:
            self._remember(self.before)

    def _remember(self, sample: dict) -> None:
        for group, seen in self.seen.items():
            for pid, value in sample[group].items():
                if value is not None:
                    seen[pid] = value

    def poll(self) -> None:
        """Read the processes now: one that exits before stop() (a pgbench client's backend) still counts,
        up to this reading."""
        if self.available and self.before is not None:
            self._remember(self._sample())

    def stop(self) -> Usage | None:
        if not self.available or self.before is None:
            return None
        after = self._sample()
        self._remember(after)

        def spent(group: str) -> float:
            total = 0.0
            for pid, end in self.seen[group].items():
                begin = self.before[group].get(pid, 0.0)
                if begin is not None:
                    total += max(end - begin, 0.0)
            return total

        server, database = spent("server"), spent("database")
        client = after["children"] - self.before["children"]
        busy = after["system"][0] - self.before["system"][0]
        steal = after["system"][1] - self.before["system"][1]
        return Usage(
            server=server,
            database=database,
            client=client,
            other=max(busy - server - database - client, 0.0),
            steal=steal,
            wall=after["wall"] - self.before["wall"],
        )
