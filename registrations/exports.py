"""What organisers take out of the back office (`/<lang>/backoffice/`): the exports page, each
activity's registrations as CSV, the whole edition's as a streamed CSV, each activity's printable
door list, and the access log, where every one of these looks at attendees' data leaves a row
(registrations.audit.record_access).

Every page and file takes a fixed number of queries, however many activities or registrations."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from programme.access import organiser_required
from programme.filters import EditionQueryForm, ProgrammeFilterForm
from programme.models import Edition, Event

from .audit import record_access
from .models import AccessLog, Registration
from .portal import csv_safe

#: Rows fetched at a time by the edition's export: its memory stays flat however big the edition.
CHUNK_SIZE = 2000
#: Rows per page of the access log.
LOG_PAGE_SIZE = 50

#: Confirmed first, then the waiting list, then the cancelled; `pk` orders each (the queue's order).
STATUS_ORDER = Case(
    When(status=Registration.Status.CONFIRMED, then=Value(0)),
    When(status=Registration.Status.WAITLISTED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- CSV ---------------------------------------------------------------------------------------


class _Echo:
    """The file a csv.writer writes to, for a streamed answer: each row is handed back, not kept."""

    def write(self, value: str) -> str:
        return value


def _iso(value) -> str:
    """ISO 8601 with its offset, in Brussels time; "" for no time."""
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")


def registration_header() -> list[str]:
    """The columns of a registration, in the active language."""
    return [
        _("Booking code"),
        _("Name"),
        _("E-mail"),
        _("Seats"),
        _("Status"),
        _("Language"),
        _("Registered at"),
        _("Confirmed at"),
        _("Cancelled at"),
        _("Checked in at"),
    ]


def registration_cells(r: Registration) -> list:
    """One registration's cells; every text a person typed is kept from reading as a formula."""
    return [
        r.code,
        csv_safe(r.name),
        csv_safe(r.email),
        r.seats,
        str(r.get_status_display()),
        r.language,
        _iso(r.created_at),
        _iso(r.confirmed_at),
        _iso(r.cancelled_at),
        _iso(r.checked_in_at),
    ]


def activity_header() -> list[str]:
    return [_("Activity id"), _("Activity"), _("Activity starts"), _("Venue"), _("Category")]


def activity_cells(event: Event) -> list:
    return [
        event.pk,
        csv_safe(event.title),
        _iso(event.starts_at),
        csv_safe(event.venue.name),
        csv_safe(event.category.name),
    ]


def event_registrations_for_export(event: Event) -> QuerySet[Registration]:
    """Every registration of the activity: confirmed, waitlisted in queue order, cancelled."""
    return Registration.objects.filter(event=event).order_by(STATUS_ORDER, "pk")


def edition_registrations_for_export(edition: Edition) -> QuerySet[Registration]:
    """Every registration of the edition with its activity, venue and category (one query), per
    activity in time order, each like event_registrations_for_export."""
    return (
        Registration.objects.filter(event__edition=edition)
        .select_related("event__venue", "event__category")
        .order_by("event__starts_at", "event_id", STATUS_ORDER, "pk")
    )


def edition_csv_rows(registrations: Iterable[Registration], *, language: str) -> Iterator[list]:
    """The edition export's rows, header first, in `language`: the rows are written while the
    answer streams, when the request's language may be gone."""
    with translation.override(language):
        yield activity_header() + registration_header()
        for r in registrations:
            yield activity_cells(r.event) + registration_cells(r)


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    return response


@never_cache
@require_safe
@organiser_required
def event_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    """Every registration of one activity, as CSV (UTF-8 with a BOM)."""
    event = get_object_or_404(Event.objects.select_related("edition"), pk=event_id)
    registrations = list(event_registrations_for_export(event))
    response = _csv_response(f"registrations-activity-{event.pk}.csv")
    writer = csv.writer(response)
    writer.writerow(registration_header())
    writer.writerows(registration_cells(r) for r in registrations)
    record_access(
        user=request.user,
        channel=AccessLog.Channel.BACKOFFICE,
        action=AccessLog.Action.EXPORT,
        event=event,
        rows=len(registrations),
    )
    return response


