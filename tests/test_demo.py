"""`manage.py load_demo`: the loader of demo.yaml, its accounts, its proposals, running it again,
and a broken file.

Counts come from the file itself, so that editing the demo's content needs no change here.
"""

from __future__ import annotations

import datetime
import html
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
from django.utils import formats, timezone, translation

from notifications.models import Message
from programme import services
from programme.management.commands.load_demo import DEMO_FILE
from programme.models import Association, Category, Edition, Event, Proposal, ProposalNote, ProposalSlot, Venue
from programme.roles import DOOR_STAFF, ORGANISERS
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
LANGUAGES = ("fr", "nl", "en")
PASSWORD_LINE = re.compile(r"^ +(\w+) +password: (\S+)$", re.MULTILINE)
DEMO = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
USERNAMES = sorted(account["username"] for account in DEMO["accounts"])
PLACES = f"Venues: {len(DEMO['venues'])}, associations: {len(DEMO['associations'])}"
COUNTS = f"{PLACES}, events: {len(DEMO['events'])}"
#: What each step of a proposal in the file leads to.
STEP_STATES = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "request_changes": "changes_requested",
    "accept": "accepted",
    "reject": "rejected",
}

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


PROPOSALS = DEMO["proposals"]
#: The first demo account of each association makes its proposals; the first organiser decides.
MEMBERS = {item["association"]: item["username"] for item in reversed(DEMO["accounts"]) if item.get("association")}
ORGANISER = next(item["username"] for item in DEMO["accounts"] if item.get("group") == ORGANISERS)


def steps(item: dict) -> list[tuple[str, str, str | None]]:
    """(kind, message, venue) of each step of a proposal in the file."""
    found = []
    for step in item["steps"]:
        step = {step: None} if isinstance(step, str) else step
        [kind] = [name for name in step if name != "venue"]
        found.append((kind, (step[kind] or "").strip(), step.get("venue")))
    return found


def history(item: dict) -> list[tuple[str, str, str, str]]:
    """(kind, state, username, text) of each entry the proposal's steps should leave in its history."""
    member, state = MEMBERS[item["association"]], "draft"
    entries = [("transition", state, member, "")]
    for kind, text, _venue in steps(item):
        if kind in STEP_STATES:
            state = STEP_STATES[kind]
            entries.append(("transition", state, member if kind in ("submit", "withdraw") else ORGANISER, text))
        else:
            entries.append((kind, state, ORGANISER, text))
    return entries


def key(item: dict) -> tuple[str, str]:
    return DEMO["associations"][item["association"]]["name"], item["title"]["en"]


def slot_times(item: dict) -> list[tuple[datetime.datetime, datetime.datetime]]:
    times = []
    for slot in item["slots"]:
        day = first_day() + datetime.timedelta(days=slot["day"] - 1)
        starts_at = datetime.datetime.combine(day, datetime.time.fromisoformat(slot["start"]), tzinfo=BRUSSELS)
        times.append((starts_at, starts_at + datetime.timedelta(minutes=slot["minutes"])))
    return times


def demo_proposals() -> dict[tuple[str, str], Proposal]:
    found = Proposal.objects.select_related("association", "category", "venue", "edition")
    return {(proposal.association.name, proposal.title_en): proposal for proposal in found}


def days_earlier(moment: datetime.datetime | None, days: int) -> datetime.datetime | None:
    """The same Brussels time of day, `days` earlier (as if loaded that many days ago)."""
    if moment is None:
        return None
    local = moment.astimezone(BRUSSELS)
    return datetime.datetime.combine(local.date() - datetime.timedelta(days=days), local.time(), tzinfo=BRUSSELS)


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


#: The events that accepting the file's proposals makes: one per slot.
EVENTS_FROM_PROPOSALS = [
    (item, slot)
    for item in PROPOSALS
    if any(kind == "accept" for kind, _t, _v in steps(item))
    for slot in item["slots"]
]


