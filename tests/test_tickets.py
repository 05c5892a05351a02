"""QR tickets (SPEC section 5, "Tickets"): the signed token, verifying it with the edition's public
key alone, the PNG and SVG images decoded back, and forged, altered or foreign tickets refused."""

from __future__ import annotations

import base64
import datetime
import re
import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib import admin
from django.utils import timezone
from rest_framework.test import APIClient

from registrations import links, services, tickets
from registrations.models import TicketKey
from registrations.tickets import InvalidTicket, TicketClaims, make_token, verify_token, verify_with_public_key
from tests.factories import (
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    OrganiserFactory,
    RegistrationFactory,
)
from tests.qrdecode import decode_png, decode_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_event):
    return make_event(capacity=3)


@pytest.fixture
def registration(event):
    return RegistrationFactory(event=event, name="Ann Peeters", seats=2)


@pytest.fixture
def door() -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(DoorStaffFactory())
    return client


@pytest.fixture
def other_edition(db):
    return EditionFactory(
        year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19), ends_on=datetime.date(2037, 11, 1)
    )


def scan(door: APIClient, token: str, event_id: int) -> dict:
    response = door.post("/api/v1/checkins/", {"secret": token, "event": event_id}, format="json")
    assert response.status_code == 200
    return response.json()


def raw_private_key(edition_id: int) -> bytes:
    key = TicketKey.objects.get(edition_id=edition_id)
    private = tickets._private_key(edition_id, tickets.public_key_fingerprint(bytes(key.public_key)))
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def sign(header: bytes, private_raw: bytes) -> str:
    signature = Ed25519PrivateKey.from_private_bytes(private_raw).sign(header)
    return base64.urlsafe_b64encode(header + signature).rstrip(b"=").decode()


INVALID = {"result": "invalid", "registration": None, "first_checked_in_at": None}


# --- The token ----------------------------------------------------------------


def test_token_100_chars_round_trip(registration, event):
    token = make_token(registration)
    assert len(token) == 100
    assert re.fullmatch(r"[A-Za-z0-9_-]{100}", token)
    assert verify_token(token) == TicketClaims(
        edition_id=event.edition_id, event_id=event.pk, registration_id=registration.pk
    )


def test_token_deterministic_and_one_key_per_edition(registration, event):
    second = RegistrationFactory(event=event)
    assert make_token(registration) == make_token(registration)
    assert make_token(registration) != make_token(second)
    assert TicketKey.objects.filter(edition=event.edition).count() == 1


def test_token_holds_no_personal_data(registration):
    raw = base64.urlsafe_b64decode(make_token(registration) + "=")
    assert struct.unpack(">BHII", raw[:11]) == (
        1,
        registration.event.edition_id,
        registration.event_id,
        registration.pk,
    )
    assert len(raw) == 75


def test_verify_with_public_key_from_ticket_key_api(registration, event, door):
    token = make_token(registration)
    response = door.get(f"/api/v1/editions/{event.edition.slug}/ticket-key/")
    assert response.status_code == 200
    body = response.json()
    public = base64.b64decode(body["public_key"])
    assert body == {"edition": event.edition.slug, "algorithm": "Ed25519", "public_key": body["public_key"]}
    assert public == bytes(TicketKey.objects.get(edition=event.edition).public_key)
    assert len(public) == 32
    assert verify_with_public_key(token, public) == TicketClaims(event.edition_id, event.pk, registration.pk)


def test_verify_with_public_key_of_other_edition_invalid(registration, other_edition, door):
    token = make_token(registration)
    response = door.get(f"/api/v1/editions/{other_edition.slug}/ticket-key/")
    other_public = base64.b64decode(response.json()["public_key"])
    with pytest.raises(InvalidTicket):
        verify_with_public_key(token, other_public)
    with pytest.raises(InvalidTicket):
        verify_with_public_key(token, b"short")


def test_ticket_key_unknown_edition_404(door):
    assert door.get("/api/v1/editions/1999/ticket-key/").status_code == 404


# --- The images, decoded ---------------------------------------------------------------


