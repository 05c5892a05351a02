"""Accounts of association members: invitations (by organisers to any association, by members to
their own), accepting one, asking for a password reset, and where each person lands after
logging in. Door staff's accounts too: organisers make them (the same invitation link sets the
password) and deactivate them.

An invited person gets an account whose username is their e-mail address, lower-cased, with no
usable password; the invitation's link carries a token over that account (InvitationTokenGenerator)
that stops working once a password is set: it serves once. Programme imports no other app, so the
e-mails are asked for by signal (programme.signals `member_invited`, `password_reset_asked`) inside
the transaction of the change, and notifications/accounts.py writes them to the outbox.
"""

from __future__ import annotations

import enum
import logging
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.dispatch import Signal
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from .models import Association
from .roles import DOOR_STAFF, ORGANISERS, is_member, is_organiser, member_associations
from .signals import member_invited, password_reset_asked

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)


class AccountError(Exception):
    """An account change refused: a stable `code` and a message in the user's language."""

    def __init__(self, code: str, message) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password reset token, with a salt of its own (a reset token opens no invitation and
    the other way round) and INVITATION_DAYS for expiry. It is made over an account with no usable
    password: setting one changes the hash it is made of, so a link serves once; an account that
    has a password, or is deactivated, has no valid invitation token at all."""

    key_salt = "fortnight.programme.accounts.InvitationTokenGenerator"

    @property
    def timeout(self) -> int:
        return settings.INVITATION_DAYS * 24 * 60 * 60

    def check_token(self, user, token) -> bool:
        if not (user and token) or not user.is_active or user.has_usable_password():
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= self.timeout


invitation_token_generator = InvitationTokenGenerator()


class Invited(enum.StrEnum):
    """What an invitation did."""

    #: A new account (or one without a password yet) joined: the e-mail's link sets the password.
    INVITED = "invited"
    #: Already a member, with no password yet: the invitation goes again (with a new link).
    INVITED_AGAIN = "invited_again"
    #: An account that has a password joined: the e-mail tells it so, with the login link.
    ADDED = "added"
    #: Already a member with a password: nothing changed, no e-mail.
    ALREADY_MEMBER = "already_member"
    #: A member invited an address that has an account (with a password, or deactivated): only
    #: organisers add existing accounts, so nothing changed; the member is told no more than for
    #: a new address (whether an address has an account is not theirs to learn).
    REFERRED = "referred"


@dataclass(frozen=True)
class Invitation:
    outcome: Invited
    user: AbstractUser


#: The longest address a new account takes: usernames hold it, and they are 150 characters at most.
USERNAME_MAX_LENGTH = 150
EMAIL_TOO_LONG = _("This e-mail address is too long for an account (150 characters at most).")


def normalise_email(email: str) -> str:
    """The address as usernames hold it: trimmed, lower-cased."""
    return email.strip().lower()


def may_invite(user: AbstractUser, association: Association) -> bool:
    """Organisers invite to every association; a member to their own."""
    return is_organiser(user) or is_member(user, association)


def _account_for(email: str) -> AbstractUser | None:
    """The account of an address: the one whose username it is, else the oldest with that e-mail."""
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by(Case(When(username__iexact=email, then=Value(0)), default=Value(1)), "pk")
        .first()
    )


@transaction.atomic
def member_invite(*, association: Association, email: str, invited_by: AbstractUser) -> Invitation:
    """Make the person at `email` a member of `association`, with an account of their own (new if
    the address has none), and ask for the e-mail: the invitation with a link that sets the
    password, or, to an account that has one already, the notice that it was added."""
    if not may_invite(invited_by, association):
        raise AccountError("not_allowed", _("You may invite people only to an association you are a member of."))
    email = normalise_email(email)
    user = _account_for(email)
    if (
        user is not None
        and not is_organiser(invited_by)
        and (user.has_usable_password() or not user.is_active)
        and not is_member(user, association)
    ):
        # A member cannot enrol someone else's account (an organiser's, say) into their association.
        logger.info("account %s to association %s by member %s: referred", user.pk, association.pk, invited_by.pk)
        return Invitation(outcome=Invited.REFERRED, user=user)
    if user is None and len(email) > USERNAME_MAX_LENGTH:
        raise AccountError("email_too_long", EMAIL_TOO_LONG)
    if user is None:
        user, _created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "password": make_password(None)}
        )
    if not user.is_active:
        raise AccountError(
            "account_inactive",
            _("The account of this address is deactivated. Ask the organisers to reactivate it."),
        )
    membership, joined = Association.members.through.objects.get_or_create(association=association, user=user)
    pending = not user.has_usable_password()
    if joined:
        outcome = Invited.INVITED if pending else Invited.ADDED
    else:
        outcome = Invited.INVITED_AGAIN if pending else Invited.ALREADY_MEMBER
    if outcome != Invited.ALREADY_MEMBER:
        member_invited.send(
            sender=Association,
            membership=membership,
            user=user,
            association=association,
            invited_by=invited_by,
            email=email,
            invitation=pending,
        )
    logger.info("account %s to association %s by user %s: %s", user.pk, association.pk, invited_by.pk, outcome)
    return Invitation(outcome=outcome, user=user)


@transaction.atomic
def invitation_accept(*, user: AbstractUser, first_name: str, last_name: str, password: str) -> AbstractUser:
    """The invited person sets their name and password; the invitation's link stops working. The
    row is locked, so that of two forms sent at once with the same link, one wins."""
    account = get_user_model().objects.select_for_update().get(pk=user.pk)
    if account.has_usable_password() or not account.is_active:
        raise AccountError("invitation_used", _("This invitation has been used already."))
    account.first_name = first_name.strip()
    account.last_name = last_name.strip()
    account.set_password(password)
    account.save(update_fields=["first_name", "last_name", "password"])
    logger.info("account %s accepted its invitation", account.pk)
    return account


def _same_address(one: str, other: str) -> bool:
    """Django's comparison for password resets: case-insensitive, Unicode-normalised."""
    return unicodedata.normalize("NFKC", one).casefold() == unicodedata.normalize("NFKC", other).casefold()


