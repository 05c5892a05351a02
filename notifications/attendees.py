"""E-mails to attendees that no registration of theirs causes: reminders, and notices of an
activity moved or cancelled. Not part of the outbox: this module reads registrations (through
their selectors) and has registrations.mail write the messages."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from programme.models import Edition, Event
from registrations import mail, selectors

from . import outbox
from .models import Message

logger = logging.getLogger(__name__)

#: Reminders are written this many at a time, each chunk committed and queued at once, so
#: that workers start sending while the rest are written.
REMINDER_CHUNK = 1000


def reminders_create(*, now: datetime) -> int:
    """Write the reminders that have come due and queue them; returns how many were written.

    With offsets of 48 and 3 hours, the 48-hour reminder is due from 48 h before the start
    until 3 h before (then the 3-hour one is). A registration gets the reminder of an offset
    if it was made before that reminder's time, its activity has not started, and no
    reminder was written for it since that time (a second run writes nothing; an activity
    moved later gets its reminders again, for its new time). Waitlisted and cancelled
    registrations get none."""
    written = 0
    # Editions with an activity to come, not those whose last day is near: an activity may
    # be scheduled after its edition's last day (programme.models.EVENT_DATE_MARGIN).
    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now).values("edition_id")
    editions = Edition.objects.filter(is_published=True, pk__in=upcoming)
    for edition in editions:
        offsets = sorted({h for h in edition.reminder_offsets if isinstance(h, int) and h > 0}, reverse=True)
        for index, hours in enumerate(offsets):
            until_next = offsets[index + 1] if index + 1 < len(offsets) else 0
            due = selectors.reminders_due(
                edition_id=edition.pk,
                hours=hours,
                starts_after=now + timedelta(hours=until_next),
                starts_until=now + timedelta(hours=hours),
            ).exclude(
                Exists(
                    Message.objects.filter(
                        concerns_type="registration",
                        concerns_id=OuterRef("pk"),
                        purpose=Message.Purpose.REMINDER,
                        created_at__gte=OuterRef("event__starts_at") - timedelta(hours=hours),
                    )
                )
            )
            pending = list(due)
            for start in range(0, len(pending), REMINDER_CHUNK):
                with transaction.atomic():
                    outbox.messages_create(
                        mail.reminders(pending[start : start + REMINDER_CHUNK], hours=hours, now=now)
                    )
            written += len(pending)
            if pending:
                logger.info("edition %s: %s reminders %s h before", edition.pk, len(pending), hours)
    return written


def on_event_changed(sender, *, event: Event, changed: set[str], previous: Event, **kwargs) -> None:
    """An activity moved (time or venue) or cancelled: each attendee, confirmed or waiting,
    is told once per change. Runs in the transaction that changed it, with its row locked."""
    if previous.status != Event.Status.PUBLISHED:
        return  # nobody registered for a draft; a cancelled activity stays cancelled
    cancelled = event.status == Event.Status.CANCELLED
    moved = event.status == Event.Status.PUBLISHED and bool(changed & {"starts_at", "ends_at", "venue_id"})
    if not (cancelled or moved):
        return
    attendees = list(selectors.attendees_to_tell(event))
    outbox.messages_create(mail.event_notices(event, previous, attendees, cancelled=cancelled))
    logger.info("event %s %s: %s attendees told", event.pk, "cancelled" if cancelled else "moved", len(attendees))
