"""Organisers find and cancel registrations in the back office; the scan log is read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from programme.roles import ORGANISERS
from registrations.models import CheckIn, Registration
from tests.factories import DoorStaffFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_event):
    return make_event(capacity=2, max_seats_per_registration=2)


def test_organisers_group_holds_registration_permissions_after_migrate():
    codenames = set(Group.objects.get(name=ORGANISERS).permissions.values_list("codename", flat=True))

    assert {"view_registration", "change_registration", "view_checkin"} <= codenames
    assert "delete_registration" not in codenames
    assert not Permission.objects.filter(codename__contains="ticketkey", group__name=ORGANISERS).exists()


def test_organiser_searches_registrations_by_code(client, organiser, event):
    ann = RegistrationFactory(event=event, name="Ann Peeters", seats=1)
    RegistrationFactory(event=event, name="Bob Janssens", seats=1)
    client.force_login(organiser)

    page = client.get("/en/admin/registrations/registration/", {"q": ann.code}).content.decode()

    assert "Ann Peeters" in page
    assert "Bob Janssens" not in page


def test_organiser_cancel_action_frees_seats_and_promotes(client, organiser, event):
    ann = RegistrationFactory(event=event, seats=2)
    waiting = RegistrationFactory(event=event, seats=1)
    assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(organiser)

    response = client.post(
        "/en/admin/registrations/registration/", {"action": "cancel", "_selected_action": [ann.pk]}, follow=True
    )

    assert response.status_code == 200
    ann.refresh_from_db()
    waiting.refresh_from_db()
    event.refresh_from_db()
    assert (ann.status, ann.cancelled_by, waiting.status, event.seats_taken) == (
        "cancelled",
        "organiser",
        "confirmed",
        1,
    )


def test_registrations_cannot_be_added_or_deleted_in_admin(client, organiser, event):
    registration = RegistrationFactory(event=event)
    client.force_login(organiser)

    assert client.get("/en/admin/registrations/registration/add/").status_code == 403
    assert client.get(f"/en/admin/registrations/registration/{registration.pk}/delete/").status_code == 403


def test_door_staff_cannot_open_the_back_office(client, event):
    client.force_login(DoorStaffFactory())

    response = client.get("/en/admin/registrations/registration/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")


def test_scan_log_is_read_only(client, organiser, event):
    registration = RegistrationFactory(event=event)
    CheckIn.objects.create(event=event, registration=registration, result="ok")
    client.force_login(organiser)

    assert client.get("/en/admin/registrations/checkin/").status_code == 200
    assert client.get("/en/admin/registrations/checkin/add/").status_code == 403
