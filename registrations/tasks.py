"""Celery tasks of registrations: thin, they take ids and call the code that does the work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .links import registration_links
from .models import Registration


def send_registration_link_later(registration_id: int) -> None:
    transaction.on_commit(lambda: send_registration_link.delay(registration_id))


@shared_task(name="registrations.send_registration_link", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_registration_link(registration_id: int) -> None:
    """E-mail a registration's links to its own address (asked for from the registration form)."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    with translation.override(registration.language):
        links = {name: settings.SITE_URL + path for name, path in registration_links(registration).items()}
        context = {"registration": registration, "event": registration.event, "links": links}
        subject = render_to_string("registrations/email/link_subject.txt", context).strip()
        body = render_to_string("registrations/email/link_body.txt", context)
    send_mail(subject, body, None, [registration.email])
