"""The back office's exports (issue 11): the exports page, each activity's and the whole edition's
registrations as CSV, the printable door list, and the access log that every look at a list of
attendees writes to (back office, portal and API)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programme.models import Event
from registrations import services
from registrations.models import AccessLog, Registration
from tests.factories import (
    AssociationMemberFactory,
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    brussels,
    bulk_events,
    register,
)

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page
ROLES = ("anonymous", "plain", "member", "door", "organiser")


def _times(registration: Registration, **times) -> None:
    """Give the registration fixed times (the service stamps the clock's)."""
    Registration.objects.filter(pk=registration.pk).update(**times)
    registration.refresh_from_db()


@pytest.fixture
def activity(make_event, association, venue):
    """ "Building peace" (Madeleine Hall, 21 October 2036 at 19:00, 5 seats): Zoë Martin (checked in),
    "=HYPERLINK(1)" and "bernard Lower" confirmed with a seat each, Élodie Dupont with two; then
    "@Cat" (cancelled), "+Dan" (2 seats) and Ann waiting, in that order."""
    event = make_event(association=association, venue=venue, capacity=5)
    people = {}
    for key, name, email, seats, language in (
        ("zoe", "Zoë Martin", "zoe@example.org", 1, "fr"),
        ("formula", "=HYPERLINK(1)", "formula@example.org", 1, "nl"),
        ("elodie", "Élodie Dupont", "elodie@example.org", 2, "fr"),
        ("bernard", "bernard Lower", "bernard@example.org", 1, "en"),
        ("cat", "@Cat", "cat@example.org", 1, "fr"),
        ("dan", "+Dan", "dan@example.org", 2, "fr"),
        ("ann", "Ann", "ann@example.org", 1, "fr"),
    ):
        people[key] = RegistrationFactory(event=event, name=name, email=email, seats=seats, language=language)
    services.registration_cancel(registration_id=people["cat"].pk)
    services.checkin_manual(registration_id=people["zoe"].pk, event_id=event.pk, nonce=None, user=None)
    for n, registration in enumerate(people.values()):
        registration.refresh_from_db()
        fixed = {"created_at": brussels(2036, 10, 1, 10, n)}
        if registration.confirmed_at:
            fixed["confirmed_at"] = brussels(2036, 10, 1, 10, n)
        if registration.cancelled_at:
            fixed["cancelled_at"] = brussels(2036, 10, 2, 9, 30)
        if registration.checked_in_at:
            fixed["checked_in_at"] = brussels(2036, 10, 21, 18, 45)
        _times(registration, **fixed)
    assert [people[key].status for key in ("zoe", "formula", "elodie", "bernard", "cat", "dan", "ann")] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "confirmed",
        "cancelled",
        "waitlisted",
        "waitlisted",
    ]
    return {"event": event, **people}


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser)
    return client


def _log() -> list[tuple]:
    return list(
        AccessLog.objects.order_by("pk").values_list(
            "user_id", "username", "channel", "action", "event_id", "edition_id", "rows"
        )
    )


# --- Who may open what ------------------------------------------------------------------------

PAGES = [
    "/en/backoffice/exports/",
    "/en/backoffice/activities/{event}/registrations.csv",
    "/en/backoffice/editions/{edition}/registrations.csv",
    "/en/backoffice/activities/{event}/door-list/",
    "/en/backoffice/access-log/",
]
EXPECTED = {"anonymous": LOGIN, "plain": 403, "member": 403, "door": 403, "organiser": 200}


@pytest.mark.parametrize("role", ROLES)
def test_pages_for_organisers_only(client, activity, member, organiser, role):
    users = {"plain": UserFactory(), "member": member, "door": DoorStaffFactory(), "organiser": organiser}
    if role in users:
        client.force_login(users[role])
    event = activity["event"]
    got = {}
    for template in PAGES:
        response = client.get(template.format(event=event.pk, edition=event.edition.slug))
        status = response.status_code
        if status == 302 and response["Location"].startswith("/en/accounts/login/"):
            status = LOGIN
        got[template] = status
        if status != 200:
            body = response.content.decode()
            assert "Zoë Martin" not in body and "zoe@example.org" not in body, template
        elif response.streaming:
            b"".join(response.streaming_content)
    assert got == dict.fromkeys(PAGES, EXPECTED[role])
    # The two CSV files and the door list are logged (the exports page and the log show no attendee);
    # a refused request looked at nothing and leaves no row.
    assert AccessLog.objects.count() == (3 if role == "organiser" else 0)


