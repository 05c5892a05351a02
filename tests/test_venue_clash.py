"""Two activities cannot be in one venue at the same time (SPEC section 5, "Scheduling"):
event_create and event_update refuse it, so the API, the admin and the back office all do;
touching times are fine, a venue marked for parallel use is exempt, a cancelled activity
frees its venue; two clashing creations at once on PostgreSQL: exactly one gets through."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from programme import services
from programme.models import Event
from tests.factories import VenueFactory, brussels
from tests.helpers import together

EN_MESSAGE = (
    "Madeleine Hall is already taken at that time by “Building peace” (activity {id}, Oct. 21, 2036, 19:00\u201321:00)."
)


@pytest.fixture
def event(make_event, venue):
    """Building peace, Tuesday 21 October 2036, 19:00 to 21:00, in Madeleine Hall."""
    return make_event(venue=venue)


def data(event: Event, **fields) -> dict:
    """What event_create needs for another activity like `event`, with `fields` changed."""
    return {
        "edition": event.edition,
        "category": event.category,
        "venue": event.venue,
        "title_en": "Another one",
        "title_fr": "Une autre",
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": 40,
        "status": Event.Status.PUBLISHED,
        **fields,
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((19, 0), (21, 0)),  # the same time
        ((20, 0), (22, 0)),  # starts during it
        ((18, 0), (19, 30)),  # ends during it
        ((19, 30), (20, 0)),  # inside it
        ((17, 0), (23, 0)),  # around it
    ],
)
def test_overlapping_event_is_refused_naming_the_other(event, start, end):
    fields = {"starts_at": brussels(2036, 10, 21, *start), "ends_at": brussels(2036, 10, 21, *end)}

    with translation.override("en"), pytest.raises(services.VenueClash) as refused:
        services.event_create(data=data(event, **fields))

    assert refused.value.message == EN_MESSAGE.format(id=event.pk)
    assert refused.value.message_dict == {"starts_at": [EN_MESSAGE.format(id=event.pk)]}
    assert refused.value.other == event
    assert list(Event.objects.all()) == [event]


def test_message_in_french_and_dutch(event):
    for language, expected in [
        (
            "fr",
            "Le lieu «\u00a0Salle de la Madeleine\u00a0» est déjà occupé à ce moment par "
            "«\u00a0Construire la paix\u00a0» "
            f"(activité {event.pk}, 21 octobre 2036, 19:00\u201321:00).",
        ),
        (
            "nl",
            "Magdalenazaal is op dat moment al bezet door “Vrede bouwen” "
            f"(activiteit {event.pk}, 21 oktober 2036, 19:00\u201321:00).",
        ),
    ]:
        with translation.override(language), pytest.raises(services.VenueClash) as refused:
            services.event_create(data=data(event))
        assert refused.value.message == expected


def test_a_clash_over_midnight_names_the_end_day(make_event, venue):
    night = make_event(venue=venue, starts_at=brussels(2036, 10, 21, 22), ends_at=brussels(2036, 10, 22, 2))

    with translation.override("en"), pytest.raises(services.VenueClash) as refused:
        services.event_create(data=data(night, starts_at=brussels(2036, 10, 22, 1), ends_at=brussels(2036, 10, 22, 3)))

    assert refused.value.message == (
        "Madeleine Hall is already taken at that time by “Building peace” "
        f"(activity {night.pk}, Oct. 21, 2036, 22:00\u2013Oct. 22, 2036 02:00)."
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [((17, 0), (19, 0)), ((21, 0), (23, 0))],  # ends when it starts; starts when it ends
)
def test_touching_times_are_allowed(event, start, end):
    created = services.event_create(
        data=data(event, starts_at=brussels(2036, 10, 21, *start), ends_at=brussels(2036, 10, 21, *end))
    )

    assert Event.objects.filter(venue=event.venue).count() == 2
    assert (created.starts_at, created.ends_at) == (brussels(2036, 10, 21, *start), brussels(2036, 10, 21, *end))


def test_another_venue_at_the_same_time_is_allowed(event):
    services.event_create(data=data(event, venue=VenueFactory()))

    assert Event.objects.count() == 2


def test_a_venue_for_parallel_use_takes_overlapping_events(make_event):
    hall = VenueFactory(name_en="Exhibition hall", parallel_use=True)
    first = make_event(venue=hall)

    second = services.event_create(data=data(first))
    moved = services.event_update(event=first, data={"ends_at": first.ends_at + datetime.timedelta(hours=1)})

    assert Event.objects.filter(venue=hall).count() == 2
    assert second.venue == moved.venue == hall


def test_a_cancelled_event_frees_its_venue_and_cannot_come_back_over_another(event):
    services.event_cancel(event=event)
    replacement = services.event_create(data=data(event, title_en="Replacement"))

    with translation.override("en"), pytest.raises(services.VenueClash) as refused:
        services.event_update(event=Event.objects.get(pk=event.pk), data={"status": Event.Status.PUBLISHED})

    assert refused.value.other == replacement
    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED


def test_a_draft_holds_its_venue_too(make_event, venue):
    draft = make_event(venue=venue, status=Event.Status.DRAFT)

    with pytest.raises(services.VenueClash) as refused:
        services.event_create(data=data(draft, status=Event.Status.DRAFT))

    assert refused.value.other == draft


def test_a_cancelled_event_may_be_created_over_another(event):
    services.event_create(data=data(event, status=Event.Status.CANCELLED))

    assert Event.objects.count() == 2


def test_moving_an_event_onto_another_is_refused_and_changes_nothing(event, make_event):
    later = make_event(venue=VenueFactory(), starts_at=brussels(2036, 10, 21, 20), title_en="Later")
    before = Event.objects.values().get(pk=later.pk)

    with pytest.raises(services.VenueClash):
        services.event_update(event=later, data={"venue": event.venue})
    with pytest.raises(services.VenueClash):
        services.event_update(
            event=Event.objects.get(pk=later.pk), data={"venue": event.venue, "starts_at": brussels(2036, 10, 21, 18)}
        )

    assert Event.objects.values().get(pk=later.pk) == before


def test_changing_an_event_in_its_own_slot_is_not_a_clash_with_itself(event):
    services.event_update(event=event, data={"ends_at": brussels(2036, 10, 21, 22), "title_en": "Longer"})

    assert Event.objects.get(pk=event.pk).ends_at == brussels(2036, 10, 21, 22)


# --- The API, the admin ------------------------------------------------------------------------


def _api_body(event: Event, **fields) -> dict:
    return {
        "edition": event.edition.slug,
        "category": event.category.slug,
        "venue": event.venue_id,
        "title_en": "Another one",
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "capacity": 40,
        "status": "published",
        **fields,
    }


def test_api_create_clash_is_409_with_the_other_event(organiser_client, event):
    response = organiser_client.post("/api/v1/events/", _api_body(event), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json() == {
        "code": "venue_clash",
        "detail": EN_MESSAGE.format(id=event.pk),
        "event": {"id": event.pk, "title": "Building peace"},
    }
    assert Event.objects.count() == 1


def test_api_move_clash_is_409_in_the_clients_language(organiser_client, event, make_event):
    other = make_event(venue=VenueFactory(), starts_at=brussels(2036, 10, 21, 15))

    response = organiser_client.patch(
        f"/api/v1/events/{other.pk}/",
        {
            "venue": event.venue_id,
            "starts_at": brussels(2036, 10, 21, 20).isoformat(),
            "ends_at": brussels(2036, 10, 21, 22).isoformat(),
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "venue_clash"
    assert body["event"] == {"id": event.pk, "title": "Vrede bouwen"}
    assert body["detail"].startswith("Magdalenazaal is op dat moment al bezet door “Vrede bouwen”")
    assert Event.objects.get(pk=other.pk).venue_id != event.venue_id


def test_api_touching_is_201(organiser_client, event):
    body = _api_body(
        event, starts_at=event.ends_at.isoformat(), ends_at=(event.ends_at + datetime.timedelta(hours=1)).isoformat()
    )

    response = organiser_client.post("/api/v1/events/", body, format="json")

    assert response.status_code == 201, response.json()


def test_admin_add_form_shows_the_clash_and_creates_nothing(client, organiser, event):
    from tests.test_admin import _change_form_data

    client.force_login(organiser)
    response = client.post("/en/admin/programme/event/add/", {**_change_form_data(event), "title_en": "Clash"})

    assert response.status_code == 200
    assert EN_MESSAGE.format(id=event.pk) in response.content.decode()
    assert Event.objects.count() == 1


def test_admin_change_form_move_onto_another_is_a_form_error(client, organiser, event, make_event):
    from tests.test_admin import _change_form_data

    other = make_event(venue=VenueFactory(), starts_at=brussels(2036, 10, 21, 20), title_en="Other")
    client.force_login(organiser)
    response = client.post(
        f"/en/admin/programme/event/{other.pk}/change/", _change_form_data(other, venue=event.venue_id)
    )

    assert response.status_code == 200
    assert EN_MESSAGE.format(id=event.pk) in response.content.decode()
    assert Event.objects.get(pk=other.pk).venue_id != event.venue_id


# --- At the same instant, on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_clashing_creations_let_exactly_one_through(make_event):
    """Ten rounds, each two threads released together creating overlapping events in one
    venue (a fresh venue per round): each round, one is created and the other refused."""
    template = make_event()
    for round_ in range(10):
        venue = VenueFactory()
        start = brussels(2036, 10, 22, 8 + round_)

        def create(i: int, venue=venue, start=start):
            return services.event_create(
                data=data(
                    template,
                    venue=venue,
                    title_en=f"{venue.name} thread {i}",
                    starts_at=start + datetime.timedelta(minutes=30 * i),
                    ends_at=start + datetime.timedelta(hours=1, minutes=30 * i),
                )
            )

        results, errors = together(2, create)

        assert [type(e) for e in errors] == [services.VenueClash], (round_, errors)
        assert Event.objects.filter(venue=venue).count() == 1
        created = [r for r in results if r is not None]
        assert len(created) == 1 and errors[0].other == created[0]


def test_admin_publish_action_reports_a_clash_and_publishes_the_rest(client, organiser, make_event):
    hall = VenueFactory(name_en="Hall", parallel_use=True)
    first = make_event(venue=hall, status=Event.Status.DRAFT, title_en="First")
    second = make_event(venue=hall, status=Event.Status.PUBLISHED, title_en="Second")
    free = make_event(venue=VenueFactory(), status=Event.Status.DRAFT, title_en="Elsewhere")
    hall.parallel_use = False  # switched off: the two now overlap in a venue for one activity
    hall.save()
    client.force_login(organiser)

    response = client.post(
        "/en/admin/programme/event/", {"action": "publish", "_selected_action": [first.pk, free.pk]}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f"First: Hall is already taken at that time by “Second” (activity {second.pk}" in page
    assert "1 event published." in page
    assert Event.objects.get(pk=first.pk).status == "draft"
    assert Event.objects.get(pk=free.pk).status == "published"
