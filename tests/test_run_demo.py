"""What `make run` starts: gunicorn, a Celery worker and beat, serving the demo in
three languages, all stopped by one Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import ROOT
from tests.servers import free_port


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_run_demo_serves_three_languages_with_worker_and_beat_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "PORT": str(port),
        "FORTNIGHT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()

    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        demo = subprocess.Popen(
            ["bin/run-demo"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        pages = {}
        while time.monotonic() < deadline and len(pages) < 3:
            assert demo.poll() is None, log_path.read_text()
            for lang in ("fr", "nl", "en"):
                try:
                    pages[lang] = _get(f"http://127.0.0.1:{port}/{lang}/")
                except OSError:
                    time.sleep(0.5)
                    break
        assert {lang: status for lang, (status, _body) in pages.items()} == {"fr": 200, "nl": 200, "en": 200}
        assert "Construction de la paix" in pages["fr"][1]
        assert "Vredesopbouw" in pages["nl"][1]
        assert "Peacebuilding" in pages["en"][1]

        while time.monotonic() < deadline:
            text = log_path.read_text()
            if "celery@" in text and " ready." in text and "beat: Starting..." in text:
                break
            time.sleep(0.5)
        text = log_path.read_text()
        assert " ready." in text, text
        assert "beat: Starting..." in text, text
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=60)
        finally:
            leftover = subprocess.run(["pgrep", "-g", str(demo.pid)], capture_output=True, text=True).stdout
            if leftover.strip():
                os.killpg(demo.pid, signal.SIGKILL)
    assert leftover.strip() == "", f"processes left running: {leftover}"
    assert "Stopped." in log_path.read_text()
