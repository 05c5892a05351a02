"""The outbox in the back office (notifications/admin.py): organisers see every e-mail, find a
registration's by booking code or key, and send a failed one again; nobody edits one; door
staff, association members and anonymous visitors get nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import Truncator

from notifications import outbox
from notifications.admin import ERROR_PREVIEW
from notifications.models import Message
from programme.roles import ORGANISERS
from tests.factories import AssociationMemberFactory, DoorStaffFactory, RegistrationFactory, UserFactory
from tests.servers import smtp_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CHANGELIST = "/en/admin/notifications/message/"
#: What the SMTP server answers Ann's confirmation: longer than the list shows.
REFUSAL = "550 5.1.1 Recipient address rejected: user unknown in the virtual mailbox table of this server"


@pytest.fixture
def smtp(settings):
    """A real SMTP server that refuses the first message for good, then accepts the rest."""
    with smtp_server(replies=[REFUSAL]) as (port, inbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        yield inbox


@pytest.fixture
def mails(event, smtp, eager_tasks):
    """Ann's confirmation (refused: failed) and Bob's (sent), delivered over SMTP."""
    with eager_tasks(execute=True):
        ann = RegistrationFactory(event=event, name="Ann", email="ann@example.org", language="nl")
        bob = RegistrationFactory(event=event, name="Bob", email="bob@example.org", language="fr")
    failed = Message.objects.get(key=f"registration-{ann.pk}:confirmed")
    sent = Message.objects.get(key=f"registration-{bob.pk}:confirmed")
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, REFUSAL)
    assert (sent.status, sent.attempts) == ("sent", 1)
    return {"ann": ann, "bob": bob, "failed": failed, "sent": sent}


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', response.content.decode())]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_organisers_group_holds_message_permissions_after_migrate():
    codenames = set(
        Group.objects.get(name=ORGANISERS)
        .permissions.filter(content_type__app_label="notifications")
        .values_list("codename", flat=True)
    )

    assert codenames == {"view_message", "change_message"}


def test_organiser_sees_every_email_with_its_delivery(organiser_client, mails):
    failed, sent = mails["failed"], mails["sent"]

    response = organiser_client.get(CHANGELIST)

    assert listed(response) == [sent.pk, failed.pk]  # newest first
    page = response.content.decode()
    row = page[page.index(f'value="{failed.pk}"') :].split("</tr>")[0]
    shortened = Truncator(REFUSAL).chars(ERROR_PREVIEW)
    assert len(shortened) == ERROR_PREVIEW < len(REFUSAL)
    assert re.findall(r'<td class="field-(\w+)[^"]*">(.*?)</td>', row) == [
        ("purpose", "Registration confirmed"),
        ("recipient", "ann@example.org"),
        ("language", "nl"),
        ("status", "Failed"),
        ("attempts", "1"),
        ("sent_at", "-"),
        ("error", shortened),
    ]
    assert f'<th class="field-created_at nowrap"><a href="{CHANGELIST}{failed.pk}/change/">' in row
    assert REFUSAL not in page
    assert '<option value="send_again">Send the selected failed e-mails again</option>' in page
    assert '<option value="delete_selected">' not in page


def test_organiser_filters_emails_by_status_and_purpose(organiser_client, mails):
    assert listed(organiser_client.get(CHANGELIST, {"status__exact": "failed"})) == [mails["failed"].pk]
    assert listed(organiser_client.get(CHANGELIST, {"status__exact": "sent"})) == [mails["sent"].pk]
    assert listed(organiser_client.get(CHANGELIST, {"purpose__exact": "confirmed"})) == [
        mails["sent"].pk,
        mails["failed"].pk,
    ]
    assert listed(organiser_client.get(CHANGELIST, {"purpose__exact": "reminder"})) == []


def test_organiser_finds_a_registrations_emails_by_booking_code_or_key(organiser_client, mails):
    ann = mails["ann"]

    assert listed(organiser_client.get(CHANGELIST, {"q": ann.code})) == [mails["failed"].pk]
    assert listed(organiser_client.get(CHANGELIST, {"q": ann.code.lower()})) == [mails["failed"].pk]
    assert listed(organiser_client.get(CHANGELIST, {"q": f"registration-{ann.pk}:"})) == [mails["failed"].pk]
    assert listed(organiser_client.get(CHANGELIST, {"q": "confirmed"})) == [mails["sent"].pk, mails["failed"].pk]


def test_organiser_search_by_address_finds_nothing(organiser_client, mails):
    """Addresses stay out of URLs (the admin's search is `?q=`): the list is not searched by them."""
    assert listed(organiser_client.get(CHANGELIST, {"q": "ann@example.org"})) == []


def test_email_is_read_only_for_organisers(organiser_client, mails):
    failed = mails["failed"]
    before = Message.objects.values().get(pk=failed.pk)

    page = organiser_client.get(f"{CHANGELIST}{failed.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "ann@example.org" in html and REFUSAL in html
    assert 'name="_save"' not in html
    assert organiser_client.post(f"{CHANGELIST}{failed.pk}/change/", {"recipient": "x@example.org"}).status_code == 403
    assert organiser_client.get(f"{CHANGELIST}add/").status_code == 403
    assert organiser_client.get(f"{CHANGELIST}{failed.pk}/delete/").status_code == 403
    response = organiser_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [failed.pk]})
    assert (response.status_code, messages_of(response)) == (302, ["No action selected."])
    assert Message.objects.values().get(pk=failed.pk) == before