def texts(obj, field: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


def all_rows() -> dict[str, list[dict]]:
    models = (Edition, Venue, Association, Event, get_user_model(), Proposal, ProposalSlot, ProposalNote)
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
    # Its call is over (its proposals were made and decided then): the next edition's is open.
    assert edition.call_is_open is False
    assert edition.call_closes_at == datetime.datetime.combine(
        first_day() - datetime.timedelta(days=DEMO["edition"]["call_closes_days_before"]),
        datetime.time(18),
        tzinfo=BRUSSELS,
    )
    assert list(Edition.objects.filter(is_current=True)) == [edition]


def test_load_demo_next_edition_a_year_later_has_its_call_open():
    out = load_demo()

    upcoming = Edition.objects.get(slug=DEMO["next_edition"]["slug"])
    today = timezone.localdate(timezone=BRUSSELS)
    assert (upcoming.starts_on, upcoming.ends_on) == (
        first_day() + datetime.timedelta(days=364),
        first_day() + datetime.timedelta(days=364 + DEMO["next_edition"]["days"] - 1),
    )
    assert (upcoming.year, upcoming.is_current, upcoming.is_published, upcoming.call_is_open) == (
        upcoming.starts_on.year,
        False,
        False,
        True,
    )
    assert texts(upcoming, "theme") == DEMO["next_edition"]["theme"]
    assert upcoming.call_opens_at == datetime.datetime.combine(
        today - datetime.timedelta(days=DEMO["next_edition"]["call_opened_days_ago"]), datetime.time(9), tzinfo=BRUSSELS
    )
    assert upcoming.call_closes_at == datetime.datetime.combine(
        today + datetime.timedelta(days=DEMO["next_edition"]["call_closes_in_days"]), datetime.time(18), tzinfo=BRUSSELS
    )
    assert f"slug '{upcoming.slug}', not published; its call for proposals is open until " in out
    load_demo()
    assert Edition.objects.filter(slug=upcoming.slug).count() == 1


def test_load_demo_histories_lie_within_the_demo_editions_call():
    load_demo("--with-accounts")

    edition = demo_edition()
    moments = list(ProposalNote.objects.filter(proposal__edition=edition).values_list("at", flat=True))
    assert moments and all(edition.call_opens_at < at < edition.call_closes_at for at in moments)
    assert moments == sorted(moments)


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
            # The page shows the summary above it: the description does not repeat it.
            assert getattr(event, f"description_{language}") == f"{paragraph}\n\n{footer}"


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
    events = len(DEMO["events"]) + len(EVENTS_FROM_PROPOSALS)
    assert (
        f"{PLACES}, events: {events} (0 created, 0 updated), proposals: {len(PROPOSALS)} (0 created, 0 moved).\n"
        in (output)
    )


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
    assert f"{COUNTS} (0 created, {len(DEMO['events'])} updated), proposals: 0 (0 created, 0 moved).\n" in output


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
    assert sorted(users) == USERNAMES == ["association", "door", "member", "organiser"]
    assert [group.name for group in users["organiser"].groups.all()] == [ORGANISERS]
    assert users["organiser"].is_staff is True
    assert [group.name for group in users["door"].groups.all()] == [DOOR_STAFF]
    assert users["door"].is_staff is False
    assert list(users["association"].groups.all()) == []
    assert list(users["association"].associations.values_list("name", flat=True)) == ["CNCD-11.11.11"]
    assert list(users["member"].groups.all()) == []
    assert list(users["member"].associations.values_list("name", flat=True)) == ["11.11.11"]
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

    assert (
        "Venues: 1, associations: 1, events: 1 (1 created, 0 updated), proposals: 0 (0 created, 0 moved).\n" in output
    )
    assert sorted(printed_passwords(output)) == ["pat"]
    event = Event.objects.get()
    day = timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=2)
    assert event.starts_at == datetime.datetime.combine(day, datetime.time(20), tzinfo=BRUSSELS)
    assert event.ends_at == datetime.datetime.combine(day, datetime.time(21, 30), tzinfo=BRUSSELS)
    assert texts(event, "description") == {
        "fr": "Musique.\n\nPar Peace Club. Fin.",
        "nl": "Muziek.\n\nDoor Peace Club. Einde.",
        "en": "Music.\n\nBy Peace Club. End.",
    }
    assert (event.languages, event.max_seats_per_registration, event.waitlist_enabled) == (["fr"], 4, True)
    assert event.status == Event.Status.PUBLISHED
    assert list(Association.objects.get().members.values_list("username", flat=True)) == ["pat"]


def nothing_written() -> bool:
    models = (Edition, Venue, Association, Event, get_user_model(), Proposal, ProposalNote)
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


# --- Proposals ----------------------------------------------------------------------------------


def test_demo_file_has_proposals_in_every_state_by_two_associations():
    states = []
    for item in PROPOSALS:
        state = "draft"
        for kind, _text, _venue in steps(item):
            state = STEP_STATES.get(kind, state)
        states.append(state)

    assert 6 <= len(PROPOSALS) <= 10
    assert set(states) == set(Proposal.State.values)
    assert {item["association"] for item in PROPOSALS} == {"cncd", "elf"}
    kinds = {kind for item in PROPOSALS for kind, _text, _venue in steps(item)}
    assert {"comment", "message"} <= kinds


