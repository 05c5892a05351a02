"""Reads of the programme that more than one caller needs."""

from __future__ import annotations

import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from .models import Edition, Event


def current_edition() -> Edition | None:
    return Edition.objects.filter(is_current=True).first()


def event_queryset() -> QuerySet[Event]:
    """Events with everything a list shows, in one query."""
    return Event.objects.select_related("venue", "category", "edition", "association")


def announced_events() -> QuerySet[Event]:
    """Published events of published editions, and cancelled ones: whoever planned to
    come (a calendar that subscribed, a link in an e-mail) must learn that an event is
    cancelled, not lose it."""
    return event_queryset().filter(
        edition__is_published=True, status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED]
    )


def public_events() -> QuerySet[Event]:
    """What anonymous visitors may see: published events of published editions."""
    return event_queryset().filter(status=Event.Status.PUBLISHED, edition__is_published=True)


def registration_open_q(now: datetime.datetime) -> Q:
    """The events one can register for at `now` with a seat (Event.registration_status_at "open"),
    as a filter: published, with seats, registration opened and not closed, seats left."""
    return Q(
        Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now),
        capacity__isnull=False,
        status=Event.Status.PUBLISHED,
        capacity__gt=F("seats_taken"),
        closes_at__gt=now,
    )


def with_registration_close(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """`queryset` with `closes_at`, when registration closes (its own time, else the start), for
    registration_open_q."""
    return queryset.annotate(closes_at=Coalesce("registration_closes_at", "starts_at"))


def event_counts(events) -> dict[int, dict[str, int]]:
    """Registration counts of `events` (waiting list, checked in...), from whoever answers
    programme.signals.event_counts (registrations); {} per event when nobody does."""
    from .signals import event_counts as signal

    counts: dict[int, dict[str, int]] = {}
    for _receiver, answer in signal.send(sender=Event, events=list(events)):
        for pk, values in (answer or {}).items():
            counts.setdefault(pk, {}).update(values)
    return counts


def open_call_edition(now=None) -> Edition | None:
    """The edition whose call for proposals is open now (the latest, if several are): where the
    portal's new proposals go. None when no call is open."""
    from django.utils import timezone

    now = now or timezone.now()
    return Edition.objects.filter(call_opens_at__lte=now, call_closes_at__gt=now).order_by("-year").first()


def next_call_edition(now=None) -> Edition | None:
    """The edition whose call opens next, if one is set to open later."""
    from django.utils import timezone

    now = now or timezone.now()
    return Edition.objects.filter(call_opens_at__gt=now).order_by("call_opens_at").first()
