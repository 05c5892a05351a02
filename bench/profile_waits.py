"""What the gunicorn workers' PostgreSQL backends are doing under a scenario's load, sampled.

Run after `make bench` (which leaves the seeded database and bench/out/seed.json):

    .venv/bin/python bench/profile_waits.py registration-rush
    .venv/bin/python bench/profile_waits.py registration-rush --workers 4 --seconds 15

Starts gunicorn as run.py does (bench settings, --workers 2 unless told), loads
it with wrk at the scenario's first concurrency (or --connections) after a
2-second warm-up, and meanwhile reads pg_stat_activity every 20 ms: the state
and wait event of each backend of the workers, and whether its transaction has
a transaction id yet (it gets one with its first row lock or write). Prints the
share of samples in each, and the share of time the backends hold a
transaction id without waiting for a lock: on a hot event, that is the time the
event row is locked (registration_create locks it with its first statement and
keeps it until the commit). "idle in transaction" is the database waiting for
the next statement while Python works between two of them. The sampling costs a little CPU: the rates
printed are a bit below make bench's.
"""

from __future__ import annotations

import argparse
import collections
import json
import threading
import time

import loadgen
import run
from scenarios import SCENARIOS, resolve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, help="default: the scenario's first concurrency")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    seeded = json.loads(run.SEED_FILE.read_text())
    by_name = {scenario.name: scenario for scenario in SCENARIOS if scenario.driver == "wrk"}
    if args.scenario not in by_name:
        raise SystemExit(f"unknown scenario {args.scenario!r}; known: {', '.join(by_name)}")
    scenario = resolve(by_name[args.scenario], seeded["facts"])
    connections = args.connections or scenario.concurrency[0]
    wrk = loadgen.ensure_wrk()
    # Fresh tickets from the end of the file: the ones make bench's rows are least likely to have used.
    tickets = loadgen.TicketPool(seeded["tickets"]["fresh"], seeded["tickets"]["scanned"])
    tickets.used = max(0, tickets.total - 1500)

    run.OUT.mkdir(exist_ok=True)
    server = run.Gunicorn(run.free_port(), scenario.server_env, workers=args.workers)
    samples: collections.Counter = collections.Counter()
    stop = threading.Event()

    def sample() -> None:
        query = (
            "SELECT state, wait_event_type, wait_event, backend_xid IS NOT NULL FROM pg_stat_activity "
            "WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND application_name <> 'pgbench'"
        )
        with run.pg_connect() as conn:
            while not stop.is_set():
                for row in conn.execute(query, [run.DB_NAME]).fetchall():
                    state, kind, event, holds = row
                    samples[(state or "-", kind or "-", event or "-", "holds xid" if holds else "no xid")] += 1
                time.sleep(0.02)

    try:
        server.start()
        server.wait_ready(run.PROBE)
        base_url = f"http://127.0.0.1:{server.port}"
        loadgen.run(wrk, base_url, scenario, connections, 2, tickets)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            m = loadgen.run(wrk, base_url, scenario, connections, args.seconds, tickets)
        finally:
            stop.set()
            sampler.join()
    finally:
        server.stop()

    total = sum(samples.values()) or 1
    print(
        f"\n{scenario.name}, {args.workers} workers, {connections} connections: {m.rps:.1f} req/s, "
        f"p50 {m.p50_ms:.1f} ms, p99 {m.p99_ms:.1f} ms, {m.errors} errors"
    )
    print(f"{total} samples of the backends' (state, wait event type, wait event, transaction id):")
    for key, count in samples.most_common():
        print(f"  {count / total * 100:5.1f} %  {key}")
    holding = sum(n for (_s, kind, _e, xid), n in samples.items() if xid == "holds xid" and kind != "Lock")
    held = holding / total * args.workers  # busy share of one lock, summed over the backends
    print(
        f"holding a transaction id, not waiting for a lock: {holding / total * 100:.1f} % of each backend's time, "
        f"so one of them holds the row lock about {held * 100:.0f} % of the time"
    )
    if m.rps:
        print(f"  -> about {held / m.rps * 1000:.2f} ms of lock per request, a ceiling of {m.rps / held:.0f} req/s")


if __name__ == "__main__":
    main()
