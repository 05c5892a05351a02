"""Every calendar feed (programme, event, ticket, personal) follows every change (issue 12).

Feeds are parsed with icalendar and with an independent parser (vobject) and compared; HTTP
validators (ETag, Last-Modified), 304, HEAD, languages; the personal feed's key, its privacy
and its replacement; query counts; the cache (Redis when REDIS_URL is set) and its outage.
"""

from __future__ import annotations

import datetime
import logging
import re
import time

import pytest
import vobject
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date
from icalendar import Calendar

from programme import services as programme_services
from programme.models import Event
from registrations import services
from registrations.models import CalendarFeed, Registration
from registrations.privacy import anonymise_registrations
from tests.factories import EditionFactory, EventFactory, RegistrationFactory, brussels, bulk_events
from tests.helpers import paths
from tests.test_outages import DEAD, redis_caches

pytestmark = pytest.mark.django_db

HOST = "fortnight.example.org"
SITE = f"https://{HOST}"
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def event(make_event, venue):
    return make_event(venue=venue, summary_en="Four speakers, one question.", capacity=10)


def utc(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def uid(event: Event) -> str:
    return f"event-{event.pk}@{HOST}"


def parsed(body: bytes) -> list[tuple]:
    """(UID, SUMMARY, start in UTC, end in UTC, STATUS, SEQUENCE) of each VEVENT, as icalendar and
    vobject both read them (they must agree)."""
    by_icalendar = [
        (
            str(c["UID"]),
            str(c["SUMMARY"]),
            c.decoded("DTSTART").astimezone(UTC),
            c.decoded("DTEND").astimezone(UTC),
            str(c["STATUS"]),
            int(c["SEQUENCE"]),
        )
        for c in Calendar.from_ical(body).walk("VEVENT")
    ]
    # vobject keeps the first VTIMEZONE it read per TZID for the process: forget it, so that each
    # feed is read with its own.
    vars(vobject.icalendar)["__tzidMap"].pop("Europe/Brussels", None)
    calendar = vobject.readOne(body.decode())
    by_vobject = [
        (
            v.uid.value,
            v.summary.value,
            v.dtstart.value.astimezone(UTC),
            v.dtend.value.astimezone(UTC),
            v.status.value,
            int(v.sequence.value),
        )
        for v in getattr(calendar, "vevent_list", [])
    ]
    assert by_icalendar == by_vobject
    return by_icalendar


def vevent(body: bytes, event: Event):
    (component,) = [c for c in Calendar.from_ical(body).walk("VEVENT") if str(c["UID"]) == uid(event)]
    return component


def personal_url(email: str) -> str:
    return reverse("calendar:personal", kwargs={"key": CalendarFeed.objects.get(email=email).key})


def open_mine(client, registration) -> str:
    response = client.get(paths(registration)["mine_url"])
    assert response.status_code == 200
    return response.content.decode()


def ticket_ics(registration) -> str:
    return paths(registration)["ics_url"]


# --- Every feed, two parsers ------------------------------------------------------------------


def test_every_feed_parses_alike_with_both_parsers_each_event_once(client, event, current_edition):
    later = EventFactory(
        edition=current_edition, title_en="Film night", starts_at=brussels(2036, 10, 28, 20),
        ends_at=brussels(2036, 10, 28, 22, 15),
    )  # fmt: skip
    cancelled = EventFactory(
        edition=current_edition, title_en="Walk", starts_at=brussels(2036, 10, 22, 10),
        ends_at=brussels(2036, 10, 22, 12), status=Event.Status.CANCELLED,
    )  # fmt: skip
    EventFactory(edition=current_edition, status=Event.Status.DRAFT)
    ann = RegistrationFactory(event=event, email="ann@example.org")
    RegistrationFactory(event=later, email="ann@example.org")
    open_mine(client, ann)
    first = (uid(event), "Building peace", utc(2036, 10, 21, 17), utc(2036, 10, 21, 19), "CONFIRMED", 0)
    film = (uid(later), "Film night", utc(2036, 10, 28, 19), utc(2036, 10, 28, 21, 15), "CONFIRMED", 0)
    walk = (uid(cancelled), "Walk", utc(2036, 10, 22, 8), utc(2036, 10, 22, 10), "CANCELLED", 0)

    feeds = {
        "/calendar/programme.ics": [first, walk, film],
        f"/calendar/events/{event.pk}.ics": [first],
        f"/calendar/events/{cancelled.pk}.ics": [walk],
        ticket_ics(ann): [first],
        personal_url("ann@example.org"): [first, film],
    }
    for url, expected in feeds.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert (url, response.status_code, response["Content-Type"]) == (url, 200, "text/calendar; charset=utf-8")
        assert (url, parsed(response.content)) == (url, expected)


def test_programme_feed_calendar_properties(client, event):
    response = client.get("/calendar/programme.ics", HTTP_ACCEPT_LANGUAGE="en")

    calendar = Calendar.from_ical(response.content)
    body = response.content.decode()
    assert (
        str(calendar["PRODID"]),
        str(calendar["VERSION"]),
        str(calendar["X-WR-CALNAME"]),
        str(calendar["NAME"]),
        str(calendar["X-WR-TIMEZONE"]),
        str(calendar["X-PUBLISHED-TTL"]),
    ) == (
        "-//City of Brussels//Fortnight//EN",
        "2.0",
        "Fortnight of International Solidarity",
        "Fortnight of International Solidarity",
        "Europe/Brussels",
        "PT1H",
    )
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert body.index("BEGIN:VTIMEZONE") < body.index("BEGIN:VEVENT")


def test_event_vevent_every_property(client, event):
    event.refresh_from_db()
    response = client.get(f"/calendar/events/{event.pk}.ics", HTTP_ACCEPT_LANGUAGE="en")

    component = vevent(response.content, event)
    assert (
        str(component["UID"]),
        component.decoded("DTSTAMP"),
        component.decoded("LAST-MODIFIED"),
        component["SEQUENCE"],
        component["DTSTART"].params["TZID"],
        str(component["SUMMARY"]),
        str(component["DESCRIPTION"]),
        str(component["LOCATION"]),
        (component["GEO"].latitude, component["GEO"].longitude),
        str(component["URL"]),
        component["CATEGORIES"].cats,
        str(component["STATUS"]),
    ) == (
        uid(event),
        event.updated_at.replace(microsecond=0),
        event.updated_at.replace(microsecond=0),
        0,
        "Europe/Brussels",
        "Building peace",
        "Four speakers, one question.",
        "Madeleine Hall, Rue Duquesnoy 14, 1000 Bruxelles",
        (50.845, 4.355),
        f"{SITE}/en/events/{event.pk}/",
        ["Debate"],
        "CONFIRMED",
    )


# --- The autumn change of time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "day"),
    [(2024, 27), (2025, 26)],
)
def test_autumn_dst_night_exact_utc_instants(client, year, day):
    edition = EditionFactory(
        year=year, slug=str(year), starts_on=datetime.date(year, 10, 20), ends_on=datetime.date(year, 11, 2),
        is_published=True,
    )  # fmt: skip
    # 02:30 on the night of the change is the first 02:30 (summer time, RFC 5545 section 3.3.5).
    night = EventFactory(
        edition=edition, title_en="Night", starts_at=brussels(year, 10, day, 2, 30),
        ends_at=brussels(year, 10, day, 4),
    )  # fmt: skip
    spanning = EventFactory(
        edition=edition, title_en="Spanning", starts_at=brussels(year, 10, day, 1, 30),
        ends_at=brussels(year, 10, day, 3, 30),
    )  # fmt: skip
    expected = [
        (uid(spanning), "Spanning", utc(year, 10, day - 1, 23, 30), utc(year, 10, day, 2, 30), "CONFIRMED", 0),
        (uid(night), "Night", utc(year, 10, day, 0, 30), utc(year, 10, day, 3), "CONFIRMED", 0),
    ]

    programme = client.get(f"/calendar/programme.ics?edition={year}", HTTP_ACCEPT_LANGUAGE="en")
    single = [client.get(f"/calendar/events/{e.pk}.ics", HTTP_ACCEPT_LANGUAGE="en") for e in (spanning, night)]

    assert parsed(programme.content) == expected
    assert [parsed(response.content)[0] for response in single] == expected
    body = programme.content.decode()
    assert f"DTSTART;TZID=Europe/Brussels:{year}10{day}T013000\r\n" in body
    assert f"DTEND;TZID=Europe/Brussels:{year}10{day}T033000\r\n" in body


