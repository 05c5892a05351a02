"""The mail scenarios of `make bench` (bench/README.md): reminders from the beat task to a local
aiosmtpd, through Celery workers on Redis, against the same messages one task each.

run.py runs it in Django with the bench settings, after the HTTP scenarios; it prints
BENCH_MAIL {"measurements": [...], "checks": [...], "facts": {...}}. In order:

1. seeds an edition of its own (MAIL_EVENTS activities of one day, starting within the 48-hour
   reminder window of now; the registrations made a month ago) with WARMUP registrations;
2. starts the SMTP server (smtpsink.py: one aiosmtpd in a process of its own, counting
   Message-IDs) and one worker, `celery -A celery_app worker --concurrency=2` (prefork: the
   two worker processes production runs, README.md) with EMAIL_HOST on that server;
3. warm-up: the beat task sends the WARMUP reminders (every process has its templates);
4. mail-smtp-ceiling: aiosmtpd alone, fed a reminder as the workers send it by the most
   trivial client (smtplib, no Django), over 2 connections: what no row can exceed;
5. writes REGISTRATIONS more confirmed registrations, then mail-reminders: the clock starts
   as `notifications.tasks.send_reminders.delay()` is called and stops when the server accepts
   the REGISTRATIONS-th distinct Message-ID;
6. mail-reminders-naive: NAIVE_MESSAGES of the same rows back to pending, each queued as a task
   of its own (`deliver_messages.apply_async(([id],))`: one task, one SMTP connection per message);
7. SQL queries per message (a batch of BATCH_SIZE, and a batch of one) in this process.

Each round checks what the server received: exactly the expected Message-IDs, none twice, and
every row sent after one attempt.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)
from __future__ import annotations

import base64
import datetime
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT, OUT = HERE.parent, HERE / "out"
sys.path.insert(0, str(ROOT))

import cpu
from loadgen import Measurement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SMTP_PORT, CONTROL_PORT = free_port(), free_port()
os.environ.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(SMTP_PORT)})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")

import django

django.setup()

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from celery_app import app
from notifications import delivery, outbox
from notifications.models import Message
from notifications.tasks import deliver_messages, send_reminders
from programme.models import Category, Edition, Event, Venue
from registrations.models import CODE_ALPHABET, CODE_LENGTH, Registration

REGISTRATIONS = 10_000
#: The naive row sends the first NAIVE_MESSAGES of the same reminders: its cost per message does
#: not change along the way (no batch to amortise), and all 10,000 would take minutes.
NAIVE_MESSAGES = 2_000
MAIL_EVENTS, WARMUP, CEILING_MESSAGES = 5, 200, 4_000
WORKER_COMMAND = ["celery", "-A", "celery_app", "worker", "--concurrency=2", "--loglevel=WARNING"]
WORKER_LOG, SINK_LOG = OUT / "celery-mail.log", OUT / "smtpsink.log"
STALL_SECONDS = 60  # a round fails when no message arrives for this long


def say(message: str) -> None:
    print(f"[mail] {message}", file=sys.stderr, flush=True)


# --- The data ---------------------------------------------------------------------------------


def seed() -> list[Event]:
    """An edition of its own: MAIL_EVENTS activities tomorrow (10:00 to 18:00, so within the
    48-hour window whatever the time now) and a warm-up one, WARMUP registrations on it."""
    current = Edition.objects.get(is_current=True)
    tz = timezone.get_default_timezone()
    day = timezone.localdate() + datetime.timedelta(days=1)
    edition = Edition.objects.create(
        theme="Bench: reminders",
        theme_fr="Bench : rappels",
        theme_nl="Bench: herinneringen",
        theme_en="Bench: reminders",
        year=current.year + 2,
        slug="bench-mail",
        starts_on=day,
        ends_on=day,
        is_published=True,
    )
    common = {
        "edition": edition,
        "category": Category.objects.get(slug="debate"),
        "venue": Venue.objects.order_by("pk").first(),
        "speaks_fr": True,
        "status": Event.Status.PUBLISHED,
    }
    events = []
    for n in range(MAIL_EVENTS + 1):
        title = "Warm-up" if n == MAIL_EVENTS else f"Reminders {n + 1}"
        start = datetime.datetime.combine(day, datetime.time(10 + 2 * n if n < MAIL_EVENTS else 19), tzinfo=tz)
        end = start + datetime.timedelta(hours=2)
        events.append(
            Event(title=title, title_fr=title, title_nl=title, title_en=title, starts_at=start, ends_at=end, **common)
        )
    events = Event.objects.bulk_create(events)
    register(events[-1:], WARMUP, "warmup")
    return events[:-1]


def register(events: list[Event], count: int, prefix: str) -> None:
    """`count` confirmed registrations spread over `events`, made a month ago."""
    rng = random.Random(f"{prefix}-{count}")
    taken = set(Registration.objects.values_list("code", flat=True))
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    month_ago = timezone.now() - datetime.timedelta(days=30)
    made = Registration.objects.bulk_create(
        (
            Registration(
                event=events[n % len(events)],
                name=f"Attendee {prefix} {n}",
                email=f"{prefix}{n}@bench.example.org",
                seats=1 + n % 2,
                language=("fr", "nl", "en")[n % 3],
                status=Registration.Status.CONFIRMED,
                code=code,
                confirmed_at=month_ago,
            )
            for n, code in enumerate(codes)
        ),
        batch_size=2000,
    )
    # created_at is auto_now_add: set afterwards, before the reminder time.
    Registration.objects.filter(pk__in=[r.pk for r in made]).update(created_at=month_ago)
    for event in events:
        Event.objects.filter(pk=event.pk).update(seats_taken=sum(r.seats for r in made if r.event_id == event.pk))


def vacuum() -> None:
    """What autovacuum would have done by the time a reminder falls due: fresh statistics,
    and the dead rows of the previous round gone."""
    with connection.cursor() as cursor:
        for table in (Registration._meta.db_table, Message._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")


def reminder_rows(events: list[Event]):
    ids = Registration.objects.filter(event__in=events).values("pk")
    return Message.objects.filter(purpose=Message.Purpose.REMINDER, concerns_type="registration", concerns_id__in=ids)


# --- The processes ----------------------------------------------------------------------------


class Sink:
    """smtpsink.py serving on SMTP_PORT, asked on CONTROL_PORT."""

    def __init__(self) -> None:
        with SINK_LOG.open("w") as log:
            command = [sys.executable, str(HERE / "smtpsink.py"), "serve", str(SMTP_PORT), str(CONTROL_PORT)]
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while "ready" not in SINK_LOG.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench/mail.py: the SMTP server did not start:\n{SINK_LOG.read_text()}")
            time.sleep(0.05)
        self.control = socket.create_connection(("127.0.0.1", CONTROL_PORT))
        self.replies = self.control.makefile("rb")

    def ask(self, command: str):
        self.control.sendall(command.encode() + b"\n")
        return json.loads(self.replies.readline())

    def stop(self) -> None:
        self.control.close()
        self.process.terminate()
        self.process.wait(timeout=10)


class Worker:
    """One Celery worker, prefork, 2 processes, in a session of its own."""

    def __init__(self) -> None:
        self.log = WORKER_LOG.open("w")
        command = [sys.executable, "-m", *WORKER_COMMAND, "-n", f"bench-mail-{os.getpid()}@%h"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def pids(self) -> list[int]:
        return [self.process.pid, *cpu.children(self.process.pid)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the tasks under way finish
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class DatabaseCPU:
    """CPU seconds of the workers' PostgreSQL backends during a round. Celery closes a task's
    database connections when it ends (celery.fixups.django, CELERY_DB_REUSE_MAX unset), so most
    backends live for one task only: those that ended are counted through the postmaster, which
    waits for each (its children's CPU, in /proc), those still there through their own CPU. The
    postmaster's children are those of every database: the figure holds on a quiet machine."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.mine = cursor.fetchone()[0]
        self.postmaster = int(cpu._stat(self.mine)[1])

    def _live(self) -> dict[int, float]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
        return {pid: (int(f[11]) + int(f[12])) * cpu.TICK for pid in pids if (f := cpu._stat(pid))}

    def _ended(self) -> float:
        fields = cpu._stat(self.postmaster)
        return (int(fields[13]) + int(fields[14])) * cpu.TICK

    def start(self) -> None:
        self.first, self.ended = self._live(), self._ended()

    def stop(self) -> float:
        ended, live = self._ended() - self.ended, self._live()
        return ended + sum(seconds - self.first.get(pid, 0.0) for pid, seconds in live.items())


def redis_pid() -> int:
    import redis
    from django.conf import settings

    return int(redis.Redis.from_url(settings.REDIS_URL).info("server")["process_id"])


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- The rounds -------------------------------------------------------------------------------


def wait_for(sink: Sink, count: int, what: str) -> bool:
    """Until the server has `count` distinct Message-IDs; False when none came for STALL_SECONDS."""
    last, since = -1, time.monotonic()
    while True:
        distinct = sink.ask("count")["distinct"]
        if distinct >= count:
            return True
        if distinct != last:
            last, since = distinct, time.monotonic()
        elif time.monotonic() - since > STALL_SECONDS:
            say(f"{what}: stalled at {distinct} of {count} messages")
            return False
        time.sleep(0.02)


def settle(rows, sink: Sink) -> dict:
    """Once the rows are all sent (or 30 s), and nothing more arrives: the server's figures."""
    deadline = time.monotonic() + 30
    while rows.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING]).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    before = -1
    while (now := sink.ask("count")["messages"]) != before:
        before = now
        time.sleep(0.5)
    return sink.ask("stats")


