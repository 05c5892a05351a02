"""The call for activities (SPEC section 5, "Proposals"): associations propose, organisers
review. Every change of state goes through programme.services.proposal_transition, which checks
who may take it from which state, records it in the history and e-mails the association."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from notifications.models import Message
from programme import services
from programme.models import Event, Proposal, ProposalNote
from programme.services import ProposalError
from tests.factories import AssociationFactory, AssociationMemberFactory, OrganiserFactory, brussels

SLOTS = [
    (brussels(2036, 10, 22, 18), brussels(2036, 10, 22, 20)),
    (brussels(2036, 10, 23, 18), brussels(2036, 10, 23, 20)),
]


@pytest.fixture
def organiser(db):
    return OrganiserFactory(username="lea", first_name="Léa", last_name="Peeters")


def data(**fields) -> dict:
    from tests.factories import category

    return {
        "title_fr": "Chants de paix du Sahel",
        "title_nl": "Vredesliederen uit de Sahel",
        "summary_fr": "Un concert.",
        "category": category("concert"),
        "capacity": 120,
        "speaks_fr": True,
        "contact_name": "Mariam Diallo",
        "contact_email": "mariam@example.org",
        **fields,
    }


def create(call_edition, association, member, **fields) -> Proposal:
    return services.proposal_create(
        edition=call_edition, association=association, user=member, data=data(**fields), slots=SLOTS
    )


def history(proposal: Proposal) -> list[tuple]:
    return [(n.kind, n.state, n.by.username if n.by else None, n.text) for n in proposal.notes.all()]


def state(proposal: Proposal) -> str:
    return Proposal.objects.get(pk=proposal.pk).state


# --- The whole life -----------------------------------------------------------------------------


def test_full_life_through_every_allowed_transition(call_edition, association, member, organiser, venue):
    proposal = create(call_edition, association, member)
    assert (proposal.state, list(proposal.slots.values_list("starts_at", "ends_at"))) == ("draft", SLOTS)

    services.proposal_update(proposal=proposal, user=member, data={"capacity": 150})
    services.proposal_transition(proposal=proposal, action="submit", user=member)
    services.proposal_transition(
        proposal=proposal, action="request_changes", user=organiser, message="Une heure plus tôt ?"
    )
    services.proposal_update(
        proposal=Proposal.objects.get(pk=proposal.pk),
        user=member,
        data={"summary_fr": "Un concert, plus tôt."},
        slots=[(brussels(2036, 10, 22, 17), brussels(2036, 10, 22, 19))],
    )
    services.proposal_transition(proposal=proposal, action="submit", user=member, message="C'est fait.")
    accepted = services.proposal_transition(proposal=proposal, action="accept", user=organiser, venue=venue)

    assert accepted.state == "accepted"
    assert history(proposal) == [
        ("transition", "draft", "mariam", ""),
        ("transition", "submitted", "mariam", ""),
        ("transition", "changes_requested", "lea", "Une heure plus tôt ?"),
        ("transition", "submitted", "mariam", "C'est fait."),
        ("transition", "accepted", "lea", ""),
    ]
    # One draft event per slot, prefilled, linked to the proposal and its association.
    event = Event.objects.get()
    assert (event.status, event.proposal, event.association, event.venue, event.capacity) == (
        "draft",
        accepted,
        association,
        venue,
        150,
    )
    assert (event.title_fr, event.title_nl, event.summary_fr, event.starts_at, event.ends_at) == (
        "Chants de paix du Sahel",
        "Vredesliederen uit de Sahel",
        "Un concert, plus tôt.",
        brussels(2036, 10, 22, 17),
        brussels(2036, 10, 22, 19),
    )
    # Each change of state wrote one e-mail to the proposal's contact, in the association's language.
    rows = list(Message.objects.order_by("pk").values_list("purpose", "recipient", "language", "template"))
    assert rows == [
        ("proposal", "mariam@example.org", "nl", f"programme/email/proposal_{name}")
        for name in ("submitted", "changes_requested", "submitted", "accepted")
    ]


def test_accepting_makes_one_draft_event_per_slot(call_edition, association, member, organiser, venue):
    proposal = create(call_edition, association, member, venue=venue)
    services.proposal_transition(proposal=proposal, action="submit", user=member)

    services.proposal_transition(proposal=proposal, action="accept", user=organiser)

    assert list(Event.objects.values_list("starts_at", "status", "venue")) == [
        (SLOTS[0][0], "draft", venue.pk),
        (SLOTS[1][0], "draft", venue.pk),
    ]


def test_reject_and_withdraw(call_edition, association, member, organiser):
    rejected = create(call_edition, association, member)
    services.proposal_transition(proposal=rejected, action="submit", user=member)
    services.proposal_transition(proposal=rejected, action="reject", user=organiser, message="Complet.")
    withdrawn = create(call_edition, association, member, title_fr="Autre")
    services.proposal_transition(proposal=withdrawn, action="submit", user=member)
    services.proposal_transition(proposal=withdrawn, action="withdraw", user=member)
    draft_withdrawn = create(call_edition, association, member, title_fr="Brouillon")
    services.proposal_transition(proposal=draft_withdrawn, action="withdraw", user=member)

    assert [state(p) for p in (rejected, withdrawn, draft_withdrawn)] == ["rejected", "withdrawn", "withdrawn"]
    assert history(rejected)[-1] == ("transition", "rejected", "lea", "Complet.")


# --- What is refused --------------------------------------------------------------------------


def _refused(code: str, **kwargs) -> str:
    with translation.override("en"), pytest.raises(ProposalError) as refused:
        services.proposal_transition(**kwargs)
    assert refused.value.code == code
    return refused.value.message


OWN = "You are a member of this association: another organiser must decide on its proposal."


@pytest.mark.parametrize(
    ("start", "action", "who", "code", "message"),
    [
        ("draft", "accept", "organiser", "transition_not_allowed", "A proposal that is “Draft” cannot be accepted."),
        (
            "draft",
            "request_changes",
            "organiser",
            "transition_not_allowed",
            "Changes cannot be requested on a proposal that is “Draft”.",
        ),
        (
            "submitted",
            "submit",
            "member",
            "transition_not_allowed",
            "A proposal that is “Submitted” cannot be submitted.",
        ),
        (
            "withdrawn",
            "accept",
            "organiser",
            "transition_not_allowed",
            "A proposal that is “Withdrawn” cannot be accepted.",
        ),
        (
            "withdrawn",
            "submit",
            "member",
            "transition_not_allowed",
            "A proposal that is “Withdrawn” cannot be submitted.",
        ),
        (
            "accepted",
            "withdraw",
            "member",
            "transition_not_allowed",
            "A proposal that is “Accepted” cannot be withdrawn.",
        ),
        (
            "rejected",
            "accept",
            "organiser",
            "transition_not_allowed",
            "A proposal that is “Rejected” cannot be accepted.",
        ),
        ("submitted", "accept", "member", "organisers_only", "Only organisers can do this."),
        ("submitted", "withdraw", "organiser", "not_member", "Only members of the association can do this."),
        ("submitted", "accept", "member_organiser", "own_proposal", OWN),
        ("submitted", "accept", "stranger", "organisers_only", "Only organisers can do this."),
        ("submitted", "withdraw", "stranger", "not_member", "Only members of the association can do this."),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(
    call_edition, association, member, organiser, venue, start, action, who, code, message
):
    proposal = create(call_edition, association, member, venue=venue)
    reach = {
        "draft": [],
        "submitted": [("submit", member)],
        "withdrawn": [("withdraw", member)],
        "accepted": [("submit", member), ("accept", organiser)],
        "rejected": [("submit", member), ("reject", organiser)],
    }[start]
    for step, user in reach:
        services.proposal_transition(proposal=proposal, action=step, user=user)
    member_organiser = OrganiserFactory(username="both")
    association.members.add(member_organiser)
    users = {
        "member": member,
        "organiser": organiser,
        "member_organiser": member_organiser,
        "stranger": AssociationMemberFactory(association=AssociationFactory()),
    }
    before = (state(proposal), history(proposal), Message.objects.count(), Event.objects.count())

    assert _refused(code, proposal=proposal, action=action, user=users[who]) == message

    assert (state(proposal), history(proposal), Message.objects.count(), Event.objects.count()) == before


def test_editing_a_submitted_proposal_is_refused(call_edition, association, member):
    proposal = create(call_edition, association, member)
    services.proposal_transition(proposal=proposal, action="submit", user=member)

    with translation.override("en"), pytest.raises(ProposalError) as refused:
        services.proposal_update(proposal=proposal, user=member, data={"capacity": 10})

    assert refused.value.code == "not_editable"
    assert refused.value.message == (
        "This proposal is “Submitted”: it can only be changed as a draft or when changes are requested."
    )
    assert Proposal.objects.get(pk=proposal.pk).capacity == 120


def test_another_association_cannot_edit(call_edition, association, member):
    proposal = create(call_edition, association, member)
    other = AssociationMemberFactory(association=AssociationFactory())

    with pytest.raises(ProposalError) as refused:
        services.proposal_update(proposal=proposal, user=other, data={"capacity": 10})

    assert refused.value.code == "not_member"


@pytest.mark.parametrize(
    ("opens", "closes", "code", "message"),
    [
        (None, None, "no_call", "There is no call for proposals for this edition."),
        (2, 10, "call_not_open", "The call for proposals opens on {opens}."),
        (-10, -2, "call_closed", "The call for proposals closed on {closes}."),
    ],
)
def test_creating_or_submitting_outside_the_call_is_refused_saying_when(
    call_edition, association, member, opens, closes, code, message
):
    draft = create(call_edition, association, member)  # while it was open
    now = timezone.now()
    call_edition.call_opens_at = None if opens is None else now + datetime.timedelta(days=opens)
    call_edition.call_closes_at = None if closes is None else now + datetime.timedelta(days=closes)
    call_edition.save()
    from django.utils import formats

    with translation.override("en"):
        expected = message.format(
            opens=call_edition.call_opens_at
            and formats.date_format(timezone.localtime(call_edition.call_opens_at), "DATETIME_FORMAT"),
            closes=call_edition.call_closes_at
            and formats.date_format(timezone.localtime(call_edition.call_closes_at), "DATETIME_FORMAT"),
        )
        with pytest.raises(ProposalError) as on_create:
            create(call_edition, association, member, title_fr="Trop tôt ou trop tard")
    assert (on_create.value.code, on_create.value.message) == (code, expected)
    assert _refused(code, proposal=draft, action="submit", user=member) == expected
    assert Proposal.objects.count() == 1 and state(draft) == "draft"


def test_changes_requested_may_be_submitted_again_after_the_call_closed(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)
    services.proposal_transition(proposal=proposal, action="submit", user=member)
    services.proposal_transition(proposal=proposal, action="request_changes", user=organiser, message="Plus court ?")
    call_edition.call_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    call_edition.save()

    services.proposal_transition(proposal=proposal, action="submit", user=member)

    assert state(proposal) == "submitted"


def test_submitting_needs_a_title_a_slot_and_a_contact(call_edition, association, member):
    proposal = services.proposal_create(
        edition=call_edition,
        association=association,
        user=member,
        data=data(title_fr="", title_nl="", contact_email=""),
    )

    message = _refused("incomplete", proposal=proposal, action="submit", user=member)

    assert message == (
        "The proposal cannot be submitted yet: it needs a title, at least one date and time, a contact e-mail."
    )


def test_requesting_changes_needs_a_message(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)
    services.proposal_transition(proposal=proposal, action="submit", user=member)

    message = _refused("message_needed", proposal=proposal, action="request_changes", user=organiser, message="  ")

    assert message == "Say what should change: the association reads this message."


def test_accepting_without_a_venue_asks_for_one(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member, venue_wish="Un jardin")
    services.proposal_transition(proposal=proposal, action="submit", user=member)

    message = _refused("venue_needed", proposal=proposal, action="accept", user=organiser)

    assert message == "Choose a venue for the activity: the proposal names none of the festival's venues."


def test_accepting_into_a_taken_venue_is_refused_whole(call_edition, association, member, organiser, make_event, venue):
    taken = make_event(venue=venue, starts_at=SLOTS[1][0])
    proposal = create(call_edition, association, member, venue=venue)
    services.proposal_transition(proposal=proposal, action="submit", user=member)

    with pytest.raises(services.VenueClash) as refused:
        services.proposal_transition(proposal=proposal, action="accept", user=organiser)

    assert refused.value.other == taken
    assert state(proposal) == "submitted"
    assert list(Event.objects.all()) == [taken]  # not even the first slot's event


def test_slots_must_lie_within_the_fortnight(call_edition, association, member):
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.proposal_create(
            edition=call_edition,
            association=association,
            user=member,
            data=data(),
            slots=[(brussels(2036, 12, 1, 18), brussels(2036, 12, 1, 20))],
        )

    assert refused.value.message_dict == {
        "slots": ["Propose dates within the fortnight: Oct. 20, 2036 to Nov. 2, 2036."]
    }
    assert Proposal.objects.count() == 0


# --- Comments and messages ----------------------------------------------------------------------


def test_internal_comments_are_not_mailed_messages_are(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)
    services.proposal_note_add(
        proposal=proposal, user=organiser, text="Bon projet, à voir avec Bozar.", to_association=False
    )
    services.proposal_note_add(
        proposal=proposal, user=organiser, text="Pouvez-vous préciser la jauge ?", to_association=True
    )

    assert history(proposal)[1:] == [
        ("comment", "draft", "lea", "Bon projet, à voir avec Bozar."),
        ("message", "draft", "lea", "Pouvez-vous préciser la jauge ?"),
    ]
    assert list(Message.objects.values_list("template", "context")) == [
        ("programme/email/proposal_message", {"message": "Pouvez-vous préciser la jauge ?", "state": "draft"})
    ]


def test_only_organisers_comment(call_edition, association, member):
    proposal = create(call_edition, association, member)

    with pytest.raises(ProposalError) as refused:
        services.proposal_note_add(proposal=proposal, user=member, text="Moi aussi", to_association=False)

    assert refused.value.code == "organisers_only"
    assert ProposalNote.objects.filter(kind="comment").count() == 0


def test_actions_offered(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)

    assert services.proposal_actions(proposal=proposal, user=member) == ["submit", "withdraw"]
    assert services.proposal_actions(proposal=proposal, user=organiser) == []
    services.proposal_transition(proposal=proposal, action="submit", user=member)
    proposal.refresh_from_db()
    assert services.proposal_actions(proposal=proposal, user=member) == ["withdraw"]
    assert services.proposal_actions(proposal=proposal, user=organiser) == ["request_changes", "accept", "reject"]


def test_overlapping_slots_of_one_proposal_are_refused(call_edition, association, member):
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.proposal_create(
            edition=call_edition,
            association=association,
            user=member,
            data=data(),
            slots=[SLOTS[0], (brussels(2036, 10, 22, 19), brussels(2036, 10, 22, 21))],
        )

    assert refused.value.message_dict == {"slots": ["Two proposed dates and times overlap: give each once."]}
    assert Proposal.objects.count() == 0


def test_an_update_keeps_what_another_wrote_meanwhile(call_edition, association, member):
    proposal = create(call_edition, association, member)
    stale = Proposal.objects.get(pk=proposal.pk)

    services.proposal_update(proposal=proposal, user=member, data={"capacity": 999})
    services.proposal_update(proposal=stale, user=member, data={"technical_needs": "A microphone"})

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.capacity, saved.technical_needs) == (999, "A microphone")
