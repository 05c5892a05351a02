"""The association portal (`/<lang>/portal/`): a member's proposals and the association's
activities. Every view answers for the association the member acts for (programme.access),
and shows nothing of any other: another association's proposal is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .access import ACTING_ASSOCIATION, member_required, portal_refused
from .forms import ProposalForm, slot_formset
from .models import Edition, Event, Proposal, ProposalNote
from .roles import member_associations
from .selectors import current_edition, event_counts, next_call_edition, open_call_edition


def _context(request: HttpRequest, association, section: str, **extra) -> dict:
    return {
        "association": association,
        "section": section,
        "several_associations": member_associations(request.user).count() > 1,
        **extra,
    }


def next_step(proposal: Proposal) -> str:
    """What the association has to do next with its proposal, or what happens next."""
    state = Proposal.State
    if proposal.state == state.DRAFT:
        closes = proposal.edition.call_closes_at
        if closes:
            when = formats.date_format(timezone.localtime(closes), "DATETIME_FORMAT")
            if timezone.now() < closes:
                return _("Complete it and submit it before the call closes on %(when)s.") % {"when": when}
            return _("The call closed on %(when)s: this draft can no longer be submitted.") % {"when": when}
        return _("Complete it and submit it while the call is open.")
    return {
        state.SUBMITTED: _("The organisers are reviewing it; they will tell you their decision by e-mail."),
        state.CHANGES_REQUESTED: _("Make the changes the organisers ask for, then submit it again."),
        state.ACCEPTED: _("Accepted: the organisers are scheduling it."),
        state.REJECTED: _("Not accepted for this edition."),
        state.WITHDRAWN: _("Withdrawn."),
    }[proposal.state]


def _proposals(association):
    return (
        Proposal.objects.filter(association=association)
        .select_related("edition", "category")
        .order_by("-updated_at", "-pk")
    )


@never_cache
@member_required
def home(request: HttpRequest, association) -> HttpResponse:
    edition = current_edition()
    proposals = list(_proposals(association)[:50])
    events = []
    if edition is not None:
        events = list(
            Event.objects.filter(association=association, edition=edition)
            .exclude(status=Event.Status.DRAFT)
            .select_related("venue")
            .order_by("starts_at", "pk")
        )
    counts = event_counts(events)
    return render(
        request,
        "portal/home.html",
        _context(
            request,
            association,
            "home",
            edition=edition,
            call=open_call_edition(),
            call_refusal=_call_refusal(),
            proposals=[(p, next_step(p)) for p in proposals],
            activities=[(event, counts.get(event.pk, {})) for event in events],
        ),
    )


@never_cache
@member_required
def proposals(request: HttpRequest, association) -> HttpResponse:
    rows = [(p, next_step(p)) for p in _proposals(association)]
    return render(request, "portal/proposals.html", _context(request, association, "proposals", proposals=rows))


def _form_page(request, association, *, proposal: Proposal | None, edition: Edition) -> HttpResponse:
    """The proposal form (new or edit): GET shows it, POST saves through the services."""
    data = request.POST if request.method == "POST" else None
    form = ProposalForm(data=data, instance=proposal)
    slots = slot_formset(data=data, proposal=proposal)
    status = 200
    if data is not None:
        if form.is_valid() and slots.is_valid():
            try:
                if proposal is None:
                    proposal = services.proposal_create(
                        edition=edition,
                        association=association,
                        user=request.user,
                        data=form.proposal_data(),
                        slots=slots.slots(),
                    )
                    messages.success(request, _("Your proposal is saved as a draft. Submit it when it is ready."))
                else:
                    services.proposal_update(
                        proposal=proposal, user=request.user, data=form.proposal_data(), slots=slots.slots()
                    )
                    messages.success(request, _("Your changes are saved."))
                return redirect("portal:proposal", pk=proposal.pk)
            except services.ProposalError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None if field in ("slots", "__all__") else field, errors)
        status = 400
    return render(
        request,
        "portal/proposal_form.html",
        _context(request, association, "proposals", form=form, slots=slots, proposal=proposal, edition=edition),
        status=status,
    )


def _call_refusal() -> services.ProposalError | None:
    """Why no proposal can be made now (None while a call is open): when the next call opens,
    or when the current edition's closed."""
    if open_call_edition() is not None:
        return None
    edition = next_call_edition() or current_edition()
    if edition is None:
        return services.ProposalError("no_call", _("There is no call for proposals for this edition."))
    return services.call_refusal(edition)


