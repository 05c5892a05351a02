"""Reads of the programme that more than one caller needs."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Edition, Event


def current_edition() -> Edition | None:
    return Edition.objects.filter(is_current=True).first()


def event_queryset() -> QuerySet[Event]:
    """Events with everything a list shows, in one query."""
    return Event.objects.select_related("venue", "category", "edition", "association")


def public_events() -> QuerySet[Event]:
    """What anonymous visitors may see: published events of published editions."""
    return event_queryset().filter(status=Event.Status.PUBLISHED, edition__is_published=True)
