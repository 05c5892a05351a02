"""Load the demo edition: venues, associations, some sixty events and the demo accounts.

Running it again updates the same rows instead of adding new ones: the demo
edition is found by its slug, venues by address, associations by name, events
by their English title within the demo edition, accounts by username. Each run
moves the edition so that it starts a few days after today, and recomputes
every event's times from that first day; seats already taken are kept.
"""

from __future__ import annotations

import datetime
import os
import secrets
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from programme import demo_data
from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import ensure_groups
from programme.services import event_create, event_update

BRUSSELS = ZoneInfo("Europe/Brussels")
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

M = TypeVar("M", bound=models.Model)


def _translated(field: str, texts: demo_data.Text) -> dict[str, str]:
    return {f"{field}_{language}": text for language, text in zip(demo_data.LANGUAGES, texts, strict=True)}


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tzinfo=BRUSSELS)


def _save(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Update the row that `lookup` finds, or create it; validated like a form would."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo edition, starting a few days from today, with venues, associations and events. "
        "Demo accounts are created when DEBUG is on or with --with-accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-accounts",
            action="store_true",
            help="Create the demo accounts even when DEBUG is off.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo accounts new passwords (implies --with-accounts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with_accounts = settings.DEBUG or options["with_accounts"] or options["reset_passwords"]
        with transaction.atomic():
            edition = self._load_edition(timezone.localdate(timezone=BRUSSELS))
            venues = {key: self._load_venue(venue) for key, venue in demo_data.VENUES.items()}
            associations = {item.name: self._load_association(item) for item in demo_data.ASSOCIATIONS}
            created, updated = self._load_events(edition, venues, associations)
            accounts = (
                self._load_accounts(associations, reset_passwords=options["reset_passwords"]) if with_accounts else []
            )
        # Reported once committed, so that no password is shown for an account that was rolled back.
        self._report(edition, len(venues), len(associations), created, updated, accounts, with_accounts)

    def _load_edition(self, today: datetime.date) -> Edition:
        starts_on = today + datetime.timedelta(days=demo_data.EDITION_STARTS_IN_DAYS)
        year = starts_on.year
        other = Edition.objects.filter(year=year).exclude(slug=demo_data.EDITION_SLUG).first()
        if other is not None:
            raise CommandError(
                f"Edition {other.slug!r} already holds the year {year}; the demo edition needs that year to itself."
            )
        Edition.objects.filter(is_current=True).exclude(slug=demo_data.EDITION_SLUG).update(is_current=False)
        return _save(
            Edition,
            {"slug": demo_data.EDITION_SLUG},
            {
                "year": year,
                **_translated("theme", demo_data.EDITION_THEME),
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(days=demo_data.EDITION_DAYS - 1),
                "call_opens_at": _at(starts_on - datetime.timedelta(days=demo_data.CALL_OPENS_DAYS_BEFORE), "09:00"),
                "call_closes_at": _at(starts_on - datetime.timedelta(days=1), "18:00"),
                "reminder_offsets": demo_data.REMINDER_OFFSETS,
                "is_current": True,
                "is_published": True,
            },
        )

    def _load_venue(self, venue: demo_data.DemoVenue) -> Venue:
        return _save(
            Venue,
            {"address": venue.address},
            {
                **_translated("name", venue.name),
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "capacity": venue.capacity,
                "step_free_access": venue.step_free_access,
                "accessible_toilet": venue.accessible_toilet,
                "hearing_loop": venue.hearing_loop,
                "accessible_seating": venue.accessible_seating,
                "quiet_room": venue.quiet_room,
                **_translated("accessibility_notes", venue.accessibility_notes),
            },
        )

    def _load_association(self, item: demo_data.DemoAssociation) -> Association:
        return _save(
            Association,
            {"name": item.name},
            {
                **_translated("description", item.description),
                "website": item.website,
                "contact_name": item.contact_name,
                "contact_email": item.contact_email,
            },
        )

    def _load_events(
        self, edition: Edition, venues: dict[str, Venue], associations: dict[str, Association]
    ) -> tuple[int, int]:
        """Create the demo events that are missing, update those that differ; return (created, updated)."""
        categories = {category.slug: category for category in Category.objects.all()}
        missing = {item.category for item in demo_data.EVENTS} - categories.keys()
        if missing:
            raise CommandError(f"Missing categories {sorted(missing)}: run `manage.py migrate` first.")
        existing = {event.title_en: event for event in Event.objects.filter(edition=edition)}
        created = updated = 0
        for item in demo_data.EVENTS:
            association = associations[item.association] if item.association else None
            data = self._event_data(item, edition, venues[item.venue], categories[item.category], association)
            event = existing.get(item.title[2])
            if event is None:
                event_create(data=data)
                created += 1
                continue
            if data["capacity"] is not None:
                # Never below the seats already booked: the database refuses an overbooked event.
                data["capacity"] = max(data["capacity"], event.seats_taken)
            changes = {name: value for name, value in data.items() if getattr(event, name) != value}
            if changes:
                event_update(event=event, data=changes)
                updated += 1
        return created, updated

    def _event_data(
        self,
        item: demo_data.DemoEvent,
        edition: Edition,
        venue: Venue,
        category: Category,
        association: Association | None,
    ) -> dict[str, Any]:
        starts_at = _at(edition.starts_on + datetime.timedelta(days=item.day), item.start)
        if association is None:
            organisers = demo_data.ORGANISED_BY_CITY
        else:
            organisers = tuple(text.format(association=association.name) for text in demo_data.ORGANISED_BY_ASSOCIATION)
        descriptions = tuple(
            f"{summary}\n\n{category_text}\n\n{footer.format(organiser=organiser)}"
            for summary, category_text, footer, organiser in zip(
                item.summary,
                demo_data.CATEGORY_TEXT[item.category],
                demo_data.DESCRIPTION_FOOTER,
                organisers,
                strict=True,
            )
        )
        opens_at = closes_at = None
        if item.registration_opens_days_before is not None:
            opens_at = starts_at - datetime.timedelta(days=item.registration_opens_days_before)
        if item.registration_closes_hours_before is not None:
            closes_at = starts_at - datetime.timedelta(hours=item.registration_closes_hours_before)
        return {
            "edition_id": edition.pk,
            "venue_id": venue.pk,
            "category_id": category.pk,
            "association_id": association.pk if association else None,
            **_translated("title", item.title),
            **_translated("summary", item.summary),
            **_translated("description", descriptions),
            **{f"speaks_{code}": code in item.languages for code in ("fr", "nl", "en", "other")},
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(minutes=item.minutes),
            "capacity": item.capacity,
            "max_seats_per_registration": item.max_seats,
            "waitlist_enabled": item.waitlist,
            "registration_opens_at": opens_at,
            "registration_closes_at": closes_at,
            "status": item.status,
        }

    def _load_accounts(
        self, associations: dict[str, Association], *, reset_passwords: bool
    ) -> list[tuple[str, str | None]]:
        """Create or refresh the demo accounts; return (username, new password or None if unchanged)."""
        ensure_groups()
        user_model = get_user_model()
        accounts = []
        for account in demo_data.ACCOUNTS:
            user, created = user_model._default_manager.get_or_create(username=account.username)
            user.first_name, user.last_name, user.email = account.first_name, account.last_name, account.email
            user.is_staff = account.is_staff
            user.is_active = True
            password = secrets.token_urlsafe(12) if created or reset_passwords else None
            if password is not None:
                user.set_password(password)
            user.save()
            if account.group:
                user.groups.add(Group.objects.get(name=account.group))
            if account.association:
                associations[account.association].members.add(user)
            accounts.append((account.username, password))
        return accounts

    def _report(
        self,
        edition: Edition,
        venue_count: int,
        association_count: int,
        created: int,
        updated: int,
        accounts: list[tuple[str, str | None]],
        with_accounts: bool,
    ) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Demo edition {edition.year} ({edition.theme_en}): {edition.starts_on} to {edition.ends_on}, "
                f"slug {edition.slug!r}, current and published."
            )
        )
        event_count = Event.objects.filter(edition=edition).count()
        write(
            f"Venues: {venue_count}, associations: {association_count}, "
            f"events: {event_count} ({created} created, {updated} updated)."
        )
        site = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        if with_accounts:
            write(f"Demo accounts (the organiser also uses the back office at {site}{reverse('admin:index')}):")
            for username, password in accounts:
                if password is None:
                    write(f"  {username:<12} exists, password unchanged")
                else:
                    write(f"  {username:<12} password: {password}")
            if any(password is None for _, password in accounts):
                write("  Run `manage.py load_demo --reset-passwords` to give them new passwords.")
        else:
            write(
                "Demo accounts skipped (DEBUG is off): run `manage.py load_demo --with-accounts` to create them, "
                "or `manage.py createsuperuser`."
            )
        write(f"Site: {site}/")
        if settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND:
            write(f"E-mails are written as files to {settings.EMAIL_FILE_PATH}")
        else:
            write(f"E-mails are sent with {settings.EMAIL_BACKEND}.")
