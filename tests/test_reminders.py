"""The reminder scan (notifications.attendees.reminders_create), run at chosen times, then the
delivery of what it wrote, checked in the e-mails sent.

The activity is in a past edition (Tuesday 21 October 2025 at 19:00, before the end of summer
time): the outbox sends a message only once the time it was written at has come, and the scan
writes its reminders at the `now` it is given, so every scan runs at a time already past.
Registrations are made at a chosen time too (`created_at` is set by the database: it is
written afterwards), since a reminder goes only to registrations made before its time."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from notifications.attendees import reminders_create
from notifications.models import Message
from programme import services as programme_services
from programme.models import Event
from registrations import services
from registrations.models import Registration
from tests.factories import EditionFactory, EventFactory, brussels
from tests.helpers import paths

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

#: Long before the activity: when the registrations of these tests are made, unless told.
EARLY = brussels(2025, 10, 1, 12)


@pytest.fixture
def past_edition(db):
    return EditionFactory(
        year=2025,
        slug="2025",
        starts_on=datetime.date(2025, 10, 20),
        ends_on=datetime.date(2025, 11, 2),
        is_published=True,
    )


@pytest.fixture
def event(past_edition, venue):
    """ "Building peace" at Madeleine Hall, Tuesday 21 October 2025, 19:00-21:00: the 48-hour
    reminder is due from Sunday 19 October 19:00, the 3-hour one from Tuesday 16:00."""
    return EventFactory(
        edition=past_edition,
        venue=venue,
        title_fr="Construire la paix",
        title_nl="Vrede bouwen",
        title_en="Building peace",
        starts_at=brussels(2025, 10, 21, 19),
        capacity=10,
    )


def attend(event: Event, who: str, *, language: str = "fr", seats: int = 1, made=EARLY) -> Registration:
    """`who` registers for `event` at the time `made`, in `language`."""
    registration = services.registration_create(
        event_id=event.pk, name=who.title(), email=f"{who}@example.org", seats=seats, language=language, now=made
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=made)
    registration.refresh_from_db()
    return registration


def scan(eager_tasks, now) -> int:
    """One run of the scan at `now`, and the delivery of what it wrote."""
    with eager_tasks(execute=True):
        return reminders_create(now=now)


def reminder_keys() -> list[str]:
    return list(Message.objects.filter(purpose=Message.Purpose.REMINDER).order_by("pk").values_list("key", flat=True))


def subject(language: str, *, title: str, day: str, time: str) -> str:
    with translation.override(language):
        return gettext("Reminder: %(title)s, %(day)s at %(time)s") % {"title": title, "day": day, "time": time}


def test_reminder_due_sent_once_to_each_in_their_language(eager_tasks, event):
    ann = attend(event, "ann", language="fr")
    bob = attend(event, "bob", language="nl")
    cat = attend(event, "cat", language="en")

    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 3

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ann@example.org"], subject("fr", title="Construire la paix", day="mardi 21 octobre", time="19:00")),
        (["bob@example.org"], subject("nl", title="Vrede bouwen", day="dinsdag 21 oktober", time="19:00")),
        (["cat@example.org"], subject("en", title="Building peace", day="Tuesday 21 October", time="19:00")),
    ]
    for message, registration, when in zip(
        mail.outbox,
        (ann, bob, cat),
        ("mardi 21 octobre 2025", "dinsdag 21 oktober 2025", "Tuesday 21 October 2025"),
        strict=True,
    ):
        links = paths(registration, registration.language)
        assert f"{when}, 19:00\u201321:00" in message.body
        assert f"{settings.SITE_URL}{links['ticket_url']}" in message.body
        assert links["ticket_url"].startswith(f"/{registration.language}/")
    assert list(Message.objects.filter(purpose="reminder").order_by("pk").values_list("language", "status")) == [
        ("fr", "sent"),
        ("nl", "sent"),
        ("en", "sent"),
    ]


def test_reminder_holds_free_my_seat_link_and_practical_details(eager_tasks, event):
    ann = attend(event, "ann", language="fr", seats=2)

    scan(eager_tasks, brussels(2025, 10, 19, 20))

    (message,) = mail.outbox
    cancel_url = f"{settings.SITE_URL}{paths(ann, 'fr')['cancel_url']}"
    body = message.body
    assert f"\n{cancel_url}\n" in body
    assert "mardi 21 octobre 2025, 19:00\u201321:00" in body
    assert "Salle de la Madeleine, Rue Duquesnoy 14, 1000 Bruxelles" in body
    assert ann.code in body
    html = message.alternatives[0].content
    assert f'href="{cancel_url}"' in html
    assert "mardi 21 octobre 2025, 19:00\u201321:00" in html
    assert "Salle de la Madeleine<br>Rue Duquesnoy 14, 1000 Bruxelles" in html


def test_reminder_not_sent_before_its_time(eager_tasks, event):
    attend(event, "ann")

    assert scan(eager_tasks, brussels(2025, 10, 15, 12)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 19, 18, 59)) == 0
    assert (mail.outbox, reminder_keys()) == ([], [])

    assert scan(eager_tasks, brussels(2025, 10, 19, 19)) == 1
    assert len(mail.outbox) == 1


def test_reminder_skipped_for_registration_made_after_its_time(eager_tasks, event):
    ann = attend(event, "ann")
    bob = attend(event, "bob", made=brussels(2025, 10, 20, 10))  # after the 48-hour time, before the 3-hour one
    attend(event, "cat", made=brussels(2025, 10, 21, 17))  # after both

    scan(eager_tasks, brussels(2025, 10, 20, 12))
    scan(eager_tasks, brussels(2025, 10, 21, 17, 30))

    assert [m.to for m in mail.outbox] == [["ann@example.org"], ["ann@example.org"], ["bob@example.org"]]
    assert reminder_keys() == [
        f"registration-{ann.pk}:reminder:48h:20251021T170000Z",
        f"registration-{ann.pk}:reminder:3h:20251021T170000Z",
        f"registration-{bob.pk}:reminder:3h:20251021T170000Z",
    ]


def test_reminder_of_moved_activity_comes_at_new_time_not_old(eager_tasks, event):
    ann = attend(event, "ann")
    programme_services.event_update(
        event=event, data={"starts_at": brussels(2025, 10, 23, 19), "ends_at": brussels(2025, 10, 23, 21)}
    )

    # Its old times: nothing.
    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 21, 16, 30)) == 0
    assert mail.outbox == []
    # Its new ones: each reminder once.
    assert scan(eager_tasks, brussels(2025, 10, 21, 19, 30)) == 1
    assert scan(eager_tasks, brussels(2025, 10, 23, 16, 30)) == 1

    expected = subject("fr", title="Construire la paix", day="jeudi 23 octobre", time="19:00")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["ann@example.org"], expected)] * 2
    assert "jeudi 23 octobre 2025, 19:00\u201321:00" in mail.outbox[0].body
    assert reminder_keys() == [
        f"registration-{ann.pk}:reminder:48h:20251023T170000Z",
        f"registration-{ann.pk}:reminder:3h:20251023T170000Z",
    ]


def test_reminder_sent_again_after_activity_moved_later(eager_tasks, event):
    ann = attend(event, "ann")
    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 1
    programme_services.event_update(
        event=event, data={"starts_at": brussels(2025, 10, 22, 20), "ends_at": brussels(2025, 10, 22, 22)}
    )

    assert scan(eager_tasks, brussels(2025, 10, 20, 21)) == 1
    assert scan(eager_tasks, brussels(2025, 10, 20, 22)) == 0

    assert [m.subject for m in mail.outbox] == [
        subject("fr", title="Construire la paix", day="mardi 21 octobre", time="19:00"),
        subject("fr", title="Construire la paix", day="mercredi 22 octobre", time="20:00"),
    ]
    assert reminder_keys() == [
        f"registration-{ann.pk}:reminder:48h:20251021T170000Z",
        f"registration-{ann.pk}:reminder:48h:20251022T180000Z",
    ]


def test_reminder_not_sent_to_cancelled_or_waitlisted(eager_tasks, event):
    Event.objects.filter(pk=event.pk).update(capacity=3)
    ann = attend(event, "ann", seats=2)
    cat = attend(event, "cat", seats=1)
    bob = attend(event, "bob", seats=2)
    services.registration_cancel(registration_id=cat.pk, now=brussels(2025, 10, 5))
    bob.refresh_from_db()
    assert bob.status == Registration.Status.WAITLISTED  # the freed seat is not enough for two

    scan(eager_tasks, brussels(2025, 10, 19, 20))
    scan(eager_tasks, brussels(2025, 10, 21, 17))

    assert [m.to for m in mail.outbox] == [["ann@example.org"], ["ann@example.org"]]
    assert reminder_keys() == [
        f"registration-{ann.pk}:reminder:48h:20251021T170000Z",
        f"registration-{ann.pk}:reminder:3h:20251021T170000Z",
    ]


def test_reminder_scan_run_twice_sends_nothing_twice(eager_tasks, event):
    attend(event, "ann")
    attend(event, "bob")

    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 2
    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 19, 20, 1)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 21, 15, 59)) == 0

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org"]


def test_reminders_48h_then_3h_each_once(eager_tasks, event):
    ann = attend(event, "ann")
    times = [
        brussels(2025, 10, 19, 18, 59),
        brussels(2025, 10, 19, 19),
        brussels(2025, 10, 19, 19, 1),
        brussels(2025, 10, 20, 12),
        brussels(2025, 10, 21, 15, 59),
        brussels(2025, 10, 21, 16),
        brussels(2025, 10, 21, 16, 1),
        brussels(2025, 10, 21, 18, 59),
    ]

    assert [scan(eager_tasks, now) for now in times] == [0, 1, 0, 0, 0, 1, 0, 0]

    rows = list(Message.objects.filter(purpose="reminder").order_by("pk"))
    assert [(r.key, r.context, r.status, r.created_at) for r in rows] == [
        (f"registration-{ann.pk}:reminder:48h:20251021T170000Z", {"hours": 48}, "sent", brussels(2025, 10, 19, 19)),
        (f"registration-{ann.pk}:reminder:3h:20251021T170000Z", {"hours": 3}, "sent", brussels(2025, 10, 21, 16)),
    ]
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [r.message_id for r in rows]


def test_reminder_not_sent_once_activity_started(eager_tasks, event):
    attend(event, "ann")

    assert scan(eager_tasks, brussels(2025, 10, 21, 19)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 21, 20)) == 0

    assert (mail.outbox, reminder_keys()) == ([], [])


def test_reminder_not_sent_for_cancelled_activity(eager_tasks, event):
    attend(event, "ann")
    programme_services.event_cancel(event=event)

    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 21, 17)) == 0

    assert (mail.outbox, reminder_keys()) == ([], [])


def test_reminder_offsets_are_the_editions(eager_tasks, event, past_edition):
    past_edition.reminder_offsets = [24]
    past_edition.save(update_fields=["reminder_offsets"])
    ann = attend(event, "ann")

    assert scan(eager_tasks, brussels(2025, 10, 19, 20)) == 0
    assert scan(eager_tasks, brussels(2025, 10, 20, 19)) == 1
    assert scan(eager_tasks, brussels(2025, 10, 21, 17)) == 0

    assert reminder_keys() == [f"registration-{ann.pk}:reminder:24h:20251021T170000Z"]
    assert len(mail.outbox) == 1


def test_reminder_window_missed_gives_only_the_next_one(eager_tasks, event):
    """No scan ran in the 48-hour window (beat was down): the first scan after it sends the
    3-hour reminder only, not both."""
    ann = attend(event, "ann")

    assert scan(eager_tasks, brussels(2025, 10, 21, 16, 30)) == 1

    assert reminder_keys() == [f"registration-{ann.pk}:reminder:3h:20251021T170000Z"]
    assert len(mail.outbox) == 1


def test_reminder_for_activity_after_the_editions_last_day(eager_tasks, past_edition, venue):
    """An activity may be scheduled after the edition's last day (within a year of it)."""
    later = EventFactory(edition=past_edition, venue=venue, starts_at=brussels(2025, 11, 5, 19), capacity=10)
    ann = attend(later, "ann")

    assert scan(eager_tasks, brussels(2025, 11, 3, 20)) == 1
    assert scan(eager_tasks, brussels(2025, 11, 5, 17)) == 1

    assert reminder_keys() == [
        f"registration-{ann.pk}:reminder:48h:20251105T180000Z",
        f"registration-{ann.pk}:reminder:3h:20251105T180000Z",
    ]
