"""The outbox: every e-mail is a row first, delivered second (notifications/delivery.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One e-mail to one person. It is written in the transaction of the change that causes
    it, under a key that names what it is about (object, purpose, version), so that the same
    e-mail can never be made twice; a worker sends it only once it has claimed the row."""

    class Purpose(models.TextChoices):
        CONFIRMED = "confirmed", _("Registration confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        PROMOTED = "promoted", _("Promoted from the waiting list")
        CANCELLED = "cancelled", _("Registration cancelled")
        REMINDER = "reminder", _("Reminder")
        EVENT_CHANGED = "event_changed", _("Activity moved")
        EVENT_CANCELLED = "event_cancelled", _("Activity cancelled")
        LINK = "link", _("Links asked for")
        PROPOSAL = "proposal", _("Proposal: decision or message")
        INVITATION = "invitation", _("Invitation to an account")
        PASSWORD_RESET = "password_reset", _("Password reset")
        ERASURE = "erasure", _("Deletion of personal data asked for")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=200, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2)
    #: What the message is about, by name and id ("registration", 12): the outbox knows no
    #: other app's models, and a message outlives what it was about.
    concerns_type = models.CharField(_("about"), max_length=40)
    concerns_id = models.PositiveBigIntegerField(_("about (id)"))
    template = models.CharField(_("template"), max_length=100)
    context = models.JSONField(_("context"), default=dict)
    #: Files made when the message is sent: [{"kind": ..., "args": {...}}] (see outbox.attachment_maker).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    #: A pending message is not sent before this time (set later after a transient error).
    not_before = models.DateTimeField(_("not before"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep looks for pending and sending rows only: a partial index stays small.
            models.Index(
                fields=["status", "not_before"],
                condition=Q(status__in=["pending", "sending"]),
                name="message_unsent_idx",
            ),
            models.Index(fields=["concerns_type", "concerns_id", "purpose"], name="message_concerns_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.recipient} ({self.get_status_display()})"
