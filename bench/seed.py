"""Seed the benchmark database: one current, published edition with exactly 500 published events.

Run by bench/run.py through Django (the environment names the bench database):

    .venv/bin/python bench/seed.py

Deterministic (fixed random seed), bulk inserts only, so it takes a few seconds.
Refuses to run on a database that already holds an edition: it is meant for the
freshly created `fortnight_bench` database, never for real data.

For the write scenarios it adds a second, published edition that is not the
current one (so the programme still shows exactly 500 events) holding:

- the hot event of registration-rush (capacity 1,000,000: it stays open);
- the event of registration-rush-capacity (200 seats, unlimited waiting list);
- the event pgbench registers for (registration-ceiling-pgbench);
- the check-in event: 5,000 confirmed registrations of one seat (seats taken
  5,000), 500 of them already checked in, and the ticket token of each, made
  with registrations.tickets.make_token;
- a door-staff user (group "Door staff") with a DRF API token.

It writes what the scenarios need to bench/out/: seed.json (the ids, the token,
three spare tickets for the one-off requests of run.py and queries.py) and the
tickets, one a line: tickets-fresh.txt (never scanned) and tickets-scanned.txt.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"

EVENT_COUNT = 500
VENUE_COUNT = 10
ASSOCIATION_COUNT = 40
SEED = 2024

RUSH_CAPACITY = 1_000_000
RUSH_CHECK_CAPACITY = 200
PGBENCH_CAPACITY = 10_000_000
CHECKIN_REGISTRATIONS = 5_000
CHECKIN_ALREADY_SCANNED = 500
SPARE_TICKETS = 3
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
    # category slug -> (FR, NL, EN) title prefixes
    "debate": ("Débat", "Debat", "Debate"),
    "concert": ("Concert", "Concert", "Concert"),
    "performance": ("Spectacle", "Voorstelling", "Performance"),
    "exhibition": ("Exposition", "Tentoonstelling", "Exhibition"),
    "film": ("Projection", "Filmvertoning", "Screening"),
    "workshop": ("Atelier", "Workshop", "Workshop"),
    "other": ("Rencontre", "Ontmoeting", "Meeting"),
}
# Debates and films dominate a real programme; exhibitions and "other" are rarer.
CATEGORY_WEIGHTS = {
    "debate": 30,
    "concert": 12,
    "performance": 12,
    "exhibition": 8,
    "film": 18,
    "workshop": 14,
    "other": 6,
}


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")
    import django

    django.setup()


def seed() -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from programme.models import Association, Category, Edition, Event, Venue

    if Edition.objects.exists():
        raise SystemExit("seed.py: the database already holds an edition; seed only a fresh bench database.")

    rng = random.Random(SEED)
    tz = timezone.get_default_timezone()
    # Registration is open: the edition starts a few days from now, like the demo edition.
    starts_on = timezone.localdate() + datetime.timedelta(days=3)
    ends_on = starts_on + datetime.timedelta(days=13)

    with transaction.atomic():
        edition = Edition.objects.create(
            year=starts_on.year,
            slug=str(starts_on.year),
            theme="Construire la paix",
            theme_fr="Construire la paix",
            theme_nl="Vrede opbouwen",
            theme_en="Peacebuilding",
            starts_on=starts_on,
            ends_on=ends_on,
            is_current=True,
            is_published=True,
        )
        features = [code for code, _label in Venue.ACCESSIBILITY_FEATURES]
        venues = Venue.objects.bulk_create(
            Venue(
                name=fr,
                name_fr=fr,
                name_nl=nl,
                name_en=en,
                address=address,
                latitude=f"{50.80 + rng.random() * 0.1:.6f}",
                longitude=f"{4.30 + rng.random() * 0.1:.6f}",
                capacity=rng.choice([60, 120, 200, 400]),
                accessibility_notes_fr="Entrée par la rue latérale." if index % 3 == 0 else "",
                **{code: rng.random() < 0.6 for code in features},
            )
            for index, (fr, nl, en, address) in enumerate(VENUES[:VENUE_COUNT])
        )
        associations = Association.objects.bulk_create(
            Association(
                name=f"Association solidaire {n:02d}",
                description=f"Une association bruxelloise de solidarité internationale ({n}).",
                description_fr=f"Une association bruxelloise de solidarité internationale ({n}).",
                website=f"https://asso{n:02d}.example.org/",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n:02d}@example.org",
            )
            for n in range(1, ASSOCIATION_COUNT + 1)
        )
        categories = {category.slug: category for category in Category.objects.all()}
        missing = set(KINDS) - set(categories)
        if missing:
            raise SystemExit(f"seed.py: categories missing after migrate: {sorted(missing)}")
        slugs = list(CATEGORY_WEIGHTS)
        weights = [CATEGORY_WEIGHTS[slug] for slug in slugs]

        events = []
        for n in range(EVENT_COUNT):
            slug = rng.choices(slugs, weights)[0]
            kind_fr, kind_nl, kind_en = KINDS[slug]
            topic_fr, topic_nl, topic_en = rng.choice(TOPICS)
            day = starts_on + datetime.timedelta(days=n % 14)
            start = datetime.datetime.combine(
                day, datetime.time(rng.choice([10, 12, 14, 16, 18, 19, 20]), rng.choice([0, 30])), tzinfo=tz
            )
            # A mix of every registration state the page shows: no registration,
            # seats left, full with a waiting list, full without one.
            capacity = None if rng.random() < 0.15 else rng.choice([20, 30, 50, 80, 120, 200])
            roll = rng.random()
            if capacity is None:
                taken = 0
            elif roll < 0.10:
                taken = capacity
            else:
                taken = rng.randint(0, capacity - 1)
            languages = rng.choice([("fr",), ("nl",), ("en",), ("fr", "nl"), ("fr", "nl", "en"), ("other",), ()])
            title_fr = f"{kind_fr} : {topic_fr} ({n + 1})"
            summary_fr = f"{kind_fr} autour de {topic_fr}, suivi d'un échange avec le public."
            events.append(
                Event(
                    edition=edition,
                    association=rng.choice(associations) if rng.random() < 0.9 else None,
                    category=categories[slug],
                    title=title_fr,
                    title_fr=title_fr,
                    title_nl=f"{kind_nl}: {topic_nl} ({n + 1})",
                    title_en=f"{kind_en}: {topic_en} ({n + 1})",
                    summary=summary_fr,
                    summary_fr=summary_fr,
                    summary_nl=f"{kind_nl} over {topic_nl}, gevolgd door een gesprek met het publiek.",
                    # Some activities have no English summary: the page falls back to French.
                    summary_en=f"{kind_en} on {topic_en}, followed by a talk with the audience." if n % 4 else "",
                    description_fr=f"Description longue de l'activité {n + 1}. " * 5,
                    speaks_fr="fr" in languages,
                    speaks_nl="nl" in languages,
                    speaks_en="en" in languages,
                    speaks_other="other" in languages,
                    venue=rng.choice(venues),
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=rng.choice([60, 90, 120, 180])),
                    capacity=capacity,
                    seats_taken=taken,
                    waitlist_enabled=rng.random() < 0.8,
                    status=Event.Status.PUBLISHED,
                )
            )
        Event.objects.bulk_create(events, batch_size=250)

    published = Event.objects.filter(edition=edition, status=Event.Status.PUBLISHED).count()
    if published != EVENT_COUNT:
        raise SystemExit(f"seed.py: expected {EVENT_COUNT} published events, found {published}")
    return {
        "editions": Edition.objects.count(),
        "events": published,
        "venues": Venue.objects.count(),
        "associations": Association.objects.count(),
        "categories": Category.objects.filter(events__edition=edition).distinct().count(),
    }


def seed_writes(out: Path) -> str:
    """The side edition of the write scenarios; writes seed.json and the ticket files into `out`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from programme.models import Category, Edition, Event, Venue
    from programme.roles import DOOR_STAFF
    from registrations.models import CODE_ALPHABET, CODE_LENGTH, Registration
    from registrations.tickets import make_token

    rng = random.Random(SEED + 1)
    tz = timezone.get_default_timezone()
    current = Edition.objects.get(is_current=True)
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.create(
            year=current.year + 1,
            slug="bench-writes",
            theme="Bench: writes",
            theme_fr="Bench : écritures",
            theme_nl="Bench: schrijven",
            theme_en="Bench: writes",
            starts_on=current.starts_on,
            ends_on=current.ends_on,
            is_current=False,
            is_published=True,
        )
        venue = Venue.objects.order_by("pk").first()
        category = Category.objects.get(slug="debate")
        start = datetime.datetime.combine(current.ends_on, datetime.time(20, 0), tzinfo=tz)

        def event(title: str, capacity: int, seats_taken: int = 0) -> Event:
            return Event(
                edition=edition,
                category=category,
                venue=venue,
                title=title,
                title_fr=title,
                title_nl=title,
                title_en=title,
                summary_en=title,
                speaks_en=True,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                capacity=capacity,
                seats_taken=seats_taken,
                waitlist_enabled=True,
                status=Event.Status.PUBLISHED,
            )

        rush, capacity_check, pgbench, checkin = Event.objects.bulk_create(
            [
                event("Registration rush", RUSH_CAPACITY),
                event("Registration rush, 200 seats", RUSH_CHECK_CAPACITY),
                event("pgbench registrations", PGBENCH_CAPACITY),
                event("Check-in", CHECKIN_REGISTRATIONS, seats_taken=CHECKIN_REGISTRATIONS),
            ]
        )

        codes: set[str] = set()
        while len(codes) < CHECKIN_REGISTRATIONS:
            codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
        registrations = Registration.objects.bulk_create(
            [
                Registration(
                    event=checkin,
                    name=f"Attendee {n}",
                    email=f"attendee{n}@bench.example.org",
                    seats=1,
                    language=("fr", "nl", "en")[n % 3],
                    status=Registration.Status.CONFIRMED,
                    code=code,
                    confirmed_at=now,
                    checked_in_at=now if n < CHECKIN_ALREADY_SCANNED else None,
                )
                for n, code in enumerate(sorted(codes))
            ],
            batch_size=1000,
        )

        door = get_user_model().objects.create_user(DOOR_USERNAME, email="door@bench.example.org")
        door.groups.add(Group.objects.get_or_create(name=DOOR_STAFF)[0])
        token = Token.objects.create(user=door)

    tokens = [make_token(registration) for registration in registrations]
    scanned = tokens[:CHECKIN_ALREADY_SCANNED]
    spare = tokens[CHECKIN_ALREADY_SCANNED : CHECKIN_ALREADY_SCANNED + SPARE_TICKETS]
    fresh = tokens[CHECKIN_ALREADY_SCANNED + SPARE_TICKETS :]
    confirmed = Registration.objects.filter(event=checkin, status=Registration.Status.CONFIRMED).count()
    checkin.refresh_from_db(fields=["seats_taken"])
    if confirmed != CHECKIN_REGISTRATIONS or checkin.seats_taken != confirmed:
        raise SystemExit(f"seed.py: check-in event has {confirmed} confirmed, {checkin.seats_taken} seats taken")

    out.mkdir(exist_ok=True)
    (out / "tickets-fresh.txt").write_text("\n".join(fresh) + "\n")
    (out / "tickets-scanned.txt").write_text("\n".join(scanned) + "\n")
    facts = {
        "rush_event": rush.pk,
        "capacity_event": capacity_check.pk,
        "pgbench_event": pgbench.pk,
        "checkin_event": checkin.pk,
        "door_token": token.key,
    }
    (out / "seed.json").write_text(
        json.dumps(
            {
                "facts": facts,
                "capacity_event_capacity": RUSH_CHECK_CAPACITY,
                "tickets": {
                    "fresh": str(out / "tickets-fresh.txt"),
                    "scanned": str(out / "tickets-scanned.txt"),
                    "spare": spare,
                },
            },
            indent=2,
        )
    )
    return (
        f"a second published edition, not current, for the write scenarios: a hot event of capacity "
        f"{RUSH_CAPACITY:,} (registration-rush), one of {RUSH_CHECK_CAPACITY} seats "
        f"(registration-rush-capacity), one for pgbench, and a check-in event with {CHECKIN_REGISTRATIONS:,} "
        f"confirmed registrations ({CHECKIN_ALREADY_SCANNED} already checked in, {len(fresh):,} fresh tickets "
        f"for the load, {SPARE_TICKETS} spare), tokens made with make_token; a door-staff user with an API token"
    )


def main() -> None:
    setup_django()
    counts = seed()
    writes = seed_writes(OUT)
    singular = {"editions": "edition", "events": "event", "venues": "venue", "associations": "association"}
    singular["categories"] = "category"
    current = ", ".join(f"{n} {name if n != 1 else singular[name]}" for name, n in counts.items())
    print(f"seeded: {current}; plus {writes}")


if __name__ == "__main__":
    main()
