"""The schedule of an edition for organisers (`/<lang>/backoffice/schedule/`): per day, the venues
that have activities and, in each, its draft and published activities in time order, with the
clashes marked.

The services refuse new clashes (services.event_clash), but older rows, a venue whose parallel use
was switched off, or imports may still hold two activities in one venue at once: this page shows
them. An activity is placed on every day it takes place (Brussels time), like the programme's day
filter: an exhibition over three days is in its venue on each of them.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .access import organiser_required
from .filters import EditionQueryForm
from .models import Edition, Event, Venue
from .services import HOLDING_VENUE


@dataclass(frozen=True)
class EventRef:
    """The other activity of a clash, as a cell names it."""

    pk: int
    title: str


@dataclass
class ScheduleItem:
    """One activity as the schedule shows it (times in Brussels time)."""

    pk: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    status_label: str
    category: str
    capacity: int | None
    seats_taken: int
    association: str | None
    venue: str
    venue_id: int
    #: The activities it clashes with, in time order.
    clashes: list[EventRef] = field(default_factory=list)

    @property
    def days(self) -> list[datetime.date]:
        """The days it takes place on: from the day it starts to the day of its last minute (an
        activity that ends at midnight is not on the next day)."""
        first = self.starts_at.date()
        last = (self.ends_at - datetime.timedelta(microseconds=1)).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def one_day(self) -> bool:
        return self.starts_at.date() == self.ends_at.date()


@dataclass
class VenueRow:
    """A venue on one day, and its activities that day in time order."""

    pk: int
    name: str
    parallel_use: bool
    items: list[ScheduleItem]


@dataclass
class ScheduleDay:
    day: datetime.date
    venues: list[VenueRow]


@dataclass(frozen=True)
class Clash:
    """Two activities in one venue at the same time; `first` starts first."""

    venue: str
    first: ScheduleItem
    second: ScheduleItem


@dataclass
class Schedule:
    edition: Edition
    #: The days shown (only the one asked for, if any), each with its venues.
    days: list[ScheduleDay]
    #: Every day of the edition's schedule that has activities, for the day navigation.
    day_choices: list[datetime.date]
    #: The clashes of the activities shown.
    clashes: list[Clash]


def schedule_days(edition: Edition, day: datetime.date | None = None) -> Schedule:
    """The schedule of `edition` (of `day` only, if given): its draft and published activities
    placed by day and venue, and the clashes among them, in one query whatever their number.

    Clashes are found over the whole edition (an activity of the day may clash with one that
    started the day before), by a sweep over each venue's activities in time order."""
    tz = timezone.get_default_timezone()
    events = (
        Event.objects.filter(edition=edition, status__in=HOLDING_VENUE)
        .select_related("venue", "category", "association")
        .order_by("starts_at", "pk")
    )
    items: list[ScheduleItem] = []
    venues: dict[int, Venue] = {}
    for event in events:
        venues[event.venue_id] = event.venue
        items.append(
            ScheduleItem(
                pk=event.pk,
                title=event.title,
                starts_at=timezone.localtime(event.starts_at, tz),
                ends_at=timezone.localtime(event.ends_at, tz),
                status=event.status,
                status_label=str(event.get_status_display()),
                category=event.category.name,
                capacity=event.capacity,
                seats_taken=event.seats_taken,
                association=event.association.name if event.association else None,
                venue=event.venue.name,
                venue_id=event.venue_id,
            )
        )

    clashes: list[Clash] = []
    by_venue = itertools.groupby(sorted(items, key=lambda item: item.venue_id), key=lambda item: item.venue_id)
    for venue_id, venue_items in by_venue:
        if venues[venue_id].parallel_use:
            continue
        # `sorted` is stable: each venue's activities stay in (starts_at, pk) order.
        for first, second in _overlapping_pairs(list(venue_items)):
            first.clashes.append(EventRef(pk=second.pk, title=second.title))
            second.clashes.append(EventRef(pk=first.pk, title=first.title))
            clashes.append(Clash(venue=first.venue, first=first, second=second))
    for item in items:
        item.clashes.sort(key=lambda ref: ref.pk)

    placed: dict[datetime.date, dict[int, list[ScheduleItem]]] = {}
    for item in items:
        for on in item.days:
            placed.setdefault(on, {}).setdefault(item.venue_id, []).append(item)
    day_choices = sorted(placed)
    shown_days = day_choices if day is None else [day] if day in placed else []

    days = []
    shown: set[int] = set()
    for on in shown_days:
        rows = [
            VenueRow(
                pk=venue_id, name=venues[venue_id].name, parallel_use=venues[venue_id].parallel_use, items=day_items
            )
            for venue_id, day_items in placed[on].items()
        ]
        rows.sort(key=lambda row: (row.name.casefold(), row.pk))
        shown.update(item.pk for row in rows for item in row.items)
        days.append(ScheduleDay(day=on, venues=rows))
    clashes = [clash for clash in clashes if clash.first.pk in shown or clash.second.pk in shown]
    clashes.sort(key=lambda c: (c.second.starts_at, c.first.starts_at, c.first.pk, c.second.pk))
    return Schedule(edition=edition, days=days, day_choices=day_choices, clashes=clashes)


