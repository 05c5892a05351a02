"""The benchmark scenarios. To add one, append a `Scenario` to SCENARIOS.

A scenario is a name, one or more requests (method, path, headers, body) that
the load generator cycles through, the concurrencies (open connections) to run
it at, and what a correct response contains. Each (scenario, concurrency) pair
is measured for BENCH_DURATION seconds after BENCH_WARMUP seconds of warm-up and
becomes one row of the table in bench/RESULTS.md.

Every response must be 2xx, or exactly the scenario's `status` when it names
one: any other status, a socket error or a timeout fails the row (and `make
bench`). Before the load, each request is sent once and its body checked
against `expect`, so a scenario cannot silently measure an error page or an
empty programme.

`server_env` sets environment variables (settings) of the gunicorn that serves
a scenario, on top of the bench's own: scenarios with the same `server_env`
share one gunicorn, started for them and stopped after them. The public
programme's answers are cached (PROGRAMME_CACHE_SECONDS, on by default) and
every change to an event — a registration taking seats included — makes them
stale, so the programme and the API are measured both ways: as served from the
cache between changes, and rendered (`*-uncached`, PROGRAMME_CACHE_SECONDS=0),
which is what the first visitor after each change waits for.

Writes: `registration-rush` POSTs registrations for one hot event, each with an
e-mail address no other request used; `registration-rush-capacity` rushes a
200-seat event and then checks in the database that exactly 200 seats were
confirmed (`check`); `registration-ceiling-pgbench` runs the same transaction
as raw SQL with pgbench, not through gunicorn or Django: the ceiling
registration-rush is compared with. `checkin` scans a mix of valid, repeated
and forged tickets at the door.

Placeholders: `{rush_event}`, `{capacity_event}`, `{pgbench_event}`,
`{checkin_event}` and `{door_token}` in paths, headers and bodies are the ids
and the API token seed.py made (bench/out/seed.json, see `resolve`).
`{unique}` and `{ticket}` in a body are filled for each request by the load
generator (wrk_report.lua): a string no other request has, and a ticket token
from the check-in mix.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace

JSON = {"Accept": "application/json"}
POST_JSON = {"Accept": "application/json", "Content-Type": "application/json"}
#: Filled for each request by the load generator, not by `resolve`.
PER_REQUEST = ("{unique}", "{ticket}")


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
    #: Substrings every response body must contain (checked once, before the load).
    expect: tuple[str, ...] = ()
    #: The only status a response may have; None: any 2xx.
    status: int | None = None
    #: Latency targets, reported as met / not met at `target_concurrency` connections.
    target_p50_ms: float | None = None
    target_p99_ms: float | None = None
    target_concurrency: int = 2
    #: Throughput target: req/s at `target_concurrency` at least this share of scenario `ceiling`'s.
    ceiling: str = ""
    target_ceiling_ratio: float | None = None
    #: Settings (environment variables) of the gunicorn serving this scenario, added to the bench's.
    server_env: dict[str, str] = field(default_factory=dict)
    #: JSON string field of the answers whose values are counted (e.g. "status": confirmed, waitlisted).
    tally: str = ""
    #: Warm up before measuring (off when the first requests are the point, as in a capacity rush).
    warmup: bool = True
    #: Seconds measured, instead of BENCH_DURATION.
    duration_s: float | None = None
    #: Keep `concurrency` when BENCH_CONCURRENCY is set.
    fixed_concurrency: bool = False
    #: "wrk": HTTP through gunicorn; "pgbench": `pgbench_script` (in bench/) straight to PostgreSQL.
    driver: str = "wrk"
    pgbench_script: str = ""
    #: A check of the database after the row (run.py's CHECKS), PASS or FAIL; a FAIL fails `make bench`.
    check: str = ""

    @property
    def server_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.server_env.items()))

    @property
    def has_target(self) -> bool:
        return any(t is not None for t in (self.target_p50_ms, self.target_p99_ms, self.target_ceiling_ratio))

    def without_targets(self) -> Scenario:
        return replace(self, target_p50_ms=None, target_p99_ms=None, ceiling="", target_ceiling_ratio=None)

    def __post_init__(self) -> None:
        if self.driver not in ("wrk", "pgbench"):
            raise ValueError(f"scenario {self.name!r}: unknown driver {self.driver!r}")
        if self.driver == "wrk" and not self.requests:
            raise ValueError(f"scenario {self.name!r} has no request")
        if self.driver == "pgbench" and not self.pgbench_script:
            raise ValueError(f"scenario {self.name!r}: pgbench needs a script")
        if self.has_target and self.target_concurrency not in self.concurrency:
            raise ValueError(f"scenario {self.name!r}: target concurrency {self.target_concurrency} is not run")
        if (self.target_ceiling_ratio is None) != (not self.ceiling):
            raise ValueError(f"scenario {self.name!r}: a ceiling target needs both `ceiling` and its ratio")


def resolve(scenario: Scenario, facts: dict[str, str]) -> Scenario:
    """The scenario with the seed's ids and token in place of `{rush_event}`, `{door_token}`..."""

    def fill(text: str) -> str:
        for name, value in facts.items():
            text = text.replace("{" + name + "}", str(value))
        unknown = set(re.findall(r"\{[a-z_]+\}", text)) - set(PER_REQUEST)
        if unknown:
            raise ValueError(f"scenario {scenario.name!r}: the seed made no {', '.join(sorted(unknown))}")
        return text

    requests = tuple(
        replace(
            request,
            path=fill(request.path),
            headers={name: fill(value) for name, value in request.headers.items()},
            body=fill(request.body),
        )
        for request in scenario.requests
    )
    return replace(scenario, requests=requests)