def test_unknown_activity_and_edition_404(logged_in, activity):
    pk = activity["event"].pk + 1000
    for path in (
        f"/en/backoffice/activities/{pk}/registrations.csv",
        f"/en/backoffice/activities/{pk}/door-list/",
        "/en/backoffice/editions/1999/registrations.csv",
    ):
        assert logged_in.get(path).status_code == 404, path
    assert AccessLog.objects.count() == 0


def test_writes_are_refused(logged_in, activity):
    event = activity["event"]
    for path in (
        "/en/backoffice/exports/",
        f"/en/backoffice/activities/{event.pk}/registrations.csv",
        f"/en/backoffice/activities/{event.pk}/door-list/",
        "/en/backoffice/access-log/",
    ):
        assert logged_in.post(path).status_code == 405, path
    assert AccessLog.objects.count() == 0


# --- The activity's CSV -----------------------------------------------------------------------


def test_activity_csv_exact_bytes(logged_in, activity, organiser):
    event = activity["event"]
    code = {key: activity[key].code for key in ("zoe", "formula", "elodie", "bernard", "cat", "dan", "ann")}

    response = logged_in.get(f"/en/backoffice/activities/{event.pk}/registrations.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="registrations-activity-{event.pk}.csv"'
    assert response.content[:3] == b"\xef\xbb\xbf"
    expected = (
        "\ufeff"
        "Booking code,Name,E-mail,Seats,Status,Language,Registered at,Confirmed at,Cancelled at,Checked in at\r\n"
        f"{code['zoe']},Zoë Martin,zoe@example.org,1,Confirmed,fr,"
        "2036-10-01T10:00:00+02:00,2036-10-01T10:00:00+02:00,,2036-10-21T18:45:00+02:00\r\n"
        f"{code['formula']},'=HYPERLINK(1),formula@example.org,1,Confirmed,nl,"
        "2036-10-01T10:01:00+02:00,2036-10-01T10:01:00+02:00,,\r\n"
        f"{code['elodie']},Élodie Dupont,elodie@example.org,2,Confirmed,fr,"
        "2036-10-01T10:02:00+02:00,2036-10-01T10:02:00+02:00,,\r\n"
        f"{code['bernard']},bernard Lower,bernard@example.org,1,Confirmed,en,"
        "2036-10-01T10:03:00+02:00,2036-10-01T10:03:00+02:00,,\r\n"
        f"{code['dan']},'+Dan,dan@example.org,2,On the waiting list,fr,2036-10-01T10:05:00+02:00,,,\r\n"
        f"{code['ann']},Ann,ann@example.org,1,On the waiting list,fr,2036-10-01T10:06:00+02:00,,,\r\n"
        f"{code['cat']},'@Cat,cat@example.org,1,Cancelled,fr,2036-10-01T10:04:00+02:00,,2036-10-02T09:30:00+02:00,\r\n"
    )
    assert response.content.decode("utf-8") == expected
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [
        "Zoë Martin",
        "'=HYPERLINK(1)",
        "Élodie Dupont",
        "bernard Lower",
        "'+Dan",
        "Ann",
        "'@Cat",
    ]
    assert _log() == [(organiser.pk, organiser.username, "backoffice", "export", event.pk, event.edition_id, 7)]


def test_activity_csv_holds_nothing_of_another_activity(logged_in, activity, make_event):
    other = make_event(title_en="Another activity")
    RegistrationFactory(event=other, name="Olga Other", email="olga@example.org")

    body = logged_in.get(f"/en/backoffice/activities/{activity['event'].pk}/registrations.csv").content.decode()

    assert "olga@example.org" not in body and "Olga Other" not in body
    assert len(body.splitlines()) == 8


def test_activity_csv_header_in_the_pages_language(logged_in, activity):
    response = logged_in.get(f"/fr/backoffice/activities/{activity['event'].pk}/registrations.csv")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    from django.utils import translation

    with translation.override("fr"):
        expected = [
            translation.gettext(label)
            for label in (
                "Booking code",
                "Name",
                "E-mail",
                "Seats",
                "Status",
                "Language",
                "Registered at",
                "Confirmed at",
                "Cancelled at",
                "Checked in at",
            )
        ]
    assert header == expected


# --- The edition's CSV ------------------------------------------------------------------------


def _edition_csv(client, slug: str):
    response = client.get(f"/en/backoffice/editions/{slug}/registrations.csv")
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def test_edition_csv_holds_every_registration_of_the_edition_only(logged_in, activity, make_event, organiser):
    event = activity["event"]
    second = make_event(title_en="Songs of peace", starts_at=brussels(2036, 10, 28, 20))
    gil = register(second, "gil", 3)
    elsewhere = EventFactory(edition=EditionFactory(year=2035, slug="2035"), title_en="Last year")
    old = RegistrationFactory(event=elsewhere, name="Old Timer", email="old@example.org")

    response, text = _edition_csv(logged_in, event.edition.slug)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="registrations-edition-2036.csv"'
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "Activity id",
        "Activity",
        "Activity starts",
        "Venue",
        "Category",
        "Booking code",
        "Name",
        "E-mail",
        "Seats",
        "Status",
        "Language",
        "Registered at",
        "Confirmed at",
        "Cancelled at",
        "Checked in at",
    ]
    codes = [row[5] for row in rows[1:]]
    expected = [activity[key].code for key in ("zoe", "formula", "elodie", "bernard", "dan", "ann", "cat")]
    assert codes == [*expected, gil.code]
    assert old.code not in text and "old@example.org" not in text and "Last year" not in text
    assert rows[1][:5] == [str(event.pk), "Building peace", "2036-10-21T19:00:00+02:00", "Madeleine Hall", "Debate"]
    assert rows[2][6] == "'=HYPERLINK(1)"
    gil.refresh_from_db()
    assert rows[8] == [
        str(second.pk),
        "Songs of peace",
        "2036-10-28T20:00:00+01:00",
        second.venue.name,
        "Debate",
        gil.code,
        "Gil",
        "gil@example.org",
        "3",
        "Confirmed",
        "fr",
        gil.created_at.astimezone(brussels(2036, 1, 1).tzinfo).isoformat(timespec="seconds"),
        gil.confirmed_at.astimezone(brussels(2036, 1, 1).tzinfo).isoformat(timespec="seconds"),
        "",
        "",
    ]
    assert _log() == [(organiser.pk, organiser.username, "backoffice", "export", None, event.edition_id, 8)]


