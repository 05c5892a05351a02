from __future__ import annotations

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_services(request):
    """Tests marked `postgres` or `redis` run where the service exists; under
    REQUIRE_SERVICES=1 (CI) a missing service fails the test instead of skipping it."""
    if request.node.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        _service_missing("this test needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _service_missing("this test needs Redis: set REDIS_URL=redis://...")


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
