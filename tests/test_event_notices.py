"""An activity moved (time, venue) or cancelled, by the API (an organiser's PATCH) or by the
admin (the change form, the cancel action): each confirmed and waitlisted attendee gets one
notice per change, in their language, with what it was and what it is, and a calendar file
that updates (same UID, higher SEQUENCE) or cancels the activity. Other changes, and
changes to an activity that is not published, tell nobody."""

from __future__ import annotations

from email.mime.base import MIMEBase

import icalendar
import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.models import Message
from programme import services as programme_services
from programme.models import Event
from registrations import services
from tests.factories import RegistrationFactory, VenueFactory, brussels

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CHANNELS = ("api", "admin")
TITLES = {"fr": "Construire la paix", "nl": "Vrede bouwen", "en": "Building peace"}
#: Tuesday 21 October 2036, 19:00-21:00, as each language writes it.
WAS = {
    "fr": "mardi 21 octobre 2036, 19:00\u201321:00",
    "nl": "dinsdag 21 oktober 2036, 19:00\u201321:00",
    "en": "Tuesday 21 October 2036, 19:00\u201321:00",
}
#: Moved a day later, an hour earlier.
NOW = {
    "fr": "mercredi 22 octobre 2036, 18:00\u201320:00",
    "nl": "woensdag 22 oktober 2036, 18:00\u201320:00",
    "en": "Wednesday 22 October 2036, 18:00\u201320:00",
}
MADELEINE = {"fr": "Salle de la Madeleine", "nl": "Magdalenazaal", "en": "Madeleine Hall"}
PEACE_HOUSE = {"fr": "Maison de la Paix", "nl": "Vredeshuis", "en": "House of Peace"}


@pytest.fixture
def event(make_event, venue):
    return make_event(venue=venue, capacity=2)


@pytest.fixture
def other_venue(db):
    return VenueFactory(
        name_fr=PEACE_HOUSE["fr"],
        name_nl=PEACE_HOUSE["nl"],
        name_en=PEACE_HOUSE["en"],
        address="Rue Royale 1, 1000 Bruxelles",
    )


@pytest.fixture
def attendees(event, eager_tasks):
    """Ann (French) and Bob (Dutch) confirmed, Cat (English) waiting, Dan cancelled. Their
    confirmations are sent: `attendees["ics"]` is the calendar file Ann's carried."""
    with eager_tasks(execute=True):
        ann = RegistrationFactory(event=event, name="Ann", email="ann@example.org", language="fr")
        dan = RegistrationFactory(event=event, name="Dan", email="dan@example.org", language="fr")
        services.registration_cancel(registration_id=dan.pk)
        bob = RegistrationFactory(event=event, name="Bob", email="bob@example.org", language="nl")
        cat = RegistrationFactory(event=event, name="Cat", email="cat@example.org", language="en")
    assert [r.status for r in (ann, bob, cat)] == ["confirmed", "confirmed", "waitlisted"]
    (confirmation,) = [m for m in mail.outbox if m.to == ["ann@example.org"] and ics_of(m) is not None]
    found = {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "ics": ics_of(confirmation)}
    mail.outbox.clear()
    return found


def ics_of(message) -> icalendar.Event | None:
    """The VEVENT of the message's .ics attachment, parsed."""
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            continue  # the inline QR code
        if attachment.filename.endswith(".ics"):
            assert attachment.mimetype == "text/calendar"
            content = attachment.content
            calendar = icalendar.Calendar.from_ical(content.encode() if isinstance(content, str) else content)
            (component,) = calendar.walk("VEVENT")
            return component
    return None


def change(channel: str, client, event: Event, **fields) -> None:
    """Change the event as an organiser, through `channel`: fields by model name (a venue
    object for `venue`; status="cancelled" is the admin's cancel action)."""
    if channel == "api":
        data = {
            name: value.pk if name == "venue" else value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in fields.items()
        }
        response = client.patch(f"/api/v1/events/{event.pk}/", data, format="json")
        assert response.status_code == 200, response.content.decode()
        return
    if fields == {"status": Event.Status.CANCELLED}:
        response = client.post("/en/admin/programme/event/", {"action": "cancel", "_selected_action": [event.pk]})
    else:
        response = client.post(f"/en/admin/programme/event/{event.pk}/change/", admin_form(event, **fields))
    assert response.status_code == 302, response.content.decode()


