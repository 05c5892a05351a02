"""An address's personal calendar feed: GET /calendar/my/<key>.ics (url name `calendar:personal`).

Its URL holds CalendarFeed.key (secrets.token_urlsafe(32)), never the address. "My registrations"
makes it on its first view for an address and shows it; its "Replace this address" button draws a
new key, and the old URL answers 404 from then on, like a guessed or malformed one. Anonymising the
address's registrations deletes it (registrations.privacy).

The feed holds, in every edition, the activities of the address's confirmed registrations, and
those whose registration or activity was cancelled (a registration that had been confirmed), as
STATUS:CANCELLED; each activity once, live when a registration of it is. Waitlisted registrations
are not in it. It says nothing of other attendees; its DESCRIPTION gives the address's own booking
code. Its SEQUENCE is the activity's, plus two for each cancelled registration of the address, less
one while none is live: it grows when a registration is cancelled, and again if the address
registers anew.

Its answer is built from two queries (the feed, the registrations with their activities), whatever
it holds; the serialised body is cached under a digest of every field those rows hold, so that
any change in them builds it anew (programme.calendar).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from common.ratelimit import registration_rate_limited
from common.views import page_not_found
from programme.calendar import build_calendar, calendar_view, event_entry, ics_response, wants_download
from programme.models import Event

from .links import mine_from_secret
from .models import CalendarFeed, Registration

logger = logging.getLogger(__name__)

REPLACE_RATE_LIMITED = _lazy("Too many requests from your address. Wait a minute and try again.")
#: What secrets.token_urlsafe(32) gives: 43 characters of the URL-safe base64 alphabet.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_key() -> str:
    return secrets.token_urlsafe(32)


def feed_for(email: str) -> CalendarFeed:
    """The address's feed, made on first use (one per address: the unique e-mail makes a
    concurrent second creation fetch the first)."""
    feed, _created = CalendarFeed.objects.get_or_create(email=email, defaults={"key": new_key()})
    return feed


def replace_key(email: str) -> CalendarFeed:
    """A new key for the address's feed: its old URL answers 404 from now on."""
    feed, _created = CalendarFeed.objects.update_or_create(email=email, defaults={"key": new_key()})
    return feed


