"""The Content-Security-Policy in Chromium: the pages, the door scanner (camera, jsQR, API),
the offline-tickets worker, the Django admin and the API docs work under it without one
violation, and it is really enforced (an inline script or style added to a page is refused).

A violation is seen two ways: the `securitypolicyviolation` events of each page (a listener
put in before any script of the page runs) and Chromium's console messages.
"""

from __future__ import annotations

import pytest

from registrations import services
from registrations.links import registration_links
from registrations.tickets import make_token, qr_png
from tests.factories import PASSWORD, DoorStaffFactory, EventFactory, OrganiserFactory, brussels
from tests.helpers import launch, launch_with_camera, write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watch:
    """What a browser context reports about the policy, on every page it opens."""

    def __init__(self, context):
        self.console: list[str] = []
        self.errors: list[str] = []
        self.documents: list[tuple[str, str]] = []
        context.add_init_script(LISTEN)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(str(error.error)))
        context.on("response", self._response)

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.documents.append((response.url, response.headers.get("content-security-policy", "")))

    def unguarded(self) -> list[str]:
        """The pages (and popups, and redirects) that came without the policy: none."""
        assert self.documents, "no page was opened"
        return [url for url, policy in self.documents if "script-src 'self'" not in policy]

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    @staticmethod
    def events(page) -> list[str]:
        page.wait_for_timeout(200)  # violation events are queued as tasks
        return page.evaluate("window.__cspViolations")


@pytest.fixture
def event(make_event, venue):
    return make_event(venue=venue, capacity=40, max_seats_per_registration=4)


def test_csp_public_pages_and_api_docs_load_without_violation(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    amina = services.registration_create(
        event_id=event.pk, name="Amina Diallo", email="amina@example.org", seats=2, language="en"
    )
    ticket_url = registration_links(amina)["ticket_url"]
    base = live_server.url
    found: dict[str, list[str]] = {}

    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="en")
        watch = Watch(context)
        page = context.new_page()

        page.goto(f"{base}/en/")
        expect(page.get_by_role("link", name="Building peace")).to_be_visible()
        found["programme"] = watch.events(page)

        page.goto(f"{base}/en/events/{event.pk}/")
        # The JSON-LD block is data: it is there, and nothing reports it.
        assert page.locator('script[type="application/ld+json"]').count() == 1
        expect(page.get_by_label("Your name")).to_be_visible()
        found["event"] = watch.events(page)

        page.goto(base + ticket_url)
        expect(page.locator(".ticket .code")).to_have_text(amina.code)
        # The worker registered. (A function: an expression would be polled with eval(), refused here.)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        found["ticket"] = watch.events(page)
        page.reload()  # now served through the worker
        expect(page.locator(".ticket .code")).to_have_text(amina.code)
        found["ticket through the worker"] = watch.events(page)

        page.goto(f"{base}/api/v1/docs/")
        expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
        expect(page.locator('.opblock-summary-path[data-path="/api/v1/events/"]').first).to_be_visible()
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(250, 250, 250)"
        page.locator('.opblock-summary-path[data-path="/api/v1/events/"]').first.click()  # opens, icons and all
        expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
        found["API docs"] = watch.events(page)
        browser.close()

    assert found == {where: [] for where in found}
    assert (watch.console, watch.errors, watch.unguarded()) == ([], [], [])


