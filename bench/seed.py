"""Seed the freshly created `fortnight_bench` database, through Django (run.py runs it).

Fixed random seed, bulk inserts; what the scenarios need goes to bench/out/ (seed.json:
ids, tokens, the organiser's session cookie, the opening hour's activity pages, spare
tickets; the ticket files).
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)
from __future__ import annotations

import datetime
import heapq
import itertools
import json
import math
import os
import random
import sys
from importlib import import_module
from pathlib import Path

import django

OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(OUT.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import DOOR_STAFF, ORGANISERS
from registrations.models import CODE_ALPHABET, CODE_LENGTH, Registration
from registrations.tickets import make_token

SEED, EVENT_COUNT, VENUE_COUNT, ASSOCIATION_COUNT = 2024, 500, 10, 40
HOT_ACTIVITIES, HOT_CAPACITY, ACTIVITY_PAGES = 3, 100_000, 600
RUSH_CAPACITY, RUSH_CHECK_CAPACITY, PGBENCH_CAPACITY = 1_000_000, 200, 10_000_000
CHECKIN_REGISTRATIONS, CHECKIN_ALREADY_SCANNED, SPARE_TICKETS = 5_000, 500, 3
DOOR_USERNAME, ORGANISER_USERNAME = "bench-door", "bench-organiser"
# The current edition's registrations (seed_registrations): how many rows in all, made by how
# many people over how many days before now, the three hot activities' share of them.
REGISTRATIONS, PEOPLE, REGISTRATION_DAYS, HOT_SHARE = 50_000, 18_000, 45, 0.2
#: Seats asked per registration (1 to 4) and their weights; languages of the people.
SEATS_ASKED, LANGUAGES = ((1, 2, 3, 4), (72, 20, 5, 3)), (("fr", "nl", "en"), (45, 35, 20))
#: Share of the registrations later cancelled (confirmed ones, waiting ones), mean delay before.
CANCEL_CONFIRMED, CANCEL_WAITING, CANCEL_DELAY_DAYS = 0.10, 0.3, 5
#: Share of the events taking registrations that nobody has booked yet.
UNBOOKED_SHARE = 0.05
#: Check-ins: this share of the confirmed registrations of the edition's first CHECKIN_DAYS days.
CHECKIN_DAYS, CHECKIN_SHARE = 2, 0.85

VENUES = [
    # FR, NL, EN, address
    ("Hôtel de Ville", "Stadhuis", "City Hall", "Grand-Place 1, 1000 Bruxelles"),
    ("Halles Saint-Géry", "Sint-Gorikshallen", "Saint-Géry Market Hall", "Place Saint-Géry 1, 1000 Bruxelles"),
    ("Bibliothèque Muntpunt", "Bibliotheek Muntpunt", "Muntpunt Library", "Place de la Monnaie 6, 1000 Bruxelles"),
    ("Maison de la Paix", "Vredeshuis", "House of Peace", "Rue du Marché aux Herbes 20, 1000 Bruxelles"),
    ("Beursschouwburg", "Beursschouwburg", "Beursschouwburg", "Rue Auguste Orts 20, 1000 Bruxelles"),
    ("Espace Magh", "Espace Magh", "Espace Magh", "Rue du Poinçon 17, 1000 Bruxelles"),
    ("Cinéma Palace", "Cinema Palace", "Palace Cinema", "Boulevard Anspach 85, 1000 Bruxelles"),
    ("La Tricoterie", "La Tricoterie", "La Tricoterie", "Rue Théodore Verhaegen 158, 1060 Saint-Gilles"),
    ("Parc de Laeken", "Park van Laken", "Laeken Park", "Avenue du Parc Royal, 1020 Laeken"),
    ("Centre culturel de Haren", "Cultureel centrum Haren", "Haren Cultural Centre", "Rue de Cortenbach 1, 1130 Haren"),
]

TOPICS = [
    # FR, NL, EN
    ("la paix au Sahel", "vrede in de Sahel", "peace in the Sahel"),
    ("les femmes médiatrices", "vrouwen als bemiddelaars", "women as mediators"),
    ("la justice climatique", "klimaatrechtvaardigheid", "climate justice"),
    ("les réfugiés à Bruxelles", "vluchtelingen in Brussel", "refugees in Brussels"),
    ("la mémoire coloniale", "het koloniale geheugen", "colonial memory"),
    ("le commerce équitable", "eerlijke handel", "fair trade"),
    ("la réconciliation au Rwanda", "verzoening in Rwanda", "reconciliation in Rwanda"),
    ("la Palestine et Israël", "Palestina en Israël", "Palestine and Israel"),
    ("l'Ukraine", "Oekraïne", "Ukraine"),
    ("les droits humains en Colombie", "mensenrechten in Colombia", "human rights in Colombia"),
    ("la jeunesse et la non-violence", "jongeren en geweldloosheid", "youth and non-violence"),
    ("l'eau comme bien commun", "water als gemeengoed", "water as a common good"),
]

KINDS = {
    # category slug: weight (debates and films dominate a real programme), FR, NL, EN title prefixes
    "debate": (30, "Débat", "Debat", "Debate"),
    "concert": (12, "Concert", "Concert", "Concert"),
    "performance": (12, "Spectacle", "Voorstelling", "Performance"),
    "exhibition": (8, "Exposition", "Tentoonstelling", "Exhibition"),
    "film": (18, "Projection", "Filmvertoning", "Screening"),
    "workshop": (14, "Atelier", "Workshop", "Workshop"),
    "other": (6, "Rencontre", "Ontmoeting", "Meeting"),
}


def tr(field: str, fr: str, nl: str, en: str) -> dict[str, str]:
    """A translated field: the model's own (French, the default language) and one per language."""
    return {field: fr, f"{field}_fr": fr, f"{field}_nl": nl, f"{field}_en": en}


