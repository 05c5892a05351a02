"""The e-mails to attendees, as outbox messages (notifications.outbox).

Each function here is called inside the transaction of the change that causes the
e-mail, and writes its message there. What the e-mail shows of the registration and its
activity is read when it is sent (the "registration" context maker below), so that it is
true then; what must stay as it was (the old time of a moved activity) is kept in the
message's own context.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import formats, timezone, translation

from common.site import absolute_url
from notifications import outbox
from notifications.models import Message
from programme.models import Event

from .feeds import ticket_body
from .links import mailed_links, registration_links
from .models import Registration
from .tickets import make_token, qr_png

#: "Send me my link" e-mails: at most one per registration in each interval of this many seconds.
LINK_MAIL_INTERVAL = 10 * 60

_TICKET_ATTACHMENTS = (("ticket_qr", "registration"), ("event_ics", "registration"))


def _message(registration: Registration, purpose: str, key: str, *, context=None, attachments=(), now=None):
    return outbox.message(
        key=f"registration-{registration.pk}:{key}",
        purpose=purpose,
        recipient=registration.email,
        language=registration.language,
        template=f"registrations/email/{purpose}",
        context=context or {},
        concerns=("registration", registration.pk),
        attachments=[(kind, {arg: registration.pk}) for kind, arg in attachments],
        now=now,
    )


def registration_made(registration: Registration, *, position: int | None = None) -> None:
    """The confirmation (with the ticket), or the waiting-list notice with the position."""
    if registration.status == Registration.Status.CONFIRMED:
        message = _message(registration, Message.Purpose.CONFIRMED, "confirmed", attachments=_TICKET_ATTACHMENTS)
    else:
        message = _message(registration, Message.Purpose.WAITLISTED, "waitlisted", context={"position": position})
    outbox.messages_create([message], new=True)  # the registration was made in this transaction


def registrations_promoted(registrations: Iterable[Registration]) -> None:
    outbox.messages_create(
        _message(r, Message.Purpose.PROMOTED, "promoted", attachments=_TICKET_ATTACHMENTS) for r in registrations
    )


def registration_cancelled(registration: Registration) -> None:
    outbox.messages_create(
        [_message(registration, Message.Purpose.CANCELLED, "cancelled", context={"by": registration.cancelled_by})]
    )


def registration_links_mail(registration: Registration, *, now: datetime | None = None) -> None:
    """Its links, asked for again: one message per registration and LINK_MAIL_INTERVAL at most."""
    now = now or timezone.now()
    interval = int(now.timestamp()) // LINK_MAIL_INTERVAL
    outbox.messages_create([_message(registration, Message.Purpose.LINK, f"link:{interval}", now=now)])


def reminders(registrations: Iterable[Registration], *, hours: int, now: datetime) -> list[Message]:
    """The reminders (not written yet) of confirmed registrations, `hours` before their activity:
    one per registration, offset and start time (a moved activity gets its reminders again)."""
    return [
        _message(
            r,
            Message.Purpose.REMINDER,
            f"reminder:{hours}h:{r.event.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            context={"hours": hours},
            now=now,
        )
        for r in registrations
    ]


def _when(event: Event) -> str:
    local = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    day = formats.date_format(local, "l j F Y")
    if end.date() == local.date():
        return f"{day}, {formats.time_format(local, 'H:i')}\u2013{formats.time_format(end, 'H:i')}"
    return f"{day}, {formats.time_format(local, 'H:i')} \u2013 {formats.date_format(end, 'l j F Y, H:i')}"


def event_notices(
    event: Event, previous: Event, registrations: Iterable[Registration], *, cancelled: bool
) -> list[Message]:
    """The notices (not written yet) of an activity moved or cancelled, one per registration
    and change (its calendar sequence): what it was and what it is, in each one's language."""
    purpose = Message.Purpose.EVENT_CANCELLED if cancelled else Message.Purpose.EVENT_CHANGED
    frozen: dict[str, dict] = {}
    messages = []
    for registration in registrations:
        if registration.language not in frozen:
            with translation.override(registration.language):
                frozen[registration.language] = {
                    "was_when": _when(previous),
                    "now_when": _when(event),
                    "was_venue": f"{previous.venue.name}, {previous.venue.address}",
                    "now_venue": f"{event.venue.name}, {event.venue.address}",
                    "time_changed": (previous.starts_at, previous.ends_at) != (event.starts_at, event.ends_at),
                    "venue_changed": previous.venue_id != event.venue_id,
                }
        messages.append(
            _message(
                registration,
                purpose,
                f"{purpose}:{event.sequence}",
                context=frozen[registration.language],
                attachments=[("event_ics", "registration")],
            )
        )
    return messages


# --- What the e-mails show, read when they are sent ---------------------------


@outbox.context_maker("registration")
def registration_contexts(ids: list[int]) -> dict[int, dict]:
    found = Registration.objects.select_related("event__venue", "event__category", "event__edition").filter(pk__in=ids)
    contexts = {}
    for registration in found:
        with translation.override(registration.language):
            links = {name: absolute_url(path) for name, path in mailed_links(registration).items()}
        event = registration.event
        contexts[registration.pk] = {
            "registration": registration,
            "event": event,
            "venue": event.venue,
            "links": links,
            "event_url": absolute_url(event.get_absolute_url()),
            "event_cancelled": event.status == Event.Status.CANCELLED,
        }
    return contexts


@outbox.attachment_maker("ticket_qr")
def ticket_qr(*, language: str, registration: int) -> outbox.Attachment | None:
    found = Registration.objects.select_related("event").filter(pk=registration).first()
    if found is None or found.status != Registration.Status.CONFIRMED or found.event.status == Event.Status.CANCELLED:
        return None
    return outbox.Attachment(f"ticket-{found.code}.png", qr_png(make_token(found)), "image/png", content_id="ticket-qr")


@outbox.attachment_maker("event_ics")
def event_ics(*, language: str, registration: int) -> outbox.Attachment | None:
    """The ticket's calendar file (registrations.feeds.ticket_body): its activity with the booking
    code and the ticket's link, cancelled when the registration or the activity is."""
    related = ("event__venue", "event__category", "event__edition")
    found = Registration.objects.select_related(*related).filter(pk=registration).first()
    if found is None:
        return None
    body = ticket_body(found, ticket_url=absolute_url(registration_links(found)["ticket_url"]))
    return outbox.Attachment(f"ticket-{found.code}.ics", body, "text/calendar")
