"""The benchmark scenarios: append a `Scenario` to SCENARIOS to add one (bench/README.md).

A scenario is one or more requests that wrk cycles through, the numbers of
connections to run it at, and what a correct answer is: any 2xx, or exactly
`status`; before the load each request is sent once and its body must hold
every `expect` string. Each (scenario, connections) pair becomes one row.

Placeholders: `{rush_event}`, `{door_token}`, ... are filled from the seed's
facts (bench/out/seed.json), in requests and in `expect`; a request whose path
is `{activity_pages}` stands for the seed's list of activity pages. `{unique}` (a string no other request
has) and `{ticket}` (a ticket of the check-in mix) are filled by wrk_report.lua
for each request; `{etag}` in a header by run.py (and queries.py) just before the row: the ETag of
a GET of the request's path then.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace

JSON = {"Accept": "application/json"}
POST_JSON = {"Accept": "application/json", "Content-Type": "application/json"}
UNCACHED = {"PROGRAMME_CACHE_SECONDS": "0"}


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def describe(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    requests: tuple[Request, ...] = ()
    concurrency: tuple[int, ...] = (2, 8)
    expect: tuple[str, ...] = ()
    status: int | None = None  # the only status that counts as success; None: any 2xx
    target_p50_ms: float | None = None  # checked at the first concurrency
    target_p99_ms: float | None = None
    ceiling: str = ""  # a pgbench scenario whose transactions/s this one's req/s is compared with
    target_ceiling_ratio: float | None = None
    server_env: dict[str, str] = field(default_factory=dict)  # settings of the gunicorn serving it
    warmup: bool = True
    duration_s: float | None = None  # instead of BENCH_DURATION
    pgbench: str = ""  # a pgbench script (in bench/) run straight to PostgreSQL, instead of wrk
    check: str = ""  # a database check after the row (run.CHECKS); a FAIL fails make bench
    together: str = ""  # scenarios with the same name here are measured at once, one wrk each
    mail: str = ""  # a row of the mail run (bench/mail.py) instead of HTTP: "beat", "naive" or "ceiling"
    label: str = ""  # what the Request column shows when there are no requests
    target_rate: float | None = None  # at least this many per second (a mail row: messages/s)
    baseline: str = ""  # a scenario whose rate this one's must exceed target_baseline_ratio times
    target_baseline_ratio: float | None = None
    group: str = ""  # BENCH_SCENARIOS may name it for all its scenarios (measured one after the other)
    content_type: str = ""  # every answer 200 (preflight and load) has a Content-Type starting with it
    body_count: tuple[str, int] | None = None  # (text, n): every answer 200 holds `text` exactly n times
    cold_samples: int = 0  # instead of wrk: at least this many GETs, each right after a change (bench/feeds.py)

    @property
    def target_at(self) -> int:
        """The targets are checked at the first number of connections."""
        return self.concurrency[0]

    @property
    def server_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.server_env.items()))


def resolve(scenario: Scenario, facts: dict) -> Scenario:
    """The scenario with the seed's ids and token in place of its placeholders."""

    def fill(text: str) -> str:
        for name, value in facts.items():
            text = text.replace("{" + name + "}", str(value))
        unknown = set(re.findall(r"\{[a-z_0-9]+\}", text)) - {"{unique}", "{ticket}", "{etag}"}
        if unknown:
            raise ValueError(f"scenario {scenario.name!r}: the seed made no {', '.join(sorted(unknown))}")
        return text

    requests = []
    for request in scenario.requests:
        paths = facts["activity_pages"] if request.path == "{activity_pages}" else [fill(request.path)]
        headers = {name: fill(value) for name, value in request.headers.items()}
        requests += [replace(request, path=path, headers=headers, body=fill(request.body)) for path in paths]
    return replace(scenario, requests=tuple(requests), expect=tuple(fill(text) for text in scenario.expect))


def sample_body(body: str, *, ticket: str = "") -> str:
    """A body for one request sent from Python (preflight, query count)."""
    return body.replace("{unique}", f"py{os.getpid()}-{time.time_ns()}").replace("{ticket}", ticket)


def registration(path: str, prefix: str) -> Request:
    body = f'{{"name":"Rush {{unique}}","email":"{prefix}-{{unique}}@bench.example.org","seats":1,"language":"en"}}'
    return Request(path, method="POST", headers=POST_JSON, body=body)


REGISTERED = {"expect": ('"status":"confirmed"',), "status": 201}
EVENTS_500 = {
    "requests": (Request("/api/v1/events/?page_size=500", headers=JSON),),
    "expect": ('"count":500', '"next":null'),
}
EVENTS_50 = {"requests": (Request("/api/v1/events/", headers=JSON),), "expect": ('"count":500', "page=2")}
PROGRAMME = {"requests": (Request("/en/"),), "expect": ("500 activities",), "target_p50_ms": 30}
MISS = "rendered at each request: what a cache miss costs."
FEED = "/calendar/programme.ics"
#: Every answer 200 of the programme feed: a calendar of the current edition's 500 published events.
FEED_CHECKS = {"content_type": "text/calendar", "body_count": ("BEGIN:VEVENT", 500), "expect": ("END:VCALENDAR",)}