def test_csp_admin_login_changelist_and_change_form_work_without_violation(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    OrganiserFactory(username="organiser")
    EventFactory(edition=event.edition, venue=event.venue, starts_at=brussels(2036, 10, 22, 19))
    base = live_server.url
    found: dict[str, list[str]] = {}

    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="fr")
        watch = Watch(context)
        page = context.new_page()

        page.goto(f"{base}/fr/admin/")
        expect(page).to_have_url(f"{base}/fr/admin/login/?next=/fr/admin/")
        page.locator("#id_username").fill("organiser")
        page.locator("#id_password").fill(PASSWORD)
        found["login"] = watch.events(page)
        page.locator("input[type=submit]").click()  # form-action 'self'
        expect(page).to_have_url(f"{base}/fr/admin/")

        # The changelist: its actions script counts the rows selected.
        page.goto(f"{base}/fr/admin/programme/event/")
        page.locator("#action-toggle").check()
        expect(page.locator(".action-counter")).to_have_text("2 sur 2 sélectionnés")
        found["changelist"] = watch.events(page)

        # The change form: the date shortcuts, the calendar and the autocomplete (select2, which
        # asks the admin's autocomplete view with an XHR) all work.
        page.goto(f"{base}/fr/admin/programme/event/{event.pk}/change/")
        page.locator("#id_starts_at_0 ~ .datetimeshortcuts a").first.click()  # "Aujourd\u2019hui"
        assert page.locator("#id_starts_at_0").input_value() != "21/10/2036"
        page.locator("#calendarlink0").click()
        expect(page.locator("#calendarbox0")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#calendarbox0")).to_be_hidden()
        page.locator("#id_venue + .select2 .select2-selection").click()
        page.locator(".select2-search__field").fill("Madel")
        expect(page.locator(".select2-results__option", has_text="Salle de la Madeleine")).to_be_visible()
        page.keyboard.press("Escape")
        found["change form"] = watch.events(page)

        # "+" next to the venue: the add form in a popup, whose answer (a page with a script
        # and its data in attributes) puts the new venue in the opener's field and closes it.
        with page.expect_popup() as opened:
            page.locator("#add_id_venue").click()
        popup = opened.value
        popup.locator("#id_name_fr").fill("Pianofabriek")
        popup.locator("#id_address").fill("Rue du Fort 35, 1060 Saint-Gilles")
        found["add venue popup"] = watch.events(popup)
        with popup.expect_event("close"):
            popup.locator("input[name=_save]").click()
        expect(page.locator("#id_venue + .select2 .select2-selection__rendered")).to_contain_text("Pianofabriek")
        found["change form after the popup"] = watch.events(page)
        browser.close()

    assert found == {where: [] for where in found}
    assert (watch.console, watch.errors, watch.unguarded()) == ([], [], [])


def test_csp_door_scanner_reads_the_camera_and_checks_in_without_violation(live_server, event, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    amina = services.registration_create(
        event_id=event.pk, name="Amina Diallo", email="amina@example.org", seats=2, language="en"
    )
    y4m = tmp_path / "ticket.y4m"
    write_y4m(y4m, qr_png(make_token(amina)))
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch_with_camera(playwright, y4m)
        context = browser.new_context(locale="en", viewport={"width": 412, "height": 915}, has_touch=True)
        watch = Watch(context)
        page = context.new_page()
        page.goto(f"{base}/en/accounts/login/?next=/en/door/{event.pk}/")
        page.get_by_label("Username").fill("door")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{base}/en/door/{event.pk}/")

        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-result", "ok", timeout=15_000)  # jsQR read it, fetch checked in
        expect(result.locator(".door-result-name")).to_have_text("Amina Diallo")
        expect(page.locator('[data-stat="checked_in_seats"]')).to_have_text("2")
        violations = watch.events(page)
        browser.close()

    amina.refresh_from_db()
    assert amina.checked_in_at is not None
    assert (violations, watch.console, watch.errors, watch.unguarded()) == ([], [], [], [])


def test_csp_refuses_an_inline_script_and_style_added_to_a_page(live_server, event):
    """The policy is enforced, not only sent: what an injection would add does not run."""
    from playwright.sync_api import sync_playwright

    base = live_server.url
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="en")
        watch = Watch(context)
        page = context.new_page()
        page.goto(f"{base}/en/events/{event.pk}/")
        outcome = page.evaluate(
            """() => {
              window.__ran = [];
              const script = document.createElement("script");
              script.textContent = "window.__ran.push('script')";
              document.body.appendChild(script);
              const box = document.createElement("div");
              box.innerHTML = '<img src="/static/css/site.css" onerror="window.__ran.push(\\'handler\\')">'
                + '<p style="color: rgb(255, 0, 0)">x</p>';
              document.body.appendChild(box);
              const style = document.createElement("style");
              style.textContent = "h1 { color: rgb(0, 255, 0) }";
              document.head.appendChild(style);
              return new Promise((resolve) => setTimeout(() => resolve({
                ran: window.__ran,
                paragraph: getComputedStyle(box.querySelector("p")).color,
                heading: getComputedStyle(document.querySelector("h1")).color,
              }), 300));
            }"""
        )
        violations = watch.events(page)
        browser.close()

    assert outcome["ran"] == []
    assert outcome["paragraph"] != "rgb(255, 0, 0)"
    assert outcome["heading"] != "rgb(0, 255, 0)"
    assert sorted(v.split(" at ")[0] for v in violations) == [
        "script-src-attr blocked inline",
        "script-src-elem blocked inline",
        "style-src-attr blocked inline",
        "style-src-elem blocked inline",
    ]
    assert len(watch.console) == 4
    assert watch.unguarded() == []
