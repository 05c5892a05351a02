"""The per-address limit on password checks: the door login, the back office login and
the API token endpoint share one count, so that guessing passwords is slow everywhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from common.ratelimit import client_ip_key

#: Login attempts (right or wrong) per client address, all login forms together.
LOGIN_RATE_LIMIT = "20/m"
LOGIN_RATE_LIMITED = _("Too many login attempts from your address. Wait a minute and try again.")


def login_rate_limited(request) -> bool:
    """Count this login attempt; True when the client's address has made too many."""
    return is_ratelimited(
        request,
        group="login",
        key=client_ip_key(LOGIN_RATE_LIMIT),
        rate=LOGIN_RATE_LIMIT,
        method="POST",
        increment=True,
    )
