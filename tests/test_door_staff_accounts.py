"""Door staff's accounts in the back office (issue 11, SPEC section 1 "Manage door staff"): organisers
make them (the invitation's link sets the password, then the door opens), deactivate them (no login,
no API token; the account stays) and reactivate them; never an organiser's or a superuser's; who may
open each page; the list in constant queries, never showing a token."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications import accounts as account_mails
from notifications.delivery import render
from notifications.models import Message
from programme.accounts import (
    AccountError,
    door_staff_create,
    door_staff_deactivate,
    door_staff_reactivate,
    invitation_token_generator,
)
from programme.roles import DOOR_STAFF
from tests.factories import (
    PASSWORD,
    AssociationMemberFactory,
    DoorStaffFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

PAGE = "/en/backoffice/door-staff/"
CREATE = "/en/backoffice/door-staff/create/"
NEW_PASSWORD = "a long new passphrase 4 the door"
EMAIL_TAKEN = "An account already has this e-mail address."
MANAGED_ELSEWHERE = "This is an organiser&#x27;s account: it is not deactivated or reactivated from this page."
LOGIN = "login"  # a redirect to the login page


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _uidb64(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _deactivate(pk: int) -> str:
    return f"/en/backoffice/door-staff/{pk}/deactivate/"


def _reactivate(pk: int) -> str:
    return f"/en/backoffice/door-staff/{pk}/reactivate/"


def _create_form(**fields) -> dict:
    values = {"first_name": "Noor", "last_name": "Peeters", "email": "  Noor.Peeters@Example.ORG ", "language": "nl"}
    return {f"door-staff-{name}": value for name, value in {**values, **fields}.items()}


def _accept_path(user, settings) -> str:
    """The link of the invitation's e-mail, as its context maker makes it when the e-mail leaves."""
    with translation.override("en"):
        link = str(account_mails.door_staff_contexts([user.pk])[user.pk]["accept_url"])
    assert link.startswith(f"{settings.SITE_URL}/en/accounts/invitation/{_uidb64(user)}/")
    return link.removeprefix(settings.SITE_URL)


# --- Who may open what -----------------------------------------------------------------------

ROLES = ("anonymous", "plain", "member", "door", "organiser", "superuser")
REFUSED = {"anonymous": LOGIN, "plain": 403, "member": 403, "door": 403}
#: (method, path template ({door}: a door-staff account's pk), {role: status}), in this order.
PAGES = [
    ("get", PAGE, {**REFUSED, "organiser": 200, "superuser": 200}),
    ("post", PAGE, {**REFUSED, "organiser": 405, "superuser": 405}),
    ("get", CREATE, {**REFUSED, "organiser": 405, "superuser": 405}),
    ("post", CREATE, {**REFUSED, "organiser": 302, "superuser": 302}),
    ("get", "/en/backoffice/door-staff/{door}/deactivate/", {**REFUSED, "organiser": 405, "superuser": 405}),
    ("post", "/en/backoffice/door-staff/{door}/deactivate/", {**REFUSED, "organiser": 302, "superuser": 302}),
    ("get", "/en/backoffice/door-staff/{door}/reactivate/", {**REFUSED, "organiser": 405, "superuser": 405}),
    ("post", "/en/backoffice/door-staff/{door}/reactivate/", {**REFUSED, "organiser": 302, "superuser": 302}),
]


