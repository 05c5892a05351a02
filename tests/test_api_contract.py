"""Every answer of the API is the one docs/openapi.yaml documents: its status is listed
for that operation, its media type too, and a JSON body validates against the
documented schema (drf-spectacular's own validator, jsonschema, does the checking).

Each operation is called here for its success and for each error it documents, by
the roles that get them, so that the published schema cannot drift from the code.
"""

from __future__ import annotations

import re

import pytest
import yaml
from jsonschema import Draft7Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations import services
from registrations.tickets import make_token
from tests.factories import (
    PASSWORD,
    AssociationMemberFactory,
    DoorStaffFactory,
    OrganiserFactory,
    RegistrationFactory,
    UserFactory,
    VenueFactory,
)
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db

OPENAPI = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())


def _as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` in JSON Schema terms (the rest is the same)."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


COMPONENTS = _as_json_schema(OPENAPI["components"])


def _template(path: str) -> str:
    """The documented path template that a concrete path matches (literal segments first:
    `.../registrations/export/` before `.../registrations/{registration_id}/`)."""
    for template in sorted(OPENAPI["paths"], key=lambda t: t.count("{")):
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path):
            return template
    raise AssertionError(f"{path} is not in docs/openapi.yaml")


def documented(response, method: str, path: str) -> None:
    """Fail unless `response` is one that docs/openapi.yaml documents for `method path`."""
    operation = OPENAPI["paths"][_template(path.split("?")[0])][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {path}: {status} is not documented"
    content = operation["responses"][status].get("content")
    if content is None:
        assert response.content == b"", f"{method.upper()} {path}: {status} documented without a body"
        return
    media = response["Content-Type"].split(";")[0]
    assert media in content, f"{method.upper()} {path}: {status} {media} is not documented"
    if media == "application/json":
        schema = {**_as_json_schema(content[media]["schema"]), "components": COMPONENTS}
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft7Validator(schema).iter_errors(response.json())
        ]
        assert errors == [], f"{method.upper()} {path}: {status} does not match the schema"


def call(client: APIClient, method: str, path: str, data=None, *, expected: int, **extra):
    response = (
        getattr(client, method)(path, data, format="json", **extra)
        if data is not None
        else getattr(client, method)(path, **extra)
    )
    assert response.status_code == expected, (method, path, response.status_code, response.content[:300])
    documented(response, method, path)
    return response


@pytest.fixture
def event(make_event):
    return make_event(capacity=3, max_seats_per_registration=2)


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def clients(event):
    return {
        "anonymous": client_for(),
        "user": client_for(UserFactory()),
        "door": client_for(DoorStaffFactory()),
        "member": client_for(AssociationMemberFactory(association=event.association)),
        "organiser": client_for(OrganiserFactory()),
    }


def test_events(clients, event, current_edition, settings):
    anonymous, organiser, door = clients["anonymous"], clients["organiser"], clients["door"]
    call(anonymous, "get", "/api/v1/events/", expected=200)
    call(anonymous, "get", "/api/v1/events/?date=tomorrow", expected=400)
    call(anonymous, "get", "/api/v1/events/?page=9", expected=404)
    call(anonymous, "get", f"/api/v1/events/{event.pk}/", expected=200)
    call(anonymous, "get", "/api/v1/events/999999/", expected=404)
    new = {
        "edition": current_edition.slug,
        "category": "concert",
        "title_en": "Concert for peace",
        "languages": ["none"],
        "venue": VenueFactory().pk,
        "starts_at": "2036-10-25T20:00:00+02:00",
        "ends_at": "2036-10-25T22:30:00+02:00",
        "capacity": 120,
    }
    created = call(organiser, "post", "/api/v1/events/", new, expected=201).json()
    call(organiser, "post", "/api/v1/events/", {**new, "title_en": "Same hall"}, expected=409)  # venue taken
    call(organiser, "post", "/api/v1/events/", {**new, "capacity": -1}, expected=400)
    call(organiser, "post", "/api/v1/events/", {**new, "languages": ["xx"]}, expected=400)  # nested errors
    malformed = organiser.post("/api/v1/events/", b"{", content_type="application/json")
    assert malformed.status_code == 400
    documented(malformed, "post", "/api/v1/events/")
    call(anonymous, "post", "/api/v1/events/", new, expected=401)
    call(door, "post", "/api/v1/events/", new, expected=403)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    call(organiser, "post", "/api/v1/events/", {**new, "description_en": "x" * 2000}, expected=413)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    call(organiser, "patch", f"/api/v1/events/{event.pk}/", {"capacity": 5}, expected=200)
    call(organiser, "patch", f"/api/v1/events/{event.pk}/", {"starts_at": "soon"}, expected=400)
    call(organiser, "patch", "/api/v1/events/999999/", {"capacity": 5}, expected=404)
    onto = {"venue": created["venue"]["id"], "starts_at": new["starts_at"], "ends_at": new["ends_at"]}
    call(organiser, "patch", f"/api/v1/events/{event.pk}/", onto, expected=409)
    call(anonymous, "patch", f"/api/v1/events/{event.pk}/", {"capacity": 5}, expected=401)
    call(door, "patch", f"/api/v1/events/{event.pk}/", {"capacity": 5}, expected=403)


def test_registrations(clients, event, settings, rate_window):
    anonymous, organiser, door, member = clients["anonymous"], clients["organiser"], clients["door"], clients["member"]
    registrations = f"/api/v1/events/{event.pk}/registrations/"
    body = {"name": "Ann", "email": "ann@example.org", "seats": 2}
    call(anonymous, "post", registrations, body, expected=201)  # confirmed
    call(anonymous, "post", registrations, {**body, "email": "bob@example.org"}, expected=201)  # waitlisted
    call(anonymous, "post", registrations, {**body, "seats": 0}, expected=400)
    call(anonymous, "post", "/api/v1/events/999999/registrations/", body, expected=404)
    call(anonymous, "post", registrations, body, expected=409)  # already registered
    for role in ("organiser", "member"):
        call(clients[role], "get", registrations, expected=200)
        call(clients[role], "get", f"{registrations}?status=waitlisted", expected=200)
    call(organiser, "get", f"{registrations}?status=lost", expected=400)
    call(anonymous, "get", registrations, expected=401)
    call(door, "get", registrations, expected=403)
    call(organiser, "get", "/api/v1/events/999999/registrations/", expected=404)
    export = f"{registrations}export/"
    call(member, "get", export, expected=200)
    call(anonymous, "get", export, expected=401)
    call(door, "get", export, expected=403)
    call(organiser, "get", "/api/v1/events/999999/registrations/export/", expected=404)
    settings.REGISTRATION_RATE_LIMIT = "1/m"
    call(anonymous, "post", registrations, {**body, "email": "carl@example.org"}, expected=201)
    call(anonymous, "post", registrations, {**body, "email": "dirk@example.org"}, expected=429)


def test_cancel_registration(clients, event):
    ann, bob = RegistrationFactory(event=event), RegistrationFactory(event=event)
    services.checkin_manual(registration_id=bob.pk, event_id=event.pk, nonce=None, user=None)
    path = f"/api/v1/events/{event.pk}/registrations/{ann.pk}/"
    call(clients["anonymous"], "delete", path, expected=401)
    call(clients["member"], "delete", path, expected=403)
    call(clients["organiser"], "delete", path, expected=204)
    call(clients["organiser"], "delete", f"/api/v1/events/{event.pk}/registrations/999999/", expected=404)
    call(clients["organiser"], "delete", f"/api/v1/events/{event.pk}/registrations/{bob.pk}/", expected=409)


def test_door(clients, event, current_edition, settings):
    anonymous, door, user = clients["anonymous"], clients["door"], clients["user"]
    ann = RegistrationFactory(event=event, name="Ann Peeters")
    scan = {"secret": make_token(ann), "event": event.pk, "nonce": "n-1"}
    call(door, "post", "/api/v1/checkins/", scan, expected=200)  # ok
    call(door, "post", "/api/v1/checkins/", {**scan, "nonce": "n-2"}, expected=200)  # already checked in
    call(door, "post", "/api/v1/checkins/", {**scan, "secret": "A" * 100, "nonce": "n-3"}, expected=200)  # invalid
    call(door, "post", "/api/v1/checkins/", {"event": event.pk}, expected=400)
    call(anonymous, "post", "/api/v1/checkins/", scan, expected=401)
    call(user, "post", "/api/v1/checkins/", scan, expected=403)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    call(door, "post", "/api/v1/checkins/", {**scan, "secret": "A" * 2000}, expected=413)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    for path in (f"/api/v1/events/{event.pk}/checkins/stats/", f"/api/v1/events/{event.pk}/attendees/?q=ann"):
        call(door, "get", path, expected=200)
        call(anonymous, "get", path, expected=401)
        call(user, "get", path, expected=403)
    call(door, "get", "/api/v1/events/999999/checkins/stats/", expected=404)
    call(door, "get", "/api/v1/events/999999/attendees/?q=ann", expected=404)
    call(door, "get", f"/api/v1/events/{event.pk}/attendees/?q=a", expected=400)
    key = f"/api/v1/editions/{current_edition.slug}/ticket-key/"
    call(door, "get", key, expected=200)
    call(anonymous, "get", key, expected=401)
    call(user, "get", key, expected=403)
    call(door, "get", "/api/v1/editions/1999/ticket-key/", expected=404)


def test_stats(clients, event, current_edition):
    stats = f"/api/v1/editions/{current_edition.slug}/stats/"
    call(clients["organiser"], "get", stats, expected=200)
    call(clients["anonymous"], "get", stats, expected=401)
    call(clients["door"], "get", stats, expected=403)
    call(clients["member"], "get", stats, expected=403)
    call(clients["organiser"], "get", "/api/v1/editions/1999/stats/", expected=404)


def test_proposals(clients, event, current_edition):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    current_edition.call_opens_at = now - datetime.timedelta(days=1)
    current_edition.call_closes_at = now + datetime.timedelta(days=5)
    current_edition.save()
    member, organiser, door = clients["member"], clients["organiser"], clients["door"]
    body = {
        "edition": current_edition.slug,
        "title_en": "Songs of peace",
        "category": "concert",
        "slots": [{"starts_at": "2036-10-25T20:00:00+02:00", "ends_at": "2036-10-25T22:00:00+02:00"}],
        "venue": VenueFactory().pk,
        "capacity": 80,
        "contact_email": "songs@example.org",
    }
    created = call(member, "post", "/api/v1/proposals/", body, expected=201).json()
    call(member, "post", "/api/v1/proposals/", {**body, "capacity": 0}, expected=400)
    call(organiser, "post", "/api/v1/proposals/", body, expected=403)
    call(clients["anonymous"], "post", "/api/v1/proposals/", body, expected=401)
    one = f"/api/v1/proposals/{created['id']}/"
    call(member, "get", "/api/v1/proposals/", expected=200)
    call(organiser, "get", "/api/v1/proposals/?state=submitted", expected=200)
    call(organiser, "get", "/api/v1/proposals/?state=nonsense", expected=400)
    call(door, "get", "/api/v1/proposals/", expected=403)
    call(clients["anonymous"], "get", "/api/v1/proposals/", expected=401)
    call(member, "get", one, expected=200)
    call(member, "get", "/api/v1/proposals/999999/", expected=404)
    call(member, "patch", one, {"capacity": 90}, expected=200)
    call(member, "patch", one, {"capacity": -1}, expected=400)
    call(organiser, "patch", one, {"capacity": 90}, expected=403)
    transitions = f"{one}transitions/"
    call(organiser, "post", transitions, {"action": "accept"}, expected=409)
    call(member, "post", transitions, {"action": "nonsense"}, expected=400)
    call(member, "post", transitions, {"action": "submit"}, expected=200)
    call(member, "patch", one, {"capacity": 95}, expected=409)
    call(organiser, "post", transitions, {"action": "accept"}, expected=200)
    call(door, "post", transitions, {"action": "accept"}, expected=403)
    call(member, "post", "/api/v1/proposals/999999/transitions/", {"action": "submit"}, expected=404)
    current_edition.call_closes_at = now - datetime.timedelta(minutes=1)
    current_edition.save()
    call(member, "post", "/api/v1/proposals/", body, expected=409)


def test_token(clients):
    UserFactory(username="ann")
    body = {"username": "ann", "password": PASSWORD}
    call(clients["anonymous"], "post", "/api/v1/auth/token/", body, expected=200)
    call(clients["anonymous"], "post", "/api/v1/auth/token/", {**body, "password": "wrong"}, expected=400)


def test_unknown_api_url_json_404_in_client_language(client):
    for lang, detail in (("en", "Not found."), ("fr", "Pas trouvé."), ("nl", "Niet gevonden.")):
        response = client.get("/api/v1/events/1/nothing-here/", HTTP_ACCEPT_LANGUAGE=lang)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json")
        assert response.json() == {"detail": detail}
    page = client.get("/en/nothing-here/")
    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")
