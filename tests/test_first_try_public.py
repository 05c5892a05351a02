"""What a first try of the public site tripped over (issue 12): the "Add to calendar" menu and the
programme's feed link, registration that opens later, the "seats left" filter, the programme on
a phone (day navigation, folded filters), the summary shown once, the focus after form errors,
the resend form's errors, the favicon and the site's own 404 page with DEBUG on.

The server's answers first, then the same fixes in Chromium at phone size (390x844)."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.utils import timezone

from programme.calendar_links import calendar_links
from programme.models import Event
from tests.factories import PASSWORD, EventFactory, OrganiserFactory, RegistrationFactory, brussels, category
from tests.helpers import ROOT, launch

SITE = "https://fortnight.example"
OPENS_ON = "Registration opens on Thursday 9 October at 10:00"  # 08:00 UTC: Brussels time


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def menu_links(page: str) -> list[str]:
    """The hrefs of the "Add to calendar" menus of a page, unescaped."""
    menus = re.findall(r'<details class="calendar-menu">(.*?)</details>', page, re.S)
    return [html.unescape(href) for menu in menus for href in re.findall(r'href="([^"]*)"', menu)]


def visible(page: str) -> str:
    """The page without its scripts (the JSON-LD repeats the summary for search engines)."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.S)


# --- The "Add to calendar" menu ------------------------------------------------------------------


@pytest.fixture
def talk(make_event, venue):
    """Tuesday 21 October 2036, 19:00 to 21:00 in Brussels (17:00 to 19:00 UTC), at Madeleine Hall."""
    return make_event(
        venue=venue,
        title_en="Peace & bread: a talk",
        summary_en="Four speakers, one question.",
        title_fr="Paix et pain",
        summary_fr="Quatre voix, une question.",
    )


def expected_links(pk: int, lang: str, title: str, summary: str) -> dict[str, str]:
    name = {"en": "Madeleine%20Hall", "fr": "Salle%20de%20la%20Madeleine"}[lang]
    place = f"{name}%2C%20Rue%20Duquesnoy%2014%2C%201000%20Bruxelles"
    details = f"{summary}%0A%0Ahttps%3A%2F%2Ffortnight.example%2F{lang}%2Fevents%2F{pk}%2F"
    return {
        "ics": f"{SITE}/calendar/events/{pk}.ics?lang={lang}",
        "webcal": f"webcal://fortnight.example/calendar/events/{pk}.ics?lang={lang}",
        "google": (
            "https://calendar.google.com/calendar/render?action=TEMPLATE"
            f"&text={title}&dates=20361021T170000Z%2F20361021T190000Z&details={details}&location={place}"
        ),
        "outlook": (
            "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
            f"&subject={title}&startdt=2036-10-21T17%3A00%3A00Z&enddt=2036-10-21T19%3A00%3A00Z"
            f"&body={details}&location={place}"
        ),
    }


def test_calendar_links_are_absolute_and_url_encoded(talk):
    from django.utils import translation

    with translation.override("en"):
        links = calendar_links(talk, f"/calendar/events/{talk.pk}.ics?lang=en")
    assert links == expected_links(
        talk.pk, "en", "Peace%20%26%20bread%3A%20a%20talk", "Four%20speakers%2C%20one%20question."
    )


@pytest.mark.parametrize(
    ("lang", "title", "summary"),
    [
        ("en", "Peace%20%26%20bread%3A%20a%20talk", "Four%20speakers%2C%20one%20question."),
        ("fr", "Paix%20et%20pain", "Quatre%20voix%2C%20une%20question."),
    ],
)
def test_event_page_menu_has_the_four_links_in_the_page_language(client, talk, lang, title, summary):
    page = client.get(f"/{lang}/events/{talk.pk}/").content.decode()

    assert menu_links(page) == list(expected_links(talk.pk, lang, title, summary).values())
    assert page.count('<details class="calendar-menu">') == 1
    assert re.findall(r'<a href="https://[^"]*" rel="noopener">', page.split('class="calendar-menu"')[1]) != []
    assert "testserver" not in page  # the request's host: never in a link
    assert 'target="_blank"' not in page.split('class="calendar-menu"')[1].split("</details>")[0]


