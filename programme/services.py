"""Writes to the programme. Views, the API and the admin call these; they hold no logic of their own."""

from __future__ import annotations

import datetime
import itertools
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from .models import Association, Edition, Event, Proposal, ProposalNote, ProposalSlot, Venue
from .roles import is_member, is_organiser
from .signals import event_capacity_changing, event_changed, proposal_noted

logger = logging.getLogger(__name__)


#: Events that hold their venue: a cancelled one frees it.
HOLDING_VENUE = (Event.Status.DRAFT, Event.Status.PUBLISHED)
#: Changing one of these may make an event clash with another in its venue.
SCHEDULE_FIELDS = ("venue_id", "starts_at", "ends_at", "status")


class VenueClash(ValidationError):
    """Another draft or published event holds the venue for part of that time. A ValidationError
    on `starts_at`, so that forms show it by the time; the API answers it as a 409 naming `other`."""

    code = "venue_clash"

    def __init__(self, other: Event):
        self.other = other
        start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
        end_day = "" if end.date() == start.date() else f"{formats.date_format(end, 'DATE_FORMAT')} "
        when = (
            f"{formats.date_format(start, 'DATE_FORMAT')}, "
            f"{formats.time_format(start, 'H:i')}\u2013{end_day}{formats.time_format(end, 'H:i')}"
        )
        message = gettext("%(venue)s is already taken at that time by “%(title)s” (activity %(id)s, %(when)s).") % {
            "venue": other.venue.name,
            "title": other.title,
            "id": other.pk,
            "when": when,
        }
        super().__init__({"starts_at": [message]})
        self.message = message


def event_clash(*, event: Event) -> Event | None:
    """The first other event that holds `event`'s venue while `event` would (touching times
    are fine), or None; always None for a cancelled event or a venue marked for parallel use."""
    if event.status not in HOLDING_VENUE or not (event.venue_id and event.starts_at and event.ends_at):
        return None
    if Venue.objects.filter(pk=event.venue_id, parallel_use=True).exists():
        return None
    return (
        Event.objects.select_related("venue")
        .filter(
            venue_id=event.venue_id,
            status__in=HOLDING_VENUE,
            starts_at__lt=event.ends_at,
            ends_at__gt=event.starts_at,
        )
        .exclude(pk=event.pk)
        .order_by("starts_at", "pk")
        .first()
    )


def _check_venue(event: Event) -> None:
    """Refuse a clash, with the venue row locked until the transaction ends: two events made
    or moved into the same venue at once are checked one after the other, never both
    against the state before either."""
    if event.status not in HOLDING_VENUE:
        return
    Venue.objects.select_for_update().filter(pk=event.venue_id).first()
    other = event_clash(event=event)
    if other is not None:
        raise VenueClash(other)


@transaction.atomic
def event_create(*, data: dict[str, Any]) -> Event:
    """Make an event; raises ValidationError (VenueClash if its venue is taken then)."""
    event = Event(**data)
    event.full_clean()
    _check_venue(event)
    event.save()
    logger.info("event %s created (%s)", event.pk, event.status)
    return event


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; any change a calendar must hear of bumps its sequence.

    The row is locked while it changes, so that the sequence and the seat
    counter kept on it are never written from a stale copy. Moving it (venue, time) or taking
    it back from cancelled raises VenueClash if another event holds the venue then.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    for name, value in data.items():
        setattr(event, name, value)
    event.seats_taken = locked.seats_taken
    event.sequence = locked.sequence
    if event.capacity != locked.capacity:
        event_check_capacity(event=event, capacity=event.capacity)
    event.full_clean()
    changed = {
        field.attname
        for field in Event._meta.concrete_fields
        if getattr(locked, field.attname) != getattr(event, field.attname)
    }
    if changed & set(SCHEDULE_FIELDS):
        _check_venue(event)
    if changed & set(Event.CALENDAR_FIELDS):
        event.sequence += 1
    event.save()
    event_changed.send(sender=Event, event=event, changed=changed, previous=locked)
    logger.info(
        "event %s updated (%s; sequence %s)", event.pk, ", ".join(sorted(changed)) or "no change", event.sequence
    )
    return event


