"""Helpers several test modules share: the checkout's root, a registration's links and seat
counter, and Chromium for the browser tests. Fixtures are in tests/conftest.py, data in
tests/factories.py, processes and servers in tests/servers.py."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.db.models import Sum
from django.utils import translation
from PIL import Image

from programme.models import Event
from registrations import links
from registrations.models import Registration

ROOT = Path(__file__).resolve().parent.parent
#: Debian's Chromium (`apt-get install chromium`), which Playwright drives for the browser tests.
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WIDTH, HEIGHT = 640, 480


def paths(registration: Registration, lang: str = "en") -> dict[str, str]:
    """The links an e-mail in `lang` gives the registration's holder (`links.mailed_links`)."""
    with translation.override(lang):
        return links.mailed_links(registration)


def tampered(signed: str) -> str:
    """`signed` with one character of its signature changed. Not the last one: base64's last
    character carries spare bits, so some replacements there decode to the same signature."""
    i = len(signed) - 5
    return signed[:i] + ("A" if signed[i] != "A" else "B") + signed[i + 1 :]


def assert_counter_true(event: Event) -> None:
    """The seat counter on the event equals the seats of its confirmed registrations."""
    event.refresh_from_db()
    confirmed = (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).aggregate(n=Sum("seats"))["n"]
        or 0
    )
    assert event.seats_taken == confirmed
    assert event.seats_taken <= event.capacity


def launch(playwright, *extra_args: str):
    """Headless Chromium, with `extra_args` after the usual ones."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*BROWSER_ARGS, *extra_args], headless=True)


def launch_with_camera(playwright, video: Path):
    """Headless Chromium whose camera films `video` (see `write_y4m`), allowed without asking."""
    return launch(
        playwright,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )


def write_y4m(path: Path, png: bytes) -> None:
    """One 640x480 grey frame (YUV 4:2:0): the QR code, with its quiet zone, centred on white.
    Chromium's fake camera loops over the file's frames."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    assert qr.width <= WIDTH and qr.height <= HEIGHT, qr.size
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - qr.width) // 2, (HEIGHT - qr.height) // 2))
    with path.open("wb") as file:
        file.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        file.write(b"FRAME\n")
        file.write(frame.tobytes())
        file.write(bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2) * 2))


def together(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run work(0..count-1) in `count` threads released at the same instant; (results, errors)."""
    barrier = threading.Barrier(count, timeout=60)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # collected, asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors
