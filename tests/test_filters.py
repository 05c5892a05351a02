"""The programme's filters (programme/filters.py), through the three places that use them:
the events API, the programme page and the programme calendar feed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from icalendar import Calendar

from programme.models import Event
from tests.factories import AssociationFactory, EditionFactory, EventFactory, VenueFactory, brussels, category

pytestmark = pytest.mark.django_db


@dataclass
class Programme:
    events: dict[str, Event]
    venues: dict[str, int]

    def ids(self, names: list[str]) -> list[int]:
        return [self.events[name].pk for name in names]


@pytest.fixture
def programme(current_edition) -> Programme:
    """Six public events of the current edition, and events nobody may list."""
    hall = VenueFactory(
        name_fr="Salle Molière",
        name_nl="Molièrezaal",
        name_en="Molière Hall",
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
    )
    club = VenueFactory(name_fr="Le Club", name_nl="De Club", name_en="The Club", step_free_access=True)
    cellar = VenueFactory(name_fr="La Cave", name_nl="De Kelder", name_en="The Cellar")
    oxfam = AssociationFactory(name="Oxfam-Solidarité")
    vredesactie = AssociationFactory(name="Vredesactie")

    def event(titles: tuple[str, str, str], **kwargs) -> Event:
        defaults = {"edition": current_edition, "association": None, "speaks_fr": False, "summary_en": ""}
        return EventFactory(title_fr=titles[0], title_nl=titles[1], title_en=titles[2], **{**defaults, **kwargs})

    events = {
        "debate": event(
            ("Débat sur la paix", "Debat over vrede", "Debate on peace"),
            category=category("debate"),
            venue=hall,
            association=oxfam,
            starts_at=brussels(2036, 10, 21, 19),
            ends_at=brussels(2036, 10, 21, 21),
            speaks_fr=True,
            capacity=50,
        ),
        "concert": event(
            ("Concert de solidarité", "Solidariteitsconcert", "Solidarity concert"),
            category=category("concert"),
            venue=club,
            starts_at=brussels(2036, 10, 21, 20),
            ends_at=brussels(2036, 10, 21, 23),
            capacity=None,
        ),
        "film": event(
            ("Film : Les voix", "Film: De stemmen", "Film: The voices"),
            category=category("film"),
            venue=cellar,
            association=vredesactie,
            starts_at=brussels(2036, 10, 22, 18),
            ends_at=brussels(2036, 10, 22, 20),
            speaks_nl=True,
            speaks_en=True,
            capacity=30,
            seats_taken=30,
        ),
        "night": event(
            ("Danse de nuit", "Nachtdans", "Night dance"),
            category=category("performance"),
            venue=hall,
            starts_at=brussels(2036, 10, 22, 22),
            ends_at=brussels(2036, 10, 23, 2),
            speaks_other=True,
            capacity=100,
            seats_taken=10,
        ),
        "expo": event(
            ("Exposition photo", "Fotoexpo", "Photo exhibition"),
            category=category("exhibition"),
            venue=club,
            starts_at=brussels(2036, 10, 24, 10),
            ends_at=brussels(2036, 10, 26, 18),
            speaks_fr=True,
            speaks_nl=True,
            capacity=None,
        ),
        "workshop": event(
            ("Atelier d'écriture", "Schrijfatelier", "Writing workshop"),
            category=category("workshop"),
            venue=cellar,
            association=oxfam,
            starts_at=brussels(2036, 10, 28, 14),
            ends_at=brussels(2036, 10, 28, 17),
            speaks_en=True,
            capacity=12,
            seats_taken=11,
        ),
    }
    # Nobody may list these: a draft, an event of an unpublished edition.
    event(
        ("Débat brouillon", "Ontwerpdebat", "Draft debate"),
        category=category("debate"),
        venue=hall,
        starts_at=brussels(2036, 10, 21, 19),
        ends_at=brussels(2036, 10, 21, 21),
        speaks_fr=True,
        status=Event.Status.DRAFT,
    )
    event(
        ("Débat futur", "Toekomstig debat", "Future debate"),
        edition=EditionFactory(year=2037, slug="2037", is_published=False),
        category=category("debate"),
        venue=hall,
        starts_at=brussels(2037, 10, 21, 19),
        ends_at=brussels(2037, 10, 21, 21),
        speaks_fr=True,
    )
    # A past edition, still published, listed only when asked for.
    events["old_film"] = event(
        ("Film d'archives", "Archieffilm", "Archive film"),
        edition=EditionFactory(year=2035, slug="2035", is_published=True),
        category=category("film"),
        venue=cellar,
        starts_at=brussels(2035, 10, 22, 18),
        ends_at=brussels(2035, 10, 22, 20),
        speaks_fr=True,
    )
    return Programme(events=events, venues={"hall": hall.pk, "club": club.pk, "cellar": cellar.pk})


def api_ids(client, query: str) -> list[int]:
    response = client.get(f"/api/v1/events/?{query}")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def page_ids(client, query: str) -> list[int]:
    response = client.get(f"/en/?{query}")
    assert response.status_code == 200, response.content
    return [int(pk) for pk in re.findall(r'<h3><a href="/en/events/(\d+)/">', response.content.decode())]


def ics_ids(client, query: str) -> list[int]:
    response = client.get(f"/calendar/programme.ics?{query}")
    assert response.status_code == 200, response.content
    uids = [str(component["UID"]) for component in Calendar.from_ical(response.content).walk("VEVENT")]
    return [int(re.fullmatch(r"event-(\d+)@.+", uid).group(1)) for uid in uids]


SURFACES = {"api": api_ids, "page": page_ids, "ics": ics_ids}
ALL = ["debate", "concert", "film", "night", "expo", "workshop"]


@pytest.fixture(params=list(SURFACES))
def listed(request, client):
    """The ids one surface lists for a query string."""
    surface = SURFACES[request.param]
    return lambda query: surface(client, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        # category
        ("category=debate", ["debate"]),
        ("category=concert", ["concert"]),
        ("category=other", []),
        # date: Brussels days; an event overlapping the day counts, also across midnight or several days
        ("date=2036-10-21", ["debate", "concert"]),
        ("date=2036-10-22", ["film", "night"]),
        ("date=2036-10-23", ["night"]),
        ("date=2036-10-24", ["expo"]),
        ("date=2036-10-25", ["expo"]),
        ("date=2036-10-26", ["expo"]),
        ("date=2036-10-27", []),
        ("date=2036-10-28", ["workshop"]),
        # venue
        ("venue={hall}", ["debate", "night"]),
        ("venue={club}", ["concert", "expo"]),
        ("venue={cellar}", ["film", "workshop"]),
        # language spoken
        ("language=fr", ["debate", "expo"]),
        ("language=nl", ["film", "expo"]),
        ("language=en", ["film", "workshop"]),
        ("language=other", ["night"]),
        ("language=none", ["concert"]),
        # accessibility: every feature asked for is required
        ("accessibility=step_free_access", ["debate", "concert", "night", "expo"]),
        ("accessibility=hearing_loop", ["debate", "night"]),
        ("accessibility=step_free_access&accessibility=accessible_toilet", ["debate", "night"]),
        ("accessibility=hearing_loop&accessibility=quiet_room", []),
        ("accessibility=quiet_room", []),
        # seats left: only what one can register for now (not the concert and the exhibition, without registration)
        ("available=true", ["debate", "night", "workshop"]),
        ("available=false", ["film"]),
        # search: any language, venues, associations; every word required
        ("q=paix", ["debate"]),
        ("q=stemmen", ["film"]),
        ("q=vrede", ["debate", "film"]),
        ("q=PEACE", ["debate"]),
        ("q=nachtdans", ["night"]),
        ("q=kelder", ["film", "workshop"]),
        ("q=club", ["concert", "expo"]),
        ("q=oxfam", ["debate", "workshop"]),
        ("q=vredesactie", ["film"]),
        ("q=solidarity+concert", ["concert"]),
        ("q=oxfam+workshop", ["workshop"]),
        ("q=debate+voices", []),
        ("q=++", ALL),
        # combinations
        ("category=debate&date=2036-10-21", ["debate"]),
        ("category=concert&date=2036-10-22", []),
        ("date=2036-10-22&available=true", ["night"]),
        ("venue={club}&language=none", ["concert"]),
        ("accessibility=step_free_access&available=true&language=fr", ["debate"]),
        ("q=oxfam&date=2036-10-28", ["workshop"]),
        ("venue={cellar}&available=false&language=nl", ["film"]),
        ("q=film&category=film&date=2036-10-22&venue={cellar}&language=en&available=false", ["film"]),
        ("accessibility=hearing_loop&language=other&date=2036-10-23", ["night"]),
        # parameters that are not filters are ignored
        ("utm_source=newsletter", ALL),
    ],
)
def test_filter_lists_exact_events(listed, programme, query, expected):
    assert listed(query.format(**programme.venues)) == programme.ids(expected)


@pytest.mark.parametrize("surface", ["api", "ics"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("edition=2035", ["old_film"]),
        ("edition=2036", ALL),
        ("edition=2035&category=film", ["old_film"]),
        ("edition=2035&category=debate", []),
        ("edition=2036&date=2036-10-21&language=fr", ["debate"]),
    ],
)
def test_filter_edition_exact_events(client, programme, surface, query, expected):
    assert SURFACES[surface](client, query) == programme.ids(expected)


def test_filter_edition_page_of_past_edition(client, programme):
    response = client.get("/en/programme/2035/")

    assert response.status_code == 200
    assert re.findall(r'<h3><a href="/en/events/(\d+)/">', response.content.decode()) == [
        str(programme.events["old_film"].pk)
    ]


def test_filter_edition_page_of_unpublished_edition_404(client, programme):
    response = client.get("/en/programme/2037/")

    assert response.status_code == 404


BAD_VALUES = [
    ("date=2024-13-45", "date", "Enter a valid date."),
    ("date=abc", "date", "Enter a valid date."),
    ("category=unknown", "category", "Select a valid choice. That choice is not one of the available choices."),
    ("venue=999999", "venue", "Select a valid choice. That choice is not one of the available choices."),
    ("venue=abc", "venue", "Select a valid choice. That choice is not one of the available choices."),
    (
        "venue=99999999999999999999999",
        "venue",
        "Select a valid choice. That choice is not one of the available choices.",
    ),
    ("language=xx", "language", "Select a valid choice. xx is not one of the available choices."),
    ("accessibility=lift", "accessibility", "Select a valid choice. lift is not one of the available choices."),
    (
        "accessibility=step_free_access&accessibility=lift",
        "accessibility",
        "Select a valid choice. lift is not one of the available choices.",
    ),
    ("available=maybe", "available", "Select a valid choice. maybe is not one of the available choices."),
    ("edition=nope", "edition", "Select a valid choice. That choice is not one of the available choices."),
    ("edition=2037", "edition", "Select a valid choice. That choice is not one of the available choices."),
    ("date=2036-10-21&date=2036-10-22", "date", "Give this filter only once."),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_VALUES)
def test_filter_bad_value_api_400(client, programme, query, field, message):
    response = client.get(f"/api/v1/events/?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.parametrize(("query", "field", "message"), BAD_VALUES)
def test_filter_bad_value_ics_400(client, programme, query, field, message):
    response = client.get(f"/calendar/programme.ics?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"{field}: {message}"


@pytest.mark.parametrize(("query", "field", "message"), BAD_VALUES)
def test_filter_bad_value_page_400(client, programme, query, field, message):
    response = client.get(f"/en/?{query}")

    assert response.status_code == 400
    page = response.content.decode()
    label = {
        "date": "Day",
        "category": "Category",
        "venue": "Venue",
        "language": "Language spoken",
        "accessibility": "Accessibility",
        "available": "Seats left",
        "edition": "Edition",
    }[field]
    assert re.findall(r'<div class="alert" role="alert" id="filter-errors">.*?</div>', page, re.S) != []
    assert f"<li>{label}: {message}</li>" in page
    assert re.findall(r'<h3><a href="/en/events/', page) == []


def test_filter_bad_value_page_error_in_french(client, programme):
    response = client.get("/fr/?date=2024-13-45&venue=abc")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez une date valide.</li>" in page
    assert "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles.</li>" in page
    assert "Enter a valid date." not in page


def test_filter_bad_value_page_error_in_dutch(client, programme):
    response = client.get("/nl/?date=abc&language=xx")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Voer een geldige datum in.</li>" in page
    assert "Selecteer een geldige keuze. xx is geen beschikbare keuze.</li>" in page
    assert "Enter a valid date." not in page


def test_filter_bad_value_api_error_in_dutch(client, programme):
    response = client.get("/api/v1/events/?date=abc", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 400
    assert response.json() == {"date": ["Voer een geldige datum in."]}


def test_filter_several_bad_values_all_reported(client, programme):
    response = client.get("/api/v1/events/?date=abc&venue=abc&available=maybe", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "date": ["Enter a valid date."],
        "venue": ["Select a valid choice. That choice is not one of the available choices."],
        "available": ["Select a valid choice. maybe is not one of the available choices."],
    }


def test_filter_page_keeps_choices_selected(client, programme):
    page = client.get(
        f"/en/?date=2036-10-21&category=debate&venue={programme.venues['hall']}&language=fr"
        "&accessibility=hearing_loop&available=true&q=peace"
    ).content.decode()

    assert '<option value="2036-10-21" selected>' in page
    assert '<option value="debate" selected>' in page
    assert f'<option value="{programme.venues["hall"]}" selected>' in page
    assert '<option value="fr" selected>' in page
    assert '<input type="checkbox" name="accessibility" value="hearing_loop" checked>' in page
    assert '<input type="checkbox" name="available" value="true" checked>' in page
    assert '<input type="search" id="f-q" name="q" value="peace" maxlength="100">' in page
