"""Personal data that goes away (SPEC section 6): each edition keeps its attendees' names and
addresses for its retention period after its last day (`Edition.retention_days`, 90 by default);
then a daily beat task (`registrations.anonymise`) anonymises them.

Anonymising a registration keeps what the statistics count (its activity, seats, status and
times) and replaces the rest: the name is emptied, the address becomes one that names no one
(`anonymised-<id>@invalid`, the reserved top-level domain), and the booking code is drawn again,
so that every link and calendar file made from the old one stops working. The e-mails written
to that address lose their recipient and their body (the context they were rendered from and
their attachments). Check-in rows point at the anonymised registration and hold nothing
personal. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone

from notifications.models import Message
from programme.models import Edition

from .models import Registration
from .services import _new_code

logger = logging.getLogger(__name__)

#: The address an anonymised registration or e-mail keeps: `.invalid` is reserved (RFC 2606).
ANONYMOUS_DOMAIN = "invalid"
#: Registrations anonymised per transaction: a long edition is done in short steps.
BATCH = 500


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
                .only("pk")
                .order_by("pk")
            )
            for registration in rows:
                Registration.objects.filter(pk=registration.pk).update(
                    name="", email=anonymous_email(registration.pk), code=_unused_code(), anonymised_at=now
                )
                Message.objects.filter(concerns_type="registration", concerns_id=registration.pk).update(
                    recipient=anonymous_email(registration.pk), context={}, attachments=[], last_error=""
                )
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
