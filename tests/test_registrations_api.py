"""The registrations API (SPEC section 5): registering, its links and their secrets, bad input,
conflicts, the rate limit, and who may do what on each endpoint."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from programme.models import Event
from registrations import links, services
from registrations.models import CheckIn, Registration
from registrations.services import RegistrationError
from tests.factories import (
    AssociationMemberFactory,
    DoorStaffFactory,
    EventFactory,
    OrganiserFactory,
    RegistrationFactory,
    UserFactory,
    brussels,
)
from tests.helpers import tampered

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "door", "member", "other_member", "organiser")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.REGISTRATION_RATE_LIMIT = "off"


@pytest.fixture
def client() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def event(make_event):
    return make_event(capacity=10, max_seats_per_registration=4)


def url(event: Event) -> str:
    return f"/api/v1/events/{event.pk}/registrations/"


def user_for(role: str, event: Event):
    return {
        "anonymous": lambda: None,
        "user": UserFactory,
        "door": DoorStaffFactory,
        "member": lambda: AssociationMemberFactory(association=event.association),
        "other_member": AssociationMemberFactory,
        "organiser": OrganiserFactory,
    }[role]()


def client_as(role: str, event: Event) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    user = user_for(role, event)
    if user is not None:
        client.force_authenticate(user)
    return client


def state(event: Event) -> tuple[int, int]:
    """(registration rows, seats taken): what a refused request must leave alone."""
    event.refresh_from_db()
    return Registration.objects.count(), event.seats_taken


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def message(code: str, lang: str = "en") -> str:
    with translation.override(lang):
        return str(RegistrationError.MESSAGES[code])


# --- Registering ---------------------------------------------------------------


def test_create_201_exact_body(client, event):
    response = client.post(
        url(event), {"name": "Ann Peeters", "email": "Ann@Example.org", "seats": 2, "language": "nl"}, format="json"
    )
    assert response.status_code == 201
    registration = Registration.objects.get()
    with translation.override("en"):
        paths = links.registration_links(registration)
    assert response.json() == {
        "id": registration.pk,
        "code": registration.code,
        "status": "confirmed",
        "seats": 2,
        "ticket_url": "http://127.0.0.1:8000" + paths["ticket_url"],
        "qr_url": "http://127.0.0.1:8000" + paths["qr_url"],
        "ics_url": "http://127.0.0.1:8000" + paths["ics_url"],
        "manage_url": "http://127.0.0.1:8000" + paths["manage_url"],
    }
    assert (registration.name, registration.email, registration.seats, registration.language) == (
        "Ann Peeters",
        "ann@example.org",
        2,
        "nl",
    )
    assert state(event) == (1, 2)


def test_create_links_carry_a_secret(client, event):
    body = client.post(url(event), {"name": "Ann", "email": "ann@example.org"}, format="json").json()
    code = body["code"]
    secret = r"[A-Za-z0-9_-]{20,}"
    assert re.fullmatch(rf"http://127.0.0.1:8000/en/tickets/{code}:{secret}/", body["ticket_url"])
    assert re.fullmatch(rf"http://127.0.0.1:8000/tickets/{code}:{secret}/qr\.png", body["qr_url"])
    assert re.fullmatch(rf"http://127.0.0.1:8000/calendar/tickets/{code}:{secret}\.ics", body["ics_url"])
    # Whoever typed the address does not own it: the registration's own page, not "my registrations".
    assert body["manage_url"] == body["ticket_url"]


def test_create_each_link_opens(client, event):
    body = client.post(url(event), {"name": "Ann", "email": "ann@example.org"}, format="json").json()
    ticket = client.get(body["ticket_url"])
    assert ticket.status_code == 200
    assert body["code"] in ticket.content.decode()
    qr = client.get(body["qr_url"])
    assert (qr.status_code, qr["Content-Type"], qr.content[:8]) == (200, "image/png", b"\x89PNG\r\n\x1a\n")
    ics = client.get(body["ics_url"])
    assert (ics.status_code, ics["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert b"BEGIN:VEVENT" in ics.content
    manage = client.get(body["manage_url"])
    assert manage.status_code == 200
    assert event.title in manage.content.decode()


def test_create_id_or_code_alone_opens_nothing(client, event):
    body = client.post(url(event), {"name": "Ann", "email": "ann@example.org"}, format="json").json()
    secret = body["ticket_url"].rstrip("/").rsplit("/", 1)[1]
    manage_secret = links.mine_secret(Registration.objects.get(pk=body["id"]))
    forged = tampered(secret)
    for key in (body["code"], str(body["id"]), forged, f"{body['code']}:", manage_secret):
        for path in (
            f"/en/tickets/{key}/",
            f"/fr/tickets/{key}/",
            f"/tickets/{key}/qr.png",
            f"/tickets/{key}/qr.svg",
            f"/calendar/tickets/{key}.ics",
            f"/en/tickets/{key}/cancel/",
        ):
            assert client.get(path).status_code == 404, path
    for key in (body["code"], str(body["id"]), tampered(manage_secret), secret):
        assert client.get(f"/en/my/{key}/").status_code == 404, key


def test_create_waitlisted_201(client, event):
    RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=4)
    response = client.post(url(event), {"name": "Ann", "email": "ann@example.org", "seats": 3}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["seats"]) == ("waitlisted", 3)
    assert state(event) == (3, 8)


def test_create_language_defaults_to_request_language(event):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post(url(event), {"name": "Ann", "email": "ann@example.org"}, format="json")
    assert response.status_code == 201
    assert response.json()["ticket_url"].startswith("http://127.0.0.1:8000/nl/tickets/")
    registration = Registration.objects.get()
    assert (registration.language, registration.seats) == ("nl", 1)


def test_create_form_encoded_201(client, event):
    response = client.post(url(event), {"name": "Ann", "email": "ann@example.org", "seats": "2"})
    assert response.status_code == 201
    assert state(event) == (1, 2)


# --- Bad input ----------------------------------------------------------------------

VALID = {"name": "Ann", "email": "ann@example.org", "seats": 1, "language": "fr"}


def without(key: str) -> dict:
    return {k: v for k, v in VALID.items() if k != key}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (without("name"), {"name": ["This field is required."]}),
        ({**VALID, "name": ""}, {"name": ["This field may not be blank."]}),
        ({**VALID, "name": "   "}, {"name": ["This field may not be blank."]}),
        ({**VALID, "name": None}, {"name": ["This field may not be null."]}),
        ({**VALID, "name": "x" * 201}, {"name": ["Ensure this field has no more than 200 characters."]}),
        ({**VALID, "name": "Ann\x00"}, {"name": ["Null characters are not allowed."]}),
        (without("email"), {"email": ["This field is required."]}),
        ({**VALID, "email": "ann"}, {"email": ["Enter a valid email address."]}),
        ({**VALID, "email": "ann@"}, {"email": ["Enter a valid email address."]}),
        ({**VALID, "seats": 0}, {"seats": ["Ensure this value is greater than or equal to 1."]}),
        ({**VALID, "seats": -1}, {"seats": ["Ensure this value is greater than or equal to 1."]}),
        ({**VALID, "seats": 999}, {"seats": ["Ensure this value is less than or equal to 50."]}),
        ({**VALID, "seats": 5}, {"seats": ["Choose between 1 and 4 seats."]}),
        ({**VALID, "seats": "abc"}, {"seats": ["A valid integer is required."]}),
        ({**VALID, "seats": 1.5}, {"seats": ["A valid integer is required."]}),
        ({**VALID, "seats": True}, {"seats": ["A valid integer is required."]}),
        ({**VALID, "seats": None}, {"seats": ["This field may not be null."]}),
        ({**VALID, "seats": 10**30}, {"seats": ["Ensure this value is less than or equal to 50."]}),
        ({**VALID, "language": "de"}, {"language": ['"de" is not a valid choice.']}),
        ({**VALID, "language": None}, {"language": ["This field may not be null."]}),
        ({}, {"name": ["This field is required."], "email": ["This field is required."]}),
    ],
)
def test_create_bad_input_400_nothing_written(client, event, body, errors):
    response = client.post(url(event), body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert state(event) == (0, 0)


def test_create_bad_input_errors_in_request_language(event):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="fr").post(url(event), without("name"), format="json")
    assert (response.status_code, response.json()) == (400, {"name": ["Ce champ est obligatoire."]})


def test_create_unknown_event_404(client, event):
    for event_id in (event.pk + 1000, 10**30):
        response = client.post(f"/api/v1/events/{event_id}/registrations/", VALID, format="json")
        assert (response.status_code, response.json()) == (404, {"detail": "This activity does not exist."})
    assert state(event) == (0, 0)


@pytest.mark.parametrize("hide", ["draft", "unpublished_edition", "cancelled_in_unpublished_edition"])
def test_create_hidden_event_404(client, event, hide):
    if hide != "unpublished_edition":
        Event.objects.filter(pk=event.pk).update(status="draft" if hide == "draft" else "cancelled")
    if hide != "draft":
        event.edition.is_published = False
        event.edition.save()
    response = client.post(url(event), VALID, format="json")
    assert (response.status_code, response.json()) == (404, {"detail": "This activity does not exist."})
    assert state(event) == (0, 0)


def test_create_malformed_json_400(client, event):
    response = client.post(url(event), '{"name": "Ann", ', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON (line 1, column 17)."}
    assert state(event) == (0, 0)


@pytest.mark.parametrize("body", ["[1, 2]", '"Ann"', "42", "null"])
def test_create_json_not_an_object_400(client, event, body):
    response = client.post(url(event), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert state(event) == (0, 0)


def test_create_json_array_400_exact(client, event):
    response = client.post(url(event), [VALID], format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
    )


def test_create_unsupported_media_type_415(client, event):
    response = client.post(url(event), "name=Ann", content_type="text/plain")
    assert (response.status_code, response.json()) == (
        415,
        {"detail": 'Unsupported media type "text/plain" in request.'},
    )
    assert state(event) == (0, 0)


def test_create_10_mb_body_413(client, event):
    body = json.dumps({**VALID, "name": "x" * (10 * 1024 * 1024)})
    response = client.post(url(event), body, content_type="application/json")
    assert (response.status_code, response.json()) == (413, {"detail": "The request is too large."})
    assert state(event) == (0, 0)


def test_create_10_mb_multipart_body_413(client, event):
    response = client.post(url(event), {**VALID, "name": "x" * (10 * 1024 * 1024)}, format="multipart")
    assert (response.status_code, response.json()) == (413, {"detail": "The request is too large."})
    assert state(event) == (0, 0)


def test_create_body_just_under_limit_not_413(client, event):
    body = json.dumps({**VALID, "name": "x" * (1024 * 1024 - 100)})
    response = client.post(url(event), body, content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"name": ["Ensure this field has no more than 200 characters."]},
    )


# --- Conflicts: 409 {code, detail} ---------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"registration_closes_at": brussels(2025, 10, 1)}, "registration_closed"),
        ({"registration_opens_at": brussels(2036, 10, 20)}, "registration_not_open"),
        ({"status": Event.Status.CANCELLED}, "event_cancelled"),
        ({"capacity": None}, "registration_not_required"),
        ({"capacity": 2}, "too_many_seats"),
        ({"starts_at": brussels(2025, 10, 1, 19), "ends_at": brussels(2025, 10, 1, 21)}, "event_past"),
    ],
)
def test_create_impossible_409(client, event, changes, code):
    Event.objects.filter(pk=event.pk).update(**changes)
    response = client.post(url(event), {**VALID, "seats": 3}, format="json")
    assert (response.status_code, response.json()) == (409, {"code": code, "detail": message(code)})
    assert state(event) == (0, 0)


def test_create_full_without_waiting_list_409(client, event):
    Event.objects.filter(pk=event.pk).update(waitlist_enabled=False)
    RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=4)
    response = client.post(url(event), {**VALID, "seats": 3}, format="json")
    assert (response.status_code, response.json()) == (409, {"code": "event_full", "detail": message("event_full")})
    assert state(event) == (2, 8)


def test_create_waiting_list_full_409(client, event):
    Event.objects.filter(pk=event.pk).update(waitlist_limit=3)
    RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=3)  # waits: 3 seats on the waiting list, its limit
    response = client.post(url(event), {**VALID, "seats": 3}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {"code": "waitlist_full", "detail": message("waitlist_full")},
    )
    assert state(event) == (3, 8)


def test_create_same_email_409(client, event):
    assert client.post(url(event), {**VALID, "email": "Ann@X.org"}, format="json").status_code == 201
    response = client.post(url(event), {**VALID, "email": "ann@x.org"}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {"code": "already_registered", "detail": "This e-mail address is already registered for this activity."},
    )
    assert state(event) == (1, 1)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_create_409_detail_in_request_language(event, lang):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    response = APIClient(HTTP_ACCEPT_LANGUAGE=lang).post(url(event), VALID, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "event_cancelled", "detail": message("event_cancelled", lang)}


# --- Rate limit --------------------------------------------------------------------


def test_rate_limit_fourth_attempt_429(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    statuses = [
        client.post(url(event), {**VALID, "email": f"person{n}@example.org"}, format="json").status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 201]
    response = client.post(url(event), {**VALID, "email": "person3@example.org"}, format="json")
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many registration attempts from your address. Wait a minute and try again."
    }
    assert state(event) == (3, 3)


def test_rate_limit_counts_failed_attempts(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.post(url(event), {}, format="json").status_code == 400
    assert client.post(url(event), VALID, format="json").status_code == 429
    assert state(event) == (0, 0)


def test_rate_limit_per_address(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    for n in range(3):
        client.post(url(event), {**VALID, "email": f"person{n}@example.org"}, format="json")
    other = client.post(url(event), VALID, format="json", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 201


def test_rate_limit_off_never_limited(client, event, settings):
    settings.REGISTRATION_RATE_LIMIT = "off"
    statuses = {
        client.post(url(event), {**VALID, "email": f"person{n}@example.org"}, format="json").status_code
        for n in range(15)
    }
    assert statuses == {201}
    assert state(event) == (15, 10)


def test_rate_limit_shared_by_api_and_web_form(client, event, settings, rate_window):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    for n in range(3):
        client.post(url(event), {**VALID, "email": f"person{n}@example.org"}, format="json")
    response = client.post(
        f"/en/events/{event.pk}/register/",
        {"name": "Web", "email": "web@example.org", "seats": "1", "language": "en", "consent": "on"},
    )
    assert response.status_code == 429
    assert "Too many registration attempts from your address." in response.content.decode()
    assert state(event) == (3, 3)


# --- Who may do what: the list ------------------------------------------------------

DENIED_LIST = {"detail": "Only organisers and the activity's association can see its registrations."}
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
#: Who may see an event's registrations (the list and the CSV export alike).
SEE_REGISTRATIONS = [
    ("anonymous", 401),
    ("user", 403),
    ("door", 403),
    ("member", 200),
    ("other_member", 403),
    ("organiser", 200),
]


@pytest.mark.parametrize(("role", "expected"), SEE_REGISTRATIONS)
def test_list_by_role(event, role, expected):
    RegistrationFactory(event=event)
    response = client_as(role, event).get(url(event))
    assert response.status_code == expected
    if expected == 401:
        assert response.json() == NOT_AUTHENTICATED
    elif expected == 403:
        assert response.json() == DENIED_LIST


def test_list_exact_rows(event):
    ann = RegistrationFactory(event=event, name="Ann", email="ann@example.org", seats=4, language="nl")
    bob = RegistrationFactory(event=event, name="Bob", email="bob@example.org", seats=4)
    cat = RegistrationFactory(event=event, name="Cat", email="cat@example.org", seats=3)
    services.registration_cancel(registration_id=bob.pk)
    services.checkin_manual(registration_id=ann.pk, event_id=event.pk, nonce=None, user=None)
    other_event = EventFactory(edition=event.edition)
    RegistrationFactory(event=other_event)
    response = client_as("organiser", event).get(url(event))
    assert response.status_code == 200
    ann.refresh_from_db()
    bob.refresh_from_db()
    cat.refresh_from_db()

    def row(r: Registration) -> dict:
        return {
            "id": r.pk,
            "code": r.code,
            "name": r.name,
            "email": r.email,
            "seats": r.seats,
            "language": r.language,
            "status": r.status,
            "created_at": iso(r.created_at),
            "confirmed_at": iso(r.confirmed_at),
            "cancelled_at": iso(r.cancelled_at),
            "checked_in_at": iso(r.checked_in_at),
        }

    assert response.json() == {"count": 3, "next": None, "previous": None, "results": [row(ann), row(bob), row(cat)]}
    assert (ann.status, bob.status, cat.status) == ("confirmed", "cancelled", "confirmed")
    waiting = client_as("member", event).get(url(event), {"status": "cancelled"})
    assert [r["name"] for r in waiting.json()["results"]] == ["Bob"]


def test_list_unknown_status_400(event):
    response = client_as("organiser", event).get(url(event), {"status": "gone"})
    assert (response.status_code, response.json()) == (400, {"status": ["Unknown status."]})


def test_list_unknown_event_404(event):
    assert client_as("organiser", event).get(f"/api/v1/events/{event.pk + 1000}/registrations/").status_code == 404


def test_list_queries_do_not_grow(event, django_assert_max_num_queries):
    Event.objects.filter(pk=event.pk).update(capacity=500, max_seats_per_registration=1)
    for _ in range(120):
        RegistrationFactory(event=event)
    client = client_as("organiser", event)
    with django_assert_max_num_queries(6):
        response = client.get(url(event), {"page_size": 500})
    assert len(response.json()["results"]) == 120


# --- Who may do what: cancelling ----------------------------------------------------


def detail_url(event: Event, registration: Registration) -> str:
    return f"/api/v1/events/{event.pk}/registrations/{registration.pk}/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("user", 403), ("door", 403), ("member", 403), ("other_member", 403)],
)
def test_delete_refused_by_role(event, role, expected):
    registration = RegistrationFactory(event=event)
    response = client_as(role, event).delete(detail_url(event, registration))
    assert response.status_code == expected
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert state(event) == (1, 1)


def test_delete_organiser_204_frees_and_promotes(event):
    ann = RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=4)
    RegistrationFactory(event=event, seats=3)  # waits: 2 left
    dan = RegistrationFactory(event=event, seats=2)  # fits in the 2 left: confirmed
    client = client_as("organiser", event)
    response = client.delete(detail_url(event, ann))
    assert (response.status_code, response.content) == (204, b"")
    assert list(Registration.objects.order_by("pk").values_list("seats", "status", "cancelled_by")) == [
        (4, "cancelled", "organiser"),
        (4, "confirmed", ""),
        (3, "confirmed", ""),
        (2, "confirmed", ""),
    ]
    assert state(event) == (4, 9)
    ann.refresh_from_db()
    cancelled_at = ann.cancelled_at
    again = client.delete(detail_url(event, ann))
    assert again.status_code == 204
    ann.refresh_from_db()
    assert ann.cancelled_at == cancelled_at
    assert state(event) == (4, 9)
    assert dan.status == "confirmed"


def test_delete_wrong_event_404(event):
    registration = RegistrationFactory(event=event)
    other = EventFactory(edition=event.edition)
    client = client_as("organiser", event)
    assert client.delete(f"/api/v1/events/{other.pk}/registrations/{registration.pk}/").status_code == 404
    assert client.delete(f"/api/v1/events/{event.pk}/registrations/{registration.pk + 1000}/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_delete_checked_in_409(event):
    registration = RegistrationFactory(event=event)
    services.checkin_manual(registration_id=registration.pk, event_id=event.pk, nonce=None, user=None)
    response = client_as("organiser", event).delete(detail_url(event, registration))
    assert (response.status_code, response.json()) == (
        409,
        {"code": "already_checked_in", "detail": message("already_checked_in")},
    )
    assert state(event) == (1, 1)


# --- Who may do what: the export ---------------------------------------------------


def export_url(event: Event) -> str:
    return f"/api/v1/events/{event.pk}/registrations/export/"


@pytest.mark.parametrize(("role", "expected"), SEE_REGISTRATIONS)
def test_export_by_role(event, role, expected):
    RegistrationFactory(event=event)
    response = client_as(role, event).get(export_url(event))
    assert response.status_code == expected
    if expected == 401:
        assert response.json() == NOT_AUTHENTICATED
    elif expected == 403:
        assert response.json() == DENIED_LIST  # was an empty body before the contract test


def test_export_exact_csv(event):
    ann = RegistrationFactory(event=event, name="=cmd|' /C calc'!A0", email="ann@example.org", seats=2)
    bob = RegistrationFactory(event=event, name="Bob Dupont", email="bob@example.org", language="nl")
    cat = RegistrationFactory(event=event, name="+32 Cat", email="cat@example.org")
    dan = RegistrationFactory(event=event, name="@Dan, -Dan", email="dan@example.org", seats=4)
    eve = RegistrationFactory(event=event, name="Eve", email="eve@example.org", seats=4)  # waits
    services.registration_cancel(registration_id=cat.pk)
    services.checkin_manual(registration_id=bob.pk, event_id=event.pk, nonce=None, user=None)
    for r in (ann, bob, cat, dan, eve):
        r.refresh_from_db()
    response = client_as("organiser", event).get(export_url(event))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="registrations-event-{event.pk}.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Booking code", "Name", "E-mail", "Seats", "Language", "Status", "Registered at", "Checked in at"],
        [ann.code, "'=cmd|' /C calc'!A0", "ann@example.org", "2", "fr", "Confirmed", _seconds(ann.created_at), ""],
        [bob.code, "Bob Dupont", "bob@example.org", "1", "nl", "Confirmed", _seconds(bob.created_at),
         _seconds(bob.checked_in_at)],
        [cat.code, "'+32 Cat", "cat@example.org", "1", "fr", "Cancelled", _seconds(cat.created_at), ""],
        [dan.code, "'@Dan, -Dan", "dan@example.org", "4", "fr", "Confirmed", _seconds(dan.created_at), ""],
        [eve.code, "Eve", "eve@example.org", "4", "fr", "On the waiting list", _seconds(eve.created_at), ""],
    ]  # fmt: skip


def _seconds(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def test_export_header_in_request_language(event):
    RegistrationFactory(event=event)
    client = client_as("organiser", event)
    response = client.get(export_url(event), HTTP_ACCEPT_LANGUAGE="fr")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    with translation.override("fr"):
        assert header == [
            str(translation.gettext(label))
            for label in (
                "Booking code",
                "Name",
                "E-mail",
                "Seats",
                "Language",
                "Status",
                "Registered at",
                "Checked in at",
            )
        ]


def test_export_only_this_event(event):
    RegistrationFactory(event=event, name="Ann")
    RegistrationFactory(event=EventFactory(edition=event.edition), name="Other")
    rows = list(csv.reader(io.StringIO(client_as("member", event).get(export_url(event)).content.decode()[1:])))
    assert [row[1] for row in rows[1:]] == ["Ann"]


def test_export_queries_do_not_grow(event, django_assert_max_num_queries):
    Event.objects.filter(pk=event.pk).update(capacity=500)
    for _ in range(100):
        RegistrationFactory(event=event)
    client = client_as("organiser", event)
    with django_assert_max_num_queries(6):
        response = client.get(export_url(event))
    assert len(response.content.decode().splitlines()) == 101


# --- Who may do what: the door ----------------------------------------------------

DOOR_ROLES = [
    ("anonymous", 401),
    ("user", 403),
    ("door", 200),
    ("member", 403),
    ("other_member", 403),
    ("organiser", 200),
]


@pytest.mark.parametrize(("role", "expected"), DOOR_ROLES)
def test_checkin_by_role(event, role, expected):
    registration = RegistrationFactory(event=event)
    response = client_as(role, event).post(
        "/api/v1/checkins/", {"registration": registration.pk, "event": event.pk}, format="json"
    )
    assert response.status_code == expected
    registration.refresh_from_db()
    assert (registration.checked_in_at is not None) == (expected == 200)
    assert CheckIn.objects.count() == (1 if expected == 200 else 0)
    if expected == 403:
        assert response.json() == {"detail": "Only door staff and organisers can check tickets in."}


@pytest.mark.parametrize(("role", "expected"), DOOR_ROLES)
def test_checkin_stats_by_role(event, role, expected):
    assert client_as(role, event).get(f"/api/v1/events/{event.pk}/checkins/stats/").status_code == expected


@pytest.mark.parametrize(("role", "expected"), DOOR_ROLES)
def test_attendees_by_role(event, role, expected):
    RegistrationFactory(event=event, name="Ann Peeters")
    response = client_as(role, event).get(f"/api/v1/events/{event.pk}/attendees/", {"q": "pee"})
    assert response.status_code == expected
    if expected == 200:
        assert [r["name"] for r in response.json()] == ["Ann Peeters"]


@pytest.mark.parametrize(("role", "expected"), DOOR_ROLES)
def test_ticket_key_by_role(event, role, expected):
    response = client_as(role, event).get(f"/api/v1/editions/{event.edition.slug}/ticket-key/")
    assert response.status_code == expected
    if expected == 200:
        assert set(response.json()) == {"edition", "algorithm", "public_key"}


INVISIBLE_NAMES = [
    "\u200b\u200b",  # zero-width spaces
    "\u202e\u2066",  # bidi overrides and isolates
    "\u3164",  # Hangul filler
    "\u2800 \u00a0",  # blank braille, no-break space
    "\ufeff\u200d\u0301",  # BOM, zero-width joiner, a combining accent alone
]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_create_invisible_name_400(client, event, name):
    response = client.post(url(event), {"name": name, "email": "ann@example.org"}, format="json")
    assert (response.status_code, response.json()) == (400, {"name": ["Give a name."]})
    assert Registration.objects.count() == 0


def test_create_bidi_controls_stripped_from_a_visible_name(client, event):
    response = client.post(
        url(event), {"name": "  Ann\u202e Peeters\u2066\u200f ", "email": "ann@example.org"}, format="json"
    )
    assert response.status_code == 201
    assert Registration.objects.get().name == "Ann Peeters"
