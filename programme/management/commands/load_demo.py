"""Load the demo edition from demo.yaml: venues, associations, events, the demo accounts
and, made by those accounts, proposals to the edition's call.

Running it again updates the same rows instead of adding new ones: the demo
edition is found by its slug, venues by address, associations by name, events
by their English title within the demo edition, accounts by username. Each run
moves the edition so that it starts a few days after today, and recomputes
every event's times from that first day; seats already taken are kept.

Proposals are made once, through the services that the portal and the back office
call (created as a draft, then each step: submit, request changes, accept...), and found
again by association and English title; a later run leaves them as the demo's users
left them, except that their slots, and the events made from proposals, move with the
edition by as many days. The demo edition's call stays open (it closes the evening
before the first day), because the portal takes proposals for the current edition only.

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

from programme.models import (
    EVENT_TIME_FIELDS,
    SPOKEN,
    Association,
    Category,
    Edition,
    Event,
    Proposal,
    ProposalSlot,
    Venue,
)
from programme.roles import ORGANISERS, ensure_groups
from programme.services import (
    ASSOCIATION,
    TRANSITIONS,
    ProposalError,
    event_create,
    event_update,
    proposal_create,
    proposal_note_add,
    proposal_transition,
)

DEMO_FILE = Path(__file__).with_name("demo.yaml")
BRUSSELS = ZoneInfo("Europe/Brussels")
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
LANGUAGES = ("fr", "nl", "en")

FEATURES = tuple(name for name, _label in Venue.ACCESSIBILITY_FEATURES)
NO_NOTES = [f"accessibility_notes_{language}" for language in LANGUAGES]
NO_DESCRIPTION = [f"description_{language}" for language in LANGUAGES]
#: A proposal's step that is not a change of state: an organiser's note, to the association or not.
NOTES = {"message": True, "comment": False}


@contextmanager
def _entry(where: str) -> Iterator[None]:
    """Put the place in the file before the message of any fault found while loading it."""
    try:
        yield
    except KeyError as exc:
        raise CommandError(f"{where}: missing {exc.args[0]!r}") from None
    except ProposalError as exc:  # a service's refusal: its message is made when it is raised
        raise CommandError(f"{where}: {exc.message}") from None
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


def _slot(edition: Edition, item: dict[str, Any]) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end) of a time written as {day, start, minutes}, days counted from the edition's first."""
    starts_at = _at(edition.starts_on + datetime.timedelta(days=item["day"] - 1), item["start"])
    return starts_at, starts_at + datetime.timedelta(minutes=item["minutes"])


