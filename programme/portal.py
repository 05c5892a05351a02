"""The association portal (`/<lang>/portal/`): a member's proposals and the association's
activities. Every view answers for the association the member acts for (programme.access),
and shows nothing of any other."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .access import ACTING_ASSOCIATION, member_required
from .roles import member_associations


def _context(request: HttpRequest, association, section: str, **extra) -> dict:
    return {
        "association": association,
        "section": section,
        "several_associations": member_associations(request.user).count() > 1,
        **extra,
    }


@never_cache
@member_required
def home(request: HttpRequest, association) -> HttpResponse:
    return render(request, "portal/home.html", _context(request, association, "home"))


@never_cache
@login_required
def choose(request: HttpRequest) -> HttpResponse:
    """A member of several associations picks the one they act for (kept in the session)."""
    associations = list(member_associations(request.user))
    if not associations:
        return render(request, "portal/forbidden.html", status=403)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        chosen = next((a for a in associations if str(a.pk) == request.POST.get("association")), None)
        if chosen is not None:
            request.session[ACTING_ASSOCIATION] = chosen.pk
            return redirect(next_url or "portal:home")
    current = request.session.get(ACTING_ASSOCIATION)
    return render(
        request,
        "portal/choose.html",
        {
            "associations": associations,
            "current": current,
            "next": next_url,
            "section": "choose",
            "several_associations": len(associations) > 1,
        },
        status=400 if request.method == "POST" else 200,
    )
