"""Outages degrade, they do not break (SPEC section 6), and the rate limits' edges (issue 7).

The cache is a real Redis client pointed at a port where nothing listens, or at a
listener that never answers, or at a redis-server that this test starts late; the
broker is Celery's real Redis transport pointed at a dead port.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import Client
from django_ratelimit.core import _get_window
from icalendar import Calendar
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from celery_app import app as celery_app
from common.cache import FallbackRedisCache
from common.ratelimit import LOGIN_RATE_LIMIT, RetryAfterMiddleware
from notifications.models import Message
from registrations.models import Registration
from tests.factories import PASSWORD, DoorStaffFactory, RegistrationFactory
from tests.servers import free_port, wait_until

pytestmark = pytest.mark.django_db

#: Nothing listens on port 1 of loopback: a connection is refused at once.
DEAD = "redis://127.0.0.1:1"
#: The outage state is kept per Redis location and process: each test gets a location of its own
#: (another database number on the same dead port), so that each starts a new outage.
_databases = itertools.count(100)


def redis_caches(location: str, **options) -> dict:
    """CACHES as fortnight/settings.py writes them with REDIS_URL=`location`."""
    return {
        "default": {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, "fallback_seconds": 10, **options},
        }
    }


@pytest.fixture
def dead_cache(settings) -> str:
    location = f"{DEAD}/{next(_databases)}"
    settings.CACHES = redis_caches(location)
    return location


@pytest.fixture
def door_staff():
    return DoorStaffFactory(username="door")


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "common.cache" and r.levelno == logging.WARNING]


def wait_for_windows(*values: str, period: int = 60, margin: float = 5) -> None:
    """Start, well inside the current rate window of each of `values`, a test whose
    requests must all fall in the same windows (windows end at a different second per value;
    a window's last second is the one _get_window gives, the next one starts a new count)."""
    for _ in range(len(values) + 1):
        left = min(_get_window(value, period) + 1 - time.time() for value in values)
        if left >= margin:
            return
        time.sleep(max(left, 0) + 0.1)
    raise AssertionError("no common stretch of the rate windows")


@pytest.fixture
def fresh_window():
    """Like conftest's rate_window (the test client's address, 127.0.0.1), counting the
    window's last second as part of it."""
    wait_for_windows("127.0.0.1")


FORM = {"name": "Ann Peeters", "email": "ann@example.org", "seats": "1", "language": "fr", "consent": "on"}
BODY = {"name": "Ann Peeters", "email": "ann@example.org", "seats": 1, "language": "fr"}


# --- Cache down --------------------------------------------------------------------------------


def test_cache_down_settings_change_gives_the_fallback_cache_on_that_location(dead_cache):
    assert isinstance(caches["default"], FallbackRedisCache)
    assert caches["default"]._servers == [dead_cache]


def test_programme_page_cache_down_200(client, event, dead_cache, caplog):
    response = client.get("/fr/")
    assert response.status_code == 200
    assert f'<a href="/fr/events/{event.pk}/">Construire la paix</a>' in response.content.decode()
    assert len(cache_warnings(caplog)) == 1


def test_events_api_cache_down_200_with_the_event(client, event, dead_cache):
    response = client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(item["id"], item["title"], item["seats_left"]) for item in body["results"]] == [
        (event.pk, "Building peace", 50)
    ]


