"""A person's requests about their data (registrations/data_requests.py, privacy.py): consent is
recorded with the notice's version; the copy holds everything about one address and nothing about
anyone else; deletion, confirmed by an e-mailed link or done by an organiser, anonymises the
address everywhere, frees its seats and promotes the waiting list. On PostgreSQL."""

from __future__ import annotations

import datetime
import json
import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import delivery
from notifications.models import Message
from programme.roles import DOOR_STAFF
from registrations import data_requests, links, privacy, services
from registrations.models import NOTICE_VERSION, AccessLog, CheckIn, Registration
from tests.factories import EditionFactory, EventFactory, UserFactory, brussels, register
from tests.helpers import tampered

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(current_edition, make_event, organiser):
    """Ann holds 2 seats of a full debate (Bob waits for one), a concert seat (checked in, a scan
    at the door) and a registration in another edition; Cat is at the concert too."""
    debate = make_event(capacity=2, title_en="Debate")
    concert = make_event(capacity=10, title_en="Concert", starts_at=brussels(2036, 10, 24, 20))
    ann_debate = register(debate, "ann", 2)
    bob = register(debate, "bob", 1)
    ann_concert = register(concert, "ann", 1)
    cat = register(concert, "cat", 3)
    services.checkin_manual(registration_id=ann_concert.pk, event_id=concert.pk, nonce=None, user=organiser)
    other = EditionFactory(year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19))
    ann_other = register(EventFactory(edition=other, capacity=5, title_en="Film"), "ann", 1)
    return {
        "debate": debate,
        "concert": concert,
        "ann": [ann_debate, ann_concert, ann_other],
        "bob": bob,
        "cat": cat,
    }


def _mine_url(registration: Registration) -> str:
    return reverse("registrations:mine", kwargs={"secret": links.mine_secret(registration)})


# --- Consent ------------------------------------------------------------------------------------


