"""Taking, freeing and promoting seats; check-in at the door.

Every change to an event's seats happens inside one transaction that first
locks the event row (`SELECT ... FOR NO KEY UPDATE` on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers). The seats taken are a counter on
that row, which the database keeps within the capacity (a CHECK constraint),
so that even a bug here cannot overbook.

Waiting list rule: first come, first served, each group whole. When seats
free up, the waiting registrations are looked at in order of arrival and each
one whose whole group fits in the seats still free is confirmed; a group that
does not fit keeps its place for the next seats, and the registrations behind
it that do fit are confirmed. Nobody gets fewer seats than asked for, seats
never stay empty while someone who fits is waiting, and nobody who fits is
ever passed over by a later arrival. Since this runs after every change that
frees seats, every group still waiting is larger than the seats left, so a
newcomer who fits in them goes ahead of nobody. Once the activity has
begun, nobody is promoted any more, and attendees can no longer cancel.
"""

from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import Event

from . import mail, selectors
from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    NOTICE_VERSION,
    CheckIn,
    Registration,
    normalise_email,
    normalise_name,
)
from .tickets import InvalidTicket, verify_token

logger = logging.getLogger(__name__)


class RegistrationError(Exception):
    """A registration that cannot be made or changed, with a stable code and a translated message."""

    MESSAGES = {
        "event_not_found": _("This activity does not exist."),
        "registration_not_required": _("This activity needs no registration: just come."),
        "registration_not_open": _("Registration for this activity is not open yet."),
        "registration_closed": _("Registration for this activity is closed."),
        "event_cancelled": _("This activity has been cancelled."),
        "event_past": _("This activity has already taken place."),
        "event_full": _("This activity is full and has no waiting list."),
        "waitlist_full": _("This activity is full and its waiting list too."),
        "too_many_seats": _("This activity does not have that many seats."),
        "already_registered": _("This e-mail address is already registered for this activity."),
        "already_checked_in": _("This registration has already been checked in and cannot be cancelled."),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


class SeatsError(ValueError):
    """The number of seats asked for is not allowed (a 400, not a 409)."""

    def __init__(self, maximum: int):
        self.maximum = maximum
        super().__init__(maximum)


def seats_error(maximum: int) -> str:
    """The message for a number of seats outside 1..maximum."""
    if maximum == 1:
        return str(_("Only 1 seat per registration."))
    return str(_("Choose between 1 and %(max)d seats.") % {"max": maximum})


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


#: What taking, freeing and promoting seats read of an event (the row is wide: its
#: texts in three languages need not be read, or compiled into the query).
_SEAT_FIELDS = (
    "edition_id",
    "status",
    "capacity",
    "seats_taken",
    "max_seats_per_registration",
    "starts_at",
    "registration_opens_at",
    "registration_closes_at",
    "waitlist_enabled",
    "waitlist_limit",
    "updated_at",
)


def _lock_event(event_id: int) -> Event:
    # `of=("self",)`: lock the event row only. Without it PostgreSQL also locks the
    # joined edition row, and every registration of the festival waits for every other.
    # `no_key=True` (FOR NO KEY UPDATE): writers of the event's seats still queue one
    # behind the other, but rows that merely refer to the event (a CheckIn being
    # inserted) need not wait for them. With a plain FOR UPDATE, a cancellation
    # (event locked, waiting for the registration) and a check-in of the same
    # registration (registration updated, its CheckIn insert waiting for the event)
    # deadlocked.
    # The query is the ORM's (see _lock_sql), built once per process and run as it is.
    found = Event.objects.raw(_lock_sql(connection.vendor), [event_id]) if _fits_id(Event, event_id) else ()
    event = next(iter(found), None)
    if event is None:
        raise RegistrationError("event_not_found")
    return event


def _fits_id(model: type[models.Model], value: int) -> bool:
    """Whether `value` can be an id of `model` in this database. Queries written in SQL
    must check (SQLite refuses a larger integer); the ORM does it for its own."""
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return low <= value <= high


@functools.cache
def _lock_sql(vendor: str) -> str:
    """The lock query of _lock_event, as the ORM writes it for this database, built once
    per process. A shortcut kept for the `registration-rush` row of `make bench`: built at
    each registration, the query cost more CPU than running it, and the rush lost more
    requests/s than the 15 % allowed (bench/RESULTS.md). The ORM writes it, not us, because
    its lock clause differs between databases."""
    marker = -4242  # no event has it: it only finds the id's place among the parameters
    queryset = (
        Event.objects.select_for_update(of=("self",), no_key=True)
        .annotate(edition_is_published=F("edition__is_published"))
        .only(*_SEAT_FIELDS)
        .filter(pk=marker)
        .order_by()
    )
    sql, params = queryset.query.sql_with_params()
    if params != (marker,):  # the id must be the query's one parameter
        raise RuntimeError(f"unexpected parameters in the event lock query: {params!r}")
    return sql


def _check_open(event: Event, now: datetime) -> None:
    # An event of an unpublished edition does not exist for the public, cancelled or not.
    if event.status not in (Event.Status.PUBLISHED, Event.Status.CANCELLED) or not event.edition_is_published:
        raise RegistrationError("event_not_found")
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError("event_cancelled")
    if event.capacity is None:
        raise RegistrationError("registration_not_required")
    if now >= event.starts_at:
        raise RegistrationError("event_past")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationError("registration_not_open")
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise RegistrationError("registration_closed")


def _waiting(event: Event):
    return Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)


