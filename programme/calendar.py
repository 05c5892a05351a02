"""Programme calendar feeds (ICS): the one module that builds programme calendars.

UIDs are stable (`event-<pk>@<host>`), SEQUENCE is the event's sequence, times
carry TZID Europe/Brussels with its VTIMEZONE. The programme feed takes the
same filters as the events API.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as ICalEvent

from common.site import absolute_url, site_host

from .cache import cached_public_answer
from .filters import EventFilter
from .models import Event
from .selectors import announced_events, current_edition


def event_component(event: Event, *, url: str) -> ICalEvent:
    tz = timezone.get_default_timezone()
    component = ICalEvent()
    component.add("uid", f"event-{event.pk}@{site_host()}")
    component.add("sequence", event.sequence)
    component.add("dtstamp", event.updated_at)
    component.add("dtstart", event.starts_at.astimezone(tz))
    component.add("dtend", event.ends_at.astimezone(tz))
    component.add("summary", event.title)
    if event.summary:
        component.add("description", event.summary)
    component.add("location", f"{event.venue.name}, {event.venue.address}")
    if event.venue.latitude is not None and event.venue.longitude is not None:
        component.add("geo", (float(event.venue.latitude), float(event.venue.longitude)))
    component.add("url", url)
    component.add("categories", [event.category.name])
    component.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return component


def build_calendar(events, *, name: str, url_for) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//City of Brussels//Fortnight//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(event_component(event, url=url_for(event)))
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@cached_public_answer
def programme_feed(request: HttpRequest) -> HttpResponse:
    queryset = announced_events()
    if not request.GET.get("edition"):
        edition = current_edition()
        queryset = queryset.filter(edition=edition) if edition else queryset.none()
    filterset = EventFilter(request.GET, queryset=queryset)
    if not filterset.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in filterset.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    body = build_calendar(
        filterset.qs.order_by("starts_at", "pk"),
        name=_("Fortnight of International Solidarity"),
        url_for=lambda event: absolute_url(event.get_absolute_url()),
    )
    return ics_response(body, "programme.ics")


@cached_public_answer
def event_feed(request: HttpRequest, pk: int) -> HttpResponse:
    # A cancelled event stays reachable, so that calendars learn it is cancelled.
    event = get_object_or_404(announced_events(), pk=pk)
    body = build_calendar([event], name=event.title, url_for=lambda e: absolute_url(e.get_absolute_url()))
    return ics_response(body, f"event-{event.pk}.ics")


app_name = "calendar"
urlpatterns = (
    [
        path("programme.ics", programme_feed, name="programme"),
        path("events/<int:pk>.ics", event_feed, name="event"),
    ],
    "calendar",
)
