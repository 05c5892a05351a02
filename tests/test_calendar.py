"""Programme calendar feeds: `/calendar/events/{id}.ics` and `/calendar/programme.ics`."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from programme import services
from programme.models import Event
from tests.factories import EditionFactory, EventFactory, VenueFactory, brussels, bulk_events

pytestmark = pytest.mark.django_db

HOST = "fortnight.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = f"https://{HOST}"


@pytest.fixture
def event(make_event, venue):
    return make_event(venue=venue, summary_en="Four speakers, one question.", ends_at=brussels(2036, 10, 21, 21, 30))


def vevents(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def uid(event: Event) -> str:
    return f"event-{event.pk}@{HOST}"


# --- One event --------------------------------------------------------------


def test_event_feed_headers(client, event):
    response = client.get(f"/calendar/events/{event.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'inline; filename="event-{event.pk}.ics"'


def test_event_feed_parses_with_exact_fields(client, event):
    response = client.get(f"/calendar/events/{event.pk}.ics", HTTP_ACCEPT_LANGUAGE="en")

    calendar = Calendar.from_ical(response.content)
    (component,) = calendar.walk("VEVENT")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//City of Brussels//Fortnight//EN"
    assert (
        str(component["UID"]),
        component["SEQUENCE"],
        str(component["SUMMARY"]),
        str(component["DESCRIPTION"]),
        str(component["LOCATION"]),
        str(component["URL"]),
        str(component["STATUS"]),
        component["CATEGORIES"].cats,
        (component["GEO"].latitude, component["GEO"].longitude),
    ) == (
        uid(event),
        0,
        "Building peace",
        "Four speakers, one question.",
        "Madeleine Hall, Rue Duquesnoy 14, 1000 Bruxelles",
        f"https://{HOST}/en/events/{event.pk}/",
        "CONFIRMED",
        ["Debate"],
        (50.845, 4.355),
    )


def test_event_feed_times_in_brussels_with_vtimezone(client, event):
    response = client.get(f"/calendar/events/{event.pk}.ics")

    calendar = Calendar.from_ical(response.content)
    (component,) = calendar.walk("VEVENT")
    assert (component["DTSTART"].params["TZID"], component["DTEND"].params["TZID"]) == (
        "Europe/Brussels",
        "Europe/Brussels",
    )
    assert (component.decoded("DTSTART"), component.decoded("DTEND")) == (
        brussels(2036, 10, 21, 19),
        brussels(2036, 10, 21, 21, 30),
    )
    assert component.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=2)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    body = response.content.decode()
    assert "DTSTART;TZID=Europe/Brussels:20361021T190000\r\n" in body
    assert "DTEND;TZID=Europe/Brussels:20361021T213000\r\n" in body


def test_event_feed_winter_time(client, current_edition):
    winter = EventFactory(
        edition=current_edition, starts_at=brussels(2036, 10, 28, 14), ends_at=brussels(2036, 10, 28, 17)
    )

    response = client.get(f"/calendar/events/{winter.pk}.ics")

    (component,) = vevents(response)
    assert "DTSTART;TZID=Europe/Brussels:20361028T140000\r\n" in response.content.decode()
    assert component.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)


def test_event_feed_sequence_is_event_sequence(client, event):
    Event.objects.filter(pk=event.pk).update(sequence=7)

    (component,) = vevents(client.get(f"/calendar/events/{event.pk}.ics"))

    assert component["SEQUENCE"] == 7


def test_event_feed_sequence_follows_changes(client, event):
    services.event_update(event=event, data={"starts_at": brussels(2036, 10, 21, 18)})

    response = client.get(f"/calendar/events/{event.pk}.ics")

    (component,) = vevents(response)
    assert (component["SEQUENCE"], component.decoded("DTSTART")) == (1, brussels(2036, 10, 21, 18))


def test_event_feed_uid_stable_across_changes(client, event):
    before = str(vevents(client.get(f"/calendar/events/{event.pk}.ics"))[0]["UID"])
    services.event_update(event=event, data={"title_en": "Peacebuilding", "venue": VenueFactory()})

    after = str(vevents(client.get(f"/calendar/events/{event.pk}.ics"))[0]["UID"])

    assert before == after == uid(event)


def test_event_feed_cancelled_status_cancelled(client, event):
    services.event_cancel(event=event)

    response = client.get(f"/calendar/events/{event.pk}.ics")

    assert response.status_code == 200
    (component,) = vevents(response)
    assert (str(component["STATUS"]), component["SEQUENCE"]) == ("CANCELLED", 1)
    assert "STATUS:CANCELLED\r\n" in response.content.decode()


def test_event_feed_draft_404(client, current_edition):
    draft = EventFactory(edition=current_edition, status=Event.Status.DRAFT)

    response = client.get(f"/calendar/events/{draft.pk}.ics")

    assert response.status_code == 404


def test_event_feed_unpublished_edition_404(client, current_edition):
    hidden = EventFactory(edition=EditionFactory(year=2037, slug="2037", is_published=False))

    response = client.get(f"/calendar/events/{hidden.pk}.ics")

    assert response.status_code == 404


def test_event_feed_unknown_404(client, current_edition):
    response = client.get("/calendar/events/999999.ics")

    assert response.status_code == 404


def test_event_feed_summary_in_language_asked(client, event):
    (component,) = vevents(client.get(f"/calendar/events/{event.pk}.ics", HTTP_ACCEPT_LANGUAGE="fr"))

    assert (str(component["SUMMARY"]), str(component["URL"]), component["CATEGORIES"].cats) == (
        "Construire la paix",
        f"https://{HOST}/fr/events/{event.pk}/",
        ["Débat"],
    )


def test_event_feed_no_summary_no_description(client, current_edition):
    plain = EventFactory(edition=current_edition, summary_en="", venue=VenueFactory(latitude=None, longitude=None))

    (component,) = vevents(client.get(f"/calendar/events/{plain.pk}.ics"))

    assert ("DESCRIPTION" in component, "GEO" in component) == (False, False)


def test_event_feed_queries_fixed(client, event, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(f"/calendar/events/{event.pk}.ics")

    assert response.status_code == 200


# --- The programme ----------------------------------------------------------


def test_programme_feed_current_edition_public_events(client, event, current_edition):
    later = EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 28, 20))
    cancelled = EventFactory(
        edition=current_edition, starts_at=brussels(2036, 10, 22, 20), status=Event.Status.CANCELLED
    )
    EventFactory(edition=current_edition, status=Event.Status.DRAFT)
    EventFactory(edition=EditionFactory(year=2035, slug="2035", is_published=True))

    response = client.get("/calendar/programme.ics", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="programme.ics"'
    calendar = Calendar.from_ical(response.content)
    assert [(str(c["UID"]), str(c["STATUS"])) for c in calendar.walk("VEVENT")] == [
        (uid(event), "CONFIRMED"),
        (uid(cancelled), "CANCELLED"),
        (uid(later), "CONFIRMED"),
    ]
    assert str(calendar["X-WR-CALNAME"]) == "Fortnight of International Solidarity"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Brussels"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_programme_feed_cancelled_event_keeps_sequence(client, event):
    services.event_update(event=event, data={"title_en": "Peacebuilding"})
    services.event_cancel(event=event)

    (component,) = vevents(client.get("/calendar/programme.ics"))

    assert (str(component["UID"]), str(component["STATUS"]), component["SEQUENCE"]) == (uid(event), "CANCELLED", 2)


def test_programme_feed_no_current_edition_empty(client):
    EventFactory(edition=EditionFactory(year=2035, slug="2035", is_published=True))

    response = client.get("/calendar/programme.ics")

    assert response.status_code == 200
    assert vevents(response) == []


def test_programme_feed_unpublished_current_edition_empty(client, event, current_edition):
    current_edition.is_published = False
    current_edition.save()

    response = client.get("/calendar/programme.ics")

    assert response.status_code == 200
    assert vevents(response) == []


def test_programme_feed_every_uid_unique(client, current_edition):
    bulk_events(20, edition=current_edition, venue_count=3)

    uids = [str(c["UID"]) for c in vevents(client.get("/calendar/programme.ics"))]

    assert len(uids) == len(set(uids)) == 20
    assert all(re.fullmatch(rf"event-\d+@{re.escape(HOST)}", value) for value in uids)


def _count_feed_queries(client) -> int:
    """Queries of a fresh answer (not one from the programme cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/calendar/programme.ics")
    assert response.status_code == 200
    return len(queries)


def test_programme_feed_queries_do_not_grow_with_events(client, current_edition, django_assert_max_num_queries):
    bulk_events(5, edition=current_edition)
    few = _count_feed_queries(client)
    bulk_events(495, edition=current_edition)

    with django_assert_max_num_queries(4):
        response = client.get("/calendar/programme.ics")

    assert len(vevents(response)) == 500
    assert _count_feed_queries(client) == few
