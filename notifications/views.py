"""The demo's mailbox (DEBUG only): the e-mails that the file backend wrote, as they were sent.

Without EMAIL_HOST the demo's e-mails go to files under EMAIL_FILE_PATH (Django's file
backend: one file per connection, one message after another, each followed by a line of
79 dashes). These pages read those files, not the outbox's rows: a file is what was sent,
byte for byte, whereas rendering a row again would show what it is about as it is now (a
confirmation sent before its activity was cancelled would come without its QR code) and
would miss e-mails that do not come from the outbox. The rows give each e-mail's status
(found by its Message-ID) and list those that have no file yet: waiting, or failed.

The HTML version is served on its own, with its `cid:` images pointing at the URL of that
part, under a policy of its own (the e-mail's inline styles, no script, framed by the
detail page only).
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from .models import Message

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
#: What the file backend writes after each message.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
#: The names the file backend gives its files ("20361021-190000-140234567.log").
FILE_NAME = re.compile(r"[\w.-]+\.log")
#: E-mails not written yet (waiting, failed) listed at most.
UNSENT_SHOWN = 200

#: The HTML version: its own inline styles, its images from here, nothing else; only the
#: detail page (same origin) may frame it.
HTML_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "script-src": None,
    "connect-src": None,
    "worker-src": None,
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
}
#: A part downloaded (an image, a calendar file): shown as nothing but itself.
PART_POLICY = {**HTML_POLICY, "style-src": None, "img-src": ["'self'"], "frame-ancestors": ["'none'"], "sandbox": [""]}


def debug_only(view):
    """The view answers 404 unless DEBUG is on (its URLs exist only then, too: fortnight/urls.py)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@dataclass(frozen=True)
class Mail:
    """One e-mail as the file backend wrote it: file `name`, `index`-th message in it (from 1)."""

    name: str
    index: int
    message: EmailMessage
    #: When its file was last written: orders e-mails whose Date (to the second) is the same.
    written_ns: int = 0

    @property
    def sent_at(self) -> datetime.datetime | None:
        header = self.message["Date"]
        when = getattr(header, "datetime", None)
        if when is not None and when.tzinfo is None:  # "-0000": UTC, says Django's formatdate
            when = when.replace(tzinfo=datetime.UTC)
        return when

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "").strip()

    @property
    def url(self) -> str:
        return reverse("notifications:mail-detail", kwargs={"name": self.name, "index": self.index})


def _folder() -> Path | None:
    if settings.EMAIL_BACKEND != FILE_BACKEND:
        return None
    return Path(settings.EMAIL_FILE_PATH)


def _chunks(path: Path) -> list[bytes]:
    """The messages of one file; the last one is left out while its separator is not written yet."""
    return path.read_bytes().split(SEPARATOR)[:-1]


def _parse(chunk: bytes, *, headers_only: bool = False) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(chunk, headersonly=headers_only)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if FILE_NAME.fullmatch(path.name) and path.is_file())


def _mails(folder: Path) -> list[Mail]:
    return [
        Mail(path.name, index, _parse(chunk, headers_only=True), path.stat().st_mtime_ns)
        for path in _files(folder)
        for index, chunk in enumerate(_chunks(path), start=1)
    ]


def _mail_or_404(name: str, index: int) -> Mail:
    folder = _folder()
    if folder is None or not FILE_NAME.fullmatch(name):
        raise Http404
    path = folder / name
    if not path.is_file():
        raise Http404
    chunks = _chunks(path)
    if not 1 <= index <= len(chunks):
        raise Http404
    return Mail(name, index, _parse(chunks[index - 1]))


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    """Every part that is not a container, in the message's order: their numbers are their URLs."""
    return [part for part in message.walk() if not part.is_multipart()]


def _bodies(message: EmailMessage) -> tuple[EmailMessage | None, EmailMessage | None]:
    return message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))


def _content_id(part: EmailMessage) -> str:
    return str(part["Content-ID"] or "").strip().removeprefix("<").removesuffix(">")


def _part_url(mail: Mail, number: int) -> str:
    return reverse("notifications:mail-part", kwargs={"name": mail.name, "index": mail.index, "part": number})


def _statuses(message_ids: list[str]) -> dict[str, Message]:
    rows = Message.objects.filter(message_id__in=[m for m in message_ids if m]).only(
        "message_id", "status", "last_error", "language"
    )
    return {row.message_id: row for row in rows}


