"""The rate limits: what is limited, who is counted (the client's address), and how long a
refused client waits.

- Logins: password checks (the door login, the back office login and the API token
  endpoint) share one count of LOGIN_RATE_LIMIT per address, so that guessing passwords is
  slow everywhere.
- Registrations: registration attempts (web and API) and "send me my link" share one count
  of REGISTRATION_RATE_LIMIT per address ("off" turns it off, for load tests).

`client_ip_key(rate)` is the `key=` that our calls of django-ratelimit give. It
reads the client's address where RATELIMIT_IP_META_KEY says (REMOTE_ADDR, or
behind a reverse proxy the header that the proxy sets, such as HTTP_X_REAL_IP).
A request without a valid address there (one that did not come through the
proxy, or a proxy that is not set up as configured) is counted on REMOTE_ADDR,
with a warning that names the header, instead of django-ratelimit's error (a 500).

The proxy contract: the header holds one address, the one the proxy saw. When
it holds a list ("1.2.3.4, 5.6.7.8", X-Forwarded-For), the last entry is taken:
it is the one our own proxy added; the entries before it are whatever the
client sent, and anyone can write those.

The key also notes on the request when the current window of `rate` ends, so
that RetryAfterMiddleware (below) can tell a refused client when to try again.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import _get_window, _split_rate, is_ratelimited

logger = logging.getLogger(__name__)

#: Login attempts (right or wrong) per client address, all login forms together.
LOGIN_RATE_LIMIT = "20/m"
LOGIN_RATE_LIMITED = _("Too many login attempts from your address. Wait a minute and try again.")
REGISTRATION_RATE_LIMITED = _("Too many registration attempts from your address. Wait a minute and try again.")

#: Set on the (Django) request by the key: the last second of the rate window it is counted in.
WINDOW_END_ATTRIBUTE = "ratelimit_window_end"
#: Retry-After of a 429 that no rate limit of ours noted a window for.
DEFAULT_RETRY_AFTER = 60


def _address(value: str | None) -> str | None:
    """The last entry of `value`, if it is an IP address."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.rsplit(",", 1)[-1].strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address, for counting: from RATELIMIT_IP_META_KEY, else REMOTE_ADDR.

    IPv6 addresses are counted per network (RATELIMIT_IPV6_MASK, /64 as in
    django-ratelimit), since one client holds a whole /64.
    """
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", "") or "REMOTE_ADDR"
    address = _address(request.META.get(meta_key))
    if address is None and meta_key != "REMOTE_ADDR":
        logger.warning(
            "RATELIMIT_IP_META_KEY is %s but the request has no valid address in it: counted on REMOTE_ADDR.",
            meta_key,
        )
        address = _address(request.META.get("REMOTE_ADDR"))
    if address is None:
        # No address at all (a Unix socket without the proxy's header): all such requests share one count.
        logger.warning("A request without a client address: its rate limits count with all such requests.")
        return "unknown"
    if ":" in address:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    else:
        mask = getattr(settings, "RATELIMIT_IPV4_MASK", 32)
    return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)


def client_ip_key(rate: str) -> Callable:
    """The `key=` for django-ratelimit's is_ratelimited(..., rate=rate): the client's address."""
    _limit, period = _split_rate(rate)

    def key(group: str, request) -> str:
        value = client_ip(request)
        # The same window django-ratelimit counts this request in (its own function, on the same value).
        window_end = _get_window(value, period)
        django_request = getattr(request, "_request", request)  # under DRF, the HttpRequest it wraps
        setattr(django_request, WINDOW_END_ATTRIBUTE, max(window_end, getattr(django_request, WINDOW_END_ATTRIBUTE, 0)))
        return value

    return key


def rate_limited(request, *, group: str, rate: str) -> bool:
    """Count this POST in `group`; True when the client's address made more than `rate` ("10/m")."""
    if not rate or rate.lower() == "off":
        return False
    return is_ratelimited(request, group=group, key=client_ip_key(rate), rate=rate, method="POST", increment=True)


def login_rate_limited(request) -> bool:
    return rate_limited(request, group="login", rate=LOGIN_RATE_LIMIT)


def registration_rate_limited(request) -> bool:
    return rate_limited(request, group="registrations", rate=settings.REGISTRATION_RATE_LIMIT)


def retry_after(request) -> int:
    """Seconds until the client refused on `request` may try again: the end of the
    rate window it was counted in (the next second starts a new count)."""
    window_end = getattr(request, WINDOW_END_ATTRIBUTE, None)
    if window_end is None:
        return DEFAULT_RETRY_AFTER
    return max(1, window_end - int(time.time()) + 1)


class RetryAfterMiddleware:
    """Give every 429 answer (pages and API alike) a Retry-After header, unless it has one:
    the seconds until the rate window the request was counted in ends (RFC 9110 section 10.2.3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(retry_after(request))
        return response