def test_load_demo_with_accounts_makes_the_proposals_through_their_steps():
    output = load_demo("--with-accounts")

    proposals = demo_proposals()
    assert sorted(proposals) == sorted(key(item) for item in PROPOSALS)
    for item in PROPOSALS:
        proposal = proposals[key(item)]
        entries = [
            (note.kind, note.state, note.by.username, note.text)
            for note in proposal.notes.select_related("by").order_by("at", "pk")
        ]
        assert entries == history(item), proposal
        assert proposal.state == entries[-1][1]
        assert (proposal.edition, proposal.created_by.username) == (demo_edition(), MEMBERS[item["association"]])
    assert Proposal.objects.count() == len(PROPOSALS)
    assert f"proposals: {len(PROPOSALS)} ({len(PROPOSALS)} created, 0 moved).\n" in output


def test_load_demo_proposals_hold_the_file_texts_and_slots_inside_the_edition():
    load_demo("--with-accounts")

    proposals = demo_proposals()
    edition = demo_edition()
    for item in PROPOSALS:
        proposal = proposals[key(item)]
        association = DEMO["associations"][item["association"]]
        assert texts(proposal, "title") == item["title"]
        assert texts(proposal, "summary") == item["summary"]
        assert texts(proposal, "description") == item.get("description", {"fr": "", "nl": "", "en": ""})
        assert proposal.category.slug == item["category"]
        assert proposal.venue == (
            Venue.objects.get(address=DEMO["venues"][item["venue"]]["address"]) if "venue" in item else None
        )
        assert (proposal.venue_wish, proposal.venue_address) == (
            item.get("venue_wish", ""),
            item.get("venue_address", ""),
        )
        assert proposal.capacity == item.get("capacity")
        assert set(proposal.languages) == set(item["languages"] or ["none"])
        assert (proposal.contact_name, proposal.contact_email) == (
            association["contact_name"],
            association["contact_email"],
        )
        slots = [(slot.starts_at, slot.ends_at) for slot in proposal.slots.all()]
        assert slots == slot_times(item)
        for starts_at, ends_at in slots:
            assert edition.starts_on <= starts_at.astimezone(BRUSSELS).date() <= ends_at.astimezone(BRUSSELS).date()
            assert ends_at.astimezone(BRUSSELS).date() <= edition.ends_on
    assert {proposal.venue is None for proposal in proposals.values()} == {True, False}


def test_load_demo_accepted_proposal_has_one_draft_event_per_slot_in_its_venue():
    load_demo("--with-accounts")

    proposals = demo_proposals()
    made = Event.objects.exclude(proposal=None).select_related("proposal__association", "venue", "association")
    expected = []
    for item, slot in EVENTS_FROM_PROPOSALS:
        [venue] = [v for kind, _text, v in steps(item) if kind == "accept"]
        address = DEMO["venues"][venue or item["venue"]]["address"]
        [times] = slot_times({"slots": [slot]})
        expected.append((key(item), address, *times, Event.Status.DRAFT, item["title"]["en"], item.get("capacity")))
    assert sorted(
        (
            (event.proposal.association.name, event.proposal.title_en),
            event.venue.address,
            event.starts_at,
            event.ends_at,
            event.status,
            event.title_en,
            event.capacity,
        )
        for event in made
    ) == sorted(expected)
    assert len(expected) >= 2
    for event in made:
        assert event.association == event.proposal.association
        assert event.edition == demo_edition()
        assert proposals[(event.association.name, event.title_en)].state == Proposal.State.ACCEPTED
    assert Event.objects.filter(edition=demo_edition()).count() == len(DEMO["events"]) + len(expected)


def test_load_demo_tells_no_association_of_the_made_up_history_but_later_decisions_are_mailed():
    load_demo("--with-accounts")

    assert Message.objects.count() == 0
    [item] = [item for item in PROPOSALS if item["association"] == "cncd" and history(item)[-1][1] == "submitted"]
    proposal = demo_proposals()[key(item)]
    organiser = get_user_model().objects.get(username=ORGANISER)
    services.proposal_transition(proposal=proposal, action="reject", user=organiser, message="Not this year.")
    assert list(Message.objects.values_list("purpose", "recipient", "template", "concerns_id")) == [
        (Message.Purpose.PROPOSAL, "cncd@example.org", "programme/email/proposal_rejected", proposal.pk)
    ]


