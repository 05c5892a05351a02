"""Every page passes axe-core's WCAG 2.1 A and AA rules (and its best practices), in Chromium,
on a phone-sized screen and in each language: the programme, an activity with its form (and
the form's errors), a ticket (and one of a cancelled activity), the cancellation, "my
registrations", the privacy notice, the login, and the door's pages; the association portal and
the back office (with a form's errors each); with DEBUG, the demo's
mail pages (the list, one e-mail with its HTML version in a frame, and that HTML, the e-mail
itself, under WCAG's rules).

axe-core (tests/vendor/axe-core, MPL-2.0) is injected into each page as it is served
(the browser context bypasses the Content-Security-Policy for it).
Keyboard use is covered where it matters most by tests/test_browser.py (the door's result
dismissed with Escape and Enter).
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, DoorStaffFactory, EventFactory, RegistrationFactory, brussels, register
from tests.helpers import ROOT, launch, paths
from tests.test_demo_mail import FILE_BACKEND, urls_with_debug

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
    called_off = EventFactory(edition=current_edition, venue=venue, capacity=10, starts_at=brussels(2036, 10, 24, 18))
    bob = RegistrationFactory(event=called_off, name="Bob Janssens", email="bob@example.org")
    called_off.status = called_off.Status.CANCELLED
    called_off.save(update_fields=["status"])
    DoorStaffFactory(username="door")
    # Registration opens later: the page says when, without a form.
    later = EventFactory(
        edition=current_edition,
        venue=venue,
        capacity=10,
        registration_opens_at=brussels(2036, 10, 9, 10),
        starts_at=brussels(2036, 10, 25, 18),
    )
    return {
        "event": event,
        "later": later,
        "links": {lang: paths(ann, lang) for lang in ("fr", "nl", "en")},
        "cancelled_ticket": {lang: paths(bob, lang)["ticket_url"] for lang in ("fr", "nl", "en")},
    }


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_public_and_door_pages_have_no_axe_violations(live_server, site, lang):
    from playwright.sync_api import sync_playwright

    base, event, ann_links = live_server.url, site["event"], site["links"][lang]
    public = [
        f"/{lang}/",
        f"/{lang}/?category=debate&date=2036-10-21",
        f"/{lang}/events/{event.pk}/",
        f"/{lang}/events/{site['later'].pk}/",  # registration opens later
        ann_links["ticket_url"],
        site["cancelled_ticket"][lang],  # the ticket of a cancelled activity
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

        # The "Add to calendar" menu open; the programme's filters (after a search) and its
        # subscription menu open.
        page.goto(f"{base}/{lang}/events/{event.pk}/")
        page.locator("details.calendar-menu > summary").click()
        found["the calendar menu, open"] = violations(page)
        page.goto(f"{base}/{lang}/?category=debate")
        page.locator("details.filters-box > summary").click()
        page.locator("details.subscribe-menu > summary").click()
        found["the programme's menus, open"] = violations(page)

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
    assert len(found) == len(public) + 5


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_demo_mail_pages_have_no_axe_violations(live_server, settings, tmp_path, make_event, eager_tasks, lang):
    from playwright.sync_api import sync_playwright

    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = FILE_BACKEND, tmp_path / "mail"
    found: dict[str, list[str]] = {}
    with urls_with_debug(settings, True):
        with eager_tasks(execute=True):  # a confirmation, with its QR code and calendar file
            register(make_event(capacity=10), "ann")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(
                locale=lang, viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/{lang}/demo/mail/")
            found["the list"] = violations(page)
            page.locator(".mail-list h2 a").first.click()
            page.wait_for_load_state()
            page.frame_locator("iframe.mail-html").locator("img").wait_for()
            found["one e-mail"] = violations(page)
            # The e-mail itself (axe does not enter the frame): WCAG's rules, not the best practices
            # of a site's pages (one main landmark, a level-one heading), which a mail client provides.
            page.goto(page.url + "html/")
            page.add_script_tag(content=AXE)
            found["its HTML version"] = page.evaluate(RUN_AXE, [tag for tag in RULES if tag != "best-practice"])
            browser.close()

    assert found == {"the list": [], "one e-mail": [], "its HTML version": []}


@pytest.fixture
def workspace(call_edition, association, member, organiser, make_event, venue):
    """A proposal in each of a few states, an activity of the association, and passwords to log in."""
    from programme import services
    from tests.test_proposals import create

    member.set_password(PASSWORD)
    member.save()
    organiser.set_password(PASSWORD)
    organiser.save()
    draft = create(call_edition, association, member, venue=venue)
    submitted = create(call_edition, association, member, title_fr="Débat : la paix", venue_wish="Un jardin")
    services.proposal_transition(proposal=submitted, action="submit", user=member)
    services.proposal_note_add(proposal=submitted, user=organiser, text="Bon projet", to_association=False)
    event = make_event(association=association, capacity=20)
    RegistrationFactory(event=event, name="Ann Peeters")
    return {"draft": draft, "submitted": submitted, "event": event}


def _log_in(page, base: str, lang: str, username: str, then: str) -> None:
    page.goto(f"{base}/{lang}/accounts/login/?next={then}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}{then}")


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_portal_and_back_office_pages_have_no_axe_violations(live_server, workspace, member, organiser, lang):
    from playwright.sync_api import sync_playwright

    base, draft, submitted = live_server.url, workspace["draft"], workspace["submitted"]
    portal = [
        f"/{lang}/portal/",
        f"/{lang}/portal/proposals/",
        f"/{lang}/portal/proposals/new/",
        f"/{lang}/portal/proposals/{draft.pk}/",
        f"/{lang}/portal/proposals/{draft.pk}/edit/",
        f"/{lang}/portal/proposals/{submitted.pk}/",
    ]
    backoffice = [
        f"/{lang}/backoffice/",
        f"/{lang}/backoffice/proposals/",
        f"/{lang}/backoffice/proposals/?state=draft&state=submitted",
        f"/{lang}/backoffice/proposals/{submitted.pk}/",
        f"/{lang}/backoffice/schedule/",
    ]
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for username, paths_, extra in (
            ("mariam", portal, "the proposal form's errors"),
            (organiser.username, backoffice, "the decision's errors"),
        ):
            context = browser.new_context(
                locale=lang, viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
            )
            page = context.new_page()
            _log_in(page, base, lang, username, paths_[0])
            for path in paths_:
                page.goto(base + path)
                found[path] = violations(page)
            if username == "mariam":
                page.goto(f"{base}/{lang}/portal/proposals/new/")
                page.locator("#id_title_fr").fill("")
                page.locator("form.workspace-form button[type=submit]").click()
            else:
                page.goto(f"{base}/{lang}/backoffice/proposals/{submitted.pk}/")
                page.locator("select[name=action]").select_option("request_changes")
                page.locator("form[action$='/decide/'] button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator("[role=alert]").count() >= 1
            found[extra] = violations(page)
            context.close()
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert len(found) == len(portal) + len(backoffice) + 2
