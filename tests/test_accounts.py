"""Accounts of associations: invitations by organisers and by members (to their own association
only), accepting one (a signed, expiring, single-use link), the password reset, where each role
lands after logging in, and who may open the new pages. The e-mails go end to end: the outbox row,
a real Celery worker, a real SMTP server (aiosmtpd); no row holds the link's token."""

from __future__ import annotations

import datetime
import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail as django_mail
from django.test import Client
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from notifications import accounts as account_mails
from notifications.delivery import render
from notifications.models import Message
from programme.accounts import (
    AccountError,
    Invited,
    invitation_accept,
    invitation_token_generator,
    member_invite,
    password_reset_ask,
)
from programme.models import Association
from tests.factories import (
    PASSWORD,
    AssociationFactory,
    AssociationMemberFactory,
    DoorStaffFactory,
    OrganiserFactory,
    UserFactory,
)
from tests.servers import WORKER_SITE_URL, celery_worker, purge_broker, smtp_server, wait_until, worker_env

User = get_user_model()

#: A real worker and SMTP server: the worker reads what the test committed (serialized_rollback
#: gives the categories of a migration back to the next test after the flush).
END_TO_END = (
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
)
NEW_PASSWORD = "a long new passphrase 4 the portal"
_SITE = re.escape(WORKER_SITE_URL)
#: Django's token: a timestamp in base 36, a dash, a hash in hex.
_TOKEN = "[0-9a-z]+-[0-9a-f]+"


def end_to_end(test):
    for mark in reversed(END_TO_END):
        test = mark(test)
    return test


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def _html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def _wait_sent(count: int, log: Path) -> None:
    wait_until(
        lambda: Message.objects.count() == count and not Message.objects.exclude(status=Message.Status.SENT).exists(),
        timeout=90,
        describe=lambda: f"{list(Message.objects.values_list('purpose', 'status', 'last_error'))}\n{log.read_text()}",
    )


def _row_text(row: Message) -> str:
    """Every value the message row holds, as text."""
    return json.dumps({field.name: str(getattr(row, field.attname)) for field in Message._meta.concrete_fields})


