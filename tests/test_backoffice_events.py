"""The back office's activities (/<lang>/backoffice/activities/): the list of an edition's activities
(filters, pages, a fixed number of queries), the form that creates and changes one (every refusal of
the model or the services a translated sentence on its field, status 400, nothing saved), publishing
and cancelling (with a confirmation), and the notices a move or a cancellation queues for the
attendees. For organisers only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Message
from programme import services
from programme.models import Edition, Event
from registrations.models import Registration
from tests.factories import (
    AssociationFactory,
    DoorStaffFactory,
    EditionFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
    brussels,
    bulk_events,
    category,
    register,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LIST = "/en/backoffice/activities/"
NEW = "/en/backoffice/activities/new/"


def edit_url(event: Event, language: str = "en") -> str:
    return f"/{language}/backoffice/activities/{event.pk}/"


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def event(make_event, venue):
    """ "Building peace", published, in Madeleine Hall on Tuesday 21 October 2036, 19:00-21:00, 2 seats."""
    return make_event(venue=venue, capacity=2)


@pytest.fixture
def attendees(event):
    """Ann and Bob confirmed, Cat waiting, Dan cancelled."""
    ann, bob = register(event, "ann"), register(event, "bob")
    cat, dan = register(event, "cat"), register(event, "dan")
    from registrations.services import registration_cancel

    registration_cancel(registration_id=dan.pk)
    registrations = {"ann": ann, "bob": bob, "cat": cat, "dan": dan}
    statuses = {who: Registration.objects.get(pk=r.pk).status for who, r in registrations.items()}
    assert statuses == {"ann": "confirmed", "bob": "confirmed", "cat": "waitlisted", "dan": "cancelled"}
    return registrations


def new_data(edition: Edition, venue, **fields) -> dict:
    """The new-activity form filled in: a writing workshop on Wednesday 22 October 2036, 14:00-16:30."""
    data = {
        "title_fr": "Atelier d\u2019écriture",
        "title_nl": "",
        "title_en": "Writing workshop",
        "summary_fr": "",
        "summary_nl": "",
        "summary_en": "Write about peace.",
        "description_fr": "",
        "description_nl": "",
        "description_en": "",
        "edition": edition.pk,
        "category": category("workshop").pk,
        "association": "",
        "venue": venue.pk,
        "starts_at": "2036-10-22T14:00",
        "ends_at": "2036-10-22T16:30",
        "languages": ["fr", "en"],
        "capacity": "20",
        "max_seats_per_registration": "2",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "waitlist_enabled": "on",
        "waitlist_limit": "10",
        "status": "draft",
    }
    return {**data, **fields}


def edit_data(event: Event, **fields) -> dict:
    """The edit form of `event` as it is saved, with `fields` changed (form values)."""
    event = Event.objects.get(pk=event.pk)

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""

    data = {
        f"{name}_{lang}": getattr(event, f"{name}_{lang}") or ""
        for name in ("title", "summary", "description")
        for lang in ("fr", "nl", "en")
    }
    data.update(
        edition=event.edition_id,
        category=event.category_id,
        association=event.association_id or "",
        venue=event.venue_id,
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        languages=[code for code in event.languages if code != "none"],
        capacity="" if event.capacity is None else str(event.capacity),
        max_seats_per_registration=str(event.max_seats_per_registration),
        registration_opens_at=local(event.registration_opens_at),
        registration_closes_at=local(event.registration_closes_at),
        waitlist_limit="" if event.waitlist_limit is None else str(event.waitlist_limit),
    )
    if event.waitlist_enabled:
        data["waitlist_enabled"] = "on"
    return {**data, **fields}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Who may open what -------------------------------------------------------------------------

ROLES = ("anonymous", "plain", "member", "door", "organiser")
LOGIN = "login"
REFUSED = {"anonymous": LOGIN, "plain": 403, "member": 403, "door": 403}
#: (method, path template, organiser's status); {event} published, {draft}, {other} published.
URLS = [
    ("get", "/en/backoffice/activities/", 200),
    ("get", "/en/backoffice/activities/new/", 200),
    ("post", "/en/backoffice/activities/new/", 302),
    ("get", "/en/backoffice/activities/{event}/", 200),
    ("post", "/en/backoffice/activities/{event}/", 302),
    ("post", "/en/backoffice/activities/{draft}/publish/", 302),
    ("get", "/en/backoffice/activities/{other}/cancel/", 200),
    ("post", "/en/backoffice/activities/{other}/cancel/", 302),
]


@pytest.fixture
def world(event, make_event, member, organiser, current_edition):
    other_venue = VenueFactory()
    return {
        "users": {
            "anonymous": None,
            "plain": UserFactory(),
            "member": member,
            "door": DoorStaffFactory(),
            "organiser": organiser,
        },
        "event": event,
        "draft": make_event(title_en="A draft", status=Event.Status.DRAFT, venue=other_venue),
        "other": make_event(title_en="Another one", starts_at=brussels(2036, 10, 23, 19), venue=other_venue),
        "new_venue": VenueFactory(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    bodies = {
        "/en/backoffice/activities/new/": new_data(Edition.objects.get(), world["new_venue"]),
        "/en/backoffice/activities/{event}/": edit_data(world["event"], capacity="5"),
        "/en/backoffice/activities/{other}/cancel/": {"confirm": "on"},
    }
    before = Event.objects.count()
    got = {}
    for method, template, _status in URLS:
        path = template.format(**{name: world[name].pk for name in ("event", "draft", "other")})
        response = getattr(client, method)(path, bodies.get(template, {}))
        status = response.status_code
        if status == 302 and response["Location"].startswith("/en/accounts/login/"):
            status = LOGIN
        got[(method, template)] = status
    assert got == {(method, template): REFUSED.get(role, status) for method, template, status in URLS}
    changed = role == "organiser"
    assert Event.objects.count() == before + changed
    assert Event.objects.get(pk=world["event"].pk).capacity == (5 if changed else 2)
    assert Event.objects.get(pk=world["draft"].pk).status == ("published" if changed else "draft")
    assert Event.objects.get(pk=world["other"].pk).status == ("cancelled" if changed else "published")


def test_post_without_csrf_token_is_refused(organiser, current_edition, event, venue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    other = VenueFactory()

    created = client.post(NEW, new_data(current_edition, other))
    cancelled = client.post(f"{edit_url(event)}cancel/", {"confirm": "on"})
    published = client.post(f"{edit_url(event)}publish/")

    assert [r.status_code for r in (created, cancelled, published)] == [403, 403, 403]
    assert list(Event.objects.values_list("pk", "status")) == [(event.pk, "published")]


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("post", ""), ("post", "publish/"), ("get", "cancel/"), ("post", "cancel/")]
)
def test_unknown_activity_is_a_404(logged_in, current_edition, method, suffix):
    response = getattr(logged_in, method)(f"/en/backoffice/activities/999999/{suffix}")

    assert response.status_code == 404


# --- The list ----------------------------------------------------------------------------------


@pytest.fixture
def listed(make_event, current_edition, venue):
    """Three activities of the current edition (out of time order), one of another edition."""
    hall = VenueFactory(name_en="Peace House")
    found = {
        "late": make_event(
            title_en="Closing concert",
            starts_at=brussels(2036, 11, 1, 20),
            venue=hall,
            capacity=None,
            association=None,
            category=category("concert"),
        ),
        "early": make_event(title_en="Opening debate", venue=venue, association=AssociationFactory(name="Oxfam")),
        "draft": make_event(
            title_en="Peace workshop",
            title_fr="Atelier paix",
            starts_at=brussels(2036, 10, 25, 22),
            ends_at=brussels(2036, 10, 26, 1),
            status=Event.Status.DRAFT,
            venue=hall,
            capacity=12,
        ),
    }
    register(found["early"], "ann", seats=3)
    EventFactory(edition=EditionFactory(year=2035, slug="2035"), title_en="Last year's debate")
    return found


def rows(response) -> list[str]:
    """The list's rows, each as its text."""
    body = response.content.decode()
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("</tr>")[:-1]]


