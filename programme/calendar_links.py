"""The links of the "Add to calendar" menus (templates/_add_to_calendar.html): for one activity,
its .ics file and the Google Calendar and Outlook pages that add it; for a feed (the programme,
a person's registrations), its .ics file, its `webcal://` address that calendar apps subscribe
to, and the Google Calendar and Outlook pages that subscribe to it. Links are built from
SITE_URL (common.site), never from the request."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from common.site import absolute_url

from .models import Event

GOOGLE = "https://calendar.google.com/calendar/render"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"


def _utc(value: datetime.datetime, fmt: str) -> str:
    return value.astimezone(datetime.UTC).strftime(fmt)


def webcal(url: str) -> str:
    """The subscription address of an http(s) feed URL."""
    return "webcal://" + url.split("://", 1)[1]


def event_links(event: Event, *, ics_path: str, details: str = "") -> dict[str, str]:
    """Add one activity: its .ics file (`ics_path`, a path on this site), Google, Outlook.
    `details`: the text the event gets in those calendars (its page's URL by default)."""
    page = absolute_url(event.get_absolute_url())
    location = f"{event.venue.name}, {event.venue.address}" if event.venue.address else event.venue.name
    body = f"{details}\n{page}" if details else page
    google = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_utc(event.starts_at, '%Y%m%dT%H%M%SZ')}/{_utc(event.ends_at, '%Y%m%dT%H%M%SZ')}",
        "details": body,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": _utc(event.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(event.ends_at, "%Y-%m-%dT%H:%M:%SZ"),
        "body": body,
        "location": location,
    }
    return {
        "ics_url": ics_path,
        "google_url": f"{GOOGLE}?{urlencode(google)}",
        "outlook_url": f"{OUTLOOK}?{urlencode(outlook)}",
    }


def feed_links(path: str, *, name: str) -> dict[str, str]:
    """Subscribe to a feed (`path` on this site): its .ics file, webcal, Google, Outlook."""
    url = absolute_url(path)
    return {
        "ics_url": path,
        "webcal_url": webcal(url),
        "google_url": f"{GOOGLE_SUBSCRIBE}?{urlencode({'cid': webcal(url)})}",
        "outlook_url": f"{OUTLOOK_SUBSCRIBE}?{urlencode({'url': url, 'name': name})}",
    }