@never_cache
@member_required
def proposal_new(request: HttpRequest, association) -> HttpResponse:
    """A new proposal, to the edition whose call is open (the next one, when the current
    edition's call is over)."""
    edition = open_call_edition()
    if edition is None:
        return render(
            request,
            "portal/call_closed.html",
            _context(request, association, "proposals", message=_call_refusal().message),
            status=409 if request.method == "POST" else 200,
        )
    return _form_page(request, association, proposal=None, edition=edition)


def _own(association, pk: int) -> Proposal:
    found = Proposal.objects.select_related("edition", "category", "venue")
    return get_object_or_404(found, pk=pk, association=association)


@never_cache
@member_required
def proposal_detail(request: HttpRequest, pk: int, association) -> HttpResponse:
    proposal = _own(association, pk)
    notes = proposal.notes.exclude(kind=ProposalNote.Kind.COMMENT).select_related("by")
    return render(
        request,
        "portal/proposal_detail.html",
        _context(
            request,
            association,
            "proposals",
            proposal=proposal,
            next_step=next_step(proposal),
            slots=proposal.slots.all(),
            notes=notes,
            actions=services.proposal_actions(proposal=proposal, user=request.user),
            events=proposal.events.order_by("starts_at"),
        ),
    )


@never_cache
@member_required
def proposal_edit(request: HttpRequest, pk: int, association) -> HttpResponse:
    proposal = _own(association, pk)
    if not proposal.is_editable:
        messages.error(
            request,
            _("This proposal is “%(state)s”: it can only be changed as a draft or when changes are requested.")
            % {"state": proposal.get_state_display()},
        )
        return redirect("portal:proposal", pk=proposal.pk)
    return _form_page(request, association, proposal=proposal, edition=proposal.edition)


@require_POST
@member_required
def proposal_action(request: HttpRequest, pk: int, association) -> HttpResponse:
    """Submit or withdraw, from the proposal's page."""
    proposal = _own(association, pk)
    action = request.POST.get("action", "")
    if action not in ("submit", "withdraw"):
        messages.error(request, _("Unknown action: %(action)s.") % {"action": action[:50]})
        return redirect("portal:proposal", pk=proposal.pk)
    try:
        services.proposal_transition(
            proposal=proposal, action=action, user=request.user, message=request.POST.get("message", "")[:5000]
        )
    except services.ProposalError as exc:
        messages.error(request, exc.message)
    else:
        done = {"submit": _("Your proposal is submitted."), "withdraw": _("Your proposal is withdrawn.")}
        messages.success(request, done[action])
    return redirect("portal:proposal", pk=proposal.pk)


@never_cache
@login_required
def choose(request: HttpRequest) -> HttpResponse:
    """A member of several associations picks the one they act for (kept in the session)."""
    associations = list(member_associations(request.user))
    if not associations:
        return portal_refused(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        chosen = next((a for a in associations if str(a.pk) == request.POST.get("association")), None)
        if chosen is not None:
            request.session[ACTING_ASSOCIATION] = chosen.pk
            return redirect(next_url or "portal:home")
    current = request.session.get(ACTING_ASSOCIATION)
    return render(
        request,
        "portal/choose.html",
        {
            "associations": associations,
            "current": current,
            "next": next_url,
            "section": "choose",
            "several_associations": len(associations) > 1,
        },
        status=400 if request.method == "POST" else 200,
    )
