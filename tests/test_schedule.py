"""The back office's schedule (`/<lang>/backoffice/schedule/`): per day, the venues that have
activities and their draft and published activities in time order (cancelled ones left out), two
activities overlapping in one venue marked as a clash in the cell and listed at the top (touching
is no clash, a venue for parallel use never clashes), filters by edition and day with a 400 for a
bad one, for organisers only, in a number of queries that does not grow with the activities."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programme.models import Event
from programme.schedule import schedule_days
from tests.factories import (
    PASSWORD,
    AssociationFactory,
    AssociationMemberFactory,
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    OrganiserFactory,
    UserFactory,
    VenueFactory,
    brussels,
    bulk_events,
)

URL = "/en/backoffice/schedule/"
MONDAY, TUESDAY = datetime.date(2040, 10, 15), datetime.date(2040, 10, 16)


# --- A small DOM over html.parser, to read the page's structure. -----------------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text for child in self.children)

    @property
    def text(self) -> str:
        """The text, its white space collapsed as a browser does."""
        return " ".join(self.raw_text.split())

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        (found,) = self.all(tag, cls)
        return found


class _TreeBuilder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Node:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    return builder.root


def days_of(page: Node) -> dict[str, dict[str, list[str]]]:
    """{day heading: {venue: [each activity's text]}}, in the page's order."""
    return {
        section.one("h2").text: {
            row.one("th").text: [item.text for item in row.all("li", "slot")] for row in section.one("tbody").all("tr")
        }
        for section in page.all("section", "schedule-day")
    }


def clash_list(page: Node) -> tuple[str, list[str]]:
    section = page.one("section", "schedule-clashes")
    return section.one("h2").text, [item.text for item in section.all("li")]


def admin_url(event: Event) -> str:
    """The back office's page of the activity (the schedule's links go there)."""
    return reverse("backoffice:event-edit", kwargs={"pk": event.pk})


# --- The fixture edition. -----------------------------------------------------------------------


@pytest.fixture
def edition(db):
    """The current edition, Monday 15 and Tuesday 16 October 2040."""
    return EditionFactory(year=2040, slug="2040", starts_on=MONDAY, ends_on=TUESDAY, is_current=True)


@pytest.fixture
def venues(db):
    return {
        "a": VenueFactory(name_en="Hall A", name_fr="Salle A", name_nl="Zaal A"),
        "b": VenueFactory(name_en="Hall B", name_fr="Salle B", name_nl="Zaal B"),
        "expo": VenueFactory(
            name_en="Exhibition Hall", name_fr="Halle d'exposition", name_nl="Tentoonstellingshal", parallel_use=True
        ),
        "empty": VenueFactory(name_en="Empty Hall"),
    }


@pytest.fixture
def programme(edition, venues):
    """Made with the factory (Event.objects.create), which skips the services' clash check: the
    rows older data or an import could hold."""
    ngo = AssociationFactory(name="Peace Brigades")

    def make(title, venue, day, start, end, **fields):
        return EventFactory(
            edition=edition,
            venue=venues[venue],
            title_en=title,
            title_fr=f"{title} (fr)",
            title_nl=f"{title} (nl)",
            starts_at=brussels(2040, 10, day, *start),
            ends_at=brussels(2040, 10, day, *end),
            **{"association": None, **fields},
        )

    return {
        # Hall A, Monday: a draft, then a published one that touches it (no clash), and a
        # cancelled one over the second (not shown, no clash).
        "debate": make("Opening debate", "a", 15, (10, 0), (12, 0), status=Event.Status.DRAFT, capacity=80),
        "concert": make("Concert", "a", 15, (12, 0), (14, 0), capacity=None, association=ngo),
        "cancelled": make("Cancelled film", "a", 15, (13, 0), (15, 0), status=Event.Status.CANCELLED),
        # Hall B, Monday: two overlapping ones, a clash.
        "workshop1": make("Workshop one", "b", 15, (14, 0), (16, 0), capacity=20, seats_taken=12, association=ngo),
        "workshop2": make("Workshop two", "b", 15, (15, 0), (17, 0), capacity=20),
        # The exhibition hall, for parallel use, Monday: overlapping, no clash.
        "expo": make("Photo exhibition", "expo", 15, (10, 0), (18, 0), capacity=None),
        "tour": make("Guided tour", "expo", 15, (11, 0), (12, 0), capacity=15, seats_taken=15),
        # Hall A, Tuesday.
        "film": make("Closing film", "a", 16, (20, 0), (22, 0), capacity=100, seats_taken=3),
    }


@pytest.fixture
def organiser_web(client, db):
    client.force_login(OrganiserFactory())
    return client


MONDAY_EN = {
    "Exhibition Hall Several activities at once": [
        "10:00\u201318:00 Photo exhibition Published Debate · No registration · No association",
        "11:00\u201312:00 Guided tour Published Debate · 15 of 15 seats taken · No association",
    ],
    "Hall A": [
        "10:00\u201312:00 Opening debate Draft Debate · 0 of 80 seats taken · No association",
        "12:00\u201314:00 Concert Published Debate · No registration · Peace Brigades",
    ],
    "Hall B": [
        "14:00\u201316:00 Workshop one Published Debate · 12 of 20 seats taken · Peace Brigades"
        " ⚠ Clash with Workshop two",
        "15:00\u201317:00 Workshop two Published Debate · 0 of 20 seats taken · No association"
        " ⚠ Clash with Workshop one",
    ],
}
TUESDAY_EN = {"Hall A": ["20:00\u201322:00 Closing film Published Debate · 3 of 100 seats taken · No association"]}
CLASH_EN = "Hall B: Workshop one (Mon 15 Oct 14:00\u201316:00) and Workshop two (Mon 15 Oct 15:00\u201317:00)"


# --- What the page shows. -----------------------------------------------------------------------


def test_schedule_shows_every_day_venue_and_activity_with_the_clash(organiser_web, programme):
    response = organiser_web.get(URL)

    assert response.status_code == 200
    page = parse(response)
    assert days_of(page) == {"Monday 15 October 2040": MONDAY_EN, "Tuesday 16 October 2040": TUESDAY_EN}
    assert clash_list(page) == ("1 clash", [CLASH_EN])
    # The cells' and the list's links go to the activities' back-office pages.
    hall_b = next(row for body in page.all("tbody") for row in body.all("tr") if row.one("th").text == "Hall B")
    first, second = hall_b.all("li", "slot")
    assert first.classes == ["slot", "slot-clash"]
    assert [a.attrs["href"] for a in first.all("a")] == [
        admin_url(programme["workshop1"]),
        admin_url(programme["workshop2"]),
    ]
    assert [a.attrs["href"] for a in second.all("a")] == [
        admin_url(programme["workshop2"]),
        admin_url(programme["workshop1"]),
    ]
    assert [a.attrs["href"] for a in page.one("ul", "clash-list").all("a")] == [
        admin_url(programme["workshop1"]),
        admin_url(programme["workshop2"]),
    ]
    # No other cell is marked.
    assert [item.one("a", "slot-title").text for item in page.all("li", "slot-clash")] == [
        "Workshop one",
        "Workshop two",
    ]
    # Times are machine-readable; each table scrolls on its own and can be reached by keyboard.
    assert first.one("span", "slot-time").all("time")[0].attrs["datetime"] == "2040-10-15T14:00:00+02:00"
    scrollers = page.all("div", "table-scroll")
    assert [(div.attrs["tabindex"], div.attrs["role"], div.attrs["aria-label"]) for div in scrollers] == [
        ("0", "region", "Schedule of Monday 15 October 2040"),
        ("0", "region", "Schedule of Tuesday 16 October 2040"),
    ]
    assert [div.one("table").classes for div in scrollers] == [["data", "schedule"], ["data", "schedule"]]


def test_schedule_day_navigation_links_each_day_with_activities(organiser_web, programme):
    page = parse(organiser_web.get(URL))

    nav = page.one("nav", "day-nav")
    assert [(a.text, a.attrs["href"], "aria-current" in a.attrs) for a in nav.all("a")] == [
        ("All days", f"{URL}?edition=2040", True),
        ("Mon 15 Oct", f"{URL}?edition=2040&day=2040-10-15", False),
        ("Tue 16 Oct", f"{URL}?edition=2040&day=2040-10-16", False),
    ]


def test_schedule_day_filter_shows_that_day_only(organiser_web, programme):
    tuesday = parse(organiser_web.get(URL, {"day": "2040-10-16"}))
    monday = parse(organiser_web.get(URL, {"day": "2040-10-15"}))

    assert days_of(tuesday) == {"Tuesday 16 October 2040": TUESDAY_EN}
    assert clash_list(tuesday) == ("No clashes", [])
    assert [a.text for a in tuesday.one("nav", "day-nav").all("a") if "aria-current" in a.attrs] == ["Tue 16 Oct"]
    assert days_of(monday) == {"Monday 15 October 2040": MONDAY_EN}
    assert clash_list(monday) == ("1 clash", [CLASH_EN])


def test_schedule_day_of_the_edition_without_activities_says_so(organiser_web, edition, venues):
    EventFactory(edition=edition, venue=venues["a"], starts_at=brussels(2040, 10, 15, 10))

    response = organiser_web.get(URL, {"day": "2040-10-16"})

    assert response.status_code == 200
    assert days_of(parse(response)) == {}
    assert "No draft or published activity on this day." in response.content.decode()


def test_schedule_edition_filter_shows_that_edition(organiser_web, programme, venues):
    other = EditionFactory(
        year=2041, slug="2041", starts_on=datetime.date(2041, 10, 14), ends_on=datetime.date(2041, 10, 15)
    )
    EventFactory(
        edition=other,
        venue=venues["b"],
        title_en="Next year's debate",
        starts_at=brussels(2041, 10, 14, 19),
        capacity=30,
        association=None,
    )

    response = organiser_web.get(URL, {"edition": "2041"})

    assert response.status_code == 200
    page = parse(response)
    assert days_of(page) == {
        "Monday 14 October 2041": {
            "Hall B": ["19:00\u201321:00 Next year's debate Published Debate · 0 of 30 seats taken · No association"]
        }
    }
    assert clash_list(page) == ("No clashes", [])
    assert page.one("h1").text == "Schedule 2041 — Peacebuilding"
    assert [a.attrs["href"] for a in page.one("nav", "day-nav").all("a")] == [
        f"{URL}?edition=2041",
        f"{URL}?edition=2041&day=2041-10-14",
    ]


def test_schedule_in_french_dates_and_names_in_french(client, programme):
    client.force_login(OrganiserFactory())

    page = parse(client.get("/fr/backoffice/schedule/", {"day": "2040-10-16"}))

    assert list(days_of(page)) == ["mardi 16 octobre 2040"]
    (rows,) = days_of(page).values()
    assert list(rows) == ["Salle A"]
    assert page.one("a", "slot-title").text == "Closing film (fr)"


def test_schedule_without_current_edition_asks_to_choose(organiser_web, programme, edition):
    edition.is_current = False
    edition.save()

    response = organiser_web.get(URL)

    assert response.status_code == 200
    page = parse(response)
    assert page.one("p", "notice").text == "No edition is the current one. Choose an edition."
    assert [option.attrs["value"] for option in page.one("select").all("option")] == ["", "2040"]
    assert page.all("section", "schedule-day") == []
    assert organiser_web.get(URL, {"edition": "2040"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"day": "2040-13-01"}, "day", "Give a day as YYYY-MM-DD, for example 2026-10-21."),
        ({"day": "15/10/2040"}, "day", "Give a day as YYYY-MM-DD, for example 2026-10-21."),
        ({"day": "0000-01-01"}, "day", "Give a day as YYYY-MM-DD, for example 2026-10-21."),
        (
            {"day": "2040-10-20"},
            "day",
            "Oct. 20, 2040 is not a day of this edition (Oct. 15, 2040 to Oct. 16, 2040) and has no activities.",
        ),
        ({"edition": "1999"}, "edition", "There is no edition “1999”."),
        ({"edition": "<b>x</b>"}, "edition", "There is no edition “<b>x</b>”."),
        ({"day": ["2040-10-15", "2040-10-16"]}, "day", "Give this filter only once."),
    ],
)
def test_schedule_bad_query_is_a_400_with_the_error_by_its_field(organiser_web, programme, query, field, message):
    response = organiser_web.get(URL, query)

    assert response.status_code == 400
    page = parse(response)
    alert = page.one("div", "alert")
    assert alert.attrs["role"] == "alert"
    label = {"day": "Day", "edition": "Edition"}[field]
    assert [(a.attrs["href"], a.text) for a in alert.all("a")] == [(f"#id_{field}", f"{label}: {message}")]
    assert page.one("span", "field-error").attrs["id"] == f"id_{field}_error"
    assert page.one("span", "field-error").text == message
    widget = next(node for node in page.all() if node.attrs.get("id") == f"id_{field}")
    assert f"id_{field}_error" in widget.attrs["aria-describedby"].split()
    assert widget.attrs["aria-invalid"] == "true"
    assert page.all("section", "schedule-day") == []
    assert "<b>x</b>" not in response.content.decode()


def test_schedule_day_of_activities_outside_the_edition_is_shown(organiser_web, edition, venues):
    """An activity may lie outside its edition's days (an exhibition that opens early): its day is
    in the navigation, and can be chosen."""
    EventFactory(edition=edition, venue=venues["a"], title_en="Preview", starts_at=brussels(2040, 10, 10, 18))

    page = parse(organiser_web.get(URL, {"day": "2040-10-10"}))

    assert list(days_of(page)) == ["Wednesday 10 October 2040"]
    assert [a.text for a in page.one("nav", "day-nav").all("a")] == ["All days", "Wed 10 Oct"]


# --- The selector's clash rules. ----------------------------------------------------------------


def test_schedule_days_places_an_activity_on_every_day_it_takes_place(edition, venues):
    night = EventFactory(
        edition=edition,
        venue=venues["b"],
        title_en="Night vigil",
        starts_at=brussels(2040, 10, 15, 22),
        ends_at=brussels(2040, 10, 16, 2),
    )
    # It runs over the night into Tuesday, where it clashes with an early meeting.
    early = EventFactory(
        edition=edition,
        venue=venues["b"],
        title_en="Dawn meeting",
        starts_at=brussels(2040, 10, 16, 1),
        ends_at=brussels(2040, 10, 16, 3),
    )
    # Ends at midnight: not on Tuesday.
    evening = EventFactory(
        edition=edition,
        venue=venues["a"],
        title_en="Evening talk",
        starts_at=brussels(2040, 10, 15, 22),
        ends_at=brussels(2040, 10, 16, 0),
    )

    with translation.override("en"):
        schedule = schedule_days(edition)
        monday_only = schedule_days(edition, MONDAY)

    placed = {day.day: {row.name: [item.pk for item in row.items] for row in day.venues} for day in schedule.days}
    assert placed == {MONDAY: {"Hall A": [evening.pk], "Hall B": [night.pk]}, TUESDAY: {"Hall B": [night.pk, early.pk]}}
    assert schedule.day_choices == [MONDAY, TUESDAY]
    assert [(clash.first.pk, clash.second.pk) for clash in schedule.clashes] == [(night.pk, early.pk)]
    # With Monday chosen, the vigil's clash with a Tuesday meeting is still found and listed.
    assert [day.day for day in monday_only.days] == [MONDAY]
    assert [(clash.first.pk, clash.second.pk) for clash in monday_only.clashes] == [(night.pk, early.pk)]
    hall_b = next(row for row in monday_only.days[0].venues if row.name == "Hall B")
    assert [(ref.pk, ref.title) for ref in hall_b.items[0].clashes] == [(early.pk, "Dawn meeting")]


def test_schedule_days_finds_every_overlapping_pair(edition, venues):
    """Three at once, one inside another, the same times, one touching the end of another."""

    def at(title, start, end, venue="a"):
        return EventFactory(
            edition=edition,
            venue=venues[venue],
            title_en=title,
            starts_at=brussels(2040, 10, 15, *start),
            ends_at=brussels(2040, 10, 15, *end),
        )

    long = at("Long", (9, 0), (17, 0))
    inner = at("Inner", (10, 0), (11, 0))
    same1 = at("Same 1", (12, 0), (13, 0))
    same2 = at("Same 2", (12, 0), (13, 0))
    touching = at("After long", (17, 0), (18, 0))
    other_venue = at("Elsewhere", (9, 0), (17, 0), venue="b")

    schedule = schedule_days(edition)

    assert [(clash.first.pk, clash.second.pk) for clash in schedule.clashes] == [
        (long.pk, inner.pk),
        (long.pk, same1.pk),
        (long.pk, same2.pk),
        (same1.pk, same2.pk),
    ]
    items = {item.pk: item for day in schedule.days for row in day.venues for item in row.items}
    assert [ref.pk for ref in items[long.pk].clashes] == [inner.pk, same1.pk, same2.pk]
    assert [ref.pk for ref in items[same2.pk].clashes] == [long.pk, same1.pk]
    assert items[touching.pk].clashes == []
    assert items[other_venue.pk].clashes == []


def test_schedule_days_marks_no_clash_with_a_cancelled_activity_or_in_a_parallel_venue(programme, edition):
    schedule = schedule_days(edition)

    shown = {item.pk for day in schedule.days for row in day.venues for item in row.items}
    assert programme["cancelled"].pk not in shown
    assert shown == {event.pk for name, event in programme.items() if name != "cancelled"}
    assert [(clash.first.pk, clash.second.pk) for clash in schedule.clashes] == [
        (programme["workshop1"].pk, programme["workshop2"].pk)
    ]


# --- Who may open it. ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("plain user", 403),
        ("door staff", 403),
        ("association member", 403),
        ("organiser", 200),
        ("superuser", 200),
    ],
)
def test_schedule_is_for_organisers_only(client, programme, who, status):
    users = {
        "plain user": lambda: UserFactory(),
        "door staff": lambda: DoorStaffFactory(),
        "association member": lambda: AssociationMemberFactory(),
        "organiser": lambda: OrganiserFactory(),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if who != "anonymous":
        assert client.login(username=users[who]().username, password=PASSWORD)

    response = client.get(URL)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/en/accounts/login/?next={URL}"
    if status == 403:
        assert parse(response).one("div", "alert").text == (
            "The back office is for the City's organisers. Log in with an organiser's account."
        )
        assert "Workshop one" not in response.content.decode()
    if status == 200:
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_schedule_is_in_the_back_office_navigation(organiser_web, programme):
    page = parse(organiser_web.get(URL))

    current = [a for a in page.one("ul", "workspace-nav").all("a") if "aria-current" in a.attrs]
    assert [(a.text, a.attrs["href"]) for a in current] == [("Schedule", URL)]


# --- Queries. -----------------------------------------------------------------------------------


def test_schedule_queries_do_not_grow_with_the_activities(
    organiser_web, current_edition, django_assert_max_num_queries
):
    bulk_events(3, edition=current_edition, venue_count=3)
    with CaptureQueriesContext(connection) as few:
        assert organiser_web.get(URL).status_code == 200

    bulk_events(297, edition=current_edition)
    assert Event.objects.filter(edition=current_edition).count() == 300
    with django_assert_max_num_queries(len(few)):
        response = organiser_web.get(URL)

    assert response.status_code == 200
    page = parse(response)
    assert sum(len(items) for rows in days_of(page).values() for items in rows.values()) == 300
    assert len(few) <= 6
