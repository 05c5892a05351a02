"""Reads of registrations that more than one caller needs."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum

from programme.models import Event
from programme.roles import DOOR_STAFF, ORGANISERS, is_member, is_organiser

from .models import CODE_ALPHABET, CODE_LENGTH, Registration, normalise_email


def can_check_in(user) -> bool:
    """Door staff and organisers. This guards every scan: the answer is kept on the user
    object, which lives as long as the request (a changed role counts from the next one)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_can_check_in"):
        user._can_check_in = user.is_superuser or user.groups.filter(name__in=[DOOR_STAFF, ORGANISERS]).exists()
    return user._can_check_in


def can_see_registrations(user, event: Event) -> bool:
    """Organisers, and the members of the association that runs the event."""
    if is_organiser(user):
        return True
    return bool(event.association_id and is_member(user, event.association))


def active_registration_id(event_id: int, email: str) -> int | None:
    """The id of the address's confirmed or waitlisted registration for the event, if any."""
    return (
        Registration.objects.filter(event_id=event_id, email=normalise_email(email), status__in=Registration.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )


def event_registrations(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).order_by("pk")


def registrations_of(email: str, edition_id: int) -> QuerySet[Registration]:
    """One person's registrations in an edition, newest activity last."""
    return (
        Registration.objects.filter(email=email, event__edition_id=edition_id)
        .select_related("event__venue", "event__edition", "event__category")
        .order_by("event__starts_at", "pk")
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITLISTED, pk__lte=registration.pk
    ).count()


def checkin_counts(event: Event) -> dict[str, int]:
    confirmed = Q(status=Registration.Status.CONFIRMED)
    checked = confirmed & Q(checked_in_at__isnull=False)
    counts = Registration.objects.filter(event=event).aggregate(
        expected_registrations=Count("pk", filter=confirmed),
        expected_seats=Sum("seats", filter=confirmed, default=0),
        checked_in_registrations=Count("pk", filter=checked),
        checked_in_seats=Sum("seats", filter=checked, default=0),
    )
    return counts


def attendee_search(event: Event, query: str) -> QuerySet[Registration]:
    """The event's registrations whose name or booking code matches, cancelled ones too (the door
    tells them why they cannot come in), after those still on."""
    query = query.strip()
    return (
        Registration.objects.filter(event=event)
        .filter(Q(code__iexact=query.upper()) | Q(name__icontains=query))
        .order_by(ExpressionWrapper(Q(status=Registration.Status.CANCELLED), BooleanField()), "name", "pk")
    )


def reminders_due(*, edition_id: int, hours: int, starts_after, starts_until) -> QuerySet[Registration]:
    """Confirmed registrations for published activities of the edition starting in
    (starts_after, starts_until], made more than `hours` before their activity."""
    return (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            event__edition_id=edition_id,
            event__status=Event.Status.PUBLISHED,
            event__starts_at__gt=starts_after,
            event__starts_at__lte=starts_until,
            created_at__lt=F("event__starts_at") - timedelta(hours=hours),
        )
        .select_related("event")
        .only("pk", "email", "language", "event__starts_at")
        .order_by("pk")
    )


def attendees_to_tell(event: Event) -> QuerySet[Registration]:
    """Who hears of a change to the activity: its confirmed and waitlisted registrations."""
    return Registration.objects.filter(event=event, status__in=Registration.ACTIVE).order_by("pk")


def registration_ids_with_code(text: str) -> QuerySet[Registration] | None:
    """The registration whose booking code `text` is (any case), as a subquery of ids; None
    when `text` cannot be a booking code."""
    code = text.strip().upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        return None
    return Registration.objects.filter(code=code).values("pk")


def registration_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per event: seats confirmed, waiting, checked in; registrations confirmed and waiting. One query."""
    rows = (
        Registration.objects.filter(event_id__in=event_ids, status__in=Registration.ACTIVE)
        .order_by()  # not by the default ordering: it joins the events for nothing
        .values("event_id")
        .annotate(
            confirmed_seats=Sum("seats", filter=Q(status=Registration.Status.CONFIRMED), default=0),
            waitlisted_seats=Sum("seats", filter=Q(status=Registration.Status.WAITLISTED), default=0),
            checked_in_seats=Sum("seats", filter=Q(checked_in_at__isnull=False), default=0),
            confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
            waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        )
    )
    empty = {"confirmed_seats": 0, "waitlisted_seats": 0, "checked_in_seats": 0, "confirmed": 0, "waitlisted": 0}
    counts = {pk: dict(empty) for pk in event_ids}
    for row in rows:
        counts[row.pop("event_id")] = row
    return counts


def on_event_counts(sender, *, events, **kwargs) -> dict[int, dict[str, int]]:
    """programme.signals.event_counts: the registration counts the portal and the back office show."""
    return registration_counts([event.pk for event in events])


STAT_FIELDS = ("seats_taken", "waitlisted_seats", "checked_in_seats", "no_show_seats")


def edition_stats(edition, *, now) -> dict:
    """The statistics of an edition (SPEC section 5, "Statistics"): per published or cancelled
    event its capacity and seats taken, waiting, checked in and not come (confirmed seats not
    checked in, once the event has ended: before, 0), and the totals of the published ones.
    Two queries, however many events and registrations."""
    events = list(
        Event.objects.filter(edition=edition, status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .only("pk", "title", "title_fr", "title_nl", "title_en", "capacity", "status", "starts_at", "ends_at")
        .order_by("starts_at", "pk")
    )
    counts = registration_counts([event.pk for event in events])
    rows = []
    for event in events:
        count = counts[event.pk]
        ended = event.ends_at <= now
        rows.append(
            {
                "id": event.pk,
                "title": event.title,
                "status": event.status,
                "starts_at": event.starts_at,
                "ended": ended,
                "capacity": event.capacity,
                "seats_taken": count["confirmed_seats"],
                "waitlisted_seats": count["waitlisted_seats"],
                "checked_in_seats": count["checked_in_seats"],
                "no_show_seats": count["confirmed_seats"] - count["checked_in_seats"] if ended else 0,
            }
        )
    published = [row for row in rows if row["status"] == Event.Status.PUBLISHED]
    totals = {name: sum(row[name] for row in published) for name in STAT_FIELDS}
    totals["capacity"] = sum(row["capacity"] or 0 for row in published)
    totals["events"] = len(published)
    return {"edition": edition.slug, "events": rows, "totals": totals}