def seed() -> tuple[str, list[int], list[int]]:
    if Edition.objects.exists():
        raise SystemExit("seed.py: the database already holds an edition; seed only a fresh bench database.")
    rng = random.Random(SEED)
    tz = timezone.get_default_timezone()
    # Registration is open: the edition starts a few days from now, like the demo edition.
    starts_on = timezone.localdate() + datetime.timedelta(days=3)
    with transaction.atomic():
        edition = Edition.objects.create(
            **tr("theme", "Construire la paix", "Vrede opbouwen", "Peacebuilding"),
            year=starts_on.year,
            slug=str(starts_on.year),
            starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=13),
            is_current=True,
            is_published=True,
        )
        features = [code for code, _label in Venue.ACCESSIBILITY_FEATURES]
        venues = Venue.objects.bulk_create(
            Venue(
                **tr("name", fr, nl, en),
                address=address,
                latitude=f"{50.80 + rng.random() * 0.1:.6f}",
                longitude=f"{4.30 + rng.random() * 0.1:.6f}",
                capacity=rng.choice([60, 120, 200, 400]),
                accessibility_notes_fr="Entrée par la rue latérale." if index % 3 == 0 else "",
                **{code: rng.random() < 0.6 for code in features},
            )
            for index, (fr, nl, en, address) in enumerate(VENUES[:VENUE_COUNT])
        )
        description = "Une association bruxelloise de solidarité internationale ({})."
        associations = Association.objects.bulk_create(
            Association(
                name=f"Association solidaire {n:02d}",
                description=description.format(n),
                description_fr=description.format(n),
                website=f"https://asso{n:02d}.example.org/",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n:02d}@example.org",
            )
            for n in range(1, ASSOCIATION_COUNT + 1)
        )
        categories = {category.slug: category for category in Category.objects.filter(slug__in=KINDS)}
        slugs, weights = list(KINDS), [kind[0] for kind in KINDS.values()]
        events = []
        for n in range(EVENT_COUNT):
            slug = rng.choices(slugs, weights)[0]
            _weight, kind_fr, kind_nl, kind_en = KINDS[slug]
            topic_fr, topic_nl, topic_en = rng.choice(TOPICS)
            day = starts_on + datetime.timedelta(days=n % 14)
            hour = datetime.time(rng.choice([10, 12, 14, 16, 18, 19, 20]), rng.choice([0, 30]))
            start = datetime.datetime.combine(day, hour, tzinfo=tz)
            # Every registration state the page shows: none, seats left, full with and without a waiting list.
            capacity = None if rng.random() < 0.15 else rng.choice([20, 30, 50, 80, 120, 200])
            roll = rng.random()
            taken = 0 if capacity is None else capacity if roll < 0.10 else rng.randint(0, capacity - 1)
            languages = rng.choice([("fr",), ("nl",), ("en",), ("fr", "nl"), ("fr", "nl", "en"), ("other",), ()])
            title = tr(
                "title",
                f"{kind_fr} : {topic_fr} ({n + 1})",
                f"{kind_nl}: {topic_nl} ({n + 1})",
                f"{kind_en}: {topic_en} ({n + 1})",
            )
            events.append(
                Event(
                    **title,
                    **tr(
                        "summary",
                        f"{kind_fr} autour de {topic_fr}, suivi d'un échange avec le public.",
                        f"{kind_nl} over {topic_nl}, gevolgd door een gesprek met het publiek.",
                        # Some activities have no English summary: the page falls back to French.
                        f"{kind_en} on {topic_en}, followed by a talk with the audience." if n % 4 else "",
                    ),
                    edition=edition,
                    association=rng.choice(associations) if rng.random() < 0.9 else None,
                    category=categories[slug],
                    description_fr=f"Description longue de l'activité {n + 1}. " * 5,
                    **{f"speaks_{code}": code in languages for code in ("fr", "nl", "en", "other")},
                    venue=rng.choice(venues),
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=rng.choice([60, 90, 120, 180])),
                    capacity=capacity,
                    seats_taken=taken,
                    waitlist_enabled=rng.random() < 0.8,
                    status=Event.Status.PUBLISHED,
                )
            )
        # The opening hour's hot activities (the first three days' first events), never full.
        for event in events[:HOT_ACTIVITIES]:
            event.capacity, event.seats_taken = HOT_CAPACITY, 0
        ids = [event.pk for event in Event.objects.bulk_create(events, batch_size=250)]
    summary = (
        f"1 edition, {len(ids)} events ({HOT_ACTIVITIES} of them the opening hour's hot activities, capacity "
        f"{HOT_CAPACITY:,}), {len(venues)} venues, {len(associations)} associations, {len(categories)} categories"
    )
    return summary, ids, ids[:HOT_ACTIVITIES]


