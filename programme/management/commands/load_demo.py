"""Load the demo edition from demo.yaml: venues, associations, events and the demo accounts.

Running it again updates the same rows instead of adding new ones: the demo
edition is found by its slug, venues by address, associations by name, events
by their English title within the demo edition, accounts by username. Each run
moves the edition so that it starts a few days after today, and recomputes
every event's times from that first day; seats already taken are kept.

No schema: each row is validated by its model (full_clean) as it is written, in
one transaction. A missing field, text or reference, or a value a model refuses,
stops the command with the entry it was found in, and nothing is written.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation

from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import ensure_groups
from programme.services import event_create, event_update

DEMO_FILE = Path(__file__).with_name("demo.yaml")
BRUSSELS = ZoneInfo("Europe/Brussels")
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
LANGUAGES = ("fr", "nl", "en")
SPOKEN = ("fr", "nl", "en", "other")
FEATURES = tuple(name for name, _label in Venue.ACCESSIBILITY_FEATURES)
NO_NOTES = [f"accessibility_notes_{language}" for language in LANGUAGES]


@contextmanager
def _entry(where: str) -> Iterator[None]:
    """Put the place in the file before the message of any fault found while loading it."""
    try:
        yield
    except KeyError as exc:
        raise CommandError(f"{where}: missing {exc.args[0]!r}") from None
    except (CommandError, TypeError, ValueError, ValidationError) as exc:
        with translation.override("en"):  # a model's messages too in English, as the rest of the output
            raise CommandError(f"{where}: {exc}") from None


def _ref(table: dict[str, Any], key: Any, what: str) -> Any:
    """The row (or text) that a key written in the file refers to."""
    if key not in table:
        raise CommandError(f"unknown {what} {key!r}")
    return table[key]


def _texts(field: str, texts: Any, prefix: str = "") -> dict[str, str]:
    """A text given in each language, {fr: ..., nl: ..., en: ...}; with a prefix, as fields {title_fr: ...}."""
    for language in LANGUAGES:
        if not isinstance(texts, dict) or not texts.get(language):
            raise CommandError(f"{field}: missing the {language!r} text")
    return {f"{prefix}{language}": texts[language] for language in LANGUAGES}


def _translated(field: str, texts: Any) -> dict[str, str]:
    return _texts(field, texts, prefix=f"{field}_")


def _flags(prefix: str, names: tuple[str, ...], chosen: list[str], what: str) -> dict[str, bool]:
    """{prefix + name: whether it is chosen} for each of `names`."""
    for name in chosen:
        _ref(dict.fromkeys(names), name, what)
    return {f"{prefix}{name}": name in chosen for name in names}


def _at(day: datetime.date, hhmm: Any) -> datetime.datetime:
    if isinstance(hhmm, int):
        raise CommandError(f'write the time "{hhmm // 60:02}:{hhmm % 60:02}" in quotes (unquoted, YAML reads {hhmm})')
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tzinfo=BRUSSELS)


def _save(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Update the row that `lookup` finds, or create it; validated like a form would."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


class Command(BaseCommand):
    help = "Load or refresh the demo edition, a few days from today; demo accounts with DEBUG or --with-accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        add = parser.add_argument
        add("--with-accounts", action="store_true", help="Create the demo accounts even when DEBUG is off.")
        add("--reset-passwords", action="store_true", help="New demo account passwords (implies --with-accounts).")
        add("--file", type=Path, default=DEMO_FILE, help="Load this file instead of the demo.yaml beside this command.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"{path}: cannot be read as YAML: {exc}") from exc
        with_accounts = settings.DEBUG or options["with_accounts"] or options["reset_passwords"]
        with _entry(str(path)), transaction.atomic():
            with _entry("edition"):
                edition = self._load_edition(data["edition"], timezone.localdate(timezone=BRUSSELS))
            venues, associations = {}, {}
            for key, item in data["venues"].items():
                with _entry(f"venues.{key}"):
                    notes = item.get("accessibility_notes")
                    values = {
                        **_translated("name", item["name"]),
                        # As text: a float becomes a decimal with more places than the model takes.
                        "latitude": str(item["latitude"]),
                        "longitude": str(item["longitude"]),
                        "capacity": item["capacity"],
                        **_flags("", FEATURES, item["accessibility"], "accessibility feature"),
                        **(_translated("accessibility_notes", notes) if notes else dict.fromkeys(NO_NOTES, "")),
                    }
                    venues[key] = _save(Venue, {"address": item["address"]}, values)
            for key, item in data["associations"].items():
                with _entry(f"associations.{key}"):
                    values = {name: item[name] for name in ("website", "contact_name", "contact_email")}
                    values |= _translated("description", item["description"])
                    associations[key] = _save(Association, {"name": item["name"]}, values)
            created, updated = self._load_events(data, edition, venues, associations)
            accounts = self._load_accounts(data, associations, options["reset_passwords"]) if with_accounts else None
        # Reported once committed, so that no password is shown for an account that was rolled back.
        events = Event.objects.filter(edition=edition).count()
        counts = f"Venues: {len(venues)}, associations: {len(associations)}, events: {events}"
        self._report(edition, f"{counts} ({created} created, {updated} updated).", accounts)

    def _load_edition(self, item: dict[str, Any], today: datetime.date) -> Edition:
        starts_on = today + datetime.timedelta(days=item["starts_in_days"])
        Edition.objects.filter(is_current=True).exclude(slug=item["slug"]).update(is_current=False)
        values = {
            "year": starts_on.year,
            **_translated("theme", item["theme"]),
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=item["days"] - 1),
            "call_opens_at": _at(starts_on - datetime.timedelta(days=item["call_opens_days_before"]), "09:00"),
            "call_closes_at": _at(starts_on - datetime.timedelta(days=1), "18:00"),
            "reminder_offsets": item["reminder_offsets"],
        }
        return _save(Edition, {"slug": item["slug"]}, {**values, "is_current": True, "is_published": True})

    def _load_events(
        self, data: dict[str, Any], edition: Edition, venues: dict[str, Venue], associations: dict[str, Association]
    ) -> tuple[int, int]:
        """Create the demo events that are missing, update those that differ; return (created, updated)."""
        with _entry("descriptions"):
            texts = data["descriptions"]
            about = {name: _texts(name, texts[name]) for name in ("footer", "by_association", "by_city")}
            about["categories"] = {key: _texts(f"categories.{key}", text) for key, text in texts["categories"].items()}
        refs = {"venue": venues, "association": associations, "category": Category.objects.in_bulk(field_name="slug")}
        existing = {event.title_en: event for event in Event.objects.filter(edition=edition)}
        titles: set[str] = set()
        created = 0
        moves: list[tuple[Event, dict[str, Any], str]] = []
        for number, item in enumerate(data["events"]):
            with _entry(f"events[{number}]"):
                title = _texts("title", item["title"])["en"]
                if title in titles:
                    raise CommandError(f"another event has the English title {title!r}, by which a load finds it")
                titles.add(title)
            with _entry(f"events[{number}] ({title})"):
                fields = self._event_fields(item, edition, refs, about)
                event = existing.get(title)
                if event is None:
                    event_create(data=fields)
                    created += 1
                    continue
                if fields["capacity"] is not None:
                    # Never below the seats already booked: the database refuses an overbooked event.
                    fields["capacity"] = max(fields["capacity"], event.seats_taken)
                changes = {name: value for name, value in fields.items() if getattr(event, name) != value}
                if changes:
                    moves.append((event, changes, f"events[{number}] ({title})"))
        # A later load moves the whole edition: the events that move later go first, the latest
        # first, then those that move earlier, the earliest first, so that none is moved onto a
        # slot that another still holds in its venue.
        later = sorted(
            (m for m in moves if m[1].get("starts_at", m[0].starts_at) > m[0].starts_at),
            key=lambda m: m[1]["starts_at"],
            reverse=True,
        )
        others = sorted((m for m in moves if m not in later), key=lambda m: m[1].get("starts_at", m[0].starts_at))
        for event, changes, where in later + others:
            with _entry(where):
                event_update(event=event, data=changes)
        return created, len(moves)

    def _event_fields(
        self, item: dict[str, Any], edition: Edition, refs: dict[str, dict[str, Any]], about: dict[str, Any]
    ) -> dict[str, Any]:
        starts_at = _at(edition.starts_on + datetime.timedelta(days=item["day"] - 1), item["start"])
        association = item.get("association") and _ref(refs["association"], item["association"], "association")
        organiser = about["by_city"]
        if association:
            by_association = about["by_association"].items()
            organiser = {language: text.format(association=association.name) for language, text in by_association}
        paragraph = _ref(about["categories"], item["category"], "category")
        summary = _texts("summary", item["summary"])
        description = {
            language: f"{summary[language]}\n\n{paragraph[language]}\n\n{footer.format(organiser=organiser[language])}"
            for language, footer in about["footer"].items()
        }
        opens, closes = item.get("registration_opens_days_before"), item.get("registration_closes_hours_before")
        return {
            "edition_id": edition.pk,
            "venue_id": _ref(refs["venue"], item["venue"], "venue").pk,
            "category_id": _ref(refs["category"], item["category"], "category").pk,
            "association_id": association.pk if association else None,
            **_translated("title", item["title"]),
            **_translated("summary", summary),
            **_translated("description", description),
            **_flags("speaks_", SPOKEN, item["languages"], "language"),
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(minutes=item["minutes"]),
            "capacity": item["capacity"],
            "max_seats_per_registration": item.get("max_seats", 4),
            "waitlist_enabled": item.get("waitlist", True),
            "registration_opens_at": None if opens is None else starts_at - datetime.timedelta(days=opens),
            "registration_closes_at": None if closes is None else starts_at - datetime.timedelta(hours=closes),
            "status": item.get("status", Event.Status.PUBLISHED),
        }

    def _load_accounts(
        self, data: dict[str, Any], associations: dict[str, Association], reset_passwords: bool
    ) -> list[tuple[str, str | None]]:
        """Create or refresh the demo accounts; return (username, new password or None if unchanged)."""
        ensure_groups()
        groups = Group.objects.in_bulk(field_name="name")
        users = get_user_model()._default_manager
        accounts = []
        for number, item in enumerate(data["accounts"]):
            with _entry(f"accounts[{number}]"):
                new = not users.filter(username=item["username"]).exists()
                password = secrets.token_urlsafe(12) if new or reset_passwords else None
                values = {name: item[name] for name in ("first_name", "last_name", "email")}
                values |= {"is_staff": item.get("is_staff", False), "is_active": True}
                if password is not None:
                    values["password"] = make_password(password)
                user = _save(users.model, {"username": item["username"]}, values)
                if item.get("group"):
                    user.groups.add(_ref(groups, item["group"], "group"))
                if item.get("association"):
                    _ref(associations, item["association"], "association").members.add(user)
                accounts.append((user.username, password))
        return accounts

    def _report(self, edition: Edition, counts: str, accounts: list[tuple[str, str | None]] | None) -> None:
        write, site = self.stdout.write, f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        write(
            self.style.SUCCESS(
                f"Demo edition {edition.year} ({edition.theme_en}): {edition.starts_on} to {edition.ends_on}, "
                f"slug {edition.slug!r}, current and published."
            )
        )
        write(counts)
        if accounts is None:
            write(
                "Demo accounts skipped (DEBUG is off): run `manage.py load_demo --with-accounts` to create them, "
                "or `manage.py createsuperuser`."
            )
        else:
            write(f"Demo accounts (the organiser also uses the back office at {site}{reverse('admin:index')}):")
            for username, password in accounts:
                write(f"  {username:<12} " + (f"password: {password}" if password else "exists, password unchanged"))
            if any(password is None for _, password in accounts):
                write("  Run `manage.py load_demo --reset-passwords` to give them new passwords.")
        write(f"Site: {site}/")
        if settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND:
            write(f"E-mails are written as files to {settings.EMAIL_FILE_PATH}")
        else:
            write(f"E-mails are sent with {settings.EMAIL_BACKEND}.")