def _someone(role: str, association):
    return {
        "anonymous": lambda: None,
        "plain": UserFactory,
        "member": lambda: AssociationMemberFactory(association=association),
        "door": DoorStaffFactory,
        "organiser": OrganiserFactory,
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[role]()


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(role, association):
    target = DoorStaffFactory(username="target", first_name="Tom", last_name="Target")
    token = Token.objects.create(user=target)
    client = client_for(_someone(role, association))
    got = {}
    for method, template, _expected in PAGES:
        path = template.format(door=target.pk)
        data = _create_form(email="intruder@example.org") if (method, path) == ("post", CREATE) else {}
        response = getattr(client, method)(path, data)
        status = response.status_code
        if status == 302 and response["Location"] == f"/en/accounts/login/?next={path}":
            status = LOGIN
        got[(method, template)] = status
        if status in (403, LOGIN):
            assert "Tom Target" not in response.content.decode(), (method, path)
    assert got == {(method, template): expected[role] for method, template, expected in PAGES}
    target.refresh_from_db()
    assert target.is_active  # deactivated and reactivated by organisers; untouched by anyone else
    if role in REFUSED:
        assert not User.objects.filter(username="intruder@example.org").exists()
        assert Message.objects.count() == 0
        assert Token.objects.filter(user=target).get() == token
    else:
        assert User.objects.get(username="intruder@example.org").groups.get().name == DOOR_STAFF
        assert Message.objects.get().recipient == "intruder@example.org"
        assert not Token.objects.filter(user=target).exists()


# --- Making an account ------------------------------------------------------------------------


def test_organiser_makes_a_door_staff_account_and_its_invitation_is_queued(settings):
    organiser = OrganiserFactory(first_name="Olga", last_name="Martens")
    client = client_for(organiser)

    response = client.post(CREATE, _create_form())

    user = User.objects.get(username="noor.peeters@example.org")
    assert (response.status_code, response["Location"]) == (302, f"{PAGE}#door-staff-{user.pk}")
    assert (user.email, user.first_name, user.last_name) == ("noor.peeters@example.org", "Noor", "Peeters")
    assert (user.is_active, user.has_usable_password(), user.is_staff, user.is_superuser) == (True, False, False, False)
    assert list(user.groups.values_list("name", flat=True)) == [DOOR_STAFF]
    assert not user.associations.exists()
    row = Message.objects.get()
    assert (row.purpose, row.recipient, row.language, row.template, row.concerns_type, row.concerns_id) == (
        "invitation",
        "noor.peeters@example.org",
        "nl",
        "accounts/email/door_staff_invitation",
        "door_staff",
        user.pk,
    )
    assert (row.status, row.context, row.attachments) == ("pending", {"inviter": "Olga Martens"}, [])

    page = client.get(response["Location"]).content.decode()
    assert (
        '<p class="notice">The account of Noor Peeters is made: an e-mail went to noor.peeters@example.org with a '
        "link to choose their password.</p>"
    ) in page
    assert f'<th scope="row" id="door-staff-{user.pk}-name">Noor Peeters</th>' in page
    assert '<span class="member-state member-state-pending">Invited, no password yet</span>' in page

    # What the e-mail says (in English: the Dutch catalogue is the translators'), its link made when sent.
    row.language = "en"
    email = render(row)
    assert email.subject == "Your account for the door of the Fortnight of International Solidarity"
    assert email.to == ["noor.peeters@example.org"]
    assert email.body.startswith(
        "Hello Noor,\n\nOlga Martens made you an account for the door of the Fortnight of International Solidarity:"
    )
    found = re.findall(
        rf"{re.escape(settings.SITE_URL)}/en/accounts/invitation/{_uidb64(user)}/([0-9a-z]+-[0-9a-f]+)/", email.body
    )
    assert len(found) == 1, email.body
    assert invitation_token_generator.check_token(user, found[0])
    assert "The link works once, for 7 days." in email.body
    assert f"{settings.SITE_URL}/en/door/" in email.body
    html = email.alternatives[0][0]
    assert f'href="{settings.SITE_URL}/en/accounts/invitation/{_uidb64(user)}/{found[0]}/"' in html
    assert found[0] not in str(row.context) and found[0] not in row.key  # no row holds the link


def test_the_invitation_link_sets_the_password_then_the_door_opens(settings):
    user = door_staff_create(
        first_name="Noor", last_name="Peeters", email="noor@example.org", language="en", created_by=OrganiserFactory()
    )
    path = _accept_path(user, settings)
    client = Client()

    response = client.get(path)
    accept = f"/en/accounts/invitation/{_uidb64(user)}/accept/"
    assert (response.status_code, response["Location"]) == (302, accept)
    response = client.get(accept)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Choose your password to open the door page, where you check in the attendees. You log in with your e-mail "
        "address, noor@example.org, and this password."
    ) in body
    assert "association portal" not in body
    assert 'name="first_name" value="Noor"' in body and 'name="last_name" value="Peeters"' in body
    response = client.post(
        accept,
        {"first_name": "Noor", "last_name": "Peeters", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert (response.status_code, response["Location"]) == (302, "/en/door/")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/en/door/").status_code == 200

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    assert fresh.login(username="noor@example.org", password=NEW_PASSWORD)
    assert fresh.get("/en/door/").status_code == 200
    # The link served once; the e-mail, sent now, would have no password link.
    assert Client().get(path).status_code == 400
    assert "accept_url" not in account_mails.door_staff_contexts([user.pk])[user.pk]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_invitation_reaches_the_smtp_server_and_its_link_opens_the_door(tmp_path):
    """End to end: the page, the outbox row, a real Celery worker, a real SMTP server (aiosmtpd)."""
    from tests.servers import WORKER_SITE_URL, celery_worker, purge_broker, smtp_server, wait_until, worker_env

    purge_broker()
    client = client_for(OrganiserFactory(first_name="Olga", last_name="Martens"))
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        response = client.post(CREATE, _create_form(language="en"))
        assert response.status_code == 302
        wait_until(
            lambda: Message.objects.filter(status=Message.Status.SENT).count() == 1,
            timeout=90,
            describe=lambda: f"{list(Message.objects.values_list('status', 'last_error'))}\n{log.read_text()}",
        )
    user = User.objects.get(username="noor.peeters@example.org")
    assert len(inbox.messages()) == 1
    _from, to, message = inbox.messages()[0]
    assert (to, message["Subject"]) == (
        ["noor.peeters@example.org"],
        "Your account for the door of the Fortnight of International Solidarity",
    )
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    paths = re.findall(
        rf"{re.escape(WORKER_SITE_URL)}(/en/accounts/invitation/{_uidb64(user)}/[0-9a-z]+-[0-9a-f]+/)", text
    )
    assert len(paths) == 1, text
    assert f"{WORKER_SITE_URL}/en/door/" in text

    browser = Client()
    accept = browser.get(paths[0])["Location"]
    response = browser.post(
        accept,
        {"first_name": "Noor", "last_name": "Peeters", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert (response.status_code, response["Location"]) == (302, "/en/door/")
    assert browser.get("/en/door/").status_code == 200


def test_the_language_of_the_email_defaults_to_the_pages():
    client = client_for(OrganiserFactory())
    english = client.get(PAGE).content.decode()
    dutch = client.get("/nl/backoffice/door-staff/").content.decode()
    assert '<option value="en" selected>English</option>' in english
    assert '<option value="nl" selected>Nederlands</option>' in dutch
    assert '<form method="post" action="/en/backoffice/door-staff/create/"' in english
    for name in ("first_name", "last_name", "email", "language"):
        assert f'<label for="id_door-staff-{name}">' in english


@pytest.mark.parametrize(
    "existing",
    [
        {"username": "lotte", "email": "Lotte@Example.org"},  # the address of another account
        {"username": "lotte@example.org", "email": ""},  # the username of another account
        {"username": "LOTTE@EXAMPLE.ORG", "email": "", "is_active": False},  # deactivated: taken all the same
    ],
)
def test_an_address_that_has_an_account_is_refused_by_its_field(existing):
    UserFactory(**existing)
    before = User.objects.count()

    response = client_for(OrganiserFactory()).post(CREATE, _create_form(email="lotte@EXAMPLE.org"))

    assert response.status_code == 400
    body = response.content.decode()
    assert f'<span class="field-error" id="id_door-staff-email_error">{EMAIL_TAKEN}</span>' in body
    assert f'<li><a href="#id_door-staff-email">E-mail address: {EMAIL_TAKEN}</a></li>' in body
    assert '<div class="alert" role="alert">' in body
    assert 'value="lotte@EXAMPLE.org"' in body
    assert User.objects.count() == before + 1  # the organiser only
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"email": "not an address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": f"{'a' * 139}@example.org"}, "email", "Ensure this value has at most 150 characters (it has 151)."),
        ({"first_name": "  "}, "first_name", "This field is required."),
        ({"language": "de"}, "language", "Select a valid choice. de is not one of the available choices."),
    ],
)
def test_bad_input_is_shown_by_its_field_and_makes_nothing(fields, field, error):
    organiser = OrganiserFactory()

    response = client_for(organiser).post(CREATE, _create_form(**fields))

    assert response.status_code == 400
    assert f'<span class="field-error" id="id_door-staff-{field}_error">{error}</span>' in response.content.decode()
    assert list(User.objects.all()) == [organiser]
    assert Message.objects.count() == 0