def measure_round(name: str, sink: Sink, worker: Worker, start, rows, count: int):
    """One round: `start()` (the clock runs from its call) until `count` distinct Message-IDs are
    accepted; then the check: the server got exactly the Message-IDs of `rows`, each once, and
    every row is sent at its first attempt. Returns the row and its check."""
    sink.ask("reset")
    vacuum()
    sampler = cpu.Sampler(worker.pids, list, redis=lambda: [redis_pid()], smtp=lambda: [sink.process.pid])
    database = DatabaseCPU()
    sampler.start()
    database.start()
    mine = own_cpu()
    started = time.monotonic()
    start()
    arrived = wait_for(sink, count, name)
    usage = sampler.stop()
    mine = own_cpu() - mine
    sampler.spent["database"] = usage.database = database.stop()
    usage.other = max(usage.other - usage.database, 0.0)
    stats = settle(rows, sink)
    times = [t - started for t in stats["times"]][:count]
    elapsed = times[-1] if arrived and times else time.monotonic() - started

    expected = set(rows.values_list("message_id", flat=True))
    received = set(sink.ask("ids"))
    states = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    tries = sorted(set(rows.values_list("attempts", flat=True)))
    wrong = {
        f"{len(expected)} reminders written, not {count}": len(expected) != count,
        f"only {stats['distinct']} distinct messages arrived": stats["distinct"] < count,
        f"{stats['messages']} messages arrived, not {count}": stats["messages"] != count,
        f"{stats['duplicate_count']} arrived twice (e.g. {stats['duplicates'][:3]})": stats["duplicate_count"],
        f"{len(received - expected)} unexpected Message-IDs": received - expected,
        f"{len(expected - received)} expected Message-IDs missing": expected - received,
        f"{stats['without_id']} without a Message-ID": stats["without_id"],
        f"outbox rows by status: {states}": states != {Message.Status.SENT: count},
        f"attempts per row: {tries}": tries != [1],
    }
    problems = [text for text, failed in wrong.items() if failed]
    measurement = Measurement(
        scenario=name,
        concurrency=2,
        requests=len(times),
        rps=len(times) / elapsed if elapsed else 0.0,
        **quantiles(times),
        bytes_per_response=stats["bytes"] / max(stats["messages"], 1),
        bad=0,  # what went wrong is the note (and the check)
        note="; ".join(problems),
        driver="mail",
        cpu={key: round(value, 3) for key, value in asdict(usage).items()},
        cpu_requests=len(times),
        extra={"cpu_s": {**sampler.spent, "this process": mine}, "seconds": elapsed},
    )
    facts = (
        f"{stats['messages']:,} messages received, {stats['distinct']:,} distinct Message-IDs, "
        f"{stats['duplicate_count']} twice, {len(expected - received)} missing; outbox rows "
        + ", ".join(f"{n:,} {status}" for status, n in states.items())
        + f", attempts {tries}"
    )
    check = {"scenario": name, "goal": f"exactly {count:,} messages received, none twice", "passed": not problems}
    return measurement, {**check, "text": "; ".join([*problems, facts])}


