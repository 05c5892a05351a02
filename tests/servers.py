"""Real components started by tests: a Celery worker process and an SMTP server.

Tests that need them check what reached the broker, the database or the SMTP
server; nothing here stands in for one of them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.helpers import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, timeout: float, describe: Callable[[], str]) -> None:
    """Poll `condition` until it holds; fail with `describe()` (the log, say) when it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(describe())
        time.sleep(0.1)


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`celery -A celery_app worker` in a process of its own, with `env`, logging to `log_path`;
    yields once the worker says it is ready, and stops it afterwards."""
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(
            lambda: " ready." in log_path.read_text() or worker.poll() is not None,
            timeout=60,
            describe=lambda: "the worker did not start:\n" + log_path.read_text(),
        )
        assert worker.poll() is None, log_path.read_text()
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


class Inbox:
    """What an SMTP server received: each message with its envelope."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def messages(self) -> list[tuple[str, list[str], EmailMessage]]:
        with self._lock:
            return list(self.received)


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server (aiosmtpd) on `port` of loopback, or a free one: yields (port, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()
