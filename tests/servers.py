"""Real components started by tests: Celery worker and beat processes and an SMTP server.

Tests that need them check what reached the broker, the database or the SMTP
server; nothing here stands in for one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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


#: The public address that the tests' worker processes put in e-mails and calendars.
WORKER_SITE_URL = "https://fortnight.example"


def worker_env(tmp_path: Path, *, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a worker or beat process on the test database, the test Redis database
    as broker and the SMTP server on `smtp_port` of loopback; `extra` adds or replaces variables."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fortnight.settings",
            "FORTNIGHT_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": "",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SITE_URL": WORKER_SITE_URL,
            **extra,
        }
    )
    return env


def purge_broker() -> None:
    """Drop the tasks that an earlier test or run left in the test Redis (a worker stopped
    before it finished them): they name message ids that a new test database gives out again,
    and would deliver what a test expects the sweep, or nothing, to deliver."""
    import redis
    from django.conf import settings

    from celery_app import app

    app.control.purge()
    # Tasks a killed worker had taken and not acknowledged (kombu's Redis transport keeps them
    # here until its visibility timeout, then puts them back in the queue).
    redis.Redis.from_url(settings.REDIS_URL).delete("unacked", "unacked_index")


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], log_path: Path, *, pool: str = "solo", concurrency: int = 1, name: str = "test"
) -> Iterator[subprocess.Popen]:
    """`celery -A celery_app worker` in a process of its own, with `env`, logging to `log_path`;
    yields once the worker says it is ready, and stops it afterwards. `pool="prefork"` runs it
    as production does, a main process and `concurrency` child processes. It runs in a session
    (and process group) of its own, so that `kill_process_group` can kill it as a crash would."""
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", f"--pool={pool}",
             f"--concurrency={concurrency}", "--loglevel=INFO", "--without-heartbeat", "--without-gossip",
             "--without-mingle", "-n", f"{name}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL `process` and every process of its group (a prefork worker's pool), as the
    kernel's OOM killer, a container stop or a power cut would: no process is left to
    acknowledge, give back or finish anything. Returns once none of them runs any more."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    def group_gone() -> bool:
        # The pool's children are reparented when the main process dies: their parent may
        # never reap them, but a zombie runs nothing.
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            state, pgid = fields[0], int(fields[2])
            if pgid == process.pid and state not in ("Z", "X"):
                return False
        return True

    wait_until(group_gone, timeout=10, describe=lambda: f"process group {process.pid} still runs after SIGKILL")


@contextlib.contextmanager
def celery_beat(env: dict[str, str], log_path: Path, schedule: Path) -> Iterator[subprocess.Popen]:
    """`celery -A celery_app beat` in a process of its own, with `env`, its schedule in the file
    `schedule`, logging to `log_path`; yields once it has started, and stops it afterwards."""
    with log_path.open("w") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(
            lambda: "beat: Starting..." in log_path.read_text() or beat.poll() is not None,
            timeout=60,
            describe=lambda: "beat did not start:\n" + log_path.read_text(),
        )
        assert beat.poll() is None, log_path.read_text()
        yield beat
    finally:
        beat.terminate()
        beat.wait(timeout=30)


ACCEPTED = "250 Message accepted"


class Inbox:
    """What an SMTP server received: each message it accepted, with its envelope (`messages`),
    and each one it was offered, accepted or not, with its reply (`offered`). It answers the
    first messages with `replies` (`["451 4.3.0 Try again later"] * 2`), the others with `reply`."""

    def __init__(self, replies: Sequence[str] = (), reply: str = ACCEPTED) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self._offered: list[tuple[str, list[str], EmailMessage, str]] = []
        self._replies = list(replies)
        self._reply = reply
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            count = len(self._offered)
            reply = self._replies[count] if count < len(self._replies) else self._reply
            self._offered.append((envelope.mail_from, list(envelope.rcpt_tos), message, reply))
            if reply.startswith("2"):
                self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return reply

    def messages(self) -> list[tuple[str, list[str], EmailMessage]]:
        with self._lock:
            return list(self.received)

    def offered(self) -> list[tuple[str, list[str], EmailMessage, str]]:
        with self._lock:
            return list(self._offered)


@contextlib.contextmanager
def smtp_server(
    port: int | None = None, *, replies: Sequence[str] = (), reply: str = ACCEPTED
) -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server (aiosmtpd) on `port` of loopback, or a free one: yields (port, inbox).
    It accepts every message, or answers as `replies` and `reply` say (see Inbox)."""
    inbox = Inbox(replies, reply)
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


class SlowInbox(Inbox):
    """An Inbox whose server takes `delay` seconds to answer each message once it has it (the
    message counts as received: a sender cut off meanwhile does not know it was), and that
    answers its `hold_at`-th message only once `release()` is called: a test can kill the
    sender while that message is in flight (`held` is set once it has arrived, and
    `held_message` is that message)."""

    def __init__(self, *, delay: float, hold_at: int | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.hold_at = hold_at
        self.held = threading.Event()
        self.held_message: EmailMessage | None = None
        self._released = threading.Event()
        self._count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        with self._lock:
            self._count += 1
            hold = self._count == self.hold_at
        if hold:
            self.held_message = self.received[-1][2]
            self.held.set()
            while not self._released.is_set():
                await asyncio.sleep(0.01)  # the other sessions go on meanwhile
        await asyncio.sleep(self.delay)
        return reply

    def release(self) -> None:
        self._released.set()


@contextlib.contextmanager
def slow_smtp_server(*, delay: float, hold_at: int | None = None) -> Iterator[tuple[int, SlowInbox]]:
    """A real SMTP server (aiosmtpd) on a free port of loopback that answers as SlowInbox says:
    yields (port, inbox)."""
    inbox = SlowInbox(delay=delay, hold_at=hold_at)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        inbox.release()
        controller.stop()
