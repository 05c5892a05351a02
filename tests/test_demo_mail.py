"""The demo's mailbox (DEBUG only, notifications/views.py): the e-mails that the file backend
wrote under EMAIL_FILE_PATH, newest first, each with its plain text, its HTML version (its
`cid:` image pointing at that part) and its attachments as they were sent; the outbox rows
not written yet with their status. Without DEBUG the URLs do not exist.

The e-mails are the real ones: a registration through the service, its outbox message
delivered by the delivery task (run inline) through Django's file backend."""

from __future__ import annotations

import datetime
import email
import importlib
import re
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone, translation
from django.utils.html import escape

from notifications import delivery
from notifications.models import Message
from registrations.tickets import make_token
from tests.factories import register
from tests.helpers import launch, paths
from tests.qrdecode import decode_png

pytestmark = pytest.mark.django_db

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
HTML_POLICY = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'self'",
}
PART_POLICY = {
    "default-src": "'none'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
    "sandbox": "",
}


def policy(response) -> dict[str, str]:
    """The answer's Content-Security-Policy, directive by directive (their order is not kept)."""
    directives = (part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, _space, value in directives}


def _reload_urls() -> None:
    import fortnight.urls

    importlib.reload(fortnight.urls)
    clear_url_caches()


@contextmanager
def urls_with_debug(settings, debug: bool):
    """The site's URLs as fortnight/urls.py builds them with DEBUG on or off (it reads DEBUG once,
    when imported), and DEBUG so; both as they were afterwards."""
    before = settings.DEBUG
    settings.DEBUG = debug
    _reload_urls()
    try:
        yield
    finally:
        settings.DEBUG = before
        _reload_urls()


@pytest.fixture
def demo(settings):
    with urls_with_debug(settings, True):
        yield


@pytest.fixture
def mail_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


@pytest.fixture
def event(make_event):
    return make_event(capacity=10)


@pytest.fixture
def ann(demo, event, mail_dir, eager_tasks):
    """Ann's registration, whose confirmation (QR code inline, calendar file) the file backend wrote."""
    with eager_tasks(execute=True):
        registration = register(event, "ann", 2)
    assert Message.objects.get().status == Message.Status.SENT
    return registration


