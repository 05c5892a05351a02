"""The per-address limit on registration attempts (web and API), REGISTRATION_RATE_LIMIT."""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from common.ratelimit import client_ip_key


def registration_rate_limited(request) -> bool:
    """Count this attempt; True when the client's address has made too many."""
    rate = settings.REGISTRATION_RATE_LIMIT
    if not rate or rate.lower() == "off":
        return False
    return is_ratelimited(
        request, group="registrations", key=client_ip_key(rate), rate=rate, method="POST", increment=True
    )
