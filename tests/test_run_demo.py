"""What `make run` starts: gunicorn, a Celery worker and beat, serving the demo in
three languages, all stopped by one Ctrl-C; a registration made on the site is e-mailed by
the worker over the embedded (file) broker into var/mail/, with links on the port served
(SITE_URL follows PORT), and shown on the demo's mail page."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import ROOT
from tests.qrdecode import decode_png
from tests.servers import free_port, wait_until


def _get(url: str, opener=None) -> tuple[int, str]:
    with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
        return response.status, response.read().decode()


@contextlib.contextmanager
def running_demo(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """bin/run-demo on a fresh demo database in `tmp_path`, once its three languages answer:
    yields (port, log file); then Ctrl-C, and checks that nothing was left running."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "PORT": str(port),
        "FORTNIGHT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_HOST": "",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("SITE_URL", None)  # bin/run-demo makes it from PORT
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
        yield port, log_path
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


def _wait_for_worker_and_beat(log_path: Path) -> None:
    wait_until(
        lambda: "celery@" in (text := log_path.read_text()) and " ready." in text and "beat: Starting..." in text,
        timeout=90,
        describe=log_path.read_text,
    )


def test_run_demo_serves_three_languages_with_worker_and_beat_and_stops_on_ctrl_c(tmp_path):
    with running_demo(tmp_path) as (_port, log_path):
        _wait_for_worker_and_beat(log_path)
        text = log_path.read_text()
        assert " ready." in text, text
        assert "beat: Starting..." in text, text


def _open_registration_form(port: int, opener) -> tuple[str, str]:
    """(path of an activity's registration form, its CSRF token), from the programme's links."""
    _status, programme = _get(f"http://127.0.0.1:{port}/en/", opener)
    for path in dict.fromkeys(re.findall(r'href="(/en/events/\d+/)"', programme)):
        _status, page = _get(f"http://127.0.0.1:{port}{path}", opener)
        action = f'action="{path}register/"'
        if action in page:
            form = page[page.index(action) :]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            return f"{path}register/", token
    raise AssertionError("no activity of the demo takes registrations")


def test_run_demo_mails_a_registration_with_links_on_its_port_and_shows_it(tmp_path):
    mail_dir = tmp_path / "mail"
    with running_demo(tmp_path) as (port, log_path):
        site = f"http://127.0.0.1:{port}"
        wait_until(lambda: "E-mails are written to" in log_path.read_text(), timeout=60, describe=log_path.read_text)
        assert (
            f"E-mails are written to {mail_dir}/ and shown at {site}/en/demo/mail/; their links point at {site}.\n"
        ) in log_path.read_text()

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form_path, token = _open_registration_form(port, opener)
        fields = {
            "csrfmiddlewaretoken": token,
            "name": "Ann Peeters",
            "email": "ann@example.org",
            "seats": "1",
            "language": "en",
            "consent": "on",
            "website": "",
        }
        request = urllib.request.Request(
            site + form_path, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": site + form_path}
        )
        with opener.open(request, timeout=10) as response:  # redirected to the ticket
            ticket_path = urllib.parse.urlsplit(response.url).path
            assert (response.status, re.fullmatch(r"/en/tickets/[^/]+/", ticket_path) is not None) == (200, True)

        # The worker takes the outbox's task from the file broker and writes the e-mail.
        wait_until(lambda: any(mail_dir.glob("*.log")), timeout=60, describe=log_path.read_text)
        [written] = mail_dir.glob("*.log")
        wait_until(lambda: written.read_bytes().endswith(b"-" * 79 + b"\n"), timeout=10, describe=log_path.read_text)
        raw = written.read_bytes().decode()
        assert f"{site}{ticket_path}\n" in raw
        assert port == 8000 or "http://127.0.0.1:8000" not in raw  # the settings' default

        # The mail page lists it; its page shows it; its QR code is there, and is the ticket's.
        _status, listing = _get(f"{site}/en/demo/mail/", opener)
        detail = re.search(r'<h2 lang="en"><a href="(/en/demo/mail/[^"]+/1/)">Your ticket for [^<]+</a></h2>', listing)
        assert detail is not None, listing
        assert "<dt>To</dt><dd>ann@example.org</dd>" in listing
        _status, page = _get(site + detail.group(1), opener)
        assert f"{site}{ticket_path}\n" in page
        _status, html = _get(f"{site}{detail.group(1)}html/", opener)
        qr_path = re.search(r'<img src="([^"]+)"', html).group(1)
        with opener.open(site + qr_path, timeout=10) as response:
            png = response.read()
        _status, ticket = _get(site + ticket_path, opener)
        with opener.open(site + re.search(r'href="(/tickets/[^"]+/qr\.png)"', ticket).group(1), timeout=10) as r:
            assert decode_png(png) == decode_png(r.read())
