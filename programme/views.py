"""The public programme pages."""

from __future__ import annotations

import itertools
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from common.site import absolute_url

from .cache import (
    cached_blocks,
    cached_fragments,
    cached_page,
    cached_part,
    cached_public_answer,
    content_version,
    placeholder,
)
from .filters import EventFilter
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
    versions = {"latest": Max("updated_at"), "count": Count("pk")}
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
                for pk, updated in events.order_by("starts_at", "pk").values_list("pk", "updated_at")
            ]
        else:
            rows = list(by_day.filter(day__in=names).order_by("starts_at", "pk").values_list("day", "pk", "updated_at"))
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
        "event_count": sum(count for _day, _latest, count in days),
    }
    return render(request, "programme/programme.html", context, status=200 if valid else 400)


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
            "ics_url": reverse("calendar:event", kwargs={"pk": event.pk}),
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
    key = f"event:{event.pk}:{event.registration_status}:{version}"
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
