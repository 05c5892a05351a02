"""The back office's review of proposals (/<lang>/backoffice/proposals/): the queue, a proposal
with its history (internal comments included), comments, messages and decisions."""

from __future__ import annotations

import pytest

from notifications.models import Message
from programme import services
from programme.models import Event, Proposal
from tests.factories import OrganiserFactory, VenueFactory
from tests.test_proposals import SLOTS, create

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def submitted(call_edition, association, member):
    proposal = create(call_edition, association, member, venue_wish="Un jardin")
    services.proposal_transition(proposal=proposal, action="submit", user=member)
    return proposal


def test_queue_shows_submitted_by_default_and_filters(call_edition, association, member, submitted, logged_in):
    create(call_edition, association, member, title_fr="Encore un brouillon")

    default = logged_in.get("/en/backoffice/proposals/").content.decode()
    drafts = logged_in.get("/en/backoffice/proposals/?state=draft").content.decode()
    bad = logged_in.get("/en/backoffice/proposals/?state=approved")

    assert "Chants de paix du Sahel" in default and "Encore un brouillon" not in default
    assert "1 proposal" in default
    assert "Encore un brouillon" in drafts and "Chants de paix du Sahel" not in drafts
    assert bad.status_code == 400
    assert "Select a valid choice. approved is not one of the available choices." in bad.content.decode()


def test_proposal_page_shows_internal_comments(submitted, organiser, logged_in):
    services.proposal_note_add(
        proposal=submitted, user=organiser, text="Entre nous : bon projet.", to_association=False
    )

    page = logged_in.get(f"/en/backoffice/proposals/{submitted.pk}/").content.decode()

    assert "Entre nous : bon projet." in page
    assert "Internal comment" in page
    assert '<option value="accept">Accept</option>' in page


def test_comment_and_message(submitted, logged_in):
    url = f"/en/backoffice/proposals/{submitted.pk}/note/"

    comment = logged_in.post(url, {"text": "À voir avec Bozar", "to_association": "0"})
    message = logged_in.post(url, {"text": "Pouvez-vous préciser ?", "to_association": "1"})
    empty = logged_in.post(url, {"text": "   ", "to_association": "1"})

    assert (comment.status_code, message.status_code, empty.status_code) == (302, 302, 400)
    assert list(submitted.notes.values_list("kind", "text"))[2:] == [
        ("comment", "À voir avec Bozar"),
        ("message", "Pouvez-vous préciser ?"),
    ]
    assert Message.objects.filter(template="programme/email/proposal_message").count() == 1


def test_accept_needs_a_venue_then_makes_draft_events(submitted, logged_in, make_event):
    url = f"/en/backoffice/proposals/{submitted.pk}/decide/"
    venue = VenueFactory(name_en="Garden hall")
    taken = make_event(venue=venue, starts_at=SLOTS[0][0], title_en="Already there")

    no_venue = logged_in.post(url, {"action": "accept", "message": ""})
    clash = logged_in.post(url, {"action": "accept", "message": "", "venue": venue.pk})
    free = VenueFactory(name_en="Free hall")
    accepted = logged_in.post(url, {"action": "accept", "message": "Bravo", "venue": free.pk}, follow=True)

    assert no_venue.status_code == 400
    assert "Choose a venue for the activity: the proposal names none of the festival&#x27;s venues." in (
        no_venue.content.decode()
    )
    assert clash.status_code == 400
    assert (
        f"Garden hall is already taken at that time by “Already there” (activity {taken.pk}" in clash.content.decode()
    )
    assert accepted.status_code == 200
    page = accepted.content.decode()
    assert "Accepted: its draft activities are below, to adjust and publish." in page
    events = list(Event.objects.filter(proposal=submitted).order_by("starts_at"))
    assert [(e.venue, e.status, e.starts_at) for e in events] == [
        (free, "draft", SLOTS[0][0]),
        (free, "draft", SLOTS[1][0]),
    ]
    for event in events:
        assert f"/en/backoffice/activities/{event.pk}/" in page
    assert Proposal.objects.get(pk=submitted.pk).state == "accepted"


def test_request_changes_needs_a_message(submitted, logged_in):
    url = f"/en/backoffice/proposals/{submitted.pk}/decide/"

    empty = logged_in.post(url, {"action": "request_changes", "message": ""})
    done = logged_in.post(url, {"action": "request_changes", "message": "Plus court"})

    assert empty.status_code == 400
    assert "Say what should change: the association reads this message." in empty.content.decode()
    assert done.status_code == 302
    assert Proposal.objects.get(pk=submitted.pk).state == "changes_requested"


def test_an_organiser_who_is_a_member_cannot_decide(submitted, association, client):
    both = OrganiserFactory()
    association.members.add(both)
    client.force_login(both)

    page = client.get(f"/en/backoffice/proposals/{submitted.pk}/").content.decode()
    posted = client.post(f"/en/backoffice/proposals/{submitted.pk}/decide/", {"action": "reject", "message": "x"})

    assert "another organiser must decide on its proposal" in page
    assert "Send the decision" not in page
    assert posted.status_code == 400
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"


def test_home_counts_by_state(call_edition, association, member, submitted, logged_in):
    second = create(call_edition, association, member, title_fr="Deuxième")
    services.proposal_transition(proposal=second, action="submit", user=member)

    page = logged_in.get("/en/backoffice/").content.decode()

    assert '<a href="/en/backoffice/proposals/?state=submitted">Submitted</a></th><td class="num">2</td>' in page
    assert '<a href="/en/backoffice/proposals/?state=draft">Draft</a></th><td class="num">0</td>' in page


def test_queue_query_count(call_edition, association, member, logged_in, django_assert_max_num_queries):
    for n in range(40):
        proposal = create(call_edition, association, member, title_fr=f"Proposition {n}")
        services.proposal_transition(proposal=proposal, action="submit", user=member)

    with django_assert_max_num_queries(10):
        response = logged_in.get("/en/backoffice/proposals/")

    assert "40 proposals" in response.content.decode()


def test_slot_dates_shown(submitted, logged_in):
    page = logged_in.get(f"/en/backoffice/proposals/{submitted.pk}/").content.decode()

    assert "Wednesday 22 October 2036, 18:00\u201320:00" in page


# --- The admin (raw data) -------------------------------------------------------------------------


def test_organisers_read_and_correct_proposals_in_the_admin_but_never_change_their_state(submitted, logged_in):
    from django.contrib.auth.models import Group

    from programme.roles import ORGANISERS, ensure_groups

    ensure_groups()
    codenames = set(
        Group.objects.get(name=ORGANISERS)
        .permissions.filter(content_type__model__startswith="proposal")
        .values_list("codename", flat=True)
    )
    change = logged_in.get(f"/en/admin/programme/proposal/{submitted.pk}/change/")
    add = logged_in.get("/en/admin/programme/proposal/add/")

    assert codenames == {
        "view_proposal",
        "change_proposal",
        "view_proposalslot",
        "change_proposalslot",
        "view_proposalnote",
    }
    assert change.status_code == 200
    assert 'name="state"' not in change.content.decode()  # read-only: shown, not a field
    assert add.status_code == 403
