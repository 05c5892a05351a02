"""The back office's activities (`/<lang>/backoffice/activities/`): the list of an edition's
activities, and the form that creates, changes, publishes and cancels one. Every write goes
through programme.services (event_create, event_update, event_publish, event_cancel), so that a
move or a cancellation tells the attendees (the `event_changed` signal) and bumps the calendar
sequence; the admin stays for raw data."""

from __future__ import annotations

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import services
from .access import organiser_required
from .filters import EditionQueryForm
from .forms import EventForm
from .models import Edition, Event
from .selectors import current_edition, event_counts

#: Activities per page of the list.
PAGE_SIZE = 100
#: A change of one of these fields of a published activity tells its attendees (notifications).
MOVE_FIELDS = ("starts_at", "ends_at", "venue_id")


class EventListForm(EditionQueryForm):
    """The list's query: which edition, which status, words of the title. An unknown value, or one
    given twice differently, is an error (a 400)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Title"), required=False, max_length=200, help_text=_("Words of the title."))

    def __init__(self, data, *, editions: list[Edition]) -> None:
        super().__init__(data, editions=editions)
        self.fields["status"].choices = [("", _("All statuses")), *Event.Status.choices]
        self.fields["q"].widget.input_type = "search"


def _search(queryset: QuerySet[Event], text: str) -> QuerySet[Event]:
    """Activities whose title, in any language, holds every word of `text`."""
    for word in text.split()[:8]:
        queryset = queryset.filter(
            Q(title_fr__icontains=word) | Q(title_nl__icontains=word) | Q(title_en__icontains=word)
        )
    return queryset


@never_cache
@require_safe
@organiser_required
def events(request: HttpRequest) -> HttpResponse:
    """The activities of the current edition (or `?edition=<slug>`), by start time, filtered by
    status and by words of the title; 100 a page, in a number of queries that does not grow with
    them."""
    form = EventListForm.for_request(request)
    context = {"section": "events", "form": form, "edition": None, "page": None}
    if not form.is_valid():
        return render(request, "backoffice/events.html", context, status=400)
    edition = form.chosen_edition
    if edition is None:  # none asked for, and none is current: the page asks to choose one
        return render(request, "backoffice/events.html", context)

    queryset = (
        Event.objects.filter(edition=edition)
        .select_related("venue", "category", "association")
        .order_by("starts_at", "pk")
    )
    if form.cleaned_data["status"]:
        queryset = queryset.filter(status=form.cleaned_data["status"])
    if form.cleaned_data["q"]:
        queryset = _search(queryset, form.cleaned_data["q"])
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = form.data.copy()
    query.pop("page", None)
    context.update(edition=edition, page=page, query=query.urlencode())
    return render(request, "backoffice/events.html", context)


def _event(pk: int) -> Event:
    return get_object_or_404(Event.objects.select_related("edition", "venue", "category", "association"), pk=pk)


def _attendees(event: Event) -> int:
    """The activity's active registrations (confirmed or waiting): who hears of a move or a cancellation."""
    counts = event_counts([event]).get(event.pk, {})
    return counts.get("confirmed", 0) + counts.get("waitlisted", 0)