def test_list_shows_the_current_editions_activities_in_time_order(logged_in, listed):
    response = logged_in.get(LIST)

    assert response.status_code == 200
    assert rows(response) == [
        "Opening debate Tue 21 Oct 2036, 19:00 \u2013 21:00 Madeleine Hall Debate Oxfam Published 3/50",
        "Peace workshop Sat 25 Oct 2036, 22:00 \u2013 Sun 26 Oct 2036, 01:00 Peace House Debate "
        f"{listed['draft'].association.name} Draft 0/12",
        "Closing concert Sat 1 Nov 2036, 20:00 \u2013 22:00 Peace House Concert No association Published "
        "No registration",
    ]
    page = response.content.decode()
    assert f'<a href="/en/backoffice/activities/{listed["early"].pk}/">Opening debate</a>' in page
    assert '<a href="/en/backoffice/activities/new/">New activity</a>' in page
    assert "3 activities" in page


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?status=draft", ["Peace workshop"]),
        ("?status=published", ["Opening debate", "Closing concert"]),
        ("?q=peace", ["Peace workshop"]),
        ("?q=ATELIER", ["Peace workshop"]),
        ("?q=debate+opening", ["Opening debate"]),
        ("?edition=2035", ["Last year's debate"]),
        ("?status=cancelled", []),
    ],
)
def test_list_filters(logged_in, listed, query, titles):
    response = logged_in.get(LIST + query)

    assert response.status_code == 200
    assert [e.title for e in response.context["page"].object_list] == titles


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?edition=1999", "Edition: There is no edition “1999”."),
        ("?status=gone", "Status: Select a valid choice. gone is not one of the available choices."),
        ("?status=draft&status=published", "Status: Give this filter only once."),
    ],
)
def test_list_bad_filter_is_a_400_that_says_why(logged_in, listed, query, message):
    response = logged_in.get(LIST + query)

    assert response.status_code == 400
    page = response.content.decode()
    assert "The activities cannot be shown:" in page
    assert message in page
    assert "Opening debate" not in page