@never_cache
@require_safe
@organiser_required
def edition_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every registration of an edition, as CSV (UTF-8 with a BOM), streamed: thousands of rows
    are read CHUNK_SIZE at a time, never all held at once."""
    edition = get_object_or_404(Edition, slug=slug)
    registrations = edition_registrations_for_export(edition)
    record_access(
        user=request.user,
        channel=AccessLog.Channel.BACKOFFICE,
        action=AccessLog.Action.EXPORT,
        edition=edition,
        rows=registrations.count(),
    )
    writer = csv.writer(_Echo())
    rows = edition_csv_rows(registrations.iterator(chunk_size=CHUNK_SIZE), language=translation.get_language())

    def content() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registrations-edition-{edition.slug}.csv"'
    return response


# --- The exports page --------------------------------------------------------------------------


def export_events(edition: Edition) -> QuerySet[Event]:
    """The edition's activities (draft, published, cancelled) in time order, with their seats
    confirmed, waiting and checked in: one query, however many activities."""
    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    return (
        Event.objects.filter(edition=edition)
        .select_related("venue")
        .annotate(
            confirmed_seats=Sum("registrations__seats", filter=confirmed, default=0),
            waitlisted_seats=Sum(
                "registrations__seats", filter=Q(registrations__status=Registration.Status.WAITLISTED), default=0
            ),
            checked_in_seats=Sum(
                "registrations__seats", filter=confirmed & Q(registrations__checked_in_at__isnull=False), default=0
            ),
        )
        .order_by("starts_at", "pk")
    )


@never_cache
@require_safe
@organiser_required
def exports(request: HttpRequest) -> HttpResponse:
    form = EditionQueryForm.for_request(request)
    context = {"section": "exports", "form": form, "edition": None, "events": None}
    if not form.is_valid():
        return render(request, "backoffice/exports.html", context, status=400)
    edition = form.chosen_edition
    if edition is not None:
        context.update(edition=edition, events=list(export_events(edition)))
    return render(request, "backoffice/exports.html", context)


# --- The door list -----------------------------------------------------------------------------


@never_cache
@require_safe
@organiser_required
def door_list(request: HttpRequest, event_id: int) -> HttpResponse:
    """The activity's door list, to print: the confirmed by name (a box to tick for each), then
    the waiting list in its order. The cancelled are not on it."""
    event = get_object_or_404(Event.objects.select_related("edition", "venue"), pk=event_id)
    active = list(
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE)
        .only("pk", "name", "seats", "code", "status", "checked_in_at")
        .order_by("pk")
    )
    confirmed = sorted(
        (r for r in active if r.status == Registration.Status.CONFIRMED), key=lambda r: (r.name.casefold(), r.pk)
    )
    waiting = [r for r in active if r.status == Registration.Status.WAITLISTED]
    record_access(
        user=request.user,
        channel=AccessLog.Channel.BACKOFFICE,
        action=AccessLog.Action.PRINT,
        event=event,
        rows=len(active),
    )
    context = {
        "section": "exports",
        "event": event,
        "confirmed": confirmed,
        "waiting": waiting,
        "confirmed_seats": sum(r.seats for r in confirmed),
        "waiting_seats": sum(r.seats for r in waiting),
    }
    return render(request, "backoffice/door_list.html", context)


# --- The access log ----------------------------------------------------------------------------


class AccessLogFilterForm(ProgrammeFilterForm):
    user = forms.CharField(
        label=gettext_lazy("User name"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("All or part of it. Empty: every user."),
    )
    activity = forms.IntegerField(
        label=gettext_lazy("Activity id"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("Empty: every activity."),
        error_messages={"invalid": gettext_lazy("Give an activity's id: a whole number, for example 12.")},
    )


@never_cache
@require_safe
@organiser_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who looked at attendees' data, newest first, LOG_PAGE_SIZE a page. A page number that is
    not one shows the first page; one past the end, the last."""
    form = AccessLogFilterForm(request.GET)
    context = {"section": "access-log", "form": form, "page": None}
    if not form.is_valid():
        return render(request, "backoffice/access_log.html", context, status=400)
    entries = AccessLog.objects.select_related("event", "edition").order_by("-at", "-pk")
    filters = {}
    if form.cleaned_data["user"]:
        entries = entries.filter(username__icontains=form.cleaned_data["user"])
        filters["user"] = form.cleaned_data["user"]
    if form.cleaned_data["activity"]:
        entries = entries.filter(event_id=form.cleaned_data["activity"])
        filters["activity"] = form.cleaned_data["activity"]
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters)
    context.update(
        page=page,
        filtered=bool(filters),
        page_query=f"?{query}&page=" if query else "?page=",
    )
    return render(request, "backoffice/access_log.html", context)
