"""Calendar files (ICS): the one module that builds every calendar of the site.

- the programme feed (`/calendar/programme.ics`, the same filters as the events API) and one
  activity's (`/calendar/events/{id}.ics`), here;
- a ticket's file and an address's personal feed (registrations.views, registrations.feeds),
  built here from the entries they give (`Entry`).

Every VEVENT has a stable UID (`event-<pk>@<host>`), DTSTAMP and LAST-MODIFIED (the activity's
last change), SEQUENCE (the activity's sequence; a personal feed adds its registration's own
changes), times with TZID Europe/Brussels and its VTIMEZONE, SUMMARY, DESCRIPTION, URL and
CATEGORIES in the language asked for, LOCATION and GEO, and STATUS (a cancelled activity stays,
as CANCELLED). The language is `?lang=fr|nl|en`, else the one LocaleMiddleware chose (the URL
prefix, the language cookie, Accept-Language, the default); an unknown `lang` is a 400.

HTTP (`serve_feed`): `text/calendar; charset=utf-8`, Content-Disposition (attachment for
`?download=1`), a strong ETag of the body, Last-Modified, 304 on If-None-Match (which wins) or
If-Modified-Since, HEAD. Last-Modified is the time the body first took its present form,
kept in the cache per feed with the body's ETag (`_since`): a body that changes, comes back to
an earlier form or goes (an activity unpublished, deleted) gets a new time. It is left out
while that time is in the current second: If-Modified-Since has one-second precision, and a
change later in the same second would otherwise get a stale 304. Answers to a query that the
programme cache does not keep (free text) have none: no query may fill the cache.

Each VEVENT's serialised text is cached under a digest of everything it shows (`_fragments`),
so that a new version of the programme (one activity changed) serialises that activity only.
A cache outage costs time, never an answer (common.cache).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as ICalEvent

from common.site import absolute_url, site_host

from .cache import (
    _canonical_query,
    cached_fragments,
    cached_public_answer,
    etag_matches,
    not_modified,
    query_version,
)
from .filters import EventFilter
from .models import Event
from .selectors import announced_events, current_edition

#: The languages a calendar can be asked for with `?lang=`.
LANGUAGE_CODES = tuple(code for code, _label in settings.LANGUAGES)
#: How often calendar apps are asked to fetch a feed again.
REFRESH_INTERVAL = datetime.timedelta(hours=1)
PRODID = "-//City of Brussels//Fortnight//EN"
#: How long the time a body took its form is kept (a feed not asked for that long starts again).
_SINCE_SECONDS = 30 * 24 * 3600


@dataclasses.dataclass(frozen=True)
class Entry:
    """One VEVENT: an activity as one calendar shows it."""

    event: Event
    url: str
    sequence: int
    cancelled: bool
    description: str
    #: DTSTAMP and LAST-MODIFIED: the last change of what the entry shows.
    changed: datetime.datetime


def event_entry(event: Event, *, url: str | None = None, description: str | None = None, **changes) -> Entry:
    """The entry of `event` as the public feeds show it (in the current language), with `changes`."""
    entry = Entry(
        event=event,
        url=url or event_page_url(event),
        sequence=event.sequence,
        cancelled=event.status == Event.Status.CANCELLED,
        description=event.summary if description is None else description,
        changed=event.updated_at,
    )
    return dataclasses.replace(entry, **changes) if changes else entry


#: A pk no event has, standing for each event's in the page address that event_page_url fills in.
_PK_MARK = 987654321987


def event_page_url(event: Event) -> str:
    """The absolute address of the event's page in the current language: URL resolution is done
    once per language (a feed of 500 events would spend a tenth of its build in reverse())."""
    return _page_url_pattern(translation.get_language(), settings.SITE_URL).replace(str(_PK_MARK), str(event.pk))


@functools.lru_cache(maxsize=16)
def _page_url_pattern(language: str, site_url: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("programme:event", kwargs={"pk": _PK_MARK}))


@functools.lru_cache(maxsize=4)
def _host(site_url: str) -> str:
    return site_host()


def _values(entry: Entry) -> tuple:
    """Everything the entry's VEVENT shows, in order (its cache key is a digest of these)."""
    event, venue = entry.event, entry.event.venue
    geo = None
    if venue.latitude is not None and venue.longitude is not None:
        geo = (float(venue.latitude), float(venue.longitude))
    return (
        f"event-{event.pk}@{_host(settings.SITE_URL)}",
        entry.sequence,
        entry.changed,
        event.starts_at,
        event.ends_at,
        event.title,
        entry.description,
        f"{venue.name}, {venue.address}",
        geo,
        entry.url,
        event.category.name,
        "CANCELLED" if entry.cancelled else "CONFIRMED",
    )


