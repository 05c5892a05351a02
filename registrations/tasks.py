"""Celery tasks of registrations: thin, they take ids and call the code that does the work."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from kombu.exceptions import OperationalError as BrokerUnreachable

from .links import mailed_links
from .models import Registration

logger = logging.getLogger(__name__)

#: Queueing a task tries the broker twice at most (the second time on a fresh connection, in
#: case the pooled one was cut): with the broker down, the request goes on at once.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def send_registration_link_later(registration_id: int) -> None:
    """Queue the e-mail once the transaction commits. With the broker down, the answer
    to the request goes out as usual and the e-mail is not sent: an error is logged."""

    def enqueue() -> None:
        try:
            send_registration_link.apply_async((registration_id,), retry_policy=ENQUEUE_RETRY_POLICY)
        except (BrokerUnreachable, OSError) as exc:
            logger.error(
                "links e-mail of registration %s not queued, the broker is unreachable (%s: %s)",
                registration_id,
                type(exc).__name__,
                exc,
            )

    transaction.on_commit(enqueue)


@shared_task(name="registrations.send_registration_link", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_registration_link(registration_id: int) -> None:
    """E-mail a registration's links to its own address (asked for from the registration form)."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    with translation.override(registration.language):
        links = {name: settings.SITE_URL + path for name, path in mailed_links(registration).items()}
        context = {"registration": registration, "event": registration.event, "links": links}
        subject = render_to_string("registrations/email/link_subject.txt", context, using="text").strip()
        body = render_to_string("registrations/email/link_body.txt", context, using="text")
    send_mail(subject, body, None, [registration.email])
