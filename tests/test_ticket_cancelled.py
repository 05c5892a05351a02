"""The ticket of a cancelled activity no longer looks valid: it says the activity is cancelled
and the ticket no longer valid, and shows no QR code, no "show this at the entrance", no
cancel link and no "add to my calendar"; its QR image is gone (404). The calendar file stays,
offered to mark the activity cancelled in one's calendar (it says STATUS:CANCELLED)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.html import escape

from programme import services as programme_services
from programme.models import Event
from registrations import services
from registrations.models import Registration
from registrations.tickets import make_token
from tests.factories import RegistrationFactory
from tests.helpers import paths
from tests.qrdecode import decode_png, decode_svg

pytestmark = pytest.mark.django_db

#: What makes a ticket look valid, by what the page says and links to.
VALID_SIGNS = {
    "QR code": "<svg",
    "QR caption": "Show this code at the entrance.",
    "add to calendar": "<summary>Add to my calendar</summary>",
    "confirmed status": '<dd class="status-confirmed">Confirmed</dd>',
}


@pytest.fixture
def event(make_event):
    return make_event(capacity=2, max_seats_per_registration=2)


def in_language(lang: str, text: str) -> str:
    with translation.override(lang):
        return escape(translation.gettext(text))


def cancel_activity(event: Event) -> None:
    programme_services.event_cancel(event=Event.objects.get(pk=event.pk))


def signs(html: str, links: dict[str, str]) -> dict[str, bool]:
    found = {name: text in html for name, text in VALID_SIGNS.items()}
    found["QR download"] = links["qr_url"] in html
    found["cancel link"] = links["cancel_url"] in html
    return found


def test_ticket_page_of_cancelled_activity_shows_nothing_that_makes_it_valid(client, event):
    ann = RegistrationFactory(event=event, seats=2)
    links = paths(ann)
    before = client.get(links["ticket_url"]).content.decode()
    assert signs(before, links) == dict.fromkeys([*VALID_SIGNS, "QR download", "cancel link"], True)

    cancel_activity(event)
    response = client.get(links["ticket_url"])

    html = response.content.decode()
    assert response.status_code == 200
    assert signs(html, links) == dict.fromkeys([*VALID_SIGNS, "QR download", "cancel link"], False)
    assert (
        '<div class="alert" role="alert"><p><strong>This activity has been cancelled.</strong> '
        "This ticket is no longer valid.</p></div>"
    ) in html
    assert '<dd class="status-cancelled">Activity cancelled: not valid</dd>' in html
    assert f'<li><a href="{links["ics_url"]}">Mark it as cancelled in my calendar</a></li>' in html
    # What stays: who and what it was, and the booking code.
    assert f'<dd class="code">{ann.code}</dd>' in html
    ann.refresh_from_db()
    assert ann.status == Registration.Status.CONFIRMED


def test_ticket_page_of_cancelled_activity_just_registered_does_not_say_show_it(client, event):
    ann = RegistrationFactory(event=event)
    cancel_activity(event)

    html = client.get(paths(ann)["ticket_url"] + "?new=1").content.decode()

    assert "You are registered." not in html
    assert "Show this ticket at the entrance, on your phone or printed." not in html
    assert "This ticket is no longer valid." in html


def test_ticket_page_of_cancelled_activity_waitlisted_shows_no_position(client, event):
    RegistrationFactory(event=event, seats=2)
    bob = RegistrationFactory(event=event, seats=1)
    assert bob.status == Registration.Status.WAITLISTED
    assert "number 1 in line" in client.get(paths(bob)["ticket_url"]).content.decode()
    cancel_activity(event)

    html = client.get(paths(bob)["ticket_url"]).content.decode()

    assert "number 1 in line" not in html
    assert '<dd class="status-cancelled">Activity cancelled: not valid</dd>' in html
    assert paths(bob)["cancel_url"] not in html


def test_ticket_page_of_cancelled_activity_and_cancelled_registration(client, event):
    ann = RegistrationFactory(event=event)
    services.registration_cancel(registration_id=ann.pk)
    cancel_activity(event)

    html = client.get(paths(ann)["ticket_url"]).content.decode()

    assert signs(html, paths(ann)) == dict.fromkeys([*VALID_SIGNS, "QR download", "cancel link"], False)
    assert "This ticket is no longer valid." in html


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_ticket_page_of_cancelled_activity_in_each_language(client, event, lang):
    ann = RegistrationFactory(event=event)
    cancel_activity(event)

    html = client.get(paths(ann, lang)["ticket_url"]).content.decode()

    assert f'<html lang="{lang}">' in html
    for text in (
        "This activity has been cancelled.",
        "This ticket is no longer valid.",
        "Activity cancelled: not valid",
        "Mark it as cancelled in my calendar",
    ):
        assert in_language(lang, text) in html, text
    assert in_language(lang, "Add to my calendar") not in html


def test_ticket_qr_of_cancelled_activity_404(client, event):
    ann = RegistrationFactory(event=event)
    png, svg = paths(ann)["qr_url"], paths(ann)["qr_svg_url"]
    assert decode_png(client.get(png).content) == [make_token(ann)]
    assert decode_svg(client.get(svg).content) == [make_token(ann)]

    cancel_activity(event)

    assert (client.get(png).status_code, client.get(svg).status_code) == (404, 404)


def test_ticket_calendar_of_cancelled_activity_says_cancelled(client, event):
    ann = RegistrationFactory(event=event)
    assert "STATUS:CONFIRMED\r\n" in client.get(paths(ann)["ics_url"]).content.decode()
    cancel_activity(event)

    response = client.get(paths(ann)["ics_url"])

    assert response.status_code == 200
    body = response.content.decode()
    assert "STATUS:CANCELLED\r\n" in body
    assert "STATUS:CONFIRMED" not in body