@require_safe
@never_cache
@debug_only
def mail_list(request: HttpRequest) -> HttpResponse:
    folder = _folder()
    context = {"folder": folder, "backend": settings.EMAIL_BACKEND, "entries": []}
    if folder is None:
        return render(request, "notifications/mail_list.html", context)
    mails = _mails(folder)
    rows = _statuses([mail.message_id for mail in mails])
    entries = []
    for mail in mails:
        row = rows.get(mail.message_id)
        entries.append(
            {
                "time": mail.sent_at,
                "recipient": str(mail.message["To"] or ""),
                "subject": str(mail.message["Subject"] or ""),
                # A file without a row (an e-mail from outside the outbox) was sent all the same.
                "status": row.get_status_display() if row else Message.Status.SENT.label,
                "status_code": row.status if row else Message.Status.SENT,
                "error": row.last_error if row else "",
                "language": row.language if row else "",
                "url": mail.url,
                "order": (mail.written_ns, mail.index),
            }
        )
    written = {mail.message_id for mail in mails}
    unsent = Message.objects.exclude(status=Message.Status.SENT).exclude(message_id__in=written)
    for row in unsent.order_by("-created_at", "-pk")[:UNSENT_SHOWN]:
        entries.append(
            {
                "time": row.created_at,
                "recipient": row.recipient,
                "subject": "",
                "purpose": row.get_purpose_display(),
                "status": row.get_status_display(),
                "status_code": row.status,
                "error": row.last_error,
                "language": row.language,
                "url": "",
                "order": (0, row.pk),
            }
        )
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    entries.sort(key=lambda entry: (entry["time"] or epoch, entry["order"]), reverse=True)
    context["entries"] = entries
    return render(request, "notifications/mail_list.html", context)


@require_safe
@never_cache
@debug_only
def mail_detail(request: HttpRequest, name: str, index: int) -> HttpResponse:
    mail = _mail_or_404(name, index)
    message = mail.message
    text, html = _bodies(message)
    attachments = []
    for number, part in enumerate(_leaves(message)):
        if part is text or part is html:
            continue
        payload = part.get_payload(decode=True) or b""
        attachments.append(
            {
                "filename": part.get_filename() or f"part-{number}",
                "type": part.get_content_type(),
                "size": len(payload),
                "inline": bool(_content_id(part)),
                "url": _part_url(mail, number),
            }
        )
    row = _statuses([mail.message_id]).get(mail.message_id)
    context = {
        "mail": mail,
        "time": mail.sent_at,
        "sender": str(message["From"] or ""),
        "recipient": str(message["To"] or ""),
        "subject": str(message["Subject"] or ""),
        "message_id": mail.message_id,
        "status": row.get_status_display() if row else Message.Status.SENT.label,
        "language": row.language if row else "",
        "text": text.get_content() if text is not None else "",
        "html_url": reverse("notifications:mail-html", kwargs={"name": name, "index": index}) if html else "",
        "attachments": attachments,
    }
    return render(request, "notifications/mail_detail.html", context)


@require_safe
@never_cache
@debug_only
@xframe_options_sameorigin
@csp_replace(HTML_POLICY)
def mail_html(request: HttpRequest, name: str, index: int) -> HttpResponse:
    """The HTML version as sent, its `cid:` images pointing at their parts, its links opening
    in the whole window (it is shown in a frame)."""
    mail = _mail_or_404(name, index)
    _text, html = _bodies(mail.message)
    if html is None:
        raise Http404
    leaves = enumerate(_leaves(mail.message))
    by_cid = {_content_id(part): _part_url(mail, n) for n, part in leaves if _content_id(part)}

    def rewrite(match: re.Match) -> str:
        url = by_cid.get(match.group(2))
        return match.group(0) if url is None else f"{match.group(1)}{url}{match.group(1)}"

    body = re.sub(r"""(["'])cid:([^"'\s>]+)\1""", rewrite, html.get_content())
    body, found = re.subn(r"<head(\s[^>]*)?>", lambda m: m.group(0) + '<base target="_top">', body, count=1)
    if not found:
        body = '<base target="_top">' + body
    return HttpResponse(body, content_type="text/html; charset=utf-8")


@require_safe
@never_cache
@debug_only
@csp_replace(PART_POLICY)
def mail_part(request: HttpRequest, name: str, index: int, part: int) -> HttpResponse:
    """One part of the e-mail (the QR image, the calendar file), as it was attached."""
    mail = _mail_or_404(name, index)
    leaves = _leaves(mail.message)
    if not 0 <= part < len(leaves):
        raise Http404
    found = leaves[part]
    content_type = found.get_content_type()
    if found.get_content_charset():
        content_type += f"; charset={found.get_content_charset()}"
    response = HttpResponse(found.get_payload(decode=True) or b"", content_type=content_type)
    filename = re.sub(r"[^\w.-]", "_", found.get_filename() or f"part-{part}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