def event_check_capacity(*, event: Event, capacity: int | None) -> None:
    """Raise ValidationError (on `capacity`) if the event cannot take this capacity: not below
    the seats already taken, and not none (no registration) while registrations hold seats or
    wait for one. The admin's form asks before saving; event_update asks again, under the lock."""
    seats_taken = Event.objects.values_list("seats_taken", flat=True).get(pk=event.pk)
    if capacity is not None and capacity < seats_taken:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(taken)d seat is already taken: the capacity cannot be lower.",
                    "%(taken)d seats are already taken: the capacity cannot be lower.",
                    seats_taken,
                )
                % {"taken": seats_taken}
            }
        )
    candidate = Event(pk=event.pk, capacity=capacity, seats_taken=seats_taken)
    event_capacity_changing.send(sender=Event, event=candidate)


def event_publish(*, event: Event) -> Event:
    if event.status == Event.Status.PUBLISHED:
        return event
    return event_update(event=event, data={"status": Event.Status.PUBLISHED})


def event_cancel(*, event: Event) -> Event:
    """Cancel an event. Cancelling twice changes nothing."""
    if event.status == Event.Status.CANCELLED:
        return event
    return event_update(event=event, data={"status": Event.Status.CANCELLED})


# --- Proposals ---------------------------------------------------------------------------------


class ProposalError(Exception):
    """A proposal change refused: a stable `code` and a translated `message` (the API's 409)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(code)


#: Who may take each action, from which states, to which state.
ASSOCIATION, ORGANISERS = "association", "organisers"
TRANSITIONS = {
    "submit": (
        ASSOCIATION,
        (Proposal.State.DRAFT, Proposal.State.CHANGES_REQUESTED),
        Proposal.State.SUBMITTED,
    ),
    "withdraw": (
        ASSOCIATION,
        (Proposal.State.DRAFT, Proposal.State.SUBMITTED, Proposal.State.CHANGES_REQUESTED),
        Proposal.State.WITHDRAWN,
    ),
    "request_changes": (ORGANISERS, (Proposal.State.SUBMITTED,), Proposal.State.CHANGES_REQUESTED),
    "accept": (ORGANISERS, (Proposal.State.SUBMITTED,), Proposal.State.ACCEPTED),
    "reject": (
        ORGANISERS,
        (Proposal.State.SUBMITTED, Proposal.State.CHANGES_REQUESTED),
        Proposal.State.REJECTED,
    ),
}
#: Fields of a proposal its association writes (the texts per language).
PROPOSAL_FIELDS = (
    *(f"{name}_{lang}" for name in ("title", "summary", "description") for lang in ("fr", "nl", "en")),
    "category",
    "venue",
    "venue_wish",
    "venue_address",
    "venue_accessibility",
    "expected_audience",
    "capacity",
    "speaks_fr",
    "speaks_nl",
    "speaks_en",
    "speaks_other",
    "accessibility",
    "technical_needs",
    "contact_name",
    "contact_email",
    "contact_phone",
)
#: At most this many slots per proposal.
MAX_SLOTS = 10


def _not_allowed(action: str, state: str) -> ProposalError:
    label = Proposal.State(state).label
    messages = {
        "submit": gettext("A proposal that is “%(state)s” cannot be submitted."),
        "withdraw": gettext("A proposal that is “%(state)s” cannot be withdrawn."),
        "request_changes": gettext("Changes cannot be requested on a proposal that is “%(state)s”."),
        "accept": gettext("A proposal that is “%(state)s” cannot be accepted."),
        "reject": gettext("A proposal that is “%(state)s” cannot be rejected."),
    }
    return ProposalError("transition_not_allowed", messages[action] % {"state": label})


def call_refusal(edition: Edition, now: datetime.datetime | None = None) -> ProposalError | None:
    """Why the edition's call does not take proposals now (not set, not open yet, closed), or None."""
    now = now or timezone.now()
    if not (edition.call_opens_at and edition.call_closes_at):
        return ProposalError("no_call", gettext("There is no call for proposals for this edition."))
    if now < edition.call_opens_at:
        when = formats.date_format(timezone.localtime(edition.call_opens_at), "DATETIME_FORMAT")
        return ProposalError("call_not_open", gettext("The call for proposals opens on %(when)s.") % {"when": when})
    if now >= edition.call_closes_at:
        when = formats.date_format(timezone.localtime(edition.call_closes_at), "DATETIME_FORMAT")
        return ProposalError("call_closed", gettext("The call for proposals closed on %(when)s.") % {"when": when})
    return None