def written(mail_dir) -> list[tuple[str, int, bytes]]:
    """(file name, number in the file, bytes) of each message the file backend wrote."""
    found = []
    for path in sorted(mail_dir.iterdir()):
        for index, chunk in enumerate(path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")[:-1], start=1):
            found.append((path.name, index, chunk))
    return found


def cards(html: str) -> list[tuple[str, str, str, str]]:
    """(heading, time's datetime, recipient, status) of each e-mail on the list page."""
    return re.findall(
        r'<li class="event-card">\s*<h2[^>]*>(.*?)</h2>\s*<dl class="facts">\s*'
        r'<dt>Time</dt><dd><time datetime="([^"]+)">[^<]+</time></dd>\s*'
        r"<dt>To</dt><dd>([^<]*)</dd>\s*"
        r'<dt>Status</dt><dd class="mail-status-[a-z]+">([^<]+)</dd>',
        html,
        re.S,
    )


def local_iso(when: datetime.datetime) -> str:
    return timezone.localtime(when).isoformat()


def date_header(chunk: bytes) -> datetime.datetime:
    return parsedate_to_datetime(re.search(rb"^Date: (.+)$", chunk, re.M).group(1).decode()).replace(
        tzinfo=datetime.UTC
    )


def detail_url(name: str, index: int, lang: str = "en") -> str:
    return f"/{lang}/demo/mail/{name}/{index}/"


def write_mail(mail_dir, *, subject: str, to: str, date: datetime.datetime, message_id: str, html: str = "") -> None:
    """One e-mail written by Django's file backend, with the Date and Message-ID given."""
    headers = {"Date": date.strftime("%a, %d %b %Y %H:%M:%S +0000"), "Message-ID": message_id}
    message = EmailMultiAlternatives(subject, "Plain text.", "noreply@localhost", [to], headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    get_connection(FILE_BACKEND, file_path=str(mail_dir)).send_messages([message])


# --- The list ---------------------------------------------------------------------------------


def test_demo_mail_list_shows_the_confirmation_as_sent(client, ann, mail_dir):
    message = Message.objects.get()
    [(name, index, chunk)] = written(mail_dir)

    response = client.get("/en/demo/mail/")

    html = response.content.decode()
    assert response.status_code == 200
    assert cards(html) == [
        (
            f'<a href="{detail_url(name, index)}">{escape(delivery.render(message).subject)}</a>',
            local_iso(date_header(chunk)),
            "ann@example.org",
            "Sent",
        )
    ]
    assert f"E-mails are written as files to {mail_dir}. The newest come first" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_demo_mail_list_newest_first_with_unsent_rows_among_them(client, demo, mail_dir, event, eager_tasks):
    at = datetime.datetime(2036, 10, 21, 8, tzinfo=datetime.UTC)
    for subject, hours in (("Ten", 2), ("Twelve", 4), ("Eleven", 3)):
        when = at + datetime.timedelta(hours=hours)
        write_mail(mail_dir, subject=subject, to=f"{subject.lower()}@example.org", date=when, message_id=f"<{hours}@x>")
    with eager_tasks(execute=False):  # the delivery never runs: the rows stay as written
        pending = register(event, "bob")
        failed = register(event, "cleo")
    Message.objects.filter(recipient=pending.email).update(created_at=at + datetime.timedelta(hours=3, minutes=30))
    Message.objects.filter(recipient=failed.email).update(
        created_at=at, status=Message.Status.FAILED, last_error="550 mailbox unavailable"
    )
    url = {_subject(chunk): detail_url(name, index) for name, index, chunk in written(mail_dir)}

    html = client.get("/en/demo/mail/").content.decode()

    brussels = "+02:00"  # 21 October 2036: summer time
    unsent = 'Registration confirmed <span class="mail-unsent">(not written yet)</span>'
    assert cards(html) == [
        (f'<a href="{url["Twelve"]}">Twelve</a>', f"2036-10-21T14:00:00{brussels}", "twelve@example.org", "Sent"),
        (unsent, f"2036-10-21T13:30:00{brussels}", "bob@example.org", "Waiting to be sent"),
        (f'<a href="{url["Eleven"]}">Eleven</a>', f"2036-10-21T13:00:00{brussels}", "eleven@example.org", "Sent"),
        (f'<a href="{url["Ten"]}">Ten</a>', f"2036-10-21T12:00:00{brussels}", "ten@example.org", "Sent"),
        (unsent, f"2036-10-21T10:00:00{brussels}", "cleo@example.org", "Failed"),
    ]
    assert "<dt>Error</dt><dd>550 mailbox unavailable</dd>" in html


def _subject(chunk: bytes) -> str:
    return str(email.message_from_bytes(chunk, policy=email.policy.default)["Subject"])


def test_demo_mail_list_status_is_the_outbox_row_s(client, ann, mail_dir):
    Message.objects.update(status=Message.Status.SENDING)  # written, and its worker died before marking it

    html = client.get("/en/demo/mail/").content.decode()

    assert [card[3] for card in cards(html)] == ["Being sent"]
    assert '<dd class="mail-status-sending">Being sent</dd>' in html


def test_demo_mail_list_subject_in_any_script_is_decoded(client, demo, mail_dir):
    write_mail(mail_dir, subject="Réservé : « Paix » — ok", to="a@example.org", date=timezone.now(), message_id="<a@x>")
    assert b"=?utf-8?" in written(mail_dir)[0][2]  # Django encodes it in the header

    html = client.get("/en/demo/mail/").content.decode()

    assert [card[0].split(">", 1)[1] for card in cards(html)] == ["Réservé : « Paix » — ok</a>"]


def test_demo_mail_message_half_written_is_not_listed_yet(client, demo, mail_dir):
    write_mail(mail_dir, subject="Whole", to="a@example.org", date=timezone.now(), message_id="<a@x>")
    [path] = mail_dir.iterdir()
    with path.open("ab") as file:  # the backend has not written the separator yet
        file.write(b"Content-Type: text/plain\nSubject: Half\nTo: b@example.org\n\nHalf a mess")

    html = client.get("/en/demo/mail/").content.decode()

    assert [card[2] for card in cards(html)] == ["a@example.org"]
    assert client.get(detail_url(path.name, 2)).status_code == 404


def test_demo_mail_list_without_email_yet_says_how_to_get_one(client, demo, mail_dir):
    html = client.get("/en/demo/mail/").content.decode()

    assert cards(html) == []
    assert "No e-mail yet. Register for an activity: its e-mails appear here a few seconds later." in html


def test_demo_mail_list_with_smtp_says_nothing_is_kept_here(client, demo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    html = client.get("/en/demo/mail/").content.decode()

    assert (
        "E-mails are sent with django.core.mail.backends.smtp.EmailBackend, not written to files: "
        "there is nothing to show here."
    ) in html
    assert cards(html) == []


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_demo_mail_pages_in_each_language(client, ann, mail_dir, lang):
    [(name, index, _chunk)] = written(mail_dir)
    for url in (f"/{lang}/demo/mail/", detail_url(name, index, lang)):
        html = client.get(url).content.decode()
        assert f'<html lang="{lang}">' in html
        with translation.override(lang):
            assert escape(translation.gettext("E-mails sent by the demo")) in html
    # The e-mail is in its own language (Ann's: French), and says so.
    assert '<pre class="mail-text" lang="fr">' in html


# --- One e-mail ---------------------------------------------------------------------------------


def test_demo_mail_detail_shows_headers_text_html_and_attachments(client, ann, mail_dir):
    message = Message.objects.get()
    sent = delivery.render(message)
    [(name, index, chunk)] = written(mail_dir)
    base = detail_url(name, index)

    response = client.get(base)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 lang="fr">{escape(sent.subject)}</h1>' in html
    assert f'<dd><time datetime="{local_iso(date_header(chunk))}">' in html
    assert f"<dt>From</dt><dd>{escape(sent.from_email)}</dd>" in html
    assert "<dt>To</dt><dd>ann@example.org</dd>" in html
    assert "<dt>Status</dt><dd>Sent</dd>" in html
    assert f'<dt>Message-ID</dt><dd class="mail-id">{escape(message.message_id)}</dd>' in html
    assert f'<pre class="mail-text" lang="fr">{escape(sent.body)}</pre>' in html
    assert paths(ann, "fr")["ticket_url"] in sent.body
    assert f'<iframe class="mail-html" src="{base}html/" title="HTML version of the e-mail"></iframe>' in html
    assert f'<a href="{base}html/">Open the HTML version on its own page</a>' in html
    qr, ics = f"ticket-{ann.code}.png", f"ticket-{ann.code}.ics"
    links = r'<li><a href="([^"]+)" download="([^"]+)">Download ([^<]+)</a>\s*\(([^)]+)\)([^<]*)</li>'
    assert re.findall(links, html) == [
        (f"{base}parts/2/", qr, qr, f"image/png, {_size(client, f'{base}parts/2/')}", " — shown in the HTML version"),
        (f"{base}parts/3/", ics, ics, f"text/calendar, {_size(client, f'{base}parts/3/')}", ""),
    ]
    # The page itself is under the site's policy.
    assert policy(response)["script-src"] == "'self'"
    assert policy(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def _size(client, url: str) -> str:
    """The size of what the part's URL downloads, as the page writes sizes."""
    return filesizeformat(len(client.get(url).content))


def test_demo_mail_html_version_shows_the_qr_part_and_opens_links_in_the_window(client, ann, mail_dir):
    sent = delivery.render(Message.objects.get())
    [(name, index, _chunk)] = written(mail_dir)
    base = detail_url(name, index)
    [html_sent] = [content for content, mimetype in sent.alternatives if mimetype == "text/html"]

    response = client.get(f"{base}html/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert 'src="cid:ticket-qr"' in html_sent
    expected = html_sent.replace('src="cid:ticket-qr"', f'src="{base}parts/2/"').replace(
        "<head>", '<head><base target="_top">', 1
    )
    assert body == expected
    # Its own policy: the e-mail's inline styles, its images from here, framed by this site only.
    assert policy(response) == HTML_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_demo_mail_parts_are_the_attachments_as_sent(client, ann, mail_dir):
    [(name, index, _chunk)] = written(mail_dir)
    base = detail_url(name, index)

    qr = client.get(f"{base}parts/2/")
    ics = client.get(f"{base}parts/3/")

    assert (qr.status_code, qr["Content-Type"]) == (200, "image/png")
    assert qr["Content-Disposition"] == f'attachment; filename="ticket-{ann.code}.png"'
    assert decode_png(qr.content) == [make_token(ann)]
    assert policy(qr) == PART_POLICY
    assert (ics.status_code, ics["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert ics["Content-Disposition"] == f'attachment; filename="ticket-{ann.code}.ics"'
    text = ics.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\n")
    assert "STATUS:CONFIRMED\n" in text
    assert text.count("BEGIN:VEVENT") == 1


def test_demo_mail_without_html_says_so(client, demo, mail_dir):
    write_mail(mail_dir, subject="Plain", to="a@example.org", date=timezone.now(), message_id="<a@x>")
    [(name, index, _chunk)] = written(mail_dir)

    html = client.get(detail_url(name, index)).content.decode()

    assert '<pre class="mail-text" lang="en">Plain text.</pre>' in html
    assert "This e-mail has no HTML version." in html
    assert "No attachment." in html
    assert client.get(f"{detail_url(name, index)}html/").status_code == 404


def test_demo_mail_unknown_file_message_or_part_404(client, ann, mail_dir):
    [(name, index, _chunk)] = written(mail_dir)
    (mail_dir.parent / "secret.log").write_text("not a mail folder file\n" + "-" * 79 + "\n")
    (mail_dir / "notes.txt").write_text("x\n" + "-" * 79 + "\n")
    assert client.get(detail_url(name, index)).status_code == 200
    for url in (
        detail_url("nothing.log", 1),
        detail_url(name, 0),
        detail_url(name, 2),
        detail_url("notes.txt", 1),
        detail_url("..%2Fsecret.log", 1),
        "/en/demo/mail/../secret.log/1/",
        f"{detail_url(name, index)}parts/4/",
        f"{detail_url(name, index)}parts/-1/",
        f"{detail_url('nothing.log', 1)}html/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/en/demo/mail/").status_code == 405


# --- Without DEBUG --------------------------------------------------------------------------------


def test_demo_mail_urls_do_not_exist_without_debug(client, settings, mail_dir, event, eager_tasks):
    with eager_tasks(execute=True):
        register(event, "ann")
    [(name, index, _chunk)] = written(mail_dir)

    with urls_with_debug(settings, False):
        for lang in ("fr", "nl", "en"):
            for url in (
                f"/{lang}/demo/mail/",
                detail_url(name, index, lang),
                f"{detail_url(name, index, lang)}html/",
                f"{detail_url(name, index, lang)}parts/2/",
            ):
                assert client.get(url).status_code == 404, url
        with pytest.raises(NoReverseMatch):
            reverse("notifications:mail-list")

    with urls_with_debug(settings, True):
        assert client.get("/en/demo/mail/").status_code == 200
        with translation.override("en"):
            assert reverse("notifications:mail-list") == "/en/demo/mail/"


def test_demo_mail_views_refuse_once_debug_is_off(client, ann, mail_dir, settings):
    [(name, index, _chunk)] = written(mail_dir)
    settings.DEBUG = False  # the URLs were built with DEBUG on: the views check it again

    for url in ("/en/demo/mail/", detail_url(name, index), f"{detail_url(name, index)}html/"):
        assert client.get(url).status_code == 404, url


# --- In a browser, under the policy ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_mail_detail_in_chromium_shows_the_qr_and_its_links_open_the_site(
    live_server, settings, mail_dir, make_event, eager_tasks
):
    from playwright.sync_api import expect, sync_playwright

    settings.SITE_URL = live_server.url
    with urls_with_debug(settings, True):
        with eager_tasks(execute=True):
            ann = register(make_event(capacity=10), "ann")
        assert Message.objects.get().status == Message.Status.SENT
        problems: list[str] = []
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(locale="en", viewport={"width": 390, "height": 844}, has_touch=True)
            # Errors (a policy violation is one), and the pages' requests that failed (the console's
            # "Failed to load resource" also counts the browser's own /favicon.ico, which the site lacks).
            context.on(
                "console",
                lambda m: (
                    problems.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            context.on("weberror", lambda error: problems.append(str(error.error)))
            context.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/en/demo/mail/")
            page.get_by_role("link", name=re.compile("Construire la paix")).click()
            frame = page.frame_locator("iframe.mail-html")
            with translation.override("fr"):  # Ann's e-mails are in French
                qr_name = translation.gettext("QR code of ticket %(code)s") % {"code": ann.code}
                open_ticket = translation.gettext("Open my ticket")
            qr = frame.get_by_role("img", name=qr_name)
            expect(qr).to_be_visible()
            assert qr.evaluate("img => img.complete && img.naturalWidth > 0") is True
            # No part of the page is wider than the phone's screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            frame.get_by_role("link", name=open_ticket).click()
            page.wait_for_url(live_server.url + paths(ann, "fr")["ticket_url"])
            expect(page.locator(".ticket .code")).to_have_text(ann.code)
            browser.close()
    assert problems == []
