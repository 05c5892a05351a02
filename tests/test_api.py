"""The events API, `/api/v1/events/` (SPEC section 5): reading, pagination, languages,
visibility, token authentication, and organisers' writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programme.models import Event
from tests.factories import (
    PASSWORD,
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
    brussels,
    bulk_events,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/events/"


def detail_url(event: Event) -> str:
    return f"/api/v1/events/{event.pk}/"


@pytest.fixture
def event(make_event, venue):
    return make_event(
        venue=venue,
        association=None,
        summary_en="",
        speaks_nl=True,
        ends_at=brussels(2036, 10, 21, 21, 30),
        capacity=80,
        seats_taken=5,
    )


def represented(event: Event, *, lang: str = "en", title: str = "Building peace", **changes) -> dict:
    """The list representation of the `event` fixture."""
    return {
        "id": event.pk,
        "title": title,
        "category": "debate",
        "starts_at": "2036-10-21T19:00:00+02:00",
        "ends_at": "2036-10-21T21:30:00+02:00",
        "venue": {"id": event.venue_id, "name": "Madeleine Hall", "address": "Rue Duquesnoy 14, 1000 Bruxelles"},
        "languages": ["fr", "nl"],
        "capacity": 80,
        "seats_left": 75,
        "registration_status": "open",
        "url": f"http://127.0.0.1:8000/{lang}/events/{event.pk}/",
        "ics_url": f"http://127.0.0.1:8000/calendar/events/{event.pk}.ics",
        **changes,
    }


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- Reading ----------------------------------------------------------------


def test_list_event_exact_representation(api_client, event):
    response = api_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [represented(event)]}


def test_list_times_offset_winter_after_summer_time_ends(api_client, current_edition):
    summer = EventFactory(
        edition=current_edition, starts_at=brussels(2036, 10, 25, 20), ends_at=brussels(2036, 10, 25, 22)
    )
    winter = EventFactory(
        edition=current_edition, starts_at=brussels(2036, 10, 27, 20), ends_at=brussels(2036, 10, 27, 22)
    )

    results = api_client.get(LIST_URL).json()["results"]

    assert [(item["id"], item["starts_at"], item["ends_at"]) for item in results] == [
        (summer.pk, "2036-10-25T20:00:00+02:00", "2036-10-25T22:00:00+02:00"),
        (winter.pk, "2036-10-27T20:00:00+01:00", "2036-10-27T22:00:00+01:00"),
    ]


def test_list_registration_status_each_case(api_client, current_edition):
    starts = brussels(2036, 10, 22, 20)
    open_ = EventFactory(edition=current_edition, starts_at=starts, capacity=10, seats_taken=9)
    waitlist = EventFactory(edition=current_edition, starts_at=starts, capacity=10, seats_taken=10)
    full = EventFactory(edition=current_edition, starts_at=starts, capacity=10, seats_taken=10, waitlist_enabled=False)
    free = EventFactory(edition=current_edition, starts_at=starts, capacity=None)
    not_yet = EventFactory(
        edition=current_edition, starts_at=starts, capacity=10, registration_opens_at=brussels(2036, 10, 1)
    )

    results = api_client.get(LIST_URL).json()["results"]

    assert [(item["id"], item["registration_status"], item["seats_left"]) for item in results] == [
        (open_.pk, "open", 1),
        (waitlist.pk, "waitlist", 0),
        (full.pk, "closed", 0),
        (free.pk, "not_required", None),
        (not_yet.pk, "closed", 10),
    ]


def test_detail_exact_representation(api_client, event):
    response = api_client.get(detail_url(event), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == {
        **represented(event),
        "edition": "2036",
        "association": None,
        "summary": "",
        "description": "",
        "status": "published",
        "max_seats_per_registration": 4,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "waitlist_enabled": True,
        "sequence": 0,
    }


def test_detail_unknown_id_404(api_client, event):
    response = api_client.get("/api/v1/events/999999/")

    assert response.status_code == 404


def test_list_title_in_language_asked(api_client, event):
    response = api_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.json()["results"] == [
        represented(
            event,
            lang="nl",
            title="Vrede bouwen",
            venue={"id": event.venue_id, "name": "Magdalenazaal", "address": "Rue Duquesnoy 14, 1000 Bruxelles"},
        )
    ]


def test_list_title_without_accept_language_is_french(api_client, event):
    item = api_client.get(LIST_URL).json()["results"][0]

    assert (item["title"], item["venue"]["name"], item["url"]) == (
        "Construire la paix",
        "Salle de la Madeleine",
        f"http://127.0.0.1:8000/fr/events/{event.pk}/",
    )


def test_list_title_missing_translation_falls_back(api_client, current_edition):
    no_dutch = EventFactory(edition=current_edition, title_fr="Débat", title_nl="", title_en="Debate")
    english_only = EventFactory(edition=current_edition, title_fr=None, title_nl=None, title_en="Workshop only")

    response = api_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="nl")

    assert [(item["id"], item["title"]) for item in response.json()["results"]] == [
        (no_dutch.pk, "Débat"),
        (english_only.pk, "Workshop only"),
    ]


def test_list_default_edition_is_current(api_client, event):
    older = EditionFactory(year=2035, slug="2035", is_current=False, is_published=True)
    EventFactory(edition=older)

    response = api_client.get(LIST_URL)

    assert ids(response) == [event.pk]


def test_list_other_published_edition_by_slug(api_client, event):
    older = EditionFactory(year=2035, slug="2035", is_current=False, is_published=True)
    old_event = EventFactory(edition=older)

    response = api_client.get(LIST_URL, {"edition": "2035"})

    assert ids(response) == [old_event.pk]


def test_list_no_current_edition_empty(api_client):
    older = EditionFactory(year=2035, slug="2035", is_current=False, is_published=True)
    EventFactory(edition=older)

    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_anonymous_only_published_events(api_client, event, current_edition):
    EventFactory(edition=current_edition, status=Event.Status.DRAFT)
    EventFactory(edition=current_edition, status=Event.Status.CANCELLED)

    response = api_client.get(LIST_URL)

    assert ids(response) == [event.pk]


def test_list_anonymous_current_edition_unpublished_empty(api_client, current_edition, event):
    current_edition.is_published = False
    current_edition.save()

    response = api_client.get(LIST_URL)

    assert response.json()["count"] == 0


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_detail_anonymous_hidden_status_404(api_client, current_edition, status):
    hidden = EventFactory(edition=current_edition, status=status)

    response = api_client.get(detail_url(hidden))

    assert response.status_code == 404


def test_detail_anonymous_unpublished_edition_404(api_client):
    edition = EditionFactory(year=2037, slug="2037", is_published=False)
    hidden = EventFactory(edition=edition)

    response = api_client.get(detail_url(hidden))

    assert response.status_code == 404


def test_list_organiser_sees_drafts_and_cancelled(organiser_client, event, current_edition):
    draft = EventFactory(edition=current_edition, status=Event.Status.DRAFT, starts_at=brussels(2036, 10, 22, 19))
    cancelled = EventFactory(
        edition=current_edition, status=Event.Status.CANCELLED, starts_at=brussels(2036, 10, 23, 19)
    )

    response = organiser_client.get(LIST_URL)

    assert ids(response) == [event.pk, draft.pk, cancelled.pk]


def test_detail_organiser_draft_200(organiser_client, current_edition):
    draft = EventFactory(edition=current_edition, status=Event.Status.DRAFT)

    response = organiser_client.get(detail_url(draft))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (draft.pk, "draft")


def test_list_organiser_unpublished_edition_by_slug(organiser_client, current_edition):
    next_edition = EditionFactory(year=2037, slug="2037", is_published=False)
    draft = EventFactory(edition=next_edition, status=Event.Status.DRAFT)

    response = organiser_client.get(LIST_URL, {"edition": "2037"})

    assert response.status_code == 200
    assert ids(response) == [draft.pk]


def test_list_anonymous_unpublished_edition_by_slug_400(api_client, current_edition):
    EventFactory(edition=EditionFactory(year=2037, slug="2037", is_published=False))

    response = api_client.get(LIST_URL, {"edition": "2037"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"edition": ["Select a valid choice. That choice is not one of the available choices."]}


# --- Pagination -------------------------------------------------------------


@pytest.fixture
def seven_events(current_edition):
    return [EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 20 + n, 18)).pk for n in range(7)]


def test_list_page_size_first_page(api_client, seven_events):
    response = api_client.get(LIST_URL, {"page_size": 3})

    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (
        7,
        "http://127.0.0.1:8000/api/v1/events/?page=2&page_size=3",
        None,
    )
    assert ids(response) == seven_events[:3]


def test_list_page_size_middle_page(api_client, seven_events):
    response = api_client.get(LIST_URL, {"page_size": 3, "page": 2})

    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (
        7,
        "http://127.0.0.1:8000/api/v1/events/?page=3&page_size=3",
        "http://127.0.0.1:8000/api/v1/events/?page_size=3",
    )
    assert ids(response) == seven_events[3:6]


def test_list_page_size_last_page(api_client, seven_events):
    response = api_client.get(LIST_URL, {"page_size": 3, "page": 3})

    body = response.json()
    assert (body["next"], body["previous"]) == (None, "http://127.0.0.1:8000/api/v1/events/?page=2&page_size=3")
    assert ids(response) == seven_events[6:]


def test_list_page_beyond_last_404(api_client, seven_events):
    response = api_client.get(LIST_URL, {"page_size": 3, "page": 4})

    assert response.status_code == 404


def test_list_page_size_capped_at_500(api_client, current_edition):
    bulk_events(501, edition=current_edition)

    response = api_client.get(LIST_URL, {"page_size": 1000})

    body = response.json()
    assert (body["count"], len(body["results"]), body["next"]) == (
        501,
        500,
        "http://127.0.0.1:8000/api/v1/events/?page=2&page_size=1000",
    )


def test_list_default_page_size_50(api_client, current_edition):
    bulk_events(51, edition=current_edition, venue_count=2)

    body = api_client.get(LIST_URL).json()

    assert (body["count"], len(body["results"]), body["next"]) == (
        51,
        50,
        "http://127.0.0.1:8000/api/v1/events/?page=2",
    )


def _count_list_queries(client: APIClient) -> int:
    """Queries of a fresh answer (not one from the programme cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"page_size": 500})
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_events(api_client, current_edition):
    bulk_events(5, edition=current_edition)
    few = _count_list_queries(api_client)
    bulk_events(495, edition=current_edition)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST_URL, {"page_size": 500})

    assert len(response.json()["results"]) == 500
    assert len(queries) == few
    assert len(queries) <= 5  # programme version, current edition, count, event rows, events not cached yet


