"""bench/RESULTS.md: the machine, the set-up, the table, the targets."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import loadgen
from loadgen import Measurement
from scenarios import Scenario

ROOT = Path(__file__).resolve().parent.parent
NOISY_CORES = 0.2  # cores kept busy by other processes above which a row's latencies are flagged


@dataclass
class Check:
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
    tools: dict[str, str]  # wrk and pgbench paths, PostgreSQL and Redis versions
    seed_summary: str
    settings: dict[str, str]
    load_before: tuple[float, float, float]
    scenarios: list[Scenario]
    queries: dict[str, list[dict]]
    seeded: dict
    tickets: loadgen.Tickets
    measurements: list[Measurement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    mail: dict = field(default_factory=dict)  # bench/mail.py's facts, when the mail rows ran

    def row(self, name: str, connections: int | None = None) -> Measurement | None:
        found = (m for m in self.measurements if m.scenario == name and connections in (None, m.concurrency))
        return next(found, None)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def machine(run: Run) -> str:
    def line(path: str, prefix: str) -> str:
        return next(line for line in Path(path).read_text().splitlines() if line.startswith(prefix)).split(prefix)[1]

    cpuinfo = Path("/proc/cpuinfo").read_text()
    versions = [f"{name} {importlib.metadata.version(name)}" for name in ("Django", "djangorestframework", "gunicorn")]
    changed = len(_git("status", "--porcelain").splitlines())
    facts = [
        line("/proc/cpuinfo", "model name\t: ") + (" (virtual machine)" if " hypervisor " in cpuinfo else ""),
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable)",
        f"{int(line('/proc/meminfo', 'MemTotal:').split()[0]) / 1024**2:.1f} GiB RAM",
        f"{line('/etc/os-release', 'PRETTY_NAME=').strip(chr(34))}, kernel {platform.release()}",
        f"Python {platform.python_version()}, {', '.join(versions)}",
        f"PostgreSQL {run.tools['postgres']}, Redis {run.tools['redis']}",
        "; ".join(loadgen.version(run.tools[name]) for name in ("wrk", "pgbench") if name in run.tools),
    ]
    commit = f"`{_git('rev-parse', 'HEAD')}` ({_git('log', '-1', '--format=%s')})"
    commit += f" plus {changed} uncommitted change(s)" if changed else ""
    return (
        f"{'; '.join(facts)}. Git commit {commit}. Load average (1, 5, 15 min) before the run "
        f"{_avg(run.load_before)}, after {_avg(run.load_after)}."
    )


def _avg(values) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _request(scenario: Scenario) -> str:
    if scenario.pgbench:
        return f"pgbench `{scenario.pgbench}`"
    if scenario.label:
        return scenario.label
    shown = [f"`{request.describe()}`" for request in scenario.requests[:3]]
    more = len(scenario.requests) - 3
    return "<br>".join(shown) + (f"<br>… {len(scenario.requests)} paths in all" if more > 0 else "")


def _cells(run: Run, m: Measurement, scenario: Scenario) -> list[str]:
    load = m.cores("other")
    queries = " / ".join(str(row["queries"]) for row in run.queries.get(m.scenario, [])) or "n/a"
    shared = "¹" if scenario.together else ""
    no_server = m.driver == "pgbench" or scenario.mail == "ceiling"
    return [
        m.scenario,
        _request(scenario),
        str(m.concurrency),
        str(m.requests),
        f"{m.rps:.1f}",
        *(_ms(value) for value in (m.p50_ms, m.p90_ms, m.p99_ms, m.max_ms)),
        "n/a" if m.driver == "pgbench" else f"{m.bytes_per_response / 1024:.1f}",
        queries,
        "n/a" if no_server else _ms(m.cpu_ms_per_request("server")) + shared,
        "n/a" if scenario.mail == "ceiling" else _ms(m.cpu_ms_per_request("database")) + shared,
        "n/a" if load is None else f"⚠ {load:.2f}" if load > NOISY_CORES else f"{load:.2f}",
        "0" if m.ok else f"**FAIL: {m.errors}** ({m.error_summary()})",
    ]


def _latency_target(run: Run, scenario: Scenario, which: str, target: float) -> str:
    connections = f"{scenario.target_at} connection" + "s" * (scenario.target_at != 1)
    goal = f"- **{scenario.name}**: {which} under {target:g} ms at {connections} — "
    m = run.row(scenario.name, scenario.target_at)
    if m is None or not m.ok:
        return goal + ("not measured." if m is None else f"**not met**: errors ({m.error_summary()}).")
    value, server = getattr(m, f"{which}_ms"), m.cpu_ms_per_request("server")
    line = goal + f"{'**met**' if value < target else '**NOT met**'}: {which} = {_ms(value)} ms"
    if server is not None and not scenario.together:
        line += f"; the worker spends {_ms(server)} ms of CPU per request"
        line += ", so no quieter machine would meet it" if server >= target else ""
    return line + (" (⚠ other processes were busy)" if (m.cores("other") or 0) > NOISY_CORES else "") + "."


def _ceiling_target(run: Run, scenario: Scenario) -> str:
    m, ceiling = run.row(scenario.name, scenario.target_at), run.row(scenario.ceiling)
    goal = (
        f"- **{scenario.name}**: requests/s at {scenario.target_at} connections at least "
        f"{scenario.target_ceiling_ratio:g} of the SQL ceiling ({scenario.ceiling}) — "
    )
    if m is None or ceiling is None or not m.ok or not ceiling.ok:
        return goal + "not measured (a row is missing or had errors)."
    ratio = m.rps / ceiling.rps if ceiling.rps else 0.0
    verdict = "**met**" if ratio >= scenario.target_ceiling_ratio else "**NOT met**"
    return goal + (
        f"{verdict}: {m.rps:.1f} requests/s ÷ {ceiling.rps:.1f} transactions/s = **{ratio:.3f}**. Per registration "
        f"the workers spend {_ms(m.cpu_ms_per_request('server'))} ms of CPU, their PostgreSQL backends "
        f"{_ms(m.cpu_ms_per_request('database'))} ms; pgbench's backends {_ms(ceiling.cpu_ms_per_request('database'))} "
        f"ms per transaction (latency average {_ms(ceiling.mean_ms)} ms)."
    )


def _rate(m: Measurement) -> str:
    return f"{m.rps:,.1f} messages/s ({m.requests:,} in {m.extra.get('seconds', 0):.2f} s)"


def _rate_target(run: Run, scenario: Scenario) -> str:
    goal = f"- **{scenario.name}**: at least {scenario.target_rate:,g} messages/s — "
    m = run.row(scenario.name)
    if m is None or not m.ok:
        return goal + ("not measured." if m is None else f"**not met**: errors ({m.error_summary()}).")
    verdict = "**met**" if m.rps >= scenario.target_rate else "**NOT met**"
    line = goal + f"{verdict}: {_rate(m)}"
    ceiling = next((row for row in run.measurements if row.scenario == "mail-smtp-ceiling"), None)
    if ceiling is not None and ceiling.ok:
        line += f"; aiosmtpd alone accepts {ceiling.rps:,.1f} messages/s (mail-smtp-ceiling)"
        line += ", so nothing that sends to it could meet the target" if ceiling.rps < scenario.target_rate else ""
    return line + ". " + _mail_cpu(m)


def _mail_cpu(m: Measurement) -> str:
    """Where a mail row's CPU went, per message, and how much of the machine was left idle."""
    names = {"server": "worker processes", "database": "their PostgreSQL backends", "redis": "Redis",
             "smtp": "aiosmtpd", "this process": "bench/mail.py", "other": "other processes"}  # fmt: skip
    spent = {**m.extra.get("cpu_s", {}), "other": m.cpu.get("other", 0.0)}
    parts = [f"{names.get(key, key)} {seconds * 1000 / m.requests:.2f} ms" for key, seconds in spent.items()]
    busy = sum(m.cpu.get(key, 0.0) for key in ("server", "database", "client", "other"))
    idle = os.cpu_count() - busy / m.cpu["wall"] if m.cpu.get("wall") else 0.0
    return f"CPU per message: {', '.join(parts)}; {max(idle, 0):.2f} of {os.cpu_count()} cores idle."


