"""`manage.py load_demo`: the loader of demo.yaml, its accounts, running it again, and a broken file.

Counts come from the file itself, so that editing the demo's content needs no change here.
"""

from __future__ import annotations

import datetime
import io
import itertools
import re
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from programme.management.commands.load_demo import DEMO_FILE
from programme.models import Association, Edition, Event, Venue
from programme.roles import DOOR_STAFF, ORGANISERS
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
LANGUAGES = ("fr", "nl", "en")
PASSWORD_LINE = re.compile(r"^ +(\w+) +password: (\S+)$", re.MULTILINE)
DEMO = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
USERNAMES = sorted(account["username"] for account in DEMO["accounts"])
COUNTS = f"Venues: {len(DEMO['venues'])}, associations: {len(DEMO['associations'])}, events: {len(DEMO['events'])}"

SMALL = """\
edition:
  slug: small
  theme: {fr: Paix, nl: Vrede, en: Peace}
  days: 2
  starts_in_days: 1
  call_opens_days_before: 10
  reminder_offsets: [24]
venues:
  hall:
    name: {fr: La salle, nl: De zaal, en: The hall}
    address: Rue de la Loi 16, 1000 Bruxelles
    latitude: 50.846
    longitude: 4.367
    capacity: 100
    accessibility: [step_free_access]
associations:
  club:
    name: Peace Club
    description: {fr: Un club., nl: Een club., en: A club.}
    website: https://example.org
    contact_name: Pat Doe
    contact_email: pat@example.org
descriptions:
  categories:
    concert: {fr: Musique., nl: Muziek., en: Music.}
  footer: {fr: "{organiser} Fin.", nl: "{organiser} Einde.", en: "{organiser} End."}
  by_association: {fr: "Par {association}.", nl: "Door {association}.", en: "By {association}."}
  by_city: {fr: Par la Ville., nl: Door de Stad., en: By the City.}
events:
  - title:
      fr: Concert du soir
      nl: Avondconcert
      en: Evening concert
    summary: {fr: Un concert., nl: Een concert., en: A concert.}
    day: 2
    start: "20:00"
    minutes: 90
    category: concert
    venue: hall
    association: club
    languages: [fr]
    capacity: 50
accounts:
  - username: pat
    first_name: Pat
    last_name: Doe
    email: pat@example.org
    association: club
"""


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(PASSWORD_LINE.findall(output))


def demo_edition() -> Edition:
    return Edition.objects.get(slug=DEMO["edition"]["slug"])


def first_day() -> datetime.date:
    return timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=DEMO["edition"]["starts_in_days"])


