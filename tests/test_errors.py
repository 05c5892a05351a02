"""Error answers in the client's language (issue 7, "Translated errors", "Database down"): API
404s and JSON parse errors, the 404/500/503 pages in the site's layout, and a database that
cannot be reached answered with a 503 and Retry-After, by a real gunicorn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from rest_framework.test import APIClient

from tests.factories import DoorStaffFactory, EventFactory, OrganiserFactory
from tests.helpers import ROOT
from tests.servers import free_port, wait_until

DJANGO_404 = "No Event matches the given query."
UNAVAILABLE = "The site is briefly unavailable, try again in a minute."


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- API: 404 and parse errors ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_api_404_of_a_missing_event_is_translated(language):
    response = APIClient().get("/api/v1/events/999999/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": translated("Not found.", language)}
    assert response.json() != {"detail": DJANGO_404}
    assert response["Content-Language"] == language
    # An API URL that matches nothing says the same (handler404).
    response = APIClient().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=language)
    assert (response.status_code, response.json()) == (404, {"detail": translated("Not found.", language)})


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_api_404_of_registrations_of_a_missing_event_is_translated(organiser_client, language):
    response = organiser_client.get("/api/v1/events/999999/registrations/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": translated("Not found.", language)}
    assert response.json() != {"detail": DJANGO_404}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_api_json_parse_error_is_translated_without_the_parsers_english(language):
    body = '{"username": "ann",\n "password": }'
    response = APIClient().post(
        "/api/v1/auth/token/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    where = translated("The request body is not valid JSON (line %(line)d, column %(column)d).", language)
    assert response.json() == {"detail": where % {"line": 2, "column": 14}}
    assert "JSON parse error" not in response.content.decode()
    assert "Expecting value" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b'{"username": NaN}', b'{"username": "\xff"}'])
def test_api_json_not_text_or_not_a_number_is_translated(body):
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    assert response.json() == {"detail": translated("The request body is not valid JSON.", "nl")}


@pytest.mark.django_db
def test_api_json_body_in_an_unsupported_charset_is_translated():
    response = APIClient().post(
        "/api/v1/auth/token/", b"{}", content_type="application/json; charset=bz2_codec", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": translated("The character set of the request body is not supported.", "nl")}


@pytest.fixture
def json_endpoints(current_edition):
    """Each JSON endpoint (method, URL) with a client allowed to call it."""
    event = EventFactory(edition=current_edition, capacity=10)
    organiser = APIClient()
    organiser.force_authenticate(OrganiserFactory())
    door = APIClient()
    door.force_authenticate(DoorStaffFactory())
    return {
        "registrations": (APIClient().post, f"/api/v1/events/{event.pk}/registrations/"),
        "checkins": (door.post, "/api/v1/checkins/"),
        "token": (APIClient().post, "/api/v1/auth/token/"),
        "event_patch": (organiser.patch, f"/api/v1/events/{event.pk}/"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["registrations", "checkins", "token", "event_patch"])
@pytest.mark.parametrize(
    "body", [nested(1000), '{"name": ' + nested(1000) + "}", '{"a":' * 100_000 + "1" + "}" * 100_000]
)
def test_api_json_nested_too_deeply_is_400_translated(json_endpoints, endpoint, body):
    method, url = json_endpoints[endpoint]
    response = method(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    assert response.json() == {"detail": translated("The request body is nested too deeply.", "nl")}


# --- Pages: 404 and 500 in the site's layout ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "path"), [("fr", "/fr/no-such-page/"), ("nl", "/nl/events/999999/")])
def test_page_404_in_the_site_layout_translated(language, path):
    response = Client().get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert '<header class="site-header">' in html
    assert f"<h1>{escape(translated('Page not found', language))}</h1>" in html
    assert f'<a href="/{language}/">{escape(translated("See the programme", language))}</a>' in html
    assert response["Content-Language"] == language


@pytest.mark.django_db
@pytest.mark.urls("tests.errors_urls")
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_page_500_in_the_site_layout_translated(language, django_assert_num_queries):
    with django_assert_num_queries(0):  # it must render while the database is down
        response = Client(raise_request_exception=False).get(f"/{language}/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert '<header class="site-header">' in html
    assert f"<h1>{escape(translated('Server error', language))}</h1>" in html
    # The language switcher still points at this very page in each language.
    assert 'href="/en/boom/" hreflang="en"' in html
    assert "Retry-After" not in response


@pytest.mark.django_db
@pytest.mark.urls("tests.errors_urls")
def test_api_500_is_translated_json():
    response = Client(raise_request_exception=False).get("/api/v1/boom/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 500
    assert response.json() == {"detail": translated("A server error occurred.", "nl")}


@pytest.mark.django_db
@pytest.mark.urls("tests.errors_urls")
def test_page_500_that_cannot_render_falls_back_to_its_text(settings, tmp_path):
    # Static files never collected: the layout's {% static %} fails, the answer must not.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = Client(raise_request_exception=False).get("/nl/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == translated("A server error occurred.", "nl")


# --- Database down: a real gunicorn against a dead port -------------------------


def _fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None):
    """(status, headers, body) of a request, whatever its status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_database_down_answers_503_in_the_clients_language(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "STATIC_ROOT", "MEDIA_ROOT"}
    }
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing",
        DEBUG="0",
        SECRET_KEY="tests-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        FORTNIGHT_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    # Production serves static files from collectstatic's manifest; the layout needs only ours.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0",
         "-i", "drf_spectacular_sidecar", "-i", "admin", "-i", "rest_framework"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fortnight.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:

        def answers() -> bool:
            assert server.poll() is None, log_path.read_text()
            try:
                _fetch(f"{base}/fr/accounts/login/")
            except OSError:
                return False
            return True

        wait_until(answers, timeout=60, describe=lambda: "gunicorn did not start:\n" + log_path.read_text())

        status, headers, body = _fetch(f"{base}/fr/")
        assert (status, headers["Retry-After"], headers["Content-Language"]) == (503, "30", "fr")
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert '<html lang="fr">' in body
        assert '<header class="site-header">' in body
        assert escape(translated(UNAVAILABLE, "fr")) in body

        status, headers, body = _fetch(f"{base}/nl/events/1/")
        assert (status, headers["Retry-After"], headers["Content-Language"]) == (503, "30", "nl")
        assert '<html lang="nl">' in body
        assert escape(translated(UNAVAILABLE, "nl")) in body

        status, headers, body = _fetch(f"{base}/api/v1/events/", headers={"Accept-Language": "nl"})
        assert (status, headers["Retry-After"], headers["Content-Type"]) == (503, "30", "application/json")
        assert json.loads(body) == {"detail": translated(UNAVAILABLE, "nl")}

        registration = {"name": "Ann", "email": "ann@example.org", "seats": 1, "language": "fr"}
        status, headers, body = _fetch(
            f"{base}/api/v1/events/1/registrations/",
            data=json.dumps(registration).encode(),
            headers={"Content-Type": "application/json", "Accept-Language": "fr"},
        )
        assert (status, headers["Retry-After"], headers["Content-Type"]) == (503, "30", "application/json")
        assert json.loads(body) == {"detail": translated(UNAVAILABLE, "fr")}

        # The login form needs no database until it is sent.
        status, headers, body = _fetch(f"{base}/fr/accounts/login/")
        assert status == 200
        assert 'name="password"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- 400, 403 and CSRF failures: pages in the site's layout, in the visitor's language -----------


def test_csrf_failure_is_a_translated_page(db, current_edition):
    event = EventFactory(edition=current_edition, capacity=10)
    response = Client(enforce_csrf_checks=True).post(f"/nl/events/{event.pk}/register/", {"name": "Ann"})
    assert response.status_code == 403
    html = response.content.decode()
    with translation.override("nl"):
        expected = gettext("This form has expired. Go back, reload the page and send it again.")
    assert expected in html
    assert '<html lang="nl">' in html and 'class="site-header"' in html
    assert "CSRF verification failed" not in html


def test_disallowed_host_is_a_translated_400_page(client):
    response = client.get("/fr/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    with translation.override("fr"):
        expected = gettext("The request is not valid.")
    assert expected in response.content.decode()
    assert "Bad Request (400)" not in response.content.decode()
