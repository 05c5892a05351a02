"""Where a request's time goes: time and cProfile one URL in-process, against the bench database.

Run after `make bench` (which leaves the seeded `fortnight_bench` database in place):

    .venv/bin/python bench/profile_url.py /en/
    .venv/bin/python bench/profile_url.py '/api/v1/events/?page_size=500' --json --top 30

The request goes through Django's test Client (every middleware, no HTTP, no
gunicorn) with the same settings as the benchmarked server. Prints the median
and minimum wall and CPU time of --repeat requests without the profiler (CPU
time moves less with the machine's other load; it leaves out PostgreSQL's), then the
functions of one profiled request by cumulative and by own time. The profiler
roughly doubles the time of Python-heavy code: read its figures as shares.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="URL path with query string, e.g. /en/")
    parser.add_argument("--json", action="store_true", help="send Accept: application/json")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests (default 20)")
    parser.add_argument("--top", type=int, default=40, help="functions listed per table (default 40)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting on top of the bench's, e.g. PROGRAMME_CACHE_SECONDS=0 to profile rendering, not the cache",
    )
    args = parser.parse_args()

    from profiling import print_profile, timing
    from run import django_env

    os.environ.update(django_env())
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--env takes NAME=VALUE, not {item!r}")
        os.environ[name] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "fortnight.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"HTTP_ACCEPT": "application/json"} if args.json else {}

    def get():
        return client.get(args.path, **headers)

    response = get()
    if response.status_code != 200:
        raise SystemExit(f"{args.path} -> {response.status_code}; run `make bench` first to seed the database")
    with CaptureQueriesContext(connection) as captured:
        get()
    queries = captured.captured_queries  # now: later requests reset the connection's query log
    print(
        f"GET {args.path}: {len(response.content)} bytes, {len(queries)} SQL queries "
        f"({sum(float(q['time']) for q in queries) * 1000:.1f} ms in the database driver); " + timing(get, args.repeat)
    )
    print_profile(get, 1, args.top)


if __name__ == "__main__":
    main()
