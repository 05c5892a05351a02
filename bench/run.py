"""`make bench`: run bench/scenarios.py against a real gunicorn on PostgreSQL and Redis.

Steps: start PostgreSQL and Redis if they are down; drop and recreate the
`fortnight_bench` database; migrate, collect static files, seed 500 events;
count SQL queries per request; start gunicorn (2 sync workers) on a free
loopback port, one per set of scenario server settings; check every request
answers 2xx (or the scenario's status) with the expected content; then, for
each scenario and concurrency, warm up and measure with wrk (pgbench scenarios:
with pgbench, straight to PostgreSQL, gunicorn idle), and run the scenario's
database check if it has one. Writes bench/RESULTS.md (and
bench/out/results.json); exits non-zero if any row had an error or any check
failed. gunicorn and pgbench are stopped whatever happens, Ctrl-C included.

Environment: BENCH_DURATION (seconds per row, default 10), BENCH_WARMUP
(default 3), BENCH_SCENARIOS (comma-separated names, default all),
BENCH_CONCURRENCY (comma-separated, overrides every scenario's), BENCH_PORT
(default: a free port), BENCH_WRK_THREADS (default 1), BENCH_QUIET_WAIT
(seconds to wait before each row for other processes to calm down, default 30;
0 never waits).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import cpu
import loadgen
import report
from scenarios import SCENARIOS, Scenario, resolve, sample_body

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
GUNICORN_LOG = OUT / "gunicorn.log"
SEED_FILE = OUT / "seed.json"  # written by seed.py: ids, token, ticket files
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "fortnight_bench"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 14
# The cheapest answer (WhiteNoise), to tell when gunicorn is up, and idle again after a row.
PROBE = "/static/css/site.css"

# Fortnight settings that would change what is measured: the benchmark sets
# its own values and drops any the caller's environment has.
SETTINGS = {
    "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}",
    "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "REGISTRATION_RATE_LIMIT": "off",
}
DROPPED = (
    "CELERY_BROKER_URL",
    "CONN_MAX_AGE",
    "EMAIL_HOST",
    "BEHIND_TLS_PROXY",
    "SECURE_HSTS_SECONDS",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
    "PROGRAMME_CACHE_SECONDS",
)
BENCH_VARIABLES = (
    "BENCH_DURATION",
    "BENCH_WARMUP",
    "BENCH_SCENARIOS",
    "BENCH_CONCURRENCY",
    "BENCH_PORT",
    "BENCH_WRK_THREADS",
    "BENCH_QUIET_WAIT",
)

_started = time.monotonic()


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - _started:6.1f}s] {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"\nbench: FAILED: {message}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def env_number(name: str, default: float, *, allow_zero: bool = False) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        fail(f"{name} must be a number of seconds, not {value!r}")
    if number < 0 or (number == 0 and not allow_zero):
        fail(f"{name} must be {'zero or ' if allow_zero else ''}positive, not {value!r}")
    return number


def wait_for_quiet(sampler: cpu.Sampler, limit: float) -> None:
    """Wait, up to `limit` seconds, until other processes leave the cores alone (see report.NOISY_CORES)."""
    if limit <= 0 or not sampler.available:
        return
    deadline = time.monotonic() + limit
    announced = False
    while True:
        sampler.start()
        time.sleep(1)
        usage = sampler.stop()
        cores = usage.other / usage.wall if usage and usage.wall else 0.0
        if cores <= report.NOISY_CORES:
            if announced:
                say("  the machine is quiet again")
            return
        if time.monotonic() >= deadline:
            say(f"  other processes still keep {cores:.2f} cores busy; measuring anyway (row marked ⚠)")
            return
        if not announced:
            say(f"  other processes keep {cores:.2f} cores busy: waiting up to {limit:g} s for quiet")
            announced = True


def django_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(SETTINGS)
    env["FORTNIGHT_VAR_DIR"] = str(OUT / "var")
    env["STATIC_ROOT"] = str(OUT / "static")
    env["MEDIA_ROOT"] = str(OUT / "media")
    env["LOG_LEVEL"] = "WARNING"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_django(args: list[str], *, capture: bool = False, extra_env: dict[str, str] | None = None) -> str:
    """Run a Django command or bench script with the bench settings; fail with its output if it fails."""
    env = {**django_env(), **(extra_env or {})}
    result = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"`python {' '.join(args)}` exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout if capture else ""


# --- Services ---------------------------------------------------------------


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def pg_connect(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True, connect_timeout=3)


def pg_ready() -> bool:
    try:
        with pg_connect() as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def ensure_postgres() -> str:
    if not pg_ready():
        clusters = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
        if not port_open(PG_HOST, PG_PORT) and shutil.which("pg_ctlcluster") and clusters:
            version = clusters[-1].parent.name
            say(f"PostgreSQL is down: starting cluster {version}/main")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        if not wait_for(pg_ready, 30):
            fail(
                f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} as user {PG_USER!r} (trust auth expected). "
                "Start it, e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
            )
    with pg_connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def redis_client():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=2)


def redis_ready() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def ensure_redis() -> str:
    if not redis_ready():
        if not port_open(REDIS_HOST, REDIS_PORT) and shutil.which("redis-server"):
            say("Redis is down: starting redis-server")
            subprocess.run(
                [
                    "redis-server",
                    "--daemonize",
                    "yes",
                    "--bind",
                    REDIS_HOST,
                    "--port",
                    str(REDIS_PORT),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        if not wait_for(redis_ready, 15):
            fail(
                f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}. Start it, e.g. "
                '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`.'
            )
    client = redis_client()
    client.flushdb()
    return client.info("server")["redis_version"]


def database_pids(application: str | None = None) -> list[int]:
    """PostgreSQL backends connected to the bench database: the gunicorn workers' (persistent) connections,
    or pgbench's (`application="pgbench"`)."""
    query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
    params = [DB_NAME]
    if application:
        query += " AND application_name = %s"
        params.append(application)
    try:
        with pg_connect() as conn:
            rows = conn.execute(query, params).fetchall()
    except Exception:
        return []
    return [row[0] for row in rows]


