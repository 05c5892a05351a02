"""What bench/RESULTS.md says: the machine, the set-up and the figures."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from loadgen import Measurement
from scenarios import Scenario

ROOT = Path(__file__).resolve().parent.parent
#: Cores kept busy by other processes above which a row's latencies are flagged as disturbed.
NOISY_CORES = 0.2


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    else:
        model = platform.processor() or platform.machine()
    if " hypervisor " in f" {_read('/proc/cpuinfo')} ":
        model += " (virtual machine)"
    return model


def ram() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def os_name() -> str:
    pretty = next(
        (
            line.split("=", 1)[1].strip().strip('"')
            for line in _read("/etc/os-release").splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    return f"{pretty}, kernel {platform.release()}"


def git_commit() -> str:
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    subject = _git("log", "-1", "--format=%s")
    changed = [line for line in _git("status", "--porcelain").splitlines() if line.strip()]
    text = f"`{commit}` ({subject})"
    if changed:
        text += f", plus {len(changed)} uncommitted change(s) in the working tree"
    return text


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass
class Check:
    """A scenario's check of the database after its row (run.py's CHECKS)."""

    scenario: str
    goal: str
    passed: bool
    text: str


@dataclass
class Run:
    command: str
    started: str
    duration_s: float
    warmup_s: float
    wrk_version: str
    wrk_threads: int
    postgres_version: str
    redis_version: str
    seed_summary: str
    settings: dict[str, str]
    load_before: tuple[float, float, float]
    scenarios: list[Scenario]
    pgbench_version: str = ""
    measurements: list[Measurement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    queries: dict[str, list[dict]] = field(default_factory=dict)
    load_after: tuple[float, float, float] | None = None
    #: Fresh check-in tickets the load used, of those the seed made.
    tickets_used: int | None = None
    tickets_total: int | None = None

    def machine(self) -> list[tuple[str, str]]:
        try:
            usable = len(os.sched_getaffinity(0))
        except AttributeError:
            usable = os.cpu_count() or 0
        return [
            ("CPU", cpu_model()),
            ("Cores", f"{os.cpu_count()} logical ({usable} usable by this process)"),
            ("RAM", ram()),
            ("OS", os_name()),
            ("Python", platform.python_version()),
            ("Django", package_version("Django")),
            ("Django REST framework", package_version("djangorestframework")),
            ("gunicorn", package_version("gunicorn")),
            ("PostgreSQL", self.postgres_version),
            ("Redis", self.redis_version),
            ("Load generator", self.wrk_version + (f"; {self.pgbench_version}" if self.pgbench_version else "")),
            ("Git commit", git_commit()),
            ("Load average (1/5/15 min) before the run", _loadavg(self.load_before)),
            ("Load average (1/5/15 min) after the run", _loadavg(self.load_after)),
        ]


def _loadavg(values: tuple[float, float, float] | None) -> str:
    return " / ".join(f"{value:.2f}" for value in values) if values else "n/a"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _opt_ms(value: float | None) -> str:
    return "n/a" if value is None else _ms(value)


def _server_ms(m: Measurement) -> str:
    return "n/a" if m.driver == "pgbench" else _opt_ms(m.cpu_ms_per_request("server"))


def _kb(m: Measurement) -> str:
    return "n/a" if m.driver == "pgbench" else f"{m.bytes_per_response / 1024:.1f}"


def _load(m: Measurement) -> str:
    cores = m.cores("other")
    if cores is None:
        return "n/a"
    return f"⚠ {cores:.2f}" if cores > NOISY_CORES else f"{cores:.2f}"


def _queries(run: Run, name: str) -> str:
    counts = [row["queries"] for row in run.queries.get(name, [])]
    return " / ".join(str(count) for count in counts) if counts else "n/a"


def _row(run: Run, name: str, concurrency: int | None = None) -> Measurement | None:
    return next(
        (m for m in run.measurements if m.scenario == name and (concurrency is None or m.concurrency == concurrency)),
        None,
    )


def _latency_target(run: Run, scenario: Scenario, which: str, target: float) -> str:
    row = _row(run, scenario.name, scenario.target_concurrency)
    goal = f"{which} under {target:g} ms at {scenario.target_concurrency} connections"
    if row is None:
        return f"- **{scenario.name}**: {goal} — not measured in this run."
    if not row.ok:
        return f"- **{scenario.name}**: {goal} — **not met**: the run had errors ({row.error_summary()})."
    value = getattr(row, f"{which}_ms")
    verdict = "**met**" if value < target else "**NOT met**"
    line = f"- **{scenario.name}**: {goal} — {verdict}: {which} = {_ms(value)} ms"
    server_ms = row.cpu_ms_per_request("server")
    if server_ms is not None:
        line += f"; the worker alone spends {_ms(server_ms)} ms of CPU per request"
        database_ms = row.cpu_ms_per_request("database")
        if database_ms is not None:
            line += f" (its PostgreSQL backend {_ms(database_ms)} ms)"
        if server_ms >= target:
            line += ", so no quieter machine would meet it"
    other = row.cores("other")
    if other is not None and other > NOISY_CORES:
        line += f" (other processes kept {other:.2f} cores busy during this row)"
    return line + "."


def _ceiling_target(run: Run, scenario: Scenario) -> str:
    row = _row(run, scenario.name, scenario.target_concurrency)
    ceiling = _row(run, scenario.ceiling)
    ratio_goal = scenario.target_ceiling_ratio
    goal = (
        f"requests/s at {scenario.target_concurrency} connections at least {ratio_goal:g} of the SQL ceiling "
        f"({scenario.ceiling})"
    )
    if row is None or ceiling is None:
        missing = scenario.name if row is None else scenario.ceiling
        return f"- **{scenario.name}**: {goal} — not measured in this run ({missing} was not run)."
    if not row.ok or not ceiling.ok:
        bad = row if not row.ok else ceiling
        return f"- **{scenario.name}**: {goal} — **not met**: {bad.scenario} had errors ({bad.error_summary()})."
    ratio = row.rps / ceiling.rps if ceiling.rps else 0.0
    verdict = "**met**" if ratio >= ratio_goal else "**NOT met**"
    line = (
        f"- **{scenario.name}**: {goal} — {verdict}: {row.rps:.1f} requests/s ÷ {ceiling.rps:.1f} transactions/s "
        f"= **{ratio:.3f}**"
    )
    server_ms, database_ms = row.cpu_ms_per_request("server"), row.cpu_ms_per_request("database")
    ceiling_db = ceiling.cpu_ms_per_request("database")
    if server_ms is not None and database_ms is not None and ceiling_db is not None:
        line += (
            f". Per registration the workers spend {_ms(server_ms)} ms of CPU and their PostgreSQL backends "
            f"{_ms(database_ms)} ms, against {_ms(ceiling_db)} ms of PostgreSQL CPU per pgbench transaction"
        )
    other = [m.cores("other") for m in (row, ceiling)]
    if any(value is not None and value > NOISY_CORES for value in other):
        line += " (measured while other processes kept cores busy: see Other load)"
    return line + "."


def target_lines(run: Run) -> list[str]:
    lines = []
    checks = {check.scenario: check for check in run.checks}
    for scenario in run.scenarios:
        if scenario.target_p50_ms is not None:
            lines.append(_latency_target(run, scenario, "p50", scenario.target_p50_ms))
        if scenario.target_p99_ms is not None:
            lines.append(_latency_target(run, scenario, "p99", scenario.target_p99_ms))
        if scenario.target_ceiling_ratio is not None:
            lines.append(_ceiling_target(run, scenario))
        if scenario.check:
            check = checks.get(scenario.name)
            if check is None:
                lines.append(f"- **{scenario.name}**: database check `{scenario.check}` — not run.")
            else:
                verdict = "**PASS**" if check.passed else "**FAIL**"
                lines.append(f"- **{scenario.name}**: {check.goal} — {verdict}: {check.text}.")
        if scenario.driver == "pgbench":
            for row in (m for m in run.measurements if m.scenario == scenario.name):
                if not row.ok:
                    lines.append(f"- **{scenario.name}**: the ceiling — not measured: {row.error_summary()}.")
                    continue
                line = (
                    f"- **{scenario.name}**: no target of its own, it is the ceiling the app's rows are compared "
                    f"with: {row.rps:.1f} transactions/s with {row.concurrency} clients, latency average "
                    f"{_ms(row.mean_ms)} ms, p50 {_ms(row.p50_ms)} ms, p99 {_ms(row.p99_ms)} ms"
                )
                database_ms = row.cpu_ms_per_request("database")
                if database_ms is not None:
                    line += f"; {_ms(database_ms)} ms of PostgreSQL CPU per transaction"
                lines.append(line + ".")
    return lines


def answer_lines(run: Run) -> list[str]:
    """What the write scenarios' answers said, and the check-in tickets sent, row by row."""
    lines = []
    for m in run.measurements:
        if not m.tally and not m.mix:
            continue
        line = f"- **{m.scenario}** at {m.concurrency} connections:"
        if m.mix:
            kinds = ("fresh", "repeat", "forged")
            line += " tickets sent: " + ", ".join(f"{m.mix.get(kind, 0)} {kind}" for kind in kinds) + ";"
        line += " answers: " + (", ".join(f"{count} {name}" for name, count in sorted(m.tally.items())) or "none")
        lines.append(line + ".")
    if run.tickets_used is not None and run.tickets_total:
        used = min(run.tickets_used, run.tickets_total)
        lines.append(
            f"- Fresh tickets used by the check-in rows, warm-ups included: {used:,} of the {run.tickets_total:,} "
            "the seed made" + (" (all used: the later ones became repeats)." if used >= run.tickets_total else ".")
        )
    return lines