def test_the_service_refuses_who_is_no_organiser_and_a_taken_address():
    with pytest.raises(AccountError) as refused:
        door_staff_create(
            first_name="Eve", last_name="", email="eve@example.org", language="fr", created_by=DoorStaffFactory()
        )
    assert refused.value.code == "not_allowed"
    organiser = OrganiserFactory(email="olga@city.example")
    with pytest.raises(AccountError) as refused:
        door_staff_create(first_name="O", last_name="", email="OLGA@city.example", language="fr", created_by=organiser)
    assert (refused.value.code, str(refused.value.message)) == ("email_taken", EMAIL_TAKEN)
    assert not User.objects.filter(username__startswith="eve").exists() and Message.objects.count() == 0


def test_making_accounts_is_limited_per_address_like_invitations(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "door"}}
    client = client_for(OrganiserFactory())

    answers = [client.post(CREATE, _create_form(email=f"new{n}@example.org")).status_code for n in range(31)]

    assert answers == [302] * 30 + [429]
    assert User.objects.filter(username__startswith="new").count() == 30
    assert Message.objects.count() == 30


# --- Deactivating, reactivating -----------------------------------------------------------------


def test_deactivating_ends_logins_sessions_and_api_tokens_and_keeps_the_account():
    door = DoorStaffFactory(username="sam", first_name="Sam", last_name="Smet")
    token = Token.objects.create(user=door)
    session = client_for(door)
    assert session.get("/en/door/").status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/proposals/").status_code == 403  # known, not allowed proposals
    client = client_for(OrganiserFactory())

    response = client.post(_deactivate(door.pk))

    assert (response.status_code, response["Location"]) == (302, f"{PAGE}#door-staff-{door.pk}")
    door.refresh_from_db()
    assert door.is_active is False
    assert not Token.objects.filter(user=door).exists()
    assert Client().login(username="sam", password=PASSWORD) is False
    assert session.get("/en/door/")["Location"] == "/en/accounts/login/?next=/en/door/"
    assert api.get("/api/v1/proposals/").status_code == 401
    assert APIClient().post("/api/v1/auth/token/", {"username": "sam", "password": PASSWORD}).status_code == 400
    page = client.get(response["Location"]).content.decode()
    assert (
        '<p class="notice">The account of Sam Smet is deactivated: it can no longer log in, and the scanner apps '
        "logged in with it stop working. Its check-ins stay.</p>"
    ) in page
    assert '<span class="member-state member-state-inactive">Deactivated</span>' in page
    assert f'<form method="post" action="/en/backoffice/door-staff/{door.pk}/reactivate/"' in page
    assert f'action="/en/backoffice/door-staff/{door.pk}/deactivate/"' not in page
    # Again: nothing more to do, the same answer.
    assert client.post(_deactivate(door.pk)).status_code == 302
    assert User.objects.filter(pk=door.pk, is_active=False).exists()