def test_load_demo_twice_with_accounts_makes_no_proposal_twice():
    load_demo("--with-accounts")
    proposals = dict(Proposal.objects.values_list("pk", "state"))

    output = load_demo("--with-accounts")

    assert dict(Proposal.objects.values_list("pk", "state")) == proposals
    assert ProposalNote.objects.count() == sum(len(history(item)) for item in PROPOSALS)
    assert f"proposals: {len(PROPOSALS)} (0 created, 0 moved).\n" in output


def test_load_demo_later_keeps_what_demo_users_did_with_the_proposals():
    load_demo("--with-accounts")
    [item] = [item for item in PROPOSALS if history(item)[-1][1] == "draft"]
    draft = demo_proposals()[key(item)]
    member = get_user_model().objects.get(username=MEMBERS[item["association"]])
    services.proposal_transition(proposal=draft, action="withdraw", user=member)

    load_demo("--with-accounts")

    assert Proposal.objects.get(pk=draft.pk).state == Proposal.State.WITHDRAWN
    assert Proposal.objects.count() == len(PROPOSALS)


def test_load_demo_later_moves_every_proposal_slot_and_the_events_made_from_proposals():
    load_demo("--with-accounts")
    slots = list(ProposalSlot.objects.order_by("pk").values_list("pk", "starts_at", "ends_at"))
    events = list(Event.objects.order_by("pk").values_list("pk", "starts_at", "ends_at"))
    proposals = list(Proposal.objects.order_by("pk").values())
    notes = list(ProposalNote.objects.order_by("pk").values())
    # As if the demo had been loaded five days ago.
    five_days = datetime.timedelta(days=5)
    Edition.objects.update(starts_on=F("starts_on") - five_days, ends_on=F("ends_on") - five_days)
    Event.objects.filter(proposal=None).update(starts_at=F("starts_at") - five_days, ends_at=F("ends_at") - five_days)
    earlier = list(ProposalSlot.objects.all()) + list(Event.objects.exclude(proposal=None))
    for row in earlier:
        row.starts_at, row.ends_at = days_earlier(row.starts_at, 5), days_earlier(row.ends_at, 5)
        row.save(update_fields=["starts_at", "ends_at"])

    output = load_demo("--with-accounts")

    assert list(ProposalSlot.objects.order_by("pk").values_list("pk", "starts_at", "ends_at")) == slots
    assert list(Event.objects.order_by("pk").values_list("pk", "starts_at", "ends_at")) == events
    assert list(Proposal.objects.order_by("pk").values()) == proposals
    assert list(ProposalNote.objects.order_by("pk").values()) == notes
    made, moved = len(DEMO["events"]) + len(EVENTS_FROM_PROPOSALS), len(PROPOSALS)
    assert f"events: {made} (0 created, {made} updated), proposals: {moved} (0 created, {moved} moved).\n" in output


def test_load_demo_without_accounts_makes_no_proposal_and_says_so(settings):
    settings.DEBUG = False

    output = load_demo()

    assert Proposal.objects.count() == 0
    assert f"{COUNTS} ({len(DEMO['events'])} created, 0 updated), proposals: 0 (0 created, 0 moved).\n" in output
    assert "Demo proposals skipped too: the demo accounts make them.\n" in output
    assert f"proposals: {len(PROPOSALS)} ({len(PROPOSALS)} created, 0 moved).\n" in load_demo("--with-accounts")


def test_load_demo_associations_have_the_file_language():
    load_demo()

    languages = dict(Association.objects.values_list("name", "language"))
    assert languages == {item["name"]: item.get("language", "fr") for item in DEMO["associations"].values()}
    assert languages["11.11.11"] == "nl"
    assert languages["CNCD-11.11.11"] == "fr"


