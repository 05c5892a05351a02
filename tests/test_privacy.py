"""Whoever types an address does not own it (SPEC sections 5 and 6, "that registration only").

A stranger registers with a victim's address; nothing reachable from what they are shown
(the API's answer, the page after the form, every link and form on those pages, followed
as far as they go) may show the victim's booking code, ticket or cancel link.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from registrations import links
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, brussels
from tests.helpers import paths

pytestmark = pytest.mark.django_db

#: Links of our own that may lead to a registration's data.
_PRIVATE = re.compile(r"^/((fr|nl|en)/(tickets|my)/|tickets/|calendar/tickets/)")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.REGISTRATION_RATE_LIMIT = "off"


@pytest.fixture
def events(current_edition):
    def make(title: str, day: int):
        return EventFactory(
            edition=current_edition,
            title_en=title,
            capacity=10,
            starts_at=brussels(2036, 10, day, 19),
            ends_at=brussels(2036, 10, day, 21),
        )

    return make("Debate on Palestine", 21), make("Concert", 22), make("Film night", 23)


@pytest.fixture
def victim(events):
    return RegistrationFactory(event=events[0], name="Victim Person", email="victim@example.org")


def _victim_secrets(victim: Registration) -> list[str]:
    return [
        victim.code,
        links.ticket_secret(victim),
        links.mine_secret(victim),
        paths(victim)["cancel_url"],
        "Debate on Palestine",
    ]


def _crawl(client: Client, start: list[str]) -> dict[str, tuple[int, str]]:
    """GET every private link reachable from `start` (hrefs, srcs, and forms' actions, which are
    POSTed once), as far as they lead; {path: (status, body)}."""
    seen: dict[str, tuple[int, str]] = {}
    todo = [(url, "get") for url in start]
    while todo:
        url, method = todo.pop()
        split = urlsplit(url)
        path = split.path + (f"?{split.query}" if split.query else "")
        if path in seen:
            continue
        response = client.post(path) if method == "post" else client.get(path, follow=True)
        body = response.content.decode(errors="replace")
        seen[path] = (method, response.status_code, body)
        for attribute, target in re.findall(r'(href|src|action)="([^"]+)"', body):
            target = html_lib.unescape(target)
            if _PRIVATE.match(urlsplit(target).path):
                todo.append((target, "post" if attribute == "action" else "get"))
    return {path: (status, body) for path, (_method, status, body) in seen.items()}


@pytest.mark.parametrize("email", ["victim@example.org", "VICTIM@Example.ORG"])
def test_api_answer_opens_that_registration_only(events, victim, email, eager_tasks):
    answer = APIClient().post(
        f"/api/v1/events/{events[1].pk}/registrations/", {"name": "Stranger", "email": email}, format="json"
    )
    assert answer.status_code == 201
    body = answer.json()
    stranger = Registration.objects.get(pk=body["id"])
    assert stranger.email == "victim@example.org"
    start = [body[name] for name in ("ticket_url", "qr_url", "ics_url", "manage_url")]
    client = Client()
    with translation.override("en"), eager_tasks(execute=True):
        reached = _crawl(client, start)
    assert set(reached) >= {urlsplit(url).path for url in start}
    assert {status for status, _body in reached.values()} <= {200, 302}, {p: s for p, (s, _b) in reached.items()}
    for path, (_status, page) in reached.items():
        for secret in _victim_secrets(victim):
            assert secret not in page, (path, secret)
            assert secret not in path
    # The one way to all of the address's registrations is an e-mail to that address.
    assert [message.to for message in mail.outbox] == [["victim@example.org"]]
    victim.refresh_from_db()
    assert victim.status == "confirmed"


def test_web_form_answer_opens_that_registration_only(events, victim, eager_tasks):
    client = Client()
    response = client.post(
        f"/en/events/{events[2].pk}/register/",
        {"name": "Stranger", "email": "Victim@Example.org", "seats": "1", "language": "en", "consent": "on"},
    )
    assert response.status_code == 302
    stranger = Registration.objects.get(event=events[2])
    with translation.override("en"):
        assert response["Location"] == links.registration_links(stranger)["ticket_url"] + "?new=1"
        reached = _crawl(client, [response["Location"]])
    assert len(reached) >= 4  # the ticket, its QR, its calendar file, its cancel page...
    for path, (_status, page) in reached.items():
        for secret in _victim_secrets(victim):
            assert secret not in page, (path, secret)
    victim.refresh_from_db()
    assert victim.status == "confirmed"


def test_same_activity_with_a_registered_address_reveals_only_that_it_is_taken(events, victim, eager_tasks):
    """The documented trade-off: the form says the address already holds a registration for
    this activity (nothing more: not its state, seats or code), and offers to e-mail its
    links to that address."""
    client = Client()
    response = client.post(
        f"/en/events/{events[0].pk}/register/",
        {"name": "Stranger", "email": "VICTIM@example.org", "seats": "1", "language": "en", "consent": "on"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This e-mail address is already registered for this activity." in page
    for secret in [*_victim_secrets(victim)[:4], "Victim Person", "confirmed", "Confirmed"]:
        assert secret not in page, secret
    with eager_tasks(execute=True):
        sent = client.post(f"/en/events/{events[0].pk}/register/link/", {"email": "VICTIM@example.org"})
    assert sent.status_code == 200
    for secret in [*_victim_secrets(victim)[:4], "Victim Person"]:
        assert secret not in sent.content.decode(), secret
    assert [message.to for message in mail.outbox] == [["victim@example.org"]]
    api = APIClient().post(
        f"/api/v1/events/{events[0].pk}/registrations/",
        {"name": "S", "email": "victim@example.org"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (api.status_code, api.json()) == (
        409,
        {"code": "already_registered", "detail": "This e-mail address is already registered for this activity."},
    )
    assert Registration.objects.filter(email="victim@example.org").count() == 1


def test_mail_my_registrations_goes_to_the_address_only(events, victim, eager_tasks):
    stranger = RegistrationFactory(event=events[1], name="Stranger", email="victim@example.org", language="en")
    mailed = paths(stranger)
    client = Client()
    with eager_tasks(execute=True):
        response = client.post(mailed["mail_mine_url"])
    assert (response.status_code, response["Location"]) == (302, mailed["ticket_url"] + "?mailed=1")
    page = client.get(response["Location"]).content.decode()
    assert "We have e-mailed the link to all your registrations to the address you registered with." in page
    assert mailed["mine_url"] not in page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["victim@example.org"]
    assert f"http://127.0.0.1:8000{mailed['mine_url']}" in mail.outbox[0].body
    # Asked again at once: nothing more reaches the inbox.
    with eager_tasks(execute=True):
        client.post(mailed["mail_mine_url"])
    assert len(mail.outbox) == 1
    assert client.get(mailed["mail_mine_url"]).status_code == 405
    assert Client(enforce_csrf_checks=True).post(mailed["mail_mine_url"]).status_code == 403
