"""`manage.py load_demo`: the demo edition, its content, its accounts, and running it again."""

from __future__ import annotations

import datetime
import io
import itertools
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from programme import demo_data
from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import DOOR_STAFF, ORGANISERS
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
PASSWORD_LINE = re.compile(r"^ +(\w+) +password: (\S+)$", re.MULTILINE)
USERNAMES = ["association", "door", "organiser"]


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(PASSWORD_LINE.findall(output))


def demo_edition() -> Edition:
    return Edition.objects.get(slug=demo_data.EDITION_SLUG)


def first_day() -> datetime.date:
    return timezone.localdate(timezone=BRUSSELS) + datetime.timedelta(days=3)


def test_load_demo_edition_is_current_and_starts_three_days_from_today():
    load_demo()

    edition = demo_edition()
    assert edition.starts_on == first_day()
    assert edition.ends_on == first_day() + datetime.timedelta(days=13)
    assert (edition.ends_on - edition.starts_on).days + 1 == 14
    assert edition.year == first_day().year
    assert (edition.theme_fr, edition.theme_nl, edition.theme_en) == (
        "Construction de la paix",
        "Vredesopbouw",
        "Peacebuilding",
    )
    assert edition.is_current is True
    assert edition.is_published is True
    assert edition.reminder_offsets == [48, 3]
    assert edition.call_is_open is True
    assert edition.call_closes_at < datetime.datetime.combine(edition.starts_on, datetime.time(0), tzinfo=BRUSSELS)
    assert list(Edition.objects.filter(is_current=True)) == [edition]


def test_load_demo_other_current_edition_is_no_longer_current():
    other = EditionFactory(year=2030, is_current=True)

    load_demo()

    other.refresh_from_db()
    assert other.is_current is False
    assert list(Edition.objects.filter(is_current=True)) == [demo_edition()]


def test_load_demo_venues_have_addresses_coordinates_and_capacity():
    load_demo()

    venues = list(Venue.objects.all())
    assert len(venues) == len(demo_data.VENUES) == 12
    for venue in venues:
        assert venue.name_fr and venue.name_nl and venue.name_en
        assert re.search(r", 10[0-9]0 ", venue.address), venue.address
        # Inside the Brussels-Capital Region.
        assert 50.76 < venue.latitude < 50.92, venue
        assert 4.24 < venue.longitude < 4.48, venue
        assert venue.capacity >= 80
    for feature, _label in Venue.ACCESSIBILITY_FEATURES:
        assert {getattr(venue, feature) for venue in venues} == {True, False}, feature


def test_load_demo_associations_have_texts_and_example_contacts():
    load_demo()

    associations = list(Association.objects.all())
    assert len(associations) == len(demo_data.ASSOCIATIONS) == 12
    for association in associations:
        assert association.description_fr and association.description_nl and association.description_en
        assert association.website.startswith("https://")
        assert association.contact_name
        assert association.contact_email.endswith("@example.org")


def test_load_demo_events_cover_every_category_and_every_day():
    load_demo()

    events = list(Event.objects.filter(edition=demo_edition()))
    assert len(events) == len(demo_data.EVENTS) == 67
    assert {event.category.slug for event in events} == set(Category.objects.values_list("slug", flat=True))
    assert len(Category.objects.all()) == 7
    days = {timezone.localtime(event.starts_at, BRUSSELS).date() for event in events}
    assert days == {first_day() + datetime.timedelta(days=n) for n in range(14)}


def test_load_demo_public_events_have_title_summary_and_description_in_three_languages():
    load_demo()

    public = list(Event.objects.filter(edition=demo_edition(), status=Event.Status.PUBLISHED))
    assert len(public) == 64
    for event in public:
        for language in ("fr", "nl", "en"):
            for field in ("title", "summary", "description"):
                assert getattr(event, f"{field}_{language}"), (event.pk, field, language)
        assert event.description_en.startswith(event.summary_en)
    for language in ("fr", "nl", "en"):
        assert len({getattr(event, f"title_{language}") for event in public}) == 64


