"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import DOOR_STAFF, ORGANISERS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


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