def test_list_without_a_current_edition_asks_to_choose(logged_in, db):
    EditionFactory(year=2035, slug="2035")

    response = logged_in.get(LIST)

    assert response.status_code == 200
    assert "No edition is the current one. Choose an edition." in response.content.decode()


def test_list_pages_by_100(logged_in, current_edition):
    bulk_events(101, edition=current_edition)

    first = logged_in.get(LIST + "?status=published")
    second = logged_in.get(LIST + "?status=published&page=2")

    assert (len(first.context["page"].object_list), len(second.context["page"].object_list)) == (100, 1)
    assert '<a href="?status=published&amp;edition=2036&amp;page=2" rel="next">Next page</a>' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_list_queries_do_not_grow_with_the_activities(logged_in, current_edition, django_assert_max_num_queries):
    def queries_for(count: int) -> int:
        logged_in.get(LIST)  # the session's first read
        with django_assert_max_num_queries(6) as queries:
            response = logged_in.get(LIST)
        assert len(response.context["page"].object_list) == count
        return len(queries)

    bulk_events(3, edition=current_edition)
    three = queries_for(3)
    bulk_events(27, edition=current_edition)
    thirty = queries_for(30)

    assert three == thirty


# --- Creating ----------------------------------------------------------------------------------


def test_new_form_preselects_the_current_edition_and_draft(logged_in, current_edition):
    EditionFactory(year=2035, slug="2035")

    page = logged_in.get(NEW).content.decode()

    assert f'<option value="{current_edition.pk}" selected>2036 — Peacebuilding</option>' in page
    assert '<input type="radio" name="status" value="draft" id="id_status_0" required checked>' in page
    assert '<label for="id_title_en">Title in English</label>' in page
    assert '<label for="id_waitlist_limit">Waiting list size</label>' in page
    assert 'type="datetime-local" name="starts_at"' in page