def seed_writes() -> tuple[str, dict]:
    """The write scenarios' edition, events, registrations, tickets and door user."""
    rng = random.Random(SEED + 1)
    current = Edition.objects.get(is_current=True)
    now = timezone.now()
    start = datetime.datetime.combine(current.ends_on, datetime.time(20, 0), tzinfo=timezone.get_default_timezone())
    with transaction.atomic():
        edition = Edition.objects.create(
            **tr("theme", "Bench : écritures", "Bench: schrijven", "Bench: writes"),
            year=current.year + 1,
            slug="bench-writes",
            starts_on=current.starts_on,
            ends_on=current.ends_on,
            is_published=True,
        )
        common = {
            "edition": edition,
            "category": Category.objects.get(slug="debate"),
            "venue": Venue.objects.order_by("pk").first(),
            "speaks_en": True,
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=2),
            "waitlist_enabled": True,
            "status": Event.Status.PUBLISHED,
        }
        rush, capacity_check, pgbench, checkin = Event.objects.bulk_create(
            Event(**tr("title", title, title, title), summary_en=title, capacity=capacity, seats_taken=taken, **common)
            for title, capacity, taken in (
                ("Registration rush", RUSH_CAPACITY, 0),
                ("Registration rush, 200 seats", RUSH_CHECK_CAPACITY, 0),
                ("pgbench registrations", PGBENCH_CAPACITY, 0),
                ("Check-in", CHECKIN_REGISTRATIONS, CHECKIN_REGISTRATIONS),
            )
        )
        codes: set[str] = set()
        while len(codes) < CHECKIN_REGISTRATIONS:
            codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
        confirmed = {"event": checkin, "seats": 1, "status": Registration.Status.CONFIRMED, "confirmed_at": now}
        registrations = Registration.objects.bulk_create(
            (
                Registration(
                    name=f"Attendee {n}",
                    email=f"attendee{n}@bench.example.org",
                    code=code,
                    **confirmed,
                    language=("fr", "nl", "en")[n % 3],
                    checked_in_at=now if n < CHECKIN_ALREADY_SCANNED else None,
                )
                for n, code in enumerate(sorted(codes))
            ),
            batch_size=1000,
        )
        door = get_user_model().objects.create_user(DOOR_USERNAME, email="door@bench.example.org")
        door.groups.add(Group.objects.get_or_create(name=DOOR_STAFF)[0])
        token = Token.objects.create(user=door)

    tokens = [make_token(registration) for registration in registrations]
    scanned, spare = tokens[:CHECKIN_ALREADY_SCANNED], tokens[CHECKIN_ALREADY_SCANNED:][:SPARE_TICKETS]
    fresh = tokens[CHECKIN_ALREADY_SCANNED + SPARE_TICKETS :]
    (OUT / "tickets-fresh.txt").write_text("\n".join(fresh) + "\n")
    (OUT / "tickets-scanned.txt").write_text("\n".join(scanned) + "\n")
    facts = {
        "rush_event": rush.pk,
        "capacity_event": capacity_check.pk,
        "pgbench_event": pgbench.pk,
        "checkin_event": checkin.pk,
        "door_token": token.key,
    }
    summary = (
        f"a second published edition, not current, for the write scenarios: an event of capacity {RUSH_CAPACITY:,} "
        f"(registration-rush), one of {RUSH_CHECK_CAPACITY} seats (registration-rush-capacity), one for pgbench, "
        f"a check-in event with {CHECKIN_REGISTRATIONS:,} confirmed registrations ({CHECKIN_ALREADY_SCANNED} "
        f"checked in, {len(fresh):,} fresh tickets for the load, {SPARE_TICKETS} spare); a door-staff user with "
        "an API token"
    )
    tickets = {"fresh": str(OUT / "tickets-fresh.txt"), "scanned": str(OUT / "tickets-scanned.txt"), "spare": spare}
    return summary, {"facts": facts, "capacity": RUSH_CHECK_CAPACITY, "tickets": tickets}


