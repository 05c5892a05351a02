"""Registration services: taking seats, the waiting list and its group rule, cancelling,
booking codes, and the seat counter kept on the event row (SPEC sections 1 and 6)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from programme import services as programme_services
from programme.models import Event
from registrations import services
from registrations.models import CODE_ALPHABET, Registration
from registrations.services import RegistrationError, SeatsError
from tests.factories import EditionFactory, EventFactory, RegistrationFactory, brussels, register
from tests.helpers import assert_counter_true

pytestmark = pytest.mark.django_db

CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED


@pytest.fixture
def event(make_event):
    return make_event(capacity=4, max_seats_per_registration=4)


def rows(event: Event) -> list[tuple[str, int, str]]:
    """(name, seats, status) of every registration of the event, in arrival order."""
    return list(Registration.objects.filter(event=event).order_by("pk").values_list("name", "seats", "status"))


# --- Taking seats -------------------------------------------------------------


def test_create_confirmed_while_seats_fit(event):
    first = register(event, "ann", seats=3)
    second = register(event, "bob", seats=1)
    assert (first.status, second.status) == (CONFIRMED, CONFIRMED)
    assert first.confirmed_at is not None and second.confirmed_at is not None
    assert rows(event) == [("Ann", 3, CONFIRMED), ("Bob", 1, CONFIRMED)]
    event.refresh_from_db()
    assert (event.seats_taken, event.seats_left) == (4, 0)
    assert_counter_true(event)


def test_create_waitlisted_when_full(event):
    register(event, "ann", seats=4)
    waiting = register(event, "bob", seats=1)
    assert waiting.status == WAITLISTED
    assert waiting.confirmed_at is None
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 1, WAITLISTED)]
    assert_counter_true(event)


def test_create_waitlisted_when_group_does_not_fit(event):
    register(event, "ann", seats=3)
    assert register(event, "bob", seats=2).status == WAITLISTED
    event.refresh_from_db()
    assert event.seats_taken == 3
    assert_counter_true(event)


def test_create_newcomer_who_fits_goes_in_while_larger_group_waits(event):
    register(event, "ann", seats=3)
    register(event, "bob", seats=2)  # waits: 1 seat left
    assert register(event, "cat", seats=1).status == CONFIRMED
    assert rows(event) == [("Ann", 3, CONFIRMED), ("Bob", 2, WAITLISTED), ("Cat", 1, CONFIRMED)]
    assert_counter_true(event)


def test_create_waitlist_off_full_event_full(event):
    Event.objects.filter(pk=event.pk).update(waitlist_enabled=False)
    register(event, "ann", seats=4)
    with pytest.raises(RegistrationError) as error:
        register(event, "bob")
    assert error.value.code == "event_full"
    assert rows(event) == [("Ann", 4, CONFIRMED)]
    assert_counter_true(event)


def test_create_waitlist_limit_counts_seats(event):
    Event.objects.filter(pk=event.pk).update(waitlist_limit=3)
    register(event, "ann", seats=4)
    register(event, "bob", seats=2)
    register(event, "cat", seats=1)  # 3 seats waiting: the limit, reached
    with pytest.raises(RegistrationError) as error:
        register(event, "dan", seats=1)
    assert error.value.code == "waitlist_full"
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 2, WAITLISTED), ("Cat", 1, WAITLISTED)]
    assert_counter_true(event)


def test_create_waitlist_limit_group_larger_than_room_left(event):
    Event.objects.filter(pk=event.pk).update(waitlist_limit=3)
    register(event, "ann", seats=4)
    register(event, "bob", seats=2)
    with pytest.raises(RegistrationError) as error:
        register(event, "cat", seats=2)
    assert error.value.code == "waitlist_full"
    assert register(event, "dan", seats=1).status == WAITLISTED


def test_create_waitlist_limit_ignores_cancelled_waiting(event):
    Event.objects.filter(pk=event.pk).update(waitlist_limit=1)
    register(event, "ann", seats=4)
    bob = register(event, "bob", seats=1)
    services.registration_cancel(registration_id=bob.pk)
    assert register(event, "cat", seats=1).status == WAITLISTED


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"registration_closes_at": brussels(2036, 10, 1)}, "registration_closed"),
        ({"registration_opens_at": brussels(2036, 10, 20)}, "registration_not_open"),
        ({"status": Event.Status.CANCELLED}, "event_cancelled"),
        ({"status": Event.Status.DRAFT}, "event_not_found"),
        ({"capacity": None}, "registration_not_required"),
    ],
)
def test_create_impossible_error_code(event, changes, code):
    Event.objects.filter(pk=event.pk).update(**changes)
    with pytest.raises(RegistrationError) as error:
        register(event, "ann", now=brussels(2036, 10, 10, 12))
    assert error.value.code == code
    assert Registration.objects.count() == 0
    event.refresh_from_db()
    assert event.seats_taken == 0


def test_create_message_translated(event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(RegistrationError) as error:
        register(event, "ann")
    with translation.override("en"):
        assert str(error.value.message) == "This activity has been cancelled."


def test_create_past_event_event_past(event):
    for now in (brussels(2036, 10, 21, 19), brussels(2036, 10, 22, 9)):
        with pytest.raises(RegistrationError) as error:
            register(event, "ann", now=now)
        assert error.value.code == "event_past"
    assert Registration.objects.count() == 0


def test_create_until_just_before_start(event):
    assert register(event, "ann", now=brussels(2036, 10, 21, 18, 59)).status == CONFIRMED


def test_create_registration_window_edges(event):
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=brussels(2036, 10, 1, 10), registration_closes_at=brussels(2036, 10, 20, 12)
    )
    with pytest.raises(RegistrationError) as error:
        register(event, "ann", now=brussels(2036, 10, 1, 9, 59))
    assert error.value.code == "registration_not_open"
    assert register(event, "bob", now=brussels(2036, 10, 1, 10)).status == CONFIRMED
    with pytest.raises(RegistrationError) as error:
        register(event, "cat", now=brussels(2036, 10, 20, 12))
    assert error.value.code == "registration_closed"


def test_create_unpublished_edition_event_not_found(event):
    event.edition.is_published = False
    event.edition.save()
    with pytest.raises(RegistrationError) as error:
        register(event, "ann")
    assert error.value.code == "event_not_found"


def test_create_cancelled_event_of_unpublished_edition_event_not_found(event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.edition.is_published = False
    event.edition.save()
    with pytest.raises(RegistrationError) as error:
        register(event, "ann")
    assert error.value.code == "event_not_found"


def test_create_unknown_event_event_not_found(db):
    with pytest.raises(RegistrationError) as error:
        services.registration_create(event_id=987654, name="Ann", email="ann@example.org", seats=1, language="fr")
    assert error.value.code == "event_not_found"


@pytest.mark.parametrize("seats", [0, -1, 5, 51])
def test_create_seats_out_of_range_seats_error(event, seats):
    with pytest.raises(SeatsError) as error:
        register(event, "ann", seats=seats)
    assert error.value.maximum == 4
    assert Registration.objects.count() == 0


def test_create_more_seats_than_capacity_too_many_seats(current_edition):
    event = EventFactory(edition=current_edition, capacity=2, max_seats_per_registration=4)
    with pytest.raises(RegistrationError) as error:
        register(event, "ann", seats=3)
    assert error.value.code == "too_many_seats"
    assert Registration.objects.count() == 0


def test_create_strips_name_and_lowercases_email(event):
    registration = services.registration_create(
        event_id=event.pk, name="  Ann Peeters ", email=" Ann.Peeters@X.org ", seats=1, language="nl"
    )
    registration.refresh_from_db()
    assert (registration.name, registration.email, registration.language) == ("Ann Peeters", "ann.peeters@x.org", "nl")


def test_create_same_email_any_case_already_registered(event):
    services.registration_create(event_id=event.pk, name="Ann", email="Ann@X.org", seats=1, language="fr")
    with pytest.raises(RegistrationError) as error:
        services.registration_create(event_id=event.pk, name="Ann", email="ann@x.org", seats=1, language="fr")
    assert error.value.code == "already_registered"
    assert rows(event) == [("Ann", 1, CONFIRMED)]
    assert_counter_true(event)


def test_create_same_email_while_waitlisted_already_registered(event):
    register(event, "bob", seats=4)
    register(event, "ann")
    with pytest.raises(RegistrationError) as error:
        register(event, "ann")
    assert error.value.code == "already_registered"


def test_create_same_email_other_event_allowed(event, current_edition):
    other = EventFactory(edition=current_edition, capacity=10)
    register(event, "ann")
    assert register(other, "ann").status == CONFIRMED


def test_create_same_email_again_after_cancelling(event):
    first = register(event, "ann", seats=2)
    services.registration_cancel(registration_id=first.pk)
    again = register(event, "ann", seats=3)
    assert again.status == CONFIRMED
    assert rows(event) == [("Ann", 2, CANCELLED), ("Ann", 3, CONFIRMED)]
    assert_counter_true(event)


# --- Booking codes ------------------------------------------------------------------


def test_create_codes_unambiguous_and_unique(current_edition):
    event = EventFactory(edition=current_edition, capacity=200)
    codes = [register(event, f"person{n}").code for n in range(150)]
    assert len(set(codes)) == 150
    pattern = re.compile(f"[{CODE_ALPHABET}]{{8}}")
    assert all(pattern.fullmatch(code) for code in codes)
    assert set("".join(codes)) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_create_code_collision_draws_again(event, monkeypatch):
    taken = register(event, "ann").code
    drawn = iter([taken, taken, "ZZZZ2222"])
    monkeypatch.setattr(services, "_new_code", lambda: next(drawn))
    registration = register(event, "bob")
    assert registration.code == "ZZZZ2222"
    assert rows(event) == [("Ann", 1, CONFIRMED), ("Bob", 1, CONFIRMED)]
    assert_counter_true(event)


# --- Cancelling and the waiting list -----------------------------------------


def test_cancel_frees_seats_and_promotes_in_arrival_order(event):
    ann = register(event, "ann", seats=4)
    register(event, "bob", seats=2)
    register(event, "cat", seats=1)
    register(event, "dan", seats=1)
    cancelled = services.registration_cancel(registration_id=ann.pk)
    assert cancelled.status == CANCELLED
    assert cancelled.cancelled_by == Registration.CancelledBy.ATTENDEE
    assert rows(event) == [("Ann", 4, CANCELLED), ("Bob", 2, CONFIRMED), ("Cat", 1, CONFIRMED), ("Dan", 1, CONFIRMED)]
    event.refresh_from_db()
    assert event.seats_taken == 4
    assert_counter_true(event)


def test_cancel_promotes_only_as_many_as_fit(event):
    ann = register(event, "ann", seats=2)
    register(event, "bob", seats=2)
    register(event, "cat", seats=1)
    register(event, "dan", seats=1)
    register(event, "eve", seats=1)
    services.registration_cancel(registration_id=ann.pk)
    assert rows(event) == [
        ("Ann", 2, CANCELLED),
        ("Bob", 2, CONFIRMED),
        ("Cat", 1, CONFIRMED),
        ("Dan", 1, CONFIRMED),
        ("Eve", 1, WAITLISTED),
    ]
    assert_counter_true(event)


def test_cancel_group_rule_larger_group_keeps_its_place(event):
    ann = register(event, "ann", seats=1)
    bob = register(event, "bob", seats=3)
    register(event, "cat", seats=3)  # waits: 0 left
    register(event, "dan", seats=1)  # waits
    # One seat frees: the group of 3 does not fit and keeps its place; Dan, behind it, fits.
    services.registration_cancel(registration_id=ann.pk)
    assert rows(event) == [("Ann", 1, CANCELLED), ("Bob", 3, CONFIRMED), ("Cat", 3, WAITLISTED), ("Dan", 1, CONFIRMED)]
    assert_counter_true(event)
    # Three seats free: the group of 3, first in line, goes in.
    services.registration_cancel(registration_id=bob.pk)
    assert rows(event) == [("Ann", 1, CANCELLED), ("Bob", 3, CANCELLED), ("Cat", 3, CONFIRMED), ("Dan", 1, CONFIRMED)]
    event.refresh_from_db()
    assert event.seats_taken == 4
    assert_counter_true(event)


def test_cancel_group_first_in_line_goes_before_later_small_ones(event):
    ann = register(event, "ann", seats=3)
    register(event, "bob", seats=1)
    register(event, "cat", seats=3)  # waits
    register(event, "dan", seats=1)  # waits
    services.registration_cancel(registration_id=ann.pk)
    # 3 free: Cat (3, first in line) takes them; Dan keeps waiting.
    assert rows(event) == [("Ann", 3, CANCELLED), ("Bob", 1, CONFIRMED), ("Cat", 3, CONFIRMED), ("Dan", 1, WAITLISTED)]
    assert_counter_true(event)


def test_cancel_waitlisted_frees_nothing(event):
    register(event, "ann", seats=4)
    bob = register(event, "bob", seats=1)
    services.registration_cancel(registration_id=bob.pk)
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 1, CANCELLED)]
    event.refresh_from_db()
    assert event.seats_taken == 4
    assert_counter_true(event)


def test_cancel_twice_changes_nothing(event):
    ann = register(event, "ann", seats=2)
    register(event, "bob", seats=2)
    register(event, "cat", seats=3)  # waits, and does not fit in the 2 seats Ann frees
    first = services.registration_cancel(registration_id=ann.pk, now=brussels(2036, 10, 10, 12))
    second = services.registration_cancel(
        registration_id=ann.pk, by=Registration.CancelledBy.ORGANISER, now=brussels(2036, 10, 11, 12)
    )
    ann.refresh_from_db()
    assert first.cancelled_at == second.cancelled_at == ann.cancelled_at == brussels(2036, 10, 10, 12)
    assert ann.cancelled_by == Registration.CancelledBy.ATTENDEE
    # Freed once: had the second call freed Ann's seats again, Cat would be in.
    assert rows(event) == [("Ann", 2, CANCELLED), ("Bob", 2, CONFIRMED), ("Cat", 3, WAITLISTED)]
    event.refresh_from_db()
    assert event.seats_taken == 2
    assert_counter_true(event)


def test_cancel_by_organiser_recorded(event):
    ann = register(event, "ann")
    services.registration_cancel(registration_id=ann.pk, by=Registration.CancelledBy.ORGANISER)
    ann.refresh_from_db()
    assert (ann.status, ann.cancelled_by) == (CANCELLED, Registration.CancelledBy.ORGANISER)


def test_cancel_checked_in_already_checked_in(event):
    ann = register(event, "ann", seats=2)
    result = services.checkin_manual(registration_id=ann.pk, event_id=event.pk, nonce=None, user=None)
    assert result.result == "ok"
    with pytest.raises(RegistrationError) as error:
        services.registration_cancel(registration_id=ann.pk)
    assert error.value.code == "already_checked_in"
    ann.refresh_from_db()
    assert (ann.status, ann.cancelled_at) == (CONFIRMED, None)
    event.refresh_from_db()
    assert event.seats_taken == 2
    assert_counter_true(event)


def test_cancel_on_cancelled_event_promotes_nobody(event):
    ann = register(event, "ann", seats=4)
    register(event, "bob", seats=1)
    programme_services.event_cancel(event=event)
    services.registration_cancel(registration_id=ann.pk)
    assert rows(event) == [("Ann", 4, CANCELLED), ("Bob", 1, WAITLISTED)]
    assert_counter_true(event)
    # Published again: the free seats go to the waiting list.
    programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"status": Event.Status.PUBLISHED})
    assert rows(event) == [("Ann", 4, CANCELLED), ("Bob", 1, CONFIRMED)]
    assert_counter_true(event)


def test_cancel_by_attendee_once_started_event_past(event):
    ann = register(event, "ann", seats=4)
    with pytest.raises(RegistrationError) as error:
        services.registration_cancel(registration_id=ann.pk, now=brussels(2036, 10, 21, 19))
    assert error.value.code == "event_past"
    ann.refresh_from_db()
    assert ann.status == CONFIRMED
    assert_counter_true(event)


def test_cancel_by_organiser_once_started_promotes_nobody(event):
    ann = register(event, "ann", seats=4)
    register(event, "bob", seats=1)
    services.registration_cancel(
        registration_id=ann.pk, by=Registration.CancelledBy.ORGANISER, now=brussels(2036, 10, 21, 19, 30)
    )
    # A seat freed during the activity is offered to nobody.
    assert rows(event) == [("Ann", 4, CANCELLED), ("Bob", 1, WAITLISTED)]
    assert_counter_true(event)


def test_cancel_just_before_start_promotes(event):
    ann = register(event, "ann", seats=4)
    register(event, "bob", seats=1)
    services.registration_cancel(registration_id=ann.pk, now=brussels(2036, 10, 21, 18, 59))
    assert rows(event) == [("Ann", 4, CANCELLED), ("Bob", 1, CONFIRMED)]
    assert_counter_true(event)


# --- Capacity changes ------------------------------------------------------------


def test_capacity_increase_promotes_in_order(event):
    register(event, "ann", seats=4)
    register(event, "bob", seats=3)
    register(event, "cat", seats=1)
    register(event, "dan", seats=2)
    updated = programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"capacity": 8})
    # 4 new seats: Bob (3) and Cat (1); Dan (2) does not fit in what is left (0).
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 3, CONFIRMED), ("Cat", 1, CONFIRMED), ("Dan", 2, WAITLISTED)]
    assert (updated.seats_taken, updated.seats_left) == (8, 0)
    assert_counter_true(event)


def test_capacity_increase_group_rule(event):
    register(event, "ann", seats=4)
    register(event, "bob", seats=3)
    register(event, "cat", seats=1)
    programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"capacity": 6})
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 3, WAITLISTED), ("Cat", 1, CONFIRMED)]
    event.refresh_from_db()
    assert event.seats_taken == 5
    assert_counter_true(event)


def test_capacity_below_seats_taken_validation_error(event):
    register(event, "ann", seats=3)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"capacity": 2})
    assert error.value.message_dict == {"capacity": ["3 seats are already taken: the capacity cannot be lower."]}
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken) == (4, 3)
    assert_counter_true(event)


def test_capacity_down_to_seats_taken_allowed(event):
    register(event, "ann", seats=3)
    register(event, "bob", seats=2)
    updated = programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"capacity": 3})
    assert (updated.capacity, updated.seats_taken) == (3, 3)
    assert rows(event) == [("Ann", 3, CONFIRMED), ("Bob", 2, WAITLISTED)]
    assert_counter_true(event)


def test_capacity_change_of_other_field_promotes_nobody(event):
    register(event, "ann", seats=4)
    register(event, "bob", seats=1)
    programme_services.event_update(event=Event.objects.get(pk=event.pk), data={"title_en": "Renamed"})
    assert rows(event) == [("Ann", 4, CONFIRMED), ("Bob", 1, WAITLISTED)]


# --- Factories --------------------------------------------------------------------


def test_registration_factory_goes_through_the_service(current_edition):
    event = EventFactory(edition=current_edition, capacity=2)
    first = RegistrationFactory(event=event, seats=2)
    second = RegistrationFactory(event=event)
    assert (first.status, second.status) == (CONFIRMED, WAITLISTED)
    assert_counter_true(event)


def test_event_of_other_edition_counts_apart(current_edition):
    other_edition = EditionFactory(year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19))
    event = EventFactory(edition=current_edition, capacity=1)
    other = EventFactory(edition=other_edition, capacity=1)
    register(event, "ann")
    assert register(other, "ann").status == CONFIRMED
    assert register(event, "bob").status == WAITLISTED
    for each in (event, other):
        assert_counter_true(each)
    assert timezone.now() < event.starts_at