@pytest.mark.parametrize("status", ["draft", "published"])
def test_create_saves_every_field_through_the_service(logged_in, current_edition, venue, association, status, caplog):
    response = logged_in.post(NEW, new_data(current_edition, venue, status=status, association=association.pk))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(event)
    assert (
        event.title_fr,
        event.title_nl,
        event.title_en,
        event.summary_en,
        event.edition_id,
        event.category.slug,
        event.association_id,
        event.venue_id,
        event.starts_at,
        event.ends_at,
        event.languages,
        event.capacity,
        event.max_seats_per_registration,
        event.registration_opens_at,
        event.registration_closes_at,
        event.waitlist_enabled,
        event.waitlist_limit,
        event.status,
        event.seats_taken,
        event.sequence,
    ) == (
        "Atelier d\u2019écriture",
        None,
        "Writing workshop",
        "Write about peace.",
        current_edition.pk,
        "workshop",
        association.pk,
        venue.pk,
        brussels(2036, 10, 22, 14),
        brussels(2036, 10, 22, 16, 30),
        ["fr", "en"],
        20,
        2,
        None,
        None,
        True,
        10,
        status,
        0,
        0,
    )
    assert f"event {event.pk} created ({status})" in caplog.messages
    followed = logged_in.get(response["Location"])
    said = {"draft": "The activity is saved as a draft.", "published": "The activity is saved and published."}
    assert messages_of(followed) == [said[status]]


def test_create_without_title_says_so(logged_in, current_edition, venue):
    response = logged_in.post(NEW, new_data(current_edition, venue, title_fr="  ", title_en=""))

    assert response.status_code == 400
    assert '<span class="field-error" id="id_title_fr_error">Give a title in at least one language.</span>' in (
        response.content.decode()
    )
    assert not Event.objects.exists()


def test_create_in_a_taken_venue_names_the_other_activity(logged_in, current_edition, event, venue):
    response = logged_in.post(NEW, new_data(current_edition, venue, starts_at="2036-10-21T20:00"))

    assert response.status_code == 400
    message = (
        f"Madeleine Hall is already taken at that time by “Building peace” (activity {event.pk}, Oct. 21, 2036, "
        "19:00\u201321:00)."
    )
    page = response.content.decode()
    assert f'<span class="field-error" id="id_starts_at_error">{message}</span>' in page
    assert f'<a href="#id_starts_at">Starts at: {message}</a>' in page
    assert list(Event.objects.values_list("pk", flat=True)) == [event.pk]


# --- Each constraint of Event says a sentence on its field -------------------------------------

#: constraint -> (form fields that break it, the field that says it, the sentence). The overbooking
#: one is guarded by the services' capacity check, which says how many seats are taken.
CONSTRAINTS = {
    "event_ends_after_start": ({"ends_at": "2036-10-22T13:00"}, "ends_at", "The end must be after the start."),
    "event_capacity_gte_0": ({"capacity": "-1"}, "capacity", "The capacity cannot be negative."),
    "event_no_overbooking": (
        {"capacity": "1"},
        "capacity",
        "2 seats are already taken: the capacity cannot be lower.",
    ),
    "event_registration_closes_after_open": (
        {"registration_opens_at": "2036-10-15T10:00", "registration_closes_at": "2036-10-14T10:00"},
        "registration_closes_at",
        "Registration must close after it opens.",
    ),
    "event_max_seats_per_registration_gte_1": (
        {"max_seats_per_registration": "0"},
        "max_seats_per_registration",
        "Allow at least one seat per registration.",
    ),
}


def test_every_constraint_is_tested():
    assert sorted(CONSTRAINTS) == sorted(c.name for c in Event._meta.constraints)


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_a_broken_constraint_is_a_sentence_on_its_field(logged_in, current_edition, venue, name):
    fields, field, sentence = CONSTRAINTS[name]
    event = EventFactory(edition=current_edition, venue=venue, starts_at=brussels(2036, 10, 22, 14), capacity=2)
    register(event, "ann", seats=2)
    before = Event.objects.values().get(pk=event.pk)

    response = logged_in.post(edit_url(event), edit_data(event, **fields))

    assert response.status_code == 400
    page = response.content.decode()
    assert f'<span class="field-error" id="id_{field}_error">{sentence}</span>' in page
    assert page.count(sentence) == 2  # on the field, and in the summary at the top
    (described,) = re.findall(rf'aria-invalid="true" aria-describedby="([^"]+)" id="id_{field}"', page)
    assert f"id_{field}_error" in described.split()
    assert name not in page
    assert "constraint" not in page.lower()
    assert Event.objects.values().get(pk=event.pk) == before


