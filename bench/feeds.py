"""The programme feed's cold row (feed-programme-cold): each sample changes one event as the back
office would, then times one GET of the feed, the first request after the change.

run.py runs it against its gunicorn with the bench settings (PGAPPNAME=bench-feeds, so that the
changes' PostgreSQL backend is not counted as the workers'):

    python bench/feeds.py '{"port": 8000, "path": "/calendar/programme.ics", "seconds": 10, "samples": 30,
                            "content_type": "text/calendar", "count_text": "BEGIN:VEVENT", "count": 500}'

and reads the line BENCH_FEEDS {"latencies_ms": [...], "bytes", "bad", "first_bad_status", "wrong",
"first_wrong", "wall_s"}: samples until `seconds` have passed and at least `samples` were taken.
queries.py calls change_event() before counting the cold request's queries.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
from pathlib import Path

#: What change_event() appends to each title (the event's new sequence), taken off again at the next change.
REVISION = re.compile(r" \(rev\. [0-9]+\)$")
LANGUAGES = ("fr", "nl", "en")


def change_event() -> list[str]:
    """Correct the titles (FR, NL, EN) of the current edition's least-changed published event through
    `event_update`, as the back office does: a new sequence and updated_at, hence a new programme
    version. Returns the new titles. A title change tells no attendee (only moves and cancellations do)."""
    from programme.models import Event
    from programme.services import event_update

    event = (
        Event.objects.filter(edition__is_current=True, status=Event.Status.PUBLISHED).order_by("sequence", "pk").first()
    )
    revision = event.sequence + 1
    data = {
        f"title_{code}": REVISION.sub("", getattr(event, f"title_{code}")) + f" (rev. {revision})" for code in LANGUAGES
    }
    event = event_update(event=event, data=data)
    if event.sequence != revision:
        raise SystemExit(f"feeds.py: event {event.pk}: sequence {event.sequence} after a title change, not {revision}")
    return list(data.values())


def _lacks(response: http.client.HTTPResponse, text: str, titles: list[str], previous_etag: str, job: dict) -> str:
    """What the answer 200 to the first GET after a change lacks, or ''."""
    content_type = response.getheader("Content-Type", "")
    if not content_type.startswith(job["content_type"]):
        return f"Content-Type {content_type}"
    if (found := text.count(job["count_text"])) != job["count"]:
        return f"{found} times {job['count_text']}, not {job['count']}"
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")  # RFC 5545 folds lines at 75 octets
    if not any(title in unfolded for title in titles):
        return f"not the changed title ({titles[0]!r}): a stale feed"
    etag = response.getheader("ETag", "")
    if etag and etag == previous_etag:
        return f"the ETag of the answer before the change ({etag}): a stale ETag"
    return ""


def run(job: dict) -> dict:
    from django.db import connection

    latencies, total_bytes, bad, first_bad, wrong, first_wrong, etag = [], 0, 0, 0, 0, "", ""
    started = time.monotonic()
    while time.monotonic() - started < job["seconds"] or len(latencies) < job["samples"]:
        titles = change_event()
        begin = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=30)
        try:
            conn.request("GET", job["path"])
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        latencies.append((time.perf_counter() - begin) * 1000)
        total_bytes += len(body)
        if response.status != 200:
            bad += 1
            first_bad = first_bad or response.status
        elif why := _lacks(response, body.decode("utf-8", "replace"), titles, etag, job):
            wrong += 1
            first_wrong = first_wrong or why
        etag = response.getheader("ETag", "")
    wall = time.monotonic() - started
    connection.close()
    return {
        "latencies_ms": latencies,
        "bytes": total_bytes,
        "bad": bad,
        "first_bad_status": first_bad,
        "wrong": wrong,
        "first_wrong": first_wrong,
        "wall_s": wall,
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
    import django

    django.setup()
    print("BENCH_FEEDS " + json.dumps(run(json.loads(sys.argv[1]))), flush=True)


if __name__ == "__main__":
    main()