def quantiles(times: list[float]) -> dict[str, float]:
    """When each share of the messages had been accepted, in ms since the clock started."""
    ordered = sorted(times) or [0.0]
    at = {f"p{q}_ms": ordered[min(len(ordered) - 1, len(ordered) * q // 100)] * 1000 for q in (50, 90, 99)}
    return {**at, "max_ms": ordered[-1] * 1000, "mean_ms": sum(ordered) / len(ordered) * 1000}


def ceiling(sink: Sink) -> Measurement:
    """aiosmtpd alone: a reminder as the workers sent it, CEILING_MESSAGES times, over 2 connections."""
    sample = base64.b64decode(sink.ask("sample")["content"])
    sink.ask("reset")
    sampler = cpu.Sampler(list, list, smtp=lambda: [sink.process.pid])
    sampler.start()
    command = [sys.executable, str(HERE / "smtpsink.py"), "ceiling", str(SMTP_PORT), str(CEILING_MESSAGES), "2"]
    result = subprocess.run(command, input=sample, capture_output=True, check=True)
    usage = sampler.stop()
    data = json.loads(result.stdout)
    stats = sink.ask("stats")
    times = [t - data["started"] for t in stats["times"]]
    problems = [f"{stats['distinct']} of {data['messages']} accepted"] * (stats["distinct"] != data["messages"])
    return Measurement(
        scenario="mail-smtp-ceiling",
        concurrency=2,
        requests=data["messages"],
        rps=data["rate"],
        **quantiles(times),
        bytes_per_response=stats["bytes"] / max(stats["messages"], 1),
        bad=0,  # what went wrong is the note (and the check)
        note="; ".join(problems),
        driver="mail",
        cpu={key: round(value, 3) for key, value in usage.__dict__.items()},
        cpu_requests=data["messages"],
        extra={"cpu_s": {k: round(v, 3) for k, v in sampler.spent.items()}, "seconds": round(data["seconds"], 3)},
    )


def queries_per_message(rows) -> dict[str, float]:
    """The SQL of delivery.deliver in this process: a batch of BATCH_SIZE, and a batch of one."""
    ids = list(rows.order_by("pk").values_list("pk", flat=True)[: outbox.BATCH_SIZE + 1])
    counts = {}
    for label, batch in (("batch", ids[:-1]), ("one", ids[-1:])):
        Message.objects.filter(pk__in=batch).update(status=Message.Status.PENDING, attempts=0)
        with CaptureQueriesContext(connection) as captured:
            delivery.deliver(batch)
        counts[label] = len(captured.captured_queries) / len(batch)
    return counts


def main() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: the worker and server too
    OUT.mkdir(exist_ok=True)
    say(f"seeding an edition of {MAIL_EVENTS} activities tomorrow, {WARMUP} warm-up registrations")
    events = seed()
    app.control.purge()  # the HTTP scenarios' confirmations, queued while no worker ran
    sink = Sink()
    worker = Worker()
    try:
        say(f"aiosmtpd on 127.0.0.1:{SMTP_PORT}; `{' '.join(WORKER_COMMAND)}` (bench/out/celery-mail.log); warm-up")
        send_reminders.delay()
        if not wait_for(sink, WARMUP, "warm-up"):
            raise SystemExit(f"bench/mail.py: the warm-up never finished:\n{WORKER_LOG.read_text()[-3000:]}")
        settle(Message.objects.filter(purpose=Message.Purpose.REMINDER), sink)
        measurements = [ceiling(sink)]
        say(f"  mail-smtp-ceiling: {measurements[0].rps:7.1f} messages/s")

        say(f"writing {REGISTRATIONS:,} confirmed registrations over {MAIL_EVENTS} activities of one day")
        register(events, REGISTRATIONS, "reminder")
        rows = reminder_rows(events)
        checks = []

        def naive() -> None:
            for pk in naive_ids:
                deliver_messages.apply_async(([pk],))

        rounds = [("mail-reminders", send_reminders.delay, rows), ("mail-reminders-naive", naive, None)]
        for name, start, round_rows in rounds:
            count = REGISTRATIONS
            if round_rows is None:
                naive_ids = list(rows.order_by("pk").values_list("pk", flat=True)[:NAIVE_MESSAGES])
                round_rows = rows.filter(pk__in=naive_ids)
                count = round_rows.update(status=Message.Status.PENDING, attempts=0, claimed_at=None, sent_at=None)
            say(f"{name}: measuring")
            measurement, check = measure_round(name, sink, worker, start, round_rows, count)
            measurements.append(measurement)
            checks.append(check)
            spent = ", ".join(f"{k} {v * 1000 / count:.2f}" for k, v in measurement.extra["cpu_s"].items())
            say(
                f"  {name}: {measurement.rps:7.1f} messages/s, {measurement.extra['seconds']:.2f} s; CPU ms per "
                f"message: {spent}, other {measurement.cpu['other'] * 1000 / count:.2f}"
            )
            say(f"  check {'PASS' if check['passed'] else '!!! FAIL'}: {check['text']}")
        queries = queries_per_message(rows)
    finally:
        worker.stop()
        sink.stop()
    facts = {
        "queries_per_message": queries,
        "batch_size": outbox.BATCH_SIZE,
        "worker": " ".join(WORKER_COMMAND),
        "messages": REGISTRATIONS,
        "naive_messages": NAIVE_MESSAGES,
        "events": MAIL_EVENTS,
        "warmup": WARMUP,
    }
    result = {"measurements": [m.as_dict() for m in measurements], "checks": checks, "facts": facts}
    print("BENCH_MAIL " + json.dumps(result))


if __name__ == "__main__":
    main()