def test_event_page_menu_labels_in_english(client, talk):
    page = client.get(f"/en/events/{talk.pk}/").content.decode()
    menu = re.search(r'<details class="calendar-menu">.*?</details>', page, re.S).group(0)

    assert "<summary>Add to my calendar</summary>" in menu
    assert [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<a [^>]*>(.*?)</a>", menu)] == [
        "Download the .ics file",
        "Calendar app (subscribe)",
        "Google Calendar (opens an external site)",
        "Outlook.com (opens an external site)",
    ]


def test_event_page_of_a_cancelled_activity_offers_no_add_menu(client, talk):
    talk.status = Event.Status.CANCELLED
    talk.save()

    page = client.get(f"/en/events/{talk.pk}/").content.decode()

    assert "This activity has been cancelled." in page
    assert "calendar-menu" not in page
    assert ".ics" not in visible(page)


def test_add_to_calendar_tag_takes_a_label(talk):
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load calendar_links %}{% add_to_calendar event url label="Add the ticket" %}')
    with translation.override("en"):
        out = template.render(Context({"event": talk, "url": f"{SITE}/tickets/x.ics"}))

    assert "<summary>Add the ticket</summary>" in out
    assert f'<a href="{SITE}/tickets/x.ics" type="text/calendar" download>' in out
    assert '<a href="webcal://fortnight.example/tickets/x.ics">' in out


# --- The programme's feed link ---------------------------------------------------------------


def subscribe_links(page: str) -> list[str]:
    menu = re.search(r'<details class="calendar-menu subscribe-menu">(.*?)</details>', page, re.S).group(1)
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', menu)]


def test_programme_subscribe_link_without_filters(client, talk):
    page = client.get("/en/").content.decode()

    assert "<summary>Subscribe to the programme</summary>" in page
    assert subscribe_links(page) == [
        "webcal://fortnight.example/calendar/programme.ics?lang=en",
        f"{SITE}/calendar/programme.ics?lang=en",
    ]


def test_programme_subscribe_link_carries_the_filters_in_their_canonical_spelling(client, talk, venue):
    # A venue written with a leading zero, parameters that are not filters, twice the same feature.
    twice = "accessibility=step_free_access&accessibility=step_free_access"
    query = f"venue=0{venue.pk}&utm_source=x&{twice}&available=true"
    page = client.get(f"/nl/?{query}").content.decode()

    feed = f"calendar/programme.ics?accessibility=step_free_access&available=true&venue={venue.pk}&lang=nl"
    assert subscribe_links(page) == [f"webcal://fortnight.example/{feed}", f"{SITE}/{feed}"]
    # The feed it names answers, with the same activity.
    response = client.get(f"/{feed}")
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert f"UID:event-{talk.pk}@fortnight.example" in response.content.decode()


def test_programme_subscribe_link_from_the_cache_matches_its_query(client, talk):
    first = client.get("/en/?category=debate&date=2036-10-21")
    again = client.get("/en/?date=2036-10-21&category=debate&ref=newsletter")

    assert again["X-Programme-Cache"] == "hit"
    feed = "calendar/programme.ics?category=debate&date=2036-10-21&lang=en"
    assert subscribe_links(first.content.decode()) == subscribe_links(again.content.decode())
    assert subscribe_links(again.content.decode()) == [f"webcal://fortnight.example/{feed}", f"{SITE}/{feed}"]


def test_programme_subscribe_link_encodes_a_search(client, talk):
    page = client.get("/en/?q=peace+%26+bread%22%3E").content.decode()

    assert subscribe_links(page)[1] == f"{SITE}/calendar/programme.ics?q=peace+%26+bread%22%3E&lang=en"
    assert 'bread">' not in page