def sample_body(body: str, *, ticket: str = "") -> str:
    """A body for one request sent from Python (preflight, query count): placeholders filled once."""
    unique = f"py{os.getpid()}-{time.time_ns()}"
    return body.replace("{unique}", unique).replace("{ticket}", ticket)


UNCACHED = {"PROGRAMME_CACHE_SECONDS": "0"}

SCENARIOS: list[Scenario] = [
    Scenario(
        name="floor-static",
        description="Floor of gunicorn + WSGI: a 4 KB stylesheet that WhiteNoise serves from memory, "
        "before any Django view, session or database work.",
        requests=(Request("/static/css/site.css"),),
        expect=("body",),
    ),
    Scenario(
        name="floor-django",
        description="Floor of a Django request (the trivial view): the DRF API root as JSON goes through "
        "every middleware, URL resolution, DRF content negotiation and the JSON renderer, with no SQL query.",
        requests=(Request("/api/v1/", headers=JSON),),
        expect=('"events"',),
    ),
    Scenario(
        name="api-events-500",
        description="Events API, all 500 events of the current edition in one page, as served between two "
        "changes of the programme (from the cache).",
        requests=(Request("/api/v1/events/?page_size=500", headers=JSON),),
        expect=('"count":500', '"next":null'),
    ),
    Scenario(
        name="api-events-50",
        description="Events API, default page (the first 50 of 500 events), from the cache.",
        requests=(Request("/api/v1/events/", headers=JSON),),
        expect=('"count":500', "page=2"),
    ),
    Scenario(
        name="programme-page",
        description="HTML programme of the current edition in English: 500 event cards grouped by day, from the cache.",
        requests=(Request("/en/"),),
        expect=("500 activities",),
        target_p50_ms=30,
    ),
    Scenario(
        name="api-events-500-uncached",
        description="api-events-500 rendered at each request (PROGRAMME_CACHE_SECONDS=0): the cost of a miss.",
        requests=(Request("/api/v1/events/?page_size=500", headers=JSON),),
        expect=('"count":500', '"next":null'),
        server_env=UNCACHED,
    ),
    Scenario(
        name="api-events-50-uncached",
        description="api-events-50 rendered at each request (PROGRAMME_CACHE_SECONDS=0).",
        requests=(Request("/api/v1/events/", headers=JSON),),
        expect=('"count":500', "page=2"),
        server_env=UNCACHED,
    ),
    Scenario(
        name="programme-page-uncached",
        description="programme-page rendered at each request (PROGRAMME_CACHE_SECONDS=0): what the first "
        "visitor after any change (a registration included) waits for.",
        requests=(Request("/en/"),),
        expect=("500 activities",),
        target_p50_ms=30,
        server_env=UNCACHED,
    ),
    Scenario(
        name="registration-ceiling-pgbench",
        description="The SQL ceiling of registration-rush: registration_create's transaction (lock the event "
        "row FOR NO KEY UPDATE, look for an active registration of the e-mail, add the seat to the event, "
        "insert the registration) as raw SQL, driven by pgbench (bench/pgbench_registration.sql) on an event "
        "of its own: no HTTP, no Python. Requests = transactions.",
        driver="pgbench",
        pgbench_script="pgbench_registration.sql",
        concurrency=(8,),
        fixed_concurrency=True,
    ),
    Scenario(
        name="registration-rush",
        description="Registration rush on one hot event (capacity 1,000,000, so it stays open): POST of "
        "{name, email, seats: 1, language} as JSON, a new e-mail address in every request; 201 is the only "
        "success. Compared with registration-ceiling-pgbench, the same transaction as raw SQL.",
        requests=(
            Request(
                "/api/v1/events/{rush_event}/registrations/",
                method="POST",
                headers=POST_JSON,
                body='{"name":"Rush {unique}","email":"rush-{unique}@bench.example.org","seats":1,"language":"en"}',
            ),
        ),
        concurrency=(16,),
        expect=('"status":"confirmed"',),
        status=201,
        tally="status",
        target_concurrency=16,
        ceiling="registration-ceiling-pgbench",
        target_ceiling_ratio=0.35,
    ),
    Scenario(
        name="registration-rush-capacity",
        description="Correctness under the rush: 16 connections POST registrations to a 200-seat event with a "
        "waiting list for 5 s, no warm-up; then the database must show exactly 200 seats confirmed "
        "(= the event's seats taken), every other registration waitlisted, and no waitlisted registration "
        "older than a confirmed one. 201 is the only success (confirmed or waitlisted).",
        requests=(
            Request(
                "/api/v1/events/{capacity_event}/registrations/",
                method="POST",
                headers=POST_JSON,
                body='{"name":"Rush {unique}","email":"cap-{unique}@bench.example.org","seats":1,"language":"en"}',
            ),
        ),
        concurrency=(16,),
        fixed_concurrency=True,
        expect=('"status":"confirmed"',),
        status=201,
        tally="status",
        warmup=False,
        duration_s=5,
        check="capacity",
    ),
    Scenario(
        name="checkin",
        description="Check-in at the door: POST {secret, event, nonce} as a door-staff user (API token) for an "
        "event of 5,000 confirmed registrations; about 60 % tickets never scanned (each sent once), 25 % "
        "repeats (already checked in), 15 % forged (a signature character changed). 200 is the only success "
        "for all three (the answer's result differs: ok, already_checked_in, invalid).",
        requests=(
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
        tally="result",
        target_p99_ms=10,
    ),
]
