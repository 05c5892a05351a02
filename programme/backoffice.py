"""The organisers' back office (`/<lang>/backoffice/`): the review of proposals (queue, a
proposal with its history, comments, messages and decisions) and the schedule; the Django admin
stays for raw data. Every write goes through programme.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import services
from .access import organiser_required
from .filters import ProposalFilter
from .forms import DecisionForm, NoteForm
from .models import Proposal
from .roles import is_member
from .selectors import current_edition


@never_cache
@require_safe
@organiser_required
def home(request: HttpRequest) -> HttpResponse:
    edition = current_edition()
    by_state = {}
    if edition is not None:
        rows = Proposal.objects.filter(edition=edition).order_by().values("state").annotate(count=Count("pk"))
        by_state = {row["state"]: row["count"] for row in rows}
    states = [(value, label, by_state.get(value, 0)) for value, label in Proposal.State.choices]
    return render(request, "backoffice/home.html", {"section": "home", "edition": edition, "states": states})


@never_cache
@require_safe
@organiser_required
def proposals(request: HttpRequest) -> HttpResponse:
    """The review queue: the current edition's submitted proposals unless the filters say otherwise."""
    data = request.GET.copy()
    edition = current_edition()
    if "edition" not in data and edition is not None:
        data["edition"] = edition.slug
    if "state" not in data:
        data.setlist("state", [Proposal.State.SUBMITTED])
    queryset = Proposal.objects.select_related("association", "category", "edition").annotate(slot_count=Count("slots"))
    found = ProposalFilter(data, queryset=queryset.order_by("updated_at", "pk"))
    valid = found.is_valid()
    return render(
        request,
        "backoffice/proposals.html",
        {"section": "proposals", "filter": found, "proposals": list(found.qs) if valid else []},
        status=200 if valid else 400,
    )


def _page(request, proposal: Proposal, *, note_form=None, decision_form=None, status=200) -> HttpResponse:
    actions = services.proposal_actions(proposal=proposal, user=request.user)
    decision_form = decision_form or DecisionForm(initial={"venue": proposal.venue_id})
    decision_form.fields["action"].choices = [c for c in decision_form.fields["action"].choices if c[0] in actions]
    return render(
        request,
        "backoffice/proposal.html",
        {
            "section": "proposals",
            "proposal": proposal,
            "slots": proposal.slots.all(),
            "notes": proposal.notes.select_related("by"),
            "events": proposal.events.select_related("venue").order_by("starts_at"),
            "actions": actions,
            "own": is_member(request.user, proposal.association),
            "note_form": note_form or NoteForm(),
            "decision_form": decision_form,
        },
        status=status,
    )


def _proposal(pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("association", "edition", "category", "venue"), pk=pk)


@never_cache
@require_safe
@organiser_required
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _proposal(pk))


@require_POST
@organiser_required
def proposal_note(request: HttpRequest, pk: int) -> HttpResponse:
    """An internal comment, or a message e-mailed to the association."""
    found = _proposal(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_note_add(
                proposal=found,
                user=request.user,
                text=form.cleaned_data["text"],
                to_association=form.cleaned_data["to_association"],
            )
        except (services.ProposalError, ValidationError) as exc:
            form.add_error("text", getattr(exc, "message", None) or exc.messages)
        else:
            sent = form.cleaned_data["to_association"]
            messages.success(request, _("Message sent to the association.") if sent else _("Comment added."))
            return redirect("backoffice:proposal", pk=found.pk)
    return _page(request, found, note_form=form, status=400)


@require_POST
@organiser_required
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Request changes, accept (making its draft events) or reject, with a message."""
    found = _proposal(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.proposal_transition(
                proposal=found,
                action=action,
                user=request.user,
                message=form.cleaned_data["message"],
                venue=form.cleaned_data["venue"],
            )
        except services.VenueClash as exc:
            form.add_error("venue", exc.message)
        except services.ProposalError as exc:
            form.add_error("venue" if exc.code == "venue_needed" else None, exc.message)
        else:
            done = {
                "request_changes": _("Changes requested: the association has been told."),
                "accept": _("Accepted: its draft activities are below, to adjust and publish."),
                "reject": _("Rejected: the association has been told."),
            }
            messages.success(request, done[action])
            return redirect("backoffice:proposal", pk=found.pk)
    return _page(request, found, decision_form=form, status=400)