def _baseline_target(run: Run, scenario: Scenario) -> str:
    m, baseline = run.row(scenario.name), run.row(scenario.baseline)
    goal = f"- **{scenario.name}**: at least {scenario.target_baseline_ratio:g} times {scenario.baseline} — "
    if m is None or baseline is None or not m.ok or not baseline.ok:
        return goal + "not measured (a row is missing or had errors)."
    ratio = m.rps / baseline.rps if baseline.rps else 0.0
    verdict = "**met**" if ratio >= scenario.target_baseline_ratio else "**NOT met**"
    return goal + (
        f"{verdict}: {m.rps:,.1f} ÷ {baseline.rps:,.1f} messages/s = **{ratio:.2f}**. The naive row: "
        f"{_rate(baseline)}; {_mail_cpu(baseline)}"
    )


def _together(run: Run, name: str) -> str:
    rows = [m for m in run.measurements if m.scenario.startswith(name + "/")]
    total = sum(m.requests for m in rows) or 1
    shares = ", ".join(f"{m.scenario.split('/')[1]} {m.requests / total:.0%} (p50 {_ms(m.p50_ms)} ms)" for m in rows)
    registering = [m for m in rows if m.scenario.endswith("/registration")]
    rate = f"; **{registering[0].rps:.1f} registrations/s**" if registering else ""
    errors = sum(m.errors for m in rows)
    return (
        f"- **{name}**: {sum(m.concurrency for m in rows)} connections, {total} requests: {shares}{rate}; "
        f"{errors} errors{' — **NOT met**' if errors else ''}."
    )