@transaction.atomic
def password_reset_ask(*, email: str, language: str) -> int:
    """Ask for the e-mail whose link sets a new password, for each active account with a password
    at `email` (Django's own rule), in `language`; returns how many. Whoever asks is told the
    same either way: the number is for the tests and the log, never for the page."""
    candidates = get_user_model().objects.filter(email__iexact=email, is_active=True)
    users = [u for u in candidates if u.has_usable_password() and _same_address(email, u.email)]
    for user in users:
        password_reset_asked.send(sender=Association, user=user, language=language)
        logger.info("password reset asked for account %s", user.pk)
    return len(users)


def landing(user: AbstractUser) -> str:
    """The name of the URL where `user` lands after logging in: organisers on the back office,
    association members on the portal, door staff on the door, anyone else on the programme."""
    if is_organiser(user):
        return "backoffice:home"
    if member_associations(user).exists():
        return "portal:home"
    if user.is_authenticated and user.groups.filter(name=DOOR_STAFF).exists():
        return "registrations:door"
    return "programme:index"


def _members() -> Prefetch:
    return Prefetch("members", queryset=get_user_model().objects.order_by("last_name", "first_name", "username", "pk"))


def associations_with_members() -> QuerySet[Association]:
    """Every association, by name, with its members (two queries, however many there are)."""
    return Association.objects.order_by("name").prefetch_related(_members())


def members_of(association: Association) -> list[AbstractUser]:
    """The members of one association, by name."""
    return list(association.members.order_by("last_name", "first_name", "username", "pk"))


# --- Door staff ------------------------------------------------------------------------------

#: Sent by `door_staff_create` inside the transaction that made the account: `user` (no usable
#: password yet), `invited_by` and `language` (the e-mail's). Notifications answer with the
#: e-mail whose link (the invitation's token) sets the password.
door_staff_invited = Signal()

