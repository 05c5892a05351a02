"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import DOOR_STAFF, ORGANISERS

if TYPE_CHECKING:
    from registrations.models import Registration

#: Every user's password.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class OrganiserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"organiser{n}")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=ORGANISERS)[0])


class DoorStaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"door{n}")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=DOOR_STAFF)[0])


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2030 + n)
    slug = factory.LazyAttribute(lambda e: str(e.year))
    theme_fr = "Construction de la paix"
    theme_nl = "Vredesopbouw"
    theme_en = "Peacebuilding"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    ends_on = factory.LazyAttribute(lambda e: e.starts_on + datetime.timedelta(days=13))
    is_current = False
    is_published = True


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name_fr = factory.Sequence(lambda n: f"Salle {n}")
    name_nl = factory.Sequence(lambda n: f"Zaal {n}")
    name_en = factory.Sequence(lambda n: f"Hall {n}")
    address = factory.Sequence(lambda n: f"Rue de la Loi {n}, 1000 Bruxelles")
    latitude = "50.846557"
    longitude = "4.351697"
    capacity = 200


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Association {n}")
    contact_email = factory.LazyAttribute(lambda a: f"contact{a.name.split()[-1]}@example.org")


def category(slug: str = "debate") -> Category:
    return Category.objects.get(slug=slug)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    edition = factory.SubFactory(EditionFactory)
    association = factory.SubFactory(AssociationFactory)
    category = factory.LazyFunction(category)
    title_fr = factory.Sequence(lambda n: f"Activité {n}")
    title_nl = factory.Sequence(lambda n: f"Activiteit {n}")
    title_en = factory.Sequence(lambda n: f"Activity {n}")
    summary_en = "A summary."
    speaks_fr = True
    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyAttribute(
        lambda e: datetime.datetime.combine(
            e.edition.starts_on, datetime.time(19, 0), tzinfo=timezone.get_default_timezone()
        )
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + datetime.timedelta(hours=2))
    capacity = 50
    status = Event.Status.PUBLISHED


def brussels(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """An aware datetime, Brussels wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


def bulk_events(count: int, *, edition: Edition, venue_count: int = 10, **kwargs) -> list[Event]:
    """`count` published events in one INSERT, spread over `venue_count` venues, every
    category, and the edition's days — for query-count tests on many rows."""
    venues = VenueFactory.create_batch(venue_count)
    categories = list(Category.objects.all())
    days = (edition.ends_on - edition.starts_on).days + 1
    events = EventFactory.build_batch(
        count,
        edition=edition,
        association=None,
        venue=factory.Iterator(venues),
        category=factory.Iterator(categories),
        starts_at=factory.Sequence(
            lambda n: datetime.datetime.combine(
                edition.starts_on + datetime.timedelta(days=n % days),
                datetime.time(10 + n % 12, 0),
                tzinfo=timezone.get_default_timezone(),
            )
        ),
        **kwargs,
    )
    return Event.objects.bulk_create(events)


class AssociationMemberFactory(UserFactory):
    """A member of an association's account: `AssociationMemberFactory(association=event.association)`."""

    username = factory.Sequence(lambda n: f"member{n}")

    @factory.post_generation
    def association(self, create, extracted, **kwargs):
        if create:
            (extracted or AssociationFactory()).members.add(self)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration made the way attendees make one, through `registration_create`, so that the
    event's seat counter and waiting list stay true: its status is what the service decides."""

    class Meta:
        model = "registrations.Registration"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    seats = 1
    language = "fr"

    @classmethod
    def _create(cls, model_class, event, name, email, seats, language, **kwargs):
        from registrations.services import registration_create

        if kwargs:
            raise TypeError(f"RegistrationFactory takes no {sorted(kwargs)}: the service decides them.")
        return registration_create(event_id=event.pk, name=name, email=email, seats=seats, language=language)


def register(event: Event, who: str, seats: int = 1, *, now: datetime.datetime | None = None) -> Registration:
    """`who` ("ann") registers for `event` in French, as "Ann" <ann@example.org>, through the
    service (`now` as its clock, if given): the registration, confirmed or waitlisted."""
    from registrations.services import registration_create

    return registration_create(
        event_id=event.pk, name=who.title(), email=f"{who}@example.org", seats=seats, language="fr", now=now
    )
