"""The organisers' back office (`/<lang>/backoffice/`): review of proposals, the schedule; the
Django admin stays for raw data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .access import organiser_required
from .selectors import current_edition


@never_cache
@organiser_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"section": "home", "edition": current_edition()})