def _check_slots(edition: Edition, slots: list[tuple[datetime.datetime, datetime.datetime]]) -> None:
    if len(slots) > MAX_SLOTS:
        raise ValidationError({"slots": gettext("Propose at most %(count)d dates and times.") % {"count": MAX_SLOTS}})
    first = datetime.datetime.combine(edition.starts_on, datetime.time.min, tzinfo=timezone.get_default_timezone())
    last = datetime.datetime.combine(
        edition.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_default_timezone()
    )
    ordered = sorted(slots)
    for (_start, end), (next_start, _end) in itertools.pairwise(ordered):
        if next_start < end:
            raise ValidationError({"slots": gettext("Two proposed dates and times overlap: give each once.")})
    for starts_at, ends_at in slots:
        if ends_at <= starts_at:
            raise ValidationError({"slots": gettext("Each proposed end must be after its start.")})
        if starts_at < first or ends_at > last:
            raise ValidationError(
                {
                    "slots": gettext("Propose dates within the fortnight: %(first)s to %(last)s.")
                    % {
                        "first": formats.date_format(edition.starts_on, "DATE_FORMAT"),
                        "last": formats.date_format(edition.ends_on, "DATE_FORMAT"),
                    }
                }
            )


def _save_slots(proposal: Proposal, slots) -> None:
    proposal.slots.all().delete()
    ProposalSlot.objects.bulk_create(ProposalSlot(proposal=proposal, starts_at=s, ends_at=e) for s, e in slots)