def test_load_demo_statuses_are_mostly_published():
    load_demo()

    statuses = sorted(Event.objects.values_list("status", flat=True).distinct())
    counts = {status: Event.objects.filter(status=status).count() for status in statuses}
    assert counts == {"cancelled": 1, "draft": 2, "published": 64}


def test_load_demo_events_run_between_10_and_22_brussels_time():
    load_demo()

    for event in Event.objects.all():
        starts, ends = timezone.localtime(event.starts_at, BRUSSELS), timezone.localtime(event.ends_at, BRUSSELS)
        assert starts.date() == ends.date(), event
        assert datetime.time(10) <= starts.time() < ends.time() <= datetime.time(22), event


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

    events = list(Event.objects.select_related("venue"))
    with_capacity = [event for event in events if event.capacity is not None]
    for event in with_capacity:
        assert 10 <= event.capacity <= 300, event
        assert event.capacity <= event.venue.capacity, event
    for event in events:
        assert 1 <= event.max_seats_per_registration <= 6, event
    assert len(events) - len(with_capacity) == 9
    assert sorted(event.capacity for event in with_capacity)[:3] == [10, 10, 12]
    assert [event.title_en for event in events if not event.waitlist_enabled] == ["Closing concert: a world ball"]


def test_load_demo_registration_is_open_except_where_it_opens_later():
    load_demo()
    now = timezone.now()

    published = Event.objects.filter(status=Event.Status.PUBLISHED)
    opening_later = [event for event in published if event.registration_opens_at is not None]
    assert len(opening_later) == 3
    for event in opening_later:
        assert event.registration_opens_at > now
        assert event.registration_status == Event.RegistrationStatus.CLOSED
    closing_early = [event for event in published if event.registration_closes_at is not None]
    assert len(closing_early) == 3
    for event in published:
        if event.capacity is None:
            assert event.registration_status == Event.RegistrationStatus.NOT_REQUIRED
        elif event.registration_opens_at is None:
            assert event.registration_status == Event.RegistrationStatus.OPEN, event


def test_load_demo_events_with_an_association_match_the_data():
    load_demo()

    city = Event.objects.filter(association__isnull=True).count()
    assert city == sum(1 for item in demo_data.EVENTS if item.association is None) == 14
    used = set(Event.objects.exclude(association=None).values_list("association__name", flat=True))
    assert used == {association.name for association in demo_data.ASSOCIATIONS}


def test_load_demo_twice_keeps_the_same_rows_and_seats_taken():
    load_demo()
    pks = {model: set(model.objects.values_list("pk", flat=True)) for model in (Edition, Venue, Association, Event)}
    booked = Event.objects.get(title_en="Workshop: defusing everyday conflict")
    Event.objects.filter(pk=booked.pk).update(seats_taken=7)

    output = load_demo()

    assert {model: set(model.objects.values_list("pk", flat=True)) for model in pks} == pks
    assert Event.objects.get(pk=booked.pk).seats_taken == 7
    assert "Venues: 12, associations: 12, events: 67 (0 created, 0 updated)." in output


def test_load_demo_twice_never_lowers_capacity_below_seats_taken():
    load_demo()
    small = Event.objects.get(title_en="Workshop: defusing everyday conflict")
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
    assert "events: 67 (0 created, 67 updated)." in output


def test_load_demo_refuses_a_year_that_another_edition_holds():
    EditionFactory(year=first_day().year, slug="real")

    with pytest.raises(CommandError, match=f"Edition 'real' already holds the year {first_day().year}"):
        load_demo()

    assert Venue.objects.count() == 0
    assert Edition.objects.filter(slug=demo_data.EDITION_SLUG).count() == 0


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
    assert sorted(users) == USERNAMES
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
    assert get_user_model().objects.filter(username__in=USERNAMES).count() == 3


def test_load_demo_twice_keeps_passwords():
    load_demo("--with-accounts")
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    output = load_demo("--with-accounts")

    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert printed_passwords(output) == {}
    assert output.count("exists, password unchanged") == 3
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
