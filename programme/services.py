"""Writes to the programme. Views, the API and the admin call these; they hold no logic of their own."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from .models import Event, Venue
from .signals import event_capacity_changing, event_changed

logger = logging.getLogger(__name__)


#: Events that hold their venue: a cancelled one frees it.
HOLDING_VENUE = (Event.Status.DRAFT, Event.Status.PUBLISHED)
#: Changing one of these may make an event clash with another in its venue.
SCHEDULE_FIELDS = ("venue_id", "starts_at", "ends_at", "status")


class VenueClash(ValidationError):
    """Another draft or published event holds the venue for part of that time. A ValidationError
    on `starts_at`, so that forms show it by the time; the API answers it as a 409 naming `other`."""

    code = "venue_clash"

    def __init__(self, other: Event):
        self.other = other
        start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
        end_day = "" if end.date() == start.date() else f"{formats.date_format(end, 'DATE_FORMAT')} "
        when = (
            f"{formats.date_format(start, 'DATE_FORMAT')}, "
            f"{formats.time_format(start, 'H:i')}\u2013{end_day}{formats.time_format(end, 'H:i')}"
        )
        message = gettext("%(venue)s is already taken at that time by “%(title)s” (activity %(id)s, %(when)s).") % {
            "venue": other.venue.name,
            "title": other.title,
            "id": other.pk,
            "when": when,
        }
        super().__init__({"starts_at": [message]})
        self.message = message


def event_clash(*, event: Event) -> Event | None:
    """The first other event that holds `event`'s venue while `event` would (touching times
    are fine), or None; always None for a cancelled event or a venue marked for parallel use."""
    if event.status not in HOLDING_VENUE or not (event.venue_id and event.starts_at and event.ends_at):
        return None
    if Venue.objects.filter(pk=event.venue_id, parallel_use=True).exists():
        return None
    return (
        Event.objects.select_related("venue")
        .filter(
            venue_id=event.venue_id,
            status__in=HOLDING_VENUE,
            starts_at__lt=event.ends_at,
            ends_at__gt=event.starts_at,
        )
        .exclude(pk=event.pk)
        .order_by("starts_at", "pk")
        .first()
    )


def _check_venue(event: Event) -> None:
    """Refuse a clash, with the venue row locked until the transaction ends: two events made
    or moved into the same venue at once are checked one after the other, never both
    against the state before either."""
    if event.status not in HOLDING_VENUE:
        return
    Venue.objects.select_for_update().filter(pk=event.venue_id).first()
    other = event_clash(event=event)
    if other is not None:
        raise VenueClash(other)


@transaction.atomic
def event_create(*, data: dict[str, Any]) -> Event:
    """Make an event; raises ValidationError (VenueClash if its venue is taken then)."""
    event = Event(**data)
    event.full_clean()
    _check_venue(event)
    event.save()
    logger.info("event %s created (%s)", event.pk, event.status)
    return event


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; any change a calendar must hear of bumps its sequence.

    The row is locked while it changes, so that the sequence and the seat
    counter kept on it are never written from a stale copy. Moving it (venue, time) or taking
    it back from cancelled raises VenueClash if another event holds the venue then.
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
    if changed & set(SCHEDULE_FIELDS):
        _check_venue(event)
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
