"""Personal data that goes away (SPEC section 6): each edition keeps its attendees' names and
addresses for its retention period after its last day (`Edition.retention_days`, 90 by default);
then a daily beat task (`registrations.anonymise`) anonymises them.

Anonymising a registration keeps what the statistics count (its activity, seats, status and
times) and replaces the rest: the name is emptied, the address becomes one that names no one
(`anonymised-<id>@invalid`, the reserved top-level domain), and the booking code is drawn again,
so that every link and calendar file made from the old one stops working, and the address's
personal calendar feed is deleted (its URL answers 404). The e-mails written
to that address lose their recipient and their body (the context they were rendered from and
their attachments). Check-in rows point at the anonymised registration and hold nothing
personal. Running it again changes nothing.

A person may also ask for their data at any time (SPEC section 6), from "my registrations" or
through the organisers: `subject_data` is everything kept about an address, `subject_erase`
cancels its registrations still to come (freeing their seats for the waiting list, without an
e-mail to the address) and anonymises them all, in every edition.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone

from notifications.models import Message
from programme.models import Edition

from .models import CalendarFeed, CheckIn, Registration, normalise_email
from .services import _new_code, registration_cancel

logger = logging.getLogger(__name__)

#: The address an anonymised registration or e-mail keeps: `.invalid` is reserved (RFC 2606).
ANONYMOUS_DOMAIN = "invalid"
#: Registrations anonymised per transaction: a long edition is done in short steps.
BATCH = 500
#: E-mails not handed to the mail server yet: anonymising deletes them.
UNSENT = (Message.Status.PENDING, Message.Status.FAILED)


def anonymous_email(pk: int) -> str:
    return f"anonymised-{pk}@{ANONYMOUS_DOMAIN}"


def retention_ends_at(edition: Edition) -> datetime.datetime:
    """The instant an edition's personal data is due: midnight (Brussels) after the last day of
    its retention period, that is `retention_days` whole days after its own last day."""
    day = edition.ends_on + datetime.timedelta(days=edition.retention_days + 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def editions_due(now: datetime.datetime):
    """The editions whose retention period is over at `now`."""
    today = timezone.localdate(now)
    last_kept = ExpressionWrapper(F("ends_on") + F("retention_days") * datetime.timedelta(days=1), DateField())
    return Edition.objects.alias(last_kept=last_kept).filter(last_kept__lt=today)


def anonymise_registrations(ids: list[int], *, now: datetime.datetime) -> int:
    """Anonymise these registrations and the e-mails about them; those done already are skipped."""
    done = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            rows = list(
                Registration.objects.select_for_update()
                .filter(pk__in=ids[start : start + BATCH], anonymised_at__isnull=True)
                .only("pk", "email")
                .order_by("pk")
            )
            # Their personal calendar feeds go too (a later registration of the address gets a new one).
            CalendarFeed.objects.filter(email__in={registration.email for registration in rows}).delete()
            for registration in rows:
                Registration.objects.filter(pk=registration.pk).update(
                    name="", email=anonymous_email(registration.pk), code=_unused_code(), anonymised_at=now
                )
                about = Message.objects.filter(concerns_type="registration", concerns_id=registration.pk)
                # Not sent yet: it never will be (its address is gone); sent: only its trace stays.
                about.filter(status__in=UNSENT).delete()
                about.update(recipient=anonymous_email(registration.pk), context={}, attachments=[], last_error="")
            done += len(rows)
    return done


def _unused_code() -> str:
    while True:
        code = _new_code()
        if not Registration.objects.filter(code=code).exists():
            return code


def anonymise_due(*, now: datetime.datetime | None = None) -> int:
    """Anonymise every registration of the editions whose retention period is over. Idempotent."""
    now = now or timezone.now()
    total = 0
    for edition in editions_due(now):
        ids = list(
            Registration.objects.filter(event__edition=edition, anonymised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            count = anonymise_registrations(ids, now=now)
            total += count
            logger.info("edition %s: %s registrations anonymised (retention period over)", edition.slug, count)
    return total


# --- One person's requests ---------------------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def subject_registrations(email: str):
    """Every registration of an address, in every edition (none once it is anonymised)."""
    return (
        Registration.objects.filter(email=normalise_email(email), anonymised_at__isnull=True)
        .select_related("event__venue", "event__edition")
        .order_by("event__starts_at", "pk")
    )


def subject_data(email: str, *, now: datetime.datetime | None = None) -> dict:
    """Everything kept about an address, as JSON-ready data: its registrations (with their scans at
    the door) and the e-mails written to it. Nothing about anyone else: a scan says when and what
    the door answered, not who scanned."""
    now = now or timezone.now()
    email = normalise_email(email)
    registrations = list(subject_registrations(email))
    ids = [r.pk for r in registrations]
    scans: dict[int, list[dict]] = {}
    for scan in CheckIn.objects.filter(registration_id__in=ids).order_by("created_at", "pk"):
        scans.setdefault(scan.registration_id, []).append(
            {"at": _iso(scan.created_at), "result": scan.result, "method": scan.method}
        )
    messages = Message.objects.filter(concerns_type="registration", concerns_id__in=ids, recipient=email)
    return {
        "email": email,
        "exported_at": _iso(now),
        "registrations": [
            {
                "booking_code": r.code,
                "activity": {
                    "id": r.event_id,
                    "title": r.event.title,
                    "edition": r.event.edition.slug,
                    "starts_at": _iso(r.event.starts_at),
                    "ends_at": _iso(r.event.ends_at),
                    "venue": r.event.venue.name,
                },
                "name": r.name,
                "email": r.email,
                "seats": r.seats,
                "language": r.language,
                "status": r.status,
                "registered_at": _iso(r.created_at),
                "confirmed_at": _iso(r.confirmed_at),
                "cancelled_at": _iso(r.cancelled_at),
                "cancelled_by": r.cancelled_by or None,
                "checked_in_at": _iso(r.checked_in_at),
                "consent_at": _iso(r.consent_at),
                "privacy_notice_version": r.notice_version or None,
                "door_scans": scans.get(r.pk, []),
            }
            for r in registrations
        ],
        "emails": [
            {
                "about_booking_code": next(r.code for r in registrations if r.pk == m.concerns_id),
                "purpose": m.purpose,
                "language": m.language,
                "status": m.status,
                "written_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in messages.order_by("created_at", "pk")
        ],
    }


def subject_erase(email: str, *, now: datetime.datetime | None = None) -> int:
    """Delete what is kept about an address: its registrations still to come are cancelled (their
    seats go to the waiting list, as when the attendee cancels, without an e-mail to them), then
    all its registrations are anonymised like at the end of the retention period (the counts stay).
    Returns how many registrations were anonymised; a second call finds none."""
    now = now or timezone.now()
    registrations = list(subject_registrations(email))
    for registration in registrations:
        if (
            registration.status in Registration.ACTIVE
            and registration.checked_in_at is None
            and now < registration.event.starts_at
        ):
            registration_cancel(
                registration_id=registration.pk, by=Registration.CancelledBy.ATTENDEE, now=now, notify=False
            )
    count = anonymise_registrations([r.pk for r in registrations], now=now)
    logger.info("personal data of one address deleted on request: %s registrations anonymised", count)
    return count
