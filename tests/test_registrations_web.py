"""Attendees' pages: the registration form, the ticket page, cancelling, "my registrations" and the
link sent again by e-mail (SPEC sections 1 and 5)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.validators import EmailValidator
from django.forms import ChoiceField, Field
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from common.site import absolute_url
from programme.models import Event
from registrations import links, services
from registrations.forms import RegistrationForm
from registrations.models import Registration
from registrations.tickets import make_token
from tests.factories import EditionFactory, EventFactory, RegistrationFactory, brussels
from tests.helpers import paths, tampered
from tests.qrdecode import decode_svg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.REGISTRATION_RATE_LIMIT = "off"


@pytest.fixture
def event(make_event):
    return make_event(capacity=4, max_seats_per_registration=3)


def register_url(event: Event, lang: str = "en") -> str:
    return f"/{lang}/events/{event.pk}/register/"


FORM = {"name": "Ann Peeters", "email": "Ann@Example.org", "seats": "2", "language": "nl", "consent": "on"}


def in_language(lang: str, text) -> str:
    """`text` (a msgid) as the page shows it in `lang`, HTML-escaped."""
    with translation.override(lang):
        return escape(translation.gettext(str(text)))


def state(event: Event) -> tuple[int, int]:
    event.refresh_from_db()
    return Registration.objects.count(), event.seats_taken


# --- The form --------------------------------------------------------------------------


def test_event_page_shows_form(client, event):
    response = client.get(f"/en/events/{event.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="/en/events/{event.pk}/register/"' in html
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}">', html)
    for label in ("Your name", "Your e-mail address", "Seats", "Language of your e-mails"):
        assert f">{label}</label>" in html
    assert '<input type="checkbox" name="consent" required id="id_consent">' in html
    assert escape(str(RegistrationForm.base_fields["consent"].label)) in html
    assert 'name="website"' in html and 'tabindex="-1"' in html
    assert re.findall(r'<option value="(\d+)"', html) == ["1", "2", "3"]


def test_event_page_full_offers_waiting_list(client, event):
    RegistrationFactory(event=event, seats=3)
    RegistrationFactory(event=event, seats=1)
    html = client.get(f"/en/events/{event.pk}/").content.decode()
    assert "Full: join the waiting list" in html
    assert "Join the waiting list</button>" in html


def test_event_page_closed_shows_no_form(client, event):
    Event.objects.filter(pk=event.pk).update(registration_closes_at=brussels(2025, 1, 1))
    html = client.get(f"/en/events/{event.pk}/").content.decode()
    assert 'name="consent"' not in html


def test_register_page_in_language(client, event):
    response = client.get(register_url(event, "fr"))
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert in_language("fr", "Register: %(title)s") != "Register: %(title)s"  # the catalogue has it
    assert in_language("fr", "Register: %(title)s") % {"title": "Construire la paix"} in response.content.decode()


def test_register_without_registration_redirects_to_event(client, event):
    Event.objects.filter(pk=event.pk).update(capacity=None)
    response = client.get(register_url(event))
    assert (response.status_code, response["Location"]) == (302, f"/en/events/{event.pk}/")


def test_register_unknown_or_draft_event_404(client, event):
    assert client.get(f"/en/events/{event.pk + 1000}/register/").status_code == 404
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    assert client.post(register_url(event), FORM).status_code == 404
    assert state(event) == (0, 0)


def test_register_valid_redirects_to_new_ticket(client, event):
    response = client.post(register_url(event), FORM)
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == paths(registration)["ticket_url"] + "?new=1"
    assert (registration.name, registration.email, registration.seats, registration.language, registration.status) == (
        "Ann Peeters",
        "ann@example.org",
        2,
        "nl",
        "confirmed",
    )
    assert state(event) == (1, 2)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<dd class="code">{registration.code}</dd>' in html
    assert "You are registered." in html
    # The page shows this registration only: "my registrations" is e-mailed, never linked.
    assert paths(registration)["mine_url"] not in html
    assert f'<form class="mail-mine" method="post" action="{paths(registration)["mail_mine_url"]}">' in html
    assert f'href="{paths(registration)["cancel_url"]}"' in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert decode_svg(svg) == [make_token(registration)]
    assert page["Cache-Control"].startswith("max-age=0")


def test_register_full_waitlisted_ticket_page(client, event):
    RegistrationFactory(event=event, seats=3)
    RegistrationFactory(event=event, seats=3)  # waits
    response = client.post(register_url(event), FORM)
    registration = Registration.objects.get(email="ann@example.org")
    assert registration.status == "waitlisted"
    html = client.get(response["Location"]).content.decode()
    assert "You are on the waiting list." in html
    assert "number 2 in line" in html
    assert "<svg" not in html
    assert state(event) == (3, 3)


def test_register_invalid_400_errors_in_page_language(client, event):
    for lang in ("fr", "nl", "en"):
        response = client.post(register_url(event, lang), {"name": " ", "email": "ann@", "seats": "9"})
        html = response.content.decode()
        assert response.status_code == 400
        assert in_language(lang, Field.default_error_messages["required"]) in html
        assert in_language(lang, EmailValidator.message) in html
        assert in_language(lang, "Please accept the privacy notice to register.") in html
        with translation.override(lang):
            assert escape(ChoiceField.default_error_messages["invalid_choice"] % {"value": "9"}) in html
        assert f'<html lang="{lang}">' in html
    assert state(event) == (0, 0)


def test_register_empty_post_400_with_errors(client, event):
    response = client.post(register_url(event), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="field-error"') == 5  # name, e-mail, seats, language, consent
    assert state(event) == (0, 0)


def test_register_honeypot_400_nothing_written(client, event):
    response = client.post(register_url(event), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 400
    assert state(event) == (0, 0)


def test_register_duplicate_email_409_offers_link(client, event):
    first = RegistrationFactory(event=event, email="ann@example.org")
    response = client.post(register_url(event), FORM)
    html = response.content.decode()
    assert response.status_code == 409
    assert escape("This e-mail address is already registered for this activity.") in html
    assert f'<form method="post" action="/en/events/{event.pk}/register/link/">' in html
    assert '<input type="hidden" name="email" value="Ann@Example.org">' in html
    assert '<button type="submit">Send my registration\'s link to this address</button>' in html
    assert links.ticket_secret(first) not in html and first.code not in html
    assert state(event) == (1, 1)


def test_register_closed_409(client, event):
    Event.objects.filter(pk=event.pk).update(registration_closes_at=brussels(2025, 1, 1))
    response = client.post(register_url(event), FORM)
    assert response.status_code == 409
    assert "Registration for this activity is closed." in response.content.decode()
    assert state(event) == (0, 0)


def test_register_csrf_enforced(event):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(register_url(event), FORM).status_code == 403
    assert state(event) == (0, 0)
    page = strict.get(register_url(event)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert strict.post(register_url(event), {**FORM, "csrfmiddlewaretoken": token}).status_code == 302
    assert state(event) == (1, 2)


def test_register_rate_limited_429(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    statuses = [
        client.post(register_url(event), {**FORM, "email": f"p{n}@example.org", "seats": "1"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 302]
    response = client.post(register_url(event), {**FORM, "email": "p3@example.org", "seats": "1"})
    assert response.status_code == 429
    assert "Too many registration attempts from your address. Wait a minute and try again." in response.content.decode()
    assert state(event) == (3, 3)


def test_register_too_large_413(client, event):
    response = client.post(
        register_url(event), f"name={'x' * (2 * 1024 * 1024)}", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.content.decode()) == (413, "The request is too large.")
    assert state(event) == (0, 0)


# --- The link sent again ------------------------------------------------------------------


def test_resend_link_mails_that_address_only(client, event, eager_tasks):
    ann = RegistrationFactory(event=event, name="Ann", email="ann@example.org", language="nl")
    RegistrationFactory(event=event, name="Bob", email="bob@example.org")
    with eager_tasks(execute=True) as callbacks:
        response = client.post(f"/en/events/{event.pk}/register/link/", {"email": "ANN@example.org"})
    assert len(callbacks) == 1
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your e-mail" in html
    ann_paths = paths(ann, "nl")
    for secret in (links.ticket_secret(ann), links.mine_secret(ann), ann.code):
        assert secret not in html
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.org"]
    assert message.cc == [] and message.bcc == []
    assert "http://127.0.0.1:8000" + ann_paths["ticket_url"] in message.body
    assert "http://127.0.0.1:8000" + ann_paths["mine_url"] in message.body
    assert ann_paths["ticket_url"].startswith("/nl/")


def test_resend_link_at_most_once_per_interval(client, event, eager_tasks):
    RegistrationFactory(event=event, email="ann@example.org")
    RegistrationFactory(event=event, email="bob@example.org")
    pages = []
    with eager_tasks(execute=True):
        for email in ("ann@example.org", "Ann@Example.org", "bob@example.org", "ann@example.org"):
            response = client.post(f"/en/events/{event.pk}/register/link/", {"email": email})
            pages.append((response.status_code, "Check your e-mail" in response.content.decode()))
    assert pages == [(200, True)] * 4
    assert [message.to for message in mail.outbox] == [["ann@example.org"], ["bob@example.org"]]


def test_resend_link_unknown_address_same_page_no_mail(client, event, eager_tasks):
    RegistrationFactory(event=event, email="ann@example.org")
    with eager_tasks(execute=True) as callbacks:
        response = client.post(f"/en/events/{event.pk}/register/link/", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    assert callbacks == []
    assert mail.outbox == []


def test_resend_link_cancelled_registration_no_mail(client, event, eager_tasks):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    services.registration_cancel(registration_id=ann.pk)
    with eager_tasks(execute=True):
        client.post(f"/en/events/{event.pk}/register/link/", {"email": "ann@example.org"})
    assert mail.outbox == []


def test_resend_link_invalid_address_400(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/en/events/{event.pk}/register/link/", {"email": "not an address"})
    assert response.status_code == 400
    assert callbacks == []


def test_resend_link_get_405(client, event):
    assert client.get(f"/en/events/{event.pk}/register/link/").status_code == 405


# --- The ticket page -------------------------------------------------------------------------


def test_ticket_page_bad_signature_404(client, event):
    ann = RegistrationFactory(event=event)
    secret = links.ticket_secret(ann)
    for bad in (
        tampered(secret),
        ann.code,
        str(ann.pk),
        links.mine_secret(ann),
        secret.replace(ann.code, "AAAAAAAA"),
    ):
        assert client.get(f"/en/tickets/{bad}/").status_code == 404
        assert client.get(f"/en/tickets/{bad}/cancel/").status_code == 404
        assert client.post(f"/en/tickets/{bad}/cancel/").status_code == 404
    for bad in (tampered(links.mine_secret(ann)), secret, ann.code):
        assert client.get(f"/en/my/{bad}/").status_code == 404
    ann.refresh_from_db()
    assert ann.status == "confirmed"


def test_ticket_page_cancelled_registration(client, event):
    ann = RegistrationFactory(event=event)
    services.registration_cancel(registration_id=ann.pk)
    html = client.get(paths(ann)["ticket_url"]).content.decode()
    assert '<dd class="status-cancelled">Cancelled</dd>' in html
    assert "<svg" not in html
    assert paths(ann)["cancel_url"] not in html


def test_ticket_page_not_indexed(client, event):
    html = client.get(paths(RegistrationFactory(event=event))["ticket_url"]).content.decode()
    assert '<meta name="robots" content="noindex">' in html


# --- Cancelling ------------------------------------------------------------------------------


def test_cancel_get_confirms_post_cancels(client, event):
    ann = RegistrationFactory(event=event, seats=3)
    bob = RegistrationFactory(event=event, seats=2)  # waits
    page = client.get(paths(ann)["cancel_url"])
    assert page.status_code == 200
    assert "Yes, cancel my registration" in page.content.decode()
    ann.refresh_from_db()
    assert ann.status == "confirmed"
    response = client.post(paths(ann)["cancel_url"])
    assert (response.status_code, response["Location"]) == (302, paths(ann)["ticket_url"] + "?cancelled=1")
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert (ann.status, ann.cancelled_by, bob.status) == ("cancelled", "attendee", "confirmed")
    assert state(event) == (2, 2)
    cancelled_at = ann.cancelled_at
    again = client.post(paths(ann)["cancel_url"])
    assert again.status_code == 302
    ann.refresh_from_db()
    assert ann.cancelled_at == cancelled_at
    assert state(event) == (2, 2)
    assert "This registration is already cancelled." in client.get(paths(ann)["cancel_url"]).content.decode()
    notice = client.get(response["Location"]).content.decode()
    assert "Your registration is cancelled. Thank you for freeing your seat." in notice


def test_cancel_once_started_refused(client, current_edition):
    now = timezone.now()
    started = EventFactory(
        edition=current_edition,
        capacity=5,
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=3),
    )
    ann = RegistrationFactory(event=started)
    Event.objects.filter(pk=started.pk).update(starts_at=now - datetime.timedelta(minutes=5))
    ticket = client.get(paths(ann)["ticket_url"]).content.decode()
    assert paths(ann)["cancel_url"] not in ticket
    page = client.get(paths(ann)["cancel_url"])
    assert (page.status_code, "Yes, cancel my registration" in page.content.decode()) == (200, False)
    assert "This activity has already taken place." in page.content.decode()
    response = client.post(paths(ann)["cancel_url"])
    assert response.status_code == 409
    assert response.content.decode().count("This activity has already taken place.") == 1
    ann.refresh_from_db()
    assert ann.status == "confirmed"


def test_ticket_page_of_cancelled_event_says_so(client, event):
    ann = RegistrationFactory(event=event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert "This activity has been cancelled." in client.get(paths(ann)["ticket_url"]).content.decode()
    assert "This activity has been cancelled." in client.get(paths(ann)["mine_url"]).content.decode()


def test_cancel_checked_in_409(client, event):
    ann = RegistrationFactory(event=event)
    services.checkin_manual(registration_id=ann.pk, event_id=event.pk, nonce=None, user=None)
    response = client.post(paths(ann)["cancel_url"])
    assert response.status_code == 409
    assert escape("This registration has already been checked in and cannot be cancelled.") in (
        response.content.decode()
    )
    ann.refresh_from_db()
    assert ann.status == "confirmed"


def test_cancel_csrf_enforced(event):
    ann = RegistrationFactory(event=event)
    assert Client(enforce_csrf_checks=True).post(paths(ann)["cancel_url"]).status_code == 403
    ann.refresh_from_db()
    assert ann.status == "confirmed"


# --- My registrations ---------------------------------------------------------------------


def test_mine_lists_exactly_that_email_in_the_edition(client, event, current_edition):
    second = EventFactory(
        edition=current_edition, title_en="Concert for peace", capacity=10, starts_at=brussels(2036, 10, 25, 20),
        ends_at=brussels(2036, 10, 25, 22),
    )  # fmt: skip
    third = EventFactory(edition=current_edition, title_en="Film night", capacity=10)
    other_edition = EditionFactory(year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19))
    elsewhere = EventFactory(edition=other_edition, title_en="Next year's debate", capacity=10)
    ann = RegistrationFactory(event=event, email="ann@example.org")
    ann_second = RegistrationFactory(event=second, email="ANN@example.org")
    cancelled = RegistrationFactory(event=third, email="ann@example.org")
    services.registration_cancel(registration_id=cancelled.pk)
    RegistrationFactory(event=elsewhere, email="ann@example.org")
    bob = RegistrationFactory(event=event, email="bob@example.org", name="Bob Secret")
    RegistrationFactory(event=third, email="bob@example.org", name="Bob Secret")
    response = client.get(paths(ann)["mine_url"])
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html) == [
        "Film night",
        "Building peace",
        "Concert for peace",
    ]
    assert "Next year&#x27;s debate" not in html and "Bob Secret" not in html
    for registration in (ann, ann_second, cancelled):
        assert f'href="{paths(registration)["ticket_url"]}"' in html
    assert paths(bob)["ticket_url"] not in html
    assert f'href="{paths(cancelled)["cancel_url"]}"' not in html
    # Each registration still on goes into the attendee's calendar in one click.
    assert re.findall(r'<a href="([^"]+)" type="text/calendar" download>', html) == [
        absolute_url(paths(ann)["ics_url"]),
        absolute_url(paths(ann_second)["ics_url"]),
    ]
    assert "Registrations of ann@example.org for the Fortnight 2036." in html
    # The link of any of them opens the same list.
    assert re.findall(r"<h2>.*?</h2>", client.get(paths(ann_second)["mine_url"]).content.decode()) == re.findall(
        r"<h2>.*?</h2>", html
    )


def test_mine_queries_do_not_grow(client, current_edition, django_assert_max_num_queries):
    events = [EventFactory(edition=current_edition, capacity=5) for _ in range(25)]
    registrations = [RegistrationFactory(event=e, email="ann@example.org") for e in events]
    with django_assert_max_num_queries(8):
        response = client.get(paths(registrations[0])["mine_url"])
    assert response.content.decode().count('class="event-card"') == 25


def test_offline_tickets_worker_served_from_the_root(client):
    """A service worker controls only the pages under its own path: it must live at the root."""
    response = client.get("/offline-tickets-sw.js")
    assert response.status_code == 200
    assert (response["Content-Type"], response["Cache-Control"]) == ("text/javascript", "no-cache")
    body = response.content.decode()
    assert "const PAGES = /^\\/(?:fr|nl|en)\\/(tickets|my)\\/([^/]+)\\/$/;" in body
    assert client.post("/offline-tickets-sw.js").status_code == 405


def test_ticket_and_mine_pages_register_the_worker_with_a_hidden_offline_notice(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    for url in (paths(ann)["ticket_url"], paths(ann)["mine_url"]):
        html = client.get(url).content.decode()
        assert '<script src="/static/js/offline-tickets.js" defer></script>' in html
        assert (
            '<p id="offline-notice" class="notice" role="status" hidden>'
            "You are offline: this is the page as it was when you last opened it.</p>"
        ) in html


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202e\u2066", "\u3164", "\ufeff\u0301"])
def test_register_invisible_name_is_refused_like_an_empty_one(client, event, name):
    response = client.post(register_url(event), {**FORM, "name": name})
    assert response.status_code == 400
    assert "Give a name." in response.content.decode()
    assert Registration.objects.count() == 0


def test_register_bidi_controls_stripped_from_the_name(client, event):
    client.post(register_url(event), {**FORM, "name": "Ann\u202e Peeters\u202c"})
    assert Registration.objects.get().name == "Ann Peeters"
