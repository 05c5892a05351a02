"""Who opens what of the portal, the back office and the proposals API (SPEC sections 1 and 5),
table-driven over every role: association A sees nothing of association B; door staff and
anonymous users see no proposals; only organisers reach the back office."""

from __future__ import annotations

import pytest

from programme import services
from programme.models import Proposal
from tests.factories import AssociationFactory, AssociationMemberFactory, DoorStaffFactory, UserFactory
from tests.test_proposals import create

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "plain", "door", "member_a", "member_b", "organiser")
LOGIN = "login"  # a redirect to the login page


@pytest.fixture
def world(call_edition, association, member, organiser, make_event):
    """Association A (the member's) and B, each with a submitted proposal and an activity."""
    other = AssociationFactory(name="Association B")
    member_b = AssociationMemberFactory(username="bert", association=other)
    proposal_a = create(call_edition, association, member)
    proposal_b = create(call_edition, other, member_b, title_fr="Proposition de B")
    for proposal, user in ((proposal_a, member), (proposal_b, member_b)):
        services.proposal_transition(proposal=proposal, action="submit", user=user)
    return {
        "users": {
            "anonymous": None,
            "plain": UserFactory(),
            "door": DoorStaffFactory(),
            "member_a": member,
            "member_b": member_b,
            "organiser": organiser,
        },
        "proposal_a": proposal_a,
        "event_a": make_event(association=association, title_en="A's activity"),
        "event_b": make_event(association=other, title_en="B's activity"),
    }


#: (method, path template, {role: status}); a path names A's objects ({proposal_a}, {event_a}).
PORTAL = {"anonymous": LOGIN, "plain": 403, "door": 403, "organiser": 403}
BACKOFFICE = {"anonymous": LOGIN, "plain": 403, "door": 403, "member_a": 403, "member_b": 403}
API_NONE = {"anonymous": 401, "plain": 403, "door": 403}
PAGES = [
    ("get", "/en/portal/", {**PORTAL, "member_a": 200, "member_b": 200}),
    ("get", "/en/portal/proposals/", {**PORTAL, "member_a": 200, "member_b": 200}),
    ("get", "/en/portal/proposals/new/", {**PORTAL, "member_a": 200, "member_b": 200}),
    ("get", "/en/portal/proposals/{proposal_a}/", {**PORTAL, "member_a": 200, "member_b": 404}),
    ("get", "/en/portal/proposals/{proposal_a}/edit/", {**PORTAL, "member_a": 302, "member_b": 404}),
    ("post", "/en/portal/proposals/{proposal_a}/action/", {**PORTAL, "member_a": 302, "member_b": 404}),
    ("get", "/en/portal/activities/{event_a}/attendees.csv", {**PORTAL, "member_a": 200, "member_b": 404}),
    ("get", "/en/portal/association/", {**PORTAL, "member_a": 200, "member_b": 200}),
    ("get", "/en/portal/members/", {**PORTAL, "member_a": 200, "member_b": 200}),
    ("get", "/en/backoffice/", {**BACKOFFICE, "organiser": 200}),
    ("get", "/en/backoffice/proposals/", {**BACKOFFICE, "organiser": 200}),
    ("get", "/en/backoffice/proposals/{proposal_a}/", {**BACKOFFICE, "organiser": 200}),
    ("post", "/en/backoffice/proposals/{proposal_a}/note/", {**BACKOFFICE, "organiser": 302}),
    ("post", "/en/backoffice/proposals/{proposal_a}/decide/", {**BACKOFFICE, "organiser": 302}),
    ("get", "/en/backoffice/schedule/", {**BACKOFFICE, "organiser": 200}),
    ("get", "/en/backoffice/associations/", {**BACKOFFICE, "organiser": 200}),
    ("get", "/en/backoffice/dashboard/", {**BACKOFFICE, "organiser": 200}),
]
API = [
    ("get", "/api/v1/proposals/", {**API_NONE, "member_a": 200, "member_b": 200, "organiser": 200}),
    ("get", "/api/v1/proposals/{proposal_a}/", {**API_NONE, "member_a": 200, "member_b": 404, "organiser": 200}),
    ("patch", "/api/v1/proposals/{proposal_a}/", {**API_NONE, "member_a": 409, "member_b": 404, "organiser": 403}),
    (
        "post",
        "/api/v1/proposals/{proposal_a}/transitions/",
        {**API_NONE, "member_a": 200, "member_b": 404, "organiser": 409},
    ),
    (
        "get",
        "/api/v1/events/{event_a}/registrations/",
        {**API_NONE, "member_a": 200, "member_b": 403, "organiser": 200},
    ),
]
BODIES = {
    "/en/portal/proposals/{proposal_a}/action/": {"action": "withdraw"},
    "/en/backoffice/proposals/{proposal_a}/note/": {"text": "Noted", "to_association": "0"},
    "/en/backoffice/proposals/{proposal_a}/decide/": {"action": "reject", "message": "Sorry"},
    "/api/v1/proposals/{proposal_a}/": {"capacity": 5},
    "/api/v1/proposals/{proposal_a}/transitions/": {"action": "withdraw"},
}


def _path(template: str, world) -> str:
    return template.format(proposal_a=world["proposal_a"].pk, event_a=world["event_a"].pk)


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    got = {}
    for method, template, _expected in PAGES:
        path = _path(template, world)
        response = getattr(client, method)(path, BODIES.get(template, {}))
        status = response.status_code
        if status == 302 and response["Location"].startswith("/en/accounts/login/"):
            status = LOGIN
        got[(method, template)] = status
        # Each forbidden page says nothing of A's proposal or activity.
        if status in (403, 404, LOGIN):
            body = response.content.decode()
            assert "Chants de paix du Sahel" not in body and "A's activity" not in body, (method, path)
        Proposal.objects.filter(pk=world["proposal_a"].pk).update(state="submitted")  # each row from the same state
    assert got == {(method, template): expected[role] for method, template, expected in PAGES}


@pytest.mark.parametrize("role", ROLES)
def test_api(api_client, world, role):
    user = world["users"][role]
    if user is not None:
        api_client.force_authenticate(user)
    got = {}
    for method, template, _expected in API:
        response = getattr(api_client, method)(_path(template, world), BODIES.get(template), format="json")
        got[(method, template)] = response.status_code
        Proposal.objects.filter(pk=world["proposal_a"].pk).update(state="submitted")
    assert got == {(method, template): expected[role] for method, template, expected in API}


def test_member_b_lists_nothing_of_a(api_client, world):
    api_client.force_authenticate(world["users"]["member_b"])

    listed = api_client.get("/api/v1/proposals/").json()

    assert [p["title"] for p in listed["results"]] == ["Proposition de B"]