def _uidb64(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _invitation_path(user, lang: str = "en", token: str | None = None) -> str:
    token = token or invitation_token_generator.make_token(user)
    return f"/{lang}/accounts/invitation/{_uidb64(user)}/{token}/"


def _accept_form(**fields) -> dict:
    return {
        "first_name": "Noor",
        "last_name": "Peeters",
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        **fields,
    }


def _refused_invitation(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<h1>This invitation link cannot be used</h1>" in body
    assert '<div class="alert" role="alert">' in body
    assert 'name="new_password1"' not in body


@pytest.fixture
def dutch_association(db) -> Association:
    return AssociationFactory(name="Vrede & Co vzw", language="nl")


@pytest.fixture
def _empty_broker():
    purge_broker()


# --- The invitation, end to end ------------------------------------------------------------


@end_to_end
def test_invitation_by_organiser_in_dutch_sets_password_logs_in_once_then_refused(
    dutch_association, tmp_path, monkeypatch, _empty_broker
):
    organiser = OrganiserFactory(first_name="Olga", last_name="Martens")
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        response = client_for(organiser).post(
            f"/en/backoffice/associations/{dutch_association.pk}/invite/",
            {f"invite-{dutch_association.pk}-email": "  Noor.Peeters@Example.ORG "},
        )
        assert (response.status_code, response["Location"]) == (
            302,
            f"/en/backoffice/associations/#association-{dutch_association.pk}",
        )
        _wait_sent(1, log)

    # The account: the address, lower-cased, as username; no password yet; a member.
    user = User.objects.get(username="noor.peeters@example.org")
    assert (user.email, user.has_usable_password(), user.is_active) == ("noor.peeters@example.org", False, True)
    assert list(dutch_association.members.all()) == [user]

    # Exactly one e-mail, to that address, in the association's language.
    assert len(inbox.messages()) == 1
    _from, to, message = inbox.messages()[0]
    row = Message.objects.get()
    membership = Association.members.through.objects.get(association=dutch_association, user=user)
    assert (row.purpose, row.recipient, row.language, row.template, row.concerns_type, row.concerns_id) == (
        "invitation",
        "noor.peeters@example.org",
        "nl",
        "accounts/email/invitation",
        "association_member",
        membership.pk,
    )
    assert (to, message["Message-ID"], message["To"]) == (["noor.peeters@example.org"], row.message_id, row.recipient)
    text = _text(message)
    found = re.findall(
        rf"{re.escape(WORKER_SITE_URL)}(/nl/accounts/invitation/{_uidb64(user)}/([0-9a-z]+-[0-9a-f]+)/)", text
    )
    assert len(found) == 1, text
    path, token = found[0]
    assert f'href="{WORKER_SITE_URL}{path}"' in _html(message)

    # What arrived is what the templates say in Dutch (the link aside: its token is made when sent).
    with translation.override("nl"), monkeypatch.context() as patch:
        patch.setattr("django.conf.settings.SITE_URL", WORKER_SITE_URL)
        expected = render(row)
    assert message["Subject"] == expected.subject == "Uw uitnodiging voor het verenigingsportaal: Vrede & Co vzw"
    expected_text = re.sub(r"/nl/accounts/invitation/[^/\s]+/[^/\s]+/", path, expected.body).replace("\r\n", "\n")
    assert text == expected_text
    assert text.startswith(
        "Goedendag,\n\nOlga Martens nodigt u uit om toe te treden tot de account van “Vrede & Co vzw” op "
        "het verenigingsportaal"
    )
    assert "De link werkt één keer, gedurende 7 dagen." in text
    expected_html = re.sub(r"/nl/accounts/invitation/[^/\s\"]+/[^/\s\"<]+/", path, expected.alternatives[0][0])
    assert _html(message) == expected_html.replace("\r\n", "\n")
    assert "Vrede &amp; Co vzw" in _html(message)

    # The row holds no part of the link.
    stored = _row_text(row)
    assert token not in stored and token.split("-")[1] not in stored and path not in stored
    assert row.context == {"inviter": "Olga Martens"} and row.attachments == []

    # A tampered token, a tampered account id, a truncated link: refused.
    hash_part = token.split("-")[1]
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    _refused_invitation(Client(), path.replace("/nl/", "/en/").replace(token, tampered))
    _refused_invitation(Client(), path.replace("/nl/", "/en/").replace(_uidb64(user), _uidb64(organiser)))
    _refused_invitation(Client(), f"/en/accounts/invitation/{_uidb64(user)}/{hash_part}/")
    _refused_invitation(Client(), f"/en/accounts/invitation/{_uidb64(user)}/accept/")  # no token in the session

    # Older than INVITATION_DAYS (7): refused; the clock back, it works.
    now = invitation_token_generator._now()
    with monkeypatch.context() as patch:
        patch.setattr(invitation_token_generator, "_now", lambda: now + datetime.timedelta(days=7, seconds=5))
        _refused_invitation(Client(), path.replace("/nl/", "/en/"))

    # Following it: the token leaves the address, the form sets name and password, logs in, to the portal.
    client = Client()
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, f"/nl/accounts/invitation/{_uidb64(user)}/accept/")
    response = client.get(response["Location"])
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("first_name", "last_name", "new_password1", "new_password2"):
        assert f'<label for="id_{name}">' in body
    response = client.post(f"/nl/accounts/invitation/{_uidb64(user)}/accept/", _accept_form())
    assert (response.status_code, response["Location"]) == (302, "/nl/portal/")
    assert client.session["_auth_user_id"] == str(user.pk)
    portal = client.get("/nl/portal/")
    assert portal.status_code == 200
    assert "Vrede &amp; Co vzw" in portal.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.check_password(NEW_PASSWORD)) == ("Noor", "Peeters", True)
    assert Client().login(username="noor.peeters@example.org", password=NEW_PASSWORD)

    # The same link again: refused, in another browser and in the same one.
    _refused_invitation(Client(), path.replace("/nl/", "/en/"))
    _refused_invitation(client, path.replace("/nl/", "/en/"))
    assert len(inbox.messages()) == 1


