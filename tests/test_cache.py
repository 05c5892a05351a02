"""The public programme's answers come from the cache until an event changes."""

from __future__ import annotations

import re

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from programme import services as programme_services
from programme.models import Event
from registrations import services as registration_services
from tests.factories import EventFactory, brussels

pytestmark = pytest.mark.django_db

URLS = ["/en/", "/api/v1/events/", "/calendar/programme.ics"]


@pytest.fixture
def event(make_event):
    # Where EventFactory puts the events the tests add (the edition's first day, 19:00): they list after it.
    return make_event(capacity=10, starts_at=brussels(2036, 10, 20, 19))


@pytest.mark.parametrize("url", URLS)
def test_public_answer_second_request_is_a_cache_hit_with_the_same_body(client, event, url):
    first = client.get(url)
    second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "X-Programme-Cache" not in first
    assert second["X-Programme-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_cache_hit_costs_one_query(client, event, django_assert_num_queries):
    client.get("/en/")
    with django_assert_num_queries(1):  # the programme's version
        assert client.get("/en/")["X-Programme-Cache"] == "hit"


def test_registration_changes_the_seats_shown_at_once(client, event):
    assert client.get("/api/v1/events/").json()["results"][0]["seats_left"] == 10

    registration_services.registration_create(
        event_id=event.pk, name="Ann", email="ann@example.org", seats=3, language="en"
    )
    answer = client.get("/api/v1/events/")

    assert "X-Programme-Cache" not in answer
    assert answer.json()["results"][0]["seats_left"] == 7


def test_event_change_shows_at_once_on_the_page(client, event):
    assert event.title_en in client.get("/en/").content.decode()

    programme_services.event_update(event=event, data={"title_en": "A new title"})

    assert "A new title" in client.get("/en/").content.decode()


def test_each_language_has_its_own_answer(client, event):
    english = client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["title"]
    dutch = client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="nl").json()["results"][0]["title"]

    assert (english, dutch) == (event.title_en, event.title_nl)


def test_signed_in_organiser_is_never_served_from_the_cache(api_client, event, organiser):
    draft = EventFactory(edition=event.edition, status="draft")
    api_client.get("/api/v1/events/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=organiser).key}")

    answer = api_client.get("/api/v1/events/")

    assert "X-Programme-Cache" not in answer
    assert [e["id"] for e in answer.json()["results"]] == [event.pk, draft.pk]


def test_bad_filter_answer_is_not_cached(client, event):
    client.get("/en/?date=nope")
    answer = client.get("/en/?date=nope")

    assert answer.status_code == 400
    assert "X-Programme-Cache" not in answer


def test_cache_off_when_seconds_is_zero(client, event, settings):
    settings.PROGRAMME_CACHE_SECONDS = 0
    client.get("/en/")

    assert "X-Programme-Cache" not in client.get("/en/")


def _ids_loaded(queries) -> list[str]:
    """The ids of the events whose full rows a request loaded to build fragments."""
    loaded = [q["sql"] for q in queries if '"programme_event"."id" IN (' in q["sql"]]
    return [sql.split('"programme_event"."id" IN (')[1].split(")")[0] for sql in loaded]