@transaction.atomic
def proposal_create(
    *,
    edition: Edition,
    association: Association,
    user,
    data: dict[str, Any],
    slots: list[tuple[datetime.datetime, datetime.datetime]] = (),
    now: datetime.datetime | None = None,
) -> Proposal:
    """A new draft, by a member of `association`, while the edition's call is open."""
    if not is_member(user, association):
        raise ProposalError("not_member", gettext("Only members of the association can do this."))
    refusal = call_refusal(edition, now)
    if refusal is not None:
        raise refusal
    proposal = Proposal(edition=edition, association=association, created_by=user, **data)
    proposal.full_clean()
    _check_slots(edition, list(slots))
    proposal.save()
    _save_slots(proposal, slots)
    ProposalNote.objects.create(
        proposal=proposal, kind=ProposalNote.Kind.TRANSITION, state=proposal.state, by=user, at=now or timezone.now()
    )
    logger.info("proposal %s created (association %s)", proposal.pk, association.pk)
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    user,
    data: dict[str, Any],
    slots: list[tuple[datetime.datetime, datetime.datetime]] | None = None,
) -> Proposal:
    """Change a proposal: by its association's members, while a draft or sent back for changes."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not is_member(user, locked.association):
        raise ProposalError("not_member", gettext("Only members of the association can do this."))
    if not locked.is_editable:
        raise ProposalError(
            "not_editable",
            gettext("This proposal is “%(state)s”: it can only be changed as a draft or when changes are requested.")
            % {"state": locked.get_state_display()},
        )
    # The locked row, not the caller's copy: a field this change does not name keeps what another
    # change wrote meanwhile.
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    if slots is not None:
        _check_slots(locked.edition, list(slots))
    locked.save()
    if slots is not None:
        _save_slots(locked, slots)
    logger.info("proposal %s updated", locked.pk)
    return locked


def proposal_actions(*, proposal: Proposal, user) -> list[str]:
    """The transitions `user` may take on `proposal` now (what the pages offer)."""
    member = is_member(user, proposal.association)
    organiser = is_organiser(user) and not member
    return [
        action
        for action, (who, sources, _target) in TRANSITIONS.items()
        if proposal.state in sources and ((who == ASSOCIATION and member) or (who == ORGANISERS and organiser))
    ]


def _missing_for_submission(proposal: Proposal) -> list[str]:
    missing = []
    if not any(getattr(proposal, f"title_{lang}") for lang in ("fr", "nl", "en")):
        missing.append(gettext("a title"))
    if not proposal.slots.exists():
        missing.append(gettext("at least one date and time"))
    if not proposal.contact_email:
        missing.append(gettext("a contact e-mail"))
    return missing


@transaction.atomic
def proposal_transition(
    *,
    proposal: Proposal,
    action: str,
    user,
    message: str = "",
    venue: Venue | None = None,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> Proposal:
    """The one way a proposal changes state: checks who may take `action` from its state, records
    it (who, when, message) in its history, tells the association (an e-mail, through the
    `proposal_noted` signal) and logs it. Accepting makes one draft event per proposed slot, in
    `venue` or the proposal's own (a venue clash refuses the whole acceptance). `notify=False`
    tells nobody (load_demo's made-up history)."""
    if action not in TRANSITIONS:
        raise ProposalError("unknown_action", gettext("Unknown action: %(action)s.") % {"action": action})
    now = now or timezone.now()
    found = Proposal.objects.select_related("edition", "association")
    proposal = found.select_for_update(of=("self",)).get(pk=proposal.pk)  # not the edition: events are added to it
    who, sources, target = TRANSITIONS[action]
    member = is_member(user, proposal.association)
    if who == ASSOCIATION and not member:
        raise ProposalError("not_member", gettext("Only members of the association can do this."))
    if who == ORGANISERS:
        if not is_organiser(user):
            raise ProposalError("organisers_only", gettext("Only organisers can do this."))
        if member:
            raise ProposalError(
                "own_proposal",
                gettext("You are a member of this association: another organiser must decide on its proposal."),
            )
    if proposal.state not in sources:
        raise _not_allowed(action, proposal.state)
    message = message.strip()
    if action == "submit":
        if proposal.state == Proposal.State.DRAFT:  # a proposal sent back for changes may come back late
            refusal = call_refusal(proposal.edition, now)
            if refusal is not None:
                raise refusal
        missing = _missing_for_submission(proposal)
        if missing:
            raise ProposalError(
                "incomplete",
                gettext("The proposal cannot be submitted yet: it needs %(missing)s.")
                % {"missing": ", ".join(missing)},
            )
    if action == "request_changes" and not message:
        raise ProposalError("message_needed", gettext("Say what should change: the association reads this message."))
    if action == "accept":
        venue = venue or proposal.venue
        if venue is None:
            raise ProposalError(
                "venue_needed",
                gettext("Choose a venue for the activity: the proposal names none of the festival's venues."),
            )
        _events_from(proposal, venue)
    proposal.state = target
    proposal.save(update_fields=["state", "updated_at"])
    note = ProposalNote.objects.create(
        proposal=proposal, kind=ProposalNote.Kind.TRANSITION, state=target, by=user, at=now, text=message
    )
    if notify:
        proposal_noted.send(sender=Proposal, proposal=proposal, note=note)
    logger.info("proposal %s: %s -> %s by user %s", proposal.pk, action, target, user.pk)
    return proposal


def _events_from(proposal: Proposal, venue: Venue) -> list[Event]:
    """One draft event per slot, prefilled from the proposal and linked to it and its association."""
    texts = {
        f"{name}_{lang}": getattr(proposal, f"{name}_{lang}") or ""
        for name in ("title", "summary", "description")
        for lang in ("fr", "nl", "en")
    }
    return [
        event_create(
            data={
                **texts,
                "edition": proposal.edition,
                "association": proposal.association,
                "proposal": proposal,
                "category": proposal.category,
                "venue": venue,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "capacity": proposal.capacity,
                "speaks_fr": proposal.speaks_fr,
                "speaks_nl": proposal.speaks_nl,
                "speaks_en": proposal.speaks_en,
                "speaks_other": proposal.speaks_other,
                "status": Event.Status.DRAFT,
            }
        )
        for slot in proposal.slots.all()
    ]


@transaction.atomic
def proposal_note_add(
    *,
    proposal: Proposal,
    user,
    text: str,
    to_association: bool,
    notify: bool = True,
    now: datetime.datetime | None = None,
) -> ProposalNote:
    """An organiser's comment, internal to the team, or a message to the association (e-mailed
    unless `notify=False`)."""
    if not is_organiser(user):
        raise ProposalError("organisers_only", gettext("Only organisers can do this."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": gettext("Write a message.")})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    kind = ProposalNote.Kind.MESSAGE if to_association else ProposalNote.Kind.COMMENT
    note = ProposalNote.objects.create(
        proposal=proposal, kind=kind, state=proposal.state, by=user, text=text, at=now or timezone.now()
    )
    if to_association and notify:
        proposal_noted.send(sender=Proposal, proposal=proposal, note=note)
    logger.info("proposal %s: %s by user %s", proposal.pk, kind, user.pk)
    return note