def test_edition_csv_in_french(logged_in, activity):
    response = logged_in.get("/fr/backoffice/editions/2036/registrations.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    from django.utils import translation

    with translation.override("fr"):
        assert rows[0][:2] == [translation.gettext("Activity id"), translation.gettext("Activity")]
        assert rows[1][1] == "Construire la paix"
        assert rows[1][9] == str(Registration.Status.CONFIRMED.label)


def _edition_csv_queries(client, slug: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/backoffice/editions/{slug}/registrations.csv")
        lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    return len(queries), len(lines) - 1


def test_edition_csv_query_count_does_not_grow(logged_in, current_edition):
    events = bulk_events(3, edition=current_edition, venue_count=3, capacity=50)
    for n in range(3):
        register(events[n], f"person{n}")
    few, rows = _edition_csv_queries(logged_in, current_edition.slug)
    assert rows == 3

    more = bulk_events(9, edition=current_edition, venue_count=9, capacity=50)
    for n in range(27):
        register(more[n % 9], f"someone{n}")
    many, rows = _edition_csv_queries(logged_in, current_edition.slug)

    assert rows == 30
    assert many == few


# --- The exports page ---------------------------------------------------------------------------


def test_exports_page_lists_the_activities_with_their_counts(logged_in, activity, make_event, current_edition):
    event = activity["event"]
    draft = make_event(title_en="A draft", status=Event.Status.DRAFT, starts_at=brussels(2036, 10, 20, 10))
    cancelled = make_event(title_en="Called off", status=Event.Status.CANCELLED, starts_at=brussels(2036, 10, 30, 10))
    EventFactory(edition=EditionFactory(year=2035, slug="2035"), title_en="Last year")

    response = logged_in.get("/en/backoffice/exports/")

    assert response.status_code == 200
    body = response.content.decode()
    titles = re.findall(r'<tr>\s*<th scope="row"><a href="/en/backoffice/activities/\d+/">([^<]*)</a></th>', body)
    assert titles == ["A draft", "Building peace", "Called off"]
    row = body[body.index(f'<th scope="row"><a href="/en/backoffice/activities/{event.pk}/">Building peace</a></th>') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<td class="num" data-label="[^"]*">(\d+)</td>', row) == ["5", "3", "1"]
    assert "Madeleine Hall" in row
    assert f'href="/en/backoffice/activities/{event.pk}/registrations.csv"' in row
    assert f'href="/en/backoffice/activities/{event.pk}/door-list/"' in row
    for other in (draft, cancelled):
        assert f'href="/en/backoffice/activities/{other.pk}/door-list/"' in body
    assert '<a href="/en/backoffice/editions/2036/registrations.csv" download>Whole edition (CSV)</a>' in body
    assert "Last year" not in body
    assert "Zoë Martin" not in body  # a page of counts: it shows no attendee (and is not logged)
    assert AccessLog.objects.count() == 0
    assert "style=" not in body


def test_exports_page_of_another_edition(logged_in, activity):
    EventFactory(edition=EditionFactory(year=2035, slug="2035"), title_en="Last year")

    body = logged_in.get("/en/backoffice/exports/", {"edition": "2035"}).content.decode()

    assert "Last year" in body and "Building peace" not in body
    assert 'href="/en/backoffice/editions/2035/registrations.csv"' in body


def test_exports_page_unknown_edition_400(logged_in, activity):
    response = logged_in.get("/en/backoffice/exports/", {"edition": "nope"})

    assert response.status_code == 400
    body = response.content.decode()
    assert '<div class="alert" role="alert">' in body
    assert '<a href="#id_edition">Edition: There is no edition “nope”.</a>' in body
    assert "Building peace" not in body


def test_exports_page_without_a_current_edition(logged_in):
    response = logged_in.get("/en/backoffice/exports/")
    assert response.status_code == 200
    assert "There is no edition yet." in response.content.decode()


def _exports_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/backoffice/exports/")
    assert response.status_code == 200
    return len(queries)


def test_exports_page_query_count_does_not_grow(logged_in, current_edition, django_assert_max_num_queries):
    events = bulk_events(3, edition=current_edition, venue_count=3, capacity=50)
    register(events[0], "ann")
    few = _exports_queries(logged_in)

    more = bulk_events(27, edition=current_edition, venue_count=9, capacity=50)
    for n, event in enumerate(more):
        register(event, f"person{n}")

    assert _exports_queries(logged_in) == few
    with django_assert_max_num_queries(6):
        logged_in.get("/en/backoffice/exports/")


# --- The door list ------------------------------------------------------------------------------


def test_door_list(logged_in, activity, organiser):
    event = activity["event"]

    response = logged_in.get(f"/en/backoffice/activities/{event.pk}/door-list/")

    assert response.status_code == 200
    body = response.content.decode()
    confirmed, waiting = body.split('id="waiting-heading"')
    assert re.findall(r'<th scope="row">([^<]*)</th>', confirmed) == [
        "=HYPERLINK(1)",
        "bernard Lower",
        "Zoë Martin",
        "Élodie Dupont",
    ]
    assert re.findall(r'<th scope="row">([^<]*)</th>', waiting) == ["+Dan", "Ann"]
    assert "@Cat" not in body and activity["cat"].code not in body
    assert "@example.org" not in body  # no addresses on a door list
    assert "<div><dt>Registrations</dt><dd>4</dd></div>" in body
    assert "<div><dt>Seats</dt><dd>5</dd></div>" in body
    assert "<div><dt>On the waiting list</dt><dd>2</dd></div>" in body
    assert "<div><dt>Seats waiting</dt><dd>3</dd></div>" in body
    assert '<h1 class="door-list-title">Building peace <span class="theme">Door list</span></h1>' in body
    assert (
        '<time datetime="2036-10-21T19:00:00+02:00">Tuesday 21 October 2036, 19:00</time>\u2013'
        '<time datetime="2036-10-21T21:00:00+02:00">21:00</time>'
    ) in body
    assert "· Madeleine Hall" in body
    zoe = body[body.index("Zoë Martin") :]
    zoe = zoe[: zoe.index("</tr>")]
    assert f'<td class="code">{activity["zoe"].code}</td>' in zoe
    assert '<time datetime="2036-10-21T18:45:00+02:00">18:45</time>' in zoe
    assert body.count('<span class="tick-box" aria-hidden="true"></span>') == 4
    assert '<th scope="col" class="tick">Present</th>' in body
    # Print without inline script: a button, and the script and the print stylesheet as files.
    assert '<button type="button" class="print-button">Print</button>' in body
    assert '<script src="/static/js/print.js" defer></script>' in body
    assert '<link rel="stylesheet" href="/static/css/print.css">' in body
    assert "style=" not in body and "onclick" not in body
    assert _log() == [(organiser.pk, organiser.username, "backoffice", "print", event.pk, event.edition_id, 6)]


def test_print_files_exist():
    from django.contrib.staticfiles import finders

    with open(finders.find("js/print.js"), encoding="utf-8") as file:
        script = file.read()
    with open(finders.find("css/print.css"), encoding="utf-8") as file:
        sheet = file.read()
    assert 'querySelectorAll(".print-button")' in script and "window.print()" in script
    assert "@media print" in sheet
    for rule in ("display: table-header-group", "break-inside: avoid", ".workspace-bar", ".print-button"):
        assert rule in sheet, rule


# --- The access log -----------------------------------------------------------------------------


def test_portal_csv_is_logged(client, activity, member):
    client.force_login(member)

    response = client.get(f"/en/portal/activities/{activity['event'].pk}/attendees.csv")

    assert response.status_code == 200
    event = activity["event"]
    assert _log() == [(member.pk, "mariam", "portal", "export", event.pk, event.edition_id, 6)]


def test_api_list_export_and_search_are_logged(api_client, activity, organiser):
    event = activity["event"]
    door = DoorStaffFactory()
    api_client.force_authenticate(organiser)

    listed = api_client.get(f"/api/v1/events/{event.pk}/registrations/", {"page_size": 5})
    second = api_client.get(f"/api/v1/events/{event.pk}/registrations/", {"page_size": 5, "page": 2})
    exported = api_client.get(f"/api/v1/events/{event.pk}/registrations/export/")
    api_client.force_authenticate(door)
    found = api_client.get(f"/api/v1/events/{event.pk}/attendees/", {"q": "an"})
    bad = api_client.get(f"/api/v1/events/{event.pk}/attendees/", {"q": "a"})

    assert (listed.status_code, len(listed.json()["results"])) == (200, 5)
    assert (second.status_code, len(second.json()["results"])) == (200, 2)
    assert exported.status_code == 200
    assert [r["name"] for r in found.json()] == ["+Dan", "Ann"]  # found by name, in name order
    assert bad.status_code == 400
    edition = event.edition_id
    assert _log() == [
        (organiser.pk, organiser.username, "api", "view", event.pk, edition, 5),
        (organiser.pk, organiser.username, "api", "view", event.pk, edition, 2),
        (organiser.pk, organiser.username, "api", "export", event.pk, edition, 7),
        (door.pk, door.username, "api", "view", event.pk, edition, 2),
    ]


def test_refused_api_requests_are_not_logged(api_client, activity):
    event = activity["event"]
    api_client.force_authenticate(AssociationMemberFactory())
    assert api_client.get(f"/api/v1/events/{event.pk}/registrations/").status_code == 403
    assert api_client.get(f"/api/v1/events/{event.pk}/registrations/export/").status_code == 403
    assert api_client.get(f"/api/v1/events/{event.pk}/attendees/", {"q": "an"}).status_code == 403
    assert AccessLog.objects.count() == 0


def test_access_log_page_shows_the_log_without_personal_data(logged_in, activity, member, client, organiser):
    event = activity["event"]
    logged_in.get(f"/en/backoffice/activities/{event.pk}/registrations.csv")
    logged_in.get(f"/en/backoffice/activities/{event.pk}/door-list/")
    b"".join(logged_in.get("/en/backoffice/editions/2036/registrations.csv").streaming_content)
    AccessLog.objects.update(at=brussels(2036, 10, 21, 17, 5))
    AccessLog.objects.filter(action="print").update(at=brussels(2036, 10, 21, 18, 0))

    response = logged_in.get("/en/backoffice/access-log/")

    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, re.S)
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</t[hd]>", row)[:-1]] for row in rows]
    who, office, exported = organiser.username, "Back office", "Exported the attendee list"
    assert cells == [
        ["10/21/2036 6 p.m.", who, office, "Printed the door list", "Building peace", "6"],
        ["10/21/2036 5:05 p.m.", who, office, exported, "2036 — Peacebuilding", "7"],
        ["10/21/2036 5:05 p.m.", who, office, exported, "Building peace", "7"],
    ]
    assert f'href="/en/backoffice/activities/{event.pk}/">Building peace</a>' in body
    assert 'href="/en/backoffice/exports/?edition=2036">2036 — Peacebuilding</a>' in body
    for key in ("zoe", "formula", "elodie", "bernard", "cat", "dan", "ann"):
        registration = activity[key]
        assert registration.name not in body and registration.email not in body and registration.code not in body
    assert "@example.org" not in body
    # Reading the log is not itself a look at attendees' data.
    assert AccessLog.objects.count() == 3


def _many_entries(count: int, event: Event, username: str = "someone") -> None:
    AccessLog.objects.bulk_create(
        AccessLog(
            username=username,
            channel="api",
            action="view",
            event=event,
            edition=event.edition,
            rows=n,
            at=brussels(2036, 10, 1, 0, 0) + (brussels(2036, 10, 1, 0, 1) - brussels(2036, 10, 1, 0, 0)) * n,
        )
        for n in range(count)
    )


def _rows_shown(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num" data-label="Registrations">(\d+)</td>', body)]


def test_access_log_paginates(logged_in, activity):
    _many_entries(120, activity["event"])

    first = logged_in.get("/en/backoffice/access-log/").content.decode()
    third = logged_in.get("/en/backoffice/access-log/", {"page": "3"}).content.decode()
    beyond = logged_in.get("/en/backoffice/access-log/", {"page": "999"})
    nonsense = logged_in.get("/en/backoffice/access-log/", {"page": "x"})

    assert _rows_shown(first) == list(range(119, 69, -1))
    assert "120 entries · page 1 of 3" in first
    assert '<a href="?page=2" rel="next">Older entries</a>' in first and 'rel="prev"' not in first
    assert _rows_shown(third) == list(range(19, -1, -1))
    assert '<a href="?page=2" rel="prev">Newer entries</a>' in third and 'rel="next"' not in third
    assert (beyond.status_code, _rows_shown(beyond.content.decode())) == (200, list(range(19, -1, -1)))
    assert (nonsense.status_code, _rows_shown(nonsense.content.decode())) == (200, list(range(119, 69, -1)))


def test_access_log_filters(logged_in, activity, make_event):
    other = make_event(title_en="Another activity")
    _many_entries(3, activity["event"], username="alice")
    _many_entries(60, other, username="bob")

    by_user = logged_in.get("/en/backoffice/access-log/", {"user": "ALI"}).content.decode()
    by_activity = logged_in.get("/en/backoffice/access-log/", {"activity": other.pk}).content.decode()
    both = logged_in.get("/en/backoffice/access-log/", {"user": "ali", "activity": other.pk}).content.decode()

    assert _rows_shown(by_user) == [2, 1, 0]
    assert _rows_shown(by_activity) == list(range(59, 9, -1))
    assert f'<a href="?activity={other.pk}&amp;page=2" rel="next">Older entries</a>' in by_activity
    assert _rows_shown(both) == [] and "No entry matches these filters." in both


def test_access_log_bad_filter_400(logged_in):
    response = logged_in.get("/en/backoffice/access-log/", {"activity": "twelve"})

    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_activity">Activity id: Give an activity&#x27;s id: a whole number, for example 12.</a>' in body


def test_access_log_empty(logged_in):
    body = logged_in.get("/en/backoffice/access-log/").content.decode()
    assert "Nobody has looked at attendees' data yet." in body


def _log_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/backoffice/access-log/")
    assert response.status_code == 200
    return len(queries)


def test_access_log_query_count_does_not_grow(logged_in, activity, make_event):
    _many_entries(3, activity["event"])
    few = _log_queries(logged_in)
    for n in range(5):
        _many_entries(20, make_event(title_en=f"Activity {n}"))
    assert _log_queries(logged_in) == few


# --- In a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_in_a_browser_axe_print_button_and_print_layout(live_server, activity, organiser):
    """On a phone-sized screen, under the real Content-Security-Policy: axe finds nothing on the
    three pages (and on the exports page's error); the Print button prints; printed, the door list
    shows no navigation nor button and its table header repeats on every sheet."""
    from playwright.sync_api import sync_playwright

    from tests.factories import PASSWORD
    from tests.helpers import launch
    from tests.test_accessibility import violations

    base, event = live_server.url, activity["event"]
    door_list = f"/en/backoffice/activities/{event.pk}/door-list/"
    found = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        # axe-core is injected into the page: that context bypasses the CSP.
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{base}/en/accounts/login/?next=/en/backoffice/exports/")
        page.locator("input[name=username]").fill(organiser.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{base}/en/backoffice/exports/")
        for path in ("/en/backoffice/exports/", "/en/backoffice/exports/?edition=nope", door_list):
            page.goto(base + path)
            found[path] = violations(page)
        page.goto(base + "/en/backoffice/access-log/")
        found["/en/backoffice/access-log/"] = violations(page)
        page.goto(base + "/en/backoffice/access-log/?activity=x")
        found["the access log's error"] = violations(page)
        cookies = context.cookies()
        context.close()

        context = browser.new_context(viewport={"width": 390, "height": 844})  # the CSP applies
        context.add_cookies(cookies)
        context.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
        page = context.new_page()
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(base + door_list)
        page.locator("button.print-button").click()
        printed = page.evaluate("window.__printed")
        page.emulate_media(media="print")
        shown = {
            selector: page.locator(selector).first.is_visible()
            for selector in (".workspace-bar", ".site-header", ".print-button", "h1", "table.door-list")
        }
        header = page.evaluate("getComputedStyle(document.querySelector('table.door-list thead')).display")
        row = page.evaluate("getComputedStyle(document.querySelector('table.door-list tbody tr')).breakInside")
        colour = page.evaluate("getComputedStyle(document.body).color")
        context.close()
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert printed == 1 and errors == []
    assert shown == {
        ".workspace-bar": False,
        ".site-header": False,
        ".print-button": False,
        "h1": True,
        "table.door-list": True,
    }
    assert (header, row, colour) == ("table-header-group", "avoid", "rgb(0, 0, 0)")
