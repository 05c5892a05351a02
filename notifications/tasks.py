"""Celery tasks of the outbox: thin, they take ids and call the code that does the work."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import delivery, outbox


@shared_task(
    name="notifications.deliver_messages",
    bind=True,
    acks_late=True,
    max_retries=None,  # each message counts its own attempts (delivery.MAX_ATTEMPTS)
    soft_time_limit=240,
    time_limit=300,
)
def deliver_messages(self, ids: list[int]) -> None:
    """Send a batch of outbox messages over one SMTP connection."""
    retry = delivery.deliver(ids)
    if retry is not None:
        raise self.retry(args=(retry.ids,), countdown=retry.countdown)


@shared_task(name="notifications.sweep", acks_late=True, soft_time_limit=120, time_limit=150)
def sweep() -> int:
    """Queue again the messages whose delivery was lost (beat, every MAIL_SWEEP_SECONDS)."""
    return outbox.messages_sweep()


@shared_task(name="notifications.send_reminders", acks_late=True, soft_time_limit=240, time_limit=300)
def send_reminders() -> int:
    """Write the reminders that have come due and queue them (beat, every minute)."""
    from .attendees import reminders_create  # reads registrations: not part of the outbox

    return reminders_create(now=timezone.now())