SCENARIOS: list[Scenario] = [
    Scenario(
        "floor-static",
        "Floor of gunicorn + WSGI: a 4 KB stylesheet WhiteNoise serves from memory, before any Django view.",
        (Request("/static/css/site.css"),),
        expect=("body",),
    ),
    Scenario(
        "floor-django",
        "Floor of a Django request (the app has no trivial view): the DRF API root as JSON, every middleware, "
        "URL resolution, content negotiation, the JSON renderer; no session, no SQL.",
        (Request("/api/v1/", headers=JSON),),
        expect=('"events"',),
    ),
    Scenario("api-events-500", "Events API, all 500 events in one page, from the cache.", **EVENTS_500),
    Scenario("api-events-50", "Events API, default page (50 of 500 events), from the cache.", **EVENTS_50),
    Scenario("programme-page", "HTML programme in English, 500 event cards by day, from the cache.", **PROGRAMME),
    Scenario("api-events-500-uncached", f"api-events-500 {MISS}", server_env=UNCACHED, **EVENTS_500),
    Scenario("api-events-50-uncached", f"api-events-50 {MISS}", server_env=UNCACHED, **EVENTS_50),
    Scenario("programme-page-uncached", f"programme-page {MISS}", server_env=UNCACHED, **PROGRAMME),
    # The programme feed (issue 12): `BENCH_SCENARIOS=feeds` runs these rows only.
    Scenario(
        "feed-programme-warm",
        "Programme calendar feed (ICS, the current edition's 500 published events, French), from the cache: "
        "the serialised feed kept until an event changes. Each answer: 200, text/calendar, 500 VEVENTs.",
        (Request(FEED),),
        concurrency=(2,),
        status=200,
        target_p50_ms=10,
        group="feeds",
        **FEED_CHECKS,
    ),
    Scenario(
        "feed-programme-304",
        "The programme feed asked again by a calendar app that holds it: `If-None-Match` with the ETag of a GET "
        "made just before the row; every answer must be 304.",
        (Request(FEED, headers={"If-None-Match": "{etag}"}),),
        concurrency=(2,),
        status=304,
        target_p50_ms=5,
        label=f"`GET {FEED}`<br>`If-None-Match: <ETag>`",
        group="feeds",
    ),
    Scenario(
        "feed-programme-cold",
        "The first request for the programme feed after a change, one at a time: before each sample bench/feeds.py "
        "corrects the titles of one published event (FR/NL/EN) through the ORM as the back office does "
        "(`programme.services.event_update`: a new SEQUENCE and updated_at, so a new programme version), then "
        "times one GET (the change is not timed). Each answer: 200, text/calendar, 500 VEVENTs, the new title, "
        "an ETag other than the previous answer's. Requests = samples; Req/s = samples per second of the row, "
        "changes included; the CPU columns are per sample (the changes' process and backend count as the "
        "load generator's, not as Other load).",
        (Request(FEED),),
        concurrency=(1,),
        status=200,
        target_p50_ms=150,
        cold_samples=30,
        label=f"change one event (`event_update`), then `GET {FEED}`",
        group="feeds",
        **FEED_CHECKS,
    ),
    Scenario(
        "feed-programme-uncached",
        "The programme feed built at each request, no cache (the plain icalendar build of 500 events): "
        "for comparison with feed-programme-warm and feed-programme-cold, no target.",
        (Request(FEED),),
        concurrency=(2,),
        status=200,
        server_env=UNCACHED,
        group="feeds",
        **FEED_CHECKS,
    ),
    Scenario(
        "registration-ceiling-pgbench",
        "The SQL ceiling of registration-rush: registration_create's statements, pgbench on an event of its own, "
        "no HTTP, no Python. Requests = transactions.",
        pgbench="pgbench_registration.sql",
        concurrency=(8,),
    ),
    Scenario(
        "registration-rush",
        "POST of a registration (JSON) to one event of capacity 1,000,000, a new e-mail address each time. "
        "Its event lock is a query the ORM builds once per process (registrations/services.py, _lock_sql): "
        "built at each registration (2026-12-01, back to back, same bench), this row fell from 301.7 to "
        "248.1 requests/s (-18 %, beyond the 15 % allowed) and its worker CPU rose from 4.7 to 6.0 ms.",
        (registration("/api/v1/events/{rush_event}/registrations/", "rush"),),
        concurrency=(16,),
        ceiling="registration-ceiling-pgbench",
        target_ceiling_ratio=0.35,
        **REGISTERED,
    ),
    Scenario(
        "registration-rush-capacity",
        "The rush on a 200-seat event with a waiting list, 5 s, no warm-up, then the database check.",
        (registration("/api/v1/events/{capacity_event}/registrations/", "cap"),),
        concurrency=(16,),
        warmup=False,
        duration_s=5,
        check="capacity",
        **REGISTERED,
    ),
    Scenario(
        "checkin",
        "POST of a scan by door staff (API token), event of 5,000 registrations: about 60 % tickets never "
        "scanned, 25 % repeats, 15 % forged; 200 for all three (ok, already_checked_in, invalid). "
        "The door's three statements are SQL (registrations/services.py): with the ORM (2026-12-01, back "
        "to back, same bench) this row fell from 299.6 to 203.2 requests/s at 2 connections (-32 %) and "
        "missed its p99 target (14.9 ms).",
        (
            Request(
                "/api/v1/checkins/",
                method="POST",
                headers={**POST_JSON, "Authorization": "Token {door_token}"},
                body='{"secret":"{ticket}","event":{checkin_event},"nonce":"{unique}"}',
            ),
        ),
        concurrency=(2, 16),
        expect=('"result":"ok"',),
        status=200,
        target_p99_ms=10,
    ),
    # The organisers' numbers (issue 11), on the seed's 500 activities and 50,000 registrations, before
    # the opening hour adds its own; never cached, each answer is computed from the registrations.
    Scenario(
        "dashboard",
        "The organisers' dashboard in English (never cached): the current edition's 500 activities and 50,000 "
        "registrations summed per event, day, category and venue, the fill-rate chart, the registrations of each "
        "day since they opened 45 days before, the events to look at; logged in as an organiser (the cookie of a "
        "session the seed made).",
        (Request("/en/backoffice/dashboard/", headers={"Cookie": "{organiser_cookie}"}),),
        concurrency=(2,),
        expect=("Registrations over time", "Seats held at the end of the day"),
        status=200,
        target_p50_ms=200,
    ),
    Scenario(
        "stats-api",
        "The statistics API of the current edition (never cached): per published or cancelled event its seats "
        "taken, waiting, checked in and not come, and the totals, from the same 50,000 registrations; an "
        "organiser's API token.",
        (Request("/api/v1/editions/{edition}/stats/", headers={**JSON, "Authorization": "Token {organiser_token}"}),),
        concurrency=(2,),
        expect=('"edition":"{edition}"', '"events":500'),
        status=200,
        target_p50_ms=200,
    ),
    # The opening hour: 16 visitors at once on the cache as production runs it, where every
    # registration makes a new programme version; one wrk per kind of request (bench/README.md).
    Scenario(
        "opening-hour/programme",
        "Opening hour, browsing: the programme page in French, Dutch and English.",
        (Request("/fr/"), Request("/nl/"), Request("/en/")),
        concurrency=(4,),
        expect=("500",),
        target_p99_ms=100,
        together="opening-hour",
    ),
    Scenario(
        "opening-hour/activity",
        "Opening hour, browsing: activity pages in the three languages, 30 % on the three hot activities.",
        (Request("{activity_pages}"),),
        concurrency=(10,),
        expect=("<h1>",),
        target_p99_ms=100,
        together="opening-hour",
    ),
    Scenario(
        "opening-hour/registration",
        "Opening hour, registering (JSON) on the three hot activities of the programme, capacity 100,000 each.",
        tuple(registration(f"/api/v1/events/{{hot_{n}}}/registrations/", "open") for n in (1, 2, 3)),
        concurrency=(2,),
        target_p99_ms=150,
        together="opening-hour",
        **REGISTERED,
    ),
    # The e-mail outbox: reminders through Celery to one local aiosmtpd (bench/mail.py, after
    # the HTTP rows; bench/README.md). The three rows are measured in one run, in one set-up.
    Scenario(
        "mail-reminders",
        "10,000 confirmed registrations (5 activities of one day, made a month ago) whose 48-hour reminder "
        "falls due at once: from `notifications.tasks.send_reminders.delay()` to the 10,000th distinct "
        "Message-ID accepted by one local aiosmtpd, with 2 worker processes on Redis "
        "(`celery -A celery_app worker --concurrency=2`, prefork); then exactly 10,000 received, none twice, "
        "each row sent at its first attempt. Target: at least 2,000 messages/s and at least 5 times "
        "mail-reminders-naive.",
        mail="beat",
        label="`send_reminders.delay()` → 10,000 reminders → aiosmtpd",
        concurrency=(2,),
        check="mail",
        target_rate=2000,
        baseline="mail-reminders-naive",
        target_baseline_ratio=5,
    ),
    Scenario(
        "mail-reminders-naive",
        "The first 2,000 of the same reminders put back to pending, each queued as a task of its own "
        "(`deliver_messages.apply_async(([id],))` from the bench, which goes on queueing while the "
        "workers send): one task, one context query, one SMTP connection per message, the same claim and "
        "mark; from the first task queued to the 2,000th message accepted (its cost per message does not change "
        "along the way: all 10,000 would take minutes).",
        mail="naive",
        label="2,000 tasks of `deliver_messages([id])` → aiosmtpd",
        concurrency=(2,),
        check="mail",
    ),
    Scenario(
        "mail-smtp-ceiling",
        "The mail rows' SMTP server alone: the same aiosmtpd (bench/smtpsink.py, a process of its own that "
        "notes each Message-ID) fed 4,000 copies of a reminder as the workers sent it, by smtplib over 2 "
        "connections, no Django, no database: no mail row can go faster.",
        mail="ceiling",
        label="smtplib → aiosmtpd, 4,000 reminders",
        concurrency=(2,),
    ),
]