def _form_page(request: HttpRequest, form: EventForm, event: Event | None, *, status: int = 200) -> HttpResponse:
    context = {"section": "events", "form": form, "event": event}
    if event is not None:
        context["attendees"] = _attendees(event)
        context["public"] = event.status == Event.Status.PUBLISHED and event.edition.is_published
    return render(request, "backoffice/event_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def event_new(request: HttpRequest) -> HttpResponse:
    """A new activity, for the current edition unless another is chosen; a draft or published."""
    if request.method != "POST":
        edition = current_edition()
        initial = {"edition": edition.pk} if edition is not None else {}
        return _form_page(request, EventForm(initial={**initial, "status": Event.Status.DRAFT}), None)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            created = services.event_create(data=form.event_data())
        except ValidationError as exc:  # a venue clash, or what only the service sees
            form.add_model_error(exc)
        else:
            if created.status == Event.Status.PUBLISHED:
                messages.success(request, gettext("The activity is saved and published."))
            else:
                messages.success(request, gettext("The activity is saved as a draft."))
            return redirect("backoffice:event-edit", pk=created.pk)
    return _form_page(request, form, None, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an activity. Moving a published one (time, venue) tells its attendees: the page says
    how many."""
    event = _event(pk)
    if request.method != "POST":
        return _form_page(request, EventForm(instance=event), event)
    # The form works on a copy: the page keeps showing the activity as it is saved.
    form = EventForm(request.POST, instance=copy.copy(event))
    if form.is_valid():
        try:
            updated = services.event_update(event=form.instance, data=form.event_data())
        except ValidationError as exc:  # a venue clash, a capacity below the seats taken...
            form.add_model_error(exc)
        else:
            moved = any(getattr(event, name) != getattr(updated, name) for name in MOVE_FIELDS)
            told = _attendees(updated) if moved and event.status == Event.Status.PUBLISHED else 0
            if told:
                messages.success(
                    request,
                    ngettext(
                        "The activity is saved. Its %(count)d registered attendee is being told of the change "
                        "by e-mail.",
                        "The activity is saved. Its %(count)d registered attendees are being told of the change "
                        "by e-mail.",
                        told,
                    )
                    % {"count": told},
                )
            else:
                messages.success(request, gettext("The activity is saved."))
            return redirect("backoffice:event-edit", pk=event.pk)
    return _form_page(request, form, event, status=400)


@require_POST
@organiser_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft: it enters the programme and takes registrations."""
    event = _event(pk)
    if event.status != Event.Status.DRAFT:
        messages.error(
            request,
            gettext("Only a draft can be published: this activity is “%(status)s”.")
            % {"status": event.get_status_display()},
        )
        return _form_page(request, EventForm(instance=event), event, status=400)
    try:
        services.event_publish(event=copy.copy(event))
    except ValidationError as exc:  # a venue clash with an activity saved before the checks existed
        messages.error(request, " ".join(exc.messages))
        return _form_page(request, EventForm(instance=event), event, status=400)
    messages.success(request, gettext("The activity is published."))
    return redirect("backoffice:event-edit", pk=event.pk)


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        required=True, error_messages={"required": _("Tick the box to confirm that the activity is cancelled.")}
    )

    def __init__(self, *args, attendees: int, tell: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if tell and attendees:
            label = ngettext(
                "Yes, cancel it and tell the %(count)d registered attendee",
                "Yes, cancel it and tell the %(count)d registered attendees",
                attendees,
            ) % {"count": attendees}
        else:
            label = gettext("Yes, cancel it")
        self.fields["confirm"].label = label


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an activity, after a confirmation that says how many attendees are told (those of a
    published activity; a draft's were told nothing of it yet)."""
    event = _event(pk)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, gettext("This activity is cancelled already."))
        return redirect("backoffice:event-edit", pk=event.pk)
    attendees = _attendees(event)
    tell = event.status == Event.Status.PUBLISHED
    posted = request.method == "POST"
    form = CancelForm(request.POST if posted else None, attendees=attendees, tell=tell)
    if posted:
        if form.is_valid():
            services.event_cancel(event=copy.copy(event))
            if tell and attendees:
                done = ngettext(
                    "The activity is cancelled. Its %(count)d registered attendee is being told by e-mail.",
                    "The activity is cancelled. Its %(count)d registered attendees are being told by e-mail.",
                    attendees,
                ) % {"count": attendees}
            else:
                done = gettext("The activity is cancelled.")
            messages.success(request, done)
            return redirect("backoffice:event-edit", pk=event.pk)
        status = 400
    else:
        status = 200
    context = {"section": "events", "event": event, "form": form, "attendees": attendees, "tell": tell}
    return render(request, "backoffice/event_cancel.html", context, status=status)
