"""A real Celery worker runs tasks from the configured broker: the server-less
filesystem transport of `make run`, and Redis."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import ROOT
from tests.servers import celery_worker, wait_until

SEND_PING = "import django; django.setup(); from celery_app import ping; print(ping.delay().id)"


def _env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fortnight.settings",
            "FORTNIGHT_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": "",
        }
    )
    return env


def _worker_runs_a_sent_task(tmp_path: Path, env: dict[str, str]) -> None:
    log_path = tmp_path / "worker.log"
    with celery_worker(env, log_path):
        sent = subprocess.run(
            [sys.executable, "-c", SEND_PING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert sent.returncode == 0, sent.stderr
        task_id = sent.stdout.strip().splitlines()[-1]
        assert re.fullmatch(r"[0-9a-f-]{36}", task_id)
        expected = f"Task fortnight.ping[{task_id}] succeeded"
        wait_until(lambda: expected in log_path.read_text(), timeout=60, describe=log_path.read_text)
        assert "'pong'" in log_path.read_text()


def test_worker_runs_task_on_filesystem_transport_without_broker_server(tmp_path):
    _worker_runs_a_sent_task(tmp_path, _env(tmp_path, redis_url=""))


@pytest.mark.redis
def test_worker_runs_task_on_redis(tmp_path):
    _worker_runs_a_sent_task(tmp_path, _env(tmp_path, redis_url=settings.REDIS_URL))
