"""Configuration from the environment, and a production configuration that passes check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-q8VzX2m-W7pL4tR6yB1nC5hF0dS8gA3eU9iO2wQ7xZ4vM6bN1cK5jH8",
    "ALLOWED_HOSTS": "fortnight.brussels",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    clean.pop("SECURE_SSL_REDIRECT", None)
    clean.update(env)
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def _setting(name: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = _run([sys.executable, "-c", code], {"DJANGO_SETTINGS_MODULE": "fortnight.settings", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_production_configuration_has_no_warnings():
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_settings_without_secret_key_refuse_to_start_when_debug_is_off():
    result = _run([sys.executable, "manage.py", "check"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_settings_invalid_boolean_is_a_clear_error():
    result = _run([sys.executable, "manage.py", "check"], {**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_database_is_sqlite_without_database_url_and_postgres_with_it(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": "", "FORTNIGHT_VAR_DIR": str(tmp_path)}
    assert _setting("DATABASES['default']['ENGINE']", env) == "'django.db.backends.sqlite3'"
    env["DATABASE_URL"] = "postgres://app:pw@db.example:5433/fortnight"
    assert _setting("DATABASES['default']['ENGINE']", env) == "'django.db.backends.postgresql'"
    assert _setting("DATABASES['default']['CONN_MAX_AGE']", env) == "600"
    assert _setting("DATABASES['default']['PORT']", env) == "5433"


def test_broker_and_cache_follow_redis_url(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": "", "REDIS_URL": "", "FORTNIGHT_VAR_DIR": str(tmp_path)}
    assert _setting("CELERY_BROKER_URL", env) == "'filesystem://'"
    assert _setting("CACHES['default']['BACKEND']", env) == "'django.core.cache.backends.locmem.LocMemCache'"
    env["REDIS_URL"] = "redis://cache.example:6379/2"
    assert _setting("CELERY_BROKER_URL", env) == "'redis://cache.example:6379/2'"
    assert _setting("CACHES['default']['BACKEND']", env) == "'common.cache.FallbackRedisCache'"
    env["CELERY_BROKER_URL"] = "redis://broker.example:6379/0"
    assert _setting("CELERY_BROKER_URL", env) == "'redis://broker.example:6379/0'"


def test_production_defaults_are_secure(tmp_path):
    env = {**PRODUCTION_ENV, "FORTNIGHT_VAR_DIR": str(tmp_path)}
    assert _setting("SECURE_SSL_REDIRECT", env) == "True"
    assert _setting("SESSION_COOKIE_SECURE", env) == "True"
    assert _setting("CSRF_COOKIE_SECURE", env) == "True"
    assert _setting("ALLOWED_HOSTS", env) == "['fortnight.brussels']"
    assert _setting("SECURE_SSL_REDIRECT", {**env, "SECURE_SSL_REDIRECT": "0"}) == "False"
