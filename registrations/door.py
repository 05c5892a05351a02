"""The door: staff (logged in at the site's login, common/auth.py) pick today's activity and
scan tickets with the phone's camera.

The pages only show and link; every check-in goes through the API
(`POST /api/v1/checkins/`, `GET /api/v1/events/<id>/checkins/stats/`,
`GET /api/v1/events/<id>/attendees/`), which calls the services.
"""

from __future__ import annotations

import datetime
import re
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from programme.selectors import public_events

from . import selectors

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def door_staff_required(view):
    """Logged in (else to the login page), and door staff or an organiser (else a 403 page)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.can_check_in(request.user):
            return render(request, "registrations/door/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def door_events(day: datetime.date):
    """Published activities with registration that take place on `day` (Brussels time),
    including those that started earlier and are still on (exhibitions)."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return (
        public_events().filter(capacity__isnull=False, starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "pk")
    )


def door_default_day(today: datetime.date) -> datetime.date:
    """The day the door opens on: today if an activity with registration is on today, else the
    next day that has one; with nothing ahead, the last day that had one (today if none ever)."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    events = public_events().filter(capacity__isnull=False)
    ahead = events.filter(ends_at__gt=start).order_by("starts_at", "pk").values_list("starts_at", flat=True).first()
    if ahead is not None:
        return max(today, timezone.localdate(ahead, timezone=tz))
    last = events.order_by("-ends_at", "-pk").values_list("ends_at", flat=True).first()
    if last is None:
        return today
    # An activity ending at midnight was on the day before.
    return timezone.localdate(last - datetime.timedelta(microseconds=1), timezone=tz)


def _parse_day(value: str) -> datetime.date | None:
    if not _DATE_RE.fullmatch(value):
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    # Far from the calendar's ends, where the day before or after, or UTC, would overflow.
    return day if 1900 <= day.year <= 9000 else None


@require_safe
@never_cache
@door_staff_required
def door_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    raw = request.GET.get("date", "").strip()
    day = _parse_day(raw) if raw else door_default_day(today)
    if day is None:
        context = {"day": today, "today": today, "error": _("Give the date as YYYY-MM-DD, for example 2024-10-21.")}
        return render(request, "registrations/door/index.html", context, status=400)
    context = {
        "day": day,
        "today": today,
        "events": list(door_events(day)),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        # Opened without a date on another day than today: say why.
        "moved": "" if raw or day == today else ("ahead" if day > today else "past"),
    }
    return render(request, "registrations/door/index.html", context)


@require_safe
@never_cache
@door_staff_required
def door_scanner(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(public_events().filter(capacity__isnull=False), pk=event_id)
    config = {
        "event": event.pk,
        "csrfToken": get_token(request),
        "checkinsUrl": reverse("api:checkins"),
        "statsUrl": reverse("api:event-checkin-stats", kwargs={"event_id": event.pk}),
        "attendeesUrl": reverse("api:event-attendees", kwargs={"event_id": event.pk}),
        "language": request.LANGUAGE_CODE,
        "timeZone": "Europe/Brussels",
        "strings": {
            "ok": _("Valid: come in"),
            "already_checked_in": _("Already checked in"),
            "first_checked_in_at": _("First check-in at %(time)s"),
            "invalid": _("Not a valid ticket"),
            "cancelled": _("Registration cancelled"),
            "wrong_event": _("Ticket for another activity"),
            # Translators: the activity's title, then its day and time (e.g. "Tuesday 21 October at 20:00").
            "ticket_event": _("This ticket is for %(title)s (%(when)s)."),
            "waitlisted": _("On the waiting list: no seat"),
            "seats": _("Seats: %(seats)s"),
            "code": _("Booking code: %(code)s"),
            "dismiss": _("Tap, or press Enter, to scan the next ticket."),
            "network": _("No connection to the server: the ticket was not checked. Try again."),
            "logged_out": _("You are no longer logged in: reload the page and log in again."),
            "error": _("Something went wrong: the ticket was not checked. Try again."),
            "camera_on": _("The camera is on: hold a ticket's QR code in front of it."),
            "camera_denied": _("The camera is not allowed. Allow it in the browser's settings, or search by name."),
            "camera_missing": _("No camera was found. Search attendees by name or booking code."),
            "camera_error": _("The camera could not be started. Search attendees by name or booking code."),
            "searching": _("Searching…"),
            "too_short": _("Type at least 2 characters."),
            "no_results": _("Nobody found."),
            "results": _("Attendees found: %(count)s"),
            "check_in": _("Check in"),
            "checked_in_at": _("Checked in at %(time)s"),
            "status_confirmed": _("Confirmed"),
            "status_waitlisted": _("On the waiting list"),
            "status_cancelled": _("Cancelled"),
        },
    }
    context = {"event": event, "config": config, "counts": selectors.checkin_counts(event)}
    return render(request, "registrations/door/scanner.html", context)
