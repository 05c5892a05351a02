"""The organisers' dashboard (`/<lang>/backoffice/dashboard/`): the edition's statistics grouped
per day, category and venue and the events to look at, the numbers of a hand-computed fixture
exactly, organisers only, in a number of queries that does not grow with the events."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from programme.models import Event
from registrations import services
from registrations.dashboard import dashboard_stats
from tests.factories import DoorStaffFactory, EventFactory, VenueFactory, brussels, bulk_events, category, register

pytestmark = pytest.mark.django_db

#: Tuesday 21 October 2036, 17:00: the concert (14:00-16:00) has ended, the debate (19:00) not.
NOW = brussels(2036, 10, 21, 17)
SUMS = ("events", "capacity", "seats_taken", "waitlisted_seats", "checked_in_seats", "no_show_seats")


@pytest.fixture
def fixture(current_edition, make_event, organiser):
    """Hall A: a debate on the 21st at 19:00 of 4 seats, full (Ann 2 + Bob 2, Ann checked in), 3
    seats waiting (Cat 2 + Dan 1); a cancelled film on the 23rd (Ivy 1, not counted).
    Hall B: a concert on the 21st at 14:00 of 10 seats, ended: Eve 2 (checked in), Fay 1
    (cancelled), Gil 1, so 3 taken and 1 not come; a debate on the 22nd at 20:00 of 20 seats, Hal 1.
    A draft, not counted."""
    hall_a = VenueFactory(name_en="Hall A")
    hall_b = VenueFactory(name_en="Hall B")
    debate = make_event(title_en="Debate", venue=hall_a, capacity=4, max_seats_per_registration=2)
    concert = make_event(
        title_en="Concert",
        venue=hall_b,
        category=category("concert"),
        capacity=10,
        starts_at=brussels(2036, 10, 21, 14),
    )
    talk = make_event(title_en="Talk", venue=hall_b, capacity=20, starts_at=brussels(2036, 10, 22, 20))
    film = make_event(
        title_en="Film", venue=hall_a, category=category("film"), capacity=5, starts_at=brussels(2036, 10, 23, 20)
    )
    EventFactory(edition=current_edition, status=Event.Status.DRAFT, capacity=9, title_en="Draft")
    ann = register(debate, "ann", 2)
    register(debate, "bob", 2)
    register(debate, "cat", 2)  # waiting
    register(debate, "dan", 1)  # waiting
    eve = register(concert, "eve", 2)
    services.registration_cancel(registration_id=register(concert, "fay", 1).pk)
    register(concert, "gil", 1)
    register(talk, "hal", 1)
    register(film, "ivy", 1)
    film.status = Event.Status.CANCELLED
    film.save(update_fields=["status"])
    for registration, event in ((ann, debate), (eve, concert)):
        services.checkin_manual(registration_id=registration.pk, event_id=event.pk, nonce=None, user=organiser)
    return {"debate": debate, "concert": concert, "talk": talk, "film": film}


@pytest.fixture
def stats(current_edition, fixture):
    with translation.override("en"):
        return dashboard_stats(current_edition, now=NOW)


def _sums(groups):
    return [(group["label"], *(group[name] for name in SUMS)) for group in groups]


def _titles(rows):
    return [row["title"] for row in rows]


def test_totals_and_events_with_their_fill_rate(stats):
    assert stats["totals"] == {
        "events": 3,
        "capacity": 34,
        "seats_taken": 8,
        "waitlisted_seats": 3,
        "checked_in_seats": 4,
        "no_show_seats": 1,
    }
    assert [(r["title"], r["category"], r["venue"], r["fill"], r["percent"]) for r in stats["events"]] == [
        ("Concert", "Concert", "Hall B", 0.3, 30),
        ("Debate", "Debate", "Hall A", 1.0, 100),
        ("Talk", "Debate", "Hall B", 0.05, 5),
        ("Film", "Film", "Hall A", 0.2, 20),
    ]


def test_per_day(stats):
    import datetime

    assert _sums(stats["days"]) == [
        (datetime.date(2036, 10, 21), 2, 14, 7, 3, 4, 1),
        (datetime.date(2036, 10, 22), 1, 20, 1, 0, 0, 0),
    ]


def test_per_category(stats):
    assert _sums(stats["categories"]) == [("Concert", 1, 10, 3, 0, 2, 1), ("Debate", 2, 24, 5, 3, 2, 0)]
    assert [group["percent"] for group in stats["categories"]] == [30, 21]


def test_per_venue(stats):
    assert _sums(stats["venues"]) == [("Hall B", 2, 30, 4, 0, 2, 1), ("Hall A", 1, 4, 4, 3, 2, 0)]


def test_the_events_to_look_at(stats):
    assert _titles(stats["nearly_full"]) == ["Debate"]
    assert _titles(stats["second_session"]) == ["Debate"]
    assert _titles(stats["few_soon"]) == ["Talk"]


def test_the_events_to_look_at_later(current_edition, fixture):
    """The 22nd at 21:00: the debate has ended (no longer nearly full), the talk started."""
    stats = dashboard_stats(current_edition, now=brussels(2036, 10, 22, 21))

    assert stats["nearly_full"] == []
    assert [row["id"] for row in stats["second_session"]] == [fixture["debate"].pk]
    assert stats["few_soon"] == []


def test_the_charts_have_a_bar_per_day_and_per_category(stats):
    """The 21st: 7 of 14 seats; the 22nd: 1 of 20. Concerts 3 of 10, debates 5 of 24."""
    bars = [(bar["label"], bar["percent"], bar["width"], bar["full"]) for bar in stats["day_chart"]["bars"]]
    assert bars == [("Tue 21 Oct", 50, 240.0, False), ("Wed 22 Oct", 5, 24.0, False)]
    bars = [(bar["label"], bar["percent"], bar["width"], bar["full"]) for bar in stats["category_chart"]["bars"]]
    assert bars == [("Concert", 30, 144.0, False), ("Debate", 21, 100.0, False)]


def test_page_for_an_organiser(client, fixture, organiser):
    client.force_login(organiser)

    response = client.get("/en/backoffice/dashboard/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<svg class="fill-chart" role="img" aria-labelledby="days-chart-title"' in body
    assert '<svg class="fill-chart" role="img" aria-labelledby="categories-chart-title"' in body
    assert "Hall B" in body
    assert '<td class="num" data-label="Seats taken">7</td>' in body  # the 21st
    assert '<a class="button" href="/en/backoffice/dashboard/activities/">' in body
    assert "style=" not in body and "<script" not in body.split("</main>")[0].split("<main")[-1]
    assert 'aria-current="page">Dashboard</a>' in body


def test_page_without_a_current_edition(client, organiser):
    client.force_login(organiser)

    response = client.get("/en/backoffice/dashboard/")

    assert response.status_code == 200
    assert "No edition is the current one yet" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "door", "member"])
def test_page_for_organisers_only(client, current_edition, member, who):
    users = {"door": DoorStaffFactory(), "member": member}
    if who in users:
        client.force_login(users[who])

    response = client.get("/en/backoffice/dashboard/")

    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")
    else:
        assert response.status_code == 403


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/en/backoffice/dashboard/", "/en/backoffice/dashboard/activities/"])
def test_query_count_does_not_grow(client, current_edition, organiser, path):
    client.force_login(organiser)
    events = bulk_events(3, edition=current_edition, venue_count=3, capacity=50)
    register(events[0], "ann")
    few = _queries(client, path)

    more = bulk_events(27, edition=current_edition, venue_count=9, capacity=50)
    for n, event in enumerate(more):
        register(event, f"person{n}")

    assert _queries(client, path) == few


def test_registrations_over_time_per_brussels_day(client, current_edition, make_event, organiser):
    """Ann (2 seats) on 1 October at 10:00, Bob (1) at 23:30 the same evening (22:30 UTC: still the
    1st in Brussels), Cat (3) on the 3rd, who cancels on the 4th. The 2nd is a row without change."""
    from registrations.dashboard import over_time
    from registrations.models import Registration

    event = make_event(capacity=20)
    for who, seats, at in (
        ("ann", 2, brussels(2036, 10, 1, 10)),
        ("bob", 1, brussels(2036, 10, 1, 23, 30)),
        ("cat", 3, brussels(2036, 10, 3, 9)),
    ):
        Registration.objects.filter(pk=register(event, who, seats).pk).update(created_at=at)
    cat = Registration.objects.get(email="cat@example.org")
    services.registration_cancel(registration_id=cat.pk, now=brussels(2036, 10, 4, 0, 30))

    rows = over_time(current_edition)

    assert [(r["day"].isoformat(), r["made"], r["seats"], r["cancelled"], r["freed"], r["held"]) for r in rows] == [
        ("2036-10-01", 2, 3, 0, 0, 3),
        ("2036-10-02", 0, 0, 0, 0, 3),
        ("2036-10-03", 1, 3, 0, 0, 6),
        ("2036-10-04", 0, 0, 1, 3, 3),
    ]
    client.force_login(organiser)
    body = client.get("/en/backoffice/dashboard/").content.decode()
    assert body.count('class="time-chart-bar"') == 4
    assert "Highest: 6 seats" in body
    assert '<td class="num" data-label="Seats held at the end of the day">6</td>' in body


def test_the_stats_api_gives_the_dashboards_numbers(current_edition, fixture, organiser_client):
    """The same edition_stats behind both: every event's numbers and the totals are equal."""
    from django.utils import timezone

    with translation.override("en"):
        page = dashboard_stats(current_edition, now=timezone.now())

    api = organiser_client.get(f"/api/v1/editions/{current_edition.slug}/stats/", HTTP_ACCEPT_LANGUAGE="en").json()

    fields = ("id", "title", "capacity", *SUMS[2:])
    assert [tuple(e[f] for f in fields) for e in api["events"]] == [
        tuple(row[f] for f in fields) for row in page["events"]
    ]
    assert api["totals"] == page["totals"]
    assert [e["id"] for e in api["events"]] == [fixture[n].pk for n in ("concert", "debate", "talk", "film")]