EMAIL_TAKEN = _("An account already has this e-mail address.")
MANAGED_ELSEWHERE = _("This is an organiser's account: it is not deactivated or reactivated from this page.")


def is_door_staff(user: AbstractUser) -> bool:
    """Whether `user` is in the door-staff group (never an anonymous user)."""
    return bool(user.is_authenticated and user.groups.filter(name=DOOR_STAFF).exists())


def door_staff_accounts() -> QuerySet[AbstractUser]:
    """Every account in the door-staff group, by name, each with `is_manager`: a superuser or an
    organiser too, whom the door-staff page leaves alone (one query, however many there are)."""
    user_model = get_user_model()
    organiser = user_model.groups.through.objects.filter(user=OuterRef("pk"), group__name=ORGANISERS)
    return (
        user_model.objects.filter(groups__name=DOOR_STAFF)
        .annotate(is_manager=Q(is_superuser=True) | Exists(organiser))
        .order_by("last_name", "first_name", "username", "pk")
    )


def _refuse_unless_organiser(user: AbstractUser) -> None:
    if not is_organiser(user):
        raise AccountError("not_allowed", _("Only organisers manage the accounts of door staff."))


@transaction.atomic
def door_staff_create(
    *, first_name: str, last_name: str, email: str, language: str, created_by: AbstractUser
) -> AbstractUser:
    """A door-staff account for the person at `email`, who has none: the address, lower-cased, as
    username, no usable password; and the e-mail, in `language`, whose link sets the password."""
    _refuse_unless_organiser(created_by)
    if language not in dict(settings.LANGUAGES):
        raise AccountError("bad_language", _("Choose the language of the e-mail among those offered."))
    email = normalise_email(email)
    if len(email) > USERNAME_MAX_LENGTH:
        raise AccountError("email_too_long", EMAIL_TOO_LONG)
    if _account_for(email) is not None:
        raise AccountError("email_taken", EMAIL_TAKEN)
    user = get_user_model()(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same address, made at the same time by another request
        raise AccountError("email_taken", EMAIL_TAKEN) from None
    user.groups.add(Group.objects.get_or_create(name=DOOR_STAFF)[0])
    door_staff_invited.send(sender=Group, user=user, invited_by=created_by, language=language)
    logger.info("door-staff account %s made by user %s", user.pk, created_by.pk)
    return user


def _door_staff_locked(user: AbstractUser) -> AbstractUser:
    """The door-staff account, its row locked; refused for a superuser's or an organiser's."""
    try:
        account = door_staff_accounts().select_for_update(of=("self",)).get(pk=user.pk)
    except get_user_model().DoesNotExist:
        raise AccountError("not_door_staff", _("This account is not one of the door staff.")) from None
    if account.is_manager:
        raise AccountError("managed_elsewhere", MANAGED_ELSEWHERE)
    return account


@transaction.atomic
def door_staff_deactivate(*, user: AbstractUser, by: AbstractUser) -> AbstractUser:
    """The account can no longer log in (its sessions end at their next request) and its API tokens
    are deleted, so that a scanner app logged in with one stops working. The account stays: its
    check-ins point at it."""
    _refuse_unless_organiser(by)
    account = _door_staff_locked(user)
    if account.is_active:
        account.is_active = False
        account.save(update_fields=["is_active"])
    tokens, _deleted = Token.objects.filter(user=account).delete()
    logger.info("door-staff account %s deactivated by user %s (%s API tokens deleted)", account.pk, by.pk, tokens)
    return account


@transaction.atomic
def door_staff_reactivate(*, user: AbstractUser, by: AbstractUser) -> AbstractUser:
    """The account logs in again, with the password it had (a scanner app logs in anew)."""
    _refuse_unless_organiser(by)
    account = _door_staff_locked(user)
    if not account.is_active:
        account.is_active = True
        account.save(update_fields=["is_active"])
    logger.info("door-staff account %s reactivated by user %s", account.pk, by.pk)
    return account
