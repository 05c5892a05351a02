"""Secret links that reach a person by e-mail or on a page: signed, never a bare id or code.

- a ticket link names one registration and opens that registration only (its ticket
  page, QR image, calendar file, cancellation). It is what whoever registers is shown,
  on the page after the form and in the API's answer: typing an address proves nothing
  about owning it, so nothing shown to them may open more (SPEC section 5);
- a "my registrations" link names one registration too, and opens all the registrations
  of its e-mail address in its edition (the address itself never appears in a link).
  It is only ever sent to that address, by e-mail (`mailed_links`).
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
    """Paths (no host) of what the holder of one registration's link may open: that
    registration only. `manage_url` is its ticket page, where it is seen and cancelled."""
    secret = ticket_secret(registration)
    ticket_url = reverse("registrations:ticket", kwargs={"secret": secret})
    return {
        "ticket_url": ticket_url,
        "qr_url": reverse("ticket-qr", kwargs={"secret": secret, "fmt": "png"}),
        "qr_svg_url": reverse("ticket-qr", kwargs={"secret": secret, "fmt": "svg"}),
        "ics_url": reverse("ticket-ics", kwargs={"secret": secret}),
        "cancel_url": reverse("registrations:cancel", kwargs={"secret": secret}),
        "manage_url": ticket_url,
        # A button: it e-mails `mine_url` to the registration's address, never shows it.
        "mail_mine_url": reverse("registrations:mail-mine", kwargs={"secret": secret}),
    }


def mailed_links(registration: Registration) -> dict[str, str]:
    """The links of an e-mail to the registration's own address: its registration's links,
    and `mine_url`, which opens every registration of that address. Never put on a page."""
    return {
        **registration_links(registration),
        "mine_url": reverse("registrations:mine", kwargs={"secret": mine_secret(registration)}),
    }
