"""Password checks are limited per client address, and the door login, the back office
login and the API token endpoint share the count: guessing is slow everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from common.ratelimit import LOGIN_RATE_LIMIT
from tests.factories import PASSWORD, OrganiserFactory

pytestmark = pytest.mark.django_db

LIMIT = int(LOGIN_RATE_LIMIT.split("/")[0])


@pytest.fixture
def organiser():
    return OrganiserFactory(username="olga")


def test_token_endpoint_limited_then_429_in_client_language(organiser, rate_window):
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "olga", "password": "wrong"}, format="json").status_code
        for _ in range(LIMIT)
    ]
    assert statuses == [400] * LIMIT
    refused = client.post(
        "/api/v1/auth/token/", {"username": "olga", "password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Te veel aanmeldpogingen vanaf uw adres. Wacht een minuut en probeer het opnieuw."
    }
    assert "token" not in refused.json()


def test_admin_login_limited_then_429_page_nothing_logged_in(organiser, rate_window):
    client = Client()
    statuses = [
        client.post("/en/admin/login/", {"username": "olga", "password": "wrong"}).status_code for _ in range(LIMIT)
    ]
    assert statuses == [200] * LIMIT  # the admin's form, with its error
    refused = client.post("/fr/admin/login/", {"username": "olga", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion depuis votre adresse." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/en/admin/").status_code == 302  # still to the login page


def test_admin_login_still_works_below_the_limit(organiser, rate_window):
    client = Client()
    response = client.post("/en/admin/login/?next=/en/admin/", {"username": "olga", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/en/admin/")
    assert client.get("/en/admin/").status_code == 200


def test_one_count_for_all_logins(organiser, rate_window):
    client = APIClient()
    for n in range(LIMIT):
        if n % 2:
            client.post("/en/accounts/login/", {"username": "olga", "password": "wrong"})
        else:
            client.post("/en/admin/login/", {"username": "olga", "password": "wrong"})
    response = client.post("/api/v1/auth/token/", {"username": "olga", "password": PASSWORD}, format="json")
    assert response.status_code == 429