def test_each_list_to_look_at_shows_its_first_20(client, current_edition, organiser):
    from registrations.dashboard import ALERT_ROWS

    events = bulk_events(25, edition=current_edition, venue_count=5, capacity=1)
    for n, event in enumerate(events):
        register(event, f"person{n}")
    client.force_login(organiser)

    body = client.get("/en/backoffice/dashboard/").content.decode()

    nearly_full = body.split('id="alert-nearly-full-heading"')[1].split("<h3")[0]
    assert ALERT_ROWS == 20
    assert nearly_full.count("<tr>") == 1 + 20  # the header row and 20 activities
    assert "And 5 more: every activity is on the page “Every activity”." in nearly_full


def test_every_activity_page(client, fixture, organiser):
    client.force_login(organiser)

    body = client.get("/en/backoffice/dashboard/activities/").content.decode()

    rows = re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>', body)
    assert rows == ["Concert", "Debate", "Talk", "Film"]
    assert 'value="100" aria-hidden="true"></meter> 100 %' in body  # the debate, full
    assert body.count('<td class="num" data-label="Seats waiting">3</td>') == 1  # the debate's waiting list


@pytest.mark.parametrize("who", ["anonymous", "door", "member"])
def test_every_activity_page_for_organisers_only(client, current_edition, member, who):
    users = {"door": DoorStaffFactory(), "member": member}
    if who in users:
        client.force_login(users[who])

    response = client.get("/en/backoffice/dashboard/activities/")

    assert response.status_code == (302 if who == "anonymous" else 403)