def registration_create(
    *,
    event_id: int,
    name: str,
    email: str,
    seats: int,
    language: str,
    consent: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register for an activity: confirmed if the seats are free, else on the waiting list.
    `consent`: the person accepted the privacy notice (its version, NOTICE_VERSION, is kept).

    Raises RegistrationError (409) when registration is impossible and SeatsError (400)
    when more seats are asked than one registration may take.
    """
    for attempt in range(3):
        code = _new_code()
        try:
            return _registration_create(
                event_id=event_id,
                name=name,
                email=email,
                seats=seats,
                language=language,
                consent=consent,
                code=code,
                now=now,
            )
        except IntegrityError:
            # The transaction was rolled back whole. Either this address already had
            # an active registration (the UNIQUE constraint says so, which saves
            # asking before every insert), or the booking code, drawn at random
            # from 31^8, was taken: then the registration is made again.
            if selectors.active_registration_id(event_id, email) is not None:
                raise RegistrationError("already_registered") from None
            if attempt == 2 or not Registration.objects.filter(code=code).exists():
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _registration_create(
    *, event_id: int, name: str, email: str, seats: int, language: str, consent: bool, code: str, now: datetime | None
) -> Registration:
    now = now or timezone.now()
    event = _lock_event(event_id)
    _check_open(event, now)
    if seats < 1 or seats > event.max_seats_per_registration:
        raise SeatsError(event.max_seats_per_registration)
    if seats > event.capacity:
        raise RegistrationError("too_many_seats")
    email = normalise_email(email)
    if seats <= event.capacity - event.seats_taken:
        # The common case, kept short: the event row is locked until commit.
        status = Registration.Status.CONFIRMED
        event.seats_taken += seats
        Event.objects.filter(pk=event.pk).update(seats_taken=event.seats_taken, updated_at=now)
    elif selectors.active_registration_id(event.pk, email) is not None:
        raise RegistrationError("already_registered")
    elif not event.waitlist_enabled:
        raise RegistrationError("event_full")
    elif event.waitlist_limit is not None and (_waiting(event).aggregate(n=Sum("seats"))["n"] or 0) + seats > (
        event.waitlist_limit
    ):
        raise RegistrationError("waitlist_full")
    else:
        status = Registration.Status.WAITLISTED

    registration = Registration.objects.create(
        event=event,
        name=normalise_name(name),
        email=email,
        seats=seats,
        language=language,
        status=status,
        code=code,
        confirmed_at=now if status == Registration.Status.CONFIRMED else None,
        consent_at=now if consent else None,
        notice_version=NOTICE_VERSION if consent else "",
    )
    position = selectors.waitlist_position(registration) if status == Registration.Status.WAITLISTED else None
    mail.registration_made(registration, position=position)
    logger.info("registration %s on event %s: %s (%s seats)", registration.pk, event.pk, status, seats)
    return registration


def waitlist_promote(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """Confirm waiting registrations in order of arrival, each whose whole group fits.

    The caller holds the lock on the event row (it is inside one of this
    module's transactions).
    """
    now = now or timezone.now()
    # Once the activity has begun, a freed seat is offered to nobody: a ticket
    # arriving by e-mail during or after the activity helps no one.
    if event.capacity is None or event.status != Event.Status.PUBLISHED or now >= event.starts_at:
        return []
    free = event.capacity - event.seats_taken
    promoted = []
    if free <= 0:
        return promoted
    for registration in _waiting(event).filter(seats__lte=free).order_by("pk"):
        if registration.seats > free:
            continue
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        free -= registration.seats
        promoted.append(registration)
    if promoted:
        Registration.objects.bulk_update(promoted, ["status", "confirmed_at"])
        event.seats_taken = event.capacity - free
        event.save(update_fields=["seats_taken", "updated_at"])
        mail.registrations_promoted(promoted)
        logger.info("event %s: promoted %s from the waiting list", event.pk, [r.pk for r in promoted])
    return promoted


@transaction.atomic
def registration_cancel(
    *,
    registration_id: int,
    by: str = Registration.CancelledBy.ATTENDEE,
    now: datetime | None = None,
    notify: bool = True,
) -> Registration:
    """Cancel a registration, free its seats and promote the waiting list. Twice changes nothing.
    `notify=False`: no e-mail to the attendee (their data is being deleted at their request)."""
    now = now or timezone.now()
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = _lock_event(event_id)
    registration = Registration.objects.select_for_update(no_key=True).get(pk=registration_id)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if registration.checked_in_at is not None:
        raise RegistrationError("already_checked_in")
    if by == Registration.CancelledBy.ATTENDEE and now >= event.starts_at:
        raise RegistrationError("event_past")
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.cancelled_by = by
    registration.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    if was_confirmed:
        event.seats_taken -= registration.seats
        event.save(update_fields=["seats_taken", "updated_at"])
    if notify:
        mail.registration_cancelled(registration)
    waitlist_promote(event=event, now=now)
    logger.info("registration %s cancelled by %s", registration.pk, by)
    return registration


def registration_send_link(*, event_id: int, email: str) -> bool:
    """Queue an e-mail with the links of that address's active registration for the event.

    The caller answers the same whether or not the address is registered;
    returns whether an e-mail was queued (not when the address has no active
    registration, nor again within LINK_MAIL_INTERVAL).
    """
    registration_id = selectors.active_registration_id(event_id, email)
    if registration_id is None:
        return False
    return registration_mail_links(registration_id=registration_id)


def registration_mail_links(*, registration_id: int) -> bool:
    """Queue an e-mail to the registration's own address with its links and the link to all
    the registrations of that address; at most once every LINK_MAIL_INTERVAL per registration,
    so that nobody can fill an attendee's inbox. Returns whether an e-mail was queued."""
    if not cache.add(f"registration-link-mail:{registration_id}", True, timeout=mail.LINK_MAIL_INTERVAL):
        logger.info(
            "links of registration %s already e-mailed less than %s s ago", registration_id, mail.LINK_MAIL_INTERVAL
        )
        return False
    with transaction.atomic():
        mail.registration_links_mail(Registration.objects.get(pk=registration_id))
    return True


def on_event_capacity_changing(sender, *, event: Event, **kwargs) -> None:
    """An activity whose registrations hold or wait for seats keeps taking registrations:
    without a capacity their tickets would belong to nothing."""
    if (
        event.capacity is None
        and Registration.objects.filter(event_id=event.pk, status__in=Registration.ACTIVE).exists()
    ):
        raise ValidationError(
            {
                "capacity": _(
                    "This activity has registrations (confirmed or on the waiting list): it needs a capacity."
                    " Cancel them first if it should need no registration."
                )
            }
        )


def on_event_changed(sender, *, event: Event, changed: set[str], **kwargs) -> None:
    """More seats or a reopened event may let people in from the waiting list."""
    if changed & {"capacity", "status"}:
        waitlist_promote(event=event)


# --- Check-in ---------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    result: str
    registration: Registration | None
    first_checked_in_at: datetime | None


class UnknownEvent(ValueError):
    """A check-in for an activity that does not exist (a 400: the scanner sent nonsense)."""


class CheckInError(Exception):
    """A check-in request refused as a whole (a 409): nothing is checked in or logged.
    It has a stable code and a translated message, like RegistrationError."""

    MESSAGES = {
        "nonce_reused": _(
            "This scan's nonce was already used for another ticket, activity or user: nothing was checked in."
            " Scan the ticket again."
        ),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


def checkin_scan(*, secret: str, event_id: int, nonce: str | None, user, device: str = "") -> ScanResult:
    """Check a scanned ticket in at the door of an event.

    The signature is verified first, then the registration's state; the
    check-in itself is one conditional UPDATE, so that two devices scanning
    the same ticket at once get exactly one `ok`. Every attempt is logged. A
    repeated nonce returns the first answer and records nothing new; a nonce
    already used for another request raises CheckInError("nonce_reused").
    """
    try:
        claims = verify_token(secret)
    except InvalidTicket:
        registration = None
    else:
        registration = _find_registration(claims.registration_id, claims.event_id)
    result = CheckIn.Result.INVALID if registration is None else None
    return _record(
        event_id, registration, result, nonce=nonce, user=user, device=device, method=CheckIn.Method.QR.value
    )


def checkin_manual(*, registration_id: int, event_id: int, nonce: str | None, user, device: str = "") -> ScanResult:
    """Check in a registration found by name or booking code, when there is no QR code."""
    registration = _find_registration(registration_id)
    result = CheckIn.Result.INVALID if registration is None else None
    return _record(
        event_id, registration, result, nonce=nonce, user=user, device=device, method=CheckIn.Method.MANUAL.value
    )


# The door's three statements are written in SQL: a shortcut kept for the `checkin` row
# of `make bench`. Built by the ORM at each scan they cost the worker more CPU than
# running them does, and check-in lost more requests/s than the 15 % allowed
# (bench/RESULTS.md).
_SCAN_SQL = (
    "SELECT r.id, r.event_id, r.code, r.name, r.seats, r.status, r.checked_in_at, e.status AS event_status"
    f" FROM {Registration._meta.db_table} r JOIN {Event._meta.db_table} e ON e.id = r.event_id WHERE r.id = %s"
)
_CHECK_IN_SQL = (
    f"UPDATE {Registration._meta.db_table} SET checked_in_at = %s"
    " WHERE id = %s AND status = %s AND checked_in_at IS NULL"
)
_LOG_COLUMNS = (
    "event_id",
    "registration_id",
    "result",
    "method",
    "nonce",
    "first_checked_in_at",
    "user_id",
    "device",
    "created_at",
)
_LOG_SQL = (
    f"INSERT INTO {CheckIn._meta.db_table} ({', '.join(_LOG_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_LOG_COLUMNS))})"
)


def _log_scan(**values) -> None:
    """Add a row to the check-in log (CheckIn): the values of _LOG_COLUMNS, times as aware datetimes."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _LOG_SQL,
            [adapt(values[c]) if c.endswith("_at") else values[c] for c in _LOG_COLUMNS],
        )


def _find_registration(registration_id: int, event_id: int | None = None) -> Registration | None:
    """The registration (with its event's status as `event_status`), if it exists and,
    when `event_id` is given, belongs to that event."""
    if not _fits_id(Registration, registration_id):
        return None
    registration = next(iter(Registration.objects.raw(_SCAN_SQL, [registration_id])), None)
    if registration is None or (event_id is not None and registration.event_id != event_id):
        return None
    return registration


def _take_check_in(registration: Registration, now: datetime) -> bool:
    """Mark a confirmed registration checked in, unless it already is: True if this call did."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CHECK_IN_SQL,
            [connection.ops.adapt_datetimefield_value(now), registration.pk, Registration.Status.CONFIRMED],
        )
        return cursor.rowcount == 1


def _record(
    event_id: int, registration: Registration | None, result: str | None, *, nonce, user, device, method
) -> ScanResult:
    if result is None:
        if registration.event_id != event_id:
            result = CheckIn.Result.WRONG_EVENT
        elif (
            registration.status == Registration.Status.CANCELLED or registration.event_status == Event.Status.CANCELLED
        ):
            result = CheckIn.Result.CANCELLED
        elif registration.status == Registration.Status.WAITLISTED:
            result = CheckIn.Result.WAITLISTED
    if (registration is None or registration.event_id != event_id) and not Event.objects.filter(pk=event_id).exists():
        raise UnknownEvent(event_id)
    now = timezone.now()
    first = None
    registration_id = registration.pk if registration is not None else None
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    if result is None and registration.checked_in_at is not None:
        result, first = CheckIn.Result.ALREADY_CHECKED_IN, registration.checked_in_at
    try:
        with transaction.atomic():
            if result is None:
                if _take_check_in(registration, now):
                    result, first = CheckIn.Result.OK, now
                    registration.checked_in_at = now
                elif (registration := _reload(registration)).status == Registration.Status.CONFIRMED:
                    result, first = CheckIn.Result.ALREADY_CHECKED_IN, registration.checked_in_at
                else:  # cancelled between the two statements
                    result = CheckIn.Result.CANCELLED
            _log_scan(
                event_id=event_id,
                registration_id=registration_id,
                result=result,
                method=method,
                nonce=nonce or None,
                first_checked_in_at=first,
                user_id=user_id,
                device=device[:200],
                created_at=now,
            )
    except IntegrityError:
        # A nonce seen before (a retry, or the same request twice at once): the
        # first answer stands, and this attempt's check-in was rolled back. The
        # UNIQUE constraint on the nonce tells, so that new scans (nearly all of
        # them) need not look their nonce up first.
        if nonce and (previous := _previous_scan(nonce, registration_id, event_id, user_id)) is not None:
            return previous
        raise
    logger.info("check-in at event %s: %s", event_id, result)
    return ScanResult(result=result, registration=registration, first_checked_in_at=first)


def _reload(registration: Registration) -> Registration:
    """The registration as another request left it (checked in, or cancelled, meanwhile)."""
    registration.refresh_from_db(fields=["status", "checked_in_at"])
    return registration


def _previous_scan(nonce: str, registration_id: int | None, event_id: int, user_id: int | None) -> ScanResult | None:
    """The first answer to this nonce, if it was given to the same request: the same
    registration (None for a ticket that resolved to none), activity and user. A nonce
    names one request: reused for another, it would hand over another person's answer
    and leave the new ticket unchecked, so that is refused (CheckInError)."""
    scan = CheckIn.objects.select_related("registration__event").filter(nonce=nonce).first()
    if scan is None:
        return None
    if (scan.registration_id, scan.event_id, scan.user_id) != (registration_id, event_id, user_id):
        raise CheckInError("nonce_reused")
    return ScanResult(result=scan.result, registration=scan.registration, first_checked_in_at=scan.first_checked_in_at)
