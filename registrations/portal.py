"""What the association portal shows of registrations: each activity's door list as CSV, for
the members of the association that runs it (nothing of any other association's)."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from programme.access import member_required
from programme.models import Event

from . import selectors
from .audit import record_access
from .models import AccessLog, Registration


def csv_safe(value: str) -> str:
    """Keep a spreadsheet from reading a typed name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@never_cache
@member_required
def attendees_csv(request: HttpRequest, event_id: int, association) -> HttpResponse:
    """The activity's attendees, what a door list needs and nothing more (no e-mail address):
    name, seats, status; confirmed first, then the waiting list in its order. UTF-8 with a BOM,
    so that spreadsheet programs read the accents right."""
    event = get_object_or_404(Event, pk=event_id)
    if event.association_id != association.pk:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-activity-{event.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Seats"), _("Status")])
    registrations = selectors.event_registrations(event).filter(status__in=Registration.ACTIVE)
    confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    for r in confirmed + waiting:
        writer.writerow([csv_safe(r.name), r.seats, r.get_status_display()])
    record_access(
        user=request.user,
        channel=AccessLog.Channel.PORTAL,
        action=AccessLog.Action.EXPORT,
        event=event,
        rows=len(confirmed) + len(waiting),
    )
    return response
