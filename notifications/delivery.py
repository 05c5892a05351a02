"""Sending the outbox's messages: claim a row, render it, send it, mark it sent.

Each row is claimed on its own (one conditional UPDATE) just before it is sent and
marked sent just after, so that a worker that dies repeats at most the message it had
in flight, with the same Message-ID; a message claimed by another worker, or sent
already, is skipped. Many messages go out over one SMTP connection.

Errors: a transient one (an SMTP 4xx reply, a refused or cut connection) puts the
message back with a growing delay and ends the batch, whose task retries the rest; a
permanent one (5xx) marks that message failed, with the error, and the batch goes on.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Message
from .outbox import claimable, make_attachment, make_contexts

logger = logging.getLogger(__name__)

#: A transient error is tried again after 2, 4, 8 ... seconds, at most RETRY_MAX_SECONDS
#: apart; after MAX_ATTEMPTS attempts (about half an hour) the message is failed.
RETRY_FIRST_SECONDS = 2
RETRY_MAX_SECONDS = 600
MAX_ATTEMPTS = 12


class PermanentError(Exception):
    """The server refused the message for good (SMTP 5xx), or it cannot be made."""


def sender() -> str:
    """From: DEFAULT_FROM_EMAIL; without a display name of its own, the City's, in the
    message's language."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name or _("City of Brussels"), address))


class Gone(PermanentError):
    """What the message is about no longer exists."""


class _Email(EmailMultiAlternatives):
    """An e-mail whose HTML shows images of its own (`cid:`): the text and HTML alternatives
    and those images go in one multipart/related, inside the multipart/mixed that carries
    the attachments, which is where mail programs look for them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images: list[MIMEImage] = []

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(msg)
        for image in self.inline_images:
            related.attach(image)
        return related


def render(message: Message, *, live: dict | None = None, connection=None) -> EmailMultiAlternatives:
    """The e-mail of a message row, in its language: subject, plain text (never HTML-escaped),
    HTML, and the attachments, made now. `live` is what its context maker read of what it is
    about (delivery reads it for a whole batch; when not given, it is read here)."""
    if live is None:
        found = make_contexts(message.concerns_type, [message.concerns_id])
        live = {} if found is None else found.get(message.concerns_id)
        if live is None:
            raise Gone(f"{message.concerns_type} {message.concerns_id} no longer exists")
    with translation.override(message.language):
        context = {**live, **message.context, "language": message.language}
        base = message.template
        # One line; the no-break spaces of French typography stay (str.split would eat them).
        lines = render_to_string(f"{base}_subject.txt", context, using="text").splitlines()
        subject = " ".join(line.strip(" \t") for line in lines if line.strip(" \t"))
        text = render_to_string(f"{base}.txt", context, using="text")
        html = render_to_string(f"{base}.html", context)
        email = _Email(
            subject,
            text,
            sender(),
            [message.recipient],
            headers={"Message-ID": message.message_id},
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
        for spec in message.attachments:
            part = make_attachment(spec["kind"], spec.get("args", {}), message.language)
            if part is None:
                continue
            if part.content_id:
                image = MIMEImage(part.content, _subtype=part.mimetype.split("/")[1])
                image.add_header("Content-ID", f"<{part.content_id}>")
                image.add_header("Content-Disposition", "inline", filename=part.filename)
                email.inline_images.append(image)
            else:
                email.attach(part.filename, part.content, part.mimetype)
    return email


def _smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return max((code for code, _msg in exc.recipients.values()), default=None)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def _is_transient(exc: Exception) -> bool:
    """Only a 5xx reply refuses a message for good. Any other SMTP trouble (a 4xx reply, a
    connection refused, cut or timed out, a reply out of step) is worth another try, on a
    new connection."""
    if isinstance(exc, smtplib.SMTPException | OSError):
        code = _smtp_code(exc)
        return code is None or not 500 <= code < 600
    return False


#: An e-mail address inside a mail server's reply ("550 <ann@example.org>: unknown").
_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\"',;:@]+")


def _describe(exc: Exception) -> str:
    """The error, for the log and the message's `last_error`: without the addresses that mail
    servers echo in their replies (no personal data in log lines)."""
    return _ADDRESS.sub("<address>", _describe_raw(exc))


def _describe_raw(exc: Exception) -> str:
    code = _smtp_code(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{code} {error}"
    return f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> int:
    return min(RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


@dataclass(frozen=True)
class Retry:
    """What a batch left for later: the ids to try again, and after how many seconds."""

    ids: list[int]
    countdown: int


def _claim(message: Message, now) -> bool:
    claimed = (
        Message.objects.filter(pk=message.pk)
        .filter(claimable(now))
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    message.attempts += 1
    message.claimed_at = now
    return claimed == 1


def _finish(message: Message, **fields) -> None:
    """Record how sending went, unless another worker has claimed the row since (this one
    held it longer than MAIL_SENDING_TIMEOUT): then that one's outcome counts."""
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at).update(**fields)


def _live_contexts(messages: list[Message]) -> dict[tuple[str, int], dict]:
    """What each message is about, read afresh: one call of its context maker per type."""
    by_type: dict[str, set[int]] = {}
    for message in messages:
        by_type.setdefault(message.concerns_type, set()).add(message.concerns_id)
    contexts: dict[tuple[str, int], dict] = {}
    for concerns_type, ids in by_type.items():
        found = make_contexts(concerns_type, sorted(ids))
        for pk in ids:
            if found is None:
                contexts[(concerns_type, pk)] = {}
            elif pk in found:
                contexts[(concerns_type, pk)] = found[pk]
    return contexts


def deliver(ids: list[int]) -> Retry | None:
    """Send the messages of `ids` that can be claimed, over one SMTP connection. Returns
    what is left to try again after a transient error, or None."""
    now = timezone.now()
    messages = list(Message.objects.filter(pk__in=ids).filter(claimable(now)).order_by("pk"))
    live = _live_contexts(messages)
    connection = get_connection()
    try:
        for index, message in enumerate(messages):
            if not _claim(message, timezone.now()):
                continue  # another worker has it, or sent it
            try:
                context = live.get((message.concerns_type, message.concerns_id))
                if context is None:
                    raise Gone(f"{message.concerns_type} {message.concerns_id} no longer exists")
                email = render(message, live=context, connection=connection)
                connection.open()  # once: the connection stays open for the whole batch
                connection.send_messages([email])
            except SoftTimeLimitExceeded:
                # The task is out of time with this message in flight: back to pending, so
                # that the next task or the sweep sends it (perhaps twice, same Message-ID).
                _finish(message, status=Message.Status.PENDING, not_before=timezone.now())
                raise
            except Exception as exc:  # every error is recorded on the row
                if _is_transient(exc) and message.attempts < MAX_ATTEMPTS:
                    delay = retry_delay(message.attempts)
                    logger.warning("message %s: transient error, retry in %s s (%s)", message.pk, delay, _describe(exc))
                    _finish(
                        message,
                        status=Message.Status.PENDING,
                        not_before=timezone.now() + timedelta(seconds=delay),
                        last_error=_describe(exc),
                    )
                    connection.close()
                    return Retry(ids=[m.pk for m in messages[index:]], countdown=delay)
                if not isinstance(exc, smtplib.SMTPException | OSError | PermanentError):
                    logger.exception("message %s could not be made", message.pk)
                else:
                    logger.error("message %s failed: %s", message.pk, _describe(exc))
                _finish(message, status=Message.Status.FAILED, last_error=_describe(exc))
                continue
            _finish(message, status=Message.Status.SENT, sent_at=timezone.now(), last_error="")
    finally:
        connection.close()
    return None