@pytest.mark.parametrize(
    "name", ["event_ends_after_start", "event_capacity_gte_0", "event_max_seats_per_registration_gte_1"]
)
def test_a_new_activity_breaking_a_constraint_is_not_saved(logged_in, current_edition, venue, name):
    fields, field, sentence = CONSTRAINTS[name]

    response = logged_in.post(NEW, new_data(current_edition, venue, **fields))

    assert response.status_code == 400
    assert f'<span class="field-error" id="id_{field}_error">{sentence}</span>' in response.content.decode()
    assert not Event.objects.exists()


def test_a_french_page_says_the_french_sentence(logged_in, current_edition, venue):
    response = logged_in.post(
        "/fr/backoffice/activities/new/", new_data(current_edition, venue, ends_at="2036-10-22T13:00")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert '<span class="field-error" id="id_ends_at_error">La fin doit être postérieure au début.</span>' in page
    assert "event_ends_after_start" not in page
    assert "contrainte" not in page


def test_a_date_far_from_the_edition_says_so(logged_in, current_edition, venue):
    response = logged_in.post(
        NEW, new_data(current_edition, venue, starts_at="2040-10-22T14:00", ends_at="2040-10-22T16:00")
    )

    assert response.status_code == 400
    assert (
        '<span class="field-error" id="id_starts_at_error">'
        "Give a date within a year of the edition (Oct. 20, 2036 to Nov. 2, 2036).</span>"
    ) in response.content.decode()


# --- Changing ----------------------------------------------------------------------------------


def test_edit_form_shows_the_activity(logged_in, event, attendees):
    page = logged_in.get(edit_url(event)).content.decode()

    assert '<input type="datetime-local" name="starts_at" value="2036-10-21T19:00"' in page
    assert '<input type="number" name="capacity" value="2"' in page
    assert 'name="status"' not in page
    assert f'<a href="/en/admin/programme/event/{event.pk}/change/">Raw data</a>' in page
    assert f'<a href="/en/events/{event.pk}/">Public page</a>' in page
    assert f'<a class="button-quiet button-danger" href="/en/backoffice/activities/{event.pk}/cancel/">' in page
    assert "/publish/" not in page  # published already
    assert "<dt>Registered attendees</dt><dd>3</dd>" in page
    assert "<dt>Seats taken</dt><dd>2/2</dd>" in page


def test_edit_form_of_a_draft_offers_publish_and_no_public_page(logged_in, make_event):
    draft = make_event(status=Event.Status.DRAFT)

    page = logged_in.get(edit_url(draft)).content.decode()

    assert f'<form method="post" action="/en/backoffice/activities/{draft.pk}/publish/"' in page
    assert "Public page" not in page


def test_edit_saves_through_the_service(logged_in, event):
    data = edit_data(event, title_nl="Vrede samen bouwen", capacity="30", waitlist_limit="5", languages=["nl"])

    response = logged_in.post(edit_url(event), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title_nl, event.capacity, event.waitlist_limit, event.languages, event.sequence) == (
        "Vrede samen bouwen",
        30,
        5,
        ["nl"],
        1,  # a title is in calendars
    )
    assert messages_of(logged_in.get(response["Location"])) == ["The activity is saved."]
    assert not Message.objects.filter(purpose__startswith="event_").exists()


def test_moving_a_published_activity_tells_each_attendee(logged_in, event, attendees):
    data = edit_data(event, starts_at="2036-10-22T18:00", ends_at="2036-10-22T20:00")

    response = logged_in.post(edit_url(event), data, follow=True)

    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.sequence) == (
        brussels(2036, 10, 22, 18),
        brussels(2036, 10, 22, 20),
        1,
    )
    assert messages_of(response) == [
        "The activity is saved. Its 3 registered attendees are being told of the change by e-mail."
    ]
    # One notice per confirmed and waiting registration; none for the cancelled one.
    assert list(Message.objects.filter(purpose="event_changed").values_list("key", flat=True).order_by("pk")) == [
        f"registration-{attendees[who].pk}:event_changed:1" for who in ("ann", "bob", "cat")
    ]


