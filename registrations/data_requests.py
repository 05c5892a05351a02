"""A person's requests about their data (SPEC section 6, registrations.privacy): a copy of
everything kept about their address (JSON), and its deletion.

- The attendee asks from "my registrations", a page that opens only from a link e-mailed to the
  address. The copy downloads from there. Deletion is confirmed by a second e-mailed link (whoever
  holds an old e-mail for a while should not delete with one click): the link names the
  registration the request came from and expires after ERASE_LINK_MAX_AGE; once the data is
  deleted its booking code is drawn again, so the link, like every other, stops working.
- Organisers do both from the back office for a request received by post or by phone, once they
  have checked who asks. The address is posted in a form, never put in a URL.

Every copy and deletion writes an AccessLog row (without the address).
"""

from __future__ import annotations

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from common.site import absolute_url
from notifications import outbox
from notifications.models import Message
from programme.access import organiser_required
from programme.models import Edition
from programme.selectors import current_edition

from . import privacy
from .audit import record_access
from .links import mine_from_secret
from .mail import LINK_MAIL_INTERVAL
from .models import NOTICE_VERSION, AccessLog, Registration

_ERASE = "fortnight.registrations.erase-my-data"
#: How long a deletion link works, in seconds.
ERASE_LINK_MAX_AGE = 2 * 24 * 3600


def erase_token(registration: Registration) -> str:
    return signing.dumps(registration.code, salt=_ERASE)


def _erase_anchor(token: str) -> Registration | None:
    try:
        code = signing.loads(token, salt=_ERASE, max_age=ERASE_LINK_MAX_AGE)
    except signing.BadSignature:  # altered, or expired (SignatureExpired is one)
        return None
    return Registration.objects.filter(code=code, anonymised_at__isnull=True).first()


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _mine_or_404(secret: str) -> Registration:
    anchor = mine_from_secret(secret)
    if anchor is None or anchor.anonymised_at is not None:
        raise Http404
    return anchor


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice, with its version and the current edition's retention period."""
    edition = current_edition()
    context = {
        "contact_email": settings.CONTACT_EMAIL,
        "version": datetime.date.fromisoformat(NOTICE_VERSION),
        "retention_days": edition.retention_days if edition else Edition._meta.get_field("retention_days").default,
    }
    return render(request, "privacy.html", context)


# --- The attendee --------------------------------------------------------------------------------


@require_safe
@never_cache
def my_data(request: HttpRequest, secret: str) -> HttpResponse:
    """Everything kept about the address of a "my registrations" link, as a JSON file."""
    anchor = _mine_or_404(secret)
    data = privacy.subject_data(anchor.email)
    record_access(
        user=None,
        channel=AccessLog.Channel.ATTENDEE,
        action=AccessLog.Action.SUBJECT_EXPORT,
        rows=len(data["registrations"]),
    )
    return _json_download(data, "my-data.json")


@require_http_methods(["GET", "POST"])
@never_cache
def my_data_erase(request: HttpRequest, secret: str) -> HttpResponse:
    """Ask for the deletion of the address's data: the confirmation link goes to the address."""
    anchor = _mine_or_404(secret)
    context = {
        "mine_url": reverse("registrations:mine", kwargs={"secret": secret}),
        "count": privacy.subject_registrations(anchor.email).count(),
    }
    if request.method == "POST":
        erase_mail(anchor)
        return render(request, "registrations/erase_sent.html", context)
    return render(request, "registrations/erase_ask.html", context)


def erase_mail(anchor: Registration, *, now=None) -> None:
    """The e-mail with the deletion link, to the anchor's own address: one per LINK_MAIL_INTERVAL."""
    now = now or timezone.now()
    with translation.override(anchor.language):
        url = absolute_url(reverse("registrations:erase", kwargs={"token": erase_token(anchor)}))
    interval = int(now.timestamp()) // LINK_MAIL_INTERVAL
    message = outbox.message(
        key=f"registration-{anchor.pk}:erase:{interval}",
        purpose=Message.Purpose.ERASURE,
        recipient=anchor.email,
        language=anchor.language,
        template="registrations/email/erasure",
        context={"erase_url": url},
        concerns=("registration", anchor.pk),
        now=now,
    )
    outbox.messages_create([message])


@require_http_methods(["GET", "POST"])
@never_cache
def erase(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed deletion link: a page that says what goes, and the button that deletes it."""
    anchor = _erase_anchor(token)
    if anchor is None:
        return render(request, "registrations/erase_invalid.html", status=404)
    if request.method == "POST":
        count = privacy.subject_erase(anchor.email)
        record_access(user=None, channel=AccessLog.Channel.ATTENDEE, action=AccessLog.Action.SUBJECT_DELETE, rows=count)
        return render(request, "registrations/erase_done.html", {"count": count})
    context = {"count": privacy.subject_registrations(anchor.email).count()}
    return render(request, "registrations/erase_confirm.html", context)


# --- The organisers ------------------------------------------------------------------------------


class SubjectRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("The person's e-mail address"), max_length=254)
    action = forms.ChoiceField(
        label=gettext_lazy("What they ask for"),
        choices=(
            ("export", gettext_lazy("A copy of their data (JSON file)")),
            ("erase", gettext_lazy("The deletion of their data")),
        ),
        widget=forms.RadioSelect,
        initial="export",
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked that the request comes from the person who holds this address. Deleting cancels "
            "their registrations to come (their seats go to the waiting list) and cannot be undone."
        ),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "erase" and not cleaned.get("confirm"):
            self.add_error("confirm", gettext("Tick this box to delete the data."))
        return cleaned


@require_http_methods(["GET", "POST"])
@never_cache
@organiser_required
def backoffice_requests(request: HttpRequest) -> HttpResponse:
    """An organiser answers a request received by post or phone: the copy, or the deletion."""
    form = SubjectRequestForm(request.POST if request.method == "POST" else None)
    context = {"section": "privacy", "form": form}
    if request.method == "GET":
        return render(request, "backoffice/privacy_requests.html", context)
    if not form.is_valid():
        return render(request, "backoffice/privacy_requests.html", context, status=400)
    email = form.cleaned_data["email"]
    if form.cleaned_data["action"] == "export":
        data = privacy.subject_data(email)
        record_access(
            user=request.user,
            channel=AccessLog.Channel.BACKOFFICE,
            action=AccessLog.Action.SUBJECT_EXPORT,
            rows=len(data["registrations"]),
        )
        return _json_download(data, "personal-data.json")
    count = privacy.subject_erase(email)
    record_access(
        user=request.user, channel=AccessLog.Channel.BACKOFFICE, action=AccessLog.Action.SUBJECT_DELETE, rows=count
    )
    messages.success(
        request,
        translation.ngettext(
            "The data of that address is deleted: %(count)d registration anonymised.",
            "The data of that address is deleted: %(count)d registrations anonymised.",
            count,
        )
        % {"count": count},
    )
    return redirect("backoffice:privacy")


#: Added to the registrations' pages (under the language prefix).
urlpatterns = [
    path("my/delete/<str:token>/", erase, name="erase"),
    path("my/<str:secret>/data.json", my_data, name="my-data"),
    path("my/<str:secret>/delete/", my_data_erase, name="my-data-erase"),
]
#: Added to the back office's.
backoffice_urlpatterns = [
    path("privacy/", backoffice_requests, name="privacy"),
]
