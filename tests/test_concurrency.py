"""No overbooking, ever, and one `ok` per ticket (SPEC section 6): many real threads, each with its
own PostgreSQL connection, released together by a barrier against the same rows."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from programme.models import Event
from registrations import services
from registrations.models import CheckIn, Registration
from registrations.services import RegistrationError
from registrations.tickets import make_token
from tests.factories import DoorStaffFactory, EventFactory, register
from tests.helpers import assert_counter_true, together

# serialized_rollback: the flush after each test empties the tables, categories (from a migration) included;
# this puts the migrated rows back before each test.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def event(make_event):
    return make_event(capacity=30, max_seats_per_registration=4)


def fill(event: Event, seats: int) -> list[Registration]:
    """Registrations of 1 seat each, one after the other."""
    return [register(event, f"early{n}") for n in range(seats)]


# --- Registering --------------------------------------------------------------------------


def test_sixty_threads_for_ten_last_seats(event):
    for n in range(5):
        register(event, f"group{n}", seats=4)  # 20 of 30 taken: 10 left
    results, errors = together(60, lambda i: register(event, f"thread{i}"))
    assert errors == []
    assert Counter(r.status for r in results) == {"confirmed": 10, "waitlisted": 50}
    event.refresh_from_db()
    assert event.seats_taken == 30
    assert_counter_true(event)
    assert Registration.objects.filter(event=event).count() == 65
    assert len({r.code for r in results}) == 60


def test_concurrent_arrival_order_is_pk_order(event):
    fill(event, 25)
    results, errors = together(40, lambda i: register(event, f"thread{i}"))
    assert errors == []
    confirmed = sorted(r.pk for r in results if r.status == "confirmed")
    waiting = sorted(r.pk for r in results if r.status == "waitlisted")
    assert (len(confirmed), len(waiting)) == (5, 35)
    # The row lock makes the registrations one queue: the first 5 in it got the seats.
    assert max(confirmed) < min(waiting)
    by_time = list(Registration.objects.filter(event=event).order_by("created_at", "pk").values_list("pk", flat=True))
    assert by_time == sorted(by_time)
    # Seats freed one at a time go to the waiting list in that order.
    promoted = []
    for early in Registration.objects.filter(event=event, name__startswith="Early").order_by("pk")[:20]:
        before = set(Registration.objects.filter(event=event, status="confirmed").values_list("pk", flat=True))
        services.registration_cancel(registration_id=early.pk)
        after = set(Registration.objects.filter(event=event, status="confirmed").values_list("pk", flat=True))
        promoted += sorted(after - before)
    assert promoted == waiting[:20]
    assert_counter_true(event)


def test_concurrent_groups_follow_the_rule_in_arrival_order(event):
    fill(event, 20)
    sizes = [1 + (i * 7) % 4 for i in range(30)]
    results, errors = together(30, lambda i: register(event, f"thread{i}", seats=sizes[i]))
    assert errors == []
    free = 10
    for registration in sorted(results, key=lambda r: r.pk):
        expected = "confirmed" if registration.seats <= free else "waitlisted"
        if expected == "confirmed":
            free -= registration.seats
        assert registration.status == expected
    assert_counter_true(event)
    event.refresh_from_db()
    assert event.seats_taken == 30 - free


def test_concurrent_same_email_one_registration(event):
    def same_person(i: int) -> str:
        try:
            return services.registration_create(
                event_id=event.pk, name="Ann", email="Ann@Example.org" if i % 2 else "ann@example.org", seats=1,
                language="fr",
            ).status  # fmt: skip
        except RegistrationError as error:
            return error.code

    results, errors = together(20, same_person)
    assert errors == []
    assert Counter(results) == {"confirmed": 1, "already_registered": 19}
    assert Registration.objects.filter(event=event).count() == 1
    assert_counter_true(event)


def test_concurrent_registrations_without_waiting_list(event):
    Event.objects.filter(pk=event.pk).update(waitlist_enabled=False)
    fill(event, 27)

    def attempt(i: int) -> str:
        try:
            return register(event, f"thread{i}").status
        except RegistrationError as error:
            return error.code

    results, errors = together(30, attempt)
    assert errors == []
    assert Counter(results) == {"confirmed": 3, "event_full": 27}
    assert_counter_true(event)


def test_registrations_of_other_events_do_not_wait_for_each_other(event, current_edition):
    """Registering locks the event's row only, not its edition's (which every event shares)."""
    other = EventFactory(edition=current_edition, capacity=10)
    locked, release = threading.Event(), threading.Event()

    def hold_first_event() -> None:
        try:
            with transaction.atomic():
                services._lock_event(event.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_event)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            registration = register(other, "ann")
        assert registration.status == "confirmed"
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            register(event, "bob")  # the same event does wait
    finally:
        release.set()
        holder.join(timeout=30)
    assert Registration.objects.filter(event=event).count() == 0


# --- Cancelling ----------------------------------------------------------------------------


def test_concurrent_cancellations_promote_the_first_waiting(event):
    Event.objects.filter(pk=event.pk).update(capacity=10)
    confirmed = fill(event, 10)
    waiting = [register(event, f"waiting{n}") for n in range(15)]
    assert {r.status for r in waiting} == {"waitlisted"}
    results, errors = together(10, lambda i: services.registration_cancel(registration_id=confirmed[i].pk))
    assert errors == []
    assert {r.status for r in results} == {"cancelled"}
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    assert [statuses[r.pk] for r in waiting] == ["confirmed"] * 10 + ["waitlisted"] * 5
    event.refresh_from_db()
    assert event.seats_taken == event.capacity == 10
    assert_counter_true(event)


def test_concurrent_cancel_and_register(event):
    Event.objects.filter(pk=event.pk).update(capacity=10)
    confirmed = fill(event, 10)
    [register(event, f"waiting{n}") for n in range(5)]

    def work(i: int):
        if i < 10:
            return services.registration_cancel(registration_id=confirmed[i].pk).status
        return register(event, f"late{i}").status

    _results, errors = together(20, work)
    assert errors == []
    assert_counter_true(event)
    event.refresh_from_db()
    assert event.seats_taken == 10
    # The five who waited first were promoted before any late newcomer could pass them.
    assert set(Registration.objects.filter(name__startswith="Waiting").values_list("status", flat=True)) == {
        "confirmed"
    }


def test_concurrent_cancel_and_checkin_one_wins(event):
    for n in range(20):
        registration = register(event, f"person{n}")
        token = make_token(registration)

        def work(i: int, registration=registration, token=token):
            if i == 0:
                try:
                    return services.registration_cancel(registration_id=registration.pk).status
                except RegistrationError as error:
                    return error.code
            return services.checkin_scan(secret=token, event_id=event.pk, nonce=None, user=None).result

        (cancel, scan), errors = together(2, work)
        assert errors == []
        assert (cancel, scan) in {("cancelled", "cancelled"), ("already_checked_in", "ok")}
        registration.refresh_from_db()
        assert registration.status == ("cancelled" if cancel == "cancelled" else "confirmed")
    assert_counter_true(event)


# --- Check-in -----------------------------------------------------------------------------


def test_same_ticket_scanned_twice_at_once(event):
    for n in range(20):
        registration = register(event, f"person{n}")
        token = make_token(registration)
        results, errors = together(
            2, lambda i, token=token: services.checkin_scan(secret=token, event_id=event.pk, nonce=None, user=None)
        )
        assert errors == []
        assert sorted(r.result for r in results) == ["already_checked_in", "ok"]
        registration.refresh_from_db()
        assert {r.first_checked_in_at for r in results} == {registration.checked_in_at}
        assert list(CheckIn.objects.filter(registration=registration).order_by("result").values_list("result")) == [
            ("already_checked_in",),
            ("ok",),
        ]


def test_same_nonce_sent_twice_at_once(event):
    door_user = DoorStaffFactory()
    for n in range(15):
        registration = register(event, f"person{n}")
        token = make_token(registration)
        nonce = f"nonce-{n}"

        def post(i: int, token=token, nonce=nonce):
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.force_authenticate(door_user)
            response = client.post(
                "/api/v1/checkins/", {"secret": token, "event": event.pk, "nonce": nonce}, format="json"
            )
            return response.status_code, response.json()

        results, errors = together(2, post)
        assert errors == []
        assert results[0] == results[1]
        assert results[0][0] == 200
        assert results[0][1]["result"] == "ok"
        assert CheckIn.objects.filter(nonce=nonce).count() == 1
        assert CheckIn.objects.filter(registration=registration).count() == 1
