"""Check-in at the door (SPEC section 5, `POST /api/v1/checkins/`): answers, repeated scans and
nonces, the log of every attempt, manual check-in, malformed requests, counts and attendee search."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from registrations import services
from registrations.models import CheckIn, Registration
from registrations.tickets import make_token
from tests.factories import DoorStaffFactory, EventFactory, OrganiserFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins/"


@pytest.fixture
def event(make_event):
    return make_event(capacity=6)


@pytest.fixture
def door_user(db):
    return DoorStaffFactory(username="door-anna")


@pytest.fixture
def door(door_user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="Mozilla/5.0 (Android 14)")
    client.force_authenticate(door_user)
    return client


@pytest.fixture
def ann(event):
    return RegistrationFactory(event=event, name="Ann Peeters", email="ann@example.org", seats=2)


def drf_time(value) -> str | None:
    return DateTimeField().to_representation(value) if value else None


def represented(registration: Registration) -> dict:
    return {
        "code": registration.code,
        "name": registration.name,
        "seats": registration.seats,
        "event": registration.event_id,
    }


def log(event) -> list[tuple]:
    """The check-in log of an event, oldest first."""
    return list(
        CheckIn.objects.filter(event=event)
        .order_by("pk")
        .values_list("registration__code", "result", "method", "nonce", "user__username", "device")
    )


# --- Scanning ----------------------------------------------------------------------------


def test_scan_ok_then_already_checked_in(door, event, ann):
    token = make_token(ann)
    first = door.post(URL, {"secret": token, "event": event.pk}, format="json")
    assert first.status_code == 200
    ann.refresh_from_db()
    assert ann.checked_in_at is not None
    assert first.json() == {
        "result": "ok",
        "registration": represented(ann),
        "first_checked_in_at": drf_time(ann.checked_in_at),
    }
    second = door.post(URL, {"secret": token, "event": event.pk}, format="json")
    assert second.status_code == 200
    assert second.json() == {
        "result": "already_checked_in",
        "registration": represented(ann),
        "first_checked_in_at": first.json()["first_checked_in_at"],
    }
    checked_in_at = ann.checked_in_at
    ann.refresh_from_db()
    assert ann.checked_in_at == checked_in_at
    assert log(event) == [
        (ann.code, "ok", "qr", None, "door-anna", "Mozilla/5.0 (Android 14)"),
        (ann.code, "already_checked_in", "qr", None, "door-anna", "Mozilla/5.0 (Android 14)"),
    ]


def test_scan_first_checked_in_at_is_brussels_time(door, event, ann):
    body = door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json").json()
    ann.refresh_from_db()
    assert body["first_checked_in_at"] == timezone.localtime(ann.checked_in_at).isoformat()


def test_scan_repeated_nonce_same_answer_nothing_written(door, event, ann):
    token = make_token(ann)
    first = door.post(URL, {"secret": token, "event": event.pk, "nonce": "scan-0001"}, format="json")
    ann.refresh_from_db()
    checked_in_at = ann.checked_in_at
    again = door.post(URL, {"secret": token, "event": event.pk, "nonce": "scan-0001"}, format="json")
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["result"] == "ok"
    ann.refresh_from_db()
    assert ann.checked_in_at == checked_in_at
    assert log(event) == [(ann.code, "ok", "qr", "scan-0001", "door-anna", "Mozilla/5.0 (Android 14)")]
    # A new nonce is a new scan.
    other = door.post(URL, {"secret": token, "event": event.pk, "nonce": "scan-0002"}, format="json")
    assert other.json()["result"] == "already_checked_in"
    assert CheckIn.objects.count() == 2


def test_scan_repeated_nonce_of_refused_scan_same_answer(door, event, ann):
    for _ in range(3):
        response = door.post(URL, {"secret": "not-a-ticket", "event": event.pk, "nonce": "n-1"}, format="json")
        assert response.json() == {"result": "invalid", "registration": None, "first_checked_in_at": None}
    assert log(event) == [(None, "invalid", "qr", "n-1", "door-anna", "Mozilla/5.0 (Android 14)")]


def test_scan_repeated_nonce_after_cancellation_same_answer(door, event, ann):
    token = make_token(ann)
    first = door.post(URL, {"secret": token, "event": event.pk, "nonce": "n-2"}, format="json").json()
    assert first["result"] == "ok"
    again = door.post(URL, {"secret": token, "event": event.pk, "nonce": "n-2"}, format="json").json()
    assert again == first


NONCE_REUSED = {
    "code": "nonce_reused",
    "detail": "This scan's nonce was already used for another ticket, activity or user: nothing was checked in."
    " Scan the ticket again.",
}


def test_scan_nonce_reused_with_another_ticket_409_nothing_checked_in(door, event, ann):
    bob = RegistrationFactory(event=event, name="Bob Janssens", email="bob@example.org")
    first = door.post(URL, {"secret": make_token(ann), "event": event.pk, "nonce": "n-7"}, format="json")
    assert first.json()["result"] == "ok"
    response = door.post(URL, {"secret": make_token(bob), "event": event.pk, "nonce": "n-7"}, format="json")
    assert (response.status_code, response.json()) == (409, NONCE_REUSED)
    assert "Ann Peeters" not in response.content.decode()
    bob.refresh_from_db()
    assert bob.checked_in_at is None
    assert log(event) == [(ann.code, "ok", "qr", "n-7", "door-anna", "Mozilla/5.0 (Android 14)")]


def test_scan_nonce_of_invalid_ticket_reused_with_a_real_one_409(door, event, ann):
    first = door.post(URL, {"secret": "not-a-ticket", "event": event.pk, "nonce": "n-8"}, format="json")
    assert first.json()["result"] == "invalid"
    response = door.post(URL, {"registration": ann.pk, "event": event.pk, "nonce": "n-8"}, format="json")
    assert (response.status_code, response.json()) == (409, NONCE_REUSED)
    ann.refresh_from_db()
    assert ann.checked_in_at is None
    assert log(event) == [(None, "invalid", "qr", "n-8", "door-anna", "Mozilla/5.0 (Android 14)")]


def test_scan_nonce_reused_by_another_door_user_409(door, event, ann):
    token = make_token(ann)
    assert door.post(URL, {"secret": token, "event": event.pk, "nonce": "n-9"}, format="json").json()["result"] == "ok"
    other = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    other.force_authenticate(DoorStaffFactory(username="door-bert"))
    response = other.post(URL, {"secret": token, "event": event.pk, "nonce": "n-9"}, format="json")
    assert (response.status_code, response.json()) == (409, NONCE_REUSED)
    assert CheckIn.objects.count() == 1


def test_scan_nonce_reused_for_another_event_409(door, event, ann):
    token = make_token(ann)
    assert door.post(URL, {"secret": token, "event": event.pk, "nonce": "n-10"}, format="json").json()["result"] == "ok"
    other_event = EventFactory(edition=event.edition)
    response = door.post(URL, {"secret": token, "event": other_event.pk, "nonce": "n-10"}, format="json")
    assert (response.status_code, response.json()) == (409, NONCE_REUSED)
    assert "Ann Peeters" not in response.content.decode()
    assert CheckIn.objects.count() == 1
    assert log(other_event) == []


def test_scan_every_attempt_logged(door, event, ann, door_user):
    organiser = OrganiserFactory(username="org-omar")
    organiser_client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    organiser_client.force_authenticate(organiser)
    bob = RegistrationFactory(event=event, name="Bob", seats=4)
    cat = RegistrationFactory(event=event, name="Cat", seats=4)  # waits
    services.registration_cancel(registration_id=bob.pk)
    cat.refresh_from_db()
    dan = RegistrationFactory(event=event, name="Dan", seats=1)
    assert (cat.status, dan.status) == ("confirmed", "waitlisted")
    elsewhere = EventFactory(edition=event.edition)
    answers = [
        door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json", HTTP_X_DEVICE="door-1"),
        door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json", HTTP_X_DEVICE="door-2"),
        door.post(URL, {"secret": make_token(bob), "event": event.pk}, format="json"),
        door.post(URL, {"secret": make_token(dan), "event": event.pk}, format="json"),
        door.post(URL, {"secret": "x" * 100, "event": event.pk}, format="json"),
        organiser_client.post(URL, {"secret": make_token(cat), "event": elsewhere.pk}, format="json"),
        organiser_client.post(URL, {"registration": cat.pk, "event": event.pk}, format="json", HTTP_X_DEVICE="d" * 300),
    ]
    assert [a.json()["result"] for a in answers] == [
        "ok",
        "already_checked_in",
        "cancelled",
        "waitlisted",
        "invalid",
        "wrong_event",
        "ok",
    ]
    ua = "Mozilla/5.0 (Android 14)"
    assert log(event) == [
        (ann.code, "ok", "qr", None, "door-anna", "door-1"),
        (ann.code, "already_checked_in", "qr", None, "door-anna", "door-2"),
        (bob.code, "cancelled", "qr", None, "door-anna", ua),
        (dan.code, "waitlisted", "qr", None, "door-anna", ua),
        (None, "invalid", "qr", None, "door-anna", ua),
        (cat.code, "ok", "manual", None, "org-omar", "d" * 200),
    ]
    assert list(CheckIn.objects.filter(event=elsewhere).values_list("registration__code", "result", "user")) == [
        (cat.code, "wrong_event", organiser.pk)
    ]
    first_ok = CheckIn.objects.filter(event=event, result="ok").order_by("pk").first()
    ann.refresh_from_db()
    assert first_ok.first_checked_in_at == ann.checked_in_at


def test_rows_written_in_sql_read_back_through_the_orm(door, event, ann):
    """The door's statements are SQL (registrations.services): their times must be stored
    as the ORM stores them, so that reading, comparing and ordering them works on both
    databases."""
    before = timezone.now()
    response = door.post(URL, {"secret": make_token(ann), "event": event.pk, "nonce": "n-1"}, format="json")
    after = timezone.now()
    ann.refresh_from_db()
    scan = CheckIn.objects.get()
    assert before <= ann.checked_in_at <= after
    assert response.json()["first_checked_in_at"] == drf_time(ann.checked_in_at)
    assert (scan.created_at, scan.first_checked_in_at) == (ann.checked_in_at, ann.checked_in_at)
    assert (scan.event, scan.registration, scan.result, scan.nonce) == (event, ann, "ok", "n-1")
    assert list(Registration.objects.filter(checked_in_at__gte=before, checked_in_at__lte=after)) == [ann]
    assert list(CheckIn.objects.filter(created_at__range=(before, after), first_checked_in_at__gte=before)) == [scan]


# --- Manual check-in -----------------------------------------------------------------------


def test_manual_by_registration_id(door, event, ann):
    response = door.post(URL, {"registration": ann.pk, "event": event.pk, "nonce": "m-1"}, format="json")
    ann.refresh_from_db()
    assert response.json() == {
        "result": "ok",
        "registration": represented(ann),
        "first_checked_in_at": drf_time(ann.checked_in_at),
    }
    again = door.post(URL, {"registration": ann.pk, "event": event.pk}, format="json")
    assert again.json()["result"] == "already_checked_in"
    assert again.json()["first_checked_in_at"] == response.json()["first_checked_in_at"]
    assert [row[1:3] for row in log(event)] == [("ok", "manual"), ("already_checked_in", "manual")]


def test_manual_then_qr_already_checked_in(door, event, ann):
    door.post(URL, {"registration": ann.pk, "event": event.pk}, format="json")
    assert door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json").json()["result"] == (
        "already_checked_in"
    )


def test_manual_unknown_registration_invalid(door, event, ann):
    response = door.post(URL, {"registration": ann.pk + 1000, "event": event.pk}, format="json")
    assert response.json() == {"result": "invalid", "registration": None, "first_checked_in_at": None}
    assert log(event) == [(None, "invalid", "manual", None, "door-anna", "Mozilla/5.0 (Android 14)")]


def test_manual_other_event_wrong_event(door, event, ann):
    elsewhere = EventFactory(edition=event.edition)
    response = door.post(URL, {"registration": ann.pk, "event": elsewhere.pk}, format="json")
    assert response.json()["result"] == "wrong_event"
    ann.refresh_from_db()
    assert ann.checked_in_at is None


# --- Malformed requests -------------------------------------------------------------------

EITHER = {"non_field_errors": ["Give either the ticket's secret or a registration id."]}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"secret": "abc"}, {"event": ["This field is required."]}),
        ({"secret": "abc", "registration": 1, "event": "EVENT"}, EITHER),
        ({"event": "EVENT"}, EITHER),
        ({"secret": "abc", "event": "abc"}, {"event": ["A valid integer is required."]}),
        ({"secret": "abc", "event": None}, {"event": ["This field may not be null."]}),
        ({"secret": "abc", "event": 0}, {"event": ["Ensure this value is greater than or equal to 1."]}),
        ({"secret": "abc", "event": "UNKNOWN"}, {"event": ["Unknown activity."]}),
        ({"secret": "abc", "event": 10**30}, {"event": ["Unknown activity."]}),
        ({"secret": "", "event": "EVENT"}, {"secret": ["This field may not be blank."]}),
        ({"secret": "a" * 501, "event": "EVENT"}, {"secret": ["Ensure this field has no more than 500 characters."]}),
        ({"registration": "abc", "event": "EVENT"}, {"registration": ["A valid integer is required."]}),
        ({"secret": "abc", "event": "EVENT", "nonce": ""}, {"nonce": ["This field may not be blank."]}),
        (
            {"secret": "abc", "event": "EVENT", "nonce": "n" * 65},
            {"nonce": ["Ensure this field has no more than 64 characters."]},
        ),
    ],
)
def test_malformed_400_nothing_logged(door, event, ann, body, errors):
    body = {k: {"EVENT": event.pk, "UNKNOWN": event.pk + 1000}.get(v, v) for k, v in body.items()}
    response = door.post(URL, body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert CheckIn.objects.count() == 0
    ann.refresh_from_db()
    assert ann.checked_in_at is None


@pytest.mark.parametrize("raw", ["{", "[]", '"x"', "[1]"])
def test_malformed_json_400(door, event, raw):
    response = door.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert CheckIn.objects.count() == 0


# --- Counts and search --------------------------------------------------------------------


def test_stats_exact_counts(door, event, ann):
    bob = RegistrationFactory(event=event, name="Bob", seats=1)
    cat = RegistrationFactory(event=event, name="Cat", seats=3)
    RegistrationFactory(event=event, name="Dan", seats=2)  # waits
    eve = RegistrationFactory(event=event, name="Eve", seats=1)  # waits
    services.registration_cancel(registration_id=eve.pk)
    RegistrationFactory(event=EventFactory(edition=event.edition), name="Elsewhere")
    stats_url = f"/api/v1/events/{event.pk}/checkins/stats/"
    assert door.get(stats_url).json() == {
        "event": event.pk,
        "checked_in_seats": 0,
        "expected_seats": 6,
        "checked_in_registrations": 0,
        "expected_registrations": 3,
    }
    door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json")
    door.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json")
    door.post(URL, {"registration": cat.pk, "event": event.pk}, format="json")
    assert door.get(stats_url).json() == {
        "event": event.pk,
        "checked_in_seats": 5,
        "expected_seats": 6,
        "checked_in_registrations": 2,
        "expected_registrations": 3,
    }
    assert bob.status == "confirmed"


def test_stats_unknown_event_404(door, event):
    assert door.get(f"/api/v1/events/{event.pk + 1000}/checkins/stats/").status_code == 404


def test_attendees_by_name_and_code(door, event, ann):
    bob = RegistrationFactory(event=event, name="Bob Annaert", seats=1)
    cat = RegistrationFactory(event=event, name="Cat Anne", seats=4)  # waits
    gone = RegistrationFactory(event=event, name="Anna Gone", seats=1)
    services.registration_cancel(registration_id=gone.pk)
    RegistrationFactory(event=EventFactory(edition=event.edition), name="Ann Elsewhere")
    door.post(URL, {"registration": bob.pk, "event": event.pk}, format="json")
    bob.refresh_from_db()
    url = f"/api/v1/events/{event.pk}/attendees/"
    response = door.get(url, {"q": "ANN"})
    assert response.json() == [
        {
            "id": ann.pk,
            "code": ann.code,
            "name": "Ann Peeters",
            "seats": 2,
            "status": "confirmed",
            "checked_in_at": None,
        },
        {
            "id": bob.pk,
            "code": bob.code,
            "name": "Bob Annaert",
            "seats": 1,
            "status": "confirmed",
            "checked_in_at": drf_time(bob.checked_in_at),
        },
        {"id": cat.pk, "code": cat.code, "name": "Cat Anne", "seats": 4, "status": "waitlisted", "checked_in_at": None},
        # Cancelled, after those still on: the door sees why they cannot come in.
        {
            "id": gone.pk,
            "code": gone.code,
            "name": "Anna Gone",
            "seats": 1,
            "status": "cancelled",
            "checked_in_at": None,
        },
    ]
    by_code = door.get(url, {"q": f" {cat.code.lower()} "})
    assert [r["id"] for r in by_code.json()] == [cat.pk]
    assert [r["status"] for r in door.get(url, {"q": gone.code}).json()] == ["cancelled"]


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "a"}, {"q": "  a  "}])
def test_attendees_query_too_short_400(door, event, query):
    response = door.get(f"/api/v1/events/{event.pk}/attendees/", query)
    assert (response.status_code, response.json()) == (400, {"q": ["Type at least 2 characters."]})


def test_attendees_query_with_null_character_400(door, event, ann):
    response = door.get(f"/api/v1/events/{event.pk}/attendees/", {"q": "Ann\x00"})
    assert (response.status_code, response.json()) == (400, {"q": ["Null characters are not allowed."]})


def test_manual_registration_id_out_of_range_invalid(door, event):
    response = door.post(URL, {"registration": 10**30, "event": event.pk}, format="json")
    assert (response.status_code, response.json()) == (
        200,
        {"result": "invalid", "registration": None, "first_checked_in_at": None},
    )


def test_token_deleted_next_request_401(event, ann, door_user):
    """A revoked token stops working at the very next request: no worker remembers tokens."""
    token = Token.objects.create(user=door_user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(f"/api/v1/events/{event.pk}/checkins/stats/").status_code == 200
    token.delete()
    response = client.post(URL, {"secret": make_token(ann), "event": event.pk}, format="json")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})
    ann.refresh_from_db()
    assert ann.checked_in_at is None
