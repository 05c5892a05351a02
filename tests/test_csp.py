"""The Content-Security-Policy header (django-csp) on every kind of answer, read with the test
client; tests/test_csp_browser.py shows in Chromium that the pages work under it and that it
is enforced."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from registrations import services
from registrations.links import registration_links
from tests.factories import DoorStaffFactory, OrganiserFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# An executed inline script: a <script> without src whose type is not a data type.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=|javascript:", re.I)


def directives(response) -> dict[str, str]:
    """The header as {directive: sources}; django-csp writes directives in no fixed order."""
    parts = [part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")]
    names = [part[0] for part in parts]
    assert len(names) == len(set(names)), names
    return {part[0]: part[1] for part in parts}


@pytest.fixture
def event(make_event):
    return make_event(capacity=40)


def _door_client() -> Client:
    client = Client()
    client.force_login(DoorStaffFactory())
    return client


def _organiser_client() -> Client:
    client = Client()
    client.force_login(OrganiserFactory())
    return client


def _ticket_url(event) -> str:
    registration = services.registration_create(
        event_id=event.pk, name="Amina Diallo", email="amina@example.org", seats=1, language="en"
    )
    return registration_links(registration)["ticket_url"]


# (what, client maker, url maker, expected status, content type)
ANSWERS = [
    ("programme page", Client, lambda event: "/en/", 200, "text/html"),
    ("event page", Client, lambda event: f"/en/events/{event.pk}/", 200, "text/html"),
    ("ticket page", Client, _ticket_url, 200, "text/html"),
    ("door login", Client, lambda event: "/en/accounts/login/", 200, "text/html"),
    ("door page", _door_client, lambda event: f"/en/door/{event.pk}/", 200, "text/html"),
    ("admin login", Client, lambda event: "/fr/admin/login/", 200, "text/html"),
    ("admin changelist", _organiser_client, lambda event: "/fr/admin/programme/event/", 200, "text/html"),
    (
        "admin change form",
        _organiser_client,
        lambda event: f"/fr/admin/programme/event/{event.pk}/change/",
        200,
        "text/html",
    ),
    ("password reset", Client, lambda event: "/en/accounts/password/reset/", 200, "text/html"),
    ("back office review", _organiser_client, lambda event: "/en/backoffice/proposals/", 200, "text/html"),
    ("back office schedule", _organiser_client, lambda event: "/en/backoffice/schedule/", 200, "text/html"),
    ("back office associations", _organiser_client, lambda event: "/en/backoffice/associations/", 200, "text/html"),
    ("API JSON", Client, lambda event: "/api/v1/events/", 200, "application/json"),
    ("service worker", Client, lambda event: "/offline-tickets-sw.js", 200, "text/javascript"),
    ("page not found", Client, lambda event: "/en/no-such-page/", 404, "text/html"),
]


@pytest.mark.parametrize(
    ("what", "make_client", "make_url", "status", "content_type"), ANSWERS, ids=[a[0] for a in ANSWERS]
)
def test_csp_header_is_the_strict_policy(event, what, make_client, make_url, status, content_type):
    client = make_client()
    response = client.get(make_url(event), HTTP_ACCEPT="application/json" if what == "API JSON" else "text/html")

    assert (response.status_code, response["Content-Type"].split(";")[0]) == (status, content_type)
    assert directives(response) == POLICY
    if content_type == "text/html":  # and the page holds nothing the policy would refuse
        page = response.content.decode()
        assert (INLINE_SCRIPT.findall(page), INLINE_STYLE.findall(page), INLINE_HANDLER.findall(page)) == ([], [], [])


def test_csp_api_docs_allow_their_one_inline_script_by_a_fresh_nonce(client):
    first, second = client.get("/api/v1/docs/"), client.get("/api/v1/docs/")

    policies = [directives(first), directives(second)]
    nonces = [re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]{24})'", p["script-src"]).group(1) for p in policies]
    assert nonces[0] != nonces[1]
    assert [{**p, "script-src": "'self'"} for p in policies] == [POLICY, POLICY]
    page = first.content.decode()
    assert INLINE_SCRIPT.findall(page) == [f'<script nonce="{nonces[0]}">']
    assert "SwaggerUIBundle({" in page
    assert INLINE_STYLE.findall(page) == []
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', page) == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/css/api-docs.css",
    ]