def test_qr_png_decodes_to_verified_token(registration, event):
    qr_url = links.registration_links(registration)["qr_url"]
    response = APIClient().get(qr_url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert response["Cache-Control"] == "private, max-age=86400"
    decoded = decode_png(response.content)
    assert decoded == [make_token(registration)]
    assert verify_token(decoded[0]) == TicketClaims(event.edition_id, event.pk, registration.pk)


def test_qr_svg_decodes_to_verified_token(registration, event):
    svg_url = links.registration_links(registration)["qr_svg_url"]
    assert svg_url.endswith("/qr.svg")
    response = APIClient().get(svg_url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    decoded = decode_svg(response.content)
    assert decoded == [make_token(registration)]
    assert verify_token(decoded[0]) == TicketClaims(event.edition_id, event.pk, registration.pk)


def test_qr_from_api_answer_decodes(event):
    body = APIClient().post(
        f"/api/v1/events/{event.pk}/registrations/", {"name": "Bob", "email": "bob@example.org"}, format="json"
    )
    assert body.status_code == 201
    png = APIClient().get(body.json()["qr_url"])
    claims = verify_token(decode_png(png.content)[0])
    assert claims == TicketClaims(event.edition_id, event.pk, body.json()["id"])


def test_ticket_page_inline_svg_decodes(registration):
    page = APIClient().get(links.registration_links(registration)["ticket_url"])
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert decode_svg(svg) == [make_token(registration)]


def test_qr_unknown_format_404(registration):
    secret = links.ticket_secret(registration)
    for fmt in ("gif", "jpg", "PNG", "png.png"):
        assert APIClient().get(f"/tickets/{secret}/qr.{fmt}").status_code == 404


def test_qr_of_waitlisted_or_cancelled_404(event, registration):
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, seats=2)
    assert waiting.status == "waitlisted"
    for fmt in ("png", "svg"):
        assert APIClient().get(f"/tickets/{links.ticket_secret(waiting)}/qr.{fmt}").status_code == 404
    services.registration_cancel(registration_id=registration.pk)
    for fmt in ("png", "svg"):
        assert APIClient().get(f"/tickets/{links.ticket_secret(registration)}/qr.{fmt}").status_code == 404


# --- Forged, altered, foreign ---------------------------------------------------------


def test_every_changed_character_invalid(registration):
    token = make_token(registration)
    for i, char in enumerate(token):
        changed = token[:i] + ("B" if char != "B" else "C") + token[i + 1 :]
        with pytest.raises(InvalidTicket):
            verify_token(changed)


def test_flipped_bit_checkin_invalid(registration, event, door):
    token = make_token(registration)
    raw = bytearray(base64.urlsafe_b64decode(token + "="))
    raw[40] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert scan(door, flipped, event.pk) == INVALID
    registration.refresh_from_db()
    assert registration.checked_in_at is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],
        lambda t: t[:50],
        lambda t: t + "A",
        lambda t: t + "==",
        lambda t: t.replace(t[10], "+", 1),
        lambda t: t.upper(),
        lambda t: "",
        lambda t: "é" * 100,
        lambda t: " " + t[1:],
        lambda t: base64.urlsafe_b64encode(b"\x01" + b"\x00" * 74).decode().rstrip("="),
    ],
)
def test_malformed_token_invalid(registration, event, door, mangle):
    token = mangle(make_token(registration))
    with pytest.raises(InvalidTicket):
        verify_token(token)
    if token.strip():
        assert scan(door, token, event.pk) == INVALID


def test_other_version_invalid(registration):
    token = make_token(registration)
    raw = bytearray(base64.urlsafe_b64decode(token + "="))
    raw[0] = 2
    with pytest.raises(InvalidTicket):
        verify_token(base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode())


def test_other_edition_key_claiming_this_edition_invalid(registration, event, other_edition, door):
    other_event = EventFactory(edition=other_edition, capacity=5)
    make_token(RegistrationFactory(event=other_event))  # the other edition now has its key
    header = struct.pack(">BHII", 1, event.edition_id, event.pk, registration.pk)
    forged = sign(header, raw_private_key(other_edition.pk))
    with pytest.raises(InvalidTicket):
        verify_token(forged)
    assert scan(door, forged, event.pk) == INVALID


def test_made_up_key_invalid(registration, event, door):
    header = struct.pack(">BHII", 1, event.edition_id, event.pk, registration.pk)
    forged = sign(header, Ed25519PrivateKey.generate().private_bytes_raw())
    assert scan(door, forged, event.pk) == INVALID


