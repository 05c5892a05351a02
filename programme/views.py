"""The public programme pages."""

from __future__ import annotations

import itertools
import json
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from common.site import absolute_url

from .cache import (
    cached_blocks,
    cached_fragments,
    cached_page,
    cached_part,
    cached_public_answer,
    content_version,
    event_version,
    placeholder,
)
from .calendar_links import webcal_url
from .filters import YES_NO, EventFilter
from .models import Category, Edition, Event, Venue
from .selectors import announced_events, current_edition, public_events
from .signals import event_page_section

# Characters that must not appear raw inside a <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# The parts of an activity's cached page that move with every registration.
_SEATS, _JSON_LD = placeholder("seats"), placeholder("json-ld")


@require_safe
@cached_public_answer
def programme(request: HttpRequest, edition: str | None = None) -> HttpResponse:
    if edition is None:
        edition_obj = current_edition()
        if edition_obj is None or not edition_obj.is_published:
            return render(request, "programme/no_edition.html", status=404)
    else:
        edition_obj = get_object_or_404(Edition, slug=edition, is_published=True)

    filterset = EventFilter(request.GET, queryset=public_events().filter(edition=edition_obj))
    valid = filterset.is_valid()
    events = filterset.qs.order_by() if valid else Event.objects.none()
    # Grouped by the day each activity starts; with a day chosen, all under that day
    # (an exhibition that opened earlier is on that day too). The database sums each day up
    # (its latest change, its count); only the days that changed are read and rendered.
    chosen_day = filterset.form.cleaned_data.get("date") if valid else None
    # A card says whether one can register ("opens on", "3 seats left"): its version moves when
    # registration opens or closes, too (event_version).
    events = events.annotate(version=event_version())
    versions = {"latest": Max("version"), "count": Count("pk")}
    if chosen_day:
        summary = events.aggregate(**versions)
        days = [(chosen_day, summary["latest"], summary["count"])] if summary["count"] else []
    else:
        by_day = events.annotate(day=TruncDate("starts_at", tzinfo=timezone.get_default_timezone()))
        days = [
            (row["day"], row["latest"], row["count"])
            for row in by_day.values("day").annotate(**versions).order_by("day")
        ]

    def render_days(names) -> dict:
        """The days not in the cache: their events in one query, their cards in one more at most."""
        if chosen_day:
            rows = [
                (chosen_day, pk, updated)
                for pk, updated in events.order_by("starts_at", "pk").values_list("pk", "version")
            ]
        else:
            rows = list(by_day.filter(day__in=names).order_by("starts_at", "pk").values_list("day", "pk", "version"))
        cards = cached_fragments([(pk, updated) for _day, pk, updated in rows], kind="card", build=_render_cards)
        return {
            day: render_to_string("programme/_day.html", {"day": day, "cards": [cards[pk] for _d, pk, _u in group]})
            for day, group in itertools.groupby(rows, key=lambda row: row[0])
        }

    categories = list(Category.objects.all())
    venues = list(
        Venue.objects.filter(events__edition=edition_obj, events__status=Event.Status.PUBLISHED)
        .distinct()
        .order_by("name")
    )
    filters = {
        "form": filterset.form,
        "categories": categories,
        "venues": venues,
        "edition_days": list(_edition_days(edition_obj)),
        "languages": Event.LANGUAGES,
        "accessibility_features": Venue.ACCESSIBILITY_FEATURES,
        "selected": {"accessibility": request.GET.getlist("accessibility")},
    }
    # The filters change with the query and with what they list, not with the seats.
    filters_version = content_version(edition_obj, *categories, *venues)
    context = {
        "edition": edition_obj,
        "form": filterset.form,
        "filters": cached_part(
            request,
            key=f"filters:{filters_version}",
            build=lambda: render_to_string("programme/_filters.html", filters, request=request),
        ),
        "days": cached_blocks(request, days, kind="day", build=render_days),
        "day_dates": [day for day, _latest, _count in days],
        "event_count": sum(count for _day, _latest, count in days),
        # Built from the validated filters, never from the request's own spelling of them.
        "active_filters": _active_filters(filterset.form) if valid else [],
        "feed": _programme_feed_links(filterset.form, edition_obj, edition) if valid else None,
    }
    return render(request, "programme/programme.html", context, status=200 if valid else 400)


