"""The accounts' pages: the landing after login, accepting an invitation, the password reset
(Django's views, in the site's layout, their e-mail through the outbox), the members of the
associations, in the back office (every association) and in the portal (the member's own), and
the door staff's accounts, in the back office."""

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
from django.views.decorators.http import require_POST, require_safe

from common.ratelimit import login_rate_limited, rate_limited

from .access import member_required, organiser_required
from .accounts import (
    USERNAME_MAX_LENGTH,
    AccountError,
    Invited,
    associations_with_members,
    door_staff_accounts,
    door_staff_create,
    door_staff_deactivate,
    door_staff_reactivate,
    invitation_accept,
    invitation_token_generator,
    is_door_staff,
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

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = gettext_lazy("Password")
        self.fields["new_password2"].label = gettext_lazy("Password again")
        if user is not None:  # a refused link has none
            # Door staff's names were typed by the organiser who made the account: shown, to correct.
            self.fields["first_name"].initial = user.first_name
            self.fields["last_name"].initial = user.last_name


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
    out of the address), over the invitation's token; then logged in, to the account's home (the
    portal for a member, the door for door staff)."""

    form_class = InvitationAcceptForm
    token_generator = invitation_token_generator
    reset_url_token = "accept"
    template_name = "accounts/invitation_accept.html"

    def get_template_names(self) -> list[str]:
        """Door staff (no association's member) are told of the door, not of the portal."""
        user = getattr(self, "user", None)
        if self.validlink and user is not None and is_door_staff(user) and not member_associations(user).exists():
            return ["accounts/door_staff_invitation_accept.html"]
        return super().get_template_names()

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
        return redirect(landing(user))


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


# --- Door staff: the back office -------------------------------------------------------------


class DoorStaffForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=gettext_lazy("They log in with it; it gets the link that sets their password."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"language": _page_language()})
        super().__init__(*args, **kwargs)


_DOOR_STAFF_PREFIX = "door-staff"


def _door_staff_page(
    request: HttpRequest, *, form: DoorStaffForm | None = None, error=None, status: int = 200
) -> HttpResponse:
    """Every door-staff account, and the form that makes one (`form`, bound, when it failed);
    `error`: a refused deactivation or reactivation."""
    context = {
        "section": "door_staff",
        "accounts": list(door_staff_accounts()),
        "form": form or DoorStaffForm(prefix=_DOOR_STAFF_PREFIX),
        "error": error,
    }
    return render(request, "accounts/door_staff.html", context, status=status)


@never_cache
@organiser_required
@require_safe
def backoffice_door_staff(request: HttpRequest) -> HttpResponse:
    """The door staff's accounts, each with its button to deactivate or reactivate it, and the form
    that makes a new one. No API token is ever shown: whoever holds one acts as its account."""
    return _door_staff_page(request)


@never_cache
@organiser_required
@require_POST
def backoffice_door_staff_create(request: HttpRequest) -> HttpResponse:
    form = DoorStaffForm(request.POST, prefix=_DOOR_STAFF_PREFIX)
    if not form.is_valid():
        return _door_staff_page(request, form=form, status=400)
    if rate_limited(request, group="invitations", rate=INVITATION_RATE_LIMIT):
        form.add_error(None, INVITATIONS_LIMITED)
        return _door_staff_page(request, form=form, status=429)
    try:
        user = door_staff_create(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"],
            created_by=request.user,
        )
    except AccountError as error:
        form.add_error("language" if error.code == "bad_language" else "email", error.message)
        return _door_staff_page(request, form=form, status=400)
    messages.success(
        request,
        _("The account of %(name)s is made: an e-mail went to %(email)s with a link to choose their password.")
        % {"name": user.get_full_name(), "email": user.email},
    )
    return redirect(f"{reverse('backoffice:door_staff')}#door-staff-{user.pk}")


def _door_staff_change(request: HttpRequest, pk: int, change) -> HttpResponse:
    """Deactivate or reactivate (`change`) a door-staff account (else a 404), and say so."""
    account = get_object_or_404(door_staff_accounts(), pk=pk)
    try:
        account = change(user=account, by=request.user)
    except AccountError as error:
        return _door_staff_page(request, error=error.message, status=400)
    if not account.is_active:
        done = _(
            "The account of %(name)s is deactivated: it can no longer log in, and the scanner apps logged in "
            "with it stop working. Its check-ins stay."
        )
    elif account.has_usable_password():
        done = _("The account of %(name)s is active again: it logs in with its password, as before.")
    else:
        done = _(
            "The account of %(name)s is active again. It has no password yet: the link of its invitation "
            "works until it expires."
        )
    messages.success(request, done % {"name": account.get_full_name() or account.get_username()})
    return redirect(f"{reverse('backoffice:door_staff')}#door-staff-{account.pk}")


@never_cache
@organiser_required
@require_POST
def backoffice_door_staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _door_staff_change(request, pk, door_staff_deactivate)


@never_cache
@organiser_required
@require_POST
def backoffice_door_staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _door_staff_change(request, pk, door_staff_reactivate)
