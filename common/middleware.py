"""Project-wide middleware."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


class RequestTooLargeMiddleware:
    """Answer 413 Payload Too Large, with a message, to a body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django raises RequestDataTooBig when such a body is read and answers a bare
    400. A body whose Content-Length already says it is too large is refused
    before anything reads it (multipart bodies excepted: their files do not
    count towards the limit); one found too large while a view reads it (an API
    view parsing it) gets the same answer. Placed after LocaleMiddleware, so
    that the message is in the client's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not request.content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return self._too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return self._too_large(request)
        return None

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        detail = _("The request is too large.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


class SiteNotFoundMiddleware:
    """With DEBUG on, Django answers a 404 with its technical page (the URL patterns, the
    settings' names) instead of handler404: answer with the site's own (common.views.page_not_found,
    templates/404.html) whatever DEBUG says. Last in MIDDLEWARE, so that the language and
    trailing-slash redirects (LocaleMiddleware, CommonMiddleware) still see the 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
        from .views import page_not_found

        return page_not_found(request, exception)
