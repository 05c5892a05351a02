"""API tokens: organisers neither see nor make other users' tokens, and a revoked token, a
deactivated account or a role taken away counts from the very next request (issue 7)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programme.roles import DOOR_STAFF, ORGANISERS, ensure_groups
from registrations.tickets import make_token
from tests.factories import DoorStaffFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/fr/admin/authtoken/tokenproxy/"
CHECKINS = "/api/v1/checkins/"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def event(make_event):
    return make_event(capacity=10)


def token_client(user) -> APIClient:
    """A client that authenticates as a door phone does: its token in every request's header."""
    token = Token.objects.create(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def scan(client, event, registration):
    return client.post(CHECKINS, {"secret": make_token(registration), "event": event.pk}, format="json")


# --- The token admin ------------------------------------------------------------------------


def test_token_admin_organiser_changelist_403(client, organiser, superuser):
    Token.objects.create(user=superuser)
    client.force_login(organiser)
    response = client.get(TOKENS)
    assert response.status_code == 403
    assert Token.objects.get(user=superuser).key not in response.content.decode()


def test_token_admin_organiser_add_page_403(client, organiser):
    client.force_login(organiser)
    assert client.get(TOKENS + "add/").status_code == 403


def test_token_admin_organiser_cannot_post_a_token_for_a_superuser(client, organiser, superuser):
    client.force_login(organiser)
    response = client.post(TOKENS + "add/", {"user": superuser.pk})
    assert response.status_code == 403
    assert Token.objects.count() == 0


def test_token_admin_organiser_cannot_open_a_users_token(client, organiser, superuser):
    Token.objects.create(user=superuser)
    client.force_login(organiser)
    assert client.get(f"{TOKENS}{superuser.pk}/change/").status_code == 403
    assert client.post(f"{TOKENS}{superuser.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Token.objects.filter(user=superuser).count() == 1


def test_token_admin_superuser_keeps_the_stock_admin(client, superuser):
    door = DoorStaffFactory(username="door-anna")
    client.force_login(superuser)
    assert client.get(TOKENS).status_code == 200
    response = client.post(TOKENS + "add/", {"user": door.pk})
    assert (response.status_code, Token.objects.filter(user=door).count()) == (302, 1)


def test_ensure_groups_takes_back_token_permissions_an_older_version_granted():
    organisers = Group.objects.get(name=ORGANISERS)
    organisers.permissions.add(*Permission.objects.filter(content_type__app_label="authtoken"))
    ensure_groups()
    held = set(organisers.permissions.values_list("content_type__app_label", "codename"))
    assert held == {
        *(
            ("programme", f"{action}_{model}")
            for model in ("edition", "venue", "category", "association", "event")
            for action in ("add", "change", "delete", "view")
        ),
        ("programme", "view_proposal"),
        ("programme", "change_proposal"),
        ("programme", "view_proposalslot"),
        ("programme", "change_proposalslot"),
        ("programme", "view_proposalnote"),
        ("registrations", "view_registration"),
        ("registrations", "change_registration"),
        ("registrations", "view_checkin"),
        ("notifications", "view_message"),
        ("notifications", "change_message"),
    }


# --- Changes count from the next request ------------------------------------------------------


def test_token_of_door_staff_removed_from_the_group_403_at_once(event):
    door = DoorStaffFactory(username="door-anna")
    client = token_client(door)
    ann, bob = RegistrationFactory(event=event), RegistrationFactory(event=event)
    assert scan(client, event, ann).json()["result"] == "ok"
    door.groups.remove(Group.objects.get(name=DOOR_STAFF))
    response = scan(client, event, bob)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only door staff and organisers can check tickets in."},
    )
    bob.refresh_from_db()
    assert bob.checked_in_at is None


def test_token_of_a_deactivated_user_401_at_once(event):
    door = DoorStaffFactory(username="door-anna")
    client = token_client(door)
    ann, bob = RegistrationFactory(event=event), RegistrationFactory(event=event)
    assert scan(client, event, ann).json()["result"] == "ok"
    door.is_active = False
    door.save(update_fields=["is_active"])
    response = scan(client, event, bob)
    assert (response.status_code, response.json()) == (401, {"detail": "User inactive or deleted."})
    bob.refresh_from_db()
    assert bob.checked_in_at is None
