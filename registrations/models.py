"""Registrations, the ticket keys of each edition, and the check-in log."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import Edition, Event

#: Booking codes: no 0/O, 1/I/L, so that a code read aloud or typed is never ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: The version of the privacy notice (templates/privacy.html) that registrations accept: the day
#: it last changed. Change it with the notice; each registration keeps the one it was shown.
NOTICE_VERSION = "2026-12-03"


#: Bidirectional controls: they reorder what follows them (a name that shows as another, a
#: line of the door list or of a CSV export turned around); never part of a name.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: Letters and symbols that draw nothing (fillers, the blank braille pattern).
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
#: Categories that draw nothing by themselves: controls, formats, separators, combining marks, unassigned.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def normalise_name(name: str) -> str:
    """A person's name as it is kept: without bidirectional controls, without surrounding
    spaces; "" when nothing in it is visible (zero-width characters, fillers, only marks)."""
    name = name.translate(_BIDI_CONTROLS).strip()
    visible = any(ch not in _BLANK_CHARACTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in name)
    return name if visible else ""


def normalise_email(email: str) -> str:
    """Addresses are stored and compared in lower case: one person, one registration."""
    return email.strip().lower()


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelledBy(models.TextChoices):
        ATTENDEE = "attendee", _("The attendee")
        ORGANISER = "organiser", _("An organiser")

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    code = models.CharField(_("booking code"), max_length=CODE_LENGTH, unique=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    #: When its name, address and secrets were replaced (registrations.privacy): it still counts.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    #: When the attendee accepted the privacy notice, and which version of it they were shown
    #: (registrations.privacy.NOTICE_VERSION); empty for registrations made before it was asked.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="registration_one_active_per_email",
                violation_error_message=_("This address is already registered for this activity."),
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1),
                name="registration_seats_gte_1",
                violation_error_message=_("Ask for at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
                name="registration_checked_in_is_confirmed",
                violation_error_message=_("Only a confirmed registration can be checked in."),
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "id"], name="registration_queue_idx"),
            models.Index(fields=["email"], name="registration_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name} ({self.seats})"


class TicketKey(models.Model):
    """An edition's Ed25519 key pair. The private key is stored encrypted with a
    key derived from SECRET_KEY, and no page or API ever shows it."""

    edition = models.OneToOneField(
        Edition, on_delete=models.PROTECT, related_name="ticket_key", verbose_name=_("edition")
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key_encrypted = models.BinaryField(_("private key (encrypted)"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket key")
        verbose_name_plural = _("ticket keys")

    def __str__(self) -> str:
        return f"{self.edition}"


class CheckIn(models.Model):
    """Every scan attempt at a door, good or bad, with who made it and the answer given."""

    class Result(models.TextChoices):
        OK = "ok", _("Valid")
        ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")
        INVALID = "invalid", _("Not a valid ticket")
        CANCELLED = "cancelled", _("Cancelled")
        WRONG_EVENT = "wrong_event", _("Wrong activity")
        WAITLISTED = "waitlisted", _("On the waiting list")

    class Method(models.TextChoices):
        QR = "qr", _("QR code scanned")
        MANUAL = "manual", _("Found by name or booking code")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("activity"))
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("registration"),
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.QR)
    nonce = models.CharField(_("nonce"), max_length=64, null=True, blank=True, unique=True)
    first_checked_in_at = models.DateTimeField(_("first checked in at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    device = models.CharField(_("device"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("scanned at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.result}"


class AccessLog(models.Model):
    """Who viewed, exported or printed attendees' data, and when: attendance is personal data,
    so every look at a list of attendees leaves a row that organisers can read. It holds no
    personal data of the attendees themselves (a count, never a name or an address)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the attendee list")
        EXPORT = "export", _("Exported the attendee list")
        PRINT = "print", _("Printed the door list")
        SUBJECT_EXPORT = "subject_export", _("Exported one person's data")
        SUBJECT_DELETE = "subject_delete", _("Deleted one person's data")

    class Channel(models.TextChoices):
        BACKOFFICE = "backoffice", _("Back office")
        PORTAL = "portal", _("Association portal")
        API = "api", _("API")
        ATTENDEE = "attendee", _("The attendee")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    #: The user's name at the time: the row still says who after the account is deleted.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    channel = models.CharField(_("where"), max_length=12, choices=Channel.choices)
    action = models.CharField(_("what"), max_length=16, choices=Action.choices)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("activity")
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("edition")
    )
    #: How many registrations the list held.
    rows = models.PositiveIntegerField(_("registrations"), default=0)

    class Meta:
        verbose_name = _("access to attendees' data")
        verbose_name_plural = _("accesses to attendees' data")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action}"


class CalendarFeed(models.Model):
    """The personal calendar feed of an e-mail address: its URL holds `key`, a random secret (never
    the address). "My registrations" shows it and can replace it: a new key is drawn and the old
    URL answers 404. Anonymising the address's registrations deletes it."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return f"{self.key[:6]}…"