def test_moving_to_another_venue_tells_each_attendee(logged_in, event, attendees):
    hall = VenueFactory()

    response = logged_in.post(edit_url(event), edit_data(event, venue=hall.pk), follow=True)

    assert Event.objects.get(pk=event.pk).venue_id == hall.pk
    assert messages_of(response) == [
        "The activity is saved. Its 3 registered attendees are being told of the change by e-mail."
    ]
    assert Message.objects.filter(purpose="event_changed").count() == 3


def test_moving_a_draft_tells_nobody(logged_in, make_event):
    draft = make_event(status=Event.Status.DRAFT)

    response = logged_in.post(
        edit_url(draft), edit_data(draft, starts_at="2036-10-22T18:00", ends_at="2036-10-22T20:00"), follow=True
    )

    assert messages_of(response) == ["The activity is saved."]
    assert not Message.objects.filter(purpose__startswith="event_").exists()


def test_moving_into_a_taken_venue_names_the_other_activity(logged_in, event, make_event, attendees):
    hall = VenueFactory(name_en="Peace House")
    other = make_event(title_en="Film night", venue=hall, starts_at=brussels(2036, 10, 21, 20))
    before = Event.objects.values().get(pk=event.pk)

    response = logged_in.post(edit_url(event), edit_data(event, venue=hall.pk))

    assert response.status_code == 400
    assert (
        '<span class="field-error" id="id_starts_at_error">Peace House is already taken at that time by '
        f"“Film night” (activity {other.pk}, Oct. 21, 2036, 20:00\u201322:00).</span>"
    ) in response.content.decode()
    assert Event.objects.values().get(pk=event.pk) == before
    assert not Message.objects.filter(purpose__startswith="event_").exists()


def test_removing_the_capacity_of_an_activity_with_registrations_says_why(logged_in, event, attendees):
    before = Event.objects.values().get(pk=event.pk)

    response = logged_in.post(edit_url(event), edit_data(event, capacity=""))

    assert response.status_code == 400
    assert (
        '<span class="field-error" id="id_capacity_error">This activity has registrations (confirmed or on the '
        "waiting list): it needs a capacity. Cancel them first if it should need no registration.</span>"
    ) in response.content.decode()
    assert Event.objects.values().get(pk=event.pk) == before


# --- Publishing and cancelling -----------------------------------------------------------------


def test_publish_a_draft(logged_in, make_event):
    draft = make_event(status=Event.Status.DRAFT)

    response = logged_in.post(f"{edit_url(draft)}publish/", follow=True)

    draft.refresh_from_db()
    assert (draft.status, draft.sequence) == ("published", 1)
    assert response.redirect_chain == [(edit_url(draft), 302)]
    assert messages_of(response) == ["The activity is published."]


def test_publish_what_is_no_draft_is_a_400(logged_in, event):
    response = logged_in.post(f"{edit_url(event)}publish/")

    assert response.status_code == 400
    assert "Only a draft can be published: this activity is “Published”." in response.content.decode()
    assert Event.objects.get(pk=event.pk).sequence == 0


def test_publish_into_a_clash_is_a_400_naming_the_other(logged_in, event, make_event, venue):
    # Saved before the services checked the venue (bulk_create bypasses them).
    (draft,) = Event.objects.bulk_create(
        [
            EventFactory.build(
                edition=event.edition,
                venue=venue,
                category=event.category,
                title_en="Late",
                association=None,
                status=Event.Status.DRAFT,
                starts_at=brussels(2036, 10, 21, 20),
            )
        ]
    )

    response = logged_in.post(f"{edit_url(draft)}publish/")

    assert response.status_code == 400
    assert (
        f"Madeleine Hall is already taken at that time by “Building peace” (activity {event.pk}, Oct. 21, 2036, "
        "19:00\u201321:00)."
    ) in response.content.decode()
    assert Event.objects.get(pk=draft.pk).status == "draft"


def test_cancel_asks_for_a_confirmation_with_the_count(logged_in, event, attendees):
    page = logged_in.get(f"{edit_url(event)}cancel/").content.decode()

    assert '<label for="id_confirm">Yes, cancel it and tell the 3 registered attendees' in page
    assert Event.objects.get(pk=event.pk).status == "published"