def test_programme_with_bad_filters_has_no_subscribe_link(client, talk):
    response = client.get("/en/?date=tomorrow")

    assert response.status_code == 400
    assert "subscribe-menu" not in response.content.decode()


# --- Registration that opens later -----------------------------------------------------------


@pytest.fixture
def later(make_event):
    """Registration opens on Thursday 9 October 2036 at 10:00, for the activity on the 21st."""
    return make_event(capacity=30, registration_opens_at=brussels(2036, 10, 9, 10))


def test_registration_opens_later_says_when_on_the_activity_page(client, later):
    page = client.get(f"/en/events/{later.pk}/").content.decode()

    section = re.search(r'<section aria-labelledby="register-title" class="register">.*?</section>', page, re.S)
    assert section is not None
    assert f'<p class="registration-opens">{OPENS_ON}</p>' in section.group(0)
    assert f'<span class="badge badge-soon">{OPENS_ON}</span>' in page
    assert "Registration closed" not in page
    assert "<form" not in section.group(0)
    assert f'action="/en/events/{later.pk}/register/"' not in page


def test_registration_opens_later_says_when_on_the_programme_card(client, later):
    page = client.get("/en/").content.decode()

    assert f'<span class="badge badge-soon">{OPENS_ON}</span>' in page
    assert "Registration closed" not in page


def test_registration_opens_later_register_page_has_no_form(client, later):
    page = client.get(f"/en/events/{later.pk}/register/").content.decode()

    assert OPENS_ON in page
    assert 'name="email"' not in page


def test_registration_opens_later_api_status_stays_closed(client, later):
    item = client.get(f"/api/v1/events/{later.pk}/").json()

    assert item["registration_status"] == "closed"


def test_registration_opens_later_cached_card_does_not_outlive_the_opening(client, later):
    """The cached card, day and page, rendered before the opening, are not served after it: the
    opening moves their version. Time passing is the opening time moving into the past, without
    a save (no `updated_at` change), as when the clock passes it: now, after the last change."""
    assert OPENS_ON in client.get("/en/").content.decode()
    assert OPENS_ON in client.get(f"/en/events/{later.pk}/").content.decode()
    assert client.get("/en/")["X-Programme-Cache"] == "hit"

    Event.objects.filter(pk=later.pk).update(registration_opens_at=timezone.now())

    programme = client.get("/en/")
    assert "X-Programme-Cache" not in programme
    assert OPENS_ON not in programme.content.decode()
    assert '<span class="badge badge-open">30 seats left</span>' in programme.content.decode()
    event_page = client.get(f"/en/events/{later.pk}/").content.decode()
    assert OPENS_ON not in event_page
    assert f'action="/en/events/{later.pk}/register/"' in event_page


# --- "Seats left": what one can register for now ---------------------------------------------


@pytest.fixture
def kinds(current_edition, make_event):
    now = timezone.now()
    day = brussels(2036, 10, 22, 18)
    kinds = {
        "open": make_event(capacity=10, starts_at=day),
        "full": make_event(capacity=1, starts_at=day + datetime.timedelta(hours=3)),
        "free": make_event(capacity=None, starts_at=day + datetime.timedelta(hours=6)),
        "later": make_event(
            capacity=10, registration_opens_at=brussels(2036, 10, 9, 10), starts_at=day.replace(hour=9)
        ),
        "closed": make_event(
            capacity=10, registration_closes_at=now - datetime.timedelta(days=1), starts_at=day.replace(hour=12)
        ),
        "cancelled": make_event(capacity=10, starts_at=day.replace(hour=15), status=Event.Status.CANCELLED),
    }
    RegistrationFactory(event=kinds["full"])
    return kinds


