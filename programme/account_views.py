"""The accounts' pages: the landing after login, accepting an invitation, the password reset
(Django's views, in the site's layout, their e-mail through the outbox), and the members of the
associations, in the back office (every association) and in the portal (the member's own)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from common.ratelimit import login_rate_limited, rate_limited

from .access import member_required, organiser_required
from .accounts import (
    AccountError,
    Invited,
    associations_with_members,
    invitation_accept,
    invitation_token_generator,
    landing,
    member_invite,
    members_of,
    normalise_email,
    password_reset_ask,
)
from .models import Association
from .roles import is_organiser, member_associations

TOO_MANY_ATTEMPTS = gettext_lazy("Too many attempts from your address. Wait a minute and try again.")


# --- The landing after login --------------------------------------------------


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: everyone to their own home (an explicit `next` went there instead)."""
    return redirect(landing(request.user))


# --- Forms ----------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address of the person to invite"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class InvitationAcceptForm(SetPasswordForm):
    """The invited person's name and password."""

    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = gettext_lazy("Password")
        self.fields["new_password2"].label = gettext_lazy("Password again")


class PasswordResetRequestForm(PasswordResetForm):
    """Django's form; its e-mail goes through the outbox (programme.accounts.password_reset_ask)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = gettext_lazy("E-mail address of your account")

    def save(self, **kwargs) -> None:
        password_reset_ask(email=self.cleaned_data["email"], language=_page_language())


def _page_language() -> str:
    """The page's language (its URL prefix), for the e-mail."""
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Invitations and password reset (Django's views) -----------------------------


class _LimitedPosts:
    """The forms' POSTs count with the logins' (20 a minute per address, common.ratelimit)."""

    def post(self, request, *args, **kwargs):
        if login_rate_limited(request):
            context = self.get_context_data(form=self.get_form(), error=TOO_MANY_ATTEMPTS)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class _RefusedLinkIs400:
    """A link Django refuses (expired, used, altered) is a 400, not a 200 with a message."""

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 400
        return response


class InvitationAcceptView(_LimitedPosts, _RefusedLinkIs400, auth_views.PasswordResetConfirmView):
    """The invitation's link: Django's password reset confirmation (the token moves to the session,
    out of the address), over the invitation's token; then logged in, to the portal."""

    form_class = InvitationAcceptForm
    token_generator = invitation_token_generator
    reset_url_token = "accept"
    template_name = "accounts/invitation_accept.html"

    def form_valid(self, form):
        try:
            user = invitation_accept(
                user=self.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["new_password1"],
            )
        except AccountError:  # the same link, sent twice at once: the other form won
            self.validlink = False
            return self.render_to_response(self.get_context_data(), status=400)
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        auth_login(self.request, user)
        messages.success(self.request, _("Welcome! Your password is set and you are logged in."))
        return redirect("portal:home")


class PasswordResetView(_LimitedPosts, auth_views.PasswordResetView):
    """Asks for an address; answers the same whether or not it has an account."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(_LimitedPosts, _RefusedLinkIs400, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Members: the back office (every association) and the portal (one's own) ----------------


_OUTCOMES = {
    Invited.INVITED: (
        messages.SUCCESS,
        gettext_lazy("An invitation went to %(email)s: its link sets their password and opens the portal of %(name)s."),
    ),
    Invited.INVITED_AGAIN: (
        messages.SUCCESS,
        gettext_lazy(
            "%(email)s has not set a password yet: the invitation goes again, with a new link "
            "(at most once every ten minutes)."
        ),
    ),
    Invited.ADDED: (
        messages.SUCCESS,
        gettext_lazy("%(email)s has an account already: it is now a member of %(name)s, and was told so by e-mail."),
    ),
    Invited.ALREADY_MEMBER: (
        messages.INFO,
        gettext_lazy("%(email)s is a member of %(name)s already: nothing changed."),
    ),
}


#: What a member (not an organiser) is told of an invitation to a new address or to one that has an
#: account: the same, so that the form does not tell who has an account.
_SENT_OR_REFERRED = (
    messages.SUCCESS,
    gettext_lazy(
        "An e-mail is on its way to %(email)s, unless the address already has an account: the organisers "
        "add existing accounts to %(name)s, ask them."
    ),
)
#: Invitations each client address may send in an hour (each may make an account and an e-mail).
INVITATION_RATE_LIMIT = "30/h"
INVITATIONS_LIMITED = gettext_lazy("Too many invitations from your address. Wait an hour and try again.")


def _invite(request: HttpRequest, association: Association, form: InviteForm) -> bool:
    """Invite from a valid form and say what happened; False (the error on the form) if refused."""
    if rate_limited(request, group="invitations", rate=INVITATION_RATE_LIMIT):
        form.add_error(None, INVITATIONS_LIMITED)
        form.rate_limited = True
        return False
    try:
        invitation = member_invite(association=association, email=form.cleaned_data["email"], invited_by=request.user)
    except AccountError as error:
        form.add_error("email", error.message)
        return False
    level, text = _OUTCOMES.get(invitation.outcome, _SENT_OR_REFERRED)
    if not is_organiser(request.user) and invitation.outcome in (Invited.INVITED, Invited.REFERRED):
        level, text = _SENT_OR_REFERRED
    messages.add_message(
        request, level, text % {"email": normalise_email(form.cleaned_data["email"]), "name": association.name}
    )
    return True


def _prefix(association: Association) -> str:
    return f"invite-{association.pk}"


def _associations_page(request: HttpRequest, *, failed: InviteForm | None = None, status: int = 200) -> HttpResponse:
    """Every association with its form: the one that `failed` (bound, with its errors), blank ones."""
    rows = [
        (association, failed if failed is not None and failed.prefix == _prefix(association) else None)
        for association in associations_with_members()
    ]
    rows = [(association, form or InviteForm(prefix=_prefix(association))) for association, form in rows]
    return render(
        request,
        "accounts/associations.html",
        {"section": "associations", "rows": rows, "failed": failed},
        status=status,
    )


@never_cache
@organiser_required
def backoffice_associations(request: HttpRequest) -> HttpResponse:
    """Every association with its members, and a form per association to invite someone."""
    return _associations_page(request)


@never_cache
@organiser_required
@require_POST
def backoffice_association_invite(request: HttpRequest, pk: int) -> HttpResponse:
    association = get_object_or_404(Association, pk=pk)
    form = InviteForm(request.POST, prefix=_prefix(association))
    if form.is_valid() and _invite(request, association, form):
        return redirect(f"{reverse('backoffice:associations')}#association-{association.pk}")
    return _associations_page(request, failed=form, status=429 if getattr(form, "rate_limited", False) else 400)


@never_cache
@member_required
def portal_members(request: HttpRequest, association: Association) -> HttpResponse:
    """The members of the association the member acts for, and a form to invite a colleague to
    it: only to it (the form names no association; member_required gives the one)."""
    status = 200
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid() and _invite(request, association, form):
            return redirect("portal:members")
        status = 429 if getattr(form, "rate_limited", False) else 400
    else:
        form = InviteForm()
    context = {
        "association": association,
        "section": "members",
        "several_associations": member_associations(request.user).count() > 1,
        "members": members_of(association),
        "form": form,
    }
    return render(request, "accounts/members.html", context, status=status)
