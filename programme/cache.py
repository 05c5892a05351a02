"""Caching of the public programme's answers (the page, the events API, the feeds).

Every visitor without an account gets the same answer for the same URL in the
same language, so the rendered answer is kept in the cache under a key that
holds a version of the programme: the latest change time of any event and the
number of events. Any change to an event, its seats included (the seat
counter's updates touch `updated_at`), makes a new version, so no visitor
sees stale seats; what does not touch an event (a venue renamed, a category
relabelled) and the passing of time (registration closing) show within
PROGRAMME_CACHE_SECONDS. Reading the version is one indexed query.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from .models import Event

_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Allow", "Vary")


def programme_version() -> str:
    state = Event.objects.aggregate(latest=Max("updated_at"), count=Count("pk"))
    latest = state["latest"].timestamp() if state["latest"] else 0
    return f"{latest:.6f}-{state['count']}"


def _key(request: HttpRequest, version: str) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"programme-answer:{version}:{get_language()}:{request.headers.get('Accept', '')[:40]}:{digest}"


def cached_public_answer(view):
    """Serve anonymous GETs of `view` from the cache while the programme has not changed.

    Only 200 answers are kept; a signed-in user (an organiser sees drafts) always
    gets a fresh answer. The view must give the same answer to every anonymous
    visitor for a URL and language.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PROGRAMME_CACHE_SECONDS
        if request.method not in ("GET", "HEAD") or not seconds or _signed_in(request):
            return view(request, *args, **kwargs)
        key = _key(request, programme_version())
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content, headers=headers)
            response["X-Programme-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
            cache.set(key, (response.content, headers), timeout=seconds)
        return response

    return wrapper


def _signed_in(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