def test_available_true_lists_only_what_one_can_register_for_now(client, kinds):
    expected = [kinds["open"].pk]

    api = client.get("/api/v1/events/?available=true").json()["results"]
    assert [item["id"] for item in api] == expected
    page = client.get("/en/?available=true").content.decode()
    assert [int(pk) for pk in re.findall(r'<h3><a href="/en/events/(\d+)/">', page)] == expected
    feed = client.get("/calendar/programme.ics?available=true").content.decode()
    assert re.findall(r"UID:event-(\d+)@", feed) == [str(pk) for pk in expected]
    # Their statuses, which the API keeps as they were.
    everything = {item["id"]: item["registration_status"] for item in client.get("/api/v1/events/").json()["results"]}
    assert {name: everything.get(event.pk) for name, event in kinds.items()} == {
        "open": "open",
        "full": "waitlist",
        "free": "not_required",
        "later": "closed",
        "closed": "closed",
        "cancelled": None,
    }


# --- The summary, once -----------------------------------------------------------------------


def test_event_page_shows_its_summary_once(client, make_event):
    event = make_event(summary_en="Four speakers, one question.", description_en="A long evening of talks.")

    page = visible(client.get(f"/en/events/{event.pk}/").content.decode())

    assert page.count("Four speakers, one question.") == 1
    assert '<p class="lead">Four speakers, one question.</p>' in page
    assert '<div class="description"><p>A long evening of talks.</p></div>' in page


# --- Errors: summaries to focus, the resend form ---------------------------------------------

SUMMARY = '<div class="alert" role="alert" id="error-summary" tabindex="-1" data-error-summary>'
SCRIPT = '<script src="/static/js/error-summary.js" defer></script>'


def test_register_errors_have_a_focusable_summary_and_its_script(client, talk):
    response = client.post(f"/en/events/{talk.pk}/register/", {"name": "", "email": "x"})

    page = response.content.decode()
    assert response.status_code == 400
    assert page.count(SUMMARY) == 1
    assert SCRIPT in page
    assert '<li><a href="#id_email">Your e-mail address: Enter a valid email address.</a></li>' in page