class Booking:
    """One event while its registrations are replayed: seats free, who registered, the waiting list."""

    def __init__(self, event: Event) -> None:
        self.event, self.free, self.people, self.waiting = event, event.capacity, set(), []

    def accepts(self, seats: int, person: int) -> bool:
        """What registration_create allows: one active registration a person, and the group fits
        now or the event has a waiting list."""
        fits = seats <= self.free or self.event.waitlist_enabled
        return person not in self.people and seats <= self.event.capacity and fits

    def promote(self, when: datetime.datetime) -> int:
        """waitlist_promote: in order of arrival, each waiting group that fits the seats free."""
        promoted = [registration for registration in self.waiting if self._fits(registration)]
        for registration in promoted:
            registration.status, registration.confirmed_at = Registration.Status.CONFIRMED, when
            self.waiting.remove(registration)
        return len(promoted)

    def _fits(self, registration: Registration) -> bool:
        if registration.seats > self.free:
            return False
        self.free -= registration.seats
        return True


def seed_registrations(hot_ids: list[int]) -> str:
    """The current edition's REGISTRATIONS registrations, replayed in order of time as the
    services would have made them. They arrive over the REGISTRATION_DAYS before now (a rush
    when registration opens, then more and more as the fortnight nears), each by one of PEOPLE
    people on an event drawn by its popularity among those that would take it (a full event
    without a waiting list sends the visitor to another): confirmed while the seats last, else
    waitlisted. Some are cancelled later (by their attendee, a few by an organiser), which
    frees seats and promotes the waiting list. Then the check-ins, the bulk inserts, each
    event's seats taken set to its confirmed seats, and VACUUM ANALYZE (what autovacuum would
    otherwise do while the first rows are measured)."""
    rng = random.Random(SEED + 3)
    now = timezone.now()
    opened = now - datetime.timedelta(days=REGISTRATION_DAYS)
    span = (now - opened).total_seconds() - 60
    events = list(Event.objects.filter(edition__is_current=True, capacity__isnull=False).order_by("pk"))
    bookings = [Booking(event) for event in events]
    # Popularity: about the room's size (a big hall for a big name) times a lognormal spread; the
    # three hot activities share HOT_SHARE of the registrations.
    hot = [event.pk in hot_ids for event in events]
    weights = [0 if rng.random() < UNBOOKED_SHARE else e.capacity * rng.lognormvariate(0, 0.5) for e in events]
    hot_weight = sum(weights[n] for n in range(len(events)) if not hot[n]) * HOT_SHARE / (1 - HOT_SHARE) / sum(hot)
    weights = [hot_weight if hot[n] else weights[n] for n in range(len(events))]
    cumulative = list(itertools.accumulate(weights))
    languages = rng.choices(*LANGUAGES, k=PEOPLE)

    def arrival() -> float:
        """Seconds after registration opened."""
        if rng.random() < 0.25:  # the first days' rush
            return min(rng.expovariate(1 / (1.5 * 86400)), span)
        return span * math.sqrt(rng.random())  # then a density that grows until now

    def moment(seconds: float) -> datetime.datetime:
        return opened + datetime.timedelta(seconds=seconds)

    registrations: list[Registration] = []
    cancellations: list[tuple[float, int, int]] = []  # a heap: (when, registration's index, booking's)
    promoted = 0
    for at in sorted(arrival() for _ in range(REGISTRATIONS)):
        while cancellations and cancellations[0][0] <= at:
            when, index, b = heapq.heappop(cancellations)
            promoted += cancel(registrations[index], bookings[b], moment(when), rng)
        seats = rng.choices(*SEATS_ASKED)[0]
        while True:
            b, person = rng.choices(range(len(bookings)), cum_weights=cumulative)[0], rng.randrange(PEOPLE)
            if bookings[b].accepts(seats, person):
                break
        booking, when = bookings[b], moment(at)
        confirmed = seats <= booking.free
        registration = Registration(
            event=booking.event,
            name=f"Visitor {person}",
            email=f"visitor{person}@bench.example.org",
            seats=seats,
            language=languages[person],
            status=Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED,
            code="",
            created_at=when,
            confirmed_at=when if confirmed else None,
        )
        if confirmed:
            booking.free -= seats
        else:
            booking.waiting.append(registration)
        booking.people.add(person)
        if rng.random() < (CANCEL_CONFIRMED if confirmed else CANCEL_WAITING):
            later = at + rng.expovariate(1 / (CANCEL_DELAY_DAYS * 86400))
            if later < span:
                heapq.heappush(cancellations, (later, len(registrations), b))
        registrations.append(registration)
    while cancellations:
        when, index, b = heapq.heappop(cancellations)
        promoted += cancel(registrations[index], bookings[b], moment(when), rng)

    # The edition has not begun (registration is open, as the opening hour needs), so these
    # check-ins are ahead of their time: the dashboard sums them as it would real ones.
    first_days = Edition.objects.get(is_current=True).starts_on + datetime.timedelta(days=CHECKIN_DAYS)
    checkin_until = datetime.datetime.combine(first_days, datetime.time(), tzinfo=timezone.get_default_timezone())
    for registration in registrations:
        event = registration.event
        confirmed = registration.status == Registration.Status.CONFIRMED
        if confirmed and event.starts_at < checkin_until and rng.random() < CHECKIN_SHARE:
            registration.checked_in_at = event.starts_at - datetime.timedelta(minutes=rng.uniform(0, 30))
    taken = set(Registration.objects.values_list("code", flat=True))  # the check-in event's
    for registration in registrations:
        while not registration.code or registration.code in taken:
            registration.code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken.add(registration.code)

    created_at = Registration._meta.get_field("created_at")
    with transaction.atomic():
        created_at.auto_now_add = False  # keep the replayed times (mail.py updates them instead)
        try:
            Registration.objects.bulk_create(registrations, batch_size=2000)
        finally:
            created_at.auto_now_add = True
        for booking in bookings:
            booking.event.seats_taken = booking.event.capacity - booking.free
        Event.objects.bulk_update(events, ["seats_taken"], batch_size=500)
    with connection.cursor() as cursor:
        for model in (Registration, Event):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    others = [booking for booking in bookings if booking.event.pk not in hot_ids]
    return registrations_summary(registrations, others, promoted)


