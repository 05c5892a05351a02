"""Writes to the programme. Views, the API and the admin call these; they hold no logic of their own."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from .models import Event
from .signals import event_capacity_changing, event_changed

logger = logging.getLogger(__name__)


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
    for name, value in data.items():
        setattr(event, name, value)
    event.seats_taken = locked.seats_taken
    event.sequence = locked.sequence
    if event.capacity != locked.capacity:
        event_check_capacity(event=event, capacity=event.capacity)
    event.full_clean()
    changed = {
        field.attname
        for field in Event._meta.concrete_fields
        if getattr(locked, field.attname) != getattr(event, field.attname)
    }
    if changed & set(Event.CALENDAR_FIELDS):
        event.sequence += 1
    event.save()
    event_changed.send(sender=Event, event=event, changed=changed, previous=locked)
    logger.info(
        "event %s updated (%s; sequence %s)", event.pk, ", ".join(sorted(changed)) or "no change", event.sequence
    )
    return event


def event_check_capacity(*, event: Event, capacity: int | None) -> None:
    """Raise ValidationError (on `capacity`) if the event cannot take this capacity: not below
    the seats already taken, and not none (no registration) while registrations hold seats or
    wait for one. The admin's form asks before saving; event_update asks again, under the lock."""
    seats_taken = Event.objects.values_list("seats_taken", flat=True).get(pk=event.pk)
    if capacity is not None and capacity < seats_taken:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(taken)d seat is already taken: the capacity cannot be lower.",
                    "%(taken)d seats are already taken: the capacity cannot be lower.",
                    seats_taken,
                )
                % {"taken": seats_taken}
            }
        )
    candidate = Event(pk=event.pk, capacity=capacity, seats_taken=seats_taken)
    event_capacity_changing.send(sender=Event, event=candidate)


def event_publish(*, event: Event) -> Event:
    if event.status == Event.Status.PUBLISHED:
        return event
    return event_update(event=event, data={"status": Event.Status.PUBLISHED})


def event_cancel(*, event: Event) -> Event:
    """Cancel an event. Cancelling twice changes nothing."""
    if event.status == Event.Status.CANCELLED:
        return event
    return event_update(event=event, data={"status": Event.Status.CANCELLED})
