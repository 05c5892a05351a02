"""API token authentication with a short in-process memory.

A door phone sends its token with every scan; looking the token and its user up
costs a query and its SQL building on each of them. Each worker process keeps
what it found for TOKEN_CACHE_SECONDS: a token deleted or a user deactivated
stops working within that time (0 turns the memory off).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from rest_framework.authentication import TokenAuthentication

_found: dict[str, tuple[float, object, object]] = {}
_lock = threading.Lock()
_MAX_ENTRIES = 1000


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        seconds = settings.TOKEN_CACHE_SECONDS
        now = time.monotonic()
        hit = _found.get(key)
        if seconds and hit is not None and hit[0] > now:
            return hit[1], hit[2]
        user, token = super().authenticate_credentials(key)  # raises AuthenticationFailed
        if seconds:
            with _lock:
                if len(_found) >= _MAX_ENTRIES:
                    _found.clear()
                _found[key] = (now + seconds, user, token)
        return user, token


def forget_tokens() -> None:
    """Empty the memory (tests, and after revoking tokens in this process)."""
    with _lock:
        _found.clear()