def test_resend_link_bad_address_shows_the_form_again_with_its_error(client, talk):
    response = client.post(f"/en/events/{talk.pk}/register/link/", {"email": "not an address"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Check your e-mail" not in page
    assert page.count(SUMMARY) == 1
    assert f'<form method="post" action="/en/events/{talk.pk}/register/link/" class="register-form resend-form"' in page
    assert '<label for="id_email">Your e-mail address</label>' in page
    assert re.search(r'<input type="email" name="email" value="not an address"[^>]*aria-invalid="true"', page)
    assert '<span class="field-error" id="id_email-error">Enter a valid email address.</span>' in page
    assert SCRIPT in page


def test_login_errors_have_a_focusable_summary(client, db):
    response = client.post("/en/accounts/login/", {"username": "nobody", "password": "wrong"})

    page = response.content.decode()
    assert page.count(SUMMARY) == 1
    assert SCRIPT in page


def test_password_reset_errors_have_a_focusable_summary(client, db):
    response = client.post("/en/accounts/password/reset/", {"email": "not an address"})

    page = response.content.decode()
    # templates/accounts/_error_summary.html: the alert that other pages' tests know, wrapped.
    wrapped = '<div class="error-summary" id="error-summary" tabindex="-1" data-error-summary>'
    wrapped += '<div class="alert" role="alert">'
    assert page.count(wrapped) == 1
    assert SCRIPT in page


def test_error_summary_script_is_static_and_csp_safe():
    script = (ROOT / "static" / "js" / "error-summary.js").read_text()

    assert 'document.querySelector("[data-error-summary]")' in script
    assert "eval(" not in script and "innerHTML" not in script


# --- Favicon and the site's 404 page -------------------------------------------------------------


def test_favicon_ico_is_served(client, db):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Content-Type"]) == (200, "image/vnd.microsoft.icon")
    assert response.content == (ROOT / "static" / "favicon.ico").read_bytes()
    assert response.content[:4] == b"\x00\x00\x01\x00"
    assert client.head("/favicon.ico").status_code == 200


def test_pages_link_the_svg_favicon(client, talk):
    page = client.get("/en/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert (ROOT / "static" / "favicon.svg").read_text().startswith("<svg xmlns=")


@pytest.mark.parametrize("path", ["/en/events/999999/", "/en/events/abc/", "/en/no-such-page/"])
def test_debug_404_is_the_site_page(client, settings, talk, path):
    settings.DEBUG = True

    response = client.get(path)

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "There is no page at this address." in page
    assert "URLconf" not in page and "DEBUG = True" not in page and "technical" not in page


def test_debug_404_keeps_the_redirects_and_the_api_json(client, settings, talk):
    settings.DEBUG = True

    assert client.get(f"/en/events/{talk.pk}")["Location"] == f"/en/events/{talk.pk}/"
    assert client.get(f"/events/{talk.pk}/").status_code == 302
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


# --- In Chromium, on a phone -----------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def long_programme(current_edition, venue):
    """Four activities a day on six days: a long page on a phone."""
    events = []
    for day in (20, 21, 22, 24, 27, 30):
        for hour in (10, 13, 16, 19):
            events.append(
                EventFactory(
                    edition=current_edition,
                    venue=venue,
                    category=category("debate" if hour == 10 else "concert"),
                    starts_at=brussels(2036, 10, day, hour),
                    ends_at=brussels(2036, 10, day, hour + 2),
                )
            )
    return events


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_day_navigation_jumps_to_the_day_and_stays_in_view(live_server, long_programme):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        page.goto(f"{live_server.url}/en/")
        nav = page.get_by_role("navigation", name="Days of the programme")
        links = nav.get_by_role("link")
        expect(links).to_have_count(6)
        # Keyboard: the link to the 27th, by its full name for screen readers, then Enter.
        link = nav.get_by_role("link", name="Monday 27 October")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/en/#day-2036-10-27")
        heading = page.locator("#day-2036-10-27")
        page.wait_for_function("() => window.scrollY > 0")
        box, bar = heading.bounding_box(), nav.bounding_box()
        # The nav stuck at the top; the heading just below it, inside the screen.
        assert bar["y"] == 0
        assert bar["y"] + bar["height"] <= box["y"] < PHONE["height"] - box["height"]
        assert heading.inner_text() == "Monday 27 October"
        # A click on another day too.
        nav.get_by_role("link", name="Tuesday 21 October").click()
        page.wait_for_url(f"{live_server.url}/en/#day-2036-10-21")
        box, bar = page.locator("#day-2036-10-21").bounding_box(), nav.bounding_box()
        assert bar["y"] + bar["height"] <= box["y"] < PHONE["height"] - box["height"]
        # No horizontal scrolling of the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_filters_fold_after_a_search_with_a_summary(live_server, long_programme):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        page.goto(f"{live_server.url}/en/")
        page.locator("details.filters-box > summary").click()
        page.get_by_label("Category", exact=True).select_option("debate")
        page.get_by_label("Day", exact=True).select_option("2036-10-22")
        page.get_by_role("button", name="Show activities").click()
        page.wait_for_url(re.compile(r"category=debate"))

        panel = page.locator("details.filters-box")
        assert panel.get_attribute("open") is None
        expect(page.locator(".filter-summary")).to_have_text(
            "Day: Wednesday 22 October · Category: Debate — 1 activity"
        )
        # The results come first: the activity is on the first screen.
        card = page.locator(".event-card").first
        expect(card).to_be_visible()
        assert card.bounding_box()["y"] < PHONE["height"]
        # The panel opens again, with the choices made.
        panel.locator("summary").click()
        expect(page.get_by_label("Category", exact=True)).to_have_value("debate")
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_error_summary_takes_the_focus(live_server, make_event):
    from playwright.sync_api import expect, sync_playwright

    event = make_event(capacity=20)
    OrganiserFactory(username="olga")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # The registration form, sent empty.
        page.goto(f"{live_server.url}/en/events/{event.pk}/")
        page.get_by_role("button", name="Register").click()
        page.wait_for_url(f"{live_server.url}/en/events/{event.pk}/register/")
        expect(page.locator("#error-summary")).to_be_focused()
        assert page.evaluate("document.activeElement.id") == "error-summary"
        # Its link to a field focuses that field.
        page.get_by_role("link", name=re.compile("^Your e-mail address:")).click()
        assert page.evaluate("document.activeElement.id") == "id_email"
        # The resend form with a bad address (sent from the page that offers it).
        page.goto(f"{live_server.url}/en/accounts/login/")
        page.locator("input[name=username]").fill("olga")
        page.locator("input[name=password]").fill(PASSWORD + "x")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#error-summary")).to_be_focused()
        # The password reset form.
        page.goto(f"{live_server.url}/en/accounts/password/reset/")
        page.get_by_role("button", name="Send me the link").click()
        expect(page.locator("#error-summary")).to_be_focused()
        assert errors == []
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_resend_form_error_takes_the_focus(live_server, make_event):
    from playwright.sync_api import expect, sync_playwright

    event = make_event(capacity=20)
    RegistrationFactory(event=event, email="ann@example.org")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        page.goto(f"{live_server.url}/en/events/{event.pk}/")
        page.get_by_label("Your name").fill("Ann")
        page.get_by_label("Your e-mail address").fill("ann@example.org")
        page.get_by_label("I agree").check()
        page.get_by_role("button", name="Register").click()
        # Registered already: the page offers to send the link; the address is changed to a bad one.
        page.locator("form[action$='/register/link/'] input[name=email]").evaluate("e => e.value = 'nope'")
        page.get_by_role("button", name="Send my registration's link to this address").click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.get_by_label("Your e-mail address")).to_have_value("nope")
        expect(page.locator("#id_email-error")).to_have_text("Enter a valid email address.")
        # Corrected, it is sent.
        page.get_by_label("Your e-mail address").fill("ann@example.org")
        page.get_by_role("button", name="Send my registration's link to this address").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_calendar_menu_opens_with_the_keyboard(live_server, make_event, venue):
    from playwright.sync_api import expect, sync_playwright

    event = make_event(venue=venue, capacity=20)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        page.goto(f"{live_server.url}/en/events/{event.pk}/")
        menu = page.locator("details.calendar-menu")
        summary = menu.locator("summary")
        download = page.get_by_role("link", name="Download the .ics file")
        expect(download).to_be_hidden()
        # Tab until the menu's summary has the focus (it is in the tab order), then Enter.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                break
        expect(summary).to_be_focused()
        expect(summary).to_have_text("Add to my calendar")
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") == ""
        for name in ("Download the .ics file", "Calendar app (subscribe)"):
            expect(page.get_by_role("link", name=name)).to_be_visible()
        page.keyboard.press("Tab")
        expect(download).to_be_focused()
        # Every link fits the phone's screen.
        for link in menu.get_by_role("link").all():
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # Closed again with the keyboard (Space on the summary).
        summary.focus()
        page.keyboard.press(" ")
        assert menu.get_attribute("open") is None
        # The programme's subscription menu, the same way.
        page.goto(f"{live_server.url}/en/")
        subscribe = page.locator("details.subscribe-menu > summary")
        subscribe.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("link", name="Calendar app (subscribe)")).to_be_visible()
        href = page.get_by_role("link", name="Calendar app (subscribe)").get_attribute("href")
        assert href == "webcal://fortnight.example/calendar/programme.ics?lang=en"
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_registration_opens_later_and_favicon(live_server, make_event):
    from playwright.sync_api import expect, sync_playwright

    event = make_event(capacity=30, registration_opens_at=brussels(2036, 10, 9, 10))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        page.goto(f"{live_server.url}/en/events/{event.pk}/")
        expect(page.locator(".registration-opens")).to_have_text(OPENS_ON)
        expect(page.get_by_role("button", name="Register")).to_have_count(0)
        response = page.request.get(f"{live_server.url}/favicon.ico")
        assert (response.status, response.headers["content-type"]) == (200, "image/vnd.microsoft.icon")
        browser.close()
