"""The ticket page as a first try found it (issue 12): on a phone the QR code and the booking
code come first, above the fold; after check-in the ticket says when; a live ticket offers the
"Add to my calendar" menu; a cancelled one (registration or activity) and a place on the waiting
list show no QR code, no menu and a status that is not green, said to screen readers; the offline
copy kept by the service worker never shows a cancelled ticket as valid."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from programme import services as programme_services
from programme.models import Event
from registrations import services
from registrations.models import Registration
from registrations.tickets import make_token
from tests.factories import RegistrationFactory, brussels
from tests.helpers import launch, paths
from tests.qrdecode import decode_svg

CANCELLED_BANNER = (
    '<div class="alert" role="alert"><p><strong>This registration has been cancelled.</strong> '
    "This ticket is no longer valid.</p></div>"
)
THANKS_BANNER = (
    '<div class="alert" role="alert"><p><strong>Your registration is cancelled. Thank you for freeing your seat.'
    "</strong> This ticket is no longer valid.</p></div>"
)


@pytest.fixture
def event(make_event):
    return make_event(capacity=2, max_seats_per_registration=2)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def calendar_menus(html: str) -> list[str]:
    return re.findall(r'<details class="calendar-menu">\s*<summary>([^<]*)</summary>', html)


# --- Server side ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ticket_qr_and_booking_code_come_before_the_activity(client, event):
    ann = RegistrationFactory(event=event, seats=2)

    html = page(client, paths(ann)["ticket_url"] + "?new=1")

    article = html[html.index('<article class="ticket ticket-valid" aria-labelledby="ticket-title">') :]
    qr = article.index('<figure class="qr">')
    code = article.index(f'<dt>Booking code</dt><dd class="code">{ann.code}</dd>')
    title = article.index('<h1 id="ticket-title">Building peace</h1>')
    assert qr < code < title
    assert decode_svg(re.search(r"<svg.*?</svg>", article, re.S).group(0)) == [make_token(ann)]
    assert html.count('class="code"') == 1
    assert '<link rel="stylesheet" href="/static/css/ticket.css">' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Checked in on Tuesday 21 October at 18:52"),
        # The sentence is translated by the lead; the day's and month's names already are.
        ("fr", "mardi 21 octobre"),
        ("nl", "dinsdag 21 oktober"),
    ],
)
def test_ticket_checked_in_says_when_in_brussels_time(client, event, lang, expected):
    ann = RegistrationFactory(event=event)
    services.checkin_manual(registration_id=ann.pk, event_id=event.pk, nonce=None, user=None)
    # 16:52 UTC is 18:52 in Brussels (summer time until 26 October 2036).
    Registration.objects.filter(pk=ann.pk).update(
        checked_in_at=datetime.datetime(2036, 10, 21, 16, 52, tzinfo=datetime.UTC)
    )

    html = page(client, paths(ann, lang)["ticket_url"])

    checked = re.search(r'<p class="ticket-checked-in">([^<]*)</p>', html).group(1)
    assert expected in checked
    assert "18:52" in checked
    assert "<svg" in html  # still the ticket: scanned again, it says "already checked in"


@pytest.mark.django_db
def test_ticket_not_checked_in_says_nothing_of_it(client, event):
    html = page(client, paths(RegistrationFactory(event=event))["ticket_url"])
    assert "ticket-checked-in" not in html


@pytest.mark.django_db
def test_live_ticket_offers_the_add_to_calendar_menu(client, event):
    ann = RegistrationFactory(event=event)

    html = page(client, paths(ann)["ticket_url"])

    assert calendar_menus(html) == ["Add to my calendar"]
    ics = "http://127.0.0.1:8000" + paths(ann)["ics_url"]
    assert f'<a href="{ics}" type="text/calendar" download>Download the .ics file</a>' in html
    assert ">Add to my calendar</a>" not in html  # the menu replaces the plain link


@pytest.mark.django_db
def test_cancelled_registration_ticket_looks_void(client, event):
    ann = RegistrationFactory(event=event)
    links = paths(ann)
    services.registration_cancel(registration_id=ann.pk)

    html = page(client, links["ticket_url"])

    assert CANCELLED_BANNER in html
    assert '<article class="ticket ticket-cancelled" aria-labelledby="ticket-title">' in html
    assert '<dd class="status-cancelled">Cancelled</dd>' in html
    assert calendar_menus(html) == []
    for gone in ("<svg", "Show this code at the entrance.", links["qr_url"], links["ics_url"], links["cancel_url"]):
        assert gone not in html, gone
    assert 'class="notice"' not in html.replace('<p id="offline-notice" class="notice" role="status" hidden>', "")
    assert f'<dd class="code">{ann.code}</dd>' in html  # what it was stays readable


@pytest.mark.django_db
def test_cancelling_lands_on_a_void_ticket_that_thanks(client, event):
    ann = RegistrationFactory(event=event)
    response = client.post(paths(ann)["cancel_url"])
    assert response.status_code == 302

    html = page(client, response["Location"])

    assert THANKS_BANNER in html
    assert calendar_menus(html) == []
    assert "<svg" not in html


@pytest.mark.django_db
def test_cancelled_query_on_a_valid_ticket_says_nothing(client, event):
    ann = RegistrationFactory(event=event)

    html = page(client, paths(ann)["ticket_url"] + "?cancelled=1")

    assert "Your registration is cancelled." not in html
    assert "<svg" in html
    assert calendar_menus(html) == ["Add to my calendar"]


@pytest.mark.django_db
def test_cancelled_activity_ticket_offers_only_mark_as_cancelled(client, event):
    ann = RegistrationFactory(event=event)
    programme_services.event_cancel(event=Event.objects.get(pk=event.pk))

    html = page(client, paths(ann)["ticket_url"])

    assert calendar_menus(html) == []
    assert f'<li><a href="{paths(ann)["ics_url"]}">Mark it as cancelled in my calendar</a></li>' in html
    assert '<article class="ticket ticket-cancelled" aria-labelledby="ticket-title">' in html
    assert "<svg" not in html


@pytest.mark.django_db
def test_waitlisted_ticket_is_not_a_ticket(client, event):
    RegistrationFactory(event=event, seats=2)
    bob = RegistrationFactory(event=event, seats=1)
    assert bob.status == Registration.Status.WAITLISTED
    links = paths(bob)

    html = page(client, links["ticket_url"] + "?new=1")

    banner = re.search(r'<div class="notice-waitlist" role="status">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<p>(.*?)</p>", banner) == [
        "<strong>You are on the waiting list.</strong> You have no seat yet: this page is not a ticket.",
        "If seats free up, you get them automatically, in order of arrival, and we e-mail you your ticket.",
        "Keep this page's link: it is the only way to see or cancel this registration.",
    ]
    assert '<article class="ticket ticket-waitlisted" aria-labelledby="ticket-title">' in html
    assert '<dd class="status-waitlisted">On the waiting list — number 1 in line</dd>' in html
    for gone in ("<svg", "Show this code at the entrance.", links["qr_url"], "You are registered."):
        assert gone not in html, gone
    # Still on the waiting list, and so still coming perhaps: its calendar and its cancellation.
    assert calendar_menus(html) == ["Add to my calendar"]
    assert f'href="{links["cancel_url"]}"' in html
    assert '<div class="notice" role="status">' not in html  # nothing green


@pytest.mark.django_db
def test_offline_worker_keeps_one_copy_per_ticket_and_forgets_gone_pages(client):
    body = client.get("/offline-tickets-sw.js").content.decode()
    assert 'const CACHE = "fortnight-tickets-v2";' in body
    assert "const key = page ? `${url.origin}/${page[1]}/${page[2]}/` : request.url;" in body
    assert "response.status === 404 || response.status === 410" in body


# --- In Chromium, phone-sized --------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("query", ["?new=1", ""])
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_ticket_qr_and_code_above_the_fold_on_a_phone(live_server, event, query):
    from playwright.sync_api import expect, sync_playwright

    ann = RegistrationFactory(event=event, name="Amina Diallo", seats=2)
    url = live_server.url + paths(ann)["ticket_url"] + query

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        tab.goto(url)
        qr = tab.get_by_role("img", name="QR code of your ticket")
        expect(qr).to_be_visible()
        qr_box = qr.bounding_box()
        code_box = tab.locator(".ticket .code").bounding_box()
        title_box = tab.get_by_role("heading", level=1).bounding_box()
        code_text = tab.locator(".ticket .code").inner_text()
        scroll_width = tab.evaluate("() => document.documentElement.scrollWidth")
        chromium.close()

    assert qr_box["y"] >= 0 and qr_box["y"] + qr_box["height"] < PHONE["height"]
    assert qr_box["width"] >= 200  # big enough for the door's camera
    assert code_box["y"] + code_box["height"] < PHONE["height"]
    assert qr_box["y"] < code_box["y"] < title_box["y"]
    assert code_text == ann.code
    assert scroll_width == PHONE["width"]  # nothing wider than the phone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_checked_in_ticket_says_when(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    ann = RegistrationFactory(event=event)
    services.checkin_manual(registration_id=ann.pk, event_id=event.pk, nonce=None, user=None)
    Registration.objects.filter(pk=ann.pk).update(checked_in_at=brussels(2036, 10, 21, 18, 52))

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE).new_page()
        tab.goto(live_server.url + paths(ann)["ticket_url"])
        checked = tab.locator(".ticket-checked-in")
        expect(checked).to_have_text("Checked in on Tuesday 21 October at 18:52")
        expect(checked).to_be_in_viewport()
        chromium.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_cancel_then_the_ticket_is_void_online_and_offline(live_server, event):
    """Cancelled on the phone: the ticket shows no QR code and no calendar menu, a red banner that
    screen readers hear; and the copy kept for offline use, in every language it was opened in,
    is the cancelled one."""
    from playwright.sync_api import expect, sync_playwright

    ann = RegistrationFactory(event=event, name="Amina Diallo")
    base, en, fr = live_server.url, paths(ann, "en"), paths(ann, "fr")

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        context = chromium.new_context(locale="en", viewport=PHONE, has_touch=True)
        tab = context.new_page()
        tab.goto(base + fr["ticket_url"])
        # A function, not an expression: the pages' Content-Security-Policy refuses eval().
        tab.wait_for_function("() => navigator.serviceWorker.controller !== null")
        tab.reload()  # kept by the worker, in French
        expect(tab.locator(".qr [role=img]")).to_be_visible()
        tab.goto(base + en["ticket_url"])
        expect(tab.get_by_text("Add to my calendar", exact=True)).to_be_visible()

        tab.get_by_role("link", name="Can't come? Free my seat").click()
        tab.get_by_role("button", name="Yes, cancel my registration").click()
        expect(tab).to_have_url(base + en["ticket_url"] + "?cancelled=1")
        banner = tab.get_by_role("alert")
        expect(banner).to_have_text(
            "Your registration is cancelled. Thank you for freeing your seat. This ticket is no longer valid."
        )
        online = {
            "qr": tab.get_by_role("img", name="QR code of your ticket").count(),
            "menu": tab.locator("details.calendar-menu").count(),
            "caption": tab.get_by_text("Show this code at the entrance.").count(),
            "banner colour": banner.evaluate("e => getComputedStyle(e).backgroundColor"),
            "border": tab.locator(".ticket").evaluate("e => getComputedStyle(e).borderStyle"),
            "status": tab.locator(".facts .status-cancelled").inner_text(),
        }

        context.set_offline(True)
        offline = {}
        for lang, url in (("fr", fr["ticket_url"]), ("en", en["ticket_url"])):
            tab.goto(base + url)
            expect(tab.locator("#offline-notice")).to_be_visible()
            offline[lang] = (
                tab.locator(".qr").count(),
                tab.locator("details.calendar-menu").count(),
                tab.get_by_role("alert").inner_text(),
            )
        chromium.close()

    assert online == {
        "qr": 0,
        "menu": 0,
        "caption": 0,
        "banner colour": "rgb(253, 238, 238)",  # .alert's pink, not .notice's green
        "border": "solid",
        "status": "Cancelled",
    }
    # The French copy was replaced by the page seen after cancelling (one copy per ticket).
    thanks = "Your registration is cancelled. Thank you for freeing your seat. This ticket is no longer valid."
    assert offline == {"fr": (0, 0, thanks), "en": (0, 0, thanks)}
    ann.refresh_from_db()
    assert ann.status == Registration.Status.CANCELLED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_waitlisted_ticket_shows_no_qr(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    RegistrationFactory(event=event, seats=2)
    bob = RegistrationFactory(event=event, seats=1)
    assert bob.status == Registration.Status.WAITLISTED

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE).new_page()
        tab.goto(live_server.url + paths(bob)["ticket_url"])
        status = tab.get_by_role("status").filter(has_text="You are on the waiting list.")
        expect(status).to_be_visible()
        expect(status).to_contain_text("You have no seat yet: this page is not a ticket.")
        qr_count = tab.get_by_role("img", name="QR code of your ticket").count()
        colour = status.evaluate("e => getComputedStyle(e).borderLeftColor")
        chromium.close()

    assert qr_count == 0
    assert colour == "rgb(138, 90, 0)"  # --warn, not green


@pytest.mark.django_db
def test_ticket_started_activity_keeps_no_cancel_link(client, current_edition, make_event):
    now = timezone.now()
    later = make_event(
        capacity=5, starts_at=now + datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=3)
    )
    ann = RegistrationFactory(event=later)
    Event.objects.filter(pk=later.pk).update(starts_at=now - datetime.timedelta(minutes=5))

    html = page(client, paths(ann)["ticket_url"])

    assert paths(ann)["cancel_url"] not in html
    assert calendar_menus(html) == ["Add to my calendar"]