def test_cancel_without_the_box_ticked_changes_nothing(logged_in, event, attendees):
    response = logged_in.post(f"{edit_url(event)}cancel/", {})

    assert response.status_code == 400
    assert (
        '<span class="field-error" id="id_confirm_error">Tick the box to confirm that the activity is cancelled.</span>'
    ) in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == "published"
    assert not Message.objects.filter(purpose__startswith="event_").exists()


def test_cancel_tells_each_attendee_and_keeps_the_registrations(logged_in, event, attendees):
    response = logged_in.post(f"{edit_url(event)}cancel/", {"confirm": "on"}, follow=True)

    event.refresh_from_db()
    assert (event.status, event.sequence, event.seats_taken) == ("cancelled", 1, 2)
    assert response.redirect_chain == [(edit_url(event), 302)]
    assert messages_of(response) == ["The activity is cancelled. Its 3 registered attendees are being told by e-mail."]
    assert list(Message.objects.filter(purpose="event_cancelled").values_list("key", flat=True).order_by("pk")) == [
        f"registration-{attendees[who].pk}:event_cancelled:1" for who in ("ann", "bob", "cat")
    ]
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {
        "ann@example.org": "confirmed",
        "bob@example.org": "confirmed",
        "cat@example.org": "waitlisted",
        "dan@example.org": "cancelled",
    }
    page = response.content.decode()
    assert "Cancel the activity" not in page and "Public page" not in page


def test_cancel_a_draft_tells_nobody(logged_in, make_event):
    draft = make_event(status=Event.Status.DRAFT)

    page = logged_in.get(f"{edit_url(draft)}cancel/").content.decode()
    response = logged_in.post(f"{edit_url(draft)}cancel/", {"confirm": "on"}, follow=True)

    assert '<label for="id_confirm">Yes, cancel it' in page
    assert Event.objects.get(pk=draft.pk).status == "cancelled"
    assert messages_of(response) == ["The activity is cancelled."]
    assert not Message.objects.filter(purpose__startswith="event_").exists()


def test_cancel_twice_changes_nothing(logged_in, event):
    services.event_cancel(event=event)

    response = logged_in.post(f"{edit_url(event)}cancel/", {"confirm": "on"}, follow=True)

    assert Event.objects.get(pk=event.pk).sequence == 1
    assert messages_of(response) == ["This activity is cancelled already."]


# --- The schedule links to the activities' pages -----------------------------------------------


def test_schedule_links_to_the_activity_pages(logged_in, event):
    page = logged_in.get("/en/backoffice/schedule/").content.decode()

    assert f'<a class="slot-title" href="/en/backoffice/activities/{event.pk}/">Building peace</a>' in page
    assert "/admin/programme/event/" not in page


# --- Accessibility, at phone width -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_have_no_axe_violations_at_phone_width(live_server, organiser, event, attendees, make_event, lang):
    from playwright.sync_api import sync_playwright

    from tests.helpers import launch
    from tests.test_accessibility import _log_in, violations

    draft = make_event(title_en="A draft", status=Event.Status.DRAFT, venue=VenueFactory())
    base = live_server.url
    paths = [
        f"/{lang}/backoffice/activities/",
        f"/{lang}/backoffice/activities/?edition=1999",
        f"/{lang}/backoffice/activities/new/",
        f"/{lang}/backoffice/activities/{event.pk}/",
        f"/{lang}/backoffice/activities/{draft.pk}/",
        f"/{lang}/backoffice/activities/{event.pk}/cancel/",
    ]
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            locale=lang, viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
        )
        page = context.new_page()
        _log_in(page, base, lang, organiser.username, paths[0])
        for path in paths:
            page.goto(base + path)
            found[path] = violations(page)
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], (path, width)
        page.goto(f"{base}/{lang}/backoffice/activities/{event.pk}/")
        page.locator("#id_ends_at").fill("2036-10-21T18:00")
        page.locator("form.event-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() == 1
        found["the form's errors"] = violations(page)
        page.goto(f"{base}/{lang}/backoffice/activities/{event.pk}/cancel/")
        page.locator("form.workspace-form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() == 1
        found["the cancellation's error"] = violations(page)
        context.close()
        browser.close()

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert Event.objects.get(pk=event.pk).status == "published"