# --- Changes ----------------------------------------------------------------------------------


def test_move_shows_new_time_same_uid_higher_sequence_in_every_feed(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    urls = ["/calendar/programme.ics", f"/calendar/events/{event.pk}.ics", ticket_ics(ann), personal_url(ann.email)]
    before = {url: client.get(url) for url in urls}

    programme_services.event_update(
        event=event, data={"starts_at": brussels(2036, 10, 23, 18), "ends_at": brussels(2036, 10, 23, 20)}
    )

    for url in urls:
        (old,) = parsed(before[url].content)
        conditional = client.get(url, HTTP_IF_NONE_MATCH=before[url]["ETag"])
        assert (url, conditional.status_code) == (url, 200)
        (new,) = parsed(conditional.content)
        assert (url, new[0], new[2], new[3], new[5]) == (
            url, old[0], utc(2036, 10, 23, 16), utc(2036, 10, 23, 18), old[5] + 1
        )  # fmt: skip


def next_second() -> None:
    time.sleep(1 - time.time() % 1 + 0.01)


def test_move_if_modified_since_before_change_200_in_every_feed(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    urls = feed_urls(client, ann)
    for url in urls:
        client.get(url)
    next_second()
    before = {url: client.get(url) for url in urls}
    for url in urls:
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=before[url]["Last-Modified"]).status_code == 304

    programme_services.event_update(
        event=event, data={"starts_at": brussels(2036, 10, 21, 18), "ends_at": brussels(2036, 10, 21, 20)}
    )

    for url in urls:
        after = client.get(url, HTTP_IF_MODIFIED_SINCE=before[url]["Last-Modified"])
        assert (url, after.status_code, parsed(after.content)[0][2]) == (url, 200, utc(2036, 10, 21, 16))


def test_promoted_registration_enters_the_personal_feed(client, current_edition):
    small = EventFactory(edition=current_edition, capacity=1, title_en="Small")
    cat = RegistrationFactory(event=small, email="cat@example.org")
    ann = RegistrationFactory(event=small, email="ann@example.org")
    assert ann.status == Registration.Status.WAITLISTED
    open_mine(client, ann)
    url = personal_url(ann.email)
    before = client.get(url)
    assert parsed(before.content) == []

    services.registration_cancel(registration_id=cat.pk)
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert [(row[0], row[4]) for row in parsed(after.content)] == [(uid(small), "CONFIRMED")]


def test_change_in_the_same_second_as_the_previous_answer_never_304(client, event):
    url = "/calendar/programme.ics"
    first = client.get(url)
    # Built in the second its body first appeared: no Last-Modified (a later change in the same
    # second would have the same one).
    assert "Last-Modified" not in first
    asked_at = http_date(time.time())

    programme_services.event_update(event=event, data={"title_en": "Peacebuilding"})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_MODIFIED_SINCE=asked_at)

    assert response.status_code == 200
    assert parsed(response.content)[0][1] == "Peacebuilding"


