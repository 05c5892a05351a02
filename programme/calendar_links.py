"""The links of an "Add to calendar" menu: the .ics file, a webcal:// subscription, Google
Calendar and Outlook.com, for one activity.

Every link is absolute and built from SITE_URL (common.site), never from the request's Host:
the pages that carry them are cached and served to everyone. Texts are in the current language.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode, urlsplit

from common.site import absolute_url

from .models import Event

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/deeplink/compose"


def _absolute(url: str) -> str:
    return url if urlsplit(url).scheme else absolute_url(url)


def webcal_url(url: str) -> str:
    """The same address with its scheme replaced by webcal:// (calendar apps subscribe to it)."""
    return "webcal://" + _absolute(url).split("://", 1)[1]


def _query(params: list[tuple[str, str]]) -> str:
    # %20 rather than "+" for spaces: Outlook's composer shows a "+" literally.
    return urlencode(params, quote_via=quote)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def calendar_links(event: Event, ics_url: str) -> dict[str, str]:
    """{ics, webcal, google, outlook} for `event`, whose calendar file is at `ics_url` (a path
    of ours or an absolute URL)."""
    ics = _absolute(ics_url)
    page = absolute_url(event.get_absolute_url())
    details = f"{event.summary}\n\n{page}" if event.summary else page
    location = f"{event.venue.name}, {event.venue.address}"
    starts, ends = _utc(event.starts_at), _utc(event.ends_at)
    google = _query(
        [
            ("action", "TEMPLATE"),
            ("text", event.title),
            ("dates", f"{starts:%Y%m%dT%H%M%SZ}/{ends:%Y%m%dT%H%M%SZ}"),
            ("details", details),
            ("location", location),
        ]
    )
    outlook = _query(
        [
            ("path", "/calendar/action/compose"),
            ("rru", "addevent"),
            ("subject", event.title),
            ("startdt", f"{starts:%Y-%m-%dT%H:%M:%SZ}"),
            ("enddt", f"{ends:%Y-%m-%dT%H:%M:%SZ}"),
            ("body", details),
            ("location", location),
        ]
    )
    return {
        "ics": ics,
        "webcal": webcal_url(ics),
        "google": f"{GOOGLE_URL}?{google}",
        "outlook": f"{OUTLOOK_URL}?{outlook}",
    }
