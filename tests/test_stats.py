"""The edition's statistics (SPEC section 5, "Statistics"): `GET /api/v1/editions/{slug}/stats/`,
organisers only, the numbers of a hand-computed fixture exactly, in a number of queries that does
not grow with events or registrations."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from programme.models import Event
from registrations import selectors, services
from tests.factories import DoorStaffFactory, EventFactory, UserFactory, brussels, register

pytestmark = pytest.mark.django_db

AFTER = brussels(2036, 11, 30, 12)  # every event of the fixture has ended
BEFORE = brussels(2036, 10, 1, 12)  # none has


@pytest.fixture
def fixture(current_edition, make_event, organiser):
    """A debate of 5 seats: 5 confirmed (2 + 2 + 1), 2 waiting (1 + 1), Ann's 2 checked in; a
    concert of 10 seats: a cancelled registration, 3 confirmed (2 + 1), Zoe's 2 checked in; a
    cancelled film with 1 confirmed; a draft (not counted)."""
    debate = make_event(capacity=5, max_seats_per_registration=2, title_en="Debate")
    concert = make_event(capacity=10, starts_at=brussels(2036, 10, 22, 20), title_en="Concert")
    film = make_event(capacity=4, starts_at=brussels(2036, 10, 23, 20), title_en="Film")
    EventFactory(edition=current_edition, status=Event.Status.DRAFT, capacity=9, title_en="Draft")
    ann = register(debate, "ann", 2)
    register(debate, "bob", 2)
    register(debate, "cat", 1)
    register(debate, "dan", 1)  # waiting
    register(debate, "eve", 1)  # waiting
    gone = register(concert, "fay", 1)
    services.registration_cancel(registration_id=gone.pk)
    zoe = register(concert, "zoe", 2)
    register(concert, "yan", 1)
    register(film, "xia", 1)
    film.status = Event.Status.CANCELLED
    film.save(update_fields=["status"])
    for registration, event in ((ann, debate), (zoe, concert)):
        services.checkin_manual(registration_id=registration.pk, event_id=event.pk, nonce=None, user=organiser)
    return {"debate": debate, "concert": concert, "film": film}


def _rows(stats):
    return [tuple(r[name] for name in ("title", "status", "capacity", *selectors.STAT_FIELDS)) for r in stats["events"]]


def test_numbers_match_the_hand_count_after_the_events(current_edition, fixture):
    with translation.override("en"):
        stats = selectors.edition_stats(current_edition, now=AFTER)

    assert _rows(stats) == [
        ("Debate", "published", 5, 5, 2, 2, 3),
        ("Concert", "published", 10, 3, 0, 2, 1),
        ("Film", "cancelled", 4, 1, 0, 0, 1),
    ]
    assert stats["totals"] == {
        "events": 2,
        "capacity": 15,
        "seats_taken": 8,
        "waitlisted_seats": 2,
        "checked_in_seats": 4,
        "no_show_seats": 4,
    }


def test_no_shows_only_once_an_event_has_ended(current_edition, fixture):
    stats = selectors.edition_stats(current_edition, now=BEFORE)

    assert [r["no_show_seats"] for r in stats["events"]] == [0, 0, 0]
    assert [r["ended"] for r in stats["events"]] == [False, False, False]


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("plain", 403), ("door", 403), ("member", 403), ("organiser", 200)]
)
def test_api_organisers_only(current_edition, fixture, organiser, member, who, status):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    users = {"plain": UserFactory(), "door": DoorStaffFactory(), "member": member, "organiser": organiser}
    if who in users:
        client.force_authenticate(users[who])

    response = client.get(f"/api/v1/editions/{current_edition.slug}/stats/")

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["edition"] == "2036"
        assert [(e["title"], e["seats_taken"], e["waitlisted_seats"]) for e in body["events"]] == [
            ("Debate", 5, 2),
            ("Concert", 3, 0),
            ("Film", 1, 0),
        ]
        assert body["totals"]["seats_taken"] == 8


def test_unknown_edition_404(organiser):
    client = APIClient()
    client.force_authenticate(organiser)

    assert client.get("/api/v1/editions/1999/stats/").status_code == 404


def test_query_count_does_not_grow(current_edition, organiser, django_assert_max_num_queries):
    from tests.factories import bulk_events

    events = bulk_events(200, edition=current_edition, capacity=50)
    for n, event in enumerate(events[:40]):
        register(event, f"person{n}")
    client = APIClient()
    client.force_authenticate(organiser)

    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/editions/{current_edition.slug}/stats/")

    assert len(response.json()["events"]) == 200
    assert response.json()["totals"]["seats_taken"] == 40
