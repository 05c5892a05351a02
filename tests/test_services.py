"""Programme services (programme/services.py) and the constraints the database enforces."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programme import services
from programme.models import Edition, Event
from programme.selectors import current_edition as select_current_edition
from programme.selectors import public_events
from tests.factories import EditionFactory, EventFactory, VenueFactory, brussels, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_event):
    return make_event(capacity=50, seats_taken=4)


def stored(event: Event) -> Event:
    return Event.objects.get(pk=event.pk)


# --- event_create -----------------------------------------------------------


def test_event_create_saves_draft_sequence_0(current_edition):
    venue = VenueFactory()

    event = services.event_create(
        data={
            "edition": current_edition,
            "category": category("film"),
            "venue": venue,
            "title_en": "Screening",
            "starts_at": brussels(2036, 10, 23, 20),
            "ends_at": brussels(2036, 10, 23, 22),
        }
    )

    created = stored(event)
    assert (created.title_en, created.status, created.sequence, created.seats_taken, created.capacity) == (
        "Screening",
        "draft",
        0,
        0,
        None,
    )


def test_event_create_invalid_raises_nothing_saved(current_edition):
    with pytest.raises(ValidationError) as excinfo:
        services.event_create(
            data={
                "edition": current_edition,
                "category": category("film"),
                "venue": VenueFactory(),
                "title_en": "Screening",
                "starts_at": brussels(2036, 10, 23, 20),
                "ends_at": brussels(2036, 10, 23, 19),
            }
        )

    assert list(excinfo.value.message_dict) == ["__all__"]
    assert Event.objects.count() == 0


# --- event_update -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"title_fr": "Bâtir la paix"},
        {"title_nl": "Vrede opbouwen"},
        {"title_en": "Peacebuilding"},
        {"starts_at": brussels(2036, 10, 21, 18)},
        {"ends_at": brussels(2036, 10, 21, 22)},
        {"status": Event.Status.CANCELLED},
        {"status": Event.Status.DRAFT},
    ],
)
def test_event_update_calendar_field_bumps_sequence(event, data):
    updated = services.event_update(event=event, data=data)

    assert (updated.sequence, stored(event).sequence) == (1, 1)


def test_event_update_venue_bumps_sequence(event):
    services.event_update(event=event, data={"venue": VenueFactory()})

    assert stored(event).sequence == 1


@pytest.mark.parametrize(
    "data",
    [
        {"capacity": 80},
        {"capacity": None},
        {"summary_en": "Four speakers."},
        {"description_fr": "Quatre intervenants."},
        {"speaks_en": True},
        {"category": "concert"},
        {"waitlist_enabled": False},
        {"max_seats_per_registration": 2},
        {"registration_closes_at": brussels(2036, 10, 21, 12)},
        {"title_en": "Building peace"},
        {"starts_at": datetime.datetime(2036, 10, 21, 17, tzinfo=datetime.UTC)},
        {},
    ],
)
def test_event_update_other_field_keeps_sequence(event, data):
    if data.get("category"):
        data = {"category": category(data["category"])}

    updated = services.event_update(event=event, data=data)

    assert (updated.sequence, stored(event).sequence) == (0, 0)


def test_event_update_several_calendar_fields_bump_once(event):
    services.event_update(
        event=event,
        data={"title_en": "Peacebuilding", "venue": VenueFactory(), "starts_at": brussels(2036, 10, 21, 18)},
    )

    assert stored(event).sequence == 1


def test_event_update_each_change_bumps_again(event):
    services.event_update(event=event, data={"title_en": "Peacebuilding"})
    services.event_update(event=event, data={"capacity": 60})
    services.event_update(event=event, data={"ends_at": brussels(2036, 10, 21, 22)})

    assert (stored(event).sequence, stored(event).capacity) == (2, 60)


def test_event_update_stale_copy_keeps_seats_and_sequence(event):
    stale = stored(event)
    Event.objects.filter(pk=event.pk).update(seats_taken=20, sequence=5)

    services.event_update(event=stale, data={"title_en": "Peacebuilding"})

    assert (stored(event).seats_taken, stored(event).sequence, stored(event).title_en) == (20, 6, "Peacebuilding")


def test_event_update_invalid_raises_nothing_saved(event):
    with pytest.raises(ValidationError):
        services.event_update(event=event, data={"title_en": "Peacebuilding", "capacity": 3})

    assert (stored(event).title_en, stored(event).capacity, stored(event).sequence) == ("Building peace", 50, 0)


# --- event_publish / event_cancel -------------------------------------------


def test_event_publish_draft(current_edition):
    draft = EventFactory(edition=current_edition, status=Event.Status.DRAFT)

    services.event_publish(event=draft)

    assert (stored(draft).status, stored(draft).sequence) == ("published", 1)
    assert list(public_events()) == [draft]


def test_event_publish_published_changes_nothing(event, django_assert_num_queries):
    with django_assert_num_queries(0):
        services.event_publish(event=event)

    assert (stored(event).status, stored(event).sequence) == ("published", 0)


def test_event_cancel_cancels_and_bumps(event):
    cancelled = services.event_cancel(event=event)

    assert (cancelled.status, stored(event).status, stored(event).sequence) == ("cancelled", "cancelled", 1)
    assert list(public_events()) == []


def test_event_cancel_twice_changes_nothing_second_time(event, django_assert_num_queries):
    services.event_cancel(event=event)
    first = stored(event)

    with django_assert_num_queries(0):
        again = services.event_cancel(event=first)

    second = stored(event)
    assert (again.status, second.status, second.sequence, second.updated_at) == (
        "cancelled",
        "cancelled",
        1,
        first.updated_at,
    )


def test_event_cancel_keeps_seats_taken(event):
    services.event_cancel(event=event)

    assert stored(event).seats_taken == 4


# --- Constraints in the database --------------------------------------------


def _update_raises(**values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=values.pop("pk")).update(**values)


def test_db_event_ends_before_start_raises(event):
    _update_raises(pk=event.pk, ends_at=brussels(2036, 10, 21, 18))

    assert stored(event).ends_at == brussels(2036, 10, 21, 21)


def test_db_event_ends_at_start_raises(event):
    _update_raises(pk=event.pk, ends_at=brussels(2036, 10, 21, 19))


def test_db_event_seats_taken_over_capacity_raises(event):
    _update_raises(pk=event.pk, seats_taken=51)

    assert stored(event).seats_taken == 4


def test_db_event_seats_taken_equal_capacity_allowed(event):
    Event.objects.filter(pk=event.pk).update(seats_taken=50)

    assert stored(event).seats_left == 0


def test_db_event_capacity_below_seats_taken_raises(event):
    _update_raises(pk=event.pk, capacity=3)


def test_db_event_negative_capacity_raises(event):
    _update_raises(pk=event.pk, capacity=-1)


def test_db_event_max_seats_per_registration_0_raises(event):
    _update_raises(pk=event.pk, max_seats_per_registration=0)


def test_db_event_registration_closes_before_open_raises(event):
    _update_raises(
        pk=event.pk,
        registration_opens_at=brussels(2036, 10, 10),
        registration_closes_at=brussels(2036, 10, 9),
    )


def test_db_two_current_editions_raise(current_edition):
    other = EditionFactory(year=2035, slug="2035", is_current=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(pk=other.pk).update(is_current=True)

    assert list(Edition.objects.filter(is_current=True)) == [current_edition]
    assert select_current_edition() == current_edition


def test_db_several_editions_not_current_allowed(current_edition):
    EditionFactory(year=2034, slug="2034", is_current=False)
    EditionFactory(year=2035, slug="2035", is_current=False)

    assert Edition.objects.filter(is_current=False).count() == 2


def test_db_edition_ends_before_start_raises(current_edition):
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(pk=current_edition.pk).update(ends_on=datetime.date(2036, 10, 19))
