"""Absolute links, built from SITE_URL, never from the request's Host header.

Answers that are cached and served to everyone (the programme, the events API, the
feeds) and links that leave the site (e-mails, calendars) must not carry a host that a
client typed: one request with `Host: evil:6666` would otherwise poison them for all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """The public address of a path of ours ("/fr/events/1/" -> "https://site/fr/events/1/")."""
    return settings.SITE_URL + path


def site_host() -> str:
    """SITE_URL's host name, for identifiers that name the site (calendar UIDs)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def rebase(url: str | None) -> str | None:
    """A URL that the framework built from the request (`build_absolute_uri`), on SITE_URL instead."""
    if url is None:
        return None
    parts = urlsplit(url)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))