def test_unknown_edition_invalid(registration, event, door):
    header = struct.pack(">BHII", 1, 4321, event.pk, registration.pk)
    forged = sign(header, Ed25519PrivateKey.generate().private_bytes_raw())
    with pytest.raises(InvalidTicket):
        verify_token(forged)
    assert scan(door, forged, event.pk) == INVALID


def test_genuine_token_of_deleted_registration_invalid(event, door):
    # A header signed with the real key but naming a registration that does not exist.
    registration = RegistrationFactory(event=event)
    make_token(registration)
    header = struct.pack(">BHII", 1, event.edition_id, event.pk, registration.pk + 1000)
    assert scan(door, sign(header, raw_private_key(event.edition_id)), event.pk) == INVALID


def test_cancelled_registration_checkin_cancelled(registration, event, door):
    token = make_token(registration)
    services.registration_cancel(registration_id=registration.pk)
    assert scan(door, token, event.pk) == {
        "result": "cancelled",
        "registration": {"code": registration.code, "name": "Ann Peeters", "seats": 2, "event": event.pk},
        "first_checked_in_at": None,
    }


def test_waitlisted_registration_checkin_waitlisted(registration, event, door):
    waiting = RegistrationFactory(event=event, name="Bob", seats=2)
    assert waiting.status == "waitlisted"
    assert scan(door, make_token(waiting), event.pk) == {
        "result": "waitlisted",
        "registration": {"code": waiting.code, "name": "Bob", "seats": 2, "event": event.pk},
        "first_checked_in_at": None,
    }
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_ticket_for_other_event_wrong_event(registration, event, door, other_edition):
    same_edition = EventFactory(edition=event.edition, capacity=5)
    other_edition_event = EventFactory(edition=other_edition, capacity=5)
    token = make_token(registration)
    for elsewhere in (same_edition, other_edition_event):
        assert scan(door, token, elsewhere.pk) == {
            "result": "wrong_event",
            "registration": {"code": registration.code, "name": "Ann Peeters", "seats": 2, "event": event.pk},
            "first_checked_in_at": None,
            "ticket_event": {
                "id": event.pk,
                "title": event.title,
                "starts_at": timezone.localtime(event.starts_at).isoformat(),
            },
        }
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_stale_remembered_public_key_still_verifies(registration, event):
    from registrations import tickets

    token = make_token(registration)
    tickets._public_keys[event.edition_id] = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    assert verify_token(token) == TicketClaims(event.edition_id, event.pk, registration.pk)
    assert tickets._public_keys[event.edition_id] == bytes(event.edition.ticket_key.public_key)


# --- The private key stays private ------------------------------------------------------


def test_private_key_stored_encrypted(registration, event):
    make_token(registration)
    key = TicketKey.objects.get(edition=event.edition)
    private = raw_private_key(event.edition_id)
    stored = bytes(key.private_key_encrypted)
    assert len(private) == 32
    for form in (private, private.hex().encode(), base64.b64encode(private), base64.urlsafe_b64encode(private)):
        assert form not in stored
    public = Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    assert public == bytes(key.public_key)


def test_private_key_not_in_admin(registration, client):
    make_token(registration)
    assert TicketKey not in admin.site._registry
    client.force_login(OrganiserFactory(is_superuser=True))
    assert client.get("/en/admin/registrations/ticketkey/").status_code == 404


def test_private_key_in_no_api_answer(registration, event, door):
    organiser = APIClient()
    organiser.force_authenticate(OrganiserFactory())
    token = make_token(registration)
    private = raw_private_key(event.edition_id)
    forms = [private.hex(), base64.b64encode(private).decode(), base64.urlsafe_b64encode(private).decode()]
    forms += [f.rstrip("=") for f in forms]
    answers = [
        door.get(f"/api/v1/editions/{event.edition.slug}/ticket-key/"),
        organiser.get(f"/api/v1/editions/{event.edition.slug}/ticket-key/"),
        door.post("/api/v1/checkins/", {"secret": token, "event": event.pk}, format="json"),
        organiser.get(f"/api/v1/events/{event.pk}/registrations/"),
        organiser.get(f"/api/v1/events/{event.pk}/"),
        organiser.get("/api/v1/schema/"),
        APIClient().post(
            f"/api/v1/events/{event.pk}/registrations/", {"name": "Bob", "email": "bob@example.org"}, format="json"
        ),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201)
        text = answer.content.decode()
        assert not any(form in text for form in forms)
        assert "private_key" not in text