def admin_form(event: Event, **fields) -> dict:
    """The admin's change form of the event as it is now, with `fields` changed."""
    event = Event.objects.get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    local = {name: timezone.localtime(getattr(event, name)) for name in ("starts_at", "ends_at")}
    data = {
        "edition": event.edition_id,
        "association": event.association_id or "",
        "category": event.category_id,
        "status": event.status,
        "venue": event.venue_id,
        "capacity": event.capacity if event.capacity is not None else "",
        "max_seats_per_registration": event.max_seats_per_registration,
        "image_alt": event.image_alt,
        "_save": "Save",
    }
    for name in ("title", "summary", "description"):
        for language in ("fr", "nl", "en"):
            data[f"{name}_{language}"] = getattr(event, f"{name}_{language}") or ""
    for name, value in local.items():
        data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    for name in ("registration_opens_at", "registration_closes_at"):
        data[f"{name}_0"] = data[f"{name}_1"] = ""
    for name in ("speaks_fr", "speaks_nl", "speaks_en", "speaks_other", "waitlist_enabled"):
        if getattr(event, name):
            data[name] = "on"
    return data


@pytest.fixture
def organiser_for(organiser, organiser_client, client):
    """channel -> a client logged in as an organiser for it."""

    def make(channel: str):
        if channel == "api":
            return organiser_client
        client.force_login(organiser)
        return client

    return make


def translated(language: str, msgid: str, **values) -> str:
    with translation.override(language):
        text = gettext(msgid)
    return text % values if values else text


def assert_told(messages, *, subject: str) -> None:
    """One e-mail each to Ann, Bob and Cat, in that order, with the subject in their language."""
    assert [(m.to, m.subject) for m in messages] == [
        (["ann@example.org"], translated("fr", subject, title=TITLES["fr"])),
        (["bob@example.org"], translated("nl", subject, title=TITLES["nl"])),
        (["cat@example.org"], translated("en", subject, title=TITLES["en"])),
    ]


@pytest.mark.parametrize("channel", CHANNELS)
def test_event_moved_in_time_tells_each_attendee_once(channel, organiser_for, event, attendees, eager_tasks):
    client = organiser_for(channel)
    before = attendees["ics"]

    with eager_tasks(execute=True):
        change(channel, client, event, starts_at=brussels(2036, 10, 22, 18), ends_at=brussels(2036, 10, 22, 20))

    event.refresh_from_db()
    assert_told(mail.outbox, subject="Change: %(title)s")
    for message, language in zip(mail.outbox, ("fr", "nl", "en"), strict=True):
        lines = message.body.splitlines()
        assert f"{translated(language, 'It was:')} {WAS[language]}" in lines
        assert f"{translated(language, 'It is now:')} {NOW[language]}" in lines
        assert not any(line.startswith(translated(language, "Venue before:")) for line in lines)
        ics = ics_of(message)
        assert str(ics["uid"]) == str(before["uid"]) == f"event-{event.pk}@127.0.0.1"
        assert (ics["sequence"], before["sequence"]) == (event.sequence, 0)
        assert event.sequence > 0
        assert ics.decoded("dtstart") == brussels(2036, 10, 22, 18)
        assert ics.decoded("dtend") == brussels(2036, 10, 22, 20)
        assert str(ics["status"]) == "CONFIRMED"
    assert list(Message.objects.filter(purpose="event_changed").values_list("key", flat=True).order_by("pk")) == [
        f"registration-{attendees[who].pk}:event_changed:{event.sequence}" for who in ("ann", "bob", "cat")
    ]


@pytest.mark.parametrize("channel", CHANNELS)
def test_event_moved_to_another_venue_tells_each_attendee_once(
    channel, organiser_for, event, attendees, other_venue, eager_tasks
):
    client = organiser_for(channel)

    with eager_tasks(execute=True):
        change(channel, client, event, venue=other_venue)

    event.refresh_from_db()
    assert_told(mail.outbox, subject="Change: %(title)s")
    for message, language in zip(mail.outbox, ("fr", "nl", "en"), strict=True):
        lines = message.body.splitlines()
        was = f"{MADELEINE[language]}, Rue Duquesnoy 14, 1000 Bruxelles"
        now = f"{PEACE_HOUSE[language]}, Rue Royale 1, 1000 Bruxelles"
        assert f"{translated(language, 'Venue before:')} {was}" in lines
        assert f"{translated(language, 'Venue now:')} {now}" in lines
        assert not any(line.startswith(translated(language, "It was:")) for line in lines)
        ics = ics_of(message)
        assert (str(ics["uid"]), ics["sequence"]) == (str(attendees["ics"]["uid"]), event.sequence)
        assert event.sequence > attendees["ics"]["sequence"]
        assert str(ics["location"]) == now
        assert ics.decoded("dtstart") == brussels(2036, 10, 21, 19)