@pytest.mark.parametrize("url", ["/en/", "/api/v1/events/"])
def test_after_a_registration_only_that_event_is_rebuilt(client, current_edition, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hot, *others = [EventFactory(edition=current_edition, capacity=10) for _ in range(4)]
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    registration_services.registration_create(
        event_id=hot.pk, name="Ann", email="ann@example.org", seats=2, language="en"
    )

    with CaptureQueriesContext(connection) as warm:
        answer = client.get(url)

    assert sorted(_ids_loaded(cold)[0].split(", ")) == sorted(str(e.pk) for e in [hot, *others])
    assert _ids_loaded(warm) == [str(hot.pk)]
    if url == "/en/":
        assert "8 seats left" in answer.content.decode()
    else:
        assert [e["seats_left"] for e in answer.json()["results"]] == [8, 10, 10, 10]


# --- Whoever sends the request chooses neither the links nor the keys (issue 7) -----------------

SITE = "http://127.0.0.1:8000"  # SITE_URL's default, which the tests keep


@pytest.mark.parametrize("url", ["/api/v1/events/?page_size=1", "/calendar/programme.ics", "/en/"])
def test_host_header_does_not_reach_the_cached_answer(client, current_edition, url):
    events = [EventFactory(edition=current_edition, capacity=10) for _ in range(2)]
    poisoned = client.get(url, HTTP_HOST="127.0.0.1:6666")
    assert poisoned.status_code == 200
    answer = client.get(url)
    assert answer["X-Programme-Cache"] == "hit"
    body = answer.content.decode()
    assert "6666" not in poisoned.content.decode() and "6666" not in body
    if url.startswith("/api/"):
        data = answer.json()
        assert data["next"] == f"{SITE}/api/v1/events/?page=2&page_size=1"
        assert data["results"][0]["url"] == f"{SITE}/fr/events/{events[0].pk}/"
        assert data["results"][0]["ics_url"] == f"{SITE}/calendar/events/{events[0].pk}.ics"
    elif url.endswith(".ics"):
        assert f"URL:{SITE}/fr/events/{events[0].pk}/" in body.replace("\r\n ", "")


def test_registration_links_are_on_site_url_whatever_the_host(client, current_edition):
    event = EventFactory(edition=current_edition, capacity=10)
    body = client.post(
        f"/api/v1/events/{event.pk}/registrations/",
        {"name": "Ann", "email": "ann@example.org"},
        content_type="application/json",
        HTTP_HOST="127.0.0.1:6666",
    ).json()
    for name in ("ticket_url", "qr_url", "ics_url", "manage_url"):
        assert body[name].startswith(f"{SITE}/"), body[name]


def test_unknown_parameters_share_the_cache_entry_and_do_not_reach_the_answer(client, current_edition):
    from django.core.cache import caches

    for _ in range(2):
        EventFactory(edition=current_edition, capacity=10)
    first = client.get("/api/v1/events/?page_size=1")
    backend = caches["default"]
    redis = backend._cache.get_client() if isinstance(backend, RedisCache) else None
    keys_before = set(redis.keys("*")) if redis else None
    for junk in ("utm_source=x", "a=1&b=2", "page_size=1&zzz=" + "x" * 500, "foo=bar&foo=baz"):
        answer = client.get(f"/api/v1/events/?{junk}&page_size=1")
        assert answer["X-Programme-Cache"] == "hit", junk
        assert answer.content == first.content
        assert answer.json()["next"] == f"{SITE}/api/v1/events/?page=2&page_size=1"
    if redis:  # Redis: count the keys themselves
        assert set(redis.keys("*")) == keys_before


@pytest.mark.parametrize("query", ["q=peace", "venue=01", "page_size=+1", "date=21/10/2036"])
def test_free_text_and_odd_spellings_are_not_cached(client, event, query):
    first = client.get(f"/api/v1/events/?{query}")
    second = client.get(f"/api/v1/events/?{query}")
    assert first.status_code == second.status_code
    assert "X-Programme-Cache" not in second


def test_filter_order_and_repeats_share_one_entry(client, event):
    client.get(f"/api/v1/events/?available=true&venue={event.venue_id}")
    again = client.get(f"/api/v1/events/?venue={event.venue_id}&available=true&available=true")
    assert again["X-Programme-Cache"] == "hit"
    assert again.json()["count"] == 1


# --- Far dates (issue 7: OverflowError gave a 500) -----------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "9000-01-01"])
@pytest.mark.parametrize("url", ["/api/v1/events/", "/en/", "/calendar/programme.ics"])
def test_far_away_date_is_an_empty_answer(client, event, url, day, settings):
    settings.PROGRAMME_CACHE_SECONDS = 0
    response = client.get(f"{url}?date={day}")
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    elif url.endswith(".ics"):
        assert b"BEGIN:VEVENT" not in response.content
    else:
        assert event.title_en not in response.content.decode()


# --- The activity page: cached per event and language, each visitor's CSRF token its own -----------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client, event, lang="en", query=""):
    response = client.get(f"/{lang}/events/{event.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_event_page_second_visit_is_one_query_and_the_same_page(event, django_assert_num_queries):
    first = _page(Client(), event)
    with django_assert_num_queries(1):  # the event itself
        second = _page(Client(), event)
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    assert 'id="register-title"' in second


def test_event_page_each_visitor_gets_a_working_csrf_token_of_their_own(event):
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = [TOKEN.search(_page(visitor, event)).group(1) for visitor in visitors]
    assert tokens[0] != tokens[1]
    form = {"name": "Ann", "email": "ann@example.org", "seats": "1", "language": "en", "consent": "on"}
    assert (
        visitors[0].post(f"/en/events/{event.pk}/register/", {**form, "csrfmiddlewaretoken": tokens[1]}).status_code
        == 403
    )
    answer = visitors[1].post(f"/en/events/{event.pk}/register/", {**form, "csrfmiddlewaretoken": tokens[1]})
    assert answer.status_code == 302


def test_event_page_shows_seats_taken_at_once(event):
    assert "10 seats left" in _page(Client(), event)
    registration_services.registration_create(
        event_id=event.pk, name="Ann", email="a@example.org", seats=3, language="en"
    )
    assert "7 seats left" in _page(Client(), event)


def test_event_page_follows_registration_closing_with_time(event, settings):
    assert 'id="register-title"' in _page(Client(), event)
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now())  # no updated_at change
    page = _page(Client(), event)
    assert 'id="register-title"' not in page
    assert "Registration closed" in page


def test_event_page_each_language_and_no_query_in_its_links(event):
    english, dutch = _page(Client(), event, "en", "?utm=evil"), _page(Client(), event, "nl")
    assert event.title_en in english and event.title_nl in dutch
    assert "utm" not in _page(Client(), event, "en")
    assert "utm" not in english


def test_event_page_after_a_registration_is_still_one_query_with_the_new_seats(event, django_assert_num_queries):
    assert "10 seats left" in _page(Client(), event)
    registration_services.registration_create(
        event_id=event.pk, name="Ann", email="a@example.org", seats=3, language="en"
    )
    with django_assert_num_queries(1):  # the seats move, the rest of the page comes from the cache
        page = _page(Client(), event)
    assert "7 seats left" in page
    assert '"remainingAttendeeCapacity": 7' in page


def test_event_page_follows_a_change_of_its_venue(event):
    assert event.venue.name_en in _page(Client(), event)
    event.venue.name_en = "A renamed hall"
    event.venue.save()
    assert "A renamed hall" in _page(Client(), event)
