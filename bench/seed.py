"""Seed the freshly created `fortnight_bench` database, through Django (run.py runs it).

Fixed random seed, bulk inserts; what the scenarios need goes to bench/out/ (seed.json:
ids, token, the opening hour's activity pages, spare tickets; the ticket files).
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)
from __future__ import annotations

import datetime
import json
import os
import random
import sys
from pathlib import Path

import django

OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(OUT.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from programme.models import Association, Category, Edition, Event, Venue
from programme.roles import DOOR_STAFF
from registrations.models import CODE_ALPHABET, CODE_LENGTH, Registration
from registrations.tickets import make_token

SEED, EVENT_COUNT, VENUE_COUNT, ASSOCIATION_COUNT = 2024, 500, 10, 40
HOT_ACTIVITIES, HOT_CAPACITY, ACTIVITY_PAGES = 3, 100_000, 600
RUSH_CAPACITY, RUSH_CHECK_CAPACITY, PGBENCH_CAPACITY = 1_000_000, 200, 10_000_000
CHECKIN_REGISTRATIONS, CHECKIN_ALREADY_SCANNED, SPARE_TICKETS = 5_000, 500, 3
DOOR_USERNAME = "bench-door"

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
    seeded["facts"].update({f"hot_{n}": pk for n, pk in enumerate(hot, 1)}, activity_pages=activity_pages(ids, hot))
    (OUT / "seed.json").write_text(json.dumps(seeded, indent=2))
    print(f"seeded: {current}; plus {writes}")


if __name__ == "__main__":
    main()