def test_load_demo_member_can_propose_an_activity_in_the_portal_right_after_the_load(client):
    passwords = printed_passwords(load_demo("--with-accounts"))
    assert client.login(username="association", password=passwords["association"]) is True

    page = client.get("/en/portal/proposals/new/")

    assert page.status_code == 200
    assert page.templates[0].name == "portal/proposal_form.html"
    assert "<h1>Propose an activity</h1>" in page.content.decode()
    upcoming = Edition.objects.get(slug=DEMO["next_edition"]["slug"])
    assert f"For the edition {upcoming}." in page.content.decode()
    day = upcoming.starts_on + datetime.timedelta(days=1)
    answer = client.post(
        "/en/portal/proposals/new/",
        {
            "title_en": "Peace café",
            "summary_en": "Coffee and talk.",
            "category": Category.objects.get(slug="other").pk,
            "venue": "",
            "venue_wish": "A café",
            "contact_email": "cncd@example.org",
            "languages": ["en"],
            "slots-TOTAL_FORMS": "2",
            "slots-INITIAL_FORMS": "0",
            "slots-MIN_NUM_FORMS": "0",
            "slots-MAX_NUM_FORMS": "10",
            "slots-0-starts_at": f"{day.isoformat()}T10:00",
            "slots-0-ends_at": f"{day.isoformat()}T11:00",
            "slots-1-starts_at": "",
            "slots-1-ends_at": "",
        },
    )
    proposal = Proposal.objects.get(title_en="Peace café")
    assert (answer.status_code, answer["Location"]) == (302, f"/en/portal/proposals/{proposal.pk}/")
    assert (proposal.edition, proposal.association.name, proposal.state) == (upcoming, "CNCD-11.11.11", "draft")


def test_load_demo_organiser_finds_the_submitted_proposals_in_the_review_queue(client):
    passwords = printed_passwords(load_demo("--with-accounts"))
    assert client.login(username=ORGANISER, password=passwords[ORGANISER]) is True

    page = client.get("/en/backoffice/proposals/")

    assert page.status_code == 200
    listed = re.findall(r'<a href="/en/backoffice/proposals/\d+/">([^<]+)</a>', page.content.decode())
    submitted = [item["title"]["en"] for item in PROPOSALS if history(item)[-1][1] == "submitted"]
    assert sorted(html.unescape(title) for title in listed) == sorted(submitted)
    assert len({item["association"] for item in PROPOSALS if item["title"]["en"] in submitted}) == 2


def test_load_demo_member_reads_the_organisers_message_but_not_their_comment(client):
    passwords = printed_passwords(load_demo("--with-accounts"))
    [item] = [item for item in PROPOSALS if {"message", "comment"} <= {kind for kind, _t, _v in steps(item)}]
    proposal = demo_proposals()[key(item)]
    [message] = [text for kind, text, _venue in steps(item) if kind == "message"]
    [comment] = [text for kind, text, _venue in steps(item) if kind == "comment"]
    client.login(username=MEMBERS[item["association"]], password=passwords[MEMBERS[item["association"]]])

    page = html.unescape(client.get(f"/en/portal/proposals/{proposal.pk}/").content.decode())

    assert message in page
    assert comment not in page
    client.login(username=ORGANISER, password=passwords[ORGANISER])
    page = html.unescape(client.get(f"/en/backoffice/proposals/{proposal.pk}/").content.decode())
    assert message in page
    assert comment in page


SMALL_PROPOSALS = (
    SMALL
    + """\
  - username: olga
    first_name: Olga
    last_name: Organiser
    email: olga@example.org
    group: Organisers
proposals:
  - association: club
    title: {fr: Chorale, nl: Koor, en: Choir}
    summary: {fr: Chanter., nl: Zingen., en: Singing.}
    category: concert
    venue: hall
    languages: []
    capacity: 40
    slots:
      - {day: 1, start: "20:00", minutes: 60}
    steps:
      - submit
      - comment: Fine by me.
      - accept: Welcome!
"""
)


def test_load_demo_another_file_makes_its_proposals(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_PROPOSALS, encoding="utf-8")

    output = load_demo("--file", str(path), "--with-accounts")

    assert "events: 2 (1 created, 0 updated), proposals: 1 (1 created, 0 moved).\n" in output
    proposal = Proposal.objects.get()
    notes = [(note.kind, note.state, note.by.username, note.text) for note in proposal.notes.all()]
    assert notes == [
        ("transition", "draft", "pat", ""),
        ("transition", "submitted", "pat", ""),
        ("comment", "submitted", "olga", "Fine by me."),
        ("transition", "accepted", "olga", "Welcome!"),
    ]
    day = timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=1)
    event = proposal.events.get()
    assert (event.starts_at, event.ends_at, event.status, event.title_en, event.capacity) == (
        datetime.datetime.combine(day, datetime.time(20), tzinfo=BRUSSELS),
        datetime.datetime.combine(day, datetime.time(21), tzinfo=BRUSSELS),
        Event.Status.DRAFT,
        "Choir",
        40,
    )