@pytest.mark.parametrize("channel", CHANNELS)
def test_event_cancelled_tells_each_attendee_once(channel, organiser_for, event, attendees, eager_tasks):
    client = organiser_for(channel)

    with eager_tasks(execute=True):
        change(channel, client, event, status=Event.Status.CANCELLED)

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert_told(mail.outbox, subject="Cancelled: %(title)s")
    for message, language in zip(mail.outbox, ("fr", "nl", "en"), strict=True):
        sorry = translated(
            language,
            "We are sorry: “%(title)s”, planned for %(when)s, is cancelled.",
            title=TITLES[language],
            when=WAS[language],
        )
        assert sorry in message.body.splitlines()
        ics = ics_of(message)
        assert (str(ics["uid"]), ics["sequence"], str(ics["status"])) == (
            str(attendees["ics"]["uid"]),
            event.sequence,
            "CANCELLED",
        )
        assert event.sequence > attendees["ics"]["sequence"]
    assert [m.purpose for m in Message.objects.filter(purpose__startswith="event_")] == ["event_cancelled"] * 3


def test_event_moved_twice_then_cancelled_tells_once_per_change(
    organiser_client, event, attendees, other_venue, eager_tasks
):
    with eager_tasks(execute=True):
        change("api", organiser_client, event, starts_at=brussels(2036, 10, 22, 18), ends_at=brussels(2036, 10, 22, 20))
    with eager_tasks(execute=True):
        change("api", organiser_client, event, venue=other_venue)
    with eager_tasks(execute=True):
        change("api", organiser_client, event, status=Event.Status.CANCELLED)
    with eager_tasks(execute=True):
        programme_services.event_cancel(event=Event.objects.get(pk=event.pk))  # cancelled already: nothing

    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        (f"{who}@example.org", translated(language, subject, title=TITLES[language]))
        for subject in ("Change: %(title)s", "Change: %(title)s", "Cancelled: %(title)s")
        for who, language in (("ann", "fr"), ("bob", "nl"), ("cat", "en"))
    ]
    sequences = [ics_of(m)["sequence"] for m in mail.outbox]
    assert sequences == [1, 1, 1, 2, 2, 2, 3, 3, 3]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "fields", [{"capacity": 3}, {"description_en": "Bring a friend."}], ids=["capacity", "description"]
)
def test_event_change_that_is_not_a_move_sends_nothing(channel, fields, organiser_for, event, attendees, eager_tasks):
    services.registration_cancel(registration_id=attendees["cat"].pk)  # no waiting list to promote
    mail.outbox.clear()
    client = organiser_for(channel)

    with eager_tasks(execute=True):
        change(channel, client, event, **fields)

    event.refresh_from_db()
    assert [getattr(event, name) for name in fields] == list(fields.values())
    assert mail.outbox == []
    assert not Message.objects.filter(purpose__startswith="event_").exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_draft_event_changes_send_nothing(channel, organiser_for, event, attendees, other_venue, eager_tasks):
    """An activity taken back to draft (unpublished) has registrations: neither that nor its
    moves while it is a draft, nor cancelling it, tell anyone."""
    client = organiser_for(channel)

    with eager_tasks(execute=True):
        change(channel, client, event, status=Event.Status.DRAFT)
        change(channel, client, event, starts_at=brussels(2036, 10, 22, 18), ends_at=brussels(2036, 10, 22, 20))
        change(channel, client, event, venue=other_venue)
        change(channel, client, event, status=Event.Status.CANCELLED)

    event.refresh_from_db()
    assert (event.status, event.venue_id, event.sequence) == (Event.Status.CANCELLED, other_venue.pk, 4)
    assert mail.outbox == []
    assert not Message.objects.filter(purpose__startswith="event_").exists()
