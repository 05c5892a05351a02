"""Every page passes axe-core's WCAG 2.1 A and AA rules (and its best practices), in Chromium,
on a phone-sized screen and in each language: the programme, an activity with its form (and
the form's errors), a ticket, the cancellation, "my registrations", the privacy notice,
the login, and the door's pages.

axe-core (tests/vendor/axe-core, MPL-2.0) is injected into each page as it is served
(the browser context bypasses the Content-Security-Policy for it).
Keyboard use is covered where it matters most by tests/test_browser.py (the door's result
dismissed with Escape and Enter).
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, DoorStaffFactory, EventFactory, RegistrationFactory, brussels
from tests.helpers import ROOT, launch, paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = (ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js").read_text()
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(
    v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`
  );
}"""


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    return page.evaluate(RUN_AXE, RULES)


@pytest.fixture
def site(current_edition, make_event, venue):
    event = make_event(venue=venue, capacity=40, max_seats_per_registration=4)
    EventFactory(edition=current_edition, venue=venue, capacity=None, starts_at=brussels(2036, 10, 22, 14))
    full = EventFactory(edition=current_edition, venue=venue, capacity=1, starts_at=brussels(2036, 10, 23, 20))
    RegistrationFactory(event=full)
    ann = RegistrationFactory(event=event, name="Ann Peeters", email="ann@example.org", seats=2)
    DoorStaffFactory(username="door")
    return {"event": event, "links": {lang: paths(ann, lang) for lang in ("fr", "nl", "en")}}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_public_and_door_pages_have_no_axe_violations(live_server, site, lang):
    from playwright.sync_api import sync_playwright

    base, event, ann_links = live_server.url, site["event"], site["links"][lang]
    public = [
        f"/{lang}/",
        f"/{lang}/?category=debate&date=2036-10-21",
        f"/{lang}/events/{event.pk}/",
        ann_links["ticket_url"],
        ann_links["cancel_url"],
        ann_links["mine_url"],
        f"/{lang}/privacy/",
        f"/{lang}/accounts/login/",
    ]
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        # bypass_csp: axe-core goes in as an inline script, which the pages' policy refuses (with
        # add_script_tag's `path` too); tests/test_csp_browser.py checks the pages under the policy.
        context = browser.new_context(
            locale=lang, viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
        )
        page = context.new_page()
        for path in public:
            page.goto(base + path)
            found[path] = violations(page)

        # The form with its errors: sent empty.
        page.goto(f"{base}/{lang}/events/{event.pk}/")
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        found["the form's errors"] = violations(page)

        # The door: log in, choose the day, open the scanner (no camera here: it says so).
        page.goto(f"{base}/{lang}/accounts/login/?next=/{lang}/door/")
        page.locator("input[name=username]").fill("door")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{base}/{lang}/door/")
        for path in (f"/{lang}/door/?date=2036-10-21", f"/{lang}/door/{event.pk}/"):
            page.goto(base + path)
            page.wait_for_timeout(300)  # the scanner's script has written its messages
            found[path] = violations(page)
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert len(found) == len(public) + 3