def test_an_invitation_is_not_sent_nor_accepted_once_the_account_is_deactivated(settings):
    organiser = OrganiserFactory()
    user = door_staff_create(
        first_name="Ann", last_name="", email="ann@example.org", language="fr", created_by=organiser
    )
    path = _accept_path(user, settings)

    door_staff_deactivate(user=user, by=organiser)

    assert account_mails.door_staff_contexts([user.pk]) == {}  # the pending e-mail is not sent
    assert Client().get(path).status_code == 400


def test_reactivating_lets_the_account_log_in_again():
    door = DoorStaffFactory(username="sam", first_name="Sam", last_name="Smet", is_active=False)
    client = client_for(OrganiserFactory())

    response = client.post(_reactivate(door.pk), follow=True)

    assert response.status_code == 200
    assert (
        '<p class="notice">The account of Sam Smet is active again: it logs in with its password, as before.</p>'
    ) in response.content.decode()
    door.refresh_from_db()
    assert door.is_active is True
    assert Client().login(username="sam", password=PASSWORD) is True


def test_reactivating_an_account_without_password_says_its_link_works_again(settings):
    organiser = OrganiserFactory()
    user = door_staff_create(
        first_name="Ann", last_name="Ide", email="ann@example.org", language="en", created_by=organiser
    )
    path = _accept_path(user, settings)
    door_staff_deactivate(user=user, by=organiser)

    response = client_for(organiser).post(_reactivate(user.pk), follow=True)

    assert (
        '<p class="notice">The account of Ann Ide is active again. It has no password yet: the link of its '
        "invitation works until it expires.</p>"
    ) in response.content.decode()
    assert Client().get(path).status_code == 302


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_an_organisers_or_superusers_account_is_never_deactivated_here(who):
    if who == "organiser":
        manager = OrganiserFactory(username="lea", first_name="Lea", last_name="Boss")
    else:
        manager = UserFactory(username="lea", first_name="Lea", last_name="Boss", is_superuser=True, is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name=DOOR_STAFF)[0])  # door staff too
    token = Token.objects.create(user=manager)
    organiser = OrganiserFactory()
    client = client_for(organiser)

    page = client.get(PAGE).content.decode()
    assert f'<th scope="row" id="door-staff-{manager.pk}-name">Lea Boss</th>' in page
    assert "Organiser: managed in the admin" in page
    assert f"/en/backoffice/door-staff/{manager.pk}/deactivate/" not in page

    response = client.post(_deactivate(manager.pk))

    assert response.status_code == 400
    body = response.content.decode()
    assert f'<div class="alert" role="alert"><p>{MANAGED_ELSEWHERE}</p></div>' in body
    manager.refresh_from_db()
    assert manager.is_active is True
    assert Token.objects.filter(user=manager).get() == token
    with pytest.raises(AccountError) as refused:
        door_staff_deactivate(user=manager, by=organiser)
    assert refused.value.code == "managed_elsewhere"

    # Nor reactivated (one deactivated in the admin stays so).
    User.objects.filter(pk=manager.pk).update(is_active=False)
    assert client.post(_reactivate(manager.pk)).status_code == 400
    with pytest.raises(AccountError):
        door_staff_reactivate(user=manager, by=organiser)
    assert User.objects.get(pk=manager.pk).is_active is False