def _active_filters(form) -> list[str]:
    """The filters in use, as "Label: value" in the current language, for the folded filter
    panel's one-line summary."""
    data = form.cleaned_data
    search = (data.get("q") or "").strip()
    values = {
        "q": search and f"“{search}”",
        "date": data.get("date") and formats.date_format(data["date"], "l j F"),
        "category": data.get("category") and data["category"].name,
        "venue": data.get("venue") and data["venue"].name,
        "language": data.get("language") and str(dict(Event.LANGUAGES)[data["language"]]),
        "accessibility": ", ".join(
            str(label) for code, label in Venue.ACCESSIBILITY_FEATURES if code in (data.get("accessibility") or [])
        ),
        "available": data.get("available") and str(dict(YES_NO)[data["available"]]),
        "edition": data.get("edition") and str(data["edition"].year),
    }
    return [f"{form.fields[name].label}: {value}" for name, value in values.items() if value]


def _programme_feed_links(form, edition: Edition, edition_in_url: str | None) -> dict[str, str]:
    """The programme feed (/calendar/programme.ics) with the page's filters, in the page's language:
    {ics, webcal, filtered}. Its query is built from the validated filters, sorted, each value once, like the
    cached answers' keys (programme.cache), never from the request's own text."""
    data = form.cleaned_data
    items = []
    chosen_edition = data.get("edition") or (edition if edition_in_url and not edition.is_current else None)
    if data.get("accessibility"):
        items += [("accessibility", code) for code in sorted(set(data["accessibility"]))]
    if data.get("available"):
        items.append(("available", data["available"]))
    if data.get("category"):
        items.append(("category", data["category"].slug))
    if data.get("date"):
        items.append(("date", data["date"].isoformat()))
    if chosen_edition:
        items.append(("edition", chosen_edition.slug))
    if data.get("language"):
        items.append(("language", data["language"]))
    if (data.get("q") or "").strip():
        items.append(("q", data["q"].strip()))
    if data.get("venue"):
        items.append(("venue", str(data["venue"].pk)))
    items.append(("lang", get_language()))
    ics = absolute_url(f"{reverse('calendar:programme')}?{urlencode(items)}")
    return {"ics": ics, "webcal": webcal_url(ics), "filtered": len(items) > 1}


def _render_cards(pks: list[int]) -> dict[int, str]:
    template = get_template("programme/_event_card.html")
    events = Event.objects.select_related("venue", "category").in_bulk(pks)
    return {pk: template.render({"event": event}) for pk, event in events.items()}


def _edition_days(edition: Edition):
    day = edition.starts_on
    while day <= edition.ends_on:
        yield day
        day = day.fromordinal(day.toordinal() + 1)


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = announced_events().get(pk=pk)
    except Event.DoesNotExist:
        raise Http404 from None

    # The page depends on no query parameter: none may reach the links on it (the language
    # links), which every visitor is served from the cache.
    request.META["QUERY_STRING"] = ""

    def build(csrf_token: str, parts: dict[str, str]) -> str:
        sections = [html for _receiver, html in event_page_section.send(Event, event=event, csrf_token=csrf_token)]
        context = {
            "event": event,
            "venue": event.venue,
            "seats": mark_safe(parts[_SEATS]),
            "json_ld": mark_safe(parts[_JSON_LD]),
            # In the page's language: the calendar's texts too (SPEC 5, `?lang=`).
            "ics_url": f"{reverse('calendar:event', kwargs={'pk': event.pk})}?lang={get_language()}",
            "sections": [mark_safe(html) for html in sections if html],
        }
        return render_to_string("programme/event_detail.html", context, request=request)

    # The seats move with every registration: they are filled in at each request, and the rest
    # of the page is kept under what it shows of the event, its venue, category and association
    # and, as time passes, whether one can register (opens, closes, full).
    live = {
        _SEATS: render_to_string("programme/_seats.html", {"event": event}),
        _JSON_LD: json.dumps(_json_ld(event), cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES),
    }
    version = content_version(event, event.venue, event.category, event.association, event.edition)
    # "closed" before registration opens is another page ("opens on ...") than after it closed.
    phase = "opens-later" if event.registration_opens_later else event.registration_status
    key = f"event:{event.pk}:{phase}:{version}"
    return HttpResponse(cached_page(request, key=key, build=build, live=live))


def _json_ld(event: Event) -> dict:
    """schema.org Event, for search engines and the City's website."""
    venue = event.venue
    place: dict = {"@type": "Place", "name": venue.name, "address": venue.address}
    if venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary or event.description,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "url": absolute_url(event.get_absolute_url()),
        "inLanguage": [code for code in event.languages if code in ("fr", "nl", "en")],
        "isAccessibleForFree": True,
    }
    if event.association:
        data["organizer"] = {"@type": "Organization", "name": event.association.name}
        if event.association.website:
            data["organizer"]["url"] = event.association.website
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left
        data["offers"] = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": data["url"],
            "availability": "https://schema.org/InStock" if event.seats_left else "https://schema.org/SoldOut",
        }
    if event.image:
        data["image"] = absolute_url(event.image.url)
    return data
