"""End to end in Chromium: an attendee registers and gets a QR ticket; door staff scan it with the
phone's camera (a fake camera showing that very QR code) and see "valid", then "already checked in".

Needs Debian's Chromium (/usr/bin/chromium) and Playwright for Python: skipped without them,
failed under REQUIRE_SERVICES=1 (the `browser` marker, tests/conftest.py).
"""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from registrations import services
from registrations.models import CheckIn, Registration
from registrations.tickets import make_token
from tests.factories import PASSWORD, DoorStaffFactory
from tests.helpers import launch, launch_with_camera, paths, write_y4m

# Transactional (the live server reads what the test writes); the categories the migrations
# create are put back after each flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def event(make_event):
    return make_event(capacity=40, max_seats_per_registration=4)


def test_browser_register_then_scan_at_the_door(live_server, event, tmp_path):
    # The database is only touched outside the Playwright blocks: its sync API runs an asyncio
    # loop in this thread, where Django refuses ORM calls (SynchronousOnlyOperation), and
    # DJANGO_ALLOW_ASYNC_UNSAFE would leave a connection open in that loop's context.
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    base = live_server.url
    y4m = tmp_path / "ticket.y4m"

    with sync_playwright() as playwright:
        # The attendee registers on the activity's page and lands on the ticket.
        browser = launch(playwright)
        page = browser.new_page(locale="en")
        page.goto(f"{base}/en/events/{event.pk}/")
        page.get_by_label("Your name").fill("Amina Diallo")
        page.get_by_label("Your e-mail address").fill("amina@example.org")
        page.get_by_label("Seats").select_option("2")
        page.get_by_label("I agree").check()
        page.get_by_role("button", name="Register").click()

        expect(page).to_have_url(re.compile(r"/en/tickets/[^/]+/\?new=1$"))
        code = page.locator(".ticket .code").inner_text()
        expect(page.get_by_role("img", name="QR code of your ticket")).to_be_visible()
        qr_url = page.get_by_role("link", name="Download the QR code").get_attribute("href")
        response = page.request.get(base + qr_url)
        assert (response.status, response.headers["content-type"]) == (200, "image/png")
        png = response.body()
        browser.close()

    registration = Registration.objects.get(email="amina@example.org")
    assert (code, registration.status, registration.seats) == (registration.code, "confirmed", 2)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [barcode.text for barcode in decoded] == [make_token(registration)]
    write_y4m(y4m, png)

    with sync_playwright() as playwright:
        # Door staff, on a phone whose camera sees the ticket: log in, open the scanner.
        browser = launch_with_camera(playwright, y4m)
        context = browser.new_context(locale="en", viewport={"width": 412, "height": 915}, has_touch=True)
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))

        scanner_url = f"{base}/en/door/{event.pk}/"
        page.goto(scanner_url)
        expect(page).to_have_url(f"{base}/en/accounts/login/?next=/en/door/{event.pk}/")
        page.get_by_label("Username").fill("door")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(scanner_url)
        expect(page.get_by_role("status").filter(has_text="The camera is on")).to_be_visible()
        expect(page.get_by_role("button", name="Start the camera")).to_be_hidden()

        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-result", "ok", timeout=15_000)
        expect(result).to_have_attribute("role", "status")
        expect(result.locator(".door-result-title")).to_have_text("Valid: come in")
        expect(result.locator(".door-result-name")).to_have_text("Amina Diallo")
        expect(result.locator(".door-result-details")).to_have_text(f"Seats: 2 · Booking code: {code}")
        expect(page.locator('[data-stat="checked_in_registrations"]')).to_have_text("1")
        expect(page.locator('[data-stat="checked_in_seats"]')).to_have_text("2")
        expect(page.locator('[data-stat="expected_seats"]')).to_have_text("2")

        result.click()  # tap to dismiss; the same code is read again 6 s after its answer showed
        expect(result).to_have_attribute("data-result", "")
        expect(result).to_have_attribute("data-result", "already_checked_in", timeout=15_000)
        expect(result.locator(".door-result-title")).to_have_text("Already checked in")
        details = result.locator(".door-result-details")
        expect(details).to_have_text(re.compile(rf"^First check-in at \d\d:\d\d · Seats: 2 · Booking code: {code}$"))
        already_details = details.inner_text()
        page.keyboard.press("Escape")
        expect(result).to_have_attribute("data-result", "")
        expect(page.locator('[data-stat="checked_in_registrations"]')).to_have_text("1")
        expect(page.locator('[data-stat="expected_registrations"]')).to_have_text("1")
        browser.close()

    registration.refresh_from_db()
    first = timezone.localtime(registration.checked_in_at).strftime("%H:%M")
    assert already_details == f"First check-in at {first} · Seats: 2 · Booking code: {code}"
    assert errors == []
    assert [url for url in requests if not url.startswith(base + "/")] == []
    scans = list(CheckIn.objects.order_by("pk").values_list("result", "method", "registration_id", "user__username"))
    assert scans == [
        ("ok", "qr", registration.pk, "door"),
        ("already_checked_in", "qr", registration.pk, "door"),
    ]


