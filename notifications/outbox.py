"""Writing e-mails into the outbox and queueing their delivery.

The outbox knows no other app of ours: callers hand it the recipient, the purpose, a
unique key, the language, a template and its context (JSON, what must be kept as it was:
the old time of a moved activity, say), and the attachments to make when the message is
sent. What a message is about (`concerns`, like ("registration", 12)) is read afresh when
it is sent, by the context maker that the app owning it registers (`context_maker`), one
query per batch; attachments too (`attachment_maker`).

A message is written in the caller's transaction (the change that causes it and the
message commit together or not at all) and its delivery is queued once that transaction
commits. With the broker down the row simply waits: the sweep (notifications.tasks)
queues it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from common.site import site_host

from .models import Message

logger = logging.getLogger(__name__)

#: Messages handed to one delivery task: they go out over one SMTP connection.
BATCH_SIZE = 100
#: Queueing a task tries the broker twice at most (the second time on a fresh connection, in
#: case the pooled one was cut): with the broker down, the request goes on at once.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str
    #: Set for an image the HTML body shows inline (`<img src="cid:...">`).
    content_id: str | None = None


#: kind -> function(language=..., **args) -> Attachment | None (None: nothing to attach any more).
_MAKERS: dict[str, Callable[..., Attachment | None]] = {}
#: concerns type -> function(ids) -> {id: context} (an id missing: that object is gone).
_CONTEXT_MAKERS: dict[str, Callable[[list[int]], dict[int, dict]]] = {}


def context_maker(concerns_type: str):
    """Register the function that reads, for a batch of messages about objects of this type,
    what their templates show of them: function(ids) -> {id: context}."""

    def register(function):
        _CONTEXT_MAKERS[concerns_type] = function
        return function

    return register


def make_contexts(concerns_type: str, ids: list[int]) -> dict[int, dict] | None:
    """The contexts of these objects, or None when nothing is registered for the type."""
    maker = _CONTEXT_MAKERS.get(concerns_type)
    return None if maker is None else maker(ids)


def attachment_maker(kind: str):
    """Register the function that makes the attachments of `kind` when a message is sent."""

    def register(function):
        _MAKERS[kind] = function
        return function

    return register


def make_attachment(kind: str, args: dict, language: str) -> Attachment | None:
    return _MAKERS[kind](language=language, **args)


def message(
    *,
    key: str,
    purpose: str,
    recipient: str,
    language: str,
    template: str,
    context: dict,
    concerns: tuple[str, int],
    attachments: Sequence[tuple[str, dict]] = (),
    now=None,
) -> Message:
    """A message not saved yet (give it to `messages_create`). `key` names what it is and
    which version (`registration-12:confirmed`): a second message with the same key is never made."""
    now = now or timezone.now()
    return Message(
        key=key,
        purpose=purpose,
        recipient=recipient,
        language=language,
        template=template,
        context=context,
        concerns_type=concerns[0],
        concerns_id=concerns[1],
        attachments=[{"kind": kind, "args": args} for kind, args in attachments],
        message_id=make_msgid(domain=site_host()),
        created_at=now,
        not_before=now,
    )


def messages_create(messages: Iterable[Message], *, new: bool = False) -> None:
    """Write the messages in the caller's transaction (those whose key exists already are
    left as they are) and queue their delivery once it commits.

    `new=True` says that no message can have these keys yet, because they name rows that
    this transaction made (a registration's confirmation): one INSERT, no look-up, and a
    key that exists after all is an error, which rolls the caller's change back."""
    messages = list(messages)
    if not messages:
        return
    if new:
        ids = [m.pk for m in Message.objects.bulk_create(messages, batch_size=1000)]
    else:
        Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
        keys = [m.key for m in messages]
        ids = []
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            ids += Message.objects.filter(key__in=chunk, status=Message.Status.PENDING).values_list("pk", flat=True)
    transaction.on_commit(lambda: queue(ids))


def queue(ids: Sequence[int]) -> int:
    """Hand the messages to the workers, BATCH_SIZE per task; returns how many were queued.
    A broker that does not answer is logged, and the messages wait for the sweep."""
    from .tasks import deliver_messages  # the tasks module imports this one

    ids = sorted(ids)
    queued = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        try:
            deliver_messages.apply_async((batch,), retry_policy=ENQUEUE_RETRY_POLICY)
        except (BrokerUnreachable, OSError) as exc:
            logger.error(
                "e-mails not queued (%s), the broker is unreachable (%s: %s); the sweep will queue them",
                len(ids) - queued,
                type(exc).__name__,
                exc,
            )
            break
        queued += len(batch)
    return queued


def claimable(now) -> Q:
    """Rows a worker may claim: pending ones that are due, and rows that another worker
    claimed longer than MAIL_SENDING_TIMEOUT ago (it died, or lost its connection)."""
    stale = now - timedelta(seconds=settings.MAIL_SENDING_TIMEOUT)
    return Q(status=Message.Status.PENDING, not_before__lte=now) | Q(
        status=Message.Status.SENDING, claimed_at__lt=stale
    )


def lost(now) -> Q:
    """Rows whose delivery was lost: pending a whole sweep period after they were due (their
    task never reached a worker, or the broker was down), or claimed and never finished."""
    due = now - timedelta(seconds=settings.MAIL_SWEEP_SECONDS)
    stale = now - timedelta(seconds=settings.MAIL_SENDING_TIMEOUT)
    return Q(status=Message.Status.PENDING, not_before__lte=due) | Q(
        status=Message.Status.SENDING, claimed_at__lt=stale
    )


def messages_sweep(*, now=None, limit: int = 50_000) -> int:
    """Queue again the messages whose delivery was lost; returns how many."""
    now = now or timezone.now()
    ids = list(Message.objects.filter(lost(now)).order_by("pk").values_list("pk", flat=True)[:limit])
    if ids:
        logger.warning("sweep: e-mails left behind (%s), queued again", len(ids))
    return queue(ids)


def messages_send_again(ids: Iterable[int]) -> int:
    """Give failed (or sent) messages another go, as an organiser asked; returns how many."""
    ids = list(ids)
    now = timezone.now()
    count = (
        Message.objects.filter(pk__in=ids)
        .exclude(status=Message.Status.SENDING)
        .update(status=Message.Status.PENDING, attempts=0, not_before=now, claimed_at=None)
    )
    transaction.on_commit(lambda: queue(ids))
    return count