def feed_registrations(email: str) -> list[Registration]:
    """The registrations a feed shows, with their activities (one query)."""
    shown = Q(status=Registration.Status.CONFIRMED) | Q(
        status=Registration.Status.CANCELLED, confirmed_at__isnull=False
    )
    return list(
        Registration.objects.filter(shown, email=email, anonymised_at__isnull=True)
        .filter(event__edition__is_published=True, event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("event__venue", "event__category", "event__edition")
        .order_by("event__starts_at", "event_id", "pk")
    )


def _digest(registrations: list[Registration]) -> str:
    """A digest of every field of the rows (registrations, activities, venues, categories)."""
    rows = []
    for registration in registrations:
        event = registration.event
        for obj in (registration, event, event.venue, event.category, event.edition):
            rows.append([getattr(obj, field.attname) for field in obj._meta.concrete_fields])
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _entries(registrations: list[Registration]) -> list:
    by_event: dict[int, list[Registration]] = {}
    for registration in registrations:
        by_event.setdefault(registration.event_id, []).append(registration)
    entries = []
    for group in by_event.values():
        event = group[0].event
        live = next((r for r in group if r.status == Registration.Status.CONFIRMED), None)
        cancelled = [r for r in group if r.status == Registration.Status.CANCELLED]
        sequence = event.sequence + 2 * len(cancelled) - (0 if live else 1)
        changes = [event.updated_at, *(r.cancelled_at for r in cancelled if r.cancelled_at)]
        if live is not None:
            changes.append(live.confirmed_at or live.created_at)
        note = (
            _("Booking code: %(code)s") % {"code": live.code}
            if live is not None
            else _("Your registration is cancelled.")
        )
        description = f"{event.summary}\n\n{note}" if event.summary else note
        entries.append(
            event_entry(
                event,
                sequence=sequence,
                description=description,
                changed=max(changes),
                cancelled=live is None or event.status == Event.Status.CANCELLED,
            )
        )
    return entries


def _not_found(request: HttpRequest) -> HttpResponse:
    """The site's 404, not logged with its path: the path holds a key (right once, or guessed)."""
    response = page_not_found(request, None)
    response._has_been_logged = True  # django.request would log "Not Found: <path>"
    logger.info("personal calendar feed: no feed for the key asked for (key not logged)")
    return response


@calendar_view(private=True)
def personal_feed(request: HttpRequest, key: str) -> HttpResponse:
    if not KEY_PATTERN.fullmatch(key):
        return _not_found(request)
    email = CalendarFeed.objects.filter(key=key).values_list("email", flat=True).first()
    if email is None:
        return _not_found(request)
    registrations = feed_registrations(email)
    language = get_language()
    if registrations and not _asks_for_a_language(request):
        # A calendar app that names no language: the one the address last registered in.
        language = max(registrations, key=lambda r: (r.created_at, r.pk)).language
    with translation.override(language):
        cache_key = f"ics-personal:{language}:{_digest(registrations)}"
        seconds = settings.PROGRAMME_CACHE_SECONDS
        body = cache.get(cache_key) if seconds else None
        if body is None:
            body = build_calendar(_entries(registrations), name=_("My Fortnight registrations"))
            if seconds:
                cache.set(cache_key, body, timeout=seconds)
        return ics_response(body, "my-registrations.ics", download=wants_download(request))


def _asks_for_a_language(request: HttpRequest) -> bool:
    return (
        "lang" in request.GET
        or bool(request.headers.get("Accept-Language"))
        or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    )


def ticket_entries(registration: Registration, *, ticket_url: str) -> list:
    """A ticket's calendar file: its activity, linking the ticket page, with the booking code;
    cancelled when the registration or the activity is."""
    event = registration.event
    cancelled = registration.status == Registration.Status.CANCELLED
    if cancelled:
        note = _("Your registration is cancelled.")
    elif registration.status == Registration.Status.WAITLISTED:
        note = _("Booking code: %(code)s (on the waiting list)") % {"code": registration.code}
    else:
        note = _("Booking code: %(code)s") % {"code": registration.code}
    changes = [event.updated_at, registration.created_at, registration.confirmed_at, registration.cancelled_at]
    return [
        event_entry(
            event,
            url=ticket_url,
            description=f"{event.summary}\n\n{note}" if event.summary else note,
            sequence=event.sequence + (1 if cancelled else 0),
            changed=max(moment for moment in changes if moment),
            cancelled=cancelled or event.status == Event.Status.CANCELLED,
        )
    ]


def ticket_body(registration: Registration, *, ticket_url: str) -> bytes:
    """The serialised ticket file, cached under a digest of everything it is built from."""
    cache_key = (
        f"ics-ticket:{get_language()}:{_digest([registration])}:{hashlib.sha256(ticket_url.encode()).hexdigest()}"
    )
    seconds = settings.PROGRAMME_CACHE_SECONDS
    body = cache.get(cache_key) if seconds else None
    if body is None:
        body = build_calendar(ticket_entries(registration, ticket_url=ticket_url), name=registration.event.title)
        if seconds:
            cache.set(cache_key, body, timeout=seconds)
    return body


@require_POST
def replace_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """ "Replace this address" on "my registrations": a new key, the old URL then 404s."""
    anchor = mine_from_secret(secret)
    if anchor is None:
        raise Http404
    if registration_rate_limited(request):
        from .views import mine_page  # the page builds on this module

        return mine_page(request, secret, error=str(REPLACE_RATE_LIMITED), status=429)
    replace_key(anchor.email)
    logger.info("personal calendar feed replaced (registration %s)", anchor.pk)
    return redirect(reverse("registrations:mine", kwargs={"secret": secret}) + "?calendar=replaced")
