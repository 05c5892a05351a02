"""The OpenAPI schema is generated without warnings and docs/openapi.yaml is true to the code."""

from __future__ import annotations

from django.core.management import call_command

from tests.helpers import ROOT


def test_schema_generates_without_warnings_and_matches_docs(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == (ROOT / "docs" / "openapi.yaml").read_text(), "run `make schema`"


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/token/", "/api/v1/events/", "/api/v1/events/{id}/"} <= set(paths)
    assert set(paths["/api/v1/events/{id}/"]) == {"get", "patch"}
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
