"""The public programme pages: the programme by day, an event, languages, and what they load."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programme.models import Event
from tests.factories import EditionFactory, EventFactory, VenueFactory, brussels, bulk_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_event, venue):
    return make_event(
        venue=venue,
        summary_en="Four speakers, one question.",
        speaks_nl=True,
        ends_at=brussels(2036, 10, 21, 21, 30),
        capacity=80,
        seats_taken=5,
    )


def event_links(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<h3><a href="/[a-z]{2}/events/(\d+)/">', page)]


def json_ld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# --- The programme ----------------------------------------------------------


def test_programme_groups_by_day_in_order(client, current_edition):
    late = EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 28, 20))
    first = EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 21, 18))
    second = EventFactory(edition=current_edition, starts_at=brussels(2036, 10, 21, 20))
    # 00:30 in Brussels is still the evening before in UTC: it belongs to the 22nd.
    after_midnight = EventFactory(
        edition=current_edition, starts_at=brussels(2036, 10, 22, 0, 30), ends_at=brussels(2036, 10, 22, 2)
    )

    response = client.get("/en/")

    assert response.status_code == 200
    page = response.content.decode()
    sections = re.findall(r'<section class="day" aria-labelledby="day-([\d-]+)">(.*?)</section>', page, re.S)
    assert [(day, event_links(body)) for day, body in sections] == [
        ("2036-10-21", [first.pk, second.pk]),
        ("2036-10-22", [after_midnight.pk]),
        ("2036-10-28", [late.pk]),
    ]
    assert re.findall(r'<h2 id="day-[\d-]+">(.*?)</h2>', page) == [
        "Tuesday 21 October",
        "Wednesday 22 October",
        "Tuesday 28 October",
    ]
    assert '<p class="result-count" role="status">4 activities</p>' in page


def test_programme_day_headings_in_french(client, event):
    page = client.get("/fr/").content.decode()

    assert re.findall(r'<h2 id="day-[\d-]+">(.*?)</h2>', page) == ["mardi 21 octobre"]


def test_programme_event_card(client, event):
    page = client.get("/en/").content.decode()

    card = re.search(r'<article class="event-card">.*?</article>', page, re.S).group(0)
    assert f'<h3><a href="/en/events/{event.pk}/">Building peace</a></h3>' in card
    assert '<time datetime="2036-10-21T19:00:00+02:00">19:00</time>' in card
    assert '<time datetime="2036-10-21T21:30:00+02:00">21:30</time>' in card
    assert '<span class="category">Debate</span>' in card
    assert '<span class="venue">Madeleine Hall</span>' in card
    assert '<p class="summary">Four speakers, one question.</p>' in card
    assert "French, Dutch</span>" in card
    assert '<span class="badge badge-open">75 seats left</span>' in card


def test_programme_in_dutch(client, event):
    page = client.get("/nl/").content.decode()

    assert '<html lang="nl">' in page
    assert f'<h3><a href="/nl/events/{event.pk}/">Vrede bouwen</a></h3>' in page
    assert '<span class="venue">Magdalenazaal</span>' in page


def test_programme_only_public_events(client, event, current_edition):
    EventFactory(edition=current_edition, status=Event.Status.DRAFT)
    EventFactory(edition=current_edition, status=Event.Status.CANCELLED)
    EventFactory(edition=EditionFactory(year=2035, slug="2035", is_published=True))

    page = client.get("/en/").content.decode()

    assert event_links(page) == [event.pk]


@pytest.mark.parametrize(
    ("changes", "badge"),
    [
        ({"capacity": 10, "seats_taken": 9}, '<span class="badge badge-open">1 seat left</span>'),
        ({"capacity": 10, "seats_taken": 10}, '<span class="badge badge-full">Full — waiting list open</span>'),
        (
            {"capacity": 10, "seats_taken": 10, "waitlist_enabled": False},
            '<span class="badge badge-closed">Registration closed</span>',
        ),
        ({"capacity": None}, '<span class="badge badge-free">Free entry, no registration</span>'),
    ],
)
def test_programme_seats_badge(client, current_edition, changes, badge):
    EventFactory(edition=current_edition, **changes)

    page = client.get("/en/").content.decode()

    assert badge in page


def test_programme_venue_choices_only_venues_of_published_events(client, event, current_edition):
    EventFactory(edition=current_edition, venue=VenueFactory(name_en="Secret Hall"), status=Event.Status.DRAFT)
    EventFactory(edition=EditionFactory(year=2035, slug="2035"), venue=VenueFactory(name_en="Old Hall"))
    other = EventFactory(edition=current_edition, venue=VenueFactory(name_en="Atelier 210"))

    page = client.get("/en/").content.decode()

    select = re.search(r'<select id="f-venue" name="venue">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d*)">([^<]*)</option>', select) == [
        ("", "All venues"),
        (str(other.venue_id), "Atelier 210"),
        (str(event.venue_id), "Madeleine Hall"),
    ]


def test_programme_empty_filter_result_says_so(client, event):
    page = client.get("/en/?category=film").content.decode()

    assert "No activity matches these filters." in page
    assert '<p class="result-count" role="status">0 activities</p>' in page


def test_programme_no_current_edition_404(client):
    EditionFactory(year=2035, slug="2035", is_published=True, is_current=False)

    response = client.get("/en/")

    assert response.status_code == 404
    assert "No programme yet" in response.content.decode()


def test_programme_current_edition_unpublished_404(client, current_edition, event):
    current_edition.is_published = False
    current_edition.save()

    response = client.get("/en/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "No programme yet" in page
    assert "Building peace" not in page


def test_programme_post_not_allowed_405(client, event):
    response = client.post("/en/", {"q": "peace"})

    assert response.status_code == 405


def _count_page_queries(client, url: str) -> int:
    """Queries of a fresh answer (not one from the programme cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_programme_queries_do_not_grow_with_events(client, current_edition, django_assert_max_num_queries):
    bulk_events(5, edition=current_edition)
    few = _count_page_queries(client, "/en/")
    bulk_events(495, edition=current_edition)

    # programme version, current edition, each day's latest change and count, the rows of the
    # days not cached yet, their cards not cached yet, categories and venues of the filters
    with django_assert_max_num_queries(7):
        response = client.get("/en/")

    assert len(event_links(response.content.decode())) == 500
    assert _count_page_queries(client, "/en/") == few


def test_programme_filtered_queries_do_not_grow_with_events(client, current_edition, django_assert_max_num_queries):
    query = "/en/?accessibility=step_free_access&available=true&q=activity&language=fr"
    bulk_events(5, edition=current_edition)
    few = _count_page_queries(client, query)
    bulk_events(495, edition=current_edition)

    with django_assert_max_num_queries(few):
        response = client.get(query)

    assert response.status_code == 200


# --- An event ---------------------------------------------------------------


def test_event_page_shows_facts(client, event):
    response = client.get(f"/en/events/{event.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Building peace — Fortnight of International Solidarity</title>" in page
    assert "<h1>Building peace</h1>" in page
    assert '<p class="lead">Four speakers, one question.</p>' in page
    assert "<dd>Madeleine Hall<br>Rue Duquesnoy 14, 1000 Bruxelles<br>" in page
    assert '<a href="https://www.openstreetmap.org/?mlat=50.845000&amp;mlon=4.355000#map=18/50.845000/4.355000"' in page
    assert "<dt>Category</dt>\n    <dd>Debate</dd>" in page
    assert "<dt>Language spoken</dt>\n    <dd>French, Dutch</dd>" in page
    assert '<span class="badge badge-open">75 seats left</span>' in page
    # The "Add to calendar" menu, its .ics in the page's language (tests/test_first_try_public.py has the rest).
    assert f'/calendar/events/{event.pk}.ics?lang=en" type="text/calendar" download>Download the .ics file</a>' in page


def test_event_page_accessibility_features(client, event):
    page = client.get(f"/en/events/{event.pk}/").content.decode()

    section = re.search(r'<section aria-labelledby="access-title".*?</section>', page, re.S).group(0)
    assert re.findall(r"<li>(.*?)</li>", section) == ["Step-free access", "Hearing loop"]


def test_event_page_no_accessibility_features_says_so(client, current_edition):
    venue = VenueFactory(address="Place Sainte-Croix 1, 1050 Ixelles", latitude=None, longitude=None)
    bare = EventFactory(edition=current_edition, venue=venue)

    page = client.get(f"/en/events/{bare.pk}/").content.decode()

    assert "This venue has not reported any accessibility features." in page
    assert '<a href="https://www.openstreetmap.org/search?query=Place%20Sainte-Croix%201%2C%201050%20Ixelles"' in page
    assert "geo" not in json_ld(page)["location"]


def test_event_page_json_ld_schema_org_event(client, event):
    page = client.get(f"/en/events/{event.pk}/").content.decode()

    data = json_ld(page)
    assert (data["@context"], data["@type"], data["name"], data["startDate"], data["endDate"]) == (
        "https://schema.org",
        "Event",
        "Building peace",
        "2036-10-21T19:00:00+02:00",
        "2036-10-21T21:30:00+02:00",
    )
    assert data["location"] == {
        "@type": "Place",
        "name": "Madeleine Hall",
        "address": "Rue Duquesnoy 14, 1000 Bruxelles",
        "geo": {"@type": "GeoCoordinates", "latitude": 50.845, "longitude": 4.355},
    }
    assert (data["url"], data["eventStatus"], data["inLanguage"]) == (
        f"http://127.0.0.1:8000/en/events/{event.pk}/",
        "https://schema.org/EventScheduled",
        ["fr", "nl"],
    )
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert (data["maximumAttendeeCapacity"], data["remainingAttendeeCapacity"]) == (80, 75)


def test_event_page_json_ld_escapes_script_end_tag(client, current_edition):
    title = 'Peace </script><script>alert("x")</script> & <b>more</b>'
    nasty = EventFactory(edition=current_edition, title_en=title, summary_en="</SCRIPT>")

    page = client.get(f"/en/events/{nasty.pk}/").content.decode()

    assert json_ld(page)["name"] == title
    assert json_ld(page)["description"] == "</SCRIPT>"
    assert '<script>alert("x")' not in page
    assert "</SCRIPT>" not in page
    assert f"<h1>{html.escape(title, quote=False)}</h1>".replace('"', "&quot;") in page


def test_event_page_language_switcher(client, event):
    page = client.get(f"/en/events/{event.pk}/").content.decode()

    assert re.findall(r'<li><a href="([^"]+)" hreflang="(\w+)" lang="\w+"( aria-current="true")?>', page) == [
        (f"/fr/events/{event.pk}/", "fr", ""),
        (f"/nl/events/{event.pk}/", "nl", ""),
        (f"/en/events/{event.pk}/", "en", ' aria-current="true"'),
    ]


def test_programme_language_switcher_keeps_filters(client, event):
    page = client.get("/nl/?category=debate&date=2036-10-21").content.decode()

    assert re.findall(r'<li><a href="([^"]+)" hreflang="(\w+)"', page) == [
        ("/fr/?category=debate&amp;date=2036-10-21", "fr"),
        ("/nl/?category=debate&amp;date=2036-10-21", "nl"),
        ("/en/?category=debate&amp;date=2036-10-21", "en"),
    ]


def test_event_page_in_dutch(client, event):
    page = client.get(f"/nl/events/{event.pk}/").content.decode()

    assert "<h1>Vrede bouwen</h1>" in page
    assert json_ld(page)["name"] == "Vrede bouwen"
    assert json_ld(page)["location"]["name"] == "Magdalenazaal"


def test_event_page_draft_404(client, current_edition):
    hidden = EventFactory(edition=current_edition, status=Event.Status.DRAFT)

    response = client.get(f"/en/events/{hidden.pk}/")

    assert response.status_code == 404


def test_event_page_cancelled_says_so_without_a_form(client, current_edition):
    cancelled = EventFactory(edition=current_edition, status=Event.Status.CANCELLED, capacity=20)

    response = client.get(f"/en/events/{cancelled.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="alert" role="alert"><strong>This activity has been cancelled.</strong></p>' in page
    assert 'name="consent"' not in page
    assert json_ld(page)["eventStatus"] == "https://schema.org/EventCancelled"


def test_programme_leaves_cancelled_events_out(client, current_edition):
    cancelled = EventFactory(edition=current_edition, status=Event.Status.CANCELLED)

    assert f"/en/events/{cancelled.pk}/" not in client.get("/en/").content.decode()


def test_event_page_unpublished_edition_404(client, current_edition):
    hidden = EventFactory(edition=EditionFactory(year=2037, slug="2037", is_published=False))

    response = client.get(f"/en/events/{hidden.pk}/")

    assert response.status_code == 404


def test_event_page_unknown_404(client, current_edition):
    response = client.get("/en/events/999999/")

    assert response.status_code == 404


def test_event_page_queries_fixed(client, event, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(f"/en/events/{event.pk}/")

    assert response.status_code == 200


# --- Languages and assets ---------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "location"),
    [
        ("nl", "/nl/"),
        ("nl-BE,nl;q=0.9,fr;q=0.8", "/nl/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-BE", "/fr/"),
        ("de", "/fr/"),
    ],
)
def test_root_redirects_to_browser_language(client, current_edition, accept_language, location):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 302
    assert response["Location"] == location


def test_root_redirect_keeps_event_path(client, event):
    response = client.get(f"/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="nl")

    assert (response.status_code, response["Location"]) == (302, f"/nl/events/{event.pk}/")


@pytest.mark.parametrize("url", ["/en/", "/nl/events/{pk}/", "/fr/?date=abc", "/en/admin/login/", "/api/v1/docs/"])
def test_pages_load_no_external_scripts_or_styles(client, event, url):
    response = client.get(url.format(pk=event.pk))

    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    styles = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", page)
    assert [src for src in scripts + styles if re.match(r"(https?:)?//", src)] == []
    assert "cdn" not in page.lower()


def test_pages_stylesheet_is_local(client, event):
    page = client.get("/en/").content.decode()

    assert re.findall(r"<link[^>]*>", page) == [
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
        '<link rel="stylesheet" href="/static/css/site.css">',
    ]
    assert re.findall(r"<script[^>]*\bsrc=", page) == []


def test_programme_day_filter_lists_a_running_exhibition_under_that_day(client, current_edition):
    exhibition = EventFactory(
        edition=current_edition,
        title_en="Faces of reconciliation",
        starts_at=brussels(2036, 10, 20, 10),
        ends_at=brussels(2036, 10, 30, 18),
    )

    page = client.get("/en/?date=2036-10-22").content.decode()

    headings = re.findall(r'<h2 id="day-([0-9-]+)">', page)
    assert headings == ["2036-10-22"]
    assert f"/en/events/{exhibition.pk}/" in page
