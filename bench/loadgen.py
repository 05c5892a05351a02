"""The load generators: wrk (https://github.com/wg/wrk), driven through bench/wrk_report.lua,
and pgbench for the SQL ceiling of a write.

Why wrk and not a Python client: the server, PostgreSQL and the client share the
same two cores. wrk is one C thread on an event loop and costs a few percent of
one core at these rates, where a threaded Python client would take a large share
of a core (and hold the GIL) just to send requests and time them, starving the
gunicorn workers it measures. See bench/README.md.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scenarios import Scenario

HERE = Path(__file__).resolve().parent
LUA_SCRIPT = HERE / "wrk_report.lua"
WRK_TIMEOUT = "10s"  # a response slower than this counts as an error (timeout)


@dataclass
class Measurement:
    scenario: str
    concurrency: int
    duration_s: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes_per_response: float
    status: dict[str, int]
    socket_errors: dict[str, int]
    first_bad_status: int
    #: Responses that are not a success: not `expected_status` if the scenario names one, else not 2xx.
    #: For pgbench: failed transactions.
    bad: int = 0
    expected_status: int | None = None
    #: Values of the scenario's `tally` field in the answers (e.g. confirmed / waitlisted).
    tally: dict[str, int] = field(default_factory=dict)
    #: Check-in tickets sent, by kind: fresh, repeat, forged.
    mix: dict[str, int] = field(default_factory=dict)
    driver: str = "wrk"
    #: What went wrong beyond counts (pgbench aborted, its message).
    note: str = ""
    #: CPU seconds used from the start of the row until the server had answered every request of it
    #: (bench/cpu.py): server, database, client, other, steal; and `wall`, the seconds that took.
    cpu: dict[str, float] = field(default_factory=dict)

    def cpu_ms_per_request(self, who: str) -> float | None:
        """CPU milliseconds per request served. When wrk stops, each connection has one request
        outstanding, which the server still answers (and the CPU figures include): hence + concurrency."""
        if who not in self.cpu or not self.requests:
            return None
        outstanding = self.concurrency if self.driver == "wrk" else 0
        return self.cpu[who] * 1000 / (self.requests + outstanding)

    def cores(self, who: str) -> float | None:
        """Average number of cores `who` kept busy during the row."""
        if who not in self.cpu or not self.cpu.get("wall"):
            return None
        return self.cpu[who] / self.cpu["wall"]

    @property
    def errors(self) -> int:
        socket = sum(count for name, count in self.socket_errors.items() if name != "status")
        return self.bad + socket + (1 if self.note else 0)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.errors == 0

    def error_summary(self) -> str:
        if self.driver == "pgbench":
            parts = [f"{self.bad} failed transactions"] if self.bad else []
        else:
            parts = [f"{count} x {name}" for name, count in self.status.items() if name != "2xx" and count]
            if self.expected_status is not None and self.bad:
                parts.append(f"{self.bad} answers not {self.expected_status}")
        parts += [f"{count} {name} errors" for name, count in self.socket_errors.items() if name != "status" and count]
        if self.first_bad_status:
            parts.append(f"first bad status {self.first_bad_status}")
        if self.note:
            parts.append(self.note)
        if not self.requests:
            parts.append("no request completed")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {**asdict(self), "errors": self.errors, "ok": self.ok}


@dataclass
class TicketPool:
    """The seed's ticket files, and how many fresh tickets earlier wrk runs used (each is sent once)."""

    fresh: str
    scanned: str
    used: int = 0

    @property
    def total(self) -> int:
        with open(self.fresh) as file:
            return sum(1 for line in file if line.strip())


def ensure_wrk() -> str:
    """Path of wrk; installs Debian's package when it is missing and we may (root)."""
    return _ensure("wrk", "wrk", "the load generator wrk")


def ensure_pgbench() -> str:
    """Path of pgbench: on the PATH or, as Debian installs it, in /usr/lib/postgresql/<version>/bin."""
    return _ensure("pgbench", "postgresql-contrib", "pgbench (the SQL ceiling of registration-rush)")


def _find(program: str) -> str | None:
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{program}")
    newest = sorted(candidates, key=lambda path: [int(n) for n in re.findall(r"\d+", path)], reverse=True)
    return shutil.which(program) or next(iter(newest), None)


