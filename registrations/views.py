"""Attendees' pages: register, ticket, QR image, cancel, "my registrations"."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.ratelimit import REGISTRATION_RATE_LIMITED, registration_rate_limited
from common.site import absolute_url
from programme.calendar import calendar_view, ics_response
from programme.calendar_links import webcal_url
from programme.models import Edition, Event
from programme.selectors import public_events

from . import feeds, selectors, services
from .forms import RegistrationForm, ResendForm
from .links import mine_from_secret, registration_from_secret, registration_links
from .models import Registration
from .tickets import make_token, qr_png, qr_svg


def _registration_or_404(secret: str) -> Registration:
    registration = registration_from_secret(secret)
    if registration is None:
        raise Http404
    return registration


def _event_cancelled(registration: Registration) -> bool:
    return registration.event.status == Event.Status.CANCELLED


def _inline_svg(svg: bytes) -> str:
    """An SVG document as an element to put inside HTML (without its XML declaration)."""
    text = svg.decode()
    return text[text.index("<svg") :]


def event_page_section(sender, *, event: Event, csrf_token: str, **kwargs) -> str:
    """The registration form on the activity page (programme.signals.event_page_section), while
    one can register or join the waiting list; before registration opens, when it opens (no form)."""
    if event.registration_opens_later:
        return render_to_string("registrations/_event_section.html", {"event": event, "opens_later": True})
    if event.registration_status not in (Event.RegistrationStatus.OPEN, Event.RegistrationStatus.WAITLIST):
        return ""
    context = {"event": event, "form": RegistrationForm(event=event), "csrf_token": csrf_token}
    return render_to_string("registrations/_event_section.html", context)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(public_events(), pk=pk)
    if event.capacity is None:
        return redirect(event)
    # Bound on every POST, even an empty one, so that its errors show.
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    context = {"event": event, "form": form}
    if request.method == "GET":
        return render(request, "registrations/register.html", context)
    if registration_rate_limited(request):
        context["error"] = REGISTRATION_RATE_LIMITED
        return render(request, "registrations/register.html", context, status=429)
    if not form.is_valid():
        return render(request, "registrations/register.html", context, status=400)
    data = form.cleaned_data
    try:
        registration = services.registration_create(
            event_id=event.pk,
            name=data["name"],
            email=data["email"],
            seats=data["seats"],
            language=data["language"],
            consent=data["consent"],
        )
    except services.SeatsError as exc:
        form.add_error("seats", services.seats_error(exc.maximum))
        return render(request, "registrations/register.html", context, status=400)
    except services.RegistrationError as exc:
        context["error"] = exc.message
        context["error_code"] = exc.code
        context["resend_email"] = data["email"] if exc.code == "already_registered" else ""
        return render(request, "registrations/register.html", context, status=409)
    return redirect(registration_links(registration)["ticket_url"] + "?new=1")


@require_POST
def resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the existing registration's links to the address typed, never to the screen."""
    event = get_object_or_404(public_events(), pk=pk)
    form = ResendForm(request.POST)
    if registration_rate_limited(request):
        return render(
            request,
            "registrations/register.html",
            {
                "event": event,
                "form": RegistrationForm(event=event),
                "error": REGISTRATION_RATE_LIMITED,
            },
            status=429,
        )
    if not form.is_valid():
        # The form again, with what is wrong with the address (never "check your e-mail").
        form.fields["email"].widget.attrs.update(autocomplete="email", **{"aria-describedby": "id_email-error"})
        return render(request, "registrations/register.html", {"event": event, "resend_form": form}, status=400)
    services.registration_send_link(event_id=event.pk, email=form.cleaned_data["email"])
    return render(request, "registrations/link_sent.html", {"event": event})


@require_safe
@never_cache
def ticket(request: HttpRequest, secret: str) -> HttpResponse:
    registration = _registration_or_404(secret)
    # Only a confirmed registration for an activity still on is a ticket: a cancelled one (or one
    # for a cancelled activity) and a place on the waiting list get no QR code, nothing that
    # makes them look valid, and no "add to my calendar".
    event_cancelled = _event_cancelled(registration)
    valid = registration.status == Registration.Status.CONFIRMED and not event_cancelled
    if event_cancelled or registration.status == Registration.Status.CANCELLED:
        state = "cancelled"
    else:
        state = "valid" if valid else "waitlisted"
    context = {
        "registration": registration,
        "event": registration.event,
        "event_cancelled": event_cancelled,
        "state": state,
        "links": registration_links(registration),
        "qr_svg": _inline_svg(qr_svg(make_token(registration))) if valid else "",
        "position": selectors.waitlist_position(registration),
        "new": request.GET.get("new") == "1",
        "mailed": request.GET.get("mailed") == "1",
        "started": timezone.now() >= registration.event.starts_at,
    }
    return render(request, "registrations/ticket.html", context)


