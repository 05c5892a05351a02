from __future__ import annotations

import datetime
import importlib.util
import os
import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.helpers import CHROMIUM

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_services(request):
    """Tests marked `postgres`, `redis` or `browser` run where the service exists; under
    REQUIRE_SERVICES=1 (CI) a missing service fails the test instead of skipping it."""
    if request.node.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        _service_missing("this test needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _service_missing("this test needs Redis: set REDIS_URL=redis://...")
    if request.node.get_closest_marker("browser") and not (
        os.access(CHROMIUM, os.X_OK) and importlib.util.find_spec("playwright")
    ):
        _service_missing(f"this test needs Chromium at {CHROMIUM} (apt-get install chromium) and Playwright")


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Production serves hashed files from a collectstatic manifest; tests use the source files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def organiser(db):
    from tests.factories import OrganiserFactory

    return OrganiserFactory()


@pytest.fixture
def organiser_client(organiser) -> APIClient:
    client = APIClient()
    client.force_authenticate(organiser)
    return client


@pytest.fixture
def current_edition(db):
    """The current, published edition, on fixed dates across the end of summer time
    (Sunday 26 October 2036), so that offsets are +02:00 before and +01:00 after."""
    from tests.factories import EditionFactory

    return EditionFactory(
        year=2036,
        slug="2036",
        starts_on=datetime.date(2036, 10, 20),
        ends_on=datetime.date(2036, 11, 2),
        is_current=True,
        is_published=True,
    )


@pytest.fixture
def venue(db):
    """Madeleine Hall, named in the three languages, with its address, its coordinates, step-free
    access and a hearing loop."""
    from tests.factories import VenueFactory

    return VenueFactory(
        name_fr="Salle de la Madeleine",
        name_nl="Magdalenazaal",
        name_en="Madeleine Hall",
        address="Rue Duquesnoy 14, 1000 Bruxelles",
        latitude="50.845000",
        longitude="4.355000",
        step_free_access=True,
        hearing_loop=True,
    )


@pytest.fixture
def make_event(current_edition):
    """`make_event(**fields)`: an activity of the current edition, "Building peace" (in French and
    Dutch too) on Tuesday 21 October 2036 at 19:00, with `fields` changed; the rest is
    EventFactory's (two hours long, 50 seats, 4 per registration, published, open)."""
    from tests.factories import EventFactory, brussels

    def make(**fields):
        defaults = {
            "edition": current_edition,
            "title_fr": "Construire la paix",
            "title_nl": "Vrede bouwen",
            "title_en": "Building peace",
            "starts_at": brussels(2036, 10, 21, 19),
        }
        return EventFactory(**{**defaults, **fields})

    return make


@pytest.fixture
def event(make_event):
    """The activity most tests register for; a module whose tests need other seats or dates
    overrides this fixture with `make_event(...)` naming only what differs."""
    return make_event()


@pytest.fixture
def eager_tasks(django_capture_on_commit_callbacks):
    """Celery runs tasks in the calling thread (its configuration was read from settings already);
    yields `django_capture_on_commit_callbacks`, so that `with eager_tasks(execute=True):` also runs
    the tasks queued on commit, at once (what reaches the outbox is checked)."""
    from celery_app import app as celery_app

    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield django_capture_on_commit_callbacks
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing test users' passwords with the production hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate-limit counters, cached programme answers)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rate_window():
    """The rate limits count per minute window: start, well inside one, a test whose
    requests must all fall in the same window (the test client's address, 127.0.0.1)."""
    from django_ratelimit.core import _get_window

    left = _get_window("127.0.0.1", 60) - time.time()
    if left < 5:
        time.sleep(max(left, 0) + 1.1)


# --- The call for activities --------------------------------------------------------------------


@pytest.fixture
def call_edition(current_edition):
    """The current edition (20 October to 2 November 2036), its call open since yesterday, for ten days."""
    from django.utils import timezone

    now = timezone.now()
    current_edition.call_opens_at = now - datetime.timedelta(days=1)
    current_edition.call_closes_at = now + datetime.timedelta(days=10)
    current_edition.save()
    return current_edition


@pytest.fixture
def association(db):
    """Amis du Sahel, a Dutch-speaking association (its e-mails are in Dutch)."""
    from tests.factories import AssociationFactory

    return AssociationFactory(name="Amis du Sahel", language="nl", contact_email="sahel@example.org")


@pytest.fixture
def member(association):
    """Mariam Diallo, member of Amis du Sahel."""
    from tests.factories import AssociationMemberFactory

    return AssociationMemberFactory(username="mariam", first_name="Mariam", last_name="Diallo", association=association)