def cancel(registration: Registration, booking: Booking, when: datetime.datetime, rng: random.Random) -> int:
    """registration_cancel, replayed: the seats freed, the waiting list promoted (how many)."""
    if registration.status == Registration.Status.CONFIRMED:
        booking.free += registration.seats
    else:
        booking.waiting.remove(registration)
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, when
    by = Registration.CancelledBy.ORGANISER if rng.random() < 0.05 else Registration.CancelledBy.ATTENDEE
    registration.cancelled_by = by
    return booking.promote(when)


def registrations_summary(registrations: list[Registration], with_seats: list[Booking], promoted: int) -> str:
    """What RESULTS.md's Data line says of them; `with_seats`: the events taking registrations but the hot ones."""
    by_status = dict.fromkeys(Registration.Status, 0)
    for registration in registrations:
        by_status[registration.status] += 1
    confirmed_seats = sum(registration.seats for registration in registrations if registration.status == "confirmed")
    checked_in = sum(1 for registration in registrations if registration.checked_in_at)
    full = sum(1 for booking in with_seats if booking.free == 0)
    waiting = sum(1 for booking in with_seats if booking.waiting)
    unbooked = sum(1 for booking in with_seats if not booking.people)
    days = len({timezone.localdate(registration.created_at) for registration in registrations})
    summary = (
        f"{len(registrations):,} registrations on the current edition, made by {PEOPLE:,} people over the "
        f"{days} days before the run: {by_status['confirmed']:,} confirmed ({confirmed_seats:,} seats, "
        f"{checked_in:,} of them checked in), {by_status['waitlisted']:,} waitlisted, {by_status['cancelled']:,} "
        f"cancelled ({promoted:,} promoted from a waiting list); of the {len(with_seats)} other events taking "
        f"registrations {full} full, {waiting} with people waiting, {unbooked} with none booked; an organiser "
        "with an API token and a logged-in session"
    )
    return summary