def test_organiser_sends_a_failed_email_again(organiser_client, mails, smtp, eager_tasks):
    failed = mails["failed"]
    assert [to for _from, to, _message in smtp.messages()] == [["bob@example.org"]]

    with eager_tasks(execute=False) as queued:
        response = organiser_client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]})

    assert (response.status_code, response["Location"]) == (302, CHANGELIST)
    assert messages_of(response) == ["1 e-mail will be sent again."]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.claimed_at) == ("pending", 0, None)
    assert len(queued) == 1
    queued[0]()  # the commit: the delivery task runs

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 1, "")
    ((_from, to, message),) = smtp.messages()[1:]
    assert (to, message["Message-ID"]) == (["ann@example.org"], failed.message_id)


def test_send_again_leaves_emails_that_had_not_failed(organiser_client, mails, smtp, eager_tasks):
    sent, failed = mails["sent"], mails["failed"]
    before = Message.objects.values().get(pk=sent.pk)

    with eager_tasks(execute=True):
        response = organiser_client.post(CHANGELIST, {"action": "send_again", "_selected_action": [sent.pk, failed.pk]})

    assert messages_of(response) == [
        "1 e-mail will be sent again.",
        "1 selected e-mail had not failed: it was left as it is.",
    ]
    assert Message.objects.values().get(pk=sent.pk) == before
    assert Message.objects.get(pk=failed.pk).status == "sent"
    assert [to for _from, to, _message in smtp.messages()] == [["bob@example.org"], ["ann@example.org"]]


def test_send_again_with_only_emails_that_had_not_failed_sends_nothing(organiser_client, mails, smtp, eager_tasks):
    with eager_tasks(execute=True):
        response = organiser_client.post(CHANGELIST, {"action": "send_again", "_selected_action": [mails["sent"].pk]})

    assert messages_of(response) == ["1 selected e-mail had not failed: it was left as it is."]
    assert [to for _from, to, _message in smtp.messages()] == [["bob@example.org"]]


def test_email_list_queries_do_not_grow(organiser_client, mails):
    def add(count: int, start: int) -> None:
        outbox.messages_create(
            outbox.message(
                key=f"test-{n}",
                purpose=Message.Purpose.LINK,
                recipient=f"someone{n}@example.org",
                language="en",
                template="registrations/email/link",
                context={},
                concerns=("registration", mails["bob"].pk),
            )
            for n in range(start, start + count)
        )

    add(3, 0)
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(CHANGELIST)
    add(95, 3)

    with CaptureQueriesContext(connection) as many:
        response = organiser_client.get(CHANGELIST)

    assert len(listed(response)) == 100
    assert len(many) == len(few)


# --- Who gets in --------------------------------------------------------------------------------


def _assert_kept_out(client, failed: Message) -> None:
    before = Message.objects.values().get(pk=failed.pk)
    for response in (
        client.get(CHANGELIST),
        client.get(f"{CHANGELIST}{failed.pk}/change/"),
        client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/en/admin/login/?next=")
    assert Message.objects.values().get(pk=failed.pk) == before


def test_anonymous_cannot_see_emails(client, mails):
    _assert_kept_out(client, mails["failed"])


def test_door_staff_cannot_see_emails(client, mails):
    client.force_login(DoorStaffFactory())

    _assert_kept_out(client, mails["failed"])


def test_association_member_cannot_see_emails(client, mails, event):
    client.force_login(AssociationMemberFactory(association=event.association))

    _assert_kept_out(client, mails["failed"])


def test_staff_without_organiser_role_cannot_see_emails(client, mails):
    client.force_login(UserFactory(is_staff=True))
    failed = mails["failed"]

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{failed.pk}/change/").status_code == 403
    assert client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]}).status_code == 403
    assert Message.objects.get(pk=failed.pk).status == "failed"


def test_staff_who_may_only_view_emails_cannot_send_them_again(client, mails):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(viewer)
    failed = mails["failed"]

    page = client.get(CHANGELIST)
    response = client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]})

    assert page.status_code == 200
    html = page.content.decode()
    assert f'<a href="{CHANGELIST}{failed.pk}/change/">' in html
    assert 'value="send_again"' not in html and 'name="_selected_action"' not in html  # no action at all
    assert (response.status_code, messages_of(response)) == (200, [])
    assert Message.objects.get(pk=failed.pk).status == "failed"


def test_organiser_sees_emails_in_the_admin_index(organiser_client):
    index = organiser_client.get("/en/admin/").content.decode()

    assert f'<a href="{CHANGELIST}">E-mails</a>' in index
