"""The back office in Chromium, at phone and desktop size, in each language: every page of it
passes axe-core's WCAG 2.1 A/AA rules and best practices (with a form's errors too), and none is
wider than the screen (a wide table scrolls inside its own region; the page never does). With
them, the attendee's pages about their data: the deletion asked, confirmed, and a dead link.

axe-core is injected as in tests/test_accessibility.py (the context bypasses the CSP for it;
tests/test_csp_browser.py checks the pages under the policy)."""

from __future__ import annotations

import pytest

from notifications.models import Message
from registrations import data_requests, services
from tests.factories import PASSWORD, DoorStaffFactory, brussels, register
from tests.helpers import launch, paths
from tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: How wide the page is beyond the screen (0: no horizontal scrolling).
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def backoffice(current_edition, make_event, organiser, venue):
    organiser.set_password(PASSWORD)
    organiser.save()
    debate = make_event(venue=venue, capacity=2, title_en="Debate on the right to asylum")
    concert = make_event(capacity=30, starts_at=brussels(2036, 10, 22, 20), title_en="Concert")
    ann = register(debate, "ann", 2)
    register(debate, "bob", 1)  # waiting
    register(concert, "cat", 3)
    services.checkin_manual(registration_id=ann.pk, event_id=debate.pk, nonce=None, user=organiser)
    DoorStaffFactory(username="door@example.org", email="door@example.org", first_name="Dora", last_name="Door")
    return {"debate": debate, "ann": ann}


def _log_in(page, base: str, lang: str, username: str) -> None:
    then = f"/{lang}/backoffice/"
    page.goto(f"{base}/{lang}/accounts/login/?next={then}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}{then}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_back_office_pages_pass_axe_and_fit_the_screen(live_server, backoffice, organiser, lang, size):
    from playwright.sync_api import sync_playwright

    base, debate = live_server.url, backoffice["debate"]
    pages = [
        f"/{lang}/backoffice/",
        f"/{lang}/backoffice/dashboard/",
        f"/{lang}/backoffice/dashboard/activities/",
        f"/{lang}/backoffice/activities/",
        f"/{lang}/backoffice/activities/new/",
        f"/{lang}/backoffice/activities/{debate.pk}/",
        f"/{lang}/backoffice/activities/{debate.pk}/cancel/",
        f"/{lang}/backoffice/schedule/",
        f"/{lang}/backoffice/exports/",
        f"/{lang}/backoffice/activities/{debate.pk}/door-list/",
        f"/{lang}/backoffice/access-log/",
        f"/{lang}/backoffice/associations/",
        f"/{lang}/backoffice/door-staff/",
        f"/{lang}/backoffice/privacy/",
    ]
    found: dict[str, list[str]] = {}
    wider: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            locale=lang, viewport=PHONE if size == "phone" else DESKTOP, has_touch=size == "phone", bypass_csp=True
        )
        page = context.new_page()
        _log_in(page, base, lang, organiser.username)
        for path in pages:
            response = page.goto(base + path)
            assert response.status == 200, path
            found[path] = violations(page)
            wider[path] = page.evaluate(OVERFLOW)

        # A form's errors: an activity that ends before it starts, a deletion not confirmed.
        page.goto(f"{base}/{lang}/backoffice/activities/{debate.pk}/")
        page.locator("input[name=ends_at]").fill("2036-10-21T18:00")
        page.locator("form.workspace-form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() >= 1
        found["the activity form's errors"] = violations(page)
        wider["the activity form's errors"] = page.evaluate(OVERFLOW)

        page.goto(f"{base}/{lang}/backoffice/privacy/")
        page.locator("input[name=email]").fill("ann@example.org")
        page.locator("input[name=action][value=erase]").check()
        page.locator("form.workspace-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() >= 1
        found["the request form's errors"] = violations(page)
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert {where: px for where, px in wider.items() if px > 0} == {}
    assert len(found) == len(pages) + 2


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_attendees_data_pages_pass_axe(live_server, backoffice, lang):
    from playwright.sync_api import sync_playwright

    ann = backoffice["ann"]
    mine = paths(ann, lang)["mine_url"]
    secret = mine.rstrip("/").rsplit("/", 1)[-1]
    token = data_requests.erase_token(ann)
    pages = {
        "my registrations": mine,
        "the deletion asked": f"/{lang}/my/{secret}/delete/",
        "the deletion confirmed": f"/{lang}/my/delete/{token}/",
        "a dead deletion link": f"/{lang}/my/delete/{token}x/",
    }
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale=lang, viewport=PHONE, has_touch=True, bypass_csp=True)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(live_server.url + path)
            found[name] = violations(page)
            assert page.evaluate(OVERFLOW) <= 0, name
        # The deletion asked by keyboard: Tab to the button, Enter.
        page.goto(live_server.url + pages["the deletion asked"])
        page.locator("form button[type=submit]").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("p[role=status]").count() == 1
        found["the e-mail is on its way"] = violations(page)
        browser.close()

    assert {name: problems for name, problems in found.items() if problems} == {}
    assert Message.objects.filter(purpose=Message.Purpose.ERASURE, recipient="ann@example.org").count() == 1