def test_invitation_expires_after_invitation_days(dutch_association, settings, monkeypatch):
    """The link the e-mail gets (its context maker) works until INVITATION_DAYS, not after."""
    settings.INVITATION_DAYS = 2
    invitation = member_invite(association=dutch_association, email="ann@example.org", invited_by=OrganiserFactory())
    membership = Association.members.through.objects.get(user=invitation.user)
    with translation.override("en"):
        link = str(account_mails.membership_contexts([membership.pk])[membership.pk]["accept_url"])
    path = link.removeprefix(settings.SITE_URL)
    assert path.startswith(f"/en/accounts/invitation/{_uidb64(invitation.user)}/")
    now = invitation_token_generator._now()
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: now + datetime.timedelta(days=2, seconds=5))
    _refused_invitation(Client(), path)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: now + datetime.timedelta(days=2, seconds=-60))
    response = Client().get(path)
    assert response.status_code == 302


@pytest.mark.django_db
def test_invitation_link_is_not_a_password_reset_link_nor_the_other_way_round():
    member = AssociationMemberFactory()
    member.set_unusable_password()  # invited, no password yet
    member.save()
    reset_token = default_token_generator.make_token(member)
    _refused_invitation(Client(), _invitation_path(member, token=reset_token))
    colleague = AssociationMemberFactory()
    invitation_token = invitation_token_generator.make_token(colleague)  # has a password: never valid
    assert not invitation_token_generator.check_token(colleague, invitation_token)
    response = Client().get(f"/en/accounts/password/reset/{_uidb64(colleague)}/{invitation_token}/")
    assert response.status_code == 400
    assert "<h1>This password reset link cannot be used</h1>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/invitation/!!!/1-2/",
        "/en/accounts/invitation/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA/zzzzzzzzzzzzzzzzzzzz-00/",
        "/en/accounts/invitation/Mg/-/",
        "/en/accounts/invitation/Mg/set-password/",
        "/en/accounts/password/reset/!!!/1-2/",
        "/en/accounts/password/reset/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA/zzzzzzzzzzzzzzzzzzzz-00/",
        "/en/accounts/password/reset/Mg/set-password/",
    ],
)
def test_garbage_links_are_refused_with_400_not_500(path):
    AssociationMemberFactory()
    response = Client().get(path)
    assert response.status_code == 400
    assert "link cannot be used</h1>" in response.content.decode()


@pytest.mark.django_db
def test_invitation_accept_twice_at_once_one_wins(dutch_association):
    user = member_invite(association=dutch_association, email="ann@example.org", invited_by=OrganiserFactory()).user
    invitation_accept(user=user, first_name="Ann", last_name="", password=NEW_PASSWORD)
    with pytest.raises(AccountError) as refused:
        invitation_accept(user=user, first_name="Eve", last_name="", password="another passphrase 123")
    assert refused.value.code == "invitation_used"
    user.refresh_from_db()
    assert (user.first_name, user.check_password(NEW_PASSWORD)) == ("Ann", True)


