"""The "send me my link" e-mail, end to end: the web form writes an outbox message and
queues its delivery on Redis, a Celery worker process takes it, renders the e-mail in
the registration's language and hands it to a real SMTP server (aiosmtpd); when the
server is down, the message waits and is tried again, and arrives once the server is
back. The registrations of the fixture send their confirmations too: the link e-mail is
one message among them, told apart by its outbox row."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.utils import translation

from notifications.delivery import sender
from notifications.models import Message
from tests.factories import RegistrationFactory
from tests.helpers import paths
from tests.servers import WORKER_SITE_URL, celery_worker, free_port, purge_broker, smtp_server, wait_until, worker_env

# serialized_rollback: the worker reads what the test committed, and the flush after each test
# must give the categories (from a migration) back to the next one.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _empty_broker():
    purge_broker()


@pytest.fixture
def ann(event, settings):
    settings.REGISTRATION_RATE_LIMIT = "off"
    RegistrationFactory(event=event, name="Bob", email="bob@example.org")
    return RegistrationFactory(event=event, name="Ann Peeters", email="ann@example.org", language="nl")


def _ask_for_link(client, registration) -> None:
    response = client.post(f"/en/events/{registration.event_id}/register/link/", {"email": "ANN@example.org"})
    assert response.status_code == 200


def _all_sent() -> bool:
    return not Message.objects.exclude(status=Message.Status.SENT).exists()


def _delivered(inbox, log) -> dict[str, tuple[str, list[str], EmailMessage]]:
    """Once every outbox message is sent: what the server received, by Message-ID (each once)."""
    wait_until(_all_sent, timeout=90, describe=log.read_text)
    received = inbox.messages()
    by_id = {message["Message-ID"]: (mail_from, to, message) for mail_from, to, message in received}
    assert len(by_id) == len(received), "an e-mail arrived twice"
    assert sorted(by_id) == sorted(Message.objects.values_list("message_id", flat=True))
    return by_id


def _link_mail(delivered) -> EmailMessage:
    """The link e-mail (the others are the confirmations of Bob and Ann)."""
    assert sorted(Message.objects.values_list("purpose", "recipient")) == [
        ("confirmed", "ann@example.org"),
        ("confirmed", "bob@example.org"),
        ("link", "ann@example.org"),
    ]
    row = Message.objects.get(purpose=Message.Purpose.LINK)
    mail_from, recipients, message = delivered[row.message_id]
    assert (mail_from, recipients) == ("noreply@localhost", ["ann@example.org"])
    return message


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire


def _assert_link_mail(message: EmailMessage, registration) -> None:
    assert message["To"] == "ann@example.org"
    with translation.override("nl"):
        assert message["From"] == sender()
    expected = paths(registration, "nl")
    assert message["Subject"] == "Uw inschrijving voor Vrede bouwen"
    body = _text(message)
    assert body.startswith("Beste Ann Peeters,\n")
    lines = body.splitlines()
    assert f"Uw ticket: {WORKER_SITE_URL}{expected['ticket_url']}" in lines
    assert f"Mijn inschrijvingen: {WORKER_SITE_URL}{expected['mine_url']}" in lines
    assert expected["ticket_url"].startswith("/nl/tickets/")


def test_link_mail_reaches_smtp_server_through_redis_and_worker(client, ann, tmp_path):
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        _ask_for_link(client, ann)
        delivered = _delivered(inbox, log)
    assert len(delivered) == 3
    _assert_link_mail(_link_mail(delivered), ann)


def test_link_mail_is_plain_text_not_html_escaped(client, ann, tmp_path):
    """A plain-text e-mail shows what was typed: no &amp; or &#x27; (they were, with autoescape)."""
    ann.name = "Jean D'Hondt & Co"
    ann.save(update_fields=["name"])
    event = ann.event
    event.title_nl = "Rock & roll <live>"
    event.save(update_fields=["title_nl"])
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        _ask_for_link(client, ann)
        delivered = _delivered(inbox, log)
    message = _link_mail(delivered)
    assert message["Subject"] == "Uw inschrijving voor Rock & roll <live>"
    body = _text(message)
    assert body.startswith("Beste Jean D'Hondt & Co,\n")
    assert "U hebt de link naar uw inschrijving voor “Rock & roll <live>” gevraagd." in body.splitlines()
    assert "&amp;" not in body and "&#x27;" not in body and "&lt;" not in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Jean D&#x27;Hondt &amp; Co" in html and "Rock &amp; roll &lt;live&gt;" in html


def test_link_mail_retried_until_smtp_server_is_back(client, ann, tmp_path):
    port = free_port()
    log = tmp_path / "worker.log"
    with celery_worker(worker_env(tmp_path, smtp_port=port), log):
        _ask_for_link(client, ann)
        # Each message was tried once, refused, and waits for its next try (2 s later).
        wait_until(
            lambda: Message.objects.filter(status=Message.Status.PENDING, attempts=1).count() == 3,
            timeout=60,
            describe=log.read_text,
        )
        link = Message.objects.get(purpose=Message.Purpose.LINK)
        assert link.last_error.startswith("ConnectionRefusedError: "), link.last_error
        with smtp_server(port) as (_, inbox):
            delivered = _delivered(inbox, log)
    assert len(delivered) == 3
    _assert_link_mail(_link_mail(delivered), ann)
    link.refresh_from_db()
    assert (link.status, link.attempts, link.last_error) == (Message.Status.SENT, 2, "")