@pytest.mark.parametrize("who", ["plain", "member", "organiser", "missing"])
def test_an_account_that_is_no_door_staff_is_a_404(who, association):
    account = {
        "plain": UserFactory,
        "member": lambda: AssociationMemberFactory(association=association),
        "organiser": OrganiserFactory,
        "missing": lambda: None,
    }[who]()
    pk = account.pk if account else 999_999
    client = client_for(OrganiserFactory())

    assert client.post(_deactivate(pk)).status_code == 404
    assert client.post(_reactivate(pk)).status_code == 404
    if account is not None:
        account.refresh_from_db()
        assert account.is_active is True


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_every_door_staff_account_in_constant_queries_and_no_token(django_assert_max_num_queries):
    client = client_for(OrganiserFactory())
    seen = DoorStaffFactory(username="ann", email="ann@example.org", first_name="Ann", last_name="Aerts")
    seen.last_login = datetime.datetime(2036, 10, 21, 17, 30, tzinfo=datetime.UTC)
    seen.save()
    DoorStaffFactory(username="bob", email="bob@example.org", first_name="Bob", last_name="Baert", is_active=False)
    DoorStaffFactory(username="cleo", email="cleo@example.org")  # no name: shown by username
    UserFactory(username="plain", first_name="Not", last_name="Door")
    tokens = [Token.objects.create(user=user) for user in User.objects.filter(groups__name=DOOR_STAFF)]

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(6):
            response = client.get(PAGE)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    body, few = page()
    assert body.count('<th scope="row"') == 3
    assert re.findall(r'<th scope="row" id="door-staff-\d+-name">([^<]+)</th>', body) == [
        "cleo",
        "Ann Aerts",
        "Bob Baert",
    ]
    assert '<td data-label="E-mail">ann@example.org</td>' in body
    assert '<time datetime="2036-10-21T19:30:00+02:00">' in body and '<td data-label="Last login">never</td>' in body
    assert body.count('<td data-label="State">Active</td>') == 2
    assert f'<form method="post" action="/en/backoffice/door-staff/{seen.pk}/deactivate/"' in body
    assert body.count('<button type="submit" class="button-quiet" aria-describedby="door-staff-') == 3
    assert "Not Door" not in body
    assert "<h1>Door staff</h1>" in body
    assert '<div class="table-scroll stacked" tabindex="0" role="region" aria-labelledby="door-staff-caption">' in body
    for token in tokens:
        assert token.key not in body

    for n in range(17):
        user = DoorStaffFactory(first_name=f"Door{n}", last_name="Many")
        tokens.append(Token.objects.create(user=user))
    body, many = page()
    assert body.count('<th scope="row"') == 20
    assert many == few
    for token in tokens:
        assert token.key not in body