def seed_organiser() -> dict:
    """An organiser with an API token (stats-api) and a logged-in session (dashboard): the
    session a login would have made, in the session store, its cookie for wrk's header."""
    organiser = get_user_model().objects.create_user(ORGANISER_USERNAME, email="organiser@bench.example.org")
    organiser.groups.add(Group.objects.get(name=ORGANISERS))
    token = Token.objects.create(user=organiser)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = organiser._meta.pk.value_to_string(organiser)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = organiser.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return {"organiser_token": token.key, "organiser_cookie": cookie}


def activity_pages(ids: list[int], hot: list[int]) -> list[str]:
    """The opening hour's activity pages, in the order wrk cycles through them: 30 % on the
    hot activities (everyone looks at those), the rest over all events, in the three languages."""
    rng = random.Random(SEED + 2)
    pick = [rng.choice(hot) if rng.random() < 0.3 else rng.choice(ids) for _ in range(ACTIVITY_PAGES)]
    return [f"/{rng.choice(('fr', 'nl', 'en'))}/events/{pk}/" for pk in pick]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    current, ids, hot = seed()
    writes, seeded = seed_writes()
    registrations = seed_registrations(hot)
    seeded["facts"].update({f"hot_{n}": pk for n, pk in enumerate(hot, 1)}, activity_pages=activity_pages(ids, hot))
    seeded["facts"].update(seed_organiser(), edition=Edition.objects.get(is_current=True).slug)
    (OUT / "seed.json").write_text(json.dumps(seeded, indent=2))
    print(f"seeded: {current}; {registrations}; plus {writes}")


if __name__ == "__main__":
    main()
