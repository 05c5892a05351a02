"""The e-mails about accounts, as outbox messages: the invitation to an association's account (its
link sets the password), the notice to an account that has a password that it was added to an
association, the invitation of door staff to the account an organiser made for them (the same
link), and the password reset.

Programme asks for them by signal (programme.signals `member_invited`, `password_reset_asked`;
programme.accounts `door_staff_invited`),
inside the transaction of the change; this module answers by writing the message there. Not part
of the outbox: it reads programme's rows. The links carry a token, so no row holds them: the
context makers below make them when each message is sent, in the message's language.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.functional import lazy
from django.utils.http import urlsafe_base64_encode

from common.site import absolute_url
from programme.accounts import invitation_token_generator
from programme.models import Association
from programme.roles import DOOR_STAFF

from . import outbox
from .models import Message

#: An invitation sent again (its addressee has not set a password) goes at most once in this many
#: seconds per membership; so does a password reset per account.
INVITATION_MAIL_INTERVAL = 10 * 60
PASSWORD_RESET_MAIL_INTERVAL = 10 * 60


def _link(name: str, **kwargs) -> str:
    """The absolute address of one of our pages, reversed when the template shows it: the outbox
    renders a message under its language, which gives the address its language prefix."""
    return lazy(lambda: absolute_url(reverse(name, kwargs=kwargs or None)), str)()


def _uidb64(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def on_member_invited(sender, *, membership, user, association, invited_by, email, invitation, **kwargs) -> None:
    """The invitation (`invitation`: the account has no password yet) or the notice that an
    account was added, in the association's language."""
    now = timezone.now()
    if invitation:
        interval = int(now.timestamp()) // INVITATION_MAIL_INTERVAL
        key = f"association-member-{membership.pk}:invitation:{interval}"
        template = "accounts/email/invitation"
    else:
        key = f"association-member-{membership.pk}:added"
        template = "accounts/email/added"
    message = outbox.message(
        key=key,
        purpose=Message.Purpose.INVITATION,
        recipient=user.email or email,
        language=association.language,
        template=template,
        # Who invited: as it was then. Nothing here opens anything.
        context={"inviter": invited_by.get_full_name()},
        concerns=("association_member", membership.pk),
        now=now,
    )
    outbox.messages_create([message])


def on_door_staff_invited(sender, *, user, invited_by, language, **kwargs) -> None:
    """The invitation of door staff to the account made for them, in the language the organiser chose."""
    now = timezone.now()
    message = outbox.message(
        key=f"door-staff-{user.pk}:invitation",
        purpose=Message.Purpose.INVITATION,
        recipient=user.email,
        language=language,
        template="accounts/email/door_staff_invitation",
        # Who invited: as it was then. Nothing here opens anything.
        context={"inviter": invited_by.get_full_name()},
        concerns=("door_staff", user.pk),
        now=now,
    )
    outbox.messages_create([message])


def on_password_reset_asked(sender, *, user, language, **kwargs) -> None:
    """The password reset's e-mail, in the language of the page where it was asked for."""
    now = timezone.now()
    interval = int(now.timestamp()) // PASSWORD_RESET_MAIL_INTERVAL
    message = outbox.message(
        key=f"account-{user.pk}:password_reset:{interval}",
        purpose=Message.Purpose.PASSWORD_RESET,
        recipient=user.email,
        language=language,
        template="accounts/email/password_reset",
        context={},
        concerns=("account", user.pk),
        now=now,
    )
    outbox.messages_create([message])


# --- What the e-mails show, read when they are sent ---------------------------


@outbox.context_maker("association_member")
def membership_contexts(ids: list[int]) -> dict[int, dict]:
    """A membership taken back, or an account deactivated, before the e-mail left: it is not sent.
    The link that sets a password is made only for an account that has none (yet)."""
    rows = Association.members.through.objects.select_related("user", "association").filter(
        pk__in=ids, user__is_active=True
    )
    contexts = {}
    for row in rows:
        user = row.user
        context = {
            "user": user,
            "association": row.association,
            "login_url": _link("login"),
            "portal_url": _link("portal:home"),
            "days": settings.INVITATION_DAYS,
        }
        if not user.has_usable_password():
            token = invitation_token_generator.make_token(user)
            context["accept_url"] = _link("accounts:invitation", uidb64=_uidb64(user), token=token)
        contexts[row.pk] = context
    return contexts


@outbox.context_maker("door_staff")
def door_staff_contexts(ids: list[int]) -> dict[int, dict]:
    """An account deactivated, or no longer door staff, before the e-mail left: it is not sent.
    The link that sets a password is made only for an account that has none (yet)."""
    users = get_user_model().objects.filter(pk__in=ids, is_active=True, groups__name=DOOR_STAFF)
    contexts = {}
    for user in users:
        context = {
            "user": user,
            "login_url": _link("login"),
            "door_url": _link("registrations:door"),
            "days": settings.INVITATION_DAYS,
        }
        if not user.has_usable_password():
            token = invitation_token_generator.make_token(user)
            context["accept_url"] = _link("accounts:invitation", uidb64=_uidb64(user), token=token)
        contexts[user.pk] = context
    return contexts


@outbox.context_maker("account")
def account_contexts(ids: list[int]) -> dict[int, dict]:
    """A password reset link for an active account that has a password; none for any other (its
    e-mail is not sent)."""
    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    contexts = {}
    for user in users:
        if not user.has_usable_password():
            continue
        token = default_token_generator.make_token(user)
        contexts[user.pk] = {
            "user": user,
            "reset_url": _link("accounts:password_reset_confirm", uidb64=_uidb64(user), token=token),
            "login_url": _link("login"),
            "hours": hours,
            "days": hours // 24,
        }
    return contexts


def connect_signals() -> None:
    """Answer programme's signals about accounts (called by NotificationsConfig.ready)."""
    from programme.accounts import door_staff_invited
    from programme.signals import member_invited, password_reset_asked

    member_invited.connect(on_member_invited, dispatch_uid="notifications_mail_member_invited")
    door_staff_invited.connect(on_door_staff_invited, dispatch_uid="notifications_mail_door_staff_invited")
    password_reset_asked.connect(on_password_reset_asked, dispatch_uid="notifications_mail_password_reset")