def test_if_none_match_wins_over_if_modified_since(client, event):
    url = f"/calendar/events/{event.pk}.ics"
    client.get(url)
    next_second()
    held = client.get(url)
    future = http_date(time.time() + 3600)

    assert client.get(url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=future).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=held["ETag"], HTTP_IF_MODIFIED_SINCE=future).status_code == 304


def test_cancel_event_status_cancelled_in_every_feed(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)

    programme_services.event_cancel(event=event)

    for url in [
        "/calendar/programme.ics",
        f"/calendar/events/{event.pk}.ics",
        ticket_ics(ann),
        personal_url(ann.email),
    ]:
        (row,) = parsed(client.get(url).content)
        assert (url, row[0], row[4], row[5]) == (url, uid(event), "CANCELLED", 1)


def test_cancelled_registration_personal_feed_cancelled_higher_sequence(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    url = personal_url(ann.email)
    before = client.get(url)

    services.registration_cancel(registration_id=ann.pk)
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert [(r[0], r[4], r[5]) for r in parsed(before.content)] == [(uid(event), "CONFIRMED", 0)]
    assert [(r[0], r[4], r[5]) for r in parsed(after.content)] == [(uid(event), "CANCELLED", 1)]
    # Registered again: live again, with a higher SEQUENCE still.
    RegistrationFactory(event=event, email="ann@example.org")
    assert [(r[4], r[5]) for r in parsed(client.get(url).content)] == [("CONFIRMED", 2)]


def test_unpublished_event_leaves_the_feeds(client, event, current_edition):
    other = EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 25, 19))
    before = client.get("/calendar/programme.ics")

    programme_services.event_update(event=other, data={"status": Event.Status.DRAFT})
    after = client.get("/calendar/programme.ics", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert [row[0] for row in parsed(after.content)] == [uid(event)]


def test_unpublished_edition_empties_the_feed_at_once(client, event, current_edition):
    before = client.get("/calendar/programme.ics")
    current_edition.is_published = False
    current_edition.save()

    after = client.get("/calendar/programme.ics", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert parsed(after.content) == []


# --- HTTP ---------------------------------------------------------------------------------------


def feed_urls(client, registration) -> list[str]:
    open_mine(client, registration)
    return [
        "/calendar/programme.ics",
        f"/calendar/events/{registration.event_id}.ics",
        ticket_ics(registration),
        personal_url(registration.email),
    ]


def test_304_exact_headers_and_empty_body(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    for url in feed_urls(client, ann):
        first = client.get(url)
        response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        private = "/my/" in url or "/tickets/" in url
        assert (url, response.status_code, response.content) == (url, 304, b"")
        assert (response["ETag"], response["Cache-Control"], response["Vary"]) == (
            first["ETag"],
            "private, no-cache" if private else "no-cache",
            "Accept-Language, Cookie" if "Cookie" in first["Vary"] else "Accept-Language",
        )
        assert "Content-Type" not in response and "Content-Disposition" not in response


def test_etag_is_strong_and_of_the_body(client, event):
    import hashlib

    response = client.get(f"/calendar/events/{event.pk}.ics")

    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'


def test_head_same_headers_no_body(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    for url in feed_urls(client, ann):
        get = client.get(url)
        head = client.head(url)
        assert (url, head.status_code, head.content) == (url, 200, b"")
        for name in ("Content-Type", "Content-Disposition", "ETag", "Cache-Control", "Content-Language"):
            assert (url, name, head[name]) == (url, name, get[name])
        assert head["Content-Length"] == str(len(get.content))


def test_content_disposition_inline_download_and_ticket(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    answers = {
        "/calendar/programme.ics": 'inline; filename="programme.ics"',
        "/calendar/programme.ics?download=1": 'attachment; filename="programme.ics"',
        f"/calendar/events/{event.pk}.ics?download=1": f'attachment; filename="event-{event.pk}.ics"',
        personal_url(ann.email): 'inline; filename="my-registrations.ics"',
        ticket_ics(ann): f'attachment; filename="ticket-{ann.code}.ics"',
    }
    assert {url: client.get(url)["Content-Disposition"] for url in answers} == answers


def test_ticket_file_names_the_code_and_links_the_ticket(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")

    response = client.get(ticket_ics(ann), HTTP_ACCEPT_LANGUAGE="en")

    component = vevent(response.content, event)
    assert (str(component["URL"]), str(component["DESCRIPTION"])) == (
        SITE + reverse("registrations:ticket", kwargs={"secret": paths(ann)["ticket_url"].split("/")[-2]}),
        f"Four speakers, one question.\n\nBooking code: {ann.code}",
    )


def test_lang_nl_query_and_accept_language(client, event):
    for response in (
        client.get("/calendar/programme.ics?lang=nl", HTTP_ACCEPT_LANGUAGE="fr"),
        client.get("/calendar/programme.ics", HTTP_ACCEPT_LANGUAGE="nl"),
    ):
        calendar = Calendar.from_ical(response.content)
        (component,) = calendar.walk("VEVENT")
        assert (
            str(calendar["X-WR-CALNAME"]),
            str(component["SUMMARY"]),
            str(component["URL"]),
            response["Content-Language"],
        ) == (
            "Veertiendaagse van de Internationale Solidariteit",
            "Vrede bouwen",
            f"{SITE}/nl/events/{event.pk}/",
            "nl",
        )


def test_lang_each_feed_french_english(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    for url in feed_urls(client, ann):
        titles = [parsed(client.get(f"{url}?lang={lang}").content)[0][1] for lang in ("fr", "en", "nl")]
        assert (url, titles) == (url, ["Construire la paix", "Building peace", "Vrede bouwen"])


def test_unknown_lang_400_translated(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    for url in feed_urls(client, ann):
        response = client.get(f"{url}?lang=xx", HTTP_ACCEPT_LANGUAGE="en")
        assert (url, response.status_code, response["Content-Type"], response.content.decode()) == (
            url,
            400,
            "text/plain; charset=utf-8",
            "Unknown language: ask for one of fr, nl, en.",
        )


def test_unknown_filter_400(client, event):
    response = client.get("/calendar/programme.ics?category=nope")

    assert response.status_code == 400


def test_post_405(client, event):
    assert client.post("/calendar/programme.ics").status_code == 405


# --- The personal feed ----------------------------------------------------------------------------


def test_personal_feed_made_on_first_view_of_mine_once(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    assert not CalendarFeed.objects.exists()

    html = open_mine(client, ann)
    open_mine(client, ann)

    (feed,) = CalendarFeed.objects.all()
    assert (feed.email, re.fullmatch(r"[A-Za-z0-9_-]{43}", feed.key) is not None) == ("ann@example.org", True)
    url = f"{HOST}/calendar/my/{feed.key}.ics"
    assert f'href="https://{url}"' in html
    assert f'href="webcal://{url}"' in html


def test_personal_feed_only_own_registrations_every_edition(client, event, current_edition):
    other_edition = EditionFactory(year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19), is_published=True)
    next_year = EventFactory(edition=other_edition, title_en="Next year", capacity=10)
    full = EventFactory(edition=current_edition, capacity=1, starts_at=brussels(2036, 10, 27, 19))
    bobs_only = EventFactory(edition=current_edition, capacity=5)
    RegistrationFactory(event=full, email="cat@example.org")
    waiting = RegistrationFactory(event=full, email="ann@example.org")
    assert waiting.status == Registration.Status.WAITLISTED
    ann = RegistrationFactory(event=event, email="ann@example.org", name="Ann Peeters")
    RegistrationFactory(event=next_year, email="ann@example.org")
    bob = RegistrationFactory(event=event, email="bob@example.org", name="Bob Secret")
    RegistrationFactory(event=bobs_only, email="bob@example.org", name="Bob Secret")
    open_mine(client, ann)

    body = client.get(personal_url(ann.email), HTTP_ACCEPT_LANGUAGE="en").content

    assert [row[0] for row in parsed(body)] == [uid(event), uid(next_year)]
    text = body.decode()
    assert ann.code in text
    for absent in ("Bob Secret", bob.code, "bob@example.org", "ann@example.org", "Ann Peeters", waiting.code):
        assert absent not in text


def test_personal_feed_bad_keys_404(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    key = CalendarFeed.objects.get().key
    guessed = ("A" if key[0] != "A" else "B") + key[1:]
    for bad in (guessed, key[:-1], key + "x", "not-a-key", "%2e%2e"):
        response = client.get(f"/calendar/my/{bad}.ics")
        assert (bad, response.status_code) == (bad, 404)


def test_personal_feed_key_never_logged(client, event, caplog):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    key = CalendarFeed.objects.get().key
    caplog.set_level(logging.DEBUG)

    client.get(f"/calendar/my/{key}.ics")
    client.get(f"/calendar/my/{key[:-2]}zz.ics")

    assert [r for r in caplog.records if key[:-2] in r.getMessage()] == []


def test_replace_key_old_404_new_200_page_shows_new_links(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    old = personal_url(ann.email)
    replace_url = reverse(
        "registrations:mine-calendar-replace", kwargs={"secret": paths(ann)["mine_url"].split("/")[-2]}
    )

    response = client.post(replace_url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    new = personal_url(ann.email)
    assert new != old
    assert (client.get(old).status_code, client.get(new).status_code) == (404, 200)
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{SITE}{new}"' in html and f'href="webcal://{HOST}{new}"' in html
    assert old not in html
    assert "Your calendar has a new address." in html


def test_replace_key_get_405_without_csrf_403(event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    client = Client(enforce_csrf_checks=True)
    open_mine(client, ann)
    key = CalendarFeed.objects.get().key
    replace_url = reverse(
        "registrations:mine-calendar-replace", kwargs={"secret": paths(ann)["mine_url"].split("/")[-2]}
    )

    assert client.get(replace_url).status_code == 405
    assert client.post(replace_url).status_code == 403
    assert CalendarFeed.objects.get().key == key


def test_replace_key_tampered_secret_404(client, event):
    RegistrationFactory(event=event, email="ann@example.org")

    assert client.post("/en/my/nope:nope/calendar/replace/").status_code == 404


def test_anonymised_address_feed_deleted_404(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    url = personal_url(ann.email)
    assert client.get(url).status_code == 200

    anonymise_registrations([ann.pk], now=datetime.datetime.now(UTC))

    assert (CalendarFeed.objects.count(), client.get(url).status_code) == (0, 404)


def test_mine_confirmed_rows_have_the_menu_cancelled_none(client, event, current_edition):
    other = EventFactory(edition=current_edition, capacity=5)
    ann = RegistrationFactory(event=event, email="ann@example.org")
    gone = RegistrationFactory(event=other, email="ann@example.org")
    services.registration_cancel(registration_id=gone.pk)

    html = open_mine(client, ann)

    assert html.count('<details class="calendar-menu">') == 1
    assert f'href="{SITE}{paths(ann)["ics_url"]}"' in html
    assert paths(gone)["ics_url"] not in html


# --- Query counts --------------------------------------------------------------------------------


#: Queries of a fresh answer: the programme feed the feeds' version, the current edition, its
#: events' ids and versions, the events whose VEVENT is not cached; the personal feed its key,
#: its registrations with their activities.
FEED_QUERIES = {"programme": 4, "personal": 2}


@pytest.mark.parametrize("kind", ["programme", "personal"])
def test_feed_queries_do_not_grow_with_events(client, current_edition, kind, django_assert_num_queries):
    from django.core.cache import cache

    def grow(count):
        for event in bulk_events(count, edition=current_edition, capacity=10):
            RegistrationFactory(event=event, email="ann@example.org")

    grow(5)
    open_mine(client, Registration.objects.filter(email="ann@example.org").first())
    url = "/calendar/programme.ics" if kind == "programme" else personal_url("ann@example.org")
    for count in (5, 50):
        if count == 50:
            grow(45)
        cache.clear()
        with django_assert_num_queries(FEED_QUERIES[kind]):
            response = client.get(url)
        assert (count, len(parsed(response.content))) == (count, count)


@pytest.mark.redis
def test_programme_feed_after_a_change_loads_the_changed_event_only(client, current_edition, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PROGRAMME_CACHE_SECONDS = 60
    events = bulk_events(20, edition=current_edition, capacity=10)
    before = parsed(client.get("/calendar/programme.ics").content)
    changed = events[7]
    changed.title_en = "Moved to the big hall"
    changed.sequence += 1
    changed.save()

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/calendar/programme.ics")  # French, as before the change
        english = client.get("/calendar/programme.ics?lang=en")  # none of its VEVENTs cached yet

    loads = [q["sql"] for q in queries.captured_queries if '"programme_event"."id" IN (' in q["sql"]]
    assert len(loads) == 2
    assert f'"programme_event"."id" IN ({changed.pk})' in loads[0]  # the changed event only
    assert loads[1].count(", ") - loads[0].count(", ") == 19  # English: all 20
    assert len(parsed(english.content)) == 20
    summaries = {uid: summary for uid, summary, *_rest in parsed(again.content)}
    assert summaries[f"event-{changed.pk}@{HOST}"] == changed.title_fr
    assert {uid: summary for uid, summary, *_rest in parsed(english.content)}[f"event-{changed.pk}@{HOST}"] == (
        "Moved to the big hall"
    )
    assert {uid for uid, *_rest in before} == set(summaries)
    uid = f"event-{changed.pk}@{HOST}"
    assert [row[5] for row in parsed(again.content) if row[0] == uid] == [row[5] + 1 for row in before if row[0] == uid]


def test_event_and_ticket_feeds_fixed_queries(client, event, django_assert_num_queries):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(2):  # the feeds' version, the event
        client.get(f"/calendar/events/{event.pk}.ics")
    with django_assert_num_queries(1):  # the registration with its event
        client.get(ticket_ics(ann))


# --- The cache ----------------------------------------------------------------------------------


@pytest.mark.redis
def test_redis_cache_move_invalidates_every_feed(client, event, settings):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    settings.PROGRAMME_CACHE_SECONDS = 60
    assert isinstance(caches["default"], RedisCache)
    ann = RegistrationFactory(event=event, email="ann@example.org")
    urls = feed_urls(client, ann)
    for url in urls:
        client.get(url)
    assert client.get(urls[0])["X-Programme-Cache"] == "hit"

    programme_services.event_update(
        event=event, data={"starts_at": brussels(2036, 10, 24, 9), "ends_at": brussels(2036, 10, 24, 11)}
    )

    for url in urls:
        assert (url, parsed(client.get(url).content)[0][2]) == (url, utc(2036, 10, 24, 7))


def test_cache_down_every_feed_200(client, event, settings):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    urls = ["/calendar/programme.ics", f"/calendar/events/{event.pk}.ics", ticket_ics(ann), personal_url(ann.email)]
    settings.CACHES = redis_caches(f"{DEAD}/150")

    for url in urls:
        response = client.get(url)
        assert (url, response.status_code, [row[0] for row in parsed(response.content)]) == (url, 200, [uid(event)])
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_replace_key_rate_limited_429_key_kept(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    ann = RegistrationFactory(event=event, email="ann@example.org")
    open_mine(client, ann)
    secret = paths(ann)["mine_url"].split("/")[-2]
    replace_url = reverse("registrations:mine-calendar-replace", kwargs={"secret": secret})

    statuses = [client.post(replace_url).status_code for _ in range(2)]
    key = CalendarFeed.objects.get().key
    refused = client.post(replace_url, HTTP_ACCEPT_LANGUAGE="en")

    assert (statuses, refused.status_code, CalendarFeed.objects.get().key) == ([302, 302], 429, key)
    html = refused.content.decode()
    assert '<p class="alert" role="alert">Too many requests from your address. Wait a minute and try again.</p>' in html
    assert f'href="{SITE}/calendar/my/{key}.ics"' in html


def test_mine_shows_the_feed_section_with_a_post_form(client, event):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    secret = paths(ann)["mine_url"].split("/")[-2]

    html = open_mine(client, ann)

    replace_url = reverse("registrations:mine-calendar-replace", kwargs={"secret": secret})
    assert re.search(
        rf'<form method="post" action="{re.escape(replace_url)}">\s*<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert '<h2 id="my-calendar-heading">' in html


def test_personal_feed_without_a_language_asked_in_the_registration_language(event):
    ann = services.registration_create(event_id=event.pk, name="Ann", email="ann@example.org", seats=1, language="nl")
    client = Client()
    open_mine(client, ann)
    client.cookies.clear()

    response = client.get(personal_url(ann.email))
    asked = client.get(personal_url(ann.email), HTTP_ACCEPT_LANGUAGE="en")

    assert (parsed(response.content)[0][1], response["Content-Language"]) == ("Vrede bouwen", "nl")
    assert (parsed(asked.content)[0][1], asked["Content-Language"]) == ("Building peace", "en")


# --- In Chromium, phone-sized --------------------------------------------------------------------

PHONE = {"width": 360, "height": 740}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_mine_calendar_on_a_phone_keyboard_replace(live_server, event):
    from playwright.sync_api import expect, sync_playwright

    from registrations.feeds import feed_for
    from tests.helpers import launch

    ann = RegistrationFactory(event=event, email="ann@example.org")
    old = feed_for(ann.email).key
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_context(locale="en", viewport=PHONE).new_page()
        tab.goto(live_server.url + paths(ann)["mine_url"])
        assert tab.get_by_role("link", name="Subscribe in my calendar app").get_attribute("href") == (
            f"webcal://{HOST}/calendar/my/{old}.ics"
        )
        # The row's menu opens from the keyboard.
        summary = tab.locator("details.calendar-menu summary")
        summary.focus()
        tab.keyboard.press("Enter")
        expect(tab.get_by_role("link", name="Download the .ics file")).to_be_visible()
        button = tab.get_by_role("button", name="Replace this address")
        button.focus()
        tab.keyboard.press("Enter")
        expect(tab.get_by_role("status").filter(has_text="Your calendar has a new address.")).to_be_visible()
        shown = tab.get_by_role("link", name="Calendar address (.ics)").get_attribute("href")
        scroll_width = tab.evaluate("() => document.documentElement.scrollWidth")
        chromium.close()

    new = CalendarFeed.objects.get().key
    assert new != old
    assert shown == f"{SITE}/calendar/my/{new}.ics"
    assert scroll_width == PHONE["width"]
    client = Client()
    assert (client.get(f"/calendar/my/{old}.ics").status_code, client.get(f"/calendar/my/{new}.ics").status_code) == (
        404,
        200,
    )


@pytest.mark.redis
def test_free_text_query_stores_nothing_and_has_no_last_modified(client, event):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    redis = backend._cache.get_client()
    client.get("/calendar/programme.ics")
    keys_before = set(redis.keys("*"))
    response = client.get("/calendar/programme.ics?q=peace")

    assert response.status_code == 200 and "Last-Modified" not in response
    assert client.get("/calendar/programme.ics?q=peace", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # Nothing kept for the free text: only the activities' own VEVENTs, which it shares with every feed.
    assert [key for key in set(redis.keys("*")) - keys_before if b"ics-vevent" not in key] == []


@pytest.mark.redis
def test_a_304_reads_the_validators_not_the_cached_body(client, event, settings):
    from django.core.cache import caches

    settings.PROGRAMME_CACHE_SECONDS = 60
    redis = caches["default"]._cache.get_client()
    first = client.get("/calendar/programme.ics")
    answers = list(redis.keys("*programme-answer*"))
    bodies = [key for key in answers if not key.endswith(b":validators")]
    assert len(bodies) == 1 and len(answers) == 2
    redis.delete(*bodies)

    repeat = client.get("/calendar/programme.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (repeat.status_code, repeat.content, repeat["ETag"]) == (304, b"", first["ETag"])
    assert repeat["Cache-Control"] == "no-cache"
    assert [key for key in redis.keys("*programme-answer*") if not key.endswith(b":validators")] == []
    # Another ETag (a body from before a change): the whole answer again.
    other = client.get("/calendar/programme.ics", HTTP_IF_NONE_MATCH='"0123"')
    assert (other.status_code, other["ETag"]) == (200, first["ETag"])


def test_seats_left_feed_follows_a_registration_opening_without_a_save(client, make_event):
    """`available=true` holds what one can register for now: when an activity's registration opens
    (the clock passing its opening time, no change saved), the feed holds it at once, and a
    calendar app holding the earlier feed gets the new one, not a 304."""
    from django.utils import timezone

    later = make_event(capacity=30, registration_opens_at=brussels(2036, 10, 9, 10))
    before = client.get("/calendar/programme.ics?available=true")
    assert [uid for uid, *_rest in parsed(before.content)] == []
    assert client.get("/calendar/programme.ics?available=true", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304

    Event.objects.filter(pk=later.pk).update(registration_opens_at=timezone.now())

    after = client.get("/calendar/programme.ics?available=true", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert [uid for uid, *_rest in parsed(after.content)] == [f"event-{later.pk}@{HOST}"]