def test_programme_feed_cache_down_200(client, event, dead_cache):
    response = client.get("/calendar/programme.ics", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = [str(c["SUMMARY"]) for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries == ["Building peace"]


def test_web_registration_cache_down_302_to_ticket(client, event, dead_cache):
    response = client.post(f"/fr/events/{event.pk}/register/", FORM)
    registration = Registration.objects.get()
    assert (registration.event_id, registration.email, registration.status) == (
        event.pk,
        "ann@example.org",
        "confirmed",
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/tickets/")
    assert response["Location"].endswith("/?new=1")
    assert client.get(response["Location"]).status_code == 200


def test_api_registration_cache_down_201(client, event, dead_cache):
    response = APIClient().post(f"/api/v1/events/{event.pk}/registrations/", BODY, format="json")
    assert response.status_code == 201
    registration = Registration.objects.get()
    assert response.json()["id"] == registration.pk
    assert (response.json()["status"], registration.seats) == ("confirmed", 1)


def test_send_my_link_cache_down_200(client, event, dead_cache):
    RegistrationFactory(event=event, email="ann@example.org")
    response = client.post(f"/en/events/{event.pk}/register/link/", {"email": "ann@example.org"})
    assert response.status_code == 200
    assert "<h1>Check your e-mail</h1>" in response.content.decode()


def test_door_login_cache_down_302(door_staff, dead_cache):
    client = Client()
    response = client.post("/fr/accounts/login/", {"username": "door", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/fr/accounts/home/")
    assert client.session["_auth_user_id"] == str(door_staff.pk)


def test_token_cache_down_200(door_staff, dead_cache):
    response = APIClient().post("/api/v1/auth/token/", {"username": "door", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=door_staff).key}


def test_rate_limit_cache_down_still_counts_in_the_process(client, event, dead_cache, settings, fresh_window):
    """Half open: with Redis away the limit still holds, counted by each process for itself."""
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    statuses = [
        client.post(f"/fr/events/{event.pk}/register/", {**FORM, "email": f"p{n}@example.org"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_cache_down_one_warning_for_many_failed_calls(settings, caplog):
    settings.CACHES = redis_caches(f"{DEAD}/{next(_databases)}", fallback_seconds=0)  # Redis tried on every call
    cache.set("k", 1)
    assert cache.incr("k") == 2
    assert cache.get("k") == 2
    assert cache.add("k", 5) is False
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith("The Redis cache is unreachable (ConnectionError: ")
    assert warnings[0].endswith(
        "this process uses a cache in its own memory, and tries Redis again every 0.0 s; "
        "rate limits count per process meanwhile."
    )


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A TCP server that accepts connections and never answers (a black-holed Redis):
    yields its port and the connections it accepted."""
    accepted: list[socket.socket] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def test_cache_silent_redis_times_out_then_rests_for_the_cool_down(client, event, settings, caplog):
    with silent_server() as (port, accepted):
        settings.CACHES = redis_caches(f"redis://127.0.0.1:{port}/0")
        first = client.get("/fr/")
        for _ in range(5):
            assert client.get("/fr/").status_code == 200
        connections = len(accepted)
    assert first.status_code == 200
    # One connection, which timed out; then the cool-down: no more attempts.
    assert connections == 1
    assert cache_warnings(caplog)[0].startswith("The Redis cache is unreachable (TimeoutError: ")


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[redis.Redis]:
    """A real redis-server of our own on `port` (no persistence); yields a client of it."""
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)

    def answers() -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    try:
        wait_until(answers, timeout=10, describe=lambda: f"redis-server did not start on port {port}")
        yield client
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.redis
def test_cache_used_again_once_redis_is_back(settings, caplog):
    port = free_port()
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{port}/0", fallback_seconds=2)
    cache.set("during", "in memory")  # Redis down: to this process's memory
    failed_at = time.monotonic()
    assert cache.get("during") == "in memory"
    with redis_server(port) as server, caplog.at_level(logging.INFO, logger="common.cache"):
        assert time.monotonic() - failed_at < 2, "redis-server took the whole cool-down to start"
        cache.set("resting", 1)  # within the cool-down: still the memory, Redis is not tried
        assert server.exists(cache.make_key("resting")) == 0
        time.sleep(max(0.0, failed_at + 2.1 - time.monotonic()))
        cache.set("after", "in Redis")
        assert server.exists(cache.make_key("after")) == 1
        assert cache.get("after") == "in Redis"
        assert cache.get("during") is None  # the memory is no longer read (and was emptied)
        assert [r.getMessage() for r in caplog.records if r.name == "common.cache" and r.levelno == logging.INFO] == [
            "The Redis cache is reachable again: this process uses it again."
        ]


# --- Broker down -------------------------------------------------------------------------------


def _forget_broker_connections() -> None:
    # Celery keeps the connection and producer pools of the broker it first used
    # (kombu's pools are keyed by broker URL): start again from the current URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def dead_broker() -> Iterator[None]:
    before = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = f"{DEAD}/0"
    celery_app.conf.task_always_eager = False
    _forget_broker_connections()
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    _forget_broker_connections()


# on_commit runs in the request only outside the test's transaction; serialized_rollback: the
# flush after the test empties the tables, categories (from a migration) included.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_my_link_broker_down_200_error_logged(client, event, dead_broker, caplog):
    ann = RegistrationFactory(event=event, email="ann@example.org")
    response = Client(raise_request_exception=False).post(
        f"/en/events/{event.pk}/register/link/", {"email": "ann@example.org"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Check your e-mail</h1>" in html
    assert "If this address is registered for the activity, we have sent it the link" in html
    # Both e-mails wait in the outbox for the sweep: the confirmation of the registration and the links.
    assert sorted(Message.objects.values_list("purpose", "concerns_id", "status", "attempts")) == [
        ("confirmed", ann.pk, "pending", 0),
        ("link", ann.pk, "pending", 0),
    ]
    # One error line per queueing attempt (the registration's commit, the link request's), no address.
    errors = [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR]
    assert [name for name, _message in errors] == ["notifications.outbox", "notifications.outbox"]
    for _name, message in errors:
        assert message.startswith("e-mails not queued (1), the broker is unreachable (OperationalError: ")
        assert message.endswith("); the sweep will queue them")
        assert "ann@example.org" not in message and "@" not in message


# --- Retry-After on every 429 ------------------------------------------------------------------


def refused_with_retry_after(send, value: str = "127.0.0.1", period: int = 60):
    """Send the request that must be refused; check its Retry-After: the seconds left in the
    rate window of `value`, plus one (the second after the window's last one starts a new count)."""
    window_end = _get_window(value, period)
    before = int(time.time())
    response = send()
    after = int(time.time())
    assert response.status_code == 429
    assert window_end - after + 1 <= int(response["Retry-After"]) <= window_end - before + 1
    assert _get_window(value, period) == window_end  # the window did not end during the test
    return response


def test_retry_after_web_registration_429(client, event, settings, fresh_window):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    url = f"/fr/events/{event.pk}/register/"
    for n in range(2):
        assert client.post(url, {**FORM, "email": f"p{n}@example.org"}).status_code == 302
    response = refused_with_retry_after(lambda: client.post(url, {**FORM, "email": "p2@example.org"}))
    assert "Trop de tentatives d" in response.content.decode()


def test_retry_after_api_registration_429_json(event, settings, fresh_window):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    api = APIClient()
    url = f"/api/v1/events/{event.pk}/registrations/"
    for n in range(2):
        assert api.post(url, {**BODY, "email": f"p{n}@example.org"}, format="json").status_code == 201
    response = refused_with_retry_after(
        lambda: api.post(url, {**BODY, "email": "p2@example.org"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert response.json() == {
        "detail": "Too many registration attempts from your address. Wait a minute and try again."
    }


def test_retry_after_send_my_link_429(client, event, settings, fresh_window):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    url = f"/en/events/{event.pk}/register/link/"
    for _ in range(2):
        assert client.post(url, {"email": "ann@example.org"}).status_code == 200
    refused_with_retry_after(lambda: client.post(url, {"email": "ann@example.org"}))


LOGIN_LIMIT = int(LOGIN_RATE_LIMIT.split("/")[0])


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/api/v1/auth/token/", "json"), ("/en/admin/login/", "form"), ("/en/accounts/login/", "form")],
)
def test_retry_after_login_429(door_staff, fresh_window, url, kind):
    client = APIClient()

    def attempt():
        return client.post(url, {"username": "door", "password": "wrong"}, format="json" if kind == "json" else None)

    for _ in range(LOGIN_LIMIT):
        assert attempt().status_code in (200, 400)
    refused_with_retry_after(attempt)


def test_retry_after_kept_when_the_answer_has_one(rf):
    """Only a 429 without the header gets one: an answer that says when to retry keeps its own."""
    middleware = RetryAfterMiddleware(lambda request: HttpResponse(status=429, headers={"Retry-After": "7"}))
    assert middleware(rf.get("/"))["Retry-After"] == "7"


# --- RATELIMIT_IP_META_KEY ---------------------------------------------------------------------


def register_api(event, n: int, **headers):
    return APIClient().post(
        f"/api/v1/events/{event.pk}/registrations/", {**BODY, "email": f"p{n}@example.org"}, format="json", **headers
    )


NO_VALID_ADDRESS = (
    "RATELIMIT_IP_META_KEY is HTTP_X_REAL_IP but the request has no valid address in it: counted on REMOTE_ADDR."
)


def ip_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "common.ratelimit" and r.levelno == logging.WARNING]


def test_real_ip_header_missing_counted_on_remote_addr_with_warning(event, settings, caplog):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.REGISTRATION_RATE_LIMIT = "10/m"
    wait_for_windows("127.0.0.1", "10.0.0.2")
    statuses = [register_api(event, n).status_code for n in range(11)]
    assert statuses == [201] * 10 + [429]
    assert register_api(event, 11, REMOTE_ADDR="10.0.0.2").status_code == 201  # another address, another count
    assert ip_warnings(caplog) == [NO_VALID_ADDRESS] * 12


@pytest.mark.parametrize("value", ["", "not an address", "203.0.113.300"])
def test_real_ip_header_invalid_counted_on_remote_addr(event, settings, caplog, value):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.REGISTRATION_RATE_LIMIT = "1/m"
    wait_for_windows("127.0.0.1")
    assert register_api(event, 0, HTTP_X_REAL_IP=value).status_code == 201
    assert register_api(event, 1).status_code == 429  # the same count: REMOTE_ADDR's
    assert ip_warnings(caplog) == [NO_VALID_ADDRESS] * 2


def test_real_ip_header_two_addresses_count_apart(event, settings, caplog):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.REGISTRATION_RATE_LIMIT = "10/m"
    wait_for_windows("203.0.113.5", "203.0.113.6")
    first = [register_api(event, n, HTTP_X_REAL_IP="203.0.113.5").status_code for n in range(10)]
    assert first == [201] * 10
    # A list: the last entry is the one our proxy added; what comes before it, the client wrote.
    assert register_api(event, 10, HTTP_X_REAL_IP="198.51.100.1, 203.0.113.5").status_code == 429
    assert register_api(event, 11, HTTP_X_REAL_IP="203.0.113.6").status_code == 201
    assert ip_warnings(caplog) == []
