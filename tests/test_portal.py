"""The association portal (/<lang>/portal/): a member's proposals, the association's activities
with live counts, its door lists as CSV — nothing of any other association."""

from __future__ import annotations

import pytest

from programme.models import Proposal
from tests.factories import AssociationFactory, AssociationMemberFactory, RegistrationFactory, category
from tests.test_proposals import SLOTS, create

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, member):
    client.force_login(member)
    return client


def form_data(**fields) -> dict:
    data = {
        "title_fr": "Chants de paix du Sahel",
        "title_nl": "",
        "title_en": "",
        "summary_fr": "Un concert.",
        "category": category("concert").pk,
        "venue": "",
        "venue_wish": "Un jardin",
        "capacity": "80",
        "languages": ["fr", "nl"],
        "contact_name": "Mariam Diallo",
        "contact_email": "mariam@example.org",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "10",
        "slots-0-starts_at": "2036-10-22T18:00",
        "slots-0-ends_at": "2036-10-22T20:00",
        "slots-1-starts_at": "",
        "slots-1-ends_at": "",
    }
    data.update(fields)
    return data


def test_member_proposes_edits_submits_then_withdraws(call_edition, association, logged_in):
    created = logged_in.post("/en/portal/proposals/new/", form_data())
    assert created.status_code == 302, created.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert created["Location"] == f"/en/portal/proposals/{proposal.pk}/"
    assert (proposal.association, proposal.state, proposal.speaks_nl, proposal.venue_wish) == (
        association,
        "draft",
        True,
        "Un jardin",
    )
    assert list(proposal.slots.values_list("starts_at", flat=True)) == [SLOTS[0][0]]

    page = logged_in.get(f"/en/portal/proposals/{proposal.pk}/").content.decode()
    assert "Complete it and submit it before the call closes on" in page
    assert "Submit for review" in page and "Withdraw the proposal" in page

    edited = logged_in.post(f"/en/portal/proposals/{proposal.pk}/edit/", form_data(capacity="90"))
    assert edited.status_code == 302
    submitted = logged_in.post(f"/en/portal/proposals/{proposal.pk}/action/", {"action": "submit"})
    assert submitted.status_code == 302
    assert Proposal.objects.get().state == "submitted"
    page = logged_in.get(f"/en/portal/proposals/{proposal.pk}/").content.decode()
    assert "Your proposal is submitted." in page
    assert "The organisers are reviewing it; they will tell you their decision by e-mail." in page
    assert "Change the proposal" not in page

    refused = logged_in.post(f"/en/portal/proposals/{proposal.pk}/edit/", form_data(capacity="10"))
    assert refused.status_code == 302
    assert Proposal.objects.get().capacity == 90
    logged_in.post(f"/en/portal/proposals/{proposal.pk}/action/", {"action": "withdraw"})
    assert Proposal.objects.get().state == "withdrawn"


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"title_fr": ""}, ["Give a title in at least one language."]),
        ({"slots-0-ends_at": "2036-10-22T17:00"}, ["The end must be after the start."]),
        ({"slots-0-ends_at": ""}, ["Give both the start and the end, or neither."]),
        (
            {"slots-0-starts_at": "2036-12-22T18:00", "slots-0-ends_at": "2036-12-22T19:00"},
            ["Propose dates within the fortnight: Oct. 20, 2036 to Nov. 2, 2036."],
        ),
        ({"capacity": "0"}, ["Ensure this value is greater than or equal to 1."]),
        ({"contact_email": "nope"}, ["Enter a valid email address."]),
    ],
)  # fmt: skip
def test_form_errors_are_shown_and_nothing_is_saved(call_edition, logged_in, fields, messages):
    response = logged_in.post("/en/portal/proposals/new/", form_data(**fields))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    for message in messages:
        assert message in page
    assert Proposal.objects.count() == 0


def test_closed_call_says_when(call_edition, logged_in):
    import datetime

    from django.utils import timezone

    call_edition.call_opens_at = timezone.now() + datetime.timedelta(days=3)
    call_edition.call_closes_at = timezone.now() + datetime.timedelta(days=30)
    call_edition.save()

    page = logged_in.get("/en/portal/proposals/new/")
    posted = logged_in.post("/en/portal/proposals/new/", form_data())

    assert "The call for proposals opens on" in page.content.decode()
    assert posted.status_code == 409
    assert Proposal.objects.count() == 0


def test_home_shows_activities_with_live_counts_and_only_ours(call_edition, association, member, logged_in, make_event):
    ours = make_event(association=association, title_en="Our concert", capacity=3, waitlist_enabled=True)
    theirs = make_event(association=AssociationFactory(name="Other"), title_en="Their debate")
    for n in range(3):
        RegistrationFactory(event=ours, seats=1, email=f"a{n}@example.org")
    RegistrationFactory(event=ours, seats=2, email="late@example.org")  # waitlisted
    create(call_edition, association, member, title_fr="Notre proposition")
    create(
        call_edition,
        theirs.association,
        AssociationMemberFactory(association=theirs.association),
        title_fr="Leur proposition",
    )

    page = logged_in.get("/en/portal/").content.decode()

    assert f"The call for proposals for {call_edition} is open until " in page
    assert "Our concert" in page and "Their debate" not in page
    assert "Notre proposition" in page and "Leur proposition" not in page
    row = page[page.index("Our concert") :]
    row = row[: row.index("</tr>")]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:5]] == ["3", "3", "2", "0"]
    assert f"/en/portal/activities/{ours.pk}/attendees.csv" in page


def test_attendees_csv_holds_what_a_door_list_needs_only(association, logged_in, make_event):
    event = make_event(association=association, capacity=2)
    RegistrationFactory(event=event, name="Élodie Dupont", email="elodie@example.org", seats=2)
    RegistrationFactory(event=event, name="=HYPERLINK(1)", email="x@example.org", seats=1)  # waitlisted

    response = logged_in.get(f"/en/portal/activities/{event.pk}/attendees.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="attendees-activity-{event.pk}.csv"'
    assert response.content.decode("utf-8") == (
        "\ufeffName,Seats,Status\r\nÉlodie Dupont,2,Confirmed\r\n'=HYPERLINK(1),1,On the waiting list\r\n"
    )


def test_member_of_several_chooses_and_sees_only_that_one(call_edition, association, member, client):
    second = AssociationFactory(name="Second association")
    second.members.add(member)
    proposal = create(call_edition, association, member, title_fr="De la première")
    client.force_login(member)

    asked = client.get("/en/portal/")
    chosen = client.post("/en/portal/association/", {"association": second.pk, "next": "/en/portal/proposals/"})
    listed = client.get("/en/portal/proposals/").content.decode()
    hidden = client.get(f"/en/portal/proposals/{proposal.pk}/")

    assert (asked.status_code, asked["Location"]) == (302, "/en/portal/association/?next=%2Fen%2Fportal%2F")
    assert (chosen.status_code, chosen["Location"]) == (302, "/en/portal/proposals/")
    assert "Second association" in listed and "De la première" not in listed
    assert hidden.status_code == 404
