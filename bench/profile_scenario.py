"""Where a scenario's request time goes, POSTs included: time and cProfile it in-process.

Run after `make bench` (which leaves the seeded `fortnight_bench` database and
bench/out/seed.json in place):

    .venv/bin/python bench/profile_scenario.py registration-rush
    .venv/bin/python bench/profile_scenario.py checkin --ticket fresh
    .venv/bin/python bench/profile_scenario.py checkin --ticket forged --repeat 300 --top 30

Each request goes through Django's test Client (every middleware, no HTTP, no
gunicorn) with the bench settings, its placeholders filled as the load
generator fills them: a new e-mail address and nonce each time ({unique}); for
{ticket}, with --ticket fresh a ticket never scanned (taken from the end of
the seed's fresh tickets, which the load reaches last), repeat one already
checked in, forged a genuine ticket with one signature character changed.
Each request writes to the database as it would under load.

Prints the SQL queries of one request (their start), the median and minimum
wall and CPU time of --repeat requests without the profiler (CPU time leaves
PostgreSQL's out), then the functions of --repeat more requests under
cProfile, by cumulative and by own time. The profiler slows Python-heavy code down: read its figures as
shares.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def forge(token: str, rng: random.Random) -> str:
    """One character of the signature part (the 16th onwards) changed, as wrk_report.lua does."""
    at = rng.randrange(15, len(token))
    new = rng.choice(B64.replace(token[at], ""))
    return token[:at] + new + token[at + 1 :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help="a scenario name, e.g. registration-rush or checkin")
    parser.add_argument("--ticket", choices=["fresh", "repeat", "forged"], default="fresh")
    parser.add_argument("--repeat", type=int, default=200, help="requests timed, then as many profiled (default 200)")
    parser.add_argument("--top", type=int, default=35, help="functions listed per table (default 35)")
    args = parser.parse_args()

    from profiling import print_profile, timing
    from run import SEED_FILE, django_env
    from scenarios import SCENARIOS, resolve

    os.environ.update(django_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "fortnight.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seeded = json.loads(SEED_FILE.read_text())
    by_name = {scenario.name: scenario for scenario in SCENARIOS}
    if args.scenario not in by_name or by_name[args.scenario].driver != "wrk":
        known = ", ".join(name for name, s in by_name.items() if s.driver == "wrk")
        raise SystemExit(f"unknown scenario {args.scenario!r}; known: {known}")
    scenario = resolve(by_name[args.scenario], seeded["facts"])
    request = scenario.requests[0]
    headers = dict(request.headers)
    content_type = headers.pop("Content-Type", "application/octet-stream")
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}

    rng = random.Random(1)
    fresh = Path(seeded["tickets"]["fresh"]).read_text().split()
    scanned = Path(seeded["tickets"]["scanned"]).read_text().split()
    counter = 0

    def ticket() -> str:
        if args.ticket == "fresh":
            if not fresh:
                raise SystemExit("no fresh ticket left: run `make bench` again for a new database")
            return fresh.pop()
        if args.ticket == "repeat":
            return rng.choice(scanned)
        return forge(rng.choice(scanned), rng)

    client = Client(HTTP_HOST="127.0.0.1")

    def send():
        nonlocal counter
        counter += 1
        body = request.body.replace("{unique}", f"prof{os.getpid()}-{time.time_ns()}-{counter}")
        if "{ticket}" in body:
            body = body.replace("{ticket}", ticket())
        response = client.generic(request.method, request.path, data=body, content_type=content_type, **extra)
        if scenario.status is not None and response.status_code != scenario.status:
            raise SystemExit(f"{request.describe()} -> {response.status_code}: {response.content[:300]!r}")
        return response

    for _ in range(5):
        send()
    with CaptureQueriesContext(connection) as captured:
        response = send()
    queries = captured.captured_queries
    kind = f", {args.ticket} ticket" if "{ticket}" in request.body else ""
    print(f"{request.describe()} ({scenario.name}{kind})")
    print(f"answer {response.status_code}: {response.content[:160].decode('utf-8', 'replace')}")
    print(f"{len(queries)} SQL queries:")
    for query in queries:
        print(f"  {query['sql'][:150]}")

    print("\n" + timing(send, args.repeat))
    print_profile(send, args.repeat, args.top)


if __name__ == "__main__":
    main()