def target_lines(run: Run) -> list[str]:
    lines = []
    checks = {check.scenario: check for check in run.checks}
    for scenario in run.scenarios:
        for which in ("p50", "p99"):
            if (target := getattr(scenario, f"target_{which}_ms")) is not None:
                lines.append(_latency_target(run, scenario, which, target))
        if scenario.ceiling:
            lines.append(_ceiling_target(run, scenario))
        if scenario.target_rate is not None:
            lines.append(_rate_target(run, scenario))
        if scenario.baseline:
            lines.append(_baseline_target(run, scenario))
        if scenario.check:
            check = checks.get(scenario.name)
            verdict = "not run" if check is None else f"{'**PASS**' if check.passed else '**FAIL**'}: {check.text}"
            lines.append(f"- **{scenario.name}**: {check.goal if check else scenario.check} — {verdict}.")
        if scenario.together and scenario == [s for s in run.scenarios if s.together == scenario.together][-1]:
            lines.append(_together(run, scenario.together))
    return lines


def _mail_setup(run: Run) -> list[str]:
    if not run.mail:
        return []
    facts = run.mail
    return [
        f"- E-mail rows (bench/mail.py): `{facts['worker']}` (prefork: 2 worker processes) with EMAIL_HOST on one "
        "aiosmtpd (bench/smtpsink.py) in a process of its own, Redis db 14 as broker, all on the same cores; "
        f"their data: an edition of {facts['events']} activities tomorrow with {facts['messages']:,} confirmed "
        f"registrations made a month ago, and a warm-up activity of {facts['warmup']} (its reminders sent first).",
    ]


def render(run: Run) -> str:
    by_name = {scenario.name: scenario for scenario in run.scenarios}
    columns = "Scenario | Request | Conns | Requests | Req/s | p50 | p90 | p99 | max | KB/resp | SQL/req"
    columns += " | Server CPU ms/req | DB CPU ms/req | Other load | Errors"
    out = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` at each run (do not edit by hand); how it works: bench/README.md.",
        "",
        f"Command: `{run.command}`, run on {run.started}. Each row: {run.warmup_s:g} s of warm-up (discarded), "
        f"then {run.duration_s:g} s measured, closed loop (each connection sends its next request when the "
        "previous answer arrives).",
        "",
        "## Machine",
        "",
        machine(run),
        "",
        "## Set-up",
        "",
        "- `gunicorn fortnight.wsgi:application --workers 2` (sync) on 127.0.0.1, one per set of scenario "
        "settings; wrk (1 thread) and pgbench (`-c 8 -j 2`, gunicorn idle) on the same machine and cores.",
        "- PostgreSQL database `fortnight_bench` recreated, Redis db 14 flushed. Settings: "
        + ", ".join(f"`{name}={value}`" for name, value in run.settings.items())
        + ".",
        f"- Data (bench/seed.py): {run.seed_summary}.",
        *_mail_setup(run),
        "",
        "## Results",
        "",
        "Milliseconds as the client sees them (connect + request + response). SQL/req: queries of the second "
        "request through Django's test Client (bench/queries.py; the SQL is in bench/out/results.json). "
        "CPU: milliseconds per request of the gunicorn workers and of their PostgreSQL backends (pgbench: its "
        "backends, per transaction). ¹ Measured together (one wrk per kind, started at once): the CPU is the "
        f"mix's, per request of any kind. Other load: cores busy with other processes (⚠ above {NOISY_CORES:g}: "
        "latencies inflated by neighbours; compare CPU instead). Errors: answers other than the scenario's "
        "status, socket errors, timeouts, failed transactions; any fails `make bench`. E-mail rows (mail-…): "
        "Conns = worker processes (the ceiling: SMTP connections), Requests = messages, Req/s = messages/s, "
        "p50…max = when that share of the messages had been accepted, in ms since the clock started, KB/resp = "
        "KB per message, SQL/req = queries per message of delivery.deliver, Server CPU = the worker processes'. "
        "feed-programme-cold: one GET at a time, each right after bench/feeds.py changed one event (the change "
        "not timed, its CPU counted as the load generator's); Requests = samples, Req/s = samples per second "
        "of the row, changes included, SQL/req = the queries of a GET after a change.",
        "",
        f"| {columns} |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
        *(f"| {' | '.join(_cells(run, m, by_name[m.scenario]))} |" for m in run.measurements),
    ]
    out += ["", "## Targets", "", *target_lines(run), "", "## Scenarios", ""]
    out += [
        f"- **{s.name}**: {s.description}" + "".join(f" `{k}={v}`." for k, v in s.server_env.items())
        for s in run.scenarios
    ]
    return "\n".join(out) + "\n"
