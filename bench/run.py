"""`make bench` (bench/README.md): seed, count queries, start gunicorn, measure each row, write RESULTS.md.

Environment: BENCH_DURATION (seconds per row, 10), BENCH_WARMUP (3), BENCH_SCENARIOS
(comma-separated names, default all; `opening-hour` names its three parts, `feeds` the programme
feed's rows, `mail` the mail rows, which are measured together in any case: bench/mail.py).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
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
ROOT, OUT = HERE.parent, HERE / "out"
GUNICORN_LOG = OUT / "gunicorn.log"
DB_NAME, REDIS_DB = "fortnight_bench", 14
PROBE = "/static/css/site.css"  # the cheapest answer: is gunicorn up, or idle again?
FEEDS_APP = "bench-feeds"  # application_name of bench/feeds.py's PostgreSQL backend (its changes)

# The bench's own values of the settings that change what is measured; the caller's are dropped.
SETTINGS = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "REGISTRATION_RATE_LIMIT": "off",
}
DROPPED = ("CELERY_BROKER_URL", "CONN_MAX_AGE", "EMAIL_HOST", "BEHIND_TLS_PROXY", "SECURE_HSTS_SECONDS")
DROPPED += ("DJANGO_SETTINGS_MODULE", "PROGRAMME_CACHE_SECONDS")

BENCH_VARIABLES = ("BENCH_DURATION", "BENCH_WARMUP", "BENCH_SCENARIOS")
_started = time.monotonic()


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - _started:6.1f}s] {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"\nbench: FAILED: {message}")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def django_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env |= SETTINGS | {"FORTNIGHT_VAR_DIR": str(OUT / "var"), "STATIC_ROOT": str(OUT / "static")}
    return env | {"MEDIA_ROOT": str(OUT / "media"), "LOG_LEVEL": "WARNING", **(extra or {})}


def run_django(*args: str, extra_env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=django_env(extra_env), capture_output=True, text=True
    )
    if result.returncode != 0:
        fail(f"`python {' '.join(args)}` exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def pg_connect(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(host="127.0.0.1", user="postgres", dbname=dbname, autocommit=True, connect_timeout=3)


def check_services() -> tuple[str, str]:
    """PostgreSQL's and Redis's versions (Redis db 14 flushed), or a message saying what to start."""
    import redis

    try:
        with pg_connect() as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
        client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2)
        client.flushdb()
    except Exception as error:
        fail(f"{error}. Start PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379, e.g. "
             "`pg_ctlcluster --skip-systemctl-redirect 15 main start; redis-server --daemonize yes`.")  # fmt: skip
    return postgres, client.info("server")["redis_version"]


def database_pids(application: str = "") -> list[int]:
    """The PostgreSQL backends of the bench database (gunicorn's workers keep theirs; not those of
    bench/feeds.py's changes), or those of one application (pgbench, bench/feeds.py)."""
    query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND "
    query += "application_name = %s" if application else "application_name <> %s"
    with pg_connect() as conn:
        return [row[0] for row in conn.execute(query, [DB_NAME, application or FEEDS_APP])]


def fetch(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET", body: str = ""):
    """(status, body, headers with lower-case names) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, text, {name.lower(): value for name, value in response.getheaders()}
    finally:
        conn.close()


def with_etag(port: int, scenario: Scenario) -> Scenario:
    """The scenario with `{etag}` in its headers replaced by the ETag a GET of the request's path answers now."""
    requests = []
    for request in scenario.requests:
        if any("{etag}" in value for value in request.headers.values()):
            status, text, headers = fetch(port, request.path)
            if status != 200 or not headers.get("etag"):
                fail(f"{scenario.name}: GET {request.path} -> status {status}, ETag {headers.get('etag')!r}: "
                     f"no ETag to send in If-None-Match:\n{text[:300]}")  # fmt: skip
            fill = {name: value.replace("{etag}", headers["etag"]) for name, value in request.headers.items()}
            request = replace(request, headers=fill)
        requests.append(request)
    return replace(scenario, requests=tuple(requests))


def lacks(scenario: Scenario, text: str, headers: dict[str, str]) -> list[str]:
    """What an answer 200 lacks of the scenario's content type and body_count."""
    found = headers.get("content-type", "")
    problems = [f"Content-Type {found!r}"] * (not found.startswith(scenario.content_type))
    if scenario.body_count and text.count(scenario.body_count[0]) != scenario.body_count[1]:
        needle, count = scenario.body_count
        problems.append(f"{text.count(needle)} times {needle!r}, not {count}")
    return problems


class Gunicorn:
    """gunicorn in a session of its own, so that stopping it stops its workers."""

    def __init__(self, server_env: dict[str, str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        command = [str(Path(sys.executable).with_name("gunicorn")), "fortnight.wsgi:application", "--workers", "2"]
        command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        settings = "".join(f"{name}={value} " for name, value in server_env.items())
        say(f"starting {settings}gunicorn {' '.join(command[1:])} (output in bench/out/gunicorn.log)")
        with GUNICORN_LOG.open("a") as log:  # gunicorn's log and Django's tracebacks
            env, out = django_env(server_env), subprocess.STDOUT
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=out, start_new_session=True)
        if not self.idle(30):
            fail(f"gunicorn did not start:\n{tail(GUNICORN_LOG)}")

    def workers(self) -> list[int]:
        return cpu.children(self.process.pid)

    def idle(self, seconds: float = 60) -> bool:
        """Whether the probe is answered: sync workers answer every request wrk left queued
        on the socket, even after wrk is gone, so the probe waits for that backlog."""
        deadline = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                return fetch(self.port, PROBE)[0] < 500
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def preflight(port: int, scenarios: list[Scenario], seeded: dict) -> None:
    """Every request answers as a success should, with the expected content, before any load."""
    for scenario in scenarios:
        for request in with_etag(port, scenario).requests:
            body = sample_body(request.body, ticket=seeded["tickets"]["spare"][0])
            status, text, headers = fetch(port, request.path, request.headers, request.method, body)
            good = status == scenario.status or (scenario.status is None and 200 <= status < 300)
            problems = [f"status {status}"] * (not good) + [f"no {n!r}" for n in scenario.expect if n not in text]
            problems += lacks(scenario, text, headers) if status == 200 else []
            if problems:
                fail(f"{scenario.name}: {request.describe()} -> {problems}:\n{text[:500]}\n{tail(GUNICORN_LOG)}")
        say(f"  ok {scenario.name}: {len(scenario.requests)} request(s)")


def selected_scenarios() -> list[Scenario]:
    names = {name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name.strip()}
    known = {s.name for s in SCENARIOS} | {s.together for s in SCENARIOS} | {s.group for s in SCENARIOS} | {"mail"}
    if names - known:
        known.discard("")
        fail(f"unknown in BENCH_SCENARIOS: {', '.join(sorted(names - known))}; known: {', '.join(sorted(known))}")
    # A scenario compared with a ceiling (or a baseline) brings it along; one mail row brings them all.
    names |= {scenario.ceiling for scenario in SCENARIOS if scenario.name in names and scenario.ceiling}
    names |= {scenario.baseline for scenario in SCENARIOS if scenario.name in names and scenario.baseline}
    if any(scenario.mail and scenario.name in names for scenario in SCENARIOS):
        names.add("mail")
    chosen = {s.name for s in SCENARIOS if names & {s.name, s.together, s.group}}
    return [s for s in SCENARIOS if not names or s.name in chosen or (s.mail and "mail" in names)]


def measure(run: report.Run, batch: list[tuple[Scenario, int]], server: Gunicorn | None, seconds: float) -> None:
    """One row per (scenario, connections) of `batch`, measured at once: one wrk each, or pgbench."""
    first, warmup = batch[0][0], run.warmup_s if batch[0][0].warmup else 0
    label = " + ".join(f"{scenario.name} at {connections}" for scenario, connections in batch)
    backends: list[int] = []  # pgbench's: they exit with it, so they are read while it runs
    sampler = cpu.Sampler(list, lambda: backends) if first.pgbench else cpu.Sampler(server.workers, database_pids)
    if first.cold_samples:  # bench/feeds.py's changes, and their backend, count as the load generator's
        sampler = cpu.Sampler(server.workers, database_pids, changes=lambda: database_pids(FEEDS_APP))
    if server:
        batch = [(with_etag(server.port, scenario), connections) for scenario, connections in batch]
    for measured, length in ((False, warmup), (True, seconds)):
        if length:
            say(f"{label}: {'measuring' if measured else 'warm-up'} {length:g} s")
            backends.clear()
            sampler.start()
            rows = [run_pgbench(run, first, batch[0][1], length, backends, sampler)] if first.pgbench else []
            if first.cold_samples:
                rows = [run_cold(first, server, length, first.cold_samples if measured else 1, sampler)]
                server.idle()
            elif not first.pgbench:
                url = f"http://127.0.0.1:{server.port}"
                started = [loadgen.start_wrk(run.tools["wrk"], url, s, c, length, run.tickets) for s, c in batch]
                rows = [loadgen.finish_wrk(one) for one in started]
                server.idle()
                time.sleep(min(max(m.max_ms for m in rows) / 1000, 5) + 0.1)  # the other worker's last request
            usage = sampler.stop()
    served = sum(m.cpu_requests for m in rows)
    for m in rows:
        m.cpu, m.cpu_requests = ({name: round(v, 3) for name, v in asdict(usage).items()} if usage else {}), served
        run.measurements.append(m)
        errors = f"{m.errors} errors" + (f" ({m.error_summary()})" if m.errors else "")
        say(f"  {m.scenario}: {m.rps:7.1f}/s  p50 {m.p50_ms:6.1f} ms  p99 {m.p99_ms:6.1f} ms  {errors}")
        if not m.ok and server:
            say(f"  !!! FAILED; gunicorn's log:\n{tail(GUNICORN_LOG)}")
    if first.check:
        result = CHECKS[first.check](rows[0], run.seeded)
        run.checks.append(result)
        say(f"  check {first.check}: {'PASS' if result.passed else '!!! FAIL'}: {result.text}")


def run_pgbench(run: report.Run, scenario: Scenario, clients: int, seconds: float, backends, sampler):
    with pg_connect(DB_NAME) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_pgbench_code")
    hot, log = run.seeded["facts"]["pgbench_event"], OUT / "pgbench"
    process = loadgen.start_pgbench(run.tools["pgbench"], scenario, clients, seconds, DB_NAME, log, hot=hot)
    try:
        while process.poll() is None:
            backends[:] = database_pids("pgbench") if len(backends) < clients else backends
            sampler.poll()
            time.sleep(0.2)
    finally:
        process.terminate()
    return loadgen.finish_pgbench(process, scenario, clients, log)


def run_cold(scenario: Scenario, server: Gunicorn, seconds: float, samples: int, sampler) -> loadgen.Measurement:
    """bench/feeds.py: at least `samples` GETs and `seconds`, each GET the first request after a change."""
    job = {"port": server.port, "path": scenario.requests[0].path, "seconds": seconds, "samples": samples}
    job |= {"content_type": scenario.content_type, "count_text": scenario.body_count[0]}
    job |= {"count": scenario.body_count[1]}
    command = [sys.executable, "bench/feeds.py", json.dumps(job)]
    env = django_env({"PGAPPNAME": FEEDS_APP})
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while process.poll() is None:
            sampler.poll()
            time.sleep(0.2)
    finally:
        process.terminate()
    stdout, stderr = process.communicate()
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_FEEDS ")), None)
    if process.returncode != 0 or line is None:
        fail(f"`python bench/feeds.py` exited with {process.returncode}:\n{stdout[-2000:]}{stderr[-3000:]}")
    data = json.loads(line.removeprefix("BENCH_FEEDS "))
    latencies, count = sorted(data["latencies_ms"]), len(data["latencies_ms"])
    return loadgen.Measurement(
        scenario=scenario.name,
        concurrency=1,
        requests=count,
        rps=count / data["wall_s"],
        **{f"p{q}_ms": latencies[min(count - 1, count * q // 100)] for q in (50, 90, 99)},
        max_ms=latencies[-1],
        mean_ms=sum(latencies) / count,
        bytes_per_response=data["bytes"] / count,
        bad=data["bad"],
        first_bad_status=data["first_bad_status"],
        wrong=data["wrong"],
        first_wrong=data["first_wrong"],
        driver="feeds",
        cpu_requests=count,
    )


def check_capacity(m: loadgen.Measurement, seeded: dict) -> report.Check:
    """After the rush on a small event: exactly its capacity confirmed, the rest waitlisted, in order of arrival."""
    with pg_connect(DB_NAME) as conn:
        row = conn.execute(
            """
            SELECT e.capacity, e.seats_taken, COALESCE(SUM(r.seats) FILTER (WHERE r.status = 'confirmed'), 0),
                   COUNT(*) FILTER (WHERE r.status = 'confirmed'), COUNT(*) FILTER (WHERE r.status = 'waitlisted'),
                   COUNT(r.id), MAX(r.id) FILTER (WHERE r.status = 'confirmed'),
                   MIN(r.id) FILTER (WHERE r.status = 'waitlisted')
              FROM programme_event e LEFT JOIN registrations_registration r ON r.event_id = e.id
             WHERE e.id = %s GROUP BY e.id
            """,
            [seeded["facts"]["capacity_event"]],
        ).fetchone()
    capacity, taken, seats, confirmed, waitlisted, total, last_confirmed, first_waiting = row
    inf = float("inf")
    wrong = {
        f"the capacity is {capacity}, not {seeded['capacity']}": capacity != seeded["capacity"],
        "the rush never went past the capacity": total <= capacity,
        "confirmed seats, capacity and seats taken differ": not seats == capacity == taken,
        "some registrations are neither confirmed nor waitlisted": confirmed + waitlisted != total,
        "wrk got more answers 201 than the database holds registrations": total < m.requests,
        "a waitlisted registration arrived before a confirmed one": (first_waiting or inf) < (last_confirmed or 0),
    }
    problems = [text for text, failed in wrong.items() if failed]
    facts = (
        f"{seats} seats confirmed ({confirmed} registrations), capacity {capacity}, seats taken {taken}; {waitlisted} "
        f"waitlisted; {total} registrations, {m.requests} answered to wrk (the others: preflight, query count, "
        "requests in flight when wrk stopped)"
    )
    goal = f"exactly {seeded['capacity']} seats confirmed, every other registration waitlisted, first come first served"
    return report.Check(m.scenario, goal, not problems, "; ".join([*problems, facts]))


CHECKS = {"capacity": check_capacity}


def measure_mail(run: report.Run, scenarios: list[Scenario]) -> None:
    """The mail rows, all from one run of bench/mail.py (its own seed, SMTP server and worker)."""
    say("mail: bench/mail.py (its progress below; the worker's log in bench/out/celery-mail.log)")
    command = [sys.executable, "bench/mail.py"]
    result = subprocess.run(command, cwd=ROOT, env=django_env(), stdout=subprocess.PIPE, text=True)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_MAIL ")), None)
    if result.returncode != 0 or line is None:
        fail(f"`python bench/mail.py` exited with {result.returncode}:\n{result.stdout[-3000:]}")
    data = json.loads(line.removeprefix("BENCH_MAIL "))
    wanted = {scenario.name for scenario in scenarios}
    for row in data["measurements"]:
        row.pop("errors")
        if row["scenario"] in wanted:
            run.measurements.append(loadgen.Measurement(**row))
    run.checks += [report.Check(**check) for check in data["checks"] if check["scenario"] in wanted]
    per_message = data["facts"]["queries_per_message"]
    for scenario in scenarios:
        if scenario.mail in ("beat", "naive"):
            batch = "batch" if scenario.mail == "beat" else "one"
            label = f"delivery.deliver, batch of {data['facts']['batch_size'] if batch == 'batch' else 1}"
            run.queries[scenario.name] = [{"request": label, "queries": round(per_message[batch], 2), "sql": []}]
    run.mail = data["facts"]


def main() -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    OUT.mkdir(exist_ok=True)
    GUNICORN_LOG.write_text("")
    duration, warmup = float(os.environ.get("BENCH_DURATION") or 10), float(os.environ.get("BENCH_WARMUP") or 3)
    scenarios = selected_scenarios()
    mail = [scenario for scenario in scenarios if scenario.mail]
    tools = {"wrk": loadgen.find("wrk", "wrk")} if len(mail) < len(scenarios) else {}
    if any(scenario.pgbench for scenario in scenarios):
        tools["pgbench"] = loadgen.find("pgbench", "postgresql-contrib")
    postgres, redis = check_services()
    say(f"PostgreSQL {postgres}, Redis {redis} (db {REDIS_DB} flushed); recreating database {DB_NAME}")
    load_before = os.getloadavg()
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    say("migrating, collecting static files (DEBUG=0 serves hashed names), seeding")
    run_django("manage.py", "migrate", "--noinput", "-v", "0")
    run_django("manage.py", "collectstatic", "--noinput", "--clear", "-v", "0")
    seed_summary = run_django("bench/seed.py").strip().removeprefix("seeded: ")
    seeded = json.loads((OUT / "seed.json").read_text())
    scenarios = [resolve(scenario, seeded["facts"]) for scenario in scenarios]
    groups: dict[tuple, list[Scenario]] = {}
    for scenario in scenarios:
        if not scenario.mail:
            groups.setdefault(scenario.server_key, []).append(scenario)

    say("counting SQL queries per request")
    queries: dict[str, list[dict]] = {}
    for key, group in groups.items():
        names = [scenario.name for scenario in group if not scenario.pgbench]
        output = run_django("bench/queries.py", *names, extra_env=dict(key)) if names else "BENCH_QUERIES {}"
        queries |= json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_QUERIES "))[14:])
    for scenario in (scenario for scenario in scenarios if scenario.pgbench):
        sql = loadgen.statements(scenario)
        queries[scenario.name] = [{"request": f"pgbench {scenario.pgbench}", "queries": len(sql), "sql": sql}]

    run = report.Run(
        command=" ".join([*(f"{n}={os.environ[n]}" for n in BENCH_VARIABLES if os.environ.get(n)), "make bench"]),
        started=datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
        duration_s=duration,
        warmup_s=warmup,
        tools={**tools, "postgres": postgres, "redis": redis},
        seed_summary=seed_summary,
        settings=SETTINGS,
        load_before=load_before,
        scenarios=scenarios,
        queries=queries,
        seeded=seeded,
        tickets=loadgen.Tickets(seeded["tickets"]["fresh"], seeded["tickets"]["scanned"]),
    )
    for key, group in groups.items():
        batches = [[(scenario, c)] for scenario in group if not scenario.together for c in scenario.concurrency]
        for name in dict.fromkeys(scenario.together for scenario in group if scenario.together):
            batches.append([(scenario, scenario.concurrency[0]) for scenario in group if scenario.together == name])
        batches.sort(key=lambda batch: group.index(batch[0][0]))
        server = Gunicorn(dict(key)) if any(not scenario.pgbench for scenario in group) else None
        try:
            if server:
                say(f"gunicorn answers on http://127.0.0.1:{server.port}/; checking every request")
                preflight(server.port, [scenario for scenario in group if not scenario.pgbench], seeded)
            for batch in batches:
                measure(run, batch, server, batch[0][0].duration_s or duration)
        finally:
            if server:
                server.stop()
    if mail:
        measure_mail(run, mail)
    run.load_after = os.getloadavg()
    order = [scenario.name for scenario in scenarios]
    run.measurements.sort(key=lambda m: order.index(m.scenario))

    (HERE / "RESULTS.md").write_text(report.render(run))
    results = {"measurements": [m.as_dict() for m in run.measurements], "checks": [asdict(c) for c in run.checks]}
    (OUT / "results.json").write_text(json.dumps({**results, "queries": queries}, indent=2))
    say("wrote bench/RESULTS.md and bench/out/results.json\n")
    print(report.render(run).split("## Results", 1)[1].split("## Scenarios", 1)[0].strip())
    failed = [f"{m.scenario} at {m.concurrency}: {m.error_summary()}" for m in run.measurements if not m.ok]
    failed += [f"check of {check.scenario}: {check.text}" for check in run.checks if not check.passed]
    for line in failed:
        print(f"bench: FAILED: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("\nbench: interrupted; gunicorn and pgbench stopped, bench/RESULTS.md not written.")
