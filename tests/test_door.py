"""The door pages without a browser: who may open them, which activities they list, what they load."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from programme.models import Event
from registrations import services
from registrations.models import CheckIn
from registrations.tickets import make_token
from tests.factories import (
    PASSWORD,
    DoorStaffFactory,
    EventFactory,
    OrganiserFactory,
    UserFactory,
    brussels,
    bulk_events,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def door_staff(db):
    return DoorStaffFactory(username="door")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _user(role: str, event: Event):
    if role == "anonymous":
        return None
    if role == "plain":
        return UserFactory()
    if role == "association":
        user = UserFactory()
        event.association.members.add(user)
        return user
    if role == "door":
        return DoorStaffFactory()
    return OrganiserFactory()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("plain", 403), ("association", 403), ("door", 200), ("organiser", 200)],
)
@pytest.mark.parametrize("page", ["index", "scanner"])
def test_door_pages_by_role(event, role, expected, page):
    url = "/en/door/" if page == "index" else f"/en/door/{event.pk}/"
    response = client_for(_user(role, event)).get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"/en/accounts/login/?next={url}"
    if expected == 403:
        assert "Your account cannot check tickets in." in response.content.decode()


def test_door_index_lists_the_day_in_brussels_time(current_edition, event, door_staff):
    exhibition = EventFactory(
        edition=current_edition,
        title_en="Exhibition",
        starts_at=brussels(2036, 10, 20, 10),
        ends_at=brussels(2036, 10, 25, 18),
        capacity=30,
    )
    just_after_midnight = EventFactory(
        edition=current_edition,
        title_en="Night walk",
        starts_at=brussels(2036, 10, 21, 0, 30),  # 20 October 22:30 UTC
        ends_at=brussels(2036, 10, 21, 2),
        capacity=20,
    )
    EventFactory(  # the next day in Brussels, though still the 21st in UTC
        edition=current_edition,
        starts_at=brussels(2036, 10, 22, 0, 30),
        ends_at=brussels(2036, 10, 22, 2),
    )
    EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 21, 12), capacity=None)  # no registration
    EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 21, 12), status=Event.Status.DRAFT)
    EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 21, 12), status=Event.Status.CANCELLED)

    response = client_for(door_staff).get("/en/door/", {"date": "2036-10-21"})

    assert response.status_code == 200
    assert [e.pk for e in response.context["events"]] == [exhibition.pk, just_after_midnight.pk, event.pk]
    body = response.content.decode()
    assert f'href="/en/door/{event.pk}/"' in body
    assert '<time datetime="2036-10-21">Tuesday 21 October 2036</time>' in body
    assert 'href="?date=2036-10-20"' in body
    assert 'href="?date=2036-10-22"' in body


def test_door_index_without_date_shows_today(door_staff):
    response = client_for(door_staff).get("/en/door/")
    assert response.status_code == 200
    assert response.context["day"] == response.context["today"]


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "2036-13-01",
        "2036-02-30",
        "20361021",
        "2036-10-21T10:00",
        "9999-12-31",
        "0001-01-01",
        "\u0662\u0660\u0663\u0666-10-21",
    ],
)
def test_door_index_bad_date_is_400(door_staff, value):
    response = client_for(door_staff).get("/en/door/", {"date": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert '<div class="alert" role="alert"><p>Give the date as YYYY-MM-DD, for example 2024-10-21.</p></div>' in (
        response.content.decode()
    )


def test_door_index_bad_date_in_french(door_staff):
    response = client_for(door_staff).get("/fr/door/", {"date": "demain"})
    assert response.status_code == 400
    assert "AAAA-MM-JJ" in response.content.decode()


def test_door_index_query_count_does_not_grow(current_edition, door_staff, django_assert_max_num_queries):
    events = bulk_events(60, edition=current_edition, venue_count=5)
    day = current_edition.starts_on
    client = client_for(door_staff)
    with django_assert_max_num_queries(6):
        response = client.get("/en/door/", {"date": day.isoformat()})
    assert response.status_code == 200
    expected = sorted((e.starts_at, e.pk) for e in events if timezone.localtime(e.starts_at).date() == day)
    assert len(expected) >= 4
    assert [e.pk for e in response.context["events"]] == [pk for _starts_at, pk in expected]


@pytest.mark.parametrize(
    "changes", [{"capacity": None}, {"status": Event.Status.DRAFT}, {"status": Event.Status.CANCELLED}]
)
def test_door_scanner_of_an_event_without_registration_is_404(event, door_staff, changes):
    Event.objects.filter(pk=event.pk).update(**changes)
    assert client_for(door_staff).get(f"/en/door/{event.pk}/").status_code == 404


def test_door_scanner_loads_only_local_files(event, door_staff):
    body = client_for(door_staff).get(f"/en/door/{event.pk}/").content.decode()

    assert '<script src="/static/vendor/jsqr/jsQR.js" defer></script>' in body
    assert '<script src="/static/js/scanner.js" defer></script>' in body
    assert re.findall(r"(?:https?:)?//", body) == []
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', body):
        assert url == "" or url[0] in "/?#", url


def test_door_scanner_files_are_vendored():
    jsqr = finders.find("vendor/jsqr/jsQR.js")
    licence = finders.find("vendor/jsqr/LICENSE")
    assert jsqr and licence
    with open(licence, encoding="utf-8") as file:
        assert "Apache License" in file.read()
    with open(finders.find("js/scanner.js"), encoding="utf-8") as file:
        script = file.read()
    assert "exact" not in script  # a fixed-size camera refuses exact constraints
    assert re.findall(r"https?://", script) == []


def test_door_scanner_config_and_counter(event, door_staff):
    registration = services.registration_create(
        event_id=event.pk, name="Amina", email="amina@example.org", seats=3, language="en"
    )
    services.registration_create(event_id=event.pk, name="Bram", email="bram@example.org", seats=2, language="nl")
    services.checkin_manual(registration_id=registration.pk, event_id=event.pk, nonce=None, user=door_staff)

    response = client_for(door_staff).get(f"/en/door/{event.pk}/")

    body = response.content.decode()
    config = json.loads(re.search(r'<script id="door-config" type="application/json">(.*?)</script>', body).group(1))
    assert {k: config[k] for k in ("event", "checkinsUrl", "statsUrl", "attendeesUrl", "language", "timeZone")} == {
        "event": event.pk,
        "checkinsUrl": "/api/v1/checkins/",
        "statsUrl": f"/api/v1/events/{event.pk}/checkins/stats/",
        "attendeesUrl": f"/api/v1/events/{event.pk}/attendees/",
        "language": "en",
        "timeZone": "Europe/Brussels",
    }
    assert config["strings"]["ok"] == "Valid: come in"
    assert '<span data-stat="checked_in_seats">3</span> / <span data-stat="expected_seats">5</span>' in body
    assert (
        '<span data-stat="checked_in_registrations">1</span> / <span data-stat="expected_registrations">2</span>'
        in body
    )
    assert "amina@example.org" not in body


def test_door_scanner_strings_are_translated(event, door_staff):
    config_fr = client_for(door_staff).get(f"/fr/door/{event.pk}/").context["config"]
    config_nl = client_for(door_staff).get(f"/nl/door/{event.pk}/").context["config"]
    assert config_fr["language"] == "fr"
    assert config_fr["strings"]["ok"] != "Valid: come in"
    assert config_nl["strings"]["ok"] not in ("Valid: come in", config_fr["strings"]["ok"])


def test_door_scanner_csrf_token_lets_the_page_check_in(event, door_staff):
    """The page's token is what its script sends: a session-authenticated POST with CSRF checks on."""
    registration = services.registration_create(
        event_id=event.pk, name="Amina", email="amina@example.org", seats=2, language="en"
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)
    config = client.get(f"/en/door/{event.pk}/").context["config"]
    payload = {"secret": make_token(registration), "event": event.pk, "nonce": "a" * 32}

    refused = client.post("/api/v1/checkins/", payload, content_type="application/json")
    accepted = client.post(
        "/api/v1/checkins/", payload, content_type="application/json", HTTP_X_CSRFTOKEN=config["csrfToken"]
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["result"] == "ok"
    assert accepted.json()["registration"] == {
        "code": registration.code,
        "name": "Amina",
        "seats": 2,
        "event": event.pk,
    }
    assert CheckIn.objects.get().user == door_staff


def test_login_page_is_accessible(db):
    response = Client().get("/en/accounts/login/?next=/en/door/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert 'autocomplete="current-password"' in body
    assert '<input type="hidden" name="next" value="/en/door/">' in body


def test_login_wrong_password_shows_an_alert(door_staff):
    response = Client().post("/en/accounts/login/", {"username": "door", "password": "wrong"})
    assert response.status_code == 200
    assert '<div class="alert" role="alert" id="error-summary" tabindex="-1" data-error-summary>' in (
        response.content.decode()
    )
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_door_staff_lands_on_the_door(door_staff):
    client = Client()
    response = client.post("/en/accounts/login/", {"username": "door", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/home/")
    assert client.get("/en/accounts/home/")["Location"] == "/en/door/"
    assert client.get("/en/door/").status_code == 200


def test_login_then_back_to_the_scanner(event, door_staff):
    next_url = f"/nl/door/{event.pk}/"
    response = Client().post("/nl/accounts/login/", {"username": "door", "password": PASSWORD, "next": next_url})
    assert (response.status_code, response["Location"]) == (302, next_url)


def test_login_refuses_an_outside_next(door_staff):
    response = Client().post(
        "/en/accounts/login/", {"username": "door", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/home/")


def test_login_is_rate_limited(door_staff, settings, rate_window):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "login"}}
    client = Client()
    statuses = [
        client.post("/en/accounts/login/", {"username": "door", "password": "wrong"}).status_code for _ in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    assert "Too many login attempts" in client.post("/en/accounts/login/", {"username": "door"}).content.decode()


def test_logout_is_a_post(door_staff):
    client = client_for(door_staff)
    assert client.get("/en/accounts/logout/").status_code == 405
    response = client.post("/en/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/login/")
    assert client.get("/en/door/").status_code == 302
