"""Secret links that reach a person by e-mail or on a page: signed, never a bare id or code.

- a ticket link names one registration (its ticket page, QR image, calendar file, cancellation);
- a "my registrations" link names one registration too, and opens all the registrations
  of its e-mail address in its edition (the address itself never appears in a link).
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from .models import Registration

_TICKET = signing.Signer(salt="fortnight.registrations.ticket-link")
_MINE = signing.Signer(salt="fortnight.registrations.my-registrations")


def ticket_secret(registration: Registration) -> str:
    return _TICKET.sign(registration.code)


def registration_from_secret(secret: str) -> Registration | None:
    try:
        code = _TICKET.unsign(secret)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("event__venue", "event__edition", "event__category")
        .filter(code=code)
        .first()
    )


def mine_secret(registration: Registration) -> str:
    return _MINE.sign(registration.code)


def mine_from_secret(secret: str) -> Registration | None:
    """The registration a "my registrations" link was made from."""
    try:
        code = _MINE.unsign(secret)
    except signing.BadSignature:
        return None
    return Registration.objects.select_related("event").filter(code=code).first()


def registration_links(registration: Registration) -> dict[str, str]:
    """Paths (no host) of everything a registration's holder may open."""
    secret = ticket_secret(registration)
    return {
        "ticket_url": reverse("registrations:ticket", kwargs={"secret": secret}),
        "qr_url": reverse("ticket-qr", kwargs={"secret": secret, "fmt": "png"}),
        "qr_svg_url": reverse("ticket-qr", kwargs={"secret": secret, "fmt": "svg"}),
        "ics_url": reverse("ticket-ics", kwargs={"secret": secret}),
        "cancel_url": reverse("registrations:cancel", kwargs={"secret": secret}),
        "manage_url": reverse("registrations:mine", kwargs={"secret": mine_secret(registration)}),
    }
