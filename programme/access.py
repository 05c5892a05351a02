"""Who may open the portal (association members) and the back office (organisers), and which
association a member acts for: the only one they belong to, or the one they chose (kept in
the session; a user may belong to several)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Association
from .roles import is_organiser, member_associations

#: The session key of the association a member acts for.
ACTING_ASSOCIATION = "acting_association"


def acting_association(request: HttpRequest) -> Association | None:
    """The association the logged-in member acts for: the one chosen in this session if they
    still belong to it, else their only one; None if they belong to none, or to several and
    have not chosen."""
    associations = list(member_associations(request.user))
    chosen = request.session.get(ACTING_ASSOCIATION)
    for association in associations:
        if association.pk == chosen:
            return association
    return associations[0] if len(associations) == 1 else None


def portal_refused(request: HttpRequest) -> HttpResponse:
    """The 403 page of the portal, for an account that is no member of any association."""
    message = _(
        "The association portal is for members of an association taking part in the fortnight. Ask the "
        "organisers or a member of your association for an invitation, or log in with another account."
    )
    return render(request, "workspace_forbidden.html", {"message": message}, status=403)


def member_required(view):
    """Logged in (else to the login page) as a member of an association (else a 403 page); the
    view gets `association`, the one they act for (a member of several chooses first)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        association = acting_association(request)
        if association is None:
            if member_associations(request.user).exists():
                return redirect(f"{reverse('portal:choose')}?{urlencode({'next': request.get_full_path()})}")
            return portal_refused(request)
        return view(request, *args, association=association, **kwargs)

    return wrapped


def organiser_required(view):
    """Logged in (else to the login page) as an organiser (else a 403 page)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_organiser(request.user):
            message = _("The back office is for the City's organisers. Log in with an organiser's account.")
            return render(request, "workspace_forbidden.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped
