"""Registrations' periodic work (beat: fortnight/settings.py CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from . import privacy


@shared_task(name="registrations.anonymise", acks_late=True, soft_time_limit=1800, time_limit=1900)
def anonymise() -> int:
    """Anonymise the attendees of the editions whose retention period is over (daily)."""
    return privacy.anonymise_due()
