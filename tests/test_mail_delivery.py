"""The "send me my link" e-mail, end to end: the web form queues a task on Redis, a
Celery worker process takes it, renders the e-mail in the registration's language
and hands it to a real SMTP server (aiosmtpd); when the server is down, the task
waits and retries, and the e-mail arrives once the server is back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import RegistrationFactory
from tests.helpers import paths
from tests.servers import celery_worker, free_port, smtp_server, wait_until

# serialized_rollback: the worker reads what the test committed, and the flush after each test
# must give the categories (from a migration) back to the next one.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SITE_URL = "https://fortnight.example"


def _worker_env(tmp_path: Path, smtp_port: int) -> dict[str, str]:
    """The worker uses the test database, the test Redis database as its broker and the SMTP server."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fortnight.settings",
            "FORTNIGHT_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": "",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SITE_URL": SITE_URL,
        }
    )
    return env


@pytest.fixture
def ann(event, settings):
    settings.REGISTRATION_RATE_LIMIT = "off"
    RegistrationFactory(event=event, name="Bob", email="bob@example.org")
    return RegistrationFactory(event=event, name="Ann Peeters", email="ann@example.org", language="nl")


def _ask_for_link(client, registration) -> None:
    response = client.post(f"/en/events/{registration.event_id}/register/link/", {"email": "ANN@example.org"})
    assert response.status_code == 200


def _assert_link_mail(received, registration) -> None:
    assert len(received) == 1
    mail_from, recipients, message = received[0]
    assert (mail_from, recipients) == ("noreply@localhost", ["ann@example.org"])
    assert message["To"] == "ann@example.org"
    expected = paths(registration, "nl")
    assert message["Subject"] == "Uw inschrijving voor Vrede bouwen"
    body = message.get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert body.startswith("Beste Ann Peeters,\n")
    assert f"{SITE_URL}{expected['ticket_url']}" in body
    assert f"{SITE_URL}{expected['mine_url']}" in body
    assert expected["ticket_url"].startswith("/nl/tickets/")


def test_link_mail_reaches_smtp_server_through_redis_and_worker(client, ann, tmp_path):
    with smtp_server() as (port, inbox), celery_worker(_worker_env(tmp_path, port), tmp_path / "worker.log"):
        _ask_for_link(client, ann)
        wait_until(lambda: inbox.messages(), timeout=60, describe=(tmp_path / "worker.log").read_text)
        _assert_link_mail(inbox.messages(), ann)


def test_link_mail_is_plain_text_not_html_escaped(client, ann, tmp_path):
    """A plain-text e-mail shows what was typed: no &amp; or &#x27; (they were, with autoescape)."""
    ann.name = "Jean D'Hondt & Co"
    ann.save(update_fields=["name"])
    event = ann.event
    event.title_nl = "Rock & roll <live>"
    event.save(update_fields=["title_nl"])
    with smtp_server() as (port, inbox), celery_worker(_worker_env(tmp_path, port), tmp_path / "worker.log"):
        _ask_for_link(client, ann)
        wait_until(lambda: inbox.messages(), timeout=60, describe=(tmp_path / "worker.log").read_text)
    (_from, _to, message) = inbox.messages()[0]
    assert message["Subject"] == "Uw inschrijving voor Rock & roll <live>"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Beste Jean D'Hondt & Co,\n")
    assert "&amp;" not in body and "&#x27;" not in body and "&lt;" not in body


def test_link_mail_retried_until_smtp_server_is_back(client, ann, tmp_path):
    port = free_port()
    log = tmp_path / "worker.log"
    with celery_worker(_worker_env(tmp_path, port), log):
        _ask_for_link(client, ann)
        wait_until(lambda: "Retry in" in log.read_text(), timeout=60, describe=log.read_text)
        with smtp_server(port) as (_, inbox):
            wait_until(lambda: inbox.messages(), timeout=90, describe=log.read_text)
            _assert_link_mail(inbox.messages(), ann)
