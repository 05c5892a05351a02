"""Count the SQL queries of each scenario's requests, in a Django process of its own.

Run by bench/run.py against the seeded bench database, with the same settings
as the gunicorn under test. Each request goes through Django's test Client
(the whole middleware stack, not a view called directly) twice; the second,
steady-state request is counted with CaptureQueriesContext, so one-off work of
a fresh process (first connection, caches) is not. A body with `{unique}` gets
a new value each time (a registration with a new e-mail address) and one with
`{ticket}` a spare ticket of the seed, never scanned (so the counted check-in is
a valid first scan). pgbench scenarios are left to run.py. Prints one JSON line:
{"<scenario>": [{"request": "GET /en/", "status": 200, "queries": 7, "sql": [...]}, ...], ...}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from scenarios import SCENARIOS, resolve, sample_body

    seeded = json.loads((HERE / "out" / "seed.json").read_text())
    spare = iter(seeded["tickets"]["spare"][1:])  # the first is the preflight's (run.py)
    wanted = set(sys.argv[1:])
    client = Client(HTTP_HOST="127.0.0.1")
    report: dict[str, list[dict]] = {}
    for scenario in SCENARIOS:
        if (wanted and scenario.name not in wanted) or scenario.driver != "wrk":
            continue
        scenario = resolve(scenario, seeded["facts"])
        rows = []
        for request in scenario.requests:
            headers = dict(request.headers)
            content_type = headers.pop("Content-Type", "application/octet-stream")
            extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}

            def send(request=request, extra=extra, content_type=content_type):
                # A body with {unique} or {ticket} gets its own values each time (a new e-mail, a spare ticket).
                body = sample_body(request.body, ticket=next(spare) if "{ticket}" in request.body else "")
                return client.generic(request.method, request.path, data=body, content_type=content_type, **extra)

            send()
            with CaptureQueriesContext(connection) as captured:
                response = send()
            rows.append(
                {
                    "request": request.describe(),
                    "status": response.status_code,
                    "queries": len(captured.captured_queries),
                    "sql": [query["sql"] for query in captured.captured_queries],
                }
            )
        report[scenario.name] = rows
    print("BENCH_QUERIES " + json.dumps(report))


if __name__ == "__main__":
    main()
