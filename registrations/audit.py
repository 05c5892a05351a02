"""The access log (registrations.models.AccessLog): one call where a list of attendees, or one
person's data, is shown, exported, printed or deleted."""

from __future__ import annotations

from programme.models import Edition, Event

from .models import AccessLog


def record_access(
    *,
    user,
    channel: str,
    action: str,
    event: Event | None = None,
    edition: Edition | None = None,
    rows: int = 0,
) -> AccessLog:
    """Write who (`user`, may be anonymous for an attendee's own request) did `action` through
    `channel` on `event` (or the whole `edition`), over `rows` registrations."""
    known = user is not None and user.is_authenticated
    if edition is None and event is not None:
        edition = event.edition
    return AccessLog.objects.create(
        user=user if known else None,
        username=user.get_username() if known else "",
        channel=channel,
        action=action,
        event=event,
        edition=edition,
        rows=rows,
    )