def test_the_list_without_door_staff_says_so():
    body = client_for(OrganiserFactory()).get(PAGE).content.decode()
    assert "<p>No door-staff account yet.</p>" in body
    assert '<table class="data' not in body


# --- In a browser: axe-core's rules at phone width, and the buttons by keyboard ------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_pages_pass_axe_at_phone_width_and_work_by_keyboard(live_server, lang):
    from playwright.sync_api import sync_playwright

    from tests.helpers import launch
    from tests.test_accessibility import violations

    organiser = OrganiserFactory(username="olga")
    sam = DoorStaffFactory(username="sam", first_name="Sam", last_name="Smet")
    DoorStaffFactory(username="bob", first_name="Bob", last_name="Baert", is_active=False)
    lea = OrganiserFactory(username="lea", first_name="Lea", last_name="Boss")
    lea.groups.add(Group.objects.get(name=DOOR_STAFF))
    invited = door_staff_create(
        first_name="Ann", last_name="Ide", email="a@example.org", language=lang, created_by=organiser
    )
    accept = f"/{lang}/accounts/invitation/{_uidb64(invited)}/{invitation_token_generator.make_token(invited)}/"
    base, page_path = live_server.url, f"/{lang}/backoffice/door-staff/"
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            locale=lang, viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{base}{accept}")  # first, before logging in: the invitation's page
        found["invitation"] = violations(page)
        page.goto(f"{base}/{lang}/accounts/login/?next={page_path}")
        page.locator("input[name=username]").fill("olga")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{base}{page_path}")
        found["list"] = violations(page)
        # The page fits the phone: no sideways scrolling of the whole page.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # The form sent empty, by keyboard: the errors, summarised.
        page.locator("#id_door-staff-first_name").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/{lang}/backoffice/door-staff/create/")
        assert page.locator("[role=alert]").count() == 1
        found["errors"] = violations(page)

        # Sam's button, reached with the keyboard and pressed with Enter.
        page.goto(f"{base}{page_path}")
        button = page.locator(f"form[action$='/{sam.pk}/deactivate/'] button")
        button.focus()
        assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == f"door-staff-{sam.pk}-name"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}{page_path}#door-staff-{sam.pk}")
        assert page.locator(".messages .notice").count() == 1
        found["after deactivating"] = violations(page)
        context.close()
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    sam.refresh_from_db()
    assert sam.is_active is False


def test_an_address_too_long_for_a_username_is_a_400_for_invitations_too(association):
    """Usernames hold 150 characters, addresses 254: a longer address was a 500 (the INSERT failed)."""
    email = f"{'a' * 64}@{'b' * 60}.{'c' * 60}.org"  # 190 characters, a valid address
    client = client_for(OrganiserFactory())

    response = client.post(
        f"/en/backoffice/associations/{association.pk}/invite/", {f"invite-{association.pk}-email": email}
    )

    assert response.status_code == 400
    error = "This e-mail address is too long for an account (150 characters at most)."
    field = f"id_invite-{association.pk}-email"
    assert f'<span class="field-error" id="{field}_error">{error}</span>' in response.content.decode()
    assert not User.objects.filter(username__startswith="aaaa").exists() and Message.objects.count() == 0
    with pytest.raises(AccountError) as refused:
        door_staff_create(first_name="A", last_name="", email=email, language="en", created_by=OrganiserFactory())
    assert refused.value.code == "email_too_long"
