"""The attendees' e-mails end to end (SPEC sections 5 and 6): a registration through the
API writes its outbox message and queues it on Redis; a real Celery worker process sends
it to a real SMTP server (aiosmtpd), where the test reads what arrived: the language,
the sender, the Message-ID, the QR code (decoded and checked in at the door), the
calendar file. Then the waiting list, SMTP servers that answer 451 or 550, and a broker
that is down when the attendee registers: the sweep of a real beat process sends the
e-mail once the broker is back, and only once."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from icalendar import Calendar
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from celery_app import app as celery_app
from notifications.delivery import retry_delay, sender
from notifications.models import Message
from registrations.models import Registration
from registrations.tickets import make_token
from tests.factories import DoorStaffFactory, RegistrationFactory
from tests.helpers import paths
from tests.qrdecode import decode_png
from tests.servers import (
    WORKER_SITE_URL,
    celery_beat,
    celery_worker,
    purge_broker,
    smtp_server,
    wait_until,
    worker_env,
)

# serialized_rollback: the worker reads what the test committed, and the flush after each test
# must give the categories (from a migration) back to the next one.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: The host of the worker's SITE_URL, in calendar UIDs.
WORKER_HOST = "fortnight.example"
#: Nothing listens on port 1 of loopback: a connection is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _empty_broker(settings):
    settings.REGISTRATION_RATE_LIMIT = "off"
    purge_broker()


@pytest.fixture
def door() -> APIClient:
    """Door staff's scanner: the API with the token of a door staff account."""
    token = Token.objects.create(user=DoorStaffFactory(username="door-anna"))
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def _register(event, name: str, email: str, language: str, client: APIClient | None = None) -> dict:
    response = (client or APIClient()).post(
        f"/api/v1/events/{event.pk}/registrations/",
        {"name": name, "email": email, "seats": 1, "language": language},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _wait_all_sent(count: int, log: Path) -> None:
    """Wait until the outbox holds `count` messages, every one of them sent."""
    wait_until(
        lambda: Message.objects.count() == count and not Message.objects.exclude(status=Message.Status.SENT).exists(),
        timeout=90,
        describe=lambda: f"{list(Message.objects.values_list('purpose', 'status', 'last_error'))}\n{log.read_text()}",
    )


def _mail(inbox, purpose: str, recipient: str) -> EmailMessage:
    """The one e-mail that arrived for the outbox message of that purpose and recipient."""
    row = Message.objects.get(purpose=purpose, recipient=recipient)
    found = [(to, message) for _from, to, message in inbox.messages() if message["Message-ID"] == row.message_id]
    assert len(found) == 1, f"{len(found)} e-mails with the Message-ID of the {purpose} message"
    to, message = found[0]
    assert to == [recipient]
    return message


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire


def _html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _leaves(message: EmailMessage) -> list[str]:
    """The content types of the e-mail's parts that are not containers, sorted."""
    return sorted(part.get_content_type() for part in message.walk() if not part.is_multipart())


def _qr_tokens(message: EmailMessage) -> list[str]:
    """What the QR code shown inline (Content-ID <ticket-qr>) holds."""
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert [part["Content-ID"] for part in images] == ["<ticket-qr>"]
    assert 'src="cid:ticket-qr"' in _html(message)
    return decode_png(images[0].get_content())


def _line_after(text: str, line: str) -> str:
    lines = text.splitlines()
    return lines[lines.index(line) + 1]


def _check_in(door: APIClient, token: str, event) -> dict:
    response = door.post("/api/v1/checkins/", {"secret": token, "event": event.pk}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


# --- A registration through the API --------------------------------------------------------


def test_registration_mail_in_dutch_with_qr_that_checks_in_and_calendar_file(make_event, door, tmp_path):
    event = make_event(title_nl="Vrede & verzoening <live>")
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        body = _register(event, "Ann D'Hondt & Co", "ann@example.org", "nl")
        _wait_all_sent(1, log)
    assert body["status"] == "confirmed"
    registration = Registration.objects.get()
    assert len(inbox.messages()) == 1
    row = Message.objects.get()
    assert (row.purpose, row.recipient, row.language, row.status, row.attempts) == (
        "confirmed",
        "ann@example.org",
        "nl",
        "sent",
        1,
    )
    message = _mail(inbox, "confirmed", "ann@example.org")
    assert message["Message-ID"] == row.message_id

    # In Dutch (what the catalogue says, and the Dutch title), plain text as typed.
    title = "Vrede & verzoening <live>"
    with translation.override("nl"):
        assert message["From"] == sender()
        subject = gettext("Your ticket for %(title)s") % {"title": title}
        confirmed = ngettext(
            "Your registration for “%(title)s” is confirmed: %(seats)s seat.",
            "Your registration for “%(title)s” is confirmed: %(seats)s seats.",
            1,
        ) % {"title": title, "seats": 1}
    name, address = parseaddr(message["From"])
    assert (bool(name), address) == (True, "noreply@localhost")
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == subject
    text = _text(message)
    lines = text.splitlines()
    assert lines[:3] == ["Beste Ann D'Hondt & Co,", "", confirmed]
    assert f"{WORKER_SITE_URL}{paths(registration, 'nl')['ticket_url']}" in lines
    assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text
    html = _html(message)
    assert "Beste Ann D&#x27;Hondt &amp; Co," in html and "Vrede &amp; verzoening &lt;live&gt;" in html
    assert _leaves(message) == ["image/png", "text/calendar", "text/html", "text/plain"]

    # The QR code holds the ticket, and the ticket gets in.
    tokens = _qr_tokens(message)
    assert tokens == [make_token(registration)]
    checked_in = _check_in(door, tokens[0], event)
    assert checked_in["result"] == "ok"
    assert checked_in["registration"] == {
        "code": registration.code,
        "name": "Ann D'Hondt & Co",
        "seats": 1,
        "event": event.pk,
    }

    # The calendar file holds the activity, in Dutch.
    (ics,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert ics.get_filename() == f"ticket-{registration.code}.ics"
    assert ics.get_content_disposition() == "attachment"
    (vevent,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@{WORKER_HOST}"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["SUMMARY"]) == title
    # It is the ticket's file: the ticket's link and the booking code (in Dutch).
    assert str(vevent["URL"]) == WORKER_SITE_URL + paths(registration, "nl")["ticket_url"]
    assert str(vevent["DESCRIPTION"]).endswith(f"\n\nReservatiecode: {registration.code}")


# --- The waiting list ----------------------------------------------------------------------


def test_waitlist_mail_then_cancel_link_promotes_with_ticket(make_event, client, door, tmp_path):
    event = make_event(capacity=1)
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        assert _register(event, "Ann", "ann@example.org", "en")["status"] == "confirmed"
        assert _register(event, "Bob", "bob@example.org", "en")["status"] == "waitlisted"
        _wait_all_sent(2, log)
        assert len(inbox.messages()) == 2

        waitlisted = _mail(inbox, "waitlisted", "bob@example.org")
        assert waitlisted["Subject"] == "You are on the waiting list for Building peace"
        lines = _text(waitlisted).splitlines()
        assert lines[:4] == [
            "Hello Bob,",
            "",
            "“Building peace” is full for now, and you are on its waiting list.",
            "Your place in line: 1.",
        ]
        assert _leaves(waitlisted) == ["text/html", "text/plain"]  # no ticket, no calendar file

        # Ann frees her seat with the link of her e-mail.
        confirmed = _text(_mail(inbox, "confirmed", "ann@example.org"))
        cancel_url = _line_after(confirmed, "Can't come? Free your seat for someone on the waiting list:")
        ann = Registration.objects.get(email="ann@example.org")
        assert cancel_url == WORKER_SITE_URL + paths(ann, "en")["cancel_url"]
        response = client.post(cancel_url.removeprefix(WORKER_SITE_URL))
        assert response.status_code == 302
        _wait_all_sent(4, log)

    assert len(inbox.messages()) == 4
    cancelled = _mail(inbox, "cancelled", "ann@example.org")
    assert cancelled["Subject"] == "Your registration for Building peace is cancelled"
    assert _text(cancelled).splitlines()[:4] == [
        "Hello Ann,",
        "",
        "Your registration for “Building peace” is cancelled, as you asked. Thank you for freeing your seat.",
        "Your ticket is no longer valid.",
    ]
    assert _leaves(cancelled) == ["text/html", "text/plain"]

    bob = Registration.objects.get(email="bob@example.org")
    assert bob.status == Registration.Status.CONFIRMED
    promoted = _mail(inbox, "promoted", "bob@example.org")
    assert promoted["Subject"] == "A seat is free: your ticket for Building peace"
    assert _leaves(promoted) == ["image/png", "text/calendar", "text/html", "text/plain"]
    tokens = _qr_tokens(promoted)
    assert tokens == [make_token(bob)]
    checked_in = _check_in(door, tokens[0], event)
    assert (checked_in["result"], checked_in["registration"]["code"]) == ("ok", bob.code)


# --- SMTP errors ---------------------------------------------------------------------------


def test_smtp_451_twice_then_delivered_once_after_retries(event, tmp_path):
    log = tmp_path / "worker.log"
    busy = "451 4.3.0 Try again later"
    with (
        smtp_server(replies=[busy, busy]) as (port, inbox),
        celery_worker(worker_env(tmp_path, smtp_port=port), log),
    ):
        RegistrationFactory(event=event, name="Ann", email="ann@example.org")
        _wait_all_sent(1, log)
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    offered = inbox.offered()
    assert [reply for *_envelope, reply in offered] == [busy, busy, "250 Message accepted"]
    # The same e-mail each time: one Message-ID, which is the row's.
    assert {message["Message-ID"] for _from, _to, message, _reply in offered} == {row.message_id}
    assert len(inbox.messages()) == 1
    # It waited 2 s, then 4 s (delivery.retry_delay).
    text = log.read_text()
    assert re.findall(r"retry: Retry in (\d+)s", text) == ["2", "4"]


def test_smtp_550_failed_with_error_and_not_retried(event, tmp_path):
    log = tmp_path / "worker.log"
    refused = "550 5.1.1 Mailbox unavailable"
    with smtp_server(reply=refused) as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        RegistrationFactory(event=event, name="Ann", email="ann@example.org")
        wait_until(
            lambda: Message.objects.filter(status=Message.Status.FAILED).exists(), timeout=60, describe=log.read_text
        )
        # A retry would come after retry_delay(1) seconds: wait longer than that, then count.
        time.sleep(retry_delay(1) + 2)
        assert len(inbox.offered()) == 1
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, refused)
    assert row.last_error.startswith("550")
    assert inbox.messages() == []
    assert "Retry in" not in log.read_text()


# --- Broker down when the attendee registers -----------------------------------------------


@contextlib.contextmanager
def _broker_down() -> Iterator[None]:
    """The web side's Celery publishes to a port where nothing listens (as in test_outages)."""

    def forget_connections() -> None:
        # Celery keeps the pools of the broker it first used: start again from the current URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    before = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = DEAD_BROKER, False
    forget_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
        forget_connections()


def _sweeps_done(log: Path) -> int:
    return len(re.findall(r"Task notifications\.sweep\[[^]]+\] succeeded", log.read_text()))


def test_broker_down_registration_mail_sent_once_by_sweep_of_beat(event, tmp_path, caplog):
    with _broker_down():
        body = _register(event, "Ann", "ann@example.org", "en")
    assert body["status"] == "confirmed"
    row = Message.objects.get()
    assert (row.purpose, row.status, row.attempts) == ("confirmed", "pending", 0)
    errors = [r.getMessage() for r in caplog.records if r.name == "notifications.outbox"]
    assert len(errors) == 1 and errors[0].startswith("e-mails not queued (1), the broker is unreachable")
    assert "ann@example.org" not in errors[0]

    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    with smtp_server() as (port, inbox):
        env = worker_env(tmp_path, smtp_port=port, MAIL_SWEEP_SECONDS="2")
        with celery_worker(env, worker_log), celery_beat(env, beat_log, tmp_path / "celerybeat-schedule"):
            _wait_all_sent(1, worker_log)
            # The sweep goes on (every 2 s): two more sweeps later, still one e-mail.
            after = _sweeps_done(worker_log)
            wait_until(lambda: _sweeps_done(worker_log) >= after + 2, timeout=60, describe=worker_log.read_text)
            assert len(inbox.messages()) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert _mail(inbox, "confirmed", "ann@example.org")["Subject"] == "Your ticket for Building peace"
    assert worker_log.read_text().count("sweep: e-mails left behind (1), queued again") == 1
    assert "Sending due task mail-sweep (notifications.sweep)" in beat_log.read_text()