def texts(obj, field: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


def all_rows() -> dict[str, list[dict]]:
    models = (Edition, Venue, Association, Event, get_user_model())
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["members"] = list(Association.members.through.objects.order_by("pk").values())
    rows["groups"] = list(get_user_model().groups.through.objects.order_by("pk").values())
    return rows


def test_load_demo_edition_is_current_and_starts_as_many_days_from_today_as_the_file_says():
    load_demo()

    edition = demo_edition()
    assert edition.starts_on == first_day()
    assert edition.ends_on == first_day() + datetime.timedelta(days=DEMO["edition"]["days"] - 1)
    assert edition.year == first_day().year
    assert texts(edition, "theme") == DEMO["edition"]["theme"]
    assert edition.is_current is True
    assert edition.is_published is True
    assert edition.reminder_offsets == DEMO["edition"]["reminder_offsets"]
    assert edition.call_is_open is True
    assert edition.call_closes_at == datetime.datetime.combine(
        first_day() - datetime.timedelta(days=1), datetime.time(18), tzinfo=BRUSSELS
    )
    assert list(Edition.objects.filter(is_current=True)) == [edition]


def test_load_demo_other_current_edition_is_no_longer_current():
    other = EditionFactory(year=2030, is_current=True)

    load_demo()

    other.refresh_from_db()
    assert other.is_current is False
    assert list(Edition.objects.filter(is_current=True)) == [demo_edition()]


def test_load_demo_venues_are_brussels_addresses_with_the_file_coordinates():
    load_demo()

    venues = {venue.address: venue for venue in Venue.objects.all()}
    assert len(venues) == len(DEMO["venues"])
    for item in DEMO["venues"].values():
        venue = venues[item["address"]]
        assert re.search(r", 1[0-2][0-9]0 ", venue.address), venue.address
        assert (venue.latitude, venue.longitude) == (Decimal(str(item["latitude"])), Decimal(str(item["longitude"])))
        # Inside the Brussels-Capital Region.
        assert 50.76 < venue.latitude < 50.92, venue
        assert 4.24 < venue.longitude < 4.48, venue
        assert {feature for feature, _label in venue.accessibility} == set(item["accessibility"])


def test_load_demo_every_text_is_in_three_languages():
    load_demo()

    edition = demo_edition()
    assert all(texts(edition, "theme").values())
    for venue in Venue.objects.all():
        assert all(texts(venue, "name").values()), venue
    for association in Association.objects.all():
        assert all(texts(association, "description").values()), association
    events = {event.title_en: event for event in Event.objects.filter(edition=edition).select_related("association")}
    assert len(events) == len(DEMO["events"])
    descriptions = DEMO["descriptions"]
    for item in DEMO["events"]:
        event = events[item["title"]["en"]]
        assert texts(event, "title") == item["title"]
        assert texts(event, "summary") == item["summary"]
        for language in LANGUAGES:
            if event.association is None:
                organiser = descriptions["by_city"][language]
            else:
                organiser = descriptions["by_association"][language].format(association=event.association.name)
            footer = descriptions["footer"][language].format(organiser=organiser)
            paragraph = descriptions["categories"][item["category"]][language]
            assert (
                getattr(event, f"description_{language}") == f"{item['summary'][language]}\n\n{paragraph}\n\n{footer}"
            )


def test_load_demo_event_times_count_from_the_first_day_in_brussels_time():
    load_demo()

    events = {event.title_en: event for event in Event.objects.filter(edition=demo_edition())}
    for item in DEMO["events"]:
        event = events[item["title"]["en"]]
        day = first_day() + datetime.timedelta(days=item["day"] - 1)
        starts_at = datetime.datetime.combine(day, datetime.time.fromisoformat(item["start"]), tzinfo=BRUSSELS)
        assert event.starts_at == starts_at, event
        assert event.ends_at == starts_at + datetime.timedelta(minutes=item["minutes"]), event
        opens_before = item.get("registration_opens_days_before")
        closes_before = item.get("registration_closes_hours_before")
        assert event.registration_opens_at == (
            None if opens_before is None else starts_at - datetime.timedelta(days=opens_before)
        )
        assert event.registration_closes_at == (
            None if closes_before is None else starts_at - datetime.timedelta(hours=closes_before)
        )
        assert (event.capacity, event.max_seats_per_registration, event.status) == (
            item["capacity"],
            item.get("max_seats", 4),
            item.get("status", Event.Status.PUBLISHED),
        )
        assert set(event.languages) == set(item["languages"] or ["none"]), event


def test_load_demo_events_never_overlap_in_a_venue():
    load_demo()

    by_venue = defaultdict(list)
    for event in Event.objects.exclude(status=Event.Status.CANCELLED).order_by("starts_at"):
        by_venue[event.venue_id].append(event)
    for events in by_venue.values():
        for before, after in itertools.pairwise(events):
            assert before.ends_at <= after.starts_at, (before, after)


def test_load_demo_capacities_fit_their_venues():
    load_demo()

    for event in Event.objects.select_related("venue").exclude(capacity=None):
        assert event.capacity <= event.venue.capacity, event


def test_load_demo_twice_changes_nothing_and_adds_nothing():
    load_demo("--with-accounts")
    before = all_rows()

    output = load_demo("--with-accounts")

    assert all_rows() == before
    assert f"{COUNTS} (0 created, 0 updated)." in output


def test_load_demo_twice_keeps_seats_taken():
    load_demo()
    booked = Event.objects.filter(capacity__gte=10).first()
    Event.objects.filter(pk=booked.pk).update(seats_taken=7)

    load_demo()

    assert Event.objects.get(pk=booked.pk).seats_taken == 7


def test_load_demo_twice_never_lowers_capacity_below_seats_taken():
    load_demo()
    small = Event.objects.filter(capacity__lt=15).first()
    Event.objects.filter(pk=small.pk).update(capacity=20, seats_taken=15)

    load_demo()

    small.refresh_from_db()
    assert (small.capacity, small.seats_taken) == (15, 15)


def test_load_demo_later_moves_the_edition_and_its_events_with_today():
    load_demo()
    starts = dict(Event.objects.values_list("pk", "starts_at"))
    # As if the demo had been loaded five days ago.
    five_days = datetime.timedelta(days=5)
    Edition.objects.update(starts_on=F("starts_on") - five_days, ends_on=F("ends_on") - five_days)
    Event.objects.update(starts_at=F("starts_at") - five_days, ends_at=F("ends_at") - five_days)

    output = load_demo()

    assert demo_edition().starts_on == first_day()
    assert dict(Event.objects.values_list("pk", "starts_at")) == starts
    assert set(Event.objects.values_list("sequence", flat=True)) == {1}
    assert f"{COUNTS} (0 created, {len(DEMO['events'])} updated)." in output


def test_load_demo_refuses_a_year_that_another_edition_holds():
    EditionFactory(year=first_day().year, slug="real", is_current=True)

    with pytest.raises(CommandError) as raised:
        load_demo()

    assert str(raised.value) == f"{DEMO_FILE}: edition: {{'year': ['Edition with this Year already exists.']}}"
    assert list(Edition.objects.values_list("slug", "is_current")) == [("real", True)]
    assert Venue.objects.count() == 0


def test_load_demo_without_debug_skips_accounts(settings):
    settings.DEBUG = False

    output = load_demo()

    assert get_user_model().objects.filter(username__in=USERNAMES).count() == 0
    assert "Demo accounts skipped (DEBUG is off): run `manage.py load_demo --with-accounts`" in output
    assert printed_passwords(output) == {}


def test_load_demo_with_accounts_creates_them_in_their_groups(settings):
    settings.DEBUG = False

    output = load_demo("--with-accounts")

    users = {user.username: user for user in get_user_model().objects.filter(username__in=USERNAMES)}
    assert sorted(users) == USERNAMES == ["association", "door", "organiser"]
    assert [group.name for group in users["organiser"].groups.all()] == [ORGANISERS]
    assert users["organiser"].is_staff is True
    assert [group.name for group in users["door"].groups.all()] == [DOOR_STAFF]
    assert users["door"].is_staff is False
    assert list(users["association"].groups.all()) == []
    assert list(users["association"].associations.values_list("name", flat=True)) == ["CNCD-11.11.11"]
    passwords = printed_passwords(output)
    assert sorted(passwords) == USERNAMES
    for username, password in passwords.items():
        assert users[username].check_password(password) is True


def test_load_demo_with_debug_creates_accounts(settings):
    settings.DEBUG = True

    output = load_demo()

    assert sorted(printed_passwords(output)) == USERNAMES
    assert get_user_model().objects.filter(username__in=USERNAMES).count() == len(USERNAMES)


def test_load_demo_twice_keeps_passwords():
    load_demo("--with-accounts")
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    output = load_demo("--with-accounts")

    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert printed_passwords(output) == {}
    assert output.count("exists, password unchanged") == len(USERNAMES)
    assert "Run `manage.py load_demo --reset-passwords` to give them new passwords." in output


def test_load_demo_reset_passwords_sets_new_ones():
    first = printed_passwords(load_demo("--with-accounts"))

    second = printed_passwords(load_demo("--reset-passwords"))

    assert sorted(second) == USERNAMES
    for username in USERNAMES:
        user = get_user_model().objects.get(username=username)
        assert second[username] != first[username]
        assert user.check_password(second[username]) is True
        assert user.check_password(first[username]) is False


def test_load_demo_reports_site_url_and_mail_folder(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PORT", "8123")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path

    output = load_demo()

    assert "Site: http://127.0.0.1:8123/\n" in output
    assert f"E-mails are written as files to {tmp_path}\n" in output


def test_load_demo_another_file_loads_its_content(tmp_path, settings):
    settings.DEBUG = True
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")

    output = load_demo("--file", str(path))

    assert "Venues: 1, associations: 1, events: 1 (1 created, 0 updated)." in output
    assert sorted(printed_passwords(output)) == ["pat"]
    event = Event.objects.get()
    day = timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=2)
    assert event.starts_at == datetime.datetime.combine(day, datetime.time(20), tzinfo=BRUSSELS)
    assert event.ends_at == datetime.datetime.combine(day, datetime.time(21, 30), tzinfo=BRUSSELS)
    assert texts(event, "description") == {
        "fr": "Un concert.\n\nMusique.\n\nPar Peace Club. Fin.",
        "nl": "Een concert.\n\nMuziek.\n\nDoor Peace Club. Einde.",
        "en": "A concert.\n\nMusic.\n\nBy Peace Club. End.",
    }
    assert (event.languages, event.max_seats_per_registration, event.waitlist_enabled) == (["fr"], 4, True)
    assert event.status == Event.Status.PUBLISHED
    assert list(Association.objects.get().members.values_list("username", flat=True)) == ["pat"]


def nothing_written() -> bool:
    models = (Edition, Venue, Association, Event, get_user_model())
    return [model.objects.count() for model in models] == [0] * len(models)


@pytest.mark.parametrize(
    ("broken", "fixed", "problem"),
    [
        ("venue: hall", "venue: stage", "events[0] (Evening concert): unknown venue 'stage'"),
        (
            "email: pat@example.org\n    association: club",
            "email: pat@example.org\n    association: choir",
            "accounts[0]: unknown association 'choir'",
        ),
        ("      nl: Avondconcert\n", "", "events[0]: title: missing the 'nl' text"),
        ("{fr: Paix, nl: Vrede, en: Peace}", "{fr: Paix, en: Peace}", "edition: theme: missing the 'nl' text"),
        ("    minutes: 90\n", "", "events[0] (Evening concert): missing 'minutes'"),
        ("[step_free_access]", "[step_free_access, lift]", "venues.hall: unknown accessibility feature 'lift'"),
        (
            "contact_email: pat@example.org",
            "contact_email: pat-at-example",
            "associations.club: {'contact_email': ['Enter a valid email address.']}",
        ),
        (
            "capacity: 50",
            "capacity: fifty",
            "events[0] (Evening concert): {'capacity': ['“fifty” value must be an integer.']}",
        ),
        (
            'start: "20:00"',
            "start: 20:00",
            'events[0] (Evening concert): write the time "20:00" in quotes (unquoted, YAML reads 1200)',
        ),
    ],
    ids=[
        "unknown-venue",
        "account-unknown-association",
        "missing-language",
        "missing-language-inline",
        "missing-field",
        "unknown-accessibility-feature",
        "value-the-model-refuses",
        "value-the-event-refuses",
        "unquoted-time",
    ],
)
def test_load_demo_broken_file_is_refused_with_its_entry_and_writes_nothing(tmp_path, broken, fixed, problem):
    assert SMALL.count(broken) == 1
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL.replace(broken, fixed), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path), "--with-accounts")

    assert str(raised.value) == f"{path}: {problem}"
    assert nothing_written()


def test_load_demo_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("edition: [unclosed\n", encoding="utf-8")

    with pytest.raises(CommandError, match=rf"^{re.escape(str(path))}: cannot be read as YAML: "):
        load_demo("--file", str(path))

    assert nothing_written()


def test_load_demo_two_events_with_one_english_title_are_refused(tmp_path):
    event = SMALL[SMALL.index("  - title:") : SMALL.index("accounts:")]
    path = tmp_path / "twice.yaml"
    path.write_text(SMALL.replace(event, event + event.replace('"20:00"', '"22:00"')), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path))

    assert str(raised.value) == (
        f"{path}: events[1]: another event has the English title 'Evening concert', by which a load finds it"
    )
    assert nothing_written()
