"""The load generators: wrk (through wrk_report.lua) for HTTP, pgbench for the SQL ceiling.

wrk, not a Python client: client, gunicorn and PostgreSQL share two cores, and
wrk (an event loop in C) costs a few percent of one at these rates (bench/README.md).
"""

from __future__ import annotations

import glob
import json
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scenarios import Scenario

HERE = Path(__file__).resolve().parent


@dataclass
class Measurement:
    scenario: str
    concurrency: int
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes_per_response: float = 0.0
    bad: int = 0  # answers that are not the scenario's status (pgbench: failed transactions)
    first_bad_status: int = 0
    wrong: int = 0  # answers 200 without the scenario's content (content type, body_count, the cold row's checks)
    first_wrong: str = ""
    socket_errors: dict[str, int] = field(default_factory=dict)
    note: str = ""  # pgbench's own failure
    driver: str = "wrk"
    #: CPU seconds of the row (cpu.Usage), and the requests they served: each wrk connection's
    #: last request is still answered after wrk stops; rows measured together share theirs.
    cpu: dict[str, float] = field(default_factory=dict)
    cpu_requests: int = 0
    extra: dict = field(default_factory=dict)  # the mail scenarios' own figures (bench/mail.py)

    def cpu_ms_per_request(self, who: str) -> float | None:
        if who not in self.cpu or not self.cpu_requests:
            return None
        return self.cpu[who] * 1000 / self.cpu_requests

    def cores(self, who: str) -> float | None:
        return self.cpu[who] / self.cpu["wall"] if self.cpu.get("wall") and who in self.cpu else None

    @property
    def errors(self) -> int:
        return self.bad + self.wrong + sum(self.socket_errors.values()) + (1 if self.note else 0)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.errors == 0

    def error_summary(self) -> str:
        parts = [f"{count} {name} errors" for name, count in self.socket_errors.items()]
        if self.bad and self.driver == "pgbench":
            parts.append(f"{self.bad} failed transactions")
        elif self.bad:
            parts.append(f"{self.bad} answers with another status (the first: {self.first_bad_status})")
        if self.wrong:
            parts.append(f"{self.wrong} answers 200 without the expected content (the first: {self.first_wrong})")
        return ", ".join(parts + [self.note] * bool(self.note) + ["no request completed"] * (not self.requests))

    def as_dict(self) -> dict:
        return {**asdict(self), "errors": self.errors}


def find(program: str, package: str) -> str:
    """Path of `program` (pgbench: Debian puts it in /usr/lib/postgresql/<version>/bin)."""
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{program}")
    found = shutil.which(program) or max(candidates, key=lambda path: int(path.split("/")[4]), default=None)
    if not found:
        raise SystemExit(f"bench: {program} is missing: `sudo apt-get install {package}`, then make bench again.")
    return found


def version(program: str) -> str:
    result = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0].split(" Copyright")[0]


@dataclass
class Tickets:
    """The seed's check-in ticket files; each fresh ticket is sent once, across rows and warm-ups."""

    fresh: str
    scanned: str
    used: int = 0


def start_wrk(wrk: str, base_url: str, scenario: Scenario, connections: int, seconds: float, tickets: Tickets):
    """Start wrk for one scenario; finish_wrk() waits for it and reads its report."""
    first = scenario.requests[0]
    if any((r.method, r.body, r.headers) != (first.method, first.body, first.headers) for r in scenario.requests):
        raise ValueError(f"scenario {scenario.name!r}: its requests must share method, body and headers")
    command = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout=10s", "-s", "wrk_report.lua"]
    for name, value in first.headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [base_url + first.path, "--", f"method={first.method}", f"body={first.body}", f"run={time.time_ns()}"]
    command += [f"status={scenario.status}"] * (scenario.status is not None)
    command += [f"content_type={scenario.content_type}"] * bool(scenario.content_type)
    if scenario.body_count:
        command += [f"count_text={scenario.body_count[0]}", f"count={scenario.body_count[1]}"]
    if "{ticket}" in first.body:
        command += [f"fresh={tickets.fresh}", f"scanned={tickets.scanned}", f"fresh_start={tickets.used}"]
    command += [request.path for request in scenario.requests]
    process = subprocess.Popen(command, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return scenario, connections, tickets, process


def finish_wrk(started) -> Measurement:
    scenario, connections, tickets, process = started
    stdout, stderr = process.communicate()
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {process.returncode}) for {scenario.name}:\n{stdout}{stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    tickets.used += data["fresh_used"]
    count = data["requests"]
    return Measurement(
        scenario=scenario.name,
        concurrency=connections,
        requests=count,
        rps=count / (data["duration_us"] / 1e6),
        **{f"{name}_ms": value / 1000 for name, value in data["latency_us"].items()},
        bytes_per_response=data["bytes"] / count if count else 0.0,
        bad=data["bad"],
        first_bad_status=data["first_bad_status"],
        wrong=data["wrong"],
        first_wrong=data["first_wrong"],
        socket_errors={name: n for name, n in data["errors"].items() if n},
        cpu_requests=count + connections,
    )


def start_pgbench(
    pgbench: str, scenario: Scenario, clients: int, seconds: float, dbname: str, log_prefix: Path, **variables
):
    """pgbench with --log: it prints only the average latency; the percentiles come from the log."""
    for path in glob.glob(f"{log_prefix}.*"):
        Path(path).unlink()
    command = [pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(max(1, round(seconds)))]
    command += ["-f", str(HERE / scenario.pgbench), "-h", "127.0.0.1", "-U", "postgres"]
    command += [f"-D{name}={value}" for name, value in variables.items()]
    command += ["--log", f"--log-prefix={log_prefix}", dbname]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def statements(scenario: Scenario) -> list[str]:
    """A pgbench script's SQL statements (meta-commands and comments left out)."""
    lines = (line.split("--", 1)[0].strip() for line in (HERE / scenario.pgbench).read_text().splitlines())
    text = " ".join(line for line in lines if line and not line.startswith("\\"))
    return [statement.strip() + ";" for statement in text.split(";") if statement.strip()]


def finish_pgbench(process, scenario: Scenario, clients: int, log_prefix: Path) -> Measurement:
    output = process.communicate()[0]

    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    latencies = []
    for path in glob.glob(f"{log_prefix}.*"):
        # Fields: client, transaction, latency in microseconds ("failed" for a failure), ...
        latencies += [int(f[2]) / 1000 for f in map(str.split, Path(path).read_text().splitlines()) if f[2].isdigit()]
        Path(path).unlink()
    latencies = sorted(latencies) or [0.0]
    count = int(number(r"number of transactions actually processed: (\d+)"))
    failed = process.returncode != 0 or not count
    return Measurement(
        scenario=scenario.name,
        concurrency=clients,
        requests=count,
        rps=number(r"tps = ([\d.]+) \(without initial connection time\)"),
        **{f"p{q}_ms": latencies[min(len(latencies) - 1, len(latencies) * q // 100)] for q in (50, 90, 99)},
        max_ms=latencies[-1],
        mean_ms=number(r"latency average = ([\d.]+) ms"),
        bad=int(number(r"number of failed transactions: (\d+)")),
        note=f"pgbench exited with {process.returncode}: {output[-300:]}" if failed else "",
        driver="pgbench",
        cpu_requests=count,
    )
