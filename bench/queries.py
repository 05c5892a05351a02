"""SQL queries of each named scenario's requests (its first three), in Django with the bench
settings: the second of two requests through the test Client, counted by CaptureQueriesContext.
`{etag}` in a header is the ETag of a GET of the path made first; a cold scenario's counted
request comes right after a change (bench/feeds.py's change_event).
Prints BENCH_QUERIES {"<scenario>": [{"request", "status", "queries", "sql"}, ...]}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from feeds import change_event
    from scenarios import SCENARIOS, resolve, sample_body

    seeded = json.loads((HERE / "out" / "seed.json").read_text())
    spare = iter(seeded["tickets"]["spare"][1:])  # the first is the preflight's: valid first scans
    client = Client(HTTP_HOST="127.0.0.1")
    report: dict[str, list[dict]] = {}
    for scenario in SCENARIOS:
        if scenario.name not in sys.argv[1:]:
            continue
        report[scenario.name] = []
        for request in resolve(scenario, seeded["facts"]).requests[:3]:
            headers = dict(request.headers)
            content_type = headers.pop("Content-Type", "application/octet-stream")
            if any("{etag}" in value for value in headers.values()):
                etag = client.get(request.path).headers.get("ETag", "")
                headers = {name: value.replace("{etag}", etag) for name, value in headers.items()}
            extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}

            def send(request=request, content_type=content_type, extra=extra):
                body = sample_body(request.body, ticket=next(spare) if "{ticket}" in request.body else "")
                return client.generic(request.method, request.path, data=body, content_type=content_type, **extra)

            send()
            if scenario.cold_samples:
                change_event()
            with CaptureQueriesContext(connection) as captured:
                response = send()
            sql = [query["sql"] for query in captured.captured_queries]
            row = {"request": request.describe(), "status": response.status_code, "queries": len(sql), "sql": sql}
            report[scenario.name].append(row)
    print("BENCH_QUERIES " + json.dumps(report))


if __name__ == "__main__":
    main()
