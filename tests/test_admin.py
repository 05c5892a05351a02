"""The organisers' back office (Django admin): access, the event list, publish and cancel."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from programme.models import Event
from tests.factories import (
    PASSWORD,
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    OrganiserFactory,
    UserFactory,
    brussels,
    bulk_events,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/programme/event/"


@pytest.fixture
def admin_client_organiser(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def drafts(current_edition):
    return [
        EventFactory(
            edition=current_edition,
            status=Event.Status.DRAFT,
            title_en=f"Draft {n}",
            starts_at=brussels(2036, 10, 21 + n, 19),
        )
        for n in range(2)
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_organiser_logs_in(client, organiser):
    response = client.post(
        "/en/admin/login/", {"username": organiser.username, "password": PASSWORD, "next": "/en/admin/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/en/admin/")
    index = client.get("/en/admin/")
    assert index.status_code == 200
    assert '<a href="/en/admin/programme/event/">' in index.content.decode()


def test_admin_organiser_sees_event_list(admin_client_organiser, drafts, current_edition):
    published = EventFactory(edition=current_edition, title_en="Published one", starts_at=brussels(2036, 10, 25, 19))

    response = admin_client_organiser.get(CHANGELIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', page)] == [
        drafts[0].pk,
        drafts[1].pk,
        published.pk,
    ]
    assert "Draft 0" in page
    assert "Published one" in page
    assert '<option value="publish">Publish the selected events</option>' in page
    assert '<option value="cancel">Cancel the selected events</option>' in page


def test_admin_event_list_queries_do_not_grow(admin_client_organiser, current_edition):
    bulk_events(3, edition=current_edition, venue_count=3)
    with CaptureQueriesContext(connection) as few:
        admin_client_organiser.get(CHANGELIST)
    bulk_events(97, edition=current_edition, venue_count=3)

    with CaptureQueriesContext(connection) as many:
        response = admin_client_organiser.get(CHANGELIST)

    assert response.status_code == 200
    assert len(re.findall(r'name="_selected_action"', response.content.decode())) == 100
    assert len(many) == len(few)


def test_admin_publish_action_publishes_and_bumps_sequence(admin_client_organiser, drafts):
    response = admin_client_organiser.post(
        CHANGELIST, {"action": "publish", "_selected_action": [drafts[0].pk, drafts[1].pk]}
    )

    assert (response.status_code, response["Location"]) == (302, CHANGELIST)
    assert list(Event.objects.order_by("pk").values_list("pk", "status", "sequence")) == [
        (drafts[0].pk, "published", 1),
        (drafts[1].pk, "published", 1),
    ]
    assert messages_of(response) == ["2 events published."]


def test_admin_publish_action_skips_published(admin_client_organiser, drafts, current_edition):
    published = EventFactory(edition=current_edition)

    response = admin_client_organiser.post(
        CHANGELIST, {"action": "publish", "_selected_action": [drafts[0].pk, published.pk]}
    )

    assert messages_of(response) == ["1 event published."]
    published.refresh_from_db()
    drafts[1].refresh_from_db()
    assert (published.status, published.sequence, drafts[1].status, drafts[1].sequence) == (
        "published",
        0,
        "draft",
        0,
    )


def test_admin_cancel_action_cancels_and_bumps_sequence(admin_client_organiser, current_edition):
    event = EventFactory(edition=current_edition)
    already = EventFactory(edition=current_edition, status=Event.Status.CANCELLED)

    response = admin_client_organiser.post(CHANGELIST, {"action": "cancel", "_selected_action": [event.pk, already.pk]})

    assert response.status_code == 302
    assert messages_of(response) == ["1 event cancelled."]
    assert list(Event.objects.order_by("pk").values_list("pk", "status", "sequence")) == [
        (event.pk, "cancelled", 1),
        (already.pk, "cancelled", 0),
    ]


def _change_form_data(event: Event, **changes) -> dict:
    local = {name: getattr(event, name).astimezone() for name in ("starts_at", "ends_at")}
    data = {
        "edition": event.edition_id,
        "association": event.association_id or "",
        "category": event.category_id,
        "status": event.status,
        "title_fr": event.title_fr,
        "title_nl": event.title_nl,
        "title_en": event.title_en,
        "summary_fr": "",
        "summary_nl": "",
        "summary_en": event.summary_en or "",
        "description_fr": "",
        "description_nl": "",
        "description_en": "",
        "image_alt": "",
        "venue": event.venue_id,
        "starts_at_0": local["starts_at"].strftime("%Y-%m-%d"),
        "starts_at_1": local["starts_at"].strftime("%H:%M:%S"),
        "ends_at_0": local["ends_at"].strftime("%Y-%m-%d"),
        "ends_at_1": local["ends_at"].strftime("%H:%M:%S"),
        "speaks_fr": "on",
        "capacity": event.capacity,
        "max_seats_per_registration": event.max_seats_per_registration,
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "waitlist_enabled": "on",
        "_save": "Save",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "sequence"),
    [({"title_en": "Renamed"}, 1), ({"starts_at_1": "18:00:00"}, 1), ({"capacity": 70}, 0), ({}, 0)],
)
def test_admin_change_form_bumps_sequence_for_calendar_fields(
    admin_client_organiser, current_edition, changes, sequence
):
    event = EventFactory(edition=current_edition, capacity=50, seats_taken=3)

    response = admin_client_organiser.post(
        f"/en/admin/programme/event/{event.pk}/change/", _change_form_data(event, **changes)
    )

    assert response.status_code == 302, response.content.decode()
    event.refresh_from_db()
    assert (event.sequence, event.seats_taken) == (sequence, 3)


def test_admin_plain_user_cannot_log_in(client):
    user = UserFactory()

    response = client.post("/en/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/en/admin/").status_code == 302


@pytest.mark.parametrize("user_factory", [UserFactory, DoorStaffFactory])
def test_admin_non_staff_redirected_to_login(client, current_edition, user_factory):
    client.force_login(user_factory())

    response = client.get(CHANGELIST)

    assert (response.status_code, response["Location"]) == (
        302,
        f"/en/admin/login/?next={CHANGELIST}",
    )


def test_admin_anonymous_redirected_to_login(client):
    response = client.get("/en/admin/")

    assert (response.status_code, response["Location"]) == (302, "/en/admin/login/?next=/en/admin/")


def test_admin_staff_without_organiser_role_403(client, drafts):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(CHANGELIST).status_code == 403
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [drafts[0].pk]})

    assert response.status_code == 403
    assert list(Event.objects.values_list("status", flat=True)) == ["draft", "draft"]


def test_admin_non_staff_action_changes_nothing(client, drafts):
    client.force_login(DoorStaffFactory())

    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [drafts[0].pk]})

    assert response.status_code == 302
    assert list(Event.objects.values_list("status", "sequence")) == [("draft", 0), ("draft", 0)]


def test_admin_organiser_factory_is_staff_organiser():
    organiser = OrganiserFactory()

    assert (organiser.is_staff, organiser.is_superuser, organiser.has_perm("programme.change_event")) == (
        True,
        False,
        True,
    )


def test_admin_change_form_refuses_a_date_far_from_the_edition(admin_client_organiser, current_edition):
    event = EventFactory(edition=current_edition, capacity=50)
    before = Event.objects.values().get(pk=event.pk)

    response = admin_client_organiser.post(
        f"/en/admin/programme/event/{event.pk}/change/",
        _change_form_data(event, starts_at_0="2063-10-21", ends_at_0="2063-10-21"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Give a date within a year of the edition (Oct. 20, 2036 to Nov. 2, 2036).") == 2
    assert Event.objects.values().get(pk=event.pk) == before


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("2", "3 seats are already taken: the capacity cannot be lower."),
        (
            "",
            "This activity has registrations (confirmed or on the waiting list): it needs a capacity."
            " Cancel them first if it should need no registration.",
        ),
    ],
)
def test_admin_change_form_capacity_below_seats_or_removed_is_a_form_error(
    admin_client_organiser, current_edition, capacity, message
):
    from tests.factories import RegistrationFactory

    event = EventFactory(edition=current_edition, capacity=3)
    RegistrationFactory(event=event, seats=3)
    before = Event.objects.values().get(pk=event.pk)

    response = admin_client_organiser.post(
        f"/en/admin/programme/event/{event.pk}/change/", _change_form_data(event, capacity=capacity)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Event.objects.values().get(pk=event.pk) == before


def test_admin_add_form_creates_the_event_through_the_service(admin_client_organiser, current_edition, caplog):
    template = EventFactory(edition=current_edition, title_en="Model", title_fr="Modèle", capacity=30)
    # The same as the model, the next day (the same slot in its venue would clash).
    data = {
        **_change_form_data(template, starts_at_0="2036-10-22", ends_at_0="2036-10-22"),
        "title_en": "A new debate",
        "title_fr": "Un nouveau débat",
    }

    with caplog.at_level("INFO", logger="programme.services"):
        response = admin_client_organiser.post("/en/admin/programme/event/add/", data)

    assert response.status_code == 302, response.content.decode()
    created = Event.objects.get(title_en="A new debate")
    assert (created.title_fr, created.capacity, created.sequence, created.seats_taken) == ("Un nouveau débat", 30, 0, 0)
    assert response["Location"] == CHANGELIST
    assert f"event {created.pk} created (published)" in caplog.text


def test_admin_add_form_preselects_the_current_edition_and_has_the_waitlist_limit(
    admin_client_organiser, current_edition
):
    EditionFactory(year=2090, slug="2090")  # another edition, not the current one

    response = admin_client_organiser.get("/en/admin/programme/event/add/")

    form = response.context["adminform"].form
    assert form.initial["edition"] == current_edition.pk
    assert "waitlist_limit" in form.fields
    assert f'<option value="{current_edition.pk}" selected>' in response.content.decode()


def test_admin_change_form_saves_the_waitlist_limit(admin_client_organiser, current_edition):
    event = EventFactory(edition=current_edition, capacity=30)

    response = admin_client_organiser.post(
        f"/en/admin/programme/event/{event.pk}/change/", _change_form_data(event, waitlist_limit="12")
    )

    assert response.status_code == 302, response.content.decode()
    assert Event.objects.get(pk=event.pk).waitlist_limit == 12


def test_admin_change_form_end_before_start_says_a_sentence_not_a_constraint(admin_client_organiser, current_edition):
    event = EventFactory(edition=current_edition, capacity=30)
    before = Event.objects.values().get(pk=event.pk)
    local = event.starts_at.astimezone()

    response = admin_client_organiser.post(
        f"/fr/admin/programme/event/{event.pk}/change/",
        _change_form_data(
            event,
            ends_at_0=local.strftime("%Y-%m-%d"),
            ends_at_1=(local - datetime.timedelta(hours=1)).strftime("%H:%M:%S"),
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "La fin doit être postérieure au début." in html
    assert "event_ends_after_start" not in html and "contrainte" not in html
    with translation.override("en"):
        assert Event.objects.values().get(pk=event.pk) == before
