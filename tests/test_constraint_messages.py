"""Every database constraint that a form can run into says what is wrong in the user's language,
never its name ("La contrainte « event_ends_after_start » n'est pas respectée")."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from programme.models import Edition, Event
from registrations.models import Registration
from tests.factories import EditionFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _edition_two_current(edition):
    EditionFactory(is_current=True)
    edition.is_current = True
    return edition


def _edition_ends_first(edition):
    edition.ends_on = edition.starts_on - datetime.timedelta(days=1)
    return edition


def _edition_call_backwards(edition):
    edition.call_opens_at = timezone.now()
    edition.call_closes_at = edition.call_opens_at - HOUR
    return edition


def _event_ends_first(event):
    event.ends_at = event.starts_at - HOUR
    return event


def _event_overbooked(event):
    Event.objects.filter(pk=event.pk).update(seats_taken=0)
    event.capacity, event.seats_taken = 2, 3
    return event


def _event_registration_backwards(event):
    event.registration_opens_at = event.starts_at - 2 * HOUR
    event.registration_closes_at = event.starts_at - 3 * HOUR
    return event


CASES = [
    (
        "edition",
        _edition_two_current,
        "edition_one_current",
        "Une autre édition est déjà l\u2019édition en cours\u00a0: retirez-lui d\u2019abord ce statut.",
    ),
    (
        "edition",
        _edition_ends_first,
        "edition_ends_after_start",
        "Le dernier jour ne peut pas précéder le premier jour.",
    ),
    (
        "edition",
        _edition_call_backwards,
        "edition_call_closes_after_open",
        "La clôture de l\u2019appel doit être postérieure à son ouverture.",
    ),
    ("event", _event_ends_first, "event_ends_after_start", "La fin doit être postérieure au début."),
    (
        "event",
        _event_overbooked,
        "event_no_overbooking",
        "Plus de places sont prises que la capacité ne le permet.",
    ),
    (
        "event",
        _event_registration_backwards,
        "event_registration_closes_after_open",
        "La clôture des inscriptions doit être postérieure à leur ouverture.",
    ),
]


@pytest.mark.parametrize(("kind", "break_it", "constraint", "sentence"), CASES, ids=[c[2] for c in CASES])
def test_a_broken_constraint_says_a_translated_sentence(kind, break_it, constraint, sentence):
    obj = EditionFactory() if kind == "edition" else EventFactory()
    obj = break_it(obj)

    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        obj.full_clean()

    said = caught.value.messages
    assert sentence in said
    assert said.count(sentence) == 1
    assert not any(constraint in message or "contrainte" in message for message in said)


def test_the_registration_constraints_say_translated_sentences():
    registration = RegistrationFactory()
    again = Registration(
        event=registration.event,
        name="Autre",
        email=registration.email,
        seats=1,
        language="fr",
        status=Registration.Status.CONFIRMED,
        code="ZZZZZZZZ",
    )
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        again.full_clean()
    assert caught.value.messages == ["Dit adres is al ingeschreven voor deze activiteit."]

    registration.status = Registration.Status.WAITLISTED
    registration.checked_in_at = timezone.now()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        registration.full_clean()
    assert caught.value.messages == ["Only a confirmed registration can be checked in."]


def test_every_constraint_has_its_own_message():
    for model in (Edition, Event, Registration):
        for constraint in model._meta.constraints:
            assert constraint.violation_error_message != constraint.default_violation_error_message, constraint.name