def _ensure(program: str, package: str, what: str) -> str:
    """Path of `program`; installs Debian's `package` when it is missing and we may (root)."""
    path = _find(program)
    if path:
        return path
    if shutil.which("apt-get") and os.geteuid() == 0:
        print(f"{program} is missing: installing Debian's package (apt-get install -y {package})...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "env": env}
        if subprocess.run(["apt-get", "install", "-y", "-q", package], check=False, **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-q", package], check=False, **quiet)
        path = _find(program)
        if path:
            return path
    raise SystemExit(
        f"bench: {what} is not installed. Install it (Debian/Ubuntu: `sudo apt-get install {package}`) "
        "and run `make bench` again."
    )


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk (unknown version)"


def pgbench_version(pgbench: str) -> str:
    result = subprocess.run([pgbench, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "pgbench (unknown version)"


def wrk_command(
    wrk: str,
    base_url: str,
    scenario: Scenario,
    concurrency: int,
    duration: float,
    tickets: TicketPool | None = None,
) -> list[str]:
    requests = scenario.requests
    methods = {request.method for request in requests}
    bodies = {request.body for request in requests}
    headers = {tuple(sorted(request.headers.items())) for request in requests}
    if len(methods) > 1 or len(bodies) > 1 or len(headers) > 1:
        # wrk_report.lua takes one method, body and header set per scenario; extend it if a scenario needs more.
        raise ValueError(f"scenario {scenario.name!r}: requests must share method, body and headers")
    threads = min(concurrency, int(os.environ.get("BENCH_WRK_THREADS", "1")))
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={concurrency}",
        f"--duration={max(1, round(duration))}s",
        f"--timeout={WRK_TIMEOUT}",
        f"--script={LUA_SCRIPT}",
    ]
    for name, value in requests[0].headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(base_url + requests[0].path)
    command += [
        "--",
        f"method={requests[0].method}",
        f"body={requests[0].body}",
        f"threads={threads}",
        f"run={time.time_ns() // 1000}",
    ]
    if scenario.status is not None:
        command.append(f"status={scenario.status}")
    if scenario.tally:
        command.append(f"tally={scenario.tally}")
    if "{ticket}" in requests[0].body:
        if tickets is None:
            raise ValueError(f"scenario {scenario.name!r} sends tickets: it needs the seed's ticket files")
        command += [f"fresh={tickets.fresh}", f"scanned={tickets.scanned}", f"fresh_start={tickets.used}"]
    command += [request.path for request in requests]
    return command


def run(
    wrk: str,
    base_url: str,
    scenario: Scenario,
    concurrency: int,
    duration: float,
    tickets: TicketPool | None = None,
) -> Measurement:
    command = wrk_command(wrk, base_url, scenario, concurrency, duration, tickets)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed (exit {result.returncode}) for {scenario.name} at {concurrency} connections:\n"
            f"$ {' '.join(command)}\n{result.stdout}{result.stderr}"
        )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    if tickets is not None and "{ticket}" in scenario.requests[0].body:
        tickets.used = max(tickets.used, data["fresh_next"])
    seconds = data["duration_us"] / 1e6
    latency = data["latency_us"]
    count = data["requests"]
    return Measurement(
        scenario=scenario.name,
        concurrency=concurrency,
        duration_s=round(seconds, 3),
        requests=count,
        rps=count / seconds if seconds else 0.0,
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        mean_ms=latency["mean"] / 1000,
        bytes_per_response=data["bytes"] / count if count else 0.0,
        status=data["status"],
        socket_errors=data["errors"],
        first_bad_status=data["first_bad_status"],
        bad=data["bad"],
        expected_status=scenario.status,
        tally=data["tally"],
        mix=data["mix"] if any(data["mix"].values()) else {},
    )


# --- pgbench ----------------------------------------------------------------


class Pgbench:
    """One pgbench run of a scenario's script: start(), poll() until done, then measurement().

    `variables` are passed with -D (e.g. hot=<event id>). With `log`, pgbench
    writes each transaction's latency (--log), from which the percentiles come;
    pgbench itself only prints the average.
    """

    def __init__(
        self,
        pgbench: str,
        scenario: Scenario,
        clients: int,
        duration: float,
        *,
        dsn: dict[str, str],
        variables: dict[str, str],
        log_dir: Path,
        log: bool,
    ) -> None:
        self.scenario = scenario
        self.clients = clients
        self.log_prefix = log_dir / f"pgbench-{scenario.name}"
        self.log = log
        self.command = [
            pgbench,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(2, clients)),
            "-T",
            str(max(1, round(duration))),
            "-f",
            str(HERE / scenario.pgbench_script),
            "-h",
            dsn["host"],
            "-p",
            dsn["port"],
            "-U",
            dsn["user"],
        ]
        for name, value in variables.items():
            self.command += ["-D", f"{name}={value}"]
        if log:
            self.command += ["--log", f"--log-prefix={self.log_prefix}"]
        self.command.append(dsn["dbname"])
        self.process: subprocess.Popen | None = None

    def _log_files(self) -> list[str]:
        return glob.glob(f"{self.log_prefix}.*")

    def start(self) -> None:
        for path in self._log_files():
            os.remove(path)
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.running():
            self.process.terminate()
            self.process.wait(timeout=10)

    def measurement(self) -> Measurement:
        stdout, stderr = self.process.communicate()
        output = stdout + stderr
        processed = _number(r"number of transactions actually processed: (\d+)", output)
        failed = _number(r"number of failed transactions: (\d+)", output) or 0
        tps = _number(r"tps = ([\d.]+) \(without initial connection time\)", output, float) or 0.0
        average = _number(r"latency average = ([\d.]+) ms", output, float) or 0.0
        latencies = sorted(self._latencies_us())
        note = ""
        if self.process.returncode != 0 or processed is None:
            note = (
                f"pgbench exited with {self.process.returncode}: "
                + " / ".join(
                    line for line in output.splitlines() if "error" in line.lower() or "abort" in line.lower()
                )[:300]
            )
        count = processed or 0

        def pct(q: float) -> float:
            if not latencies:
                return 0.0
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000

        seconds = count / tps if tps else 0.0
        return Measurement(
            scenario=self.scenario.name,
            concurrency=self.clients,
            duration_s=round(seconds, 3),
            requests=count,
            rps=tps,
            p50_ms=pct(0.50),
            p90_ms=pct(0.90),
            p99_ms=pct(0.99),
            max_ms=latencies[-1] / 1000 if latencies else 0.0,
            mean_ms=average,
            bytes_per_response=0.0,
            status={},
            socket_errors={},
            first_bad_status=0,
            bad=failed,
            driver="pgbench",
            note=note,
        )

    def _latencies_us(self) -> list[int]:
        """Per-transaction latencies from the --log files (field 3: microseconds; "failed" for failures)."""
        values = []
        for path in self._log_files():
            with open(path) as file:
                for line in file:
                    fields = line.split()
                    if len(fields) >= 3 and fields[2].isdigit():
                        values.append(int(fields[2]))
            os.remove(path)
        return values


def _number(pattern: str, text: str, kind=int):
    found = re.search(pattern, text)
    return kind(found.group(1)) if found else None
