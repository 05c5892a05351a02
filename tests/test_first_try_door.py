"""The door as a first try found it (issue 12): a cancelled or waitlisted attendee is found,
with their status and no check-in button; a ticket for another activity names that activity; a QR
code held in front of the camera after its green screen does not flip to amber at once; the door
opens on the next day that has activities. Dates are built from today (nothing is frozen)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from registrations import services
from registrations.models import CheckIn
from registrations.tickets import make_token, qr_png
from tests.factories import PASSWORD, DoorStaffFactory, EventFactory, RegistrationFactory
from tests.helpers import launch, launch_with_camera, write_y4m

URL = "/api/v1/checkins/"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def event(make_event):
    return make_event(capacity=3, max_seats_per_registration=3)


def door_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user, lang: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_authenticate(user)
    return client


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


def today() -> datetime.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


# --- Finding attendees: every status --------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_cancelled_and_waitlisted_with_their_status(event):
    door = DoorStaffFactory()
    ann = RegistrationFactory(event=event, name="Ann Peeters", seats=3)
    wait = RegistrationFactory(event=event, name="Annelies Wachters", seats=1)
    gone = RegistrationFactory(event=event, name="Anna Weg", seats=1)
    services.registration_cancel(registration_id=gone.pk)
    wait.refresh_from_db()
    assert (ann.status, wait.status) == ("confirmed", "waitlisted")

    found = api_for(door).get(f"/api/v1/events/{event.pk}/attendees/", {"q": "ann"}).json()

    assert [(r["name"], r["status"]) for r in found] == [
        ("Ann Peeters", "confirmed"),
        ("Annelies Wachters", "waitlisted"),
        ("Anna Weg", "cancelled"),  # after those still on
    ]
    assert api_for(door).get(f"/api/v1/events/{event.pk}/attendees/", {"q": gone.code}).json() == [
        {"id": gone.pk, "code": gone.code, "name": "Anna Weg", "seats": 1, "status": "cancelled", "checked_in_at": None}
    ]


@pytest.mark.django_db
def test_search_query_count_does_not_grow(make_event, django_assert_max_num_queries):
    door = DoorStaffFactory()
    big = make_event(capacity=100)
    found_before = [RegistrationFactory(event=big, name=f"Ann {i:02d}", seats=1) for i in range(30)]
    for registration in found_before[3:]:
        services.registration_cancel(registration_id=registration.pk)
    client = api_for(door)
    with django_assert_max_num_queries(8):
        found = client.get(f"/api/v1/events/{big.pk}/attendees/", {"q": "ann"}).json()
    assert len(found) == 20
    assert [(r["name"], r["status"]) for r in found[:4]] == [
        ("Ann 00", "confirmed"),
        ("Ann 01", "confirmed"),
        ("Ann 02", "confirmed"),
        ("Ann 03", "cancelled"),
    ]


# --- A ticket for another activity ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Building peace"), ("nl", "Vrede bouwen"), ("fr", "Construire la paix")]
)
def test_wrong_event_names_the_ticket_activity(event, make_event, lang, title):
    door = DoorStaffFactory()
    here = make_event(title_en="Film night", title_nl="Filmavond", title_fr="Soirée cinéma")
    ann = RegistrationFactory(event=event, name="Ann Peeters", seats=2)

    body = api_for(door, lang).post(URL, {"secret": make_token(ann), "event": here.pk}, format="json").json()

    assert body == {
        "result": "wrong_event",
        "registration": {"code": ann.code, "name": "Ann Peeters", "seats": 2, "event": event.pk},
        "first_checked_in_at": None,
        "ticket_event": {"id": event.pk, "title": title, "starts_at": "2036-10-21T19:00:00+02:00"},
    }
    assert list(CheckIn.objects.values_list("event_id", "result")) == [(here.pk, "wrong_event")]


@pytest.mark.django_db
def test_wrong_event_repeated_nonce_same_answer(event, make_event):
    door = api_for(DoorStaffFactory())
    here = make_event()
    ann = RegistrationFactory(event=event)
    payload = {"secret": make_token(ann), "event": here.pk, "nonce": "n-wrong"}

    first, again = door.post(URL, payload, format="json").json(), door.post(URL, payload, format="json").json()

    assert again == first
    assert first["ticket_event"]["id"] == event.pk
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_other_results_have_no_ticket_event(event):
    door = api_for(DoorStaffFactory())
    ann = RegistrationFactory(event=event)
    token = make_token(ann)
    answers = [
        door.post(URL, {"secret": token, "event": event.pk}, format="json").json(),
        door.post(URL, {"secret": token, "event": event.pk}, format="json").json(),
        door.post(URL, {"secret": "x" * 100, "event": event.pk}, format="json").json(),
    ]
    assert [(a["result"], "ticket_event" in a) for a in answers] == [
        ("ok", False),
        ("already_checked_in", False),
        ("invalid", False),
    ]


@pytest.mark.django_db
def test_scanner_page_has_the_ticket_event_line(event):
    body = door_client(DoorStaffFactory()).get(f"/en/door/{event.pk}/")
    html = body.content.decode()
    assert '<p class="door-result-name"></p>\n  <p class="door-result-event"></p>' in html
    assert body.context["config"]["strings"]["ticket_event"] == "This ticket is for %(title)s (%(when)s)."


# --- The door's default day ----------------------------------------------------------------------


@pytest.mark.django_db
def test_door_opens_on_the_next_day_with_activities(current_edition):
    door = DoorStaffFactory()
    day = today()
    soon = EventFactory(edition=current_edition, title_en="Soon", starts_at=at(day + datetime.timedelta(days=2), 14))
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=5), 14))
    # Nearer, but not for the door: no registration, a draft, a cancelled one.
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=1), 14), capacity=None)
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=1), 15), status="draft")
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=1), 16), status="cancelled")
    EventFactory(edition=current_edition, starts_at=at(day - datetime.timedelta(days=3), 14))  # past

    response = door_client(door).get("/en/door/")

    assert response.status_code == 200
    assert response.context["day"] == day + datetime.timedelta(days=2)
    assert [e.pk for e in response.context["events"]] == [soon.pk]
    html = response.content.decode()
    assert (
        '<p class="notice" role="status">No activity with registration today: here is the next day that has some.</p>'
        in html
    )
    assert f'<a href="?date={day:%Y-%m-%d}">Today</a>' in html


@pytest.mark.django_db
def test_door_opens_on_today_when_something_is_on(current_edition):
    door = DoorStaffFactory()
    day = today()
    on_today = EventFactory(edition=current_edition, starts_at=at(day, 0, 30), ends_at=at(day, 1))
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=1), 14))

    response = door_client(door).get("/en/door/")

    assert (response.context["day"], [e.pk for e in response.context["events"]]) == (day, [on_today.pk])
    assert response.context["moved"] == ""
    assert "here is the next day" not in response.content.decode()


@pytest.mark.django_db
def test_door_opens_on_today_during_a_multi_day_activity(current_edition):
    door = DoorStaffFactory()
    day = today()
    exhibition = EventFactory(
        edition=current_edition,
        starts_at=at(day - datetime.timedelta(days=2), 10),
        ends_at=at(day + datetime.timedelta(days=2), 18),
    )
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=1), 14))

    response = door_client(door).get("/en/door/")

    assert (response.context["day"], [e.pk for e in response.context["events"]]) == (day, [exhibition.pk])


@pytest.mark.django_db
def test_door_opens_on_the_last_day_when_nothing_is_ahead(current_edition):
    door = DoorStaffFactory()
    day = today()
    EventFactory(edition=current_edition, starts_at=at(day - datetime.timedelta(days=9), 14))
    last = EventFactory(
        edition=current_edition,
        starts_at=at(day - datetime.timedelta(days=4), 22),
        ends_at=at(day - datetime.timedelta(days=3), 0),  # ends at midnight: on the day it starts
    )

    response = door_client(door).get("/en/door/")

    assert response.context["day"] == day - datetime.timedelta(days=4)
    assert [e.pk for e in response.context["events"]] == [last.pk]
    assert (
        '<p class="notice" role="status">No activity with registration today or later: here is the last day that '
        "had some.</p>" in response.content.decode()
    )


@pytest.mark.django_db
def test_door_with_a_date_keeps_it(current_edition):
    door = DoorStaffFactory()
    day = today()
    EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=2), 14))

    response = door_client(door).get("/en/door/", {"date": day.isoformat()})

    assert (response.context["day"], response.context["events"], response.context["moved"]) == (day, [], "")


@pytest.mark.django_db
def test_door_default_day_query_count(current_edition, django_assert_max_num_queries):
    door = DoorStaffFactory()
    day = today()
    for offset in range(1, 30):
        EventFactory(edition=current_edition, starts_at=at(day + datetime.timedelta(days=offset), 14))
    client = door_client(door)
    with django_assert_max_num_queries(7):
        response = client.get("/en/door/")
    assert response.context["day"] == day + datetime.timedelta(days=1)


# --- In Chromium, phone-sized --------------------------------------------------------------------


def log_in(tab, base: str, next_url: str) -> None:
    tab.goto(f"{base}/en/accounts/login/?next={next_url}")
    tab.get_by_label("Username").fill("door")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(base + next_url)


# Every change of the answer shown (data-result), with the page's clock: what the door saw, when.
# Set up when the page's HTML is read, before its deferred scripts (the scanner) run.
RECORD_RESULTS = """document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive" || !document.getElementById("door-result")) return;
  window.doorResults = [];
  const overlay = document.getElementById("door-result");
  new MutationObserver(() => window.doorResults.push([overlay.getAttribute("data-result"), Date.now()]))
    .observe(overlay, {attributes: true, attributeFilter: ["data-result"]});
});"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_search_shows_cancelled_and_waitlisted_with_status(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    ann = RegistrationFactory(event=event, name="Ann Peeters", seats=3)
    wait = RegistrationFactory(event=event, name="Annelies Wachters", seats=1)
    gone = RegistrationFactory(event=event, name="Anna Weg", seats=1)
    services.registration_cancel(registration_id=gone.pk)
    wait.refresh_from_db()
    assert wait.status == "waitlisted"
    base = live_server.url

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        log_in(tab, base, f"/en/door/{event.pk}/")
        tab.get_by_label("Name or booking code").fill(gone.code.lower())
        tab.keyboard.press("Enter")
        expect(tab.locator("#door-search-status")).to_have_text("Attendees found: 1")
        expect(tab.locator(".door-attendee-name")).to_have_text(["Anna Weg"])
        expect(tab.locator(".door-attendee-meta")).to_have_text([f"{gone.code} · Seats: 1 · Cancelled"])
        expect(tab.locator(".door-attendee-note")).to_have_text(["Registration cancelled"])
        cancelled_buttons = tab.locator(".door-attendee button").count()

        tab.get_by_label("Name or booking code").fill("ann")
        tab.keyboard.press("Enter")
        expect(tab.locator("#door-search-status")).to_have_text("Attendees found: 3")
        expect(tab.locator(".door-attendee-name")).to_have_text(["Ann Peeters", "Annelies Wachters", "Anna Weg"])
        expect(tab.locator(".door-attendee-meta")).to_have_text(
            [
                f"{ann.code} · Seats: 3 · Confirmed",
                f"{wait.code} · Seats: 1 · On the waiting list",
                f"{gone.code} · Seats: 1 · Cancelled",
            ]
        )
        expect(tab.locator(".door-attendee-note")).to_have_text(
            ["On the waiting list: no seat", "Registration cancelled"]
        )
        buttons = tab.locator(".door-attendee button").evaluate_all("all => all.map(b => b.textContent)")
        note_colour = tab.locator(".door-attendee-cancelled .door-attendee-note").evaluate(
            "e => getComputedStyle(e).color"
        )
        chromium.close()

    assert cancelled_buttons == 0
    assert buttons == ["Check in Ann Peeters"]  # only the confirmed one can be checked in
    assert note_colour == "rgb(161, 26, 26)"  # --bad
    assert CheckIn.objects.count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_wrong_event_names_the_activity(live_server, event, make_event, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    here = make_event(title_en="Film night", capacity=10)
    ann = RegistrationFactory(event=event, name="Amina Diallo", seats=2)
    y4m = tmp_path / "other.y4m"
    write_y4m(y4m, qr_png(make_token(ann)))
    base = live_server.url

    with sync_playwright() as playwright:
        chromium = launch_with_camera(playwright, y4m)
        tab = chromium.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        log_in(tab, base, f"/en/door/{here.pk}/")
        result = tab.locator("#door-result")
        expect(result).to_have_attribute("data-result", "wrong_event", timeout=15_000)
        expect(result.locator(".door-result-title")).to_have_text("Ticket for another activity")
        expect(result.locator(".door-result-name")).to_have_text("Amina Diallo")
        expect(result.locator(".door-result-event")).to_have_text(
            "This ticket is for Building peace (Tuesday 21 October at 19:00)."
        )
        chromium.close()

    assert list(CheckIn.objects.values_list("event_id", "result")) == [(here.pk, "wrong_event")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_qr_held_after_green_does_not_flip_to_amber_for_6_s(live_server, event, tmp_path):
    """The fake camera shows the same ticket all the time, as a hand that keeps holding it."""
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    ann = RegistrationFactory(event=event, name="Amina Diallo", seats=2)
    y4m = tmp_path / "ticket.y4m"
    write_y4m(y4m, qr_png(make_token(ann)))
    base = live_server.url

    with sync_playwright() as playwright:
        chromium = launch_with_camera(playwright, y4m)
        tab = chromium.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        tab.goto(f"{base}/en/accounts/login/?next=/en/door/{event.pk}/")
        tab.get_by_label("Username").fill("door")
        tab.get_by_label("Password").fill(PASSWORD)
        # Recording starts with the scanner page, before its camera can read anything.
        tab.context.add_init_script(script=RECORD_RESULTS)
        tab.keyboard.press("Enter")
        result = tab.locator("#door-result")
        expect(result).to_have_attribute("data-result", "ok", timeout=15_000)
        # Still in front of the camera: read again only once its answer has long gone.
        expect(result).to_have_attribute("data-result", "already_checked_in", timeout=20_000)
        seen = tab.evaluate("() => window.doorResults")
        chromium.close()

    shown = [(name, at) for name, at in seen if name]
    assert [name for name, _at in shown] == ["ok", "already_checked_in"]  # green, (idle,) then amber
    assert [name for name, _at in seen].index("", 1) < len(seen) - 1  # green went before amber came
    (_green, green_at), (_amber, amber_at) = shown
    assert amber_at - green_at >= 6000
    assert list(CheckIn.objects.order_by("pk").values_list("result", flat=True)) == ["ok", "already_checked_in"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_door_opens_on_the_next_day_with_activities(live_server, current_edition):
    from playwright.sync_api import expect, sync_playwright

    DoorStaffFactory(username="door")
    day = today() + datetime.timedelta(days=3)
    EventFactory(edition=current_edition, title_en="Solidarity breakfast", starts_at=at(day, 9), capacity=20)
    base = live_server.url

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE, has_touch=True).new_page()
        log_in(tab, base, "/en/door/")
        expect(tab.get_by_role("status")).to_have_text(
            "No activity with registration today: here is the next day that has some."
        )
        expect(tab.get_by_role("heading", level=2)).to_have_text(f"{day:%A} {day.day} {day:%B %Y}")
        expect(tab.get_by_role("link", name="Solidarity breakfast")).to_be_visible()
        tab.get_by_role("link", name="Today", exact=True).click()
        expect(tab).to_have_url(f"{base}/en/door/?date={today():%Y-%m-%d}")
        expect(tab.get_by_text("No activity with registration on this day.")).to_be_visible()
        chromium.close()