def recreate_database() -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


# --- gunicorn ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn in a session of its own, so that it is stopped by us, workers included."""

    def __init__(self, port: int, extra_env: dict[str, str] | None = None, workers: int = 2) -> None:
        self.port = port
        self.extra_env = extra_env or {}
        self.workers = workers
        self.log = GUNICORN_LOG
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            GUNICORN,
            "fortnight.wsgi:application",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        settings = "".join(f" {name}={value}" for name, value in self.extra_env.items())
        say("starting" + settings + " gunicorn " + " ".join(command[1:]) + f" (output in {self.log.relative_to(ROOT)})")
        with self.log.open("a") as log:
            # gunicorn's own log and Django's (tracebacks of 500s included) both go to stderr.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**django_env(), **self.extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, path: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"gunicorn exited with {self.process.returncode} while starting:\n{tail(self.log)}")
            try:
                status, _headers, _body = http_get(self.port, path, {})
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fail(f"gunicorn did not answer on port {self.port} within {seconds:g} s:\n{tail(self.log)}")

    def worker_pids(self) -> list[int]:
        return cpu.children(self.process.pid) if self.process else []

    def drain(self, path: str, measurement: loadgen.Measurement) -> None:
        """Wait until the requests wrk left behind are done.

        When wrk stops it closes its connections, but sync workers still answer
        every request already queued on the listen socket; left alone, that
        backlog would be timed as part of the next row. A probe answers once the
        queue ahead of it is empty; the other worker may still finish one
        request, so wait for about one more of the slowest responses.
        """
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _headers, _body = http_get(self.port, path, {})
                if status < 500:
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(min(measurement.max_ms / 1000, 5) + 0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        say(f"stopping gunicorn (pid {self.process.pid})")
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


def http_get(port: int, path: str, headers: dict[str, str], method: str = "GET", body: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def preflight(port: int, scenarios: list[Scenario], seeded: dict) -> None:
    """Every request answers 2xx (or the scenario's status) with the expected content before anything is measured."""
    for scenario in scenarios:
        for request in scenario.requests:
            # A new e-mail address ({unique}); a ticket never scanned, which queries.py does not use ({ticket}).
            body = sample_body(request.body, ticket=seeded["tickets"]["spare"][0])
            status, headers, body = http_get(port, request.path, request.headers, request.method, body)
            text = body.decode("utf-8", "replace")
            good = status == scenario.status if scenario.status is not None else 200 <= status < 300
            problems = [] if good else [f"status {status}"]
            problems += [f"body lacks {needle!r}" for needle in scenario.expect if needle not in text]
            if problems:
                location = f" (Location: {headers['Location']})" if "Location" in headers else ""
                fail(
                    f"{scenario.name}: {request.describe()} -> {', '.join(problems)}{location}. "
                    f"First 500 characters of the body:\n{text[:500]}\n"
                    f"gunicorn output ({GUNICORN_LOG.relative_to(ROOT)}):\n{tail(GUNICORN_LOG)}"
                )
            say(f"  ok {scenario.name}: {request.describe()} -> {status}, {len(body)} bytes")


# --- Main -------------------------------------------------------------------


def selected_scenarios() -> list[Scenario]:
    names = [name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name.strip()]
    known = {scenario.name for scenario in SCENARIOS}
    unknown = [name for name in names if name not in known]
    if unknown:
        fail(f"unknown scenario(s) in BENCH_SCENARIOS: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    wanted = set(names)
    # A scenario measured against a ceiling brings the ceiling along: the ratio needs both, in the same run.
    wanted |= {scenario.ceiling for scenario in SCENARIOS if scenario.name in wanted and scenario.ceiling}
    scenarios = [scenario for scenario in SCENARIOS if not names or scenario.name in wanted]
    override = os.environ.get("BENCH_CONCURRENCY", "").strip()
    if override:
        try:
            levels = tuple(sorted({int(level) for level in override.split(",") if level.strip()}))
        except ValueError:
            fail(f"BENCH_CONCURRENCY must be comma-separated whole numbers, not {override!r}")
        if not levels or min(levels) < 1:
            fail(f"BENCH_CONCURRENCY must list numbers of connections of at least 1, not {override!r}")
        scenarios = [
            scenario
            if scenario.fixed_concurrency
            else replace(
                scenario if scenario.target_concurrency in levels else scenario.without_targets(),
                concurrency=levels,
            )
            for scenario in scenarios
        ]
    return scenarios


def command_line() -> str:
    prefix = " ".join(f"{name}={os.environ[name]}" for name in BENCH_VARIABLES if os.environ.get(name))
    python = Path(PYTHON)
    python = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    command = "make bench" if os.environ.get("MAKELEVEL") else f"{python} bench/run.py"
    return f"{prefix} {command}".strip()


def measure_group(
    run: report.Run,
    scenarios: list[Scenario],
    server_env: dict[str, str],
    *,
    wrk: str,
    pgbench: str,
    seeded: dict,
    tickets: loadgen.TicketPool,
    duration: float,
    warmup: float,
    quiet_wait: float,
) -> None:
    """Start a gunicorn with `server_env`, measure every row of `scenarios` on it, stop it.

    pgbench scenarios run in their turn, straight to PostgreSQL, while gunicorn
    waits idle: so the SQL ceiling is measured next to the rows compared with it,
    under the same conditions of the shared machine."""
    pgbench_kwargs = {"pgbench": pgbench, "seeded": seeded, "duration": duration, "warmup": warmup}
    if all(scenario.driver == "pgbench" for scenario in scenarios):
        for scenario in scenarios:
            measure_pgbench(run, scenario, quiet_wait=quiet_wait, **pgbench_kwargs)
        return
    port = int(os.environ.get("BENCH_PORT") or free_port())
    server = Gunicorn(port, server_env)
    try:
        server.start()
        server.wait_ready(PROBE)
        say(f"gunicorn answers on http://127.0.0.1:{port}/; checking every request")
        preflight(port, scenarios, seeded)
        sampler = cpu.Sampler(server.worker_pids, database_pids)
        base_url = f"http://127.0.0.1:{port}"
        for scenario in scenarios:
            if scenario.driver == "pgbench":
                measure_pgbench(run, scenario, quiet_wait=quiet_wait, **pgbench_kwargs)
                continue
            seconds = scenario.duration_s or duration
            for concurrency in scenario.concurrency:
                wait_for_quiet(sampler, quiet_wait)
                if scenario.warmup and warmup > 0:
                    say(f"{scenario.name} at {concurrency} connections: warm-up {warmup:g} s")
                    warm = loadgen.run(wrk, base_url, scenario, concurrency, warmup, tickets)
                    if not warm.ok:
                        say(f"  WARNING: errors during warm-up: {warm.error_summary()}")
                    server.drain(PROBE, warm)
                say(f"{scenario.name} at {concurrency} connections: measuring {seconds:g} s")
                sampler.start()
                m = loadgen.run(wrk, base_url, scenario, concurrency, seconds, tickets)
                server.drain(PROBE, m)
                usage = sampler.stop()
                if usage is not None:
                    m.cpu = {name: round(value, 3) for name, value in asdict(usage).items()}
                run.measurements.append(m)
                say(
                    f"  {m.rps:8.1f} req/s   p50 {m.p50_ms:7.1f} ms   p99 {m.p99_ms:7.1f} ms   "
                    f"{m.requests} requests, {m.errors} errors"
                    + (f"   answers {m.tally}" if m.tally else "")
                    + (f"   tickets {m.mix}" if m.mix else "")
                )
                if not m.ok:
                    say(f"  !!! FAILED: {scenario.name} at {concurrency} connections: {m.error_summary()}")
                    say(f"  gunicorn log tail:\n{tail(server.log)}")
                if scenario.check:
                    result = CHECKS[scenario.check](scenario, m, seeded)
                    run.checks.append(result)
                    say(f"  check {scenario.check}: {'PASS' if result.passed else '!!! FAIL'}: {result.text}")
        if any("{ticket}" in r.body for s in scenarios for r in s.requests):
            run.tickets_used, run.tickets_total = tickets.used, tickets.total
    finally:
        server.stop()


# --- pgbench ----------------------------------------------------------------


def pgbench_statements(scenario: Scenario) -> list[str]:
    """The SQL statements of a pgbench script (meta-commands and comments left out)."""
    lines = [
        line.split("--", 1)[0].rstrip()
        for line in (HERE / scenario.pgbench_script).read_text().splitlines()
        if not line.lstrip().startswith("\\")
    ]
    text = " ".join(line.strip() for line in lines if line.strip())
    return [statement.strip() + ";" for statement in text.split(";") if statement.strip()]


def measure_pgbench(
    run: report.Run,
    scenario: Scenario,
    *,
    pgbench: str,
    seeded: dict,
    duration: float,
    warmup: float,
    quiet_wait: float,
) -> None:
    """Run a pgbench scenario's script against the bench database: warm-up, then the measured run."""
    with pg_connect(DB_NAME) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_pgbench_code")
    dsn = {"host": PG_HOST, "port": str(PG_PORT), "user": PG_USER, "dbname": DB_NAME}
    variables = {"hot": str(seeded["facts"]["pgbench_event"])}
    seconds = scenario.duration_s or duration
    for clients in scenario.concurrency:
        backends: list[int] = []
        sampler = cpu.Sampler(list, lambda backends=backends: backends)
        wait_for_quiet(sampler, quiet_wait)
        runs = [("warm-up", warmup, False)] if scenario.warmup and warmup > 0 else []
        runs.append(("measuring", seconds, True))
        for label, length, measured in runs:
            say(f"{scenario.name} with {clients} clients: {label} {length:g} s")
            bench = loadgen.Pgbench(
                pgbench, scenario, clients, length, dsn=dsn, variables=variables, log_dir=OUT, log=measured
            )
            try:
                if measured:
                    sampler.start()
                bench.start()
                while bench.running():
                    if measured:
                        if len(backends) < clients:
                            backends[:] = database_pids("pgbench")
                        sampler.poll()
                    time.sleep(0.2)
                usage = sampler.stop() if measured else None
            finally:
                bench.stop()
            m = bench.measurement()
            if not measured:
                if not m.ok:
                    say(f"  WARNING: errors during warm-up: {m.error_summary()}")
                continue
            if usage is not None:
                m.cpu = {name: round(value, 3) for name, value in asdict(usage).items()}
            run.measurements.append(m)
            say(
                f"  {m.rps:8.1f} tps   p50 {m.p50_ms:7.1f} ms   p99 {m.p99_ms:7.1f} ms   "
                f"{m.requests} transactions, {m.errors} errors"
            )
            if not m.ok:
                say(f"  !!! FAILED: {scenario.name} with {clients} clients: {m.error_summary()}")


# --- Checks of the database after a row -------------------------------------


def check_capacity(scenario: Scenario, m: loadgen.Measurement, seeded: dict) -> report.Check:
    """After a rush on a small event: exactly its capacity confirmed, the rest waitlisted, in order of arrival."""
    event_id = seeded["facts"]["capacity_event"]
    expected = seeded["capacity_event_capacity"]
    with pg_connect(DB_NAME) as conn:
        row = conn.execute(
            """
            SELECT e.capacity, e.seats_taken,
                   COALESCE(SUM(r.seats) FILTER (WHERE r.status = 'confirmed'), 0),
                   COUNT(r.id) FILTER (WHERE r.status = 'confirmed'),
                   COUNT(r.id) FILTER (WHERE r.status = 'waitlisted'),
                   COUNT(r.id),
                   MAX(r.id) FILTER (WHERE r.status = 'confirmed'),
                   MIN(r.id) FILTER (WHERE r.status = 'waitlisted')
              FROM programme_event e LEFT JOIN registrations_registration r ON r.event_id = e.id
             WHERE e.id = %s
             GROUP BY e.id
            """,
            [event_id],
        ).fetchone()
    capacity, taken, confirmed_seats, confirmed, waitlisted, total, last_confirmed, first_waiting = row
    problems = []
    if capacity != expected:
        problems.append(f"the event's capacity is {capacity}, not {expected}")
    if total <= capacity:
        problems.append(f"only {total} registrations arrived: the rush never went past the capacity")
    if confirmed_seats != capacity:
        problems.append(f"{confirmed_seats} seats confirmed for a capacity of {capacity}")
    if taken != confirmed_seats:
        problems.append(f"the event counts {taken} seats taken, its confirmed registrations {confirmed_seats}")
    if confirmed + waitlisted != total:
        problems.append(f"{total - confirmed - waitlisted} registrations neither confirmed nor waitlisted")
    if first_waiting is not None and last_confirmed is not None and first_waiting < last_confirmed:
        problems.append("a waitlisted registration arrived before a confirmed one")
    answered = sum(m.tally.values())
    if m.tally.get("confirmed", 0) > capacity:
        problems.append(f"{m.tally['confirmed']} answers said confirmed, more than the {capacity} seats")
    if total < answered:
        problems.append(f"wrk got {answered} answers 201 but the database holds {total} registrations")
    seen = ", ".join(f"{count} {name}" for name, count in sorted(m.tally.items())) or "none"
    facts = (
        f"{confirmed_seats} seats confirmed ({confirmed} registrations), capacity {capacity}, seats taken {taken}; "
        f"{waitlisted} waitlisted; {total} registrations in all, {answered} of them answered to wrk ({seen}), "
        "the others to the preflight, the query count and the requests in flight when wrk stopped"
    )
    if not problems:
        facts = (
            f"confirmed seats = capacity = seats taken = {capacity}; " + facts.split("; ", 1)[1] + "; every "
            "confirmed registration arrived before every waitlisted one"
        )
    return report.Check(
        scenario=scenario.name,
        goal=f"exactly {expected} seats confirmed (sum of seats of confirmed registrations = capacity = the "
        "event's seats taken), every other registration waitlisted",
        passed=not problems,
        text=("; ".join(problems) + ". Found: " + facts) if problems else facts,
    )


CHECKS = {"capacity": check_capacity}


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, _raise_keyboard_interrupt)
    os.chdir(ROOT)
    OUT.mkdir(exist_ok=True)
    GUNICORN_LOG.write_text("")
    duration = env_number("BENCH_DURATION", 10)
    warmup = env_number("BENCH_WARMUP", 3)
    quiet_wait = env_number("BENCH_QUIET_WAIT", 30, allow_zero=True)
    scenarios = selected_scenarios()
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()

    wrk = loadgen.ensure_wrk()
    pgbench_scenarios = [scenario for scenario in scenarios if scenario.driver == "pgbench"]
    pgbench = loadgen.ensure_pgbench() if pgbench_scenarios else ""
    say("checking PostgreSQL and Redis")
    postgres_version = ensure_postgres()
    redis_version = ensure_redis()
    say(f"PostgreSQL {postgres_version}, Redis {redis_version} (db {REDIS_DB} flushed)")

    say(f"recreating database {DB_NAME}")
    recreate_database()
    say("migrating")
    run_django(["manage.py", "migrate", "--noinput", "-v", "0"])
    say("collecting static files (DEBUG=0 serves hashed names from the manifest)")
    run_django(["manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"])
    say("seeding")
    seed_summary = run_django(["bench/seed.py"], capture=True).strip()
    say(seed_summary)
    seeded = json.loads(SEED_FILE.read_text())
    scenarios = [resolve(scenario, seeded["facts"]) for scenario in scenarios]
    tickets = loadgen.TicketPool(fresh=seeded["tickets"]["fresh"], scanned=seeded["tickets"]["scanned"])
    groups: dict[tuple, list[Scenario]] = {}
    for scenario in scenarios:
        groups.setdefault(scenario.server_key, []).append(scenario)
    say("counting SQL queries per request")
    queries: dict[str, list[dict]] = {}
    for key, group in groups.items():
        names = [s.name for s in group if s.driver == "wrk"]
        if names:
            output = run_django(["bench/queries.py", *names], capture=True, extra_env=dict(key))
            line = next(line for line in output.splitlines() if line.startswith("BENCH_QUERIES "))
            queries.update(json.loads(line.removeprefix("BENCH_QUERIES ")))
    for scenario in pgbench_scenarios:
        statements = pgbench_statements(scenario)
        request = f"pgbench -f {scenario.pgbench_script}"
        queries[scenario.name] = [{"request": request, "status": "-", "queries": len(statements), "sql": statements}]
    for name, rows in queries.items():
        for row in rows:
            say(f"  {name}: {row['request']} -> {row['status']}, {row['queries']} queries")

    run = report.Run(
        command=command_line(),
        started=started.strftime("%Y-%m-%d %H:%M:%S %z"),
        duration_s=duration,
        warmup_s=warmup,
        wrk_version=loadgen.wrk_version(wrk),
        pgbench_version=loadgen.pgbench_version(pgbench) if pgbench else "",
        wrk_threads=int(os.environ.get("BENCH_WRK_THREADS", "1")),
        postgres_version=postgres_version,
        redis_version=redis_version,
        seed_summary=seed_summary.removeprefix("seeded: "),
        settings=SETTINGS,
        load_before=load_before,
        scenarios=scenarios,
        queries=queries,
    )
    for key, group in groups.items():
        measure_group(
            run,
            group,
            dict(key),
            wrk=wrk,
            pgbench=pgbench,
            seeded=seeded,
            tickets=tickets,
            duration=duration,
            warmup=warmup,
            quiet_wait=quiet_wait,
        )
    run.load_after = os.getloadavg()
    order = {scenario.name: index for index, scenario in enumerate(scenarios)}
    run.measurements.sort(key=lambda m: order[m.scenario])  # stable: concurrencies keep their order

    RESULTS.write_text(report.render(run))
    results_json = {
        "command": run.command,
        "started": run.started,
        "machine": dict(run.machine()),
        "measurements": [m.as_dict() for m in run.measurements],
        "checks": [asdict(check) for check in run.checks],
        "queries": queries,
    }
    (OUT / "results.json").write_text(json.dumps(results_json, indent=2))
    say(f"wrote {RESULTS.relative_to(ROOT)} and {(OUT / 'results.json').relative_to(ROOT)}")
    print()
    print(RESULTS.read_text().split("## Results", 1)[1].split("## Scenarios", 1)[0].strip())
    failed = [m for m in run.measurements if not m.ok]
    if failed:
        print("\nbench: FAILED rows (unexpected statuses, socket errors, failed transactions):", file=sys.stderr)
        for m in failed:
            print(f"  {m.scenario} at {m.concurrency} connections: {m.error_summary()}", file=sys.stderr)
    failed_checks = [check for check in run.checks if not check.passed]
    for check in failed_checks:
        print(f"\nbench: check FAILED: {check.scenario}: {check.text}", file=sys.stderr)
    return 1 if failed or failed_checks else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nbench: interrupted; gunicorn and pgbench stopped, bench/RESULTS.md not written.", file=sys.stderr)
        sys.exit(130)