def _shifted(moment: datetime.datetime | None, shift: datetime.timedelta) -> datetime.datetime | None:
    """The same time of day in Brussels, `shift` (whole days) later: across a change of summer
    time an activity at 19:00 stays at 19:00."""
    if moment is None:
        return None
    local = moment.astimezone(BRUSSELS)
    return datetime.datetime.combine(local.date() + shift, local.time(), tzinfo=BRUSSELS)


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
                edition, shift = self._load_edition(data["edition"], timezone.localdate(timezone=BRUSSELS))
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
                    values["language"] = item.get("language", "fr")
                    associations[key] = _save(Association, {"name": item["name"]}, values)
            created, updated = self._load_events(data, edition, venues, associations, shift)
            accounts = self._load_accounts(data, associations, options["reset_passwords"]) if with_accounts else None
            moved = self._move_proposals(edition, shift)
            upcoming = None
            if data.get("next_edition"):
                with _entry("next_edition"):
                    upcoming = self._load_next_edition(data["next_edition"], edition)
                if upcoming is not None:
                    moved += self._move_proposals(*upcoming)
                    upcoming = upcoming[0]
            proposed = None
            if accounts is not None:
                proposed = self._load_proposals(data, edition, venues, associations)
        # Reported once committed, so that no password is shown for an account that was rolled back.
        events = Event.objects.filter(edition=edition).count()
        proposals = Proposal.objects.filter(edition=edition).count()
        counts = (
            f"Venues: {len(venues)}, associations: {len(associations)}, "
            f"events: {events} ({created} created, {updated} updated), "
            f"proposals: {proposals} ({proposed or 0} created, {moved} moved)."
        )
        self._report(edition, counts, accounts, proposals_skipped=proposed is None and bool(data.get("proposals")))
        if upcoming is not None:
            closes = timezone.localtime(upcoming.call_closes_at, BRUSSELS)
            self.stdout.write(
                f"Next edition {upcoming.year} ({upcoming.theme_en}): {upcoming.starts_on} to {upcoming.ends_on}, "
                f"slug {upcoming.slug!r}, not published; its call for proposals is open until {closes:%Y-%m-%d %H:%M}."
            )

    def _load_edition(self, item: dict[str, Any], today: datetime.date) -> tuple[Edition, datetime.timedelta]:
        """The demo edition, and how far it moved since the last load (0 days the first time)."""
        starts_on = today + datetime.timedelta(days=item["starts_in_days"])
        previous = Edition.objects.filter(slug=item["slug"]).values_list("starts_on", flat=True).first()
        Edition.objects.filter(is_current=True).exclude(slug=item["slug"]).update(is_current=False)
        values = {
            "year": starts_on.year,
            **_translated("theme", item["theme"]),
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=item["days"] - 1),
            "call_opens_at": _at(starts_on - datetime.timedelta(days=item["call_opens_days_before"]), "09:00"),
            "call_closes_at": _at(starts_on - datetime.timedelta(days=item.get("call_closes_days_before", 1)), "18:00"),
            "reminder_offsets": item["reminder_offsets"],
        }
        edition = _save(Edition, {"slug": item["slug"]}, {**values, "is_current": True, "is_published": True})
        return edition, starts_on - (previous or starts_on)

    def _load_next_edition(self, item: dict[str, Any], edition: Edition) -> tuple[Edition, datetime.timedelta] | None:
        """The next edition, a year after the demo's (its weekdays), with its call open around
        today; and how far it moved since the last load. None if another edition holds its year."""
        starts_on = edition.starts_on + datetime.timedelta(days=364)
        if Edition.objects.filter(year=starts_on.year).exclude(slug=item["slug"]).exists():
            self.stdout.write(f"Next edition skipped: another edition is the one of {starts_on.year}.")
            return None
        today = timezone.localdate(timezone=BRUSSELS)
        previous = Edition.objects.filter(slug=item["slug"]).values_list("starts_on", flat=True).first()
        values = {
            "year": starts_on.year,
            **_translated("theme", item["theme"]),
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=item["days"] - 1),
            "call_opens_at": _at(today - datetime.timedelta(days=item["call_opened_days_ago"]), "09:00"),
            "call_closes_at": _at(today + datetime.timedelta(days=item["call_closes_in_days"]), "18:00"),
            "is_current": False,
            "is_published": False,
        }
        return _save(Edition, {"slug": item["slug"]}, values), starts_on - (previous or starts_on)

    def _load_events(
        self,
        data: dict[str, Any],
        edition: Edition,
        venues: dict[str, Venue],
        associations: dict[str, Association],
        shift: datetime.timedelta,
    ) -> tuple[int, int]:
        """Create the demo events that are missing, update those that differ, move those made from
        proposals by `shift`; return (created, updated)."""
        with _entry("descriptions"):
            texts = data["descriptions"]
            about = {name: _texts(name, texts[name]) for name in ("footer", "by_association", "by_city")}
            about["categories"] = {key: _texts(f"categories.{key}", text) for key, text in texts["categories"].items()}
        refs = {"venue": venues, "association": associations, "category": Category.objects.in_bulk(field_name="slug")}
        existing = {event.title_en: event for event in Event.objects.filter(edition=edition, proposal=None)}
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
        if shift:
            # Not in the file: made when a proposal was accepted, they keep their place in the edition.
            for event in Event.objects.filter(edition=edition).exclude(proposal=None):
                changes = {name: _shifted(getattr(event, name), shift) for name in EVENT_TIME_FIELDS}
                moves.append((event, changes, f"event {event.pk} (from proposal {event.proposal_id})"))
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
        # The page shows the summary above the description: the description does not repeat it.
        description = {
            language: f"{paragraph[language]}\n\n{footer.format(organiser=organiser[language])}"
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

    def _move_proposals(self, edition: Edition, shift: datetime.timedelta) -> int:
        """Move the slots of every proposal to the edition (the demo's and those its users made)
        by `shift`, as the edition moved; return how many proposals moved. Nobody changes the
        proposals themselves: no service, no history entry, and their state stays as it was."""
        if not shift:
            return 0
        slots = list(ProposalSlot.objects.filter(proposal__edition=edition))
        for slot in slots:
            slot.starts_at, slot.ends_at = _shifted(slot.starts_at, shift), _shifted(slot.ends_at, shift)
        ProposalSlot.objects.bulk_update(slots, ["starts_at", "ends_at"])
        return len({slot.proposal_id for slot in slots})

    def _load_proposals(
        self, data: dict[str, Any], edition: Edition, venues: dict[str, Venue], associations: dict[str, Association]
    ) -> int:
        """Make the file's proposals that the edition lacks, each by a demo account of its
        association, through its steps; return how many were made."""
        members: dict[str, str] = {}
        organisers: list[str] = []
        for item in data["accounts"]:
            if item.get("association"):
                members.setdefault(item["association"], item["username"])
            if item.get("group") == ORGANISERS:
                organisers.append(item["username"])
        users = get_user_model()._default_manager.in_bulk([*members.values(), *organisers], field_name="username")
        organiser = users[organisers[0]] if organisers else None
        categories = Category.objects.in_bulk(field_name="slug")
        existing = set(Proposal.objects.filter(edition=edition).values_list("association_id", "title_en"))
        found: set[tuple[int, str]] = set()
        created = 0
        # Made and decided while the edition's call was open (it may be over by now): a clock that
        # starts the day after it opened and moves an hour at each step, as a past would.
        clock = [edition.call_opens_at + datetime.timedelta(days=1)]

        def tick() -> datetime.datetime:
            clock[0] += datetime.timedelta(hours=1)
            return clock[0]

        # In English, as the rest of the output: the services' refusals are worded when raised.
        with translation.override("en"):
            for number, item in enumerate(data.get("proposals") or []):
                with _entry(f"proposals[{number}]"):
                    association = _ref(associations, item["association"], "association")
                    title = _texts("title", item["title"])["en"]
                    if (association.pk, title) in found:
                        raise CommandError(
                            f"another proposal of {association.name} has the English title {title!r}, "
                            "by which a load finds it"
                        )
                    found.add((association.pk, title))
                if (association.pk, title) in existing:
                    continue
                with _entry(f"proposals[{number}] ({title})"):
                    if item["association"] not in members:
                        raise CommandError(f"no demo account is a member of the association {item['association']!r}")
                    member = users[members[item["association"]]]
                    slots = []
                    for slot_number, slot in enumerate(item["slots"]):
                        with _entry(f"slots[{slot_number}]"):
                            slots.append(_slot(edition, slot))
                    proposal = proposal_create(
                        edition=edition,
                        association=association,
                        user=member,
                        data=self._proposal_fields(item, association, venues, categories),
                        slots=slots,
                        now=tick(),
                    )
                    for step_number, step in enumerate(item.get("steps") or []):
                        with _entry(f"steps[{step_number}]"):
                            self._proposal_step(
                                proposal, step, member=member, organiser=organiser, venues=venues, now=tick()
                            )
                created += 1
        return created

    def _proposal_fields(
        self,
        item: dict[str, Any],
        association: Association,
        venues: dict[str, Venue],
        categories: dict[str, Category],
    ) -> dict[str, Any]:
        description = item.get("description")
        return {
            **_translated("title", item["title"]),
            **_translated("summary", item["summary"]),
            # Empty, not null, as the portal's form leaves a text nobody wrote.
            **(_translated("description", description) if description else dict.fromkeys(NO_DESCRIPTION, "")),
            "category": _ref(categories, item["category"], "category"),
            "venue": _ref(venues, item["venue"], "venue") if item.get("venue") else None,
            **{name: item.get(name, "") for name in ("venue_wish", "venue_address", "expected_audience")},
            **{name: item.get(name, "") for name in ("accessibility", "technical_needs")},
            "capacity": item.get("capacity"),
            **_flags("speaks_", SPOKEN, item["languages"], "language"),
            "contact_name": item.get("contact_name", association.contact_name),
            "contact_email": item.get("contact_email", association.contact_email),
        }

    def _proposal_step(
        self, proposal: Proposal, step: Any, *, member, organiser, venues: dict[str, Venue], now: datetime.datetime
    ) -> None:
        """One step of a proposal's history, by the member (submit, withdraw) or the organiser."""
        step = {step: None} if isinstance(step, str) else step
        if not isinstance(step, dict):
            raise CommandError(f"a step is one of {', '.join([*TRANSITIONS, *NOTES])}, not {step!r}")
        kinds = [name for name in step if name in TRANSITIONS or name in NOTES]
        extra = sorted(set(step) - set(kinds) - ({"venue"} if kinds == ["accept"] else set()))
        if len(kinds) != 1 or extra:
            raise CommandError(
                f"a step is one of {', '.join([*TRANSITIONS, *NOTES])} (accept may name a venue), not {step!r}"
            )
        [kind] = kinds
        text = str(step[kind] or "")
        by = member if kind in TRANSITIONS and TRANSITIONS[kind][0] == ASSOCIATION else organiser
        if by is None:
            raise CommandError(f"{kind}: no demo account is in the group {ORGANISERS!r}")
        if kind in NOTES:
            proposal_note_add(proposal=proposal, user=by, text=text, to_association=NOTES[kind], notify=False, now=now)
            return
        venue = _ref(venues, step["venue"], "venue") if step.get("venue") else None
        proposal_transition(proposal=proposal, action=kind, user=by, message=text, venue=venue, notify=False, now=now)

    def _report(
        self,
        edition: Edition,
        counts: str,
        accounts: list[tuple[str, str | None]] | None,
        *,
        proposals_skipped: bool,
    ) -> None:
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
            if proposals_skipped:
                write("Demo proposals skipped too: the demo accounts make them.")
        else:
            write(
                f"Demo accounts, logging in at {site}{reverse('login')}: the organiser lands on the back office, "
                "the association members on their portal, door staff on the door."
            )
            for username, password in accounts:
                write(f"  {username:<12} " + (f"password: {password}" if password else "exists, password unchanged"))
            if any(password is None for _, password in accounts):
                write("  Run `manage.py load_demo --reset-passwords` to give them new passwords.")
        write(f"Site: {site}/")
        if settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND:
            write(f"E-mails are written as files to {settings.EMAIL_FILE_PATH}")
        else:
            write(f"E-mails are sent with {settings.EMAIL_BACKEND}.")
