"""A real Celery worker runs tasks from the configured broker: the server-less
filesystem transport of `make run`, and Redis."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
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
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        sent = subprocess.run(
            [sys.executable, "-c", SEND_PING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert sent.returncode == 0, sent.stderr
        task_id = sent.stdout.strip().splitlines()[-1]
        assert re.fullmatch(r"[0-9a-f-]{36}", task_id)
        expected = f"Task fortnight.ping[{task_id}] succeeded"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if expected in log_path.read_text():
                break
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.2)
        log_text = log_path.read_text()
        assert expected in log_text, log_text
        assert "'pong'" in log_text
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_worker_runs_task_on_filesystem_transport_without_broker_server(tmp_path):
    _worker_runs_a_sent_task(tmp_path, _env(tmp_path, redis_url=""))


@pytest.mark.redis
def test_worker_runs_task_on_redis(tmp_path):
    _worker_runs_a_sent_task(tmp_path, _env(tmp_path, redis_url=settings.REDIS_URL))