def event_component(entry: Entry) -> ICalEvent:
    uid, sequence, changed, starts_at, ends_at, title, description, location, geo, url, category, status = _values(
        entry
    )
    tz = timezone.get_default_timezone()
    component = ICalEvent()
    component.add("uid", uid)
    component.add("sequence", sequence)
    component.add("dtstamp", changed)
    component.add("last-modified", changed)
    component.add("dtstart", starts_at.astimezone(tz))
    component.add("dtend", ends_at.astimezone(tz))
    component.add("summary", title)
    if description:
        component.add("description", description)
    component.add("location", location)
    if geo is not None:
        component.add("geo", geo)
    component.add("url", url)
    component.add("categories", [category])
    component.add("status", status)
    return component


def _fragments(entries: list[Entry]) -> list[bytes]:
    """The serialised VEVENT of each entry, from the cache when its digest is there."""
    keys = [f"ics-vevent:{hashlib.sha256(repr(_values(entry)).encode()).hexdigest()[:40]}" for entry in entries]
    seconds = settings.PROGRAMME_CACHE_SECONDS
    found = cache.get_many(keys) if seconds else {}
    fresh = {}
    texts = []
    for key, entry in zip(keys, entries, strict=True):
        text = found.get(key)
        if text is None:
            text = fresh[key] = event_component(entry).to_ical()
        texts.append(text)
    if fresh and seconds:
        cache.set_many(fresh, timeout=seconds)
    return texts


def _timezone_text(starts: list[datetime.datetime], ends: list[datetime.datetime]) -> bytes:
    """The VTIMEZONE of Europe/Brussels covering the years of the events' times."""
    tz = timezone.get_default_timezone()
    if starts:
        first, last = min(starts).astimezone(tz).year, max(ends).astimezone(tz).year
    else:
        first = last = timezone.localdate().year
    return _vtimezone(first, last)


@functools.lru_cache(maxsize=64)
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """icalendar's add_missing_timezones from 1 January of `first_year` to the end of `last_year`
    (its default range, from 1970, opens with a rule that other readers, dateutil's, misread)."""
    tz = timezone.get_default_timezone()
    probe = Calendar()
    span = ICalEvent()
    span.add("dtstart", datetime.datetime(first_year, 1, 1, 12, tzinfo=tz))
    probe.add_component(span)
    probe.add_missing_timezones(
        first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 1, 1, 1)
    )
    return b"".join(component.to_ical() for component in probe.walk("VTIMEZONE"))


def build_calendar(events: Iterable[Entry | Event], *, name: str) -> bytes:
    """The calendar `name` of `events` (entries, or activities as the public feeds show them),
    in the current language."""
    entries = [item if isinstance(item, Entry) else event_entry(item) for item in events]
    timezone_text = _timezone_text([e.event.starts_at for e in entries], [e.event.ends_at for e in entries])
    return _calendar(name, timezone_text, _fragments(entries))