def test_list_organiser_queries_do_not_grow_with_events(current_edition, organiser, django_assert_max_num_queries):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=organiser).key}")
    bulk_events(5, edition=current_edition)
    few = _count_list_queries(client)
    bulk_events(495, edition=current_edition, status=Event.Status.DRAFT)

    with django_assert_max_num_queries(few):
        response = client.get(LIST_URL, {"page_size": 500})

    assert len(response.json()["results"]) == 500
    assert few <= 7


# --- Token authentication ---------------------------------------------------


def test_token_obtain_with_password(api_client, organiser):
    response = api_client.post("/api/v1/auth/token/", {"username": organiser.username, "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=organiser).key}


def test_token_organiser_reads_drafts(api_client, organiser, current_edition):
    draft = EventFactory(edition=current_edition, status=Event.Status.DRAFT)
    token = api_client.post(
        "/api/v1/auth/token/", {"username": organiser.username, "password": PASSWORD}, format="json"
    ).json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(LIST_URL)

    assert ids(response) == [draft.pk]


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "organiser-x", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_token_bad_credentials_400(api_client, credentials):
    UserFactory(username="organiser-x")

    response = api_client.post("/api/v1/auth/token/", credentials, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert Token.objects.count() == 0


def test_token_missing_password_400(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "someone"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_token_invalid_header_401(api_client, event):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = api_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- Writes -----------------------------------------------------------------


def new_event_data(edition, venue, /, **changes) -> dict:
    return {
        "edition": edition.slug,
        "category": "concert",
        "title_fr": "Concert pour la paix",
        "title_nl": "Concert voor vrede",
        "title_en": "Concert for peace",
        "summary_en": "Songs from everywhere.",
        "languages": ["none"],
        "venue": venue.pk,
        "starts_at": "2036-10-25T20:00:00+02:00",
        "ends_at": "2036-10-25T22:30:00+02:00",
        "capacity": 120,
        "status": "published",
        **changes,
    }


def test_create_organiser_201_exact_representation(organiser_client, current_edition, venue):
    response = organiser_client.post(
        LIST_URL, new_event_data(current_edition, venue), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 201
    created = Event.objects.get()
    assert response.json() == {
        "id": created.pk,
        "title": "Concert for peace",
        "category": "concert",
        "starts_at": "2036-10-25T20:00:00+02:00",
        "ends_at": "2036-10-25T22:30:00+02:00",
        "venue": {"id": venue.pk, "name": "Madeleine Hall", "address": "Rue Duquesnoy 14, 1000 Bruxelles"},
        "languages": ["none"],
        "capacity": 120,
        "seats_left": 120,
        "registration_status": "open",
        "url": f"http://127.0.0.1:8000/en/events/{created.pk}/",
        "ics_url": f"http://127.0.0.1:8000/calendar/events/{created.pk}.ics",
        "edition": "2036",
        "association": None,
        "summary": "Songs from everywhere.",
        "description": "",
        "status": "published",
        "max_seats_per_registration": 4,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "waitlist_enabled": True,
        "sequence": 0,
    }


def test_create_organiser_stores_every_field(organiser_client, current_edition, venue):
    organiser_client.post(
        LIST_URL,
        new_event_data(current_edition, venue, languages=["nl", "other"], starts_at="2036-10-25T18:00:00Z"),
        format="json",
    )

    created = Event.objects.get()
    assert (
        created.edition_id,
        created.category.slug,
        created.title_fr,
        created.title_nl,
        created.title_en,
        created.venue_id,
        created.starts_at,
        created.ends_at,
        (created.speaks_fr, created.speaks_nl, created.speaks_en, created.speaks_other),
        created.capacity,
        created.seats_taken,
        created.status,
        created.sequence,
    ) == (
        current_edition.pk,
        "concert",
        "Concert pour la paix",
        "Concert voor vrede",
        "Concert for peace",
        venue.pk,
        brussels(2036, 10, 25, 20),
        brussels(2036, 10, 25, 22, 30),
        (False, True, False, True),
        120,
        0,
        "published",
        0,
    )


def test_create_without_status_is_draft(organiser_client, current_edition, venue):
    data = new_event_data(current_edition, venue)
    del data["status"]

    response = organiser_client.post(LIST_URL, data, format="json")

    assert response.status_code == 201
    assert (response.json()["status"], Event.objects.get().status) == ("draft", "draft")


def test_create_title_in_one_language_only(organiser_client, current_edition, venue):
    data = new_event_data(current_edition, venue, title_fr="", title_nl=None, title_en="Concert for peace")

    response = organiser_client.post(LIST_URL, data, format="json", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 201
    assert response.json()["title"] == "Concert for peace"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"ends_at": "2036-10-25T19:00:00+02:00"},
            {"ends_at": ["The end must be after the start."]},
        ),
        (
            {"ends_at": "2036-10-25T20:00:00+02:00"},
            {"ends_at": ["The end must be after the start."]},
        ),
        ({"category": "karaoke"}, {"category": ["Object with slug=karaoke does not exist."]}),
        ({"venue": 999999}, {"venue": ['Invalid pk "999999" - object does not exist.']}),
        ({"edition": "1999"}, {"edition": ["Object with slug=1999 does not exist."]}),
        ({"languages": ["none", "fr"]}, {"languages": ["“none” cannot be combined with a language."]}),
        ({"languages": []}, {"languages": ["This list may not be empty."]}),
        ({"languages": ["xx"]}, {"languages": {"0": ['"xx" is not a valid choice.']}}),
        (
            {"title_fr": "", "title_nl": "  ", "title_en": ""},
            {"title_fr": ["Give a title in at least one language."]},
        ),
        (
            {"title_fr": None, "title_nl": None, "title_en": None},
            {"title_fr": ["Give a title in at least one language."]},
        ),
        ({"capacity": -1}, {"capacity": ["Ensure this value is greater than or equal to 0."]}),
        ({"status": "postponed"}, {"status": ['"postponed" is not a valid choice.']}),
        (
            {"starts_at": "tomorrow"},
            {
                "starts_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            {
                "registration_opens_at": "2036-10-20T10:00:00+02:00",
                "registration_closes_at": "2036-10-19T10:00:00+02:00",
            },
            {"registration_closes_at": ["Registration must close after it opens."]},
        ),
        (
            {"max_seats_per_registration": 0},
            {"max_seats_per_registration": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"starts_at": "2062-10-25T20:00:00+02:00", "ends_at": "2062-10-25T22:30:00+02:00"},
            {
                "starts_at": ["Give a date within a year of the edition (Oct. 20, 2036 to Nov. 2, 2036)."],
                "ends_at": ["Give a date within a year of the edition (Oct. 20, 2036 to Nov. 2, 2036)."],
            },
        ),
        (
            {"registration_opens_at": "1035-01-02T10:00:00+01:00"},
            {"registration_opens_at": ["Give a date within a year of the edition (Oct. 20, 2036 to Nov. 2, 2036)."]},
        ),
    ],
)
def test_create_invalid_400_field_errors(organiser_client, current_edition, venue, changes, errors):
    response = organiser_client.post(
        LIST_URL, new_event_data(current_edition, venue, **changes), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == errors
    assert Event.objects.count() == 0


def test_create_missing_fields_400(organiser_client, current_edition):
    response = organiser_client.post(LIST_URL, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "edition": ["This field is required."],
        "category": ["This field is required."],
        "venue": ["This field is required."],
        "starts_at": ["This field is required."],
        "ends_at": ["This field is required."],
    }
    assert Event.objects.count() == 0


def test_create_malformed_json_400(organiser_client, current_edition):
    response = organiser_client.post(
        LIST_URL, '{"title_en": "Concert', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON (line 1, column 14)."}
    assert Event.objects.count() == 0


def test_create_invalid_error_in_language_asked(organiser_client, current_edition, venue):
    response = organiser_client.post(
        LIST_URL, new_event_data(current_edition, venue, capacity=-1), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.json() == {"capacity": ["Assurez-vous que cette valeur est supérieure ou égale à\xa00."]}


def test_update_organiser_patch_changes_fields(organiser_client, event):
    response = organiser_client.patch(
        detail_url(event), {"title_en": "Building a lasting peace", "capacity": 90}, format="json"
    )

    assert response.status_code == 200
    event.refresh_from_db()
    assert (event.title_en, event.title_fr, event.capacity, event.seats_taken) == (
        "Building a lasting peace",
        "Construire la paix",
        90,
        5,
    )
    assert (response.json()["capacity"], response.json()["seats_left"]) == (90, 85)


def test_update_patch_languages(organiser_client, event):
    response = organiser_client.patch(detail_url(event), {"languages": ["en", "other"]}, format="json")

    assert response.json()["languages"] == ["en", "other"]
    event.refresh_from_db()
    assert (event.speaks_fr, event.speaks_nl, event.speaks_en, event.speaks_other) == (False, False, True, True)


def test_update_patch_status_cancelled_cancels(organiser_client, event):
    response = organiser_client.patch(detail_url(event), {"status": "cancelled"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["sequence"], response.json()["registration_status"]) == (
        "cancelled",
        1,
        "closed",
    )
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("cancelled", 1)


def test_update_cancelled_event_gone_from_public_list(organiser_client, api_client, event):
    organiser_client.patch(detail_url(event), {"status": "cancelled"}, format="json")

    assert (api_client.get(LIST_URL).json()["count"], api_client.get(detail_url(event)).status_code) == (0, 404)


@pytest.mark.parametrize(
    ("changes", "sequence"),
    [
        ({"title_fr": "Bâtir la paix"}, 1),
        ({"title_nl": "Vrede opbouwen"}, 1),
        ({"title_en": "Peacebuilding"}, 1),
        ({"starts_at": "2036-10-21T18:00:00+02:00"}, 1),
        ({"ends_at": "2036-10-21T22:00:00+02:00"}, 1),
        ({"starts_at": "2036-10-22T19:00:00+02:00", "ends_at": "2036-10-22T21:30:00+02:00"}, 1),
        ({"status": "draft"}, 1),
        ({"title_en": "Peacebuilding", "starts_at": "2036-10-21T18:00:00+02:00", "status": "cancelled"}, 1),
        ({"capacity": 100}, 0),
        ({"summary_en": "Four speakers, one question."}, 0),
        ({"description_fr": "Quatre intervenants."}, 0),
        ({"languages": ["en"]}, 0),
        ({"waitlist_enabled": False}, 0),
        ({"title_en": "Building peace"}, 0),
        ({"starts_at": "2036-10-21T17:00:00Z"}, 0),
    ],
)
def test_update_sequence_bumps_for_calendar_fields_only(organiser_client, event, changes, sequence):
    response = organiser_client.patch(detail_url(event), changes, format="json")

    assert response.status_code == 200
    assert response.json()["sequence"] == sequence
    event.refresh_from_db()
    assert event.sequence == sequence


def test_update_venue_bumps_sequence(organiser_client, event):
    other = VenueFactory()

    response = organiser_client.patch(detail_url(event), {"venue": other.pk}, format="json")

    assert (response.json()["venue"]["id"], response.json()["sequence"]) == (other.pk, 1)


def test_update_two_changes_two_bumps(organiser_client, event):
    organiser_client.patch(detail_url(event), {"title_en": "Peacebuilding"}, format="json")
    organiser_client.patch(detail_url(event), {"starts_at": "2036-10-21T18:00:00+02:00"}, format="json")

    event.refresh_from_db()
    assert event.sequence == 2


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"ends_at": "2036-10-21T18:00:00+02:00"}, {"ends_at": ["The end must be after the start."]}),
        ({"starts_at": "2036-10-21T22:00:00+02:00"}, {"ends_at": ["The end must be after the start."]}),
        ({"title_fr": "", "title_nl": "", "title_en": ""}, {"title_fr": ["Give a title in at least one language."]}),
        ({"capacity": -1}, {"capacity": ["Ensure this value is greater than or equal to 0."]}),
        ({"category": "karaoke"}, {"category": ["Object with slug=karaoke does not exist."]}),
        ({"venue": 999999}, {"venue": ['Invalid pk "999999" - object does not exist.']}),
        ({"languages": ["none", "fr"]}, {"languages": ["“none” cannot be combined with a language."]}),
    ],
)
def test_update_invalid_400_nothing_written(organiser_client, event, changes, errors):
    response = organiser_client.patch(detail_url(event), changes, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == errors
    event.refresh_from_db()
    assert (event.title_en, event.starts_at, event.ends_at, event.capacity, event.venue.name_en, event.sequence) == (
        "Building peace",
        brussels(2036, 10, 21, 19),
        brussels(2036, 10, 21, 21, 30),
        80,
        "Madeleine Hall",
        0,
    )


def test_update_malformed_json_400(organiser_client, event):
    response = organiser_client.patch(detail_url(event), "{", content_type="application/json")

    assert response.status_code == 400
    event.refresh_from_db()
    assert (event.title_en, event.sequence) == ("Building peace", 0)


def test_update_capacity_below_seats_taken_400(organiser_client, event):
    response = organiser_client.patch(detail_url(event), {"capacity": 4}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"capacity": ["5 seats are already taken: the capacity cannot be lower."]}
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken) == (80, 5)


def test_create_anonymous_401(api_client, current_edition, venue):
    response = api_client.post(
        LIST_URL, new_event_data(current_edition, venue), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert Event.objects.count() == 0


def test_update_anonymous_401(api_client, event):
    response = api_client.patch(detail_url(event), {"status": "cancelled"}, format="json")

    assert response.status_code == 401
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("published", 0)


@pytest.mark.parametrize("user_factory", [UserFactory, DoorStaffFactory])
def test_create_non_organiser_403(user_factory, current_edition, venue):
    client = APIClient()
    client.force_authenticate(user_factory())

    response = client.post(LIST_URL, new_event_data(current_edition, venue), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only organisers can change the programme."}
    assert Event.objects.count() == 0


@pytest.mark.parametrize("user_factory", [UserFactory, DoorStaffFactory])
def test_update_non_organiser_403(user_factory, event):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user_factory()).key}")

    response = client.patch(detail_url(event), {"status": "cancelled"}, format="json")

    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("published", 0)


def test_update_non_organiser_can_still_read(event):
    client = APIClient()
    client.force_authenticate(DoorStaffFactory())

    response = client.get(LIST_URL)

    assert ids(response) == [event.pk]


def test_update_staff_without_organiser_group_403(event):
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))

    response = client.patch(detail_url(event), {"title_en": "Hijacked"}, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "delete"])
