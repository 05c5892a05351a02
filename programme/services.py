"""Writes to the programme. Views, the API and the admin call these; they hold no logic of their own."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from .models import Event

logger = logging.getLogger(__name__)


def _calendar_state(event: Event) -> tuple:
    return tuple(getattr(event, name) for name in Event.CALENDAR_FIELDS)


@transaction.atomic
def event_create(*, data: dict[str, Any]) -> Event:
    event = Event(**data)
    event.full_clean()
    event.save()
    logger.info("event %s created (%s)", event.pk, event.status)
    return event


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; any change a calendar must hear of bumps its sequence.

    The row is locked while it changes, so that the sequence and the seat
    counter kept on it are never written from a stale copy.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    before = _calendar_state(locked)
    for name, value in data.items():
        setattr(event, name, value)
    event.seats_taken = locked.seats_taken
    event.sequence = locked.sequence
    event.full_clean()
    if _calendar_state(event) != before:
        event.sequence += 1
    event.save()
    logger.info("event %s updated (sequence %s)", event.pk, event.sequence)
    return event


def event_publish(*, event: Event) -> Event:
    if event.status == Event.Status.PUBLISHED:
        return event
    return event_update(event=event, data={"status": Event.Status.PUBLISHED})


def event_cancel(*, event: Event) -> Event:
    """Cancel an event. Cancelling twice changes nothing."""
    if event.status == Event.Status.CANCELLED:
        return event
    return event_update(event=event, data={"status": Event.Status.CANCELLED})
