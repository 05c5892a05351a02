"""The project's error answers: JSON under /api/ (API clients parse every answer), pages in the
site's layout elsewhere, in the client's language; a database that cannot be reached is a 503."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a URL that matches nothing, or an object that does not exist."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return _page(request, "404.html", 404, _("Page not found"))


@functools.cache
def _favicon() -> bytes | None:
    path = finders.find("favicon.ico")
    return None if path is None else Path(path).read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the pages say (static/favicon.ico; the pages
    link static/favicon.svg)."""
    body = _favicon()
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (a request Django refuses: a Host not allowed, a malformed body)."""
    if _is_api(request):
        return JsonResponse({"detail": _("The request is not valid.")}, status=400)
    return _page(request, "400.html", 400, _("The request is not valid."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403, for pages (the API answers its own 403s)."""
    if _is_api(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return _page(request, "403.html", 403, _("You may not open this page."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (an old page, cookies off), in the site's layout."""
    return _page(request, "403_csrf.html", 403, _("This form has expired. Go back, reload the page and send it again."))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, so sys.exc_info() is that exception:
    a database that cannot be reached is a 503 with Retry-After, anything else a 500."""
    if _database_unavailable(sys.exc_info()[1]):
        detail = _("The site is briefly unavailable, try again in a minute.")
        if _is_api(request):
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = _page(request, "503.html", 503, detail)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return _page(request, "500.html", 500, _("A server error occurred."))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from or while handling, is a failed database connection."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _page(request: HttpRequest, template: str, status: int, fallback: str) -> HttpResponse:
    """The error page in the site's layout; if even that fails (a template error, static files
    not collected), the message alone, so that the error answer itself never breaks."""
    try:
        return render(request, template, status=status)
    except Exception:
        logger.exception("The %s page could not be rendered; answering with its text alone", status)
        return HttpResponse(fallback, status=status, content_type="text/plain; charset=utf-8")