def test_detail_put_delete_not_allowed_405(organiser_client, event, method):
    response = getattr(organiser_client, method)(detail_url(event), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert Event.objects.filter(pk=event.pk, status="published").count() == 1


def test_list_delete_not_allowed_405(organiser_client, event):
    response = organiser_client.delete(LIST_URL)

    assert response.status_code == 405
    assert Event.objects.count() == 1


def test_create_then_detail_same_representation(organiser_client, current_edition, venue):
    created = organiser_client.post(LIST_URL, new_event_data(current_edition, venue), format="json").json()

    assert organiser_client.get(f"/api/v1/events/{created['id']}/").json() == created


def test_create_edition_dates_keep_offset_across_summer_time(organiser_client, current_edition, venue):
    response = organiser_client.post(
        LIST_URL,
        new_event_data(
            current_edition, venue, starts_at="2036-10-25T23:00:00+02:00", ends_at="2036-10-26T03:00:00+01:00"
        ),
        format="json",
    )

    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2036-10-25T23:00:00+02:00",
        "2036-10-26T03:00:00+01:00",
    )
    created = Event.objects.get()
    assert created.ends_at - created.starts_at == datetime.timedelta(hours=5)


def test_patch_date_far_from_the_edition_400_in_language_nothing_changed(organiser_client, current_edition, venue):
    event = EventFactory(edition=current_edition, venue=venue, starts_at=brussels(2036, 10, 21, 19))
    before = Event.objects.values().get(pk=event.pk)
    response = organiser_client.patch(
        f"{LIST_URL}{event.pk}/",
        {"registration_opens_at": "1035-01-02T10:00:00+01:00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert response.json() == {
        "registration_opens_at": [
            "Indiquez une date à moins d\u2019un an de l\u2019édition (20 octobre 2036 au 2 novembre 2036)."
        ]
    }
    assert Event.objects.values().get(pk=event.pk) == before
    # A date within the margin (registration opening half a year before) is fine.
    response = organiser_client.patch(
        f"{LIST_URL}{event.pk}/", {"registration_opens_at": "2036-04-01T10:00:00+02:00"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["confirmed", "waitlisted"])
def test_update_capacity_removed_with_registrations_400(organiser_client, current_edition, status):
    from registrations.models import Registration
    from tests.factories import RegistrationFactory

    event = EventFactory(edition=current_edition, capacity=2)
    if status == "waitlisted":
        RegistrationFactory(event=event, seats=2)
    registration = RegistrationFactory(event=event, seats=2)
    assert registration.status == status

    response = organiser_client.patch(detail_url(event), {"capacity": None}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "capacity": [
            "This activity has registrations (confirmed or on the waiting list): it needs a capacity."
            " Cancel them first if it should need no registration."
        ]
    }
    event.refresh_from_db()
    assert event.capacity == 2
    assert Registration.objects.get(pk=registration.pk).status == status


def test_update_capacity_removed_without_registrations_200(organiser_client, current_edition):
    from registrations import services as registration_services
    from tests.factories import RegistrationFactory

    event = EventFactory(edition=current_edition, capacity=2)
    registration_services.registration_cancel(registration_id=RegistrationFactory(event=event).pk)

    response = organiser_client.patch(detail_url(event), {"capacity": None}, format="json")

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.capacity is None