def test_browser_manual_check_in_without_camera(live_server, event):
    """No camera (or no permission): the page says so, and the door finds attendees by name or code."""
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    amina = services.registration_create(
        event_id=event.pk, name="Amina Diallo", email="amina@example.org", seats=3, language="fr"
    )
    services.registration_create(event_id=event.pk, name="Aminata Sow", email="sow@example.org", seats=1, language="nl")
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(locale="en")
        page.goto(f"{base}/en/accounts/login/?next=/en/door/{event.pk}/")
        page.get_by_label("Username").fill("door")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/en/door/{event.pk}/")
        expect(page.get_by_role("button", name="Start the camera")).to_be_visible()
        expect(page.locator("#door-camera-status")).not_to_have_text("Starting the camera…")

        page.get_by_label("Name or booking code").fill("a")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("#door-search-status")).to_have_text("Type at least 2 characters.")
        page.get_by_label("Name or booking code").fill("amina")
        page.keyboard.press("Enter")
        expect(page.locator("#door-search-status")).to_have_text("Attendees found: 2")
        expect(page.locator(".door-attendee-name")).to_have_text(["Amina Diallo", "Aminata Sow"])
        expect(page.locator(".door-attendee-meta").first).to_have_text(f"{amina.code} · Seats: 3 · Confirmed")

        page.get_by_role("button", name="Check in Amina Diallo").click()
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-result", "ok")
        expect(result.locator(".door-result-name")).to_have_text("Amina Diallo")
        page.keyboard.press("Enter")
        expect(result).to_have_attribute("data-result", "")
        expect(page.locator(".door-attendee-meta").first).to_have_text(
            re.compile(rf"^{amina.code} · Seats: 3 · Confirmed · Checked in at \d\d:\d\d$")
        )
        expect(page.get_by_role("button", name="Check in Amina Diallo")).to_have_count(0)
        expect(page.locator('[data-stat="checked_in_seats"]')).to_have_text("3")
        expect(page.locator('[data-stat="expected_seats"]')).to_have_text("4")
        expect(page.locator('[data-stat="checked_in_registrations"]')).to_have_text("1")
        browser.close()

    assert list(CheckIn.objects.values_list("result", "method", "registration_id")) == [("ok", "manual", amina.pk)]


def test_browser_ticket_and_my_registrations_open_offline_once_opened(live_server, event):
    """At a door with no network, the attendee's phone still shows the ticket it opened before
    (a service worker keeps the pages it has opened), and says that it is offline."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    amina = services.registration_create(
        event_id=event.pk, name="Amina Diallo", email="amina@example.org", seats=2, language="en"
    )
    links = paths(amina)
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="en", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(base + links["ticket_url"] + "?new=1")
        # A function, not an expression: Playwright polls an expression with eval(), which the
        # pages' Content-Security-Policy refuses (no 'unsafe-eval').
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.reload()  # now through the worker, which keeps a copy
        expect(page.locator(".ticket .code")).to_have_text(amina.code)
        page.goto(base + links["mine_url"])
        expect(page.get_by_role("link", name="Building peace")).to_be_visible()
        expect(page.locator("#offline-notice")).to_be_hidden()

        context.set_offline(True)
        page.goto(base + links["ticket_url"])
        expect(page.locator(".ticket .code")).to_have_text(amina.code)
        expect(page.get_by_role("img", name="QR code of your ticket")).to_be_visible()
        expect(page.locator("#offline-notice")).to_have_text(
            "You are offline: this is the page as it was when you last opened it."
        )
        assert page.evaluate("getComputedStyle(document.querySelector('.ticket')).borderStyle") == "dashed"
        page.goto(base + links["mine_url"])
        expect(page.get_by_role("link", name="Building peace")).to_be_visible()
        # Pages never opened are not kept, and the programme is not the worker's business.
        with pytest.raises(PlaywrightError, match=r"net::ERR_INTERNET_DISCONNECTED"):
            page.goto(f"{base}/en/")

        context.set_offline(False)
        page.goto(base + links["ticket_url"])
        expect(page.locator("#offline-notice")).to_be_hidden()
        browser.close()