def _calendar(name: str, timezone_text: bytes, vevents: list[bytes]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    return b"".join([head[: -len(end)], timezone_text, *vevents, end])


# --- HTTP ---------------------------------------------------------------------------------------


def ics_response(body: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = body_etag(body)
    response["Content-Language"] = translation.get_language()
    return response


def body_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def wants_download(request: HttpRequest) -> bool:
    return request.GET.get("download") == "1"


def feed_language(request: HttpRequest) -> str | None:
    """The language asked for: `?lang=`, else the request's (LocaleMiddleware's choice); None
    when `lang` names no language of the site."""
    if "lang" not in request.GET:
        return translation.get_language()
    values = request.GET.getlist("lang")
    if len(values) != 1 or values[0] not in LANGUAGE_CODES:
        return None
    return values[0]


def _since(identity: str, etag: str, now: float) -> float:
    """When the feed `identity` first answered with the body of `etag` (this time), kept in the
    cache; `now` when the cache holds another body's or nothing."""
    key = f"ics-since:{hashlib.sha256(identity.encode()).hexdigest()[:40]}"
    kept = cache.get(key)
    if kept is not None and kept[0] == etag:
        return kept[1]
    cache.set(key, (etag, now), timeout=_SINCE_SECONDS)
    return now


def _not_modified(request: HttpRequest, etag: str, last_modified: int | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match when sent, else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified is not None and last_modified <= since


def serve_feed(request: HttpRequest, response: HttpResponse, *, private: bool = False) -> HttpResponse:
    """A calendar's answer (a 200 from ics_response) with its validators: Last-Modified, and a 304
    when the client holds this body; a HEAD gets the headers without the body."""
    if response.status_code == 304:  # the programme cache's, from the validators it keeps
        response["Cache-Control"] = "private, no-cache" if private else "no-cache"
        return response
    if response.status_code != 200:
        return response
    body = response.content
    etag = response.get("ETag") or body_etag(body)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache" if private else "no-cache"
    now = time.time()
    # Kept for the query in its one spelling only: free text or odd spellings must not fill the
    # cache (programme.cache); their answers carry no Last-Modified.
    query = _canonical_query(request)
    if query is None:
        since = int(now)
    else:
        since = int(_since(f"{request.path}?{query}:{translation.get_language()}", etag, now))
    last_modified = since if since < int(now) else None
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    if _not_modified(request, etag, last_modified):
        return not_modified(response)
    if request.method == "HEAD":
        head = HttpResponse(b"", status=200)
        for name, value in response.items():
            head[name] = value
        head["Content-Length"] = str(len(body))
        return head
    return response


def calendar_view(*, private: bool = False):
    """Wrap a feed view: its language (`?lang=`, a 400 when unknown) is active while it builds,
    and its answer goes through serve_feed."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                response = HttpResponse(status=405)
                response["Allow"] = "GET, HEAD"
                return response
            language = feed_language(request)
            if language is None:
                return HttpResponseBadRequest(
                    _("Unknown language: ask for one of %(languages)s.") % {"languages": ", ".join(LANGUAGE_CODES)},
                    content_type="text/plain; charset=utf-8",
                )
            with translation.override(language):
                response = view(request, *args, **kwargs)
                response = serve_feed(request, response, private=private)
                response.setdefault("Content-Language", language)
            return response

        return wrapper

    return decorator


# --- The programme's feeds --------------------------------------------------------------------------


def feeds_version() -> str:
    """The version of what the public feeds show, in one query: per edition, whether it is
    published and current, and the version of its events (programme_version's, per edition):
    an edition unpublished or made current changes the feeds at once too."""
    return query_version("feeds", _feeds_state)


def _feeds_state(now):
    # The passing of registration openings and closings (the `available` filter) as counts, not
    # as event_version's maximum: the same changes, for half the cost (1.9 ms a query on the
    # bench's data, a 304's largest part).
    closes = Coalesce("registration_closes_at", "starts_at")
    return (
        Event.objects.order_by("edition_id")
        .values_list("edition_id", "edition__is_published", "edition__is_current")
        .annotate(
            latest=Max("updated_at"),
            count=Count("pk"),
            opened=Count("pk", filter=LessThanOrEqual(F("registration_opens_at"), now)),
            closed=Count("pk", filter=LessThanOrEqual(closes, now)),
        )
    )


@calendar_view()
@cached_public_answer(version=feeds_version)
def programme_feed(request: HttpRequest) -> HttpResponse:
    # What a VEVENT shows only: not the edition's or association's rows.
    queryset = announced_events().select_related(None).select_related("venue", "category")
    if not request.GET.get("edition"):
        edition = current_edition()
        queryset = queryset.filter(edition=edition) if edition else queryset.none()
    filterset = EventFilter(request.GET, queryset=queryset)
    if not filterset.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in filterset.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    body = _programme_calendar(
        filterset.qs.order_by("starts_at", "pk"), name=_("Fortnight of International Solidarity")
    )
    return ics_response(body, "programme.ics", download=wants_download(request))


def _programme_calendar(queryset, *, name: str) -> bytes:
    """The programme feed's calendar of `queryset`'s activities. Each VEVENT comes from the cache
    of the activity's own (cached_fragments: kept under its last change and the language, like the
    programme's cards), so that the first answer after a change loads and serialises the activities
    that changed, not all of them: loading 500 activities cost 85 of the 160 ms of that answer
    (bench row feed-programme-cold)."""
    rows = list(queryset.values_list("pk", "updated_at", "starts_at", "ends_at"))

    def build(pks):
        events = announced_events().select_related(None).select_related("venue", "category").filter(pk__in=pks)
        return {event.pk: event_component(event_entry(event)).to_ical() for event in events}

    fragments = cached_fragments([(pk, updated) for pk, updated, _s, _e in rows], kind=_VEVENT_KIND, build=build)
    timezone_text = _timezone_text([row[2] for row in rows], [row[3] for row in rows])
    return _calendar(name, timezone_text, [fragments[pk] for pk, *_rest in rows])


#: The programme feed's per-activity fragments (programme.cache.cached_fragments), for this site.
_VEVENT_KIND = "ics-event:" + hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:12]


@calendar_view()
@cached_public_answer(version=feeds_version)
def event_feed(request: HttpRequest, pk: int) -> HttpResponse:
    # A cancelled event stays reachable, so that calendars learn it is cancelled.
    event = get_object_or_404(announced_events(), pk=pk)
    body = build_calendar([event], name=event.title)
    return ics_response(body, f"event-{event.pk}.ics", download=wants_download(request))


def personal_feed(request: HttpRequest, key: str) -> HttpResponse:
    """/calendar/my/<key>.ics: registrations.feeds.personal_feed (imported when asked: the
    registrations app builds on this module)."""
    from registrations.feeds import personal_feed as view

    return view(request, key)


app_name = "calendar"
urlpatterns = (
    [
        path("programme.ics", programme_feed, name="programme"),
        path("events/<int:pk>.ics", event_feed, name="event"),
        path("my/<str:key>.ics", personal_feed, name="personal"),
    ],
    "calendar",
)