@require_POST
def mail_my_registrations(request: HttpRequest, secret: str) -> HttpResponse:
    """E-mail the link to all the registrations of the ticket's address to that address: the
    holder of one ticket's link sees that ticket only (whoever typed an address does not own it)."""
    registration = _registration_or_404(secret)
    services.registration_mail_links(registration_id=registration.pk)
    return redirect(registration_links(registration)["ticket_url"] + "?mailed=1")


@require_safe
def ticket_qr(request: HttpRequest, secret: str, fmt: str) -> HttpResponse:
    if fmt not in ("png", "svg"):
        raise Http404
    registration = _registration_or_404(secret)
    if registration.status != Registration.Status.CONFIRMED or _event_cancelled(registration):
        raise Http404
    token = make_token(registration)
    if fmt == "svg":
        response = HttpResponse(qr_svg(token), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(token), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_safe
@calendar_view(private=True)
def ticket_ics(request: HttpRequest, secret: str) -> HttpResponse:
    """The ticket's calendar file (a download, named after the booking code): its VEVENT links
    the ticket page and holds the booking code."""
    registration = _registration_or_404(secret)
    ticket_url = absolute_url(registration_links(registration)["ticket_url"])
    body = feeds.ticket_body(registration, ticket_url=ticket_url)
    return ics_response(body, f"ticket-{registration.code}.ics", download=True)


@require_http_methods(["GET", "POST"])
@never_cache
def cancel(request: HttpRequest, secret: str) -> HttpResponse:
    registration = _registration_or_404(secret)
    context = {
        "registration": registration,
        "event": registration.event,
        "links": registration_links(registration),
        "started": timezone.now() >= registration.event.starts_at,
    }
    if request.method == "POST":
        try:
            services.registration_cancel(registration_id=registration.pk, by=Registration.CancelledBy.ATTENDEE)
        except services.RegistrationError as exc:
            context["error"] = exc.message
            return render(request, "registrations/cancel.html", context, status=409)
        return redirect(f"{context['links']['ticket_url']}?cancelled=1")
    return render(request, "registrations/cancel.html", context)


@require_safe
@never_cache
def mine(request: HttpRequest, secret: str) -> HttpResponse:
    return mine_page(request, secret, replaced=request.GET.get("calendar") == "replaced")


def mine_page(request: HttpRequest, secret: str, *, replaced: bool = False, error: str = "", status: int = 200):
    """ "My registrations", with the address's personal calendar feed (made on the first view).
    `replaced`: the feed's address was just replaced; `error`: why replacing it was refused."""
    anchor = mine_from_secret(secret)
    if anchor is None:
        raise Http404
    email, edition_id = anchor.email, anchor.event.edition_id
    edition = get_object_or_404(Edition, pk=edition_id)
    registrations = list(selectors.registrations_of(email, edition_id))
    rows = [{"registration": r, "links": registration_links(r)} for r in registrations]
    feed = feeds.feed_for(email)
    feed_url = absolute_url(reverse("calendar:personal", kwargs={"key": feed.key}))
    context = {
        "feed_url": feed_url,
        "feed_webcal": webcal_url(feed_url),
        "feed_replace_url": reverse("registrations:mine-calendar-replace", kwargs={"secret": secret}),
        "feed_replaced": replaced,
        "feed_error": error,
        "edition": edition,
        "email": email,
        "rows": rows,
        "now": timezone.now(),
        "data_url": reverse("registrations:my-data", kwargs={"secret": secret}),
        "erase_url": reverse("registrations:my-data-erase", kwargs={"secret": secret}),
    }
    response = render(request, "registrations/mine.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_safe
def offline_tickets_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps opened tickets for offline use (served from the root:
    a worker only controls pages under its own path)."""
    response = render(request, "registrations/offline-tickets-sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"  # browsers check for a new version at each visit
    return response