@pytest.mark.django_db
def test_invitation_form_errors_next_to_fields_and_summarised():
    user = member_invite(association=AssociationFactory(), email="ann@example.org", invited_by=OrganiserFactory()).user
    client = Client()
    accept = client.get(_invitation_path(user))["Location"]
    response = client.post(accept, _accept_form(first_name="", new_password2="something else entirely"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div class="alert" role="alert">' in body
    assert '<li><a href="#id_first_name">First name: This field is required.</a></li>' in body
    assert '<span class="field-error" id="id_first_name_error">This field is required.</span>' in body
    assert (
        '<span class="field-error" id="id_new_password2_error">The two password fields didn\u2019t match.</span>'
        in body
    )
    assert 'aria-describedby="id_first_name_error"' in body
    user.refresh_from_db()
    assert not user.has_usable_password()


# --- Invitation outcomes and the members' pages ------------------------------------------


@pytest.mark.django_db
def test_member_invites_a_colleague_to_their_own_association(dutch_association):
    member = AssociationMemberFactory(association=dutch_association, first_name="Jan", last_name="Claes")
    client = client_for(member)
    response = client.post("/en/portal/members/", {"email": "Lotte@Example.org"})
    assert (response.status_code, response["Location"]) == (302, "/en/portal/members/")
    colleague = User.objects.get(username="lotte@example.org")
    assert set(dutch_association.members.all()) == {member, colleague}
    row = Message.objects.get()
    assert (row.purpose, row.recipient, row.language, row.template, row.context) == (
        "invitation",
        "lotte@example.org",
        "nl",
        "accounts/email/invitation",
        {"inviter": "Jan Claes"},
    )
    page = client.get(response["Location"]).content.decode()
    assert (
        "An e-mail is on its way to lotte@example.org, unless the address already has an account: the organisers "
        "add existing accounts to Vrede &amp; Co vzw, ask them."
    ) in page
    assert "<td>lotte@example.org</td>" in page and "Invited, no password yet" in page


@pytest.mark.django_db
def test_member_cannot_invite_to_another_association_by_crafting_the_post(dutch_association):
    other = AssociationFactory(name="Other asbl")
    member = AssociationMemberFactory(association=dutch_association)
    client = client_for(member)
    # An association named in the POST is not read: the invitation is to the member's own.
    response = client.post("/en/portal/members/", {"email": "eve@example.org", "association": other.pk})
    assert response.status_code == 302
    eve = User.objects.get(username="eve@example.org")
    assert list(eve.associations.all()) == [dutch_association]
    # The acting association in the session is one the member belongs to, or none.
    session = client.session
    session["acting_association"] = other.pk
    session.save()
    client.post("/en/portal/members/", {"email": "mallory@example.org"})
    assert list(User.objects.get(username="mallory@example.org").associations.all()) == [dutch_association]
    # The back office's form for another association: refused, nothing made.
    response = client.post(f"/en/backoffice/associations/{other.pk}/invite/", {f"invite-{other.pk}-email": "x@e.org"})
    assert response.status_code == 403
    assert not User.objects.filter(username="x@e.org").exists()
    assert list(other.members.all()) == []
    # And the service itself refuses.
    with pytest.raises(AccountError) as refused:
        member_invite(association=other, email="y@example.org", invited_by=member)
    assert refused.value.code == "not_allowed"
    assert Message.objects.filter(recipient__in=["x@e.org", "y@example.org"]).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("active", [True, False])
def test_a_member_cannot_enrol_an_existing_account_and_learns_nothing_of_it(dutch_association, active):
    """Not an organiser's (who could then no longer decide on the association's proposals), not anyone's:
    the member is told what they are told for a new address, and nothing changes."""
    member = AssociationMemberFactory(association=dutch_association)
    organiser = OrganiserFactory(username="lea", email="lea@city.example", is_active=active)
    client = client_for(member)

    response = client.post("/en/portal/members/", {"email": "LEA@city.example"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "An e-mail is on its way to lea@city.example, unless the address already has an account" in page
    assert "deactivated" not in page and "has an account already" not in page
    assert not organiser.associations.exists()
    assert Message.objects.count() == 0
    assert member_invite(association=dutch_association, email="lea@city.example", invited_by=member).outcome == (
        Invited.REFERRED
    )


@pytest.mark.django_db
def test_invitations_are_limited_per_address(dutch_association, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inv"}}
    client = client_for(AssociationMemberFactory(association=dutch_association))

    answers = [client.post("/en/portal/members/", {"email": f"new{n}@example.org"}).status_code for n in range(31)]

    assert answers == [302] * 30 + [429]
    assert User.objects.filter(username__startswith="new").count() == 30


@pytest.mark.django_db
def test_inviting_an_existing_account_adds_it_with_a_notice_and_no_password_link(dutch_association, settings):
    organiser = OrganiserFactory()
    existing = AssociationMemberFactory(username="lotte", email="lotte@example.org", first_name="Lotte")
    invitation = member_invite(association=dutch_association, email="LOTTE@example.org", invited_by=organiser)
    assert (invitation.outcome, invitation.user) == (Invited.ADDED, existing)
    assert existing.associations.filter(pk=dutch_association.pk).exists()
    row = Message.objects.get()
    assert (row.purpose, row.template, row.recipient, row.language) == (
        "invitation",
        "accounts/email/added",
        "lotte@example.org",
        "nl",
    )
    with translation.override("en"):
        row.language = "en"  # the English text (the Dutch catalogue is the lead's)
        email = render(row)
    assert email.subject == "You are now a member of Vrede & Co vzw on the association portal"
    assert email.body.startswith("Hello Lotte,\n\nYour account was added to “Vrede & Co vzw”")
    assert f"{settings.SITE_URL}/en/accounts/login/" in email.body
    assert "/accounts/invitation/" not in email.body and "/accounts/invitation/" not in email.alternatives[0][0]
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)


@pytest.mark.django_db
def test_inviting_a_member_again_changes_nothing_and_says_so(dutch_association):
    organiser = OrganiserFactory()
    member = AssociationMemberFactory(association=dutch_association, email="jan@example.org")
    client = client_for(organiser)
    response = client.post(
        f"/en/backoffice/associations/{dutch_association.pk}/invite/",
        {f"invite-{dutch_association.pk}-email": "jan@example.org"},
        follow=True,
    )
    assert response.status_code == 200
    assert "jan@example.org is a member of Vrede &amp; Co vzw already: nothing changed." in response.content.decode()
    assert list(dutch_association.members.all()) == [member]
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_inviting_again_before_the_password_is_set_sends_once_per_interval(dutch_association):
    organiser = OrganiserFactory()
    first = member_invite(association=dutch_association, email="ann@example.org", invited_by=organiser)
    again = member_invite(association=dutch_association, email="ann@example.org", invited_by=organiser)
    assert (first.outcome, again.outcome, first.user) == (Invited.INVITED, Invited.INVITED_AGAIN, again.user)
    assert Message.objects.count() == 1  # a second one only in the next ten minutes' interval
    assert User.objects.filter(username="ann@example.org").count() == 1


@pytest.mark.django_db
def test_inviting_a_deactivated_account_is_refused_next_to_the_field(dutch_association):
    UserFactory(username="gone@example.org", email="gone@example.org", is_active=False)
    response = client_for(OrganiserFactory()).post(
        f"/en/backoffice/associations/{dutch_association.pk}/invite/",
        {f"invite-{dutch_association.pk}-email": "gone@example.org"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    field = f"id_invite-{dutch_association.pk}-email"
    error = "The account of this address is deactivated. Ask the organisers to reactivate it."
    assert f'<span class="field-error" id="{field}_error">{error}</span>' in body
    assert f'<li><a href="#{field}">' in body and '<div class="alert" role="alert">' in body
    assert Message.objects.count() == 0 and not dutch_association.members.exists()


@pytest.mark.django_db
def test_backoffice_invite_with_a_bad_address_shows_the_error_by_its_field(dutch_association):
    other = AssociationFactory(name="Other asbl")
    response = client_for(OrganiserFactory()).post(
        f"/en/backoffice/associations/{dutch_association.pk}/invite/",
        {f"invite-{dutch_association.pk}-email": "not an address"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    field = f"id_invite-{dutch_association.pk}-email"
    assert f'<span class="field-error" id="{field}_error">Enter a valid email address.</span>' in body
    assert 'value="not an address"' in body
    assert f'id="id_invite-{other.pk}-email"' in body and f'id="id_invite-{other.pk}-email_error"' not in body
    assert User.objects.filter(associations__isnull=False).count() == 0


@pytest.mark.django_db
def test_backoffice_lists_every_association_with_its_members_in_constant_queries(django_assert_max_num_queries):
    organiser = OrganiserFactory()
    client = client_for(organiser)

    def page() -> str:
        with django_assert_max_num_queries(6):
            response = client.get("/en/backoffice/associations/")
        assert response.status_code == 200
        return response.content.decode()

    first = AssociationFactory(name="Alpha asbl")
    member = AssociationMemberFactory(association=first, first_name="Ann", last_name="Smet", email="ann@example.org")
    member.last_login = datetime.datetime(2036, 9, 1, 10, 30, tzinfo=datetime.UTC)
    member.save()
    api_token = Token.objects.create(user=member)  # no page shows one
    member_invite(association=first, email="new@example.org", invited_by=organiser)
    body = page()
    assert '<th scope="row">Ann Smet</th>' in body and "<td>ann@example.org</td>" in body
    assert '<time datetime="2036-09-01T12:30:00+02:00">' in body
    assert "Invited, no password yet" in body and "<td>never</td>" in body
    assert f'<form method="post" action="/en/backoffice/associations/{first.pk}/invite/"' in body
    assert f'<label for="id_invite-{first.pk}-email">E-mail address of the person to invite</label>' in body
    for _ in range(30):
        association = AssociationFactory()
        for _ in range(3):
            AssociationMemberFactory(association=association)
    body = page()
    assert body.count('<section class="association-members"') == 31
    assert api_token.key not in body


@pytest.mark.django_db
def test_portal_members_shows_only_the_acting_associations_members(dutch_association, django_assert_max_num_queries):
    member = AssociationMemberFactory(association=dutch_association, first_name="Jan", last_name="Claes")
    stranger = AssociationMemberFactory(first_name="Someone", last_name="Else")
    for _ in range(20):
        AssociationMemberFactory(association=dutch_association)
    client = client_for(member)
    with django_assert_max_num_queries(6):
        response = client.get("/en/portal/members/")
    body = response.content.decode()
    assert body.count('<th scope="row">') == 21
    assert '<th scope="row">Jan Claes</th>' in body
    assert stranger.email not in body and "Someone Else" not in body
    assert '<label for="id_email">E-mail address of the person to invite</label>' in body
    assert 'href="/en/portal/members/" aria-current="page"' in body


# --- Who may open the new pages -----------------------------------------------------------


def _someone(role: str, association: Association):
    if role == "anonymous":
        return None
    if role == "plain":
        return UserFactory()
    if role == "door":
        return DoorStaffFactory()
    if role == "member":
        return AssociationMemberFactory(association=association)
    return OrganiserFactory()


def _page(name: str, association: Association) -> tuple[str, str, dict]:
    return {
        "backoffice list": ("get", "/en/backoffice/associations/", {}),
        "backoffice invite": (
            "post",
            f"/en/backoffice/associations/{association.pk}/invite/",
            {f"invite-{association.pk}-email": "intruder@example.org"},
        ),
        "portal list": ("get", "/en/portal/members/", {}),
        "portal invite": ("post", "/en/portal/members/", {"email": "intruder@example.org"}),
    }[name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        (role, page, 302 if role == "anonymous" else 403)
        for role in ("anonymous", "door", "plain", "member")
        for page in ("backoffice list", "backoffice invite")
    ]
    + [
        (role, page, 302 if role == "anonymous" else 403)
        for role in ("anonymous", "door", "plain", "organiser")
        for page in ("portal list", "portal invite")
    ],
)
def test_new_pages_refuse_who_may_not_open_them(role, page, expected):
    association = AssociationFactory()
    method, path, data = _page(page, association)
    response = getattr(client_for(_someone(role, association)), method)(path, data)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"/en/accounts/login/?next={path}"
    assert not User.objects.filter(username="intruder@example.org").exists()
    assert Message.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "page"), [("organiser", "backoffice list"), ("member", "portal list")])
def test_new_pages_open_for_their_role(role, page):
    association = AssociationFactory()
    method, path, data = _page(page, association)
    assert getattr(client_for(_someone(role, association)), method)(path, data).status_code == 200


@pytest.mark.django_db
def test_invite_url_answers_only_posts():
    association = AssociationFactory()
    response = client_for(OrganiserFactory()).get(f"/en/backoffice/associations/{association.pk}/invite/")
    assert response.status_code == 405


# --- Password reset -------------------------------------------------------------------------


@end_to_end
def test_password_reset_end_to_end_through_the_outbox_and_smtp(tmp_path, monkeypatch, _empty_broker):
    user = AssociationMemberFactory(username="lotte@example.org", email="lotte@example.org", first_name="Lotte")
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        response = Client().post("/en/accounts/password/reset/", {"email": "Lotte@Example.org"})
        assert (response.status_code, response["Location"]) == (302, "/en/accounts/password/reset/sent/")
        _wait_sent(1, log)
    assert django_mail.outbox == []  # never Django's send_mail
    assert len(inbox.messages()) == 1
    _from, to, message = inbox.messages()[0]
    row = Message.objects.get()
    assert (row.purpose, row.recipient, row.language, row.concerns_type, row.concerns_id, row.context) == (
        "password_reset",
        "lotte@example.org",
        "en",
        "account",
        user.pk,
        {},
    )
    assert (to, message["Message-ID"]) == (["lotte@example.org"], row.message_id)
    assert message["Subject"] == "Choose a new password for your Fortnight account"
    text = _text(message)
    found = re.findall(
        rf"{re.escape(WORKER_SITE_URL)}(/en/accounts/password/reset/{_uidb64(user)}/([0-9a-z]+-[0-9a-f]+)/)", text
    )
    assert len(found) == 1, text
    path, token = found[0]
    assert text.startswith(
        "Hello Lotte,\n\nSomeone asked to choose a new password for your account, lotte@example.org, on the website"
    )
    assert "The link works once, for 3 days." in text
    assert f'href="{WORKER_SITE_URL}{path}"' in _html(message)
    stored = _row_text(row)
    assert token not in stored and token.split("-")[1] not in stored and path not in stored

    client = Client()
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/en/accounts/password/reset/{_uidb64(user)}/set-password/",
    )
    assert client.get(response["Location"]).status_code == 200
    response = client.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/password/reset/done/")
    assert "<h1>Your new password is set</h1>" in client.get(response["Location"]).content.decode()
    assert Client().login(username="lotte@example.org", password=NEW_PASSWORD)
    assert not Client().login(username="lotte@example.org", password=PASSWORD)
    # Used once: refused after.
    response = Client().get(path)
    assert response.status_code == 400
    assert "<h1>This password reset link cannot be used</h1>" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_an_unknown_address_and_writes_nothing():
    AssociationMemberFactory(email="lotte@example.org")
    known = Client().post("/fr/accounts/password/reset/", {"email": "lotte@example.org"})
    assert Message.objects.filter(purpose="password_reset").count() == 1
    Message.objects.all().delete()
    unknown = Client().post("/fr/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert (unknown.status_code, unknown["Location"]) == (302, "/fr/accounts/password/reset/sent/")
    assert Message.objects.count() == 0
    assert Client().get(unknown["Location"]).status_code == 200


@pytest.mark.django_db
def test_password_reset_in_the_pages_language_and_not_for_accounts_without_password():
    user = AssociationMemberFactory(email="lotte@example.org")
    Client().post("/nl/accounts/password/reset/", {"email": "lotte@example.org"})
    row = Message.objects.get()
    assert (row.language, row.concerns_id) == ("nl", user.pk)
    invited = member_invite(association=AssociationFactory(), email="new@example.org", invited_by=OrganiserFactory())
    assert password_reset_ask(email="new@example.org", language="en") == 0
    assert Message.objects.filter(purpose="password_reset", concerns_id=invited.user.pk).count() == 0


@pytest.mark.django_db
def test_password_reset_posts_are_rate_limited_like_logins(settings, rate_window):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reset"}}
    client = Client()
    statuses = [client.post("/en/accounts/password/reset/", {"email": "x@example.org"}).status_code for _ in range(21)]
    assert statuses == [302] * 20 + [429]
    response = client.post("/en/accounts/password/reset/", {"email": "x@example.org"})
    assert response.status_code == 429
    assert '<div class="alert" role="alert"><p>Too many attempts from your address.' in response.content.decode()


@pytest.mark.django_db
def test_password_reset_page_is_labelled():
    body = Client().get("/en/accounts/password/reset/").content.decode()
    assert '<label for="id_email">E-mail address of your account</label>' in body
    assert 'autocomplete="email"' in body


# --- The e-mails' contexts, read when sent ----------------------------------------------------


@pytest.mark.django_db
def test_contexts_make_no_password_link_once_a_password_is_set_and_none_for_gone_members(dutch_association):
    user = member_invite(association=dutch_association, email="ann@example.org", invited_by=OrganiserFactory()).user
    membership = Association.members.through.objects.get(user=user)
    assert "accept_url" in account_mails.membership_contexts([membership.pk])[membership.pk]
    invitation_accept(user=user, first_name="Ann", last_name="", password=NEW_PASSWORD)
    assert "accept_url" not in account_mails.membership_contexts([membership.pk])[membership.pk]
    dutch_association.members.remove(user)
    assert account_mails.membership_contexts([membership.pk]) == {}
    user.is_active = False
    user.save()
    assert account_mails.account_contexts([user.pk]) == {}


# --- Landing after login ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "home"),
    [("organiser", "/en/backoffice/"), ("member", "/en/portal/"), ("door", "/en/door/"), ("plain", "/en/")],
)
def test_login_lands_each_role_on_its_own_home(role, home):
    user = _someone(role, AssociationFactory())
    client = Client()
    response = client.post("/en/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/home/")
    response = client.get(response["Location"])
    assert (response.status_code, response["Location"]) == (302, home)


@pytest.mark.django_db
def test_login_an_explicit_safe_next_still_wins():
    member = AssociationMemberFactory()
    response = Client().post(
        "/en/accounts/login/", {"username": member.username, "password": PASSWORD, "next": "/en/portal/members/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/en/portal/members/")
    response = Client().post(
        "/en/accounts/login/", {"username": member.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/home/")


@pytest.mark.django_db
def test_landing_wants_a_login_and_keeps_the_language():
    assert Client().get("/nl/accounts/home/")["Location"] == "/nl/accounts/login/?next=/nl/accounts/home/"
    member = AssociationMemberFactory()
    assert client_for(member).get("/nl/accounts/home/")["Location"] == "/nl/portal/"


# --- In a browser: axe-core's rules, and the forms by keyboard ----------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_account_pages_pass_axe_and_the_forms_work_by_keyboard(live_server):
    from playwright.sync_api import sync_playwright

    from tests.helpers import launch
    from tests.test_accessibility import violations

    organiser = OrganiserFactory(username="olga", first_name="Olga")
    association = AssociationFactory(name="Vrede vzw")
    AssociationMemberFactory(association=association, first_name="Jan", last_name="Claes")
    invited = member_invite(association=association, email="noor@example.org", invited_by=organiser).user
    base = live_server.url
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        phone = {"locale": "en", "viewport": {"width": 390, "height": 844}, "has_touch": True, "bypass_csp": True}
        page = browser.new_context(**phone).new_page()
        for path in (
            "/en/accounts/password/reset/",
            "/en/accounts/password/reset/sent/",
            "/en/accounts/password/reset/done/",
            f"/en/accounts/invitation/{_uidb64(invited)}/1-2/",
            f"/en/accounts/password/reset/{_uidb64(invited)}/1-2/",
        ):
            page.goto(base + path)
            found[path] = violations(page)
        page.goto(base + "/en/accounts/password/reset/")
        page.locator("#id_email").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")  # sent empty
        found["the reset form's errors"] = violations(page)

        # The invitation, by keyboard: first the passwords do not match, then they do.
        page.goto(base + _invitation_path(invited))
        page.wait_for_url(f"{base}/en/accounts/invitation/{_uidb64(invited)}/accept/")
        found["the invitation"] = violations(page)
        page.locator("#id_first_name").focus()
        for text in ("Noor", "Peeters", NEW_PASSWORD, "not the same"):
            page.keyboard.type(text)
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # on the button
        assert page.locator("[role=alert]").count() == 1
        found["the invitation's errors"] = violations(page)
        page.locator("#id_new_password1").focus()
        for text in (NEW_PASSWORD, NEW_PASSWORD):
            page.keyboard.type(text)
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/en/portal/")

        # The portal's members, and inviting a colleague by keyboard.
        page.goto(base + "/en/portal/members/")
        found["the portal's members"] = violations(page)
        page.locator("#id_email").focus()
        page.keyboard.type("lotte@example.org")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/en/portal/members/")
        assert "An e-mail is on its way to lotte@example.org" in page.locator("[role=status]").inner_text()
        found["the portal's members, invited"] = violations(page)

        # The back office: logging in lands on it; the associations, and an invitation refused.
        page = browser.new_context(**phone).new_page()
        page.goto(base + "/en/accounts/login/")
        page.locator("#id_username").fill("olga")
        page.locator("#id_password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/en/backoffice/")
        page.goto(base + "/en/backoffice/associations/")
        found["the back office's associations"] = violations(page)
        page.locator(f"#id_invite-{association.pk}-email").fill("not an address")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("[role=alert]").count() == 1
        found["the back office's invitation refused"] = violations(page)
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert User.objects.get(username="lotte@example.org").associations.get() == association