def _overlapping_pairs(items: list[ScheduleItem]) -> list[tuple[ScheduleItem, ScheduleItem]]:
    """The pairs of `items` (sorted by start) that overlap in time; touching is no overlap. A sweep:
    the activities still running when one starts are kept in a heap by their end, so that it costs
    O(n log n), plus one step per pair found."""
    pairs = []
    running: list[tuple[datetime.datetime, int]] = []
    for index, item in enumerate(items):
        while running and running[0][0] <= item.starts_at:
            heapq.heappop(running)
        pairs.extend((items[other], item) for _end, other in sorted(running, key=lambda entry: entry[1]))
        heapq.heappush(running, (item.ends_at, index))
    return pairs


class ScheduleForm(EditionQueryForm):
    """The page's query: which edition, which day. A value given twice differently is an error
    (ProgrammeFilterForm)."""

    day = forms.DateField(
        label=_("Day"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: all days."),
        error_messages={"invalid": _("Give a day as YYYY-MM-DD, for example 2026-10-21.")},
    )


def _query(**params) -> str:
    return "?" + urlencode({name: value for name, value in params.items() if value})


@require_safe
@never_cache
@organiser_required
def schedule(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm.for_request(request)
    context = {"section": "schedule", "form": form, "edition": None, "schedule": None}
    if not form.is_valid():
        return render(request, "backoffice/schedule.html", context, status=400)
    edition = form.chosen_edition
    if edition is None:
        # No edition asked for, and none is current: the page asks to choose one.
        return render(request, "backoffice/schedule.html", context)

    day = form.cleaned_data["day"]
    result = schedule_days(edition, day)
    if day is not None and day not in result.day_choices and not edition.starts_on <= day <= edition.ends_on:
        form.add_error(
            "day",
            gettext("%(day)s is not a day of this edition (%(first)s to %(last)s) and has no activities.")
            % {
                "day": formats.date_format(day, "DATE_FORMAT"),
                "first": formats.date_format(edition.starts_on, "DATE_FORMAT"),
                "last": formats.date_format(edition.ends_on, "DATE_FORMAT"),
            },
        )
        return render(request, "backoffice/schedule.html", {**context, "edition": edition}, status=400)

    url = reverse("backoffice:schedule")
    context.update(
        edition=edition,
        schedule=result,
        day=day,
        all_days_url=url + _query(edition=edition.slug),
        day_links=[
            {"day": on, "url": url + _query(edition=edition.slug, day=on.isoformat()), "current": on == day}
            for on in result.day_choices
        ],
    )
    return render(request, "backoffice/schedule.html", context)