def render(run: Run) -> str:
    out = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` at each run (overwritten; do not edit by hand). How it works: bench/README.md.",
        "",
        "## Command",
        "",
        "```",
        run.command,
        "```",
        "",
        f"Run on {run.started}. Each row: {run.warmup_s:g} s of warm-up (discarded), then {run.duration_s:g} s "
        f"measured, closed loop (each connection sends its next request when the previous answer arrives).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in run.machine()),
        "",
        "## Set-up",
        "",
        "- Server: `gunicorn fortnight.wsgi:application --workers 2` (sync workers) on a free 127.0.0.1 port, "
        "access log off; one gunicorn per set of scenario settings (see Scenarios). Sync workers close the "
        "connection after each response, so every request opens a new TCP connection on loopback.",
        f"- Load generator: {run.wrk_version}, {run.wrk_threads} thread, on the same machine: client, "
        "gunicorn and PostgreSQL share the same cores."
        + (
            f" The SQL ceiling: {run.pgbench_version}, `-c 8 -j 2`, straight to PostgreSQL (gunicorn up "
            "but idle meanwhile); its Requests are transactions, its latencies from `--log`."
            if run.pgbench_version
            else ""
        ),
        "- Database: PostgreSQL, database `fortnight_bench` dropped, recreated and migrated at each run; "
        "cache and broker: Redis db 14 (flushed).",
        "- Settings (environment): " + ", ".join(f"`{k}={v}`" for k, v in run.settings.items()) + ".",
        f"- Data (bench/seed.py): {run.seed_summary}.",
        "",
        "## Results",
        "",
        "Latencies (p50 … max) in milliseconds, as the client sees them: connect + request + response. "
        "KB/resp includes headers. SQL/req is counted separately (see below). "
        "Server CPU and DB CPU: CPU milliseconds per request of the gunicorn workers and of their "
        "PostgreSQL backends, read from /proc (requests still in flight when wrk stops included); "
        "they move much less than latencies with the machine's other load. "
        "Other load: cores kept busy by processes other than gunicorn, its PostgreSQL backends and wrk "
        f"(rows above {NOISY_CORES:g} are marked ⚠: their latencies are inflated by the neighbours). "
        "Errors = responses other than the scenario's status (any 2xx when it names none: the write scenarios "
        "want exactly 201 or 200) + socket errors + timeouts, and for pgbench failed transactions; any error "
        "fails the row and `make bench`.",
        "",
        "| Scenario | Request | Conns | Requests | Req/s | p50 | p90 | p99 | max | KB/resp | SQL/req "
        "| Server CPU ms/req | DB CPU ms/req | Other load | Errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    by_name = {scenario.name: scenario for scenario in run.scenarios}
    for m in run.measurements:
        scenario = by_name[m.scenario]
        request = "<br>".join(f"`{r.describe()}`" for r in scenario.requests)
        if scenario.driver == "pgbench":
            request = f"pgbench `{scenario.pgbench_script}`"
        errors = "0" if m.ok else f"**FAIL: {m.errors}** ({m.error_summary()})"
        out.append(
            f"| {m.scenario} | {request} | {m.concurrency} | {m.requests} | {m.rps:.1f} | {_ms(m.p50_ms)} | "
            f"{_ms(m.p90_ms)} | {_ms(m.p99_ms)} | {_ms(m.max_ms)} | {_kb(m)} | "
            f"{_queries(run, m.scenario)} | {_server_ms(m)} | "
            f"{_opt_ms(m.cpu_ms_per_request('database'))} | {_load(m)} | {errors} |"
        )
    noisy = [m for m in run.measurements if (m.cores("other") or 0) > NOISY_CORES]
    if noisy:
        out += [
            "",
            f"**{len(noisy)} of {len(run.measurements)} rows were measured while other processes kept more than "
            f"{NOISY_CORES:g} cores busy (up to {max(m.cores('other') for m in noisy):.2f} of "
            f"{os.cpu_count()}).** Their latencies and requests per second are worse than this code on a quiet "
            "machine; compare CPU ms/req between runs, or run again when the machine is idle.",
        ]
    answers = answer_lines(run)
    if answers:
        out += [
            "",
            "## What the write scenarios answered",
            "",
            "Counted by wrk_report.lua in the answers of the measured run (the `status` of a registration, "
            "the `result` of a scan), and the kinds of ticket it sent.",
            "",
            *answers,
        ]
    targets = target_lines(run)
    if targets:
        out += ["", "## Targets", "", *targets]
    out += ["", "## Scenarios", ""]
    out += [
        f"- **{scenario.name}**: {scenario.description}"
        + (
            " Server settings: " + ", ".join(f"`{k}={v}`" for k, v in scenario.server_env.items()) + "."
            if scenario.server_env
            else ""
        )
        for scenario in run.scenarios
    ]
    out += [
        "",
        "The trivial view: the application has no view that does nothing, and the benchmark adds no code to it. "
        "`floor-django` uses the cheapest existing URL that still goes through Django's whole request path: "
        "the DRF API root (`GET /api/v1/`, `Accept: application/json`) runs every middleware, URL resolution, "
        "content negotiation and the JSON renderer, reads no session and makes no SQL query. `floor-static` "
        "(WhiteNoise, answered inside its middleware before Django's handler does any work) is the floor of "
        "gunicorn and WSGI alone. The difference between a scenario and these floors is what the view costs.",
        "",
        "## SQL queries per request",
        "",
        "Counted by bench/queries.py with Django's test Client and `CaptureQueriesContext` against the "
        "same database and settings, on the second request (steady state).",
        "",
        "| Scenario | Request | Status | Queries |",
        "|---|---|--:|--:|",
    ]
    for name, rows in run.queries.items():
        out += [f"| {name} | `{row['request']}` | {row['status']} | {row['queries']} |" for row in rows]
    out.append("")
    return "\n".join(out)
