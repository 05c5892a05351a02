"""Retention (registrations/privacy.py): an edition's attendees are anonymised exactly when its
retention period is over, not a second before; the statistics count the same after; running it
again changes nothing. On PostgreSQL, with the clock given (`now=`)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from notifications.models import Message
from registrations import links, privacy, selectors, services
from registrations.models import CheckIn, Registration
from tests.factories import EditionFactory, EventFactory, brussels, register

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)
#: The current edition ends on Sunday 2 November 2036; 90 days later is Saturday 31 January 2037.
DUE = brussels(2037, 2, 1)


@pytest.fixture
def fixture(current_edition, make_event, organiser):
    debate = make_event(capacity=2, title_en="Debate")
    ann = register(debate, "ann", 2)
    bob = register(debate, "bob", 1)  # waiting
    cat = register(make_event(capacity=5, starts_at=brussels(2036, 10, 22, 20)), "cat", 1)
    services.registration_cancel(registration_id=cat.pk)
    services.checkin_manual(registration_id=ann.pk, event_id=debate.pk, nonce=None, user=organiser)
    other_edition = EditionFactory(year=2037, slug="2037", starts_on=datetime.date(2037, 10, 19))
    kept = register(EventFactory(edition=other_edition, capacity=5), "dee", 1)
    return {"ann": ann, "bob": bob, "cat": cat, "kept": kept}


def _stats(edition):
    with translation.override("en"):
        return selectors.edition_stats(edition, now=DUE)


def test_the_default_retention_period_is_90_days(current_edition):
    assert current_edition.retention_days == 90
    assert privacy.retention_ends_at(current_edition) == DUE


def test_nothing_is_anonymised_a_second_before_it_is_due(fixture):
    before = list(Registration.objects.order_by("pk").values())

    assert privacy.anonymise_due(now=DUE - SECOND) == 0

    assert list(Registration.objects.order_by("pk").values()) == before


def test_anonymised_when_due_with_the_counts_unchanged(current_edition, fixture):
    ann, kept = fixture["ann"], fixture["kept"]
    stats = _stats(current_edition)
    to_ann = Message.objects.filter(concerns_type="registration", concerns_id=ann.pk)
    assert [m.recipient for m in to_ann] == ["ann@example.org"]

    assert privacy.anonymise_due(now=DUE) == 3

    rows = Registration.objects.filter(event__edition=current_edition).order_by("pk")
    assert [(r.name, r.email, r.anonymised_at) for r in rows] == [("", f"anonymised-{r.pk}@invalid", DUE) for r in rows]
    assert [(r.status, r.seats) for r in rows] == [("confirmed", 2), ("waitlisted", 1), ("cancelled", 1)]
    assert Registration.objects.get(pk=ann.pk).code != ann.code
    assert _stats(current_edition) == stats
    assert CheckIn.objects.filter(registration_id=ann.pk, result="ok").count() == 1
    for message in Message.objects.filter(concerns_type="registration", concerns_id__in=[r.pk for r in rows]):
        assert (message.recipient, message.context, message.attachments) == (
            f"anonymised-{message.concerns_id}@invalid",
            {},
            [],
        )
    # The other edition's attendee is kept as she was.
    assert Registration.objects.get(pk=kept.pk).email == "dee@example.org"
    assert Message.objects.filter(concerns_id=kept.pk, recipient="dee@example.org").exists()


def test_the_old_links_stop_working(client, fixture):
    ann = fixture["ann"]
    old = links.mailed_links(ann)
    assert client.get(old["ticket_url"]).status_code == 200

    privacy.anonymise_due(now=DUE)

    for name in ("ticket_url", "mine_url", "ics_url", "cancel_url"):
        assert client.get(old[name]).status_code == 404, name


def test_running_twice_changes_nothing(fixture):
    privacy.anonymise_due(now=DUE)
    after = list(Registration.objects.order_by("pk").values())
    messages = list(Message.objects.order_by("pk").values())

    assert privacy.anonymise_due(now=DUE + datetime.timedelta(days=1)) == 0

    assert list(Registration.objects.order_by("pk").values()) == after
    assert list(Message.objects.order_by("pk").values()) == messages


def test_a_longer_retention_period_waits_longer(current_edition, fixture):
    current_edition.retention_days = 365
    current_edition.save(update_fields=["retention_days"])

    assert privacy.anonymise_due(now=DUE) == 0
    assert privacy.anonymise_due(now=brussels(2037, 11, 3)) == 3


def test_beat_runs_the_task_daily_and_the_task_is_registered():
    from celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["anonymise"]
    assert entry["task"] == "registrations.anonymise"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})
    app.loader.import_default_modules()
    assert "registrations.anonymise" in app.tasks


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