@pytest.mark.parametrize(
    ("broken", "fixed", "problem"),
    [
        (
            "      - submit\n",
            "      - send\n",
            "proposals[0] (Choir): steps[0]: a step is one of submit, withdraw, "
            "request_changes, accept, reject, message, comment (accept may name a venue), not {'send': None}",
        ),
        (
            "      - accept: Welcome!\n",
            "      - accept: Welcome!\n      - reject: No.\n",
            "proposals[0] (Choir): steps[3]: A proposal that is “Accepted” cannot be rejected.",
        ),
        (
            "      - comment: Fine by me.\n",
            "      - request_changes:\n",
            "proposals[0] (Choir): steps[1]: Say what should change: the association reads this message.",
        ),
        (
            "      - comment: Fine by me.\n",
            "      - comment:\n",
            "proposals[0] (Choir): steps[1]: {'text': ['Write a message.']}",
        ),
        (
            "      - accept: Welcome!\n",
            "      - accept: Welcome!\n        venue: stage\n",
            "proposals[0] (Choir): steps[2]: unknown venue 'stage'",
        ),
        (
            "email: pat@example.org\n    association: club\n",
            "email: pat@example.org\n",
            "proposals[0] (Choir): no demo account is a member of the association 'club'",
        ),
        (
            "    group: Organisers\n",
            "",
            "proposals[0] (Choir): steps[1]: comment: no demo account is in the group 'Organisers'",
        ),
        (
            '{day: 1, start: "20:00", minutes: 60}',
            "{day: 1, start: 20:00, minutes: 60}",
            'proposals[0] (Choir): slots[0]: write the time "20:00" in quotes (unquoted, YAML reads 1200)',
        ),
        (
            "    title: {fr: Chorale, nl: Koor, en: Choir}",
            "    title: {fr: Chorale, en: Choir}",
            "proposals[0]: title: missing the 'nl' text",
        ),
        (
            "    category: concert\n    venue: hall\n    languages: []",
            "    category: opera\n    venue: hall\n    languages: []",
            "proposals[0] (Choir): unknown category 'opera'",
        ),
    ],
    ids=[
        "unknown-step",
        "step-the-service-refuses",
        "changes-without-message",
        "empty-comment",
        "unknown-venue-to-accept-in",
        "no-member-account",
        "no-organiser-account",
        "unquoted-slot-time",
        "missing-language",
        "unknown-category",
    ],
)
def test_load_demo_broken_proposal_is_refused_with_its_entry_and_writes_nothing(tmp_path, broken, fixed, problem):
    assert SMALL_PROPOSALS.count(broken) == 1
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL_PROPOSALS.replace(broken, fixed), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path), "--with-accounts")

    assert str(raised.value) == f"{path}: {problem}"
    assert nothing_written()


def test_load_demo_proposal_slot_outside_the_edition_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL_PROPOSALS.replace("{day: 1, start:", "{day: 3, start:"), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path), "--with-accounts")

    first = timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=1)
    with translation.override("en"):
        dates = [formats.date_format(day, "DATE_FORMAT") for day in (first, first + datetime.timedelta(days=1))]
    assert str(raised.value) == (
        f"{path}: proposals[0] (Choir): {{'slots': ['Propose dates within the fortnight: {dates[0]} to {dates[1]}.']}}"
    )
    assert nothing_written()


def test_load_demo_proposal_accepted_onto_an_event_in_its_venue_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL_PROPOSALS.replace('{day: 1, start: "20:00"', '{day: 2, start: "21:00"'), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path), "--with-accounts")

    assert re.fullmatch(
        rf"{re.escape(str(path))}: proposals\[0\] \(Choir\): steps\[2\]: \{{'starts_at': \['The hall is already "
        r"taken at that time by “Evening concert” \(activity \d+, [^)]+, 20:00\u201321:30\)\.'\]\}",
        str(raised.value),
    ), str(raised.value)
    assert nothing_written()


def test_load_demo_two_proposals_of_one_association_with_one_english_title_are_refused(tmp_path):
    proposal = SMALL_PROPOSALS[SMALL_PROPOSALS.index("  - association: club") :]
    path = tmp_path / "twice.yaml"
    path.write_text(SMALL_PROPOSALS + proposal, encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load_demo("--file", str(path), "--with-accounts")

    assert str(raised.value) == (
        f"{path}: proposals[1]: another proposal of Peace Club has the English title 'Choir', by which a load finds it"
    )
    assert nothing_written()
