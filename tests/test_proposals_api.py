"""The proposals API (SPEC section 5): members see and write their association's proposals,
organisers see all and decide; transitions not allowed answer 409 {code, detail}."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from programme import services
from programme.models import Event, Proposal
from tests.factories import AssociationFactory, AssociationMemberFactory, DoorStaffFactory, UserFactory
from tests.test_proposals import SLOTS, create

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


BODY = {
    "edition": "2036",
    "title_fr": "Chants de paix du Sahel",
    "summary_fr": "Un concert.",
    "category": "concert",
    "slots": [{"starts_at": "2036-10-22T18:00:00+02:00", "ends_at": "2036-10-22T20:00:00+02:00"}],
    "venue_wish": "Un jardin",
    "capacity": 80,
    "languages": ["fr", "nl"],
    "contact_email": "mariam@example.org",
}


def test_member_creates_edits_submits_then_cannot_edit(call_edition, member):
    client = client_for(member)

    created = client.post("/api/v1/proposals/", BODY, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["association"], body["edition"], body["title"], body["languages"]) == (
        "draft",
        member.associations.get().pk,
        "2036",
        "Chants de paix du Sahel",
        ["fr", "nl"],
    )
    assert body["slots"] == [{"starts_at": "2036-10-22T18:00:00+02:00", "ends_at": "2036-10-22T20:00:00+02:00"}]
    assert body["history"] == [
        {"kind": "transition", "state": "draft", "at": body["history"][0]["at"], "by": "Mariam Diallo", "message": ""}
    ]
    pk = body["id"]
    patched = client.patch(f"/api/v1/proposals/{pk}/", {"capacity": 90, "languages": ["none"]}, format="json")
    assert (patched.status_code, patched.json()["capacity"], patched.json()["languages"]) == (200, 90, ["none"])

    submitted = client.post(f"/api/v1/proposals/{pk}/transitions/", {"action": "submit"}, format="json")
    assert (submitted.status_code, submitted.json()["state"]) == (200, "submitted")

    refused = client.patch(f"/api/v1/proposals/{pk}/", {"capacity": 10}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "not_editable",
        "detail": "This proposal is “Submitted”: it can only be changed as a draft or when changes are requested.",
    }
    assert Proposal.objects.get(pk=pk).capacity == 90


def test_forbidden_transition_is_409_and_unknown_action_400(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)
    client = client_for(member)

    own = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/", {"action": "accept"}, format="json")
    unknown = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/", {"action": "publish"}, format="json")
    early = client_for(organiser).post(
        f"/api/v1/proposals/{proposal.pk}/transitions/", {"action": "accept"}, format="json"
    )

    assert (own.status_code, own.json()) == (409, {"code": "organisers_only", "detail": "Only organisers can do this."})
    assert (unknown.status_code, list(unknown.json())) == (400, ["action"])
    assert (early.status_code, early.json()) == (
        409,
        {"code": "transition_not_allowed", "detail": "A proposal that is “Draft” cannot be accepted."},
    )


def test_organiser_accepts_into_a_venue_and_a_clash_names_the_event(
    call_edition, association, member, organiser, make_event, venue
):
    proposal = create(call_edition, association, member)
    services.proposal_transition(proposal=proposal, action="submit", user=member)
    taken = make_event(venue=venue, starts_at=SLOTS[0][0], title_en="Taken")
    client = client_for(organiser)
    url = f"/api/v1/proposals/{proposal.pk}/transitions/"

    clash = client.post(url, {"action": "accept", "venue": venue.pk}, format="json")
    free = client.post(url, {"action": "accept", "venue": venue.pk + 1000}, format="json")
    other_venue = make_event().venue
    accepted = client.post(url, {"action": "accept", "venue": other_venue.pk, "message": "Bravo"}, format="json")

    assert clash.status_code == 409
    assert clash.json()["code"] == "venue_clash"
    assert clash.json()["event"] == {"id": taken.pk, "title": "Taken"}
    assert (free.status_code, list(free.json())) == (400, ["venue"])
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["history"][-1]["message"] == "Bravo"
    assert Event.objects.filter(proposal=proposal, venue=other_venue, status="draft").count() == 2


def test_create_outside_the_call_is_409(call_edition, member):
    call_edition.call_opens_at = call_edition.call_closes_at = None
    call_edition.save()

    response = client_for(member).post("/api/v1/proposals/", BODY, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {"code": "no_call", "detail": "There is no call for proposals for this edition."},
    )


def test_member_of_several_says_which_and_only_their_own(call_edition, member):
    second = AssociationFactory(name="Second")
    second.members.add(member)
    stranger = AssociationFactory(name="Stranger")
    client = client_for(member)

    unsaid = client.post("/api/v1/proposals/", BODY, format="json")
    theirs = client.post("/api/v1/proposals/", {**BODY, "association": second.pk}, format="json")
    foreign = client.post("/api/v1/proposals/", {**BODY, "association": stranger.pk}, format="json")

    assert (unsaid.status_code, unsaid.json()) == (
        400,
        {"association": ["Say which of your associations proposes it."]},
    )
    assert (theirs.status_code, theirs.json()["association"]) == (201, second.pk)
    assert (foreign.status_code, foreign.json()) == (403, {"detail": "Only members of the association can do this."})
    assert list(Proposal.objects.values_list("association__name", flat=True)) == ["Second"]


def test_members_never_see_internal_comments(call_edition, association, member, organiser):
    proposal = create(call_edition, association, member)
    services.proposal_note_add(proposal=proposal, user=organiser, text="Entre nous", to_association=False)
    services.proposal_note_add(proposal=proposal, user=organiser, text="Pour vous", to_association=True)

    seen_by_member = client_for(member).get(f"/api/v1/proposals/{proposal.pk}/").json()["history"]
    seen_by_organiser = client_for(organiser).get(f"/api/v1/proposals/{proposal.pk}/").json()["history"]

    assert [(h["kind"], h["message"]) for h in seen_by_member] == [("transition", ""), ("message", "Pour vous")]
    assert [(h["kind"], h["message"]) for h in seen_by_organiser] == [
        ("transition", ""),
        ("comment", "Entre nous"),
        ("message", "Pour vous"),
    ]


def test_list_filters_and_query_count(call_edition, association, member, organiser, django_assert_max_num_queries):
    for n in range(30):
        proposal = create(call_edition, association, member, title_fr=f"Proposition {n}")
        if n % 2:
            services.proposal_transition(proposal=proposal, action="submit", user=member)
    client = client_for(organiser)

    with django_assert_max_num_queries(8):
        submitted = client.get("/api/v1/proposals/?state=submitted&edition=2036&page_size=100")
    bad = client.get("/api/v1/proposals/?state=approved")

    assert submitted.status_code == 200
    assert submitted.json()["count"] == 15
    assert {p["state"] for p in submitted.json()["results"]} == {"submitted"}
    assert (bad.status_code, list(bad.json())) == (400, ["state"])


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "list_status", "count", "detail_status", "create_status", "patch_status", "transition_status"),
    [
        ("anonymous", 401, None, 401, 401, 401, 401),
        ("plain", 403, None, 403, 403, 403, 403),
        ("door", 403, None, 403, 403, 403, 403),
        ("other_member", 200, 0, 404, 201, 404, 404),
        ("member", 200, 1, 200, 201, 200, 200),
        ("organiser", 200, 1, 200, 403, 403, 409),
    ],
)
def test_permissions(
    call_edition, association, member, organiser, who, list_status, count, detail_status, create_status, patch_status,
    transition_status,
):  # fmt: skip
    proposal = create(call_edition, association, member)
    users = {
        "anonymous": None,
        "plain": UserFactory(),
        "door": DoorStaffFactory(),
        "other_member": AssociationMemberFactory(association=AssociationFactory(name="B")),
        "member": member,
        "organiser": organiser,
    }
    client = client_for(users[who])

    listed = client.get("/api/v1/proposals/")
    detail = client.get(f"/api/v1/proposals/{proposal.pk}/")
    created = client.post("/api/v1/proposals/", BODY, format="json")
    patched = client.patch(f"/api/v1/proposals/{proposal.pk}/", {"capacity": 5}, format="json")
    moved = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/", {"action": "withdraw"}, format="json")

    assert listed.status_code == list_status
    if count is not None:
        assert listed.json()["count"] == count
    assert (detail.status_code, created.status_code, patched.status_code, moved.status_code) == (
        detail_status,
        create_status,
        patch_status,
        transition_status,
    )
    if who != "member":
        assert Proposal.objects.get(pk=proposal.pk).capacity == 120
        assert Proposal.objects.get(pk=proposal.pk).state == "draft"