def test_the_web_form_records_consent_and_the_notice_version(client, event):
    before = timezone.now()
    response = client.post(
        f"/en/events/{event.pk}/register/",
        {"name": "Ann", "email": "ann@example.org", "seats": "1", "language": "en", "consent": "on"},
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.notice_version == NOTICE_VERSION == "2026-12-03"
    assert before <= registration.consent_at <= timezone.now()


def test_the_web_form_refuses_without_consent(client, event):
    response = client.post(
        f"/en/events/{event.pk}/register/",
        {"name": "Ann", "email": "ann@example.org", "seats": "1", "language": "en"},
    )

    assert response.status_code == 400
    assert "Please accept the privacy notice to register." in response.content.decode()
    assert 'href="/en/privacy/"' in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize(("body", "version"), [({"consent": True}, NOTICE_VERSION), ({}, "")])
def test_the_api_records_consent_when_given(api_client, event, body, version):
    response = api_client.post(
        f"/api/v1/events/{event.pk}/registrations/", {"name": "Ann", "email": "ann@example.org", **body}, format="json"
    )

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert registration.notice_version == version
    assert (registration.consent_at is not None) is bool(version)


def test_the_privacy_notice_gives_its_version_and_the_retention_period(client):
    page = client.get("/en/privacy/").content.decode()

    assert "Version of 3 December 2026." in page
    assert "90 days after the last day of the fortnight" in page


# --- The copy -----------------------------------------------------------------------------------


def test_my_registrations_links_to_the_copy_and_the_deletion(client, people):
    ann = people["ann"][0]
    secret = links.mine_secret(ann)

    page = client.get(_mine_url(ann).replace("/fr/", "/en/", 1)).content.decode()

    assert f'<a href="/en/my/{secret}/data.json" download>Download my data (JSON)</a>' in page
    assert f'<a href="/en/my/{secret}/delete/">Delete my data</a>' in page


def test_the_copy_holds_everything_about_the_address_and_nothing_else(client, people):
    ann_debate, ann_concert, ann_other = people["ann"]

    response = client.get(f"/en/my/{links.mine_secret(ann_debate)}/data.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["Cache-Control"].startswith("max-age=0")
    data = json.loads(response.content)
    assert data["email"] == "ann@example.org"
    assert [r["booking_code"] for r in data["registrations"]] == [ann_debate.code, ann_concert.code, ann_other.code]
    debate = data["registrations"][0]
    assert debate == {
        "booking_code": ann_debate.code,
        "activity": {
            "id": people["debate"].pk,
            "title": "Debate",
            "edition": "2036",
            "starts_at": timezone.localtime(people["debate"].starts_at).isoformat(),
            "ends_at": timezone.localtime(people["debate"].ends_at).isoformat(),
            "venue": people["debate"].venue.name,
        },
        "name": "Ann",
        "email": "ann@example.org",
        "seats": 2,
        "language": "fr",
        "status": "confirmed",
        "registered_at": timezone.localtime(ann_debate.created_at).isoformat(),
        "confirmed_at": timezone.localtime(ann_debate.confirmed_at).isoformat(),
        "cancelled_at": None,
        "cancelled_by": None,
        "checked_in_at": None,
        "consent_at": None,
        "privacy_notice_version": None,
        "door_scans": [],
    }
    scan = CheckIn.objects.get(registration=ann_concert)
    assert data["registrations"][1]["door_scans"] == [
        {"at": timezone.localtime(scan.created_at).isoformat(), "result": "ok", "method": "manual"}
    ]
    assert [(m["about_booking_code"], m["purpose"]) for m in data["emails"]] == [
        (ann_debate.code, "confirmed"),
        (ann_concert.code, "confirmed"),
        (ann_other.code, "confirmed"),
    ]
    body = response.content.decode()
    for other in (people["bob"], people["cat"]):
        assert other.code not in body
        assert other.email not in body
        assert other.name not in body
    assert list(AccessLog.objects.values_list("channel", "action", "rows", "user")) == [
        ("attendee", "subject_export", 3, None)
    ]


@pytest.mark.parametrize("path", ["data.json", "delete/"])
def test_a_forged_or_ticket_secret_opens_nothing(client, people, path):
    ann = people["ann"][0]
    for secret in ("x", links.ticket_secret(ann), tampered(links.mine_secret(ann))):
        assert client.get(f"/en/my/{secret}/{path}").status_code == 404


# --- Deletion by the attendee -------------------------------------------------------------------


def _ask_for_deletion(client, registration) -> str:
    """Ask from "my registrations"; the path of the link e-mailed."""
    response = client.post(f"/en/my/{links.mine_secret(registration)}/delete/")
    assert response.status_code == 200
    assert "We have sent the link that confirms the deletion to your address." in response.content.decode()
    message = Message.objects.get(purpose=Message.Purpose.ERASURE)
    assert message.recipient == registration.email
    return re.sub(r"^https?://[^/]+", "", message.context["erase_url"])


def test_deletion_asks_first_and_mails_a_confirmation_link(client, people):
    ann = people["ann"][0]
    page = client.get(f"/en/my/{links.mine_secret(ann)}/delete/").content.decode()
    assert "We keep 3 registrations of your address, with your name." in page
    assert not Message.objects.filter(purpose=Message.Purpose.ERASURE).exists()

    path = _ask_for_deletion(client, ann)

    assert path.startswith("/fr/my/delete/")  # in the attendee's language
    assert ann.email not in path
    # Asked again at once: no second e-mail.
    client.post(f"/en/my/{links.mine_secret(ann)}/delete/")
    assert Message.objects.filter(purpose=Message.Purpose.ERASURE).count() == 1
    assert Registration.objects.filter(email="ann@example.org").count() == 3


def test_the_confirmed_deletion_anonymises_frees_the_seats_and_promotes(client, people):
    ann_debate, ann_concert, _ann_other = people["ann"]
    bob = people["bob"]
    debate = people["debate"]
    path = _ask_for_deletion(client, ann_debate)
    Message.objects.filter(concerns_id=ann_concert.pk).update(status=Message.Status.SENT, sent_at=timezone.now())
    mine_url = _mine_url(ann_debate)
    ticket_url = links.registration_links(ann_debate)["ticket_url"]

    page = client.get(path)
    assert page.status_code == 200
    # In the attendee's language, French: the link came in her e-mail.
    assert "3 inscriptions de votre adresse, avec votre nom, seront supprimées." in page.content.decode()
    assert Registration.objects.filter(email="ann@example.org").count() == 3

    response = client.post(path)

    assert response.status_code == 200
    assert "Vos données sont supprimées" in response.content.decode()
    assert not Registration.objects.filter(email="ann@example.org").exists()
    rows = {r.pk: r for r in Registration.objects.filter(pk__in=[r.pk for r in people["ann"]])}
    for registration in rows.values():
        assert registration.name == ""
        assert registration.email == f"anonymised-{registration.pk}@invalid"
        assert registration.anonymised_at is not None
    # The debate is still to come: cancelled, its two seats go to Bob, who waited.
    assert rows[ann_debate.pk].status == "cancelled"
    assert rows[ann_debate.pk].seats == 2
    bob.refresh_from_db()
    assert bob.status == "confirmed"
    debate.refresh_from_db()
    assert debate.seats_taken == 1
    assert Message.objects.filter(recipient="bob@example.org", purpose="promoted").count() == 1
    # Checked in at the concert: it stays counted, confirmed and checked in, without a name.
    assert rows[ann_concert.pk].status == "confirmed"
    assert rows[ann_concert.pk].checked_in_at is not None
    assert CheckIn.objects.filter(registration_id=ann_concert.pk).count() == 1
    # Her e-mails: those not sent are gone, the sent ones keep no address and no body; none was
    # written to tell her of the cancellation.
    assert not Message.objects.filter(recipient="ann@example.org").exists()
    kept = Message.objects.filter(concerns_type="registration", concerns_id__in=list(rows))
    assert list(kept.values_list("concerns_id", "recipient", "context", "status")) == [
        (ann_concert.pk, f"anonymised-{ann_concert.pk}@invalid", {}, "sent")
    ]
    # Every link made from her old codes is dead, the deletion link too.
    assert client.get(mine_url).status_code == 404
    assert client.get(ticket_url).status_code == 404
    assert client.get(path).status_code == 404
    assert "Ce lien ne fonctionne plus" in client.post(path).content.decode()
    assert list(AccessLog.objects.values_list("channel", "action", "rows")) == [("attendee", "subject_delete", 3)]
    # Nothing about anyone else changed.
    assert Registration.objects.get(pk=people["cat"].pk).email == "cat@example.org"


def test_the_deletion_link_expires_after_two_days(client, people, monkeypatch):
    path = _ask_for_deletion(client, people["ann"][0])
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + data_requests.ERASE_LINK_MAX_AGE + 1)

    response = client.post(path)

    assert response.status_code == 404
    assert Registration.objects.filter(email="ann@example.org").count() == 3


def test_an_altered_deletion_link_deletes_nothing(client, people):
    path = _ask_for_deletion(client, people["ann"][0])

    assert client.post(tampered(path[:-1]) + "/").status_code == 404
    assert client.post("/en/my/delete/" + signing.dumps("ABCDEFGH", salt="other") + "/").status_code == 404
    assert Registration.objects.filter(email="ann@example.org").count() == 3


def test_the_deletion_mail_renders_with_its_link(people):
    message = _queue(people["ann"][0])

    sent = delivery.render(message)

    assert sent.to == ["ann@example.org"]
    assert sent.subject == "Confirmez la suppression de vos données"
    assert message.context["erase_url"] in sent.body
    assert message.context["erase_url"] in sent.alternatives[0][0]


def _queue(registration) -> Message:
    data_requests.erase_mail(registration)
    return Message.objects.get(purpose=Message.Purpose.ERASURE)


# --- The organisers -----------------------------------------------------------------------------


def _door_staff():
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name=DOOR_STAFF))
    return user


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("plain", 403), ("member", 403), ("door", 403), ("organiser", 200)],
)
def test_only_organisers_open_the_requests_page(client, organiser, member, who, status):
    users = {"plain": UserFactory, "member": lambda: member, "door": _door_staff, "organiser": lambda: organiser}
    if who != "anonymous":
        client.force_login(users[who]())

    assert client.get("/en/backoffice/privacy/").status_code == status
    response = client.post("/en/backoffice/privacy/", {"email": "ann@example.org", "action": "export"})
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/en/accounts/login/")


def test_an_organiser_exports_one_address(client, organiser, people):
    client.force_login(organiser)

    response = client.post("/en/backoffice/privacy/", {"email": " ANN@example.org ", "action": "export"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    data = json.loads(response.content)
    assert [r["booking_code"] for r in data["registrations"]] == [r.code for r in people["ann"]]
    assert "bob@example.org" not in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.username, log.channel, log.action, log.rows) == (
        organiser,
        organiser.username,
        "backoffice",
        "subject_export",
        3,
    )


def test_an_organiser_deletes_only_once_confirmed(client, organiser, people):
    client.force_login(organiser)

    refused = client.post("/en/backoffice/privacy/", {"email": "ann@example.org", "action": "erase"})
    assert refused.status_code == 400
    assert "Tick this box to delete the data." in refused.content.decode()
    assert Registration.objects.filter(email="ann@example.org").count() == 3

    response = client.post(
        "/en/backoffice/privacy/", {"email": "ann@example.org", "action": "erase", "confirm": "on"}, follow=True
    )

    assert response.redirect_chain == [("/en/backoffice/privacy/", 302)]
    assert "The data of that address is deleted: 3 registrations anonymised." in response.content.decode()
    assert not Registration.objects.filter(email="ann@example.org").exists()
    people["bob"].refresh_from_db()
    assert people["bob"].status == "confirmed"
    assert list(AccessLog.objects.values_list("action", "rows")) == [("subject_delete", 3)]
    # The address went in a form, never in a URL.
    assert all("ann" not in url for url, _status in response.redirect_chain)


def test_an_unknown_address_gets_an_empty_copy_and_deletes_nothing(client, organiser, people):
    client.force_login(organiser)

    data = json.loads(client.post("/en/backoffice/privacy/", {"email": "zoe@example.org", "action": "export"}).content)

    assert data["registrations"] == [] and data["emails"] == []
    assert privacy.subject_erase("zoe@example.org") == 0


def test_a_bad_address_is_refused_in_french(organiser, people):
    client = Client()
    client.force_login(organiser)

    response = client.post("/fr/backoffice/privacy/", {"email": "not an address", "action": "export"})

    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in response.content.decode()


# --- Nothing personal in log lines ----------------------------------------------------------------


def test_mail_server_replies_lose_the_addresses_they_echo():
    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"ann@example.org": (550, b"5.1.1 <ann@example.org>: unknown user")})
    replied = smtplib.SMTPResponseException(452, "4.2.2 Mailbox of bob.o'neil+fest@sub.example.be is full")

    assert delivery._describe(refused) == "550 5.1.1 <<address>>: unknown user"
    assert delivery._describe(replied) == "452 4.2.2 Mailbox of <address> is full"


def test_deletion_revokes_the_personal_calendar_feed(people):
    from registrations.models import CalendarFeed

    CalendarFeed.objects.create(email="ann@example.org", key="k" * 43)
    CalendarFeed.objects.create(email="cat@example.org", key="c" * 43)

    privacy.subject_erase("ann@example.org")

    assert list(CalendarFeed.objects.values_list("email", flat=True)) == ["cat@example.org"]
