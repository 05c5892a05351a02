"""The demo edition's content, loaded by `manage.py load_demo`.

Texts are (FR, NL, EN) triples. Dates are relative: an event's `day` counts
from the edition's first day and its `start` is a local time in Brussels, so
the command can move the whole programme with the day it runs.

Venues are real Brussels places with their real addresses and approximate
coordinates; their capacities and accessibility are plausible, not official.
Associations are real organisations, but every contact person and e-mail
address here is made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from .roles import DOOR_STAFF, ORGANISERS

#: (French, Dutch, English)
Text = tuple[str, str, str]

LANGUAGES = ("fr", "nl", "en")

EDITION_SLUG = "demo"
EDITION_THEME: Text = ("Construction de la paix", "Vredesopbouw", "Peacebuilding")
EDITION_DAYS = 14
#: The first day is this many days after the day the demo is loaded.
EDITION_STARTS_IN_DAYS = 3
#: The call for proposals opened this many days before the first day and closes the evening before it.
CALL_OPENS_DAYS_BEFORE = 60
REMINDER_OFFSETS = [48, 3]


@dataclass(frozen=True)
class DemoVenue:
    name: Text
    address: str
    latitude: str
    longitude: str
    capacity: int
    step_free_access: bool
    accessible_toilet: bool
    hearing_loop: bool
    accessible_seating: bool
    quiet_room: bool
    accessibility_notes: Text = ("", "", "")


@dataclass(frozen=True)
class DemoAssociation:
    name: str
    description: Text
    website: str
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class DemoEvent:
    day: int
    start: str
    minutes: int
    category: str
    venue: str
    association: str | None
    title: Text
    summary: Text
    #: Languages spoken, among "fr", "nl", "en", "other"; none at all: no spoken language needed.
    languages: tuple[str, ...]
    #: None: no registration needed.
    capacity: int | None
    max_seats: int = 4
    waitlist: bool = True
    status: str = "published"
    #: Registration opens this many days before the event (None: as soon as it is published).
    registration_opens_days_before: int | None = None
    #: Registration closes this many hours before the event (None: when it starts).
    registration_closes_hours_before: int | None = None


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    email: str
    is_staff: bool = False
    group: str | None = None
    association: str | None = None


VENUES: dict[str, DemoVenue] = {
    "bozar": DemoVenue(
        name=("Bozar — Palais des Beaux-Arts", "Bozar — Paleis voor Schone Kunsten", "Bozar — Centre for Fine Arts"),
        address="Rue Ravenstein 23, 1000 Bruxelles",
        latitude="50.844160",
        longitude="4.360090",
        capacity=2100,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
        accessible_seating=True,
        quiet_room=False,
        accessibility_notes=(
            "Entrée accessible rue Baron Horta ; ascenseurs vers toutes les salles.",
            "Toegankelijke ingang in de Baron Hortastraat; liften naar alle zalen.",
            "Step-free entrance on Rue Baron Horta; lifts to every hall.",
        ),
    ),
    "beurs": DemoVenue(
        name=("Beursschouwburg", "Beursschouwburg", "Beursschouwburg"),
        address="Rue Auguste Orts 20-28, 1000 Bruxelles",
        latitude="50.848550",
        longitude="4.348450",
        capacity=400,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=True,
        quiet_room=False,
    ),
    "kaai": DemoVenue(
        name=("Kaaitheater", "Kaaitheater", "Kaaitheater"),
        address="Square Sainctelette 20, 1000 Bruxelles",
        latitude="50.859500",
        longitude="4.347900",
        capacity=600,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
        accessible_seating=True,
        quiet_room=False,
    ),
    "national": DemoVenue(
        name=(
            "Théâtre National Wallonie-Bruxelles",
            "Théâtre National Wallonie-Bruxelles",
            "Théâtre National Wallonie-Bruxelles",
        ),
        address="Boulevard Émile Jacqmain 111-115, 1000 Bruxelles",
        latitude="50.855800",
        longitude="4.354400",
        capacity=750,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
        accessible_seating=True,
        quiet_room=False,
    ),
    "tricoterie": DemoVenue(
        name=("La Tricoterie", "La Tricoterie", "La Tricoterie"),
        address="Rue Théodore Verhaegen 158, 1060 Saint-Gilles",
        latitude="50.827600",
        longitude="4.341800",
        capacity=300,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=False,
        quiet_room=True,
        accessibility_notes=(
            "Salle de plain-pied ; pas de places réservées aux fauteuils roulants, prévenez-nous.",
            "Zaal gelijkvloers; geen vaste rolstoelplaatsen, laat het ons weten.",
            "Ground-floor hall; no set wheelchair spaces, let us know you are coming.",
        ),
    ),
    "mccs": DemoVenue(
        name=(
            "Maison des Cultures et de la Cohésion sociale de Molenbeek",
            "Huis van Culturen en Sociale Samenhang van Molenbeek",
            "Molenbeek House of Cultures and Social Cohesion",
        ),
        address="Rue Mommaerts 4, 1080 Molenbeek-Saint-Jean",
        latitude="50.857000",
        longitude="4.336900",
        capacity=180,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=True,
        quiet_room=True,
    ),
    "piano": DemoVenue(
        name=("Pianofabriek", "Pianofabriek", "Pianofabriek"),
        address="Rue du Fort 35, 1060 Saint-Gilles",
        latitude="50.829700",
        longitude="4.344900",
        capacity=200,
        step_free_access=False,
        accessible_toilet=False,
        hearing_loop=False,
        accessible_seating=False,
        quiet_room=True,
        accessibility_notes=(
            "Ateliers au premier étage, accessibles par un escalier seulement.",
            "Workshops op de eerste verdieping, enkel bereikbaar via een trap.",
            "Workshops on the first floor, reached by stairs only.",
        ),
    ),
    "galeries": DemoVenue(
        name=("Cinéma Galeries", "Cinema Galeries", "Cinéma Galeries"),
        address="Galerie de la Reine 26, 1000 Bruxelles",
        latitude="50.847600",
        longitude="4.354800",
        capacity=180,
        step_free_access=False,
        accessible_toilet=False,
        hearing_loop=True,
        accessible_seating=False,
        quiet_room=False,
        accessibility_notes=(
            "La salle se trouve au sous-sol, accessible par un escalier.",
            "De zaal ligt in de kelder en is bereikbaar via een trap.",
            "The screen is in the basement, reached by stairs.",
        ),
    ),
    "hdv": DemoVenue(
        name=("Hôtel de Ville de Bruxelles", "Stadhuis van Brussel", "Brussels City Hall"),
        address="Grand-Place 1, 1000 Bruxelles",
        latitude="50.846500",
        longitude="4.351900",
        capacity=250,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=True,
        quiet_room=False,
        accessibility_notes=(
            "Pavés sur la Grand-Place ; ascenseur vers les salles d'apparat.",
            "Kasseien op de Grote Markt; lift naar de feestzalen.",
            "Cobblestones on the Grand-Place; a lift to the state rooms.",
        ),
    ),
    "magh": DemoVenue(
        name=("Espace Magh", "Espace Magh", "Espace Magh"),
        address="Rue du Poinçon 17, 1000 Bruxelles",
        latitude="50.844300",
        longitude="4.347800",
        capacity=200,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=True,
        quiet_room=False,
    ),
    "markten": DemoVenue(
        name=("De Markten", "De Markten", "De Markten"),
        address="Rue du Vieux Marché aux Grains 5, 1000 Bruxelles",
        latitude="50.849400",
        longitude="4.347600",
        capacity=150,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=True,
        quiet_room=False,
    ),
    "mundob": DemoVenue(
        name=("Mundo-B", "Mundo-B", "Mundo-B"),
        address="Rue d'Édimbourg 26, 1050 Ixelles",
        latitude="50.836000",
        longitude="4.363300",
        capacity=80,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=False,
        accessible_seating=False,
        quiet_room=True,
    ),
}

CNCD = "CNCD-11.11.11"
ONZE = "11.11.11"
OXFAM = "Oxfam Belgique"
AMNESTY = "Amnesty International Belgique francophone"
MDM = "Médecins du Monde"
BD = "Broederlijk Delen"
EF = "Entraide et Fraternité"
JP = "Justice et Paix"
PAX = "Pax Christi Vlaanderen"
VREDESACTIE = "Vredesactie"
BPA = "Brussels Platform Armoede"
GRIP = "GRIP — Groupe de recherche et d'information sur la paix et la sécurité"

ASSOCIATIONS: tuple[DemoAssociation, ...] = (
    DemoAssociation(
        name=CNCD,
        description=(
            "Coupole des ONG de développement et des associations de solidarité internationale francophones et "
            "germanophones de Belgique.",
            "Koepel van de Franstalige en Duitstalige ngo's en verenigingen voor internationale solidariteit in "
            "België.",
            "Umbrella of Belgium's French- and German-speaking development NGOs and international solidarity groups.",
        ),
        website="https://www.cncd.be",
        contact_name="Camille Lambert",
        contact_email="cncd@example.org",
    ),
    DemoAssociation(
        name=ONZE,
        description=(
            "Coupole du mouvement Nord-Sud flamand : campagnes, plaidoyer et soutien à des partenaires dans le Sud.",
            "Koepel van de Vlaamse Noord-Zuidbeweging: campagnes, beleidswerk en steun aan partners in het Zuiden.",
            "Umbrella of the Flemish North-South movement: campaigns, advocacy and support for partners in the South.",
        ),
        website="https://11.be",
        contact_name="Lotte Peeters",
        contact_email="elf@example.org",
    ),
    DemoAssociation(
        name=OXFAM,
        description=(
            "Lutte contre les inégalités et la pauvreté, ici et dans le monde, avec des partenaires de terrain.",
            "Strijdt tegen ongelijkheid en armoede, hier en wereldwijd, samen met partners ter plaatse.",
            "Fights inequality and poverty, here and around the world, with partners on the ground.",
        ),
        website="https://www.oxfambelgique.be",
        contact_name="Nadia Benali",
        contact_email="oxfam@example.org",
    ),
    DemoAssociation(
        name=AMNESTY,
        description=(
            "Mouvement mondial de défense des droits humains : enquêtes, campagnes et actions urgentes.",
            "Wereldwijde mensenrechtenbeweging: onderzoek, campagnes en dringende acties.",
            "A worldwide human rights movement: research, campaigns and urgent actions.",
        ),
        website="https://www.amnesty.be",
        contact_name="Julien Moreau",
        contact_email="amnesty@example.org",
    ),
    DemoAssociation(
        name=MDM,
        description=(
            "Soigne les personnes exclues des soins, à Bruxelles comme dans les zones de crise et de conflit.",
            "Verzorgt mensen zonder toegang tot zorg, in Brussel en in crisis- en conflictgebieden.",
            "Cares for people shut out of health care, in Brussels and in crisis and conflict zones.",
        ),
        website="https://www.medecinsdumonde.be",
        contact_name="Sarah Dupont",
        contact_email="mdm@example.org",
    ),
    DemoAssociation(
        name=BD,
        description=(
            "ONG flamande qui soutient des communautés paysannes et des initiatives de paix en Afrique, en Amérique "
            "latine et au Moyen-Orient.",
            "Vlaamse ngo die boerengemeenschappen en vredesinitiatieven steunt in Afrika, Latijns-Amerika en het "
            "Midden-Oosten.",
            "Flemish NGO supporting farming communities and peace initiatives in Africa, Latin America and the "
            "Middle East.",
        ),
        website="https://www.broederlijkdelen.be",
        contact_name="Pieter Janssens",
        contact_email="broederlijkdelen@example.org",
    ),
    DemoAssociation(
        name=EF,
        description=(
            "ONG qui soutient des organisations paysannes du Sud et sensibilise à la solidarité en Belgique "
            "francophone.",
            "Ngo die boerenorganisaties in het Zuiden steunt en in Franstalig België sensibiliseert rond solidariteit.",
            "NGO supporting farmers' organisations in the South and raising awareness of solidarity in "
            "French-speaking Belgium.",
        ),
        website="https://www.entraide.be",
        contact_name="Thomas Renard",
        contact_email="entraide@example.org",
    ),
    DemoAssociation(
        name=JP,
        description=(
            "Association d'éducation permanente qui travaille sur les conflits, la paix et les droits humains.",
            "Vereniging voor volwasseneneducatie rond conflicten, vrede en mensenrechten.",
            "An adult-education association working on conflict, peace and human rights.",
        ),
        website="https://www.justicepaix.be",
        contact_name="Amélie Fontaine",
        contact_email="justicepaix@example.org",
    ),
    DemoAssociation(
        name=PAX,
        description=(
            "Mouvement de paix flamand : éducation à la paix, dialogue interreligieux et plaidoyer.",
            "Vlaamse vredesbeweging: vredeseducatie, interreligieuze dialoog en beleidswerk.",
            "Flemish peace movement: peace education, interfaith dialogue and advocacy.",
        ),
        website="https://www.paxchristi.be",
        contact_name="Hanne De Smet",
        contact_email="paxchristi@example.org",
    ),
    DemoAssociation(
        name=VREDESACTIE,
        description=(
            "Organisation antimilitariste qui forme à l'action non violente et mène campagne contre le commerce des "
            "armes.",
            "Antimilitaristische organisatie die traint in geweldloze actie en campagne voert tegen wapenhandel.",
            "Antimilitarist organisation training people in nonviolent action and campaigning against the arms trade.",
        ),
        website="https://www.vredesactie.be",
        contact_name="Jonas Wouters",
        contact_email="vredesactie@example.org",
    ),
    DemoAssociation(
        name=BPA,
        description=(
            "Réseau bruxellois d'associations et de personnes en situation de pauvreté.",
            "Brussels netwerk van verenigingen en mensen in armoede.",
            "A Brussels network of associations and people living in poverty.",
        ),
        website="https://www.brusselsplatformarmoede.be",
        contact_name="Fatima El Idrissi",
        contact_email="armoede@example.org",
    ),
    DemoAssociation(
        name=GRIP,
        description=(
            "Institut de recherche indépendant sur les armements, la prévention des conflits et la sécurité.",
            "Onafhankelijk onderzoeksinstituut over bewapening, conflictpreventie en veiligheid.",
            "An independent research institute on armament, conflict prevention and security.",
        ),
        website="https://grip.org",
        contact_name="Marc Lejeune",
        contact_email="grip@example.org",
    ),
)

#: Per category, a paragraph added to every event's description.
CATEGORY_TEXT: dict[str, Text] = {
    "debate": (
        "Les intervenants échangent pendant une heure, puis la parole est à la salle.",
        "De sprekers gaan een uur in gesprek, daarna is het woord aan de zaal.",
        "The speakers talk for an hour, then the floor is open to the audience.",
    ),
    "concert": (
        "Un concert pour toutes et tous, sans paroles à comprendre pour l'apprécier.",
        "Een concert voor iedereen: je hoeft geen taal te begrijpen om ervan te genieten.",
        "A concert for everyone: no language needed to enjoy it.",
    ),
    "performance": (
        "Un spectacle suivi d'une courte rencontre avec les artistes.",
        "Een voorstelling, gevolgd door een kort gesprek met de artiesten.",
        "A performance followed by a short talk with the artists.",
    ),
    "exhibition": (
        "Entrée libre pendant les heures d'ouverture, sans réservation.",
        "Vrije toegang tijdens de openingsuren, zonder reservatie.",
        "Free entry during opening hours, no booking needed.",
    ),
    "film": (
        "La projection est suivie d'un échange avec l'équipe du film ou des témoins.",
        "Na de vertoning volgt een gesprek met de makers of met getuigen.",
        "The screening is followed by a talk with the film-makers or witnesses.",
    ),
    "workshop": (
        "Un atelier participatif en petit groupe ; aucune connaissance préalable n'est nécessaire.",
        "Een participatieve workshop in een kleine groep; voorkennis is niet nodig.",
        "A hands-on workshop in a small group; no prior knowledge needed.",
    ),
    "other": (
        "Une rencontre ouverte, pour découvrir la Quinzaine autrement.",
        "Een open ontmoeting om de Veertiendaagse anders te beleven.",
        "An open gathering, to discover the Fortnight in another way.",
    ),
}

#: The closing paragraph of every description; {organiser} is one of the two sentences below.
DESCRIPTION_FOOTER: Text = (
    "{organiser} Dans le cadre de la Quinzaine de la Solidarité internationale de la Ville de Bruxelles, consacrée "
    "cette année à la construction de la paix.",
    "{organiser} In het kader van de Veertiendaagse van de Internationale Solidariteit van de Stad Brussel, dit jaar "
    "gewijd aan vredesopbouw.",
    "{organiser} Part of the City of Brussels' Fortnight of International Solidarity, whose theme this year is "
    "peacebuilding.",
)
ORGANISED_BY_ASSOCIATION: Text = (
    "Proposé par {association}.",
    "Een activiteit van {association}.",
    "By {association}.",
)
ORGANISED_BY_CITY: Text = (
    "Organisé par la Ville de Bruxelles.",
    "Georganiseerd door de Stad Brussel.",
    "Organised by the City of Brussels.",
)

NO_LANGUAGE: tuple[str, ...] = ()

EVENTS: tuple[DemoEvent, ...] = (
    # --- Day 1: opening -------------------------------------------------------
    DemoEvent(
        day=0,
        start="18:00",
        minutes=90,
        category="other",
        venue="hdv",
        association=None,
        title=(
            "Ouverture de la Quinzaine : la paix se construit ensemble",
            "Opening van de Veertiendaagse: samen vrede opbouwen",
            "Opening of the Fortnight: building peace together",
        ),
        summary=(
            "Soirée d'ouverture à l'Hôtel de Ville avec les associations du programme, des témoignages et un verre.",
            "Openingsavond in het Stadhuis met de verenigingen van het programma, getuigenissen en een drankje.",
            "Opening evening at the City Hall with the programme's associations, testimonies and a drink.",
        ),
        languages=("fr", "nl", "en"),
        capacity=200,
        max_seats=2,
    ),
    DemoEvent(
        day=0,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="bozar",
        association=AMNESTY,
        title=("Visages de la réconciliation", "Gezichten van verzoening", "Faces of reconciliation"),
        summary=(
            "Portraits de femmes et d'hommes qui ont choisi le dialogue après la guerre, du Rwanda à la Colombie.",
            "Portretten van vrouwen en mannen die na de oorlog voor dialoog kozen, van Rwanda tot Colombia.",
            "Portraits of women and men who chose dialogue after the war, from Rwanda to Colombia.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=0,
        start="20:00",
        minutes=90,
        category="concert",
        venue="beurs",
        association=None,
        title=(
            "Concert d'ouverture : chants de paix du Sahel",
            "Openingsconcert: vredesliederen uit de Sahel",
            "Opening concert: songs of peace from the Sahel",
        ),
        summary=(
            "Des musiciens du Mali et du Niger installés à Bruxelles chantent la paix et l'exil.",
            "Muzikanten uit Mali en Niger die in Brussel wonen, zingen over vrede en ballingschap.",
            "Musicians from Mali and Niger living in Brussels sing of peace and exile.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
    ),
    DemoEvent(
        day=0,
        start="14:00",
        minutes=150,
        category="workshop",
        venue="mundob",
        association=JP,
        title=(
            "Atelier : désamorcer un conflit au quotidien",
            "Workshop: conflicten in het dagelijks leven ontmijnen",
            "Workshop: defusing everyday conflict",
        ),
        summary=(
            "Écoute active, reformulation, médiation : des outils concrets pour la maison, l'école ou le travail.",
            "Actief luisteren, herformuleren, bemiddelen: concrete tools voor thuis, op school of op het werk.",
            "Active listening, rephrasing, mediation: practical tools for home, school or work.",
        ),
        languages=("fr",),
        capacity=10,
        max_seats=2,
    ),
    # --- Day 2 ----------------------------------------------------------------
    DemoEvent(
        day=1,
        start="19:30",
        minutes=120,
        category="debate",
        venue="bozar",
        association=CNCD,
        title=("Qu'est-ce qu'une paix juste ?", "Wat is een rechtvaardige vrede?", "What is a just peace?"),
        summary=(
            "Un cessez-le-feu suffit-il ? Chercheurs et militants débattent de la justice, de la mémoire et du "
            "développement.",
            "Volstaat een staakt-het-vuren? Onderzoekers en activisten debatteren over gerechtigheid, herinnering en "
            "ontwikkeling.",
            "Is a ceasefire enough? Researchers and activists debate justice, memory and development.",
        ),
        languages=("fr", "nl"),
        capacity=300,
    ),
    DemoEvent(
        day=1,
        start="14:00",
        minutes=120,
        category="film",
        venue="galeries",
        association=MDM,
        title=(
            "Documentaire : reconstruire Mossoul",
            "Documentaire: Mosoel heropbouwen",
            "Documentary: Rebuilding Mosul",
        ),
        summary=(
            "Des habitants de Mossoul rebâtissent leurs maisons, leurs écoles et leurs liens après la guerre.",
            "Inwoners van Mosoel bouwen na de oorlog hun huizen, scholen en banden weer op.",
            "People of Mosul rebuild their homes, their schools and their ties after the war.",
        ),
        languages=("fr", "other"),
        capacity=150,
    ),
    DemoEvent(
        day=1,
        start="10:00",
        minutes=180,
        category="workshop",
        venue="piano",
        association=VREDESACTIE,
        title=("Formation à l'action non violente", "Training geweldloze actie", "Nonviolent action training"),
        summary=(
            "Préparer une action, gérer la tension, rester non violent : une matinée d'exercices pratiques.",
            "Een actie voorbereiden, met spanning omgaan, geweldloos blijven: een ochtend vol oefeningen.",
            "Preparing an action, handling tension, staying nonviolent: a morning of practical exercises.",
        ),
        languages=("nl", "en"),
        capacity=25,
        max_seats=2,
        registration_closes_hours_before=12,
    ),
    DemoEvent(
        day=1,
        start="20:30",
        minutes=75,
        category="performance",
        venue="tricoterie",
        association=BPA,
        title=("Théâtre-forum : la frontière", "Forumtheater: de grens", "Forum theatre: the border"),
        summary=(
            "Une scène de conflit se rejoue et le public monte sur scène pour en changer l'issue.",
            "Een conflictscène wordt opnieuw gespeeld en het publiek komt op het podium om het verloop te veranderen.",
            "A scene of conflict is replayed and the audience steps on stage to change how it ends.",
        ),
        languages=("fr",),
        capacity=180,
    ),
    DemoEvent(
        day=1,
        start="14:00",
        minutes=180,
        category="other",
        venue="markten",
        association=ONZE,
        title=(
            "Bibliothèque vivante : empruntez un témoin",
            "Levende bibliotheek: leen een getuige",
            "Living library: borrow a witness",
        ),
        summary=(
            "Pendant vingt minutes, un ancien casque bleu, une réfugiée ou une médiatrice vous raconte son histoire.",
            "Twintig minuten lang vertelt een oud-blauwhelm, een vluchtelinge of een bemiddelaarster je haar verhaal.",
            "For twenty minutes, a former peacekeeper, a refugee or a mediator tells you their story.",
        ),
        languages=("fr", "nl", "en"),
        capacity=40,
        max_seats=1,
    ),
    # --- Day 3 ----------------------------------------------------------------
    DemoEvent(
        day=2,
        start="19:00",
        minutes=120,
        category="debate",
        venue="national",
        association=GRIP,
        title=(
            "Désarmement : une utopie réaliste ?",
            "Ontwapening: een realistische utopie?",
            "Disarmament: a realistic utopia?",
        ),
        summary=(
            "Traités, contrôle des exportations, armes nucléaires : où en est le désarmement en Europe ?",
            "Verdragen, exportcontrole, kernwapens: hoe staat het met ontwapening in Europa?",
            "Treaties, export controls, nuclear weapons: where does disarmament stand in Europe?",
        ),
        languages=("fr",),
        capacity=300,
    ),
    DemoEvent(
        day=2,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="hdv",
        association=None,
        title=(
            "Bruxelles, ville refuge : une histoire en archives",
            "Brussel, toevluchtsstad: een geschiedenis in archieven",
            "Brussels, city of refuge: a history in archives",
        ),
        summary=(
            "Lettres, photos et affiches des Archives de la Ville sur deux siècles d'accueil d'exilés à Bruxelles.",
            "Brieven, foto's en affiches uit het Stadsarchief over twee eeuwen opvang van ballingen in Brussel.",
            "Letters, photographs and posters from the City Archives on two centuries of welcoming exiles to Brussels.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=2,
        start="14:00",
        minutes=150,
        category="workshop",
        venue="mccs",
        association=EF,
        title=(
            "Atelier cuisine et récits de paix",
            "Kookworkshop en vredesverhalen",
            "Cooking workshop and stories of peace",
        ),
        summary=(
            "On cuisine ensemble des plats du Burundi, de Syrie et d'Haïti, et chacun raconte la paix telle qu'il "
            "l'a connue.",
            "We koken samen gerechten uit Burundi, Syrië en Haïti, en iedereen vertelt over vrede zoals hij die kende.",
            "We cook dishes from Burundi, Syria and Haiti together, and everyone tells of peace as they knew it.",
        ),
        languages=("fr", "other"),
        capacity=30,
        max_seats=3,
    ),
    DemoEvent(
        day=2,
        start="20:00",
        minutes=90,
        category="concert",
        venue="kaai",
        association=BD,
        title=(
            "Concert : cordes croisées, Kinshasa-Bruxelles",
            "Concert: gekruiste snaren, Kinshasa-Brussel",
            "Concert: crossed strings, Kinshasa-Brussels",
        ),
        summary=(
            "Guitares congolaises et quatuor à cordes bruxellois pour un concert né d'une résidence commune.",
            "Congolese gitaren en een Brussels strijkkwartet in een concert dat uit een gezamenlijke residentie "
            "groeide.",
            "Congolese guitars and a Brussels string quartet in a concert born of a shared residency.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
        max_seats=6,
    ),
    DemoEvent(
        day=2,
        start="16:00",
        minutes=60,
        category="debate",
        venue="mundob",
        association=JP,
        title=(
            "Conférence : la médiation, un métier d'avenir ?",
            "Lezing: bemiddeling, een beroep met toekomst?",
            "Talk: mediation, a profession with a future?",
        ),
        summary=(
            "Qui sont les médiateurs de paix, comment se forment-ils et pourquoi sont-ils si souvent des hommes ?",
            "Wie zijn de vredesbemiddelaars, hoe worden ze opgeleid en waarom zijn het zo vaak mannen?",
            "Who are peace mediators, how are they trained and why are they so often men?",
        ),
        languages=("fr", "en"),
        capacity=60,
        status="draft",
    ),
    # --- Day 4 ----------------------------------------------------------------
    DemoEvent(
        day=3,
        start="18:30",
        minutes=120,
        category="debate",
        venue="markten",
        association=PAX,
        title=(
            "Les religions, bâtisseuses de ponts ?",
            "Religies als bruggenbouwers?",
            "Religions as bridge builders?",
        ),
        summary=(
            "Une imam, un rabbin et une pasteure parlent de ce que les croyants font pour la paix, et de ce qu'ils "
            "ne font pas.",
            "Een imam, een rabbijn en een dominee over wat gelovigen voor vrede doen, en wat ze nalaten.",
            "An imam, a rabbi and a pastor on what believers do for peace, and what they fail to do.",
        ),
        languages=("nl", "en"),
        capacity=120,
    ),
    DemoEvent(
        day=3,
        start="20:00",
        minutes=100,
        category="film",
        venue="galeries",
        association=AMNESTY,
        title=(
            "Documentaire : les femmes de Monrovia",
            "Documentaire: de vrouwen van Monrovia",
            "Documentary: the women of Monrovia",
        ),
        summary=(
            "Comment des femmes chrétiennes et musulmanes ont poussé les belligérants libériens à signer la paix en "
            "2003.",
            "Hoe christelijke en moslimvrouwen de Liberiaanse strijdende partijen in 2003 tot vrede dwongen.",
            "How Christian and Muslim women pushed Liberia's warring parties to sign peace in 2003.",
        ),
        languages=("en",),
        capacity=150,
    ),
    DemoEvent(
        day=3,
        start="15:00",
        minutes=90,
        category="other",
        venue="magh",
        association=None,
        title=(
            "Balade : traces de paix dans le Pentagone",
            "Wandeling: sporen van vrede in de Vijfhoek",
            "Walk: traces of peace in the city centre",
        ),
        summary=(
            "Une promenade guidée au départ de l'Espace Magh, des monuments aux morts aux lieux de l'accueil.",
            "Een begeleide wandeling vanuit Espace Magh, van oorlogsmonumenten tot plekken van gastvrijheid.",
            "A guided walk from Espace Magh, from war memorials to places of welcome.",
        ),
        languages=("fr",),
        capacity=25,
        max_seats=2,
    ),
    DemoEvent(
        day=3,
        start="10:00",
        minutes=420,
        category="exhibition",
        venue="beurs",
        association=GRIP,
        title=("Cartographies de la paix", "Vredescartografie", "Mapping peace"),
        summary=(
            "Cartes et infographies : où sont les conflits, où vont les armes, où la paix avance.",
            "Kaarten en infographics: waar de conflicten zijn, waar de wapens heen gaan, waar de vrede vordert.",
            "Maps and infographics: where the conflicts are, where the weapons go, where peace is gaining ground.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=3,
        start="12:30",
        minutes=60,
        category="concert",
        venue="bozar",
        association=None,
        title=(
            "Concert de midi : un quatuor pour la paix",
            "Middagconcert: een kwartet voor vrede",
            "Lunchtime concert: a quartet for peace",
        ),
        summary=(
            "Chostakovitch et des compositeurs d'aujourd'hui, par de jeunes musiciens du Conservatoire.",
            "Sjostakovitsj en hedendaagse componisten, gespeeld door jonge muzikanten van het Conservatorium.",
            "Shostakovich and today's composers, played by young musicians from the Conservatoire.",
        ),
        languages=NO_LANGUAGE,
        capacity=200,
    ),
    # --- Day 5 ----------------------------------------------------------------
    DemoEvent(
        day=4,
        start="19:30",
        minutes=90,
        category="performance",
        venue="national",
        association=BD,
        title=("Danse : après la pluie", "Dans: na de regen", "Dance: after the rain"),
        summary=(
            "Six danseurs de Kigali et de Bruxelles disent sans un mot ce qui reste après la violence.",
            "Zes dansers uit Kigali en Brussel tonen zonder woorden wat overblijft na het geweld.",
            "Six dancers from Kigali and Brussels show without words what remains after violence.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
    ),
    DemoEvent(
        day=4,
        start="14:00",
        minutes=120,
        category="debate",
        venue="mundob",
        association=MDM,
        title=(
            "Soigner en zone de conflit : témoignages",
            "Zorg in conflictgebied: getuigenissen",
            "Care in conflict zones: testimonies",
        ),
        summary=(
            "Médecins, infirmières et psychologues de retour du terrain racontent leur travail et ses limites.",
            "Artsen, verpleegkundigen en psychologen die terug zijn van het terrein, vertellen over hun werk.",
            "Doctors, nurses and psychologists back from the field talk about their work and its limits.",
        ),
        languages=("fr", "en"),
        capacity=70,
    ),
    DemoEvent(
        day=4,
        start="10:00",
        minutes=120,
        category="workshop",
        venue="piano",
        association=BPA,
        title=(
            "Paix sociale et pauvreté : atelier d'écoute",
            "Sociale vrede en armoede: luisterworkshop",
            "Social peace and poverty: a listening workshop",
        ),
        summary=(
            "Des Bruxellois en situation de pauvreté animent un atelier sur les conflits du quotidien et la dignité.",
            "Brusselaars in armoede leiden een workshop over alledaagse conflicten en waardigheid.",
            "People living in poverty in Brussels lead a workshop on everyday conflict and dignity.",
        ),
        languages=("nl", "fr"),
        capacity=20,
        max_seats=2,
    ),
    DemoEvent(
        day=4,
        start="20:30",
        minutes=90,
        category="concert",
        venue="tricoterie",
        association=OXFAM,
        title=(
            "Concert : fanfare des Balkans pour la paix",
            "Concert: Balkanfanfare voor vrede",
            "Concert: Balkan brass for peace",
        ),
        summary=(
            "Une fanfare serbe, bosniaque et croate joue ensemble, trente ans après la guerre.",
            "Een Servische, Bosnische en Kroatische fanfare speelt samen, dertig jaar na de oorlog.",
            "A Serbian, Bosnian and Croatian brass band play together, thirty years after the war.",
        ),
        languages=NO_LANGUAGE,
        capacity=250,
        max_seats=6,
    ),
    DemoEvent(
        day=4,
        start="16:00",
        minutes=90,
        category="film",
        venue="galeries",
        association=ONZE,
        title=(
            "Documentaire : revenir de la guerre à quinze ans",
            "Documentaire: terugkeren uit de oorlog op je vijftiende",
            "Documentary: coming home from war at fifteen",
        ),
        summary=(
            "D'anciens enfants soldats du Kivu retournent à l'école et dans leur village.",
            "Voormalige kindsoldaten uit Kivu keren terug naar school en naar hun dorp.",
            "Former child soldiers from Kivu go back to school and to their village.",
        ),
        languages=("fr", "other"),
        capacity=150,
    ),
    # --- Day 6 ----------------------------------------------------------------
    DemoEvent(
        day=5,
        start="19:00",
        minutes=120,
        category="debate",
        venue="bozar",
        association=ONZE,
        title=(
            "Climat et conflits : qui paie le prix ?",
            "Klimaat en conflict: wie betaalt de prijs?",
            "Climate and conflict: who pays the price?",
        ),
        summary=(
            "Sécheresses, terres, eau : comment le dérèglement climatique attise les conflits, et comment l'éviter.",
            "Droogte, land, water: hoe de klimaatverandering conflicten aanwakkert, en hoe we dat vermijden.",
            "Drought, land, water: how climate change fuels conflict, and how to prevent it.",
        ),
        languages=("nl", "fr"),
        capacity=300,
    ),
    DemoEvent(
        day=5,
        start="15:00",
        minutes=110,
        category="film",
        venue="galeries",
        association=JP,
        title=(
            "Film : la Colombie après les accords",
            "Film: Colombia na de akkoorden",
            "Film: Colombia after the peace accords",
        ),
        summary=(
            "Ex-combattants des FARC et paysans partagent désormais la même vallée. Un film sur la paix au quotidien.",
            "Ex-strijders van de FARC en boeren delen nu dezelfde vallei. Een film over vrede in het dagelijks leven.",
            "Former FARC fighters and farmers now share the same valley. A film about everyday peace.",
        ),
        languages=("fr", "other"),
        capacity=150,
    ),
    DemoEvent(
        day=5,
        start="10:00",
        minutes=180,
        category="workshop",
        venue="mccs",
        association=PAX,
        title=(
            "Atelier d'écriture : lettres à un ennemi",
            "Schrijfworkshop: brieven aan een vijand",
            "Writing workshop: letters to an enemy",
        ),
        summary=(
            "Écrire à celui ou celle avec qui l'on est en conflit, pour mettre des mots sur la colère et l'espoir.",
            "Schrijven aan wie je in conflict mee bent, om woorden te geven aan woede en hoop.",
            "Writing to someone you are in conflict with, to put anger and hope into words.",
        ),
        languages=("fr", "nl"),
        capacity=16,
        max_seats=1,
        registration_opens_days_before=2,
    ),
    DemoEvent(
        day=5,
        start="20:30",
        minutes=60,
        category="performance",
        venue="beurs",
        association=VREDESACTIE,
        title=(
            "Spoken word : nos mots contre les armes",
            "Spoken word: onze woorden tegen wapens",
            "Spoken word: our words against weapons",
        ),
        summary=(
            "Des poètes bruxellois et gantois répondent en rimes aux budgets militaires.",
            "Brusselse en Gentse dichters geven op rijm antwoord op de militaire budgetten.",
            "Poets from Brussels and Ghent answer military budgets in rhyme.",
        ),
        languages=("nl", "en"),
        capacity=150,
    ),
    DemoEvent(
        day=5,
        start="12:30",
        minutes=60,
        category="performance",
        venue="hdv",
        association=VREDESACTIE,
        title=(
            "Lecture : poèmes de paix d'ici et d'ailleurs",
            "Voordracht: vredesgedichten van hier en elders",
            "Reading: peace poems from here and elsewhere",
        ),
        summary=(
            "Des comédiens lisent des poèmes de paix en français, en néerlandais, en arabe et en persan.",
            "Acteurs lezen vredesgedichten voor in het Frans, het Nederlands, het Arabisch en het Perzisch.",
            "Actors read peace poems in French, Dutch, Arabic and Persian.",
        ),
        languages=("fr", "nl", "other"),
        capacity=80,
    ),
    # --- Day 7 ----------------------------------------------------------------
    DemoEvent(
        day=6,
        start="11:00",
        minutes=240,
        category="other",
        venue="markten",
        association=None,
        title=("Marché de la solidarité", "Solidariteitsmarkt", "Solidarity market"),
        summary=(
            "Les associations du programme présentent leurs projets autour de stands, de jeux et d'une soupe.",
            "De verenigingen van het programma stellen hun projecten voor met standjes, spelletjes en soep.",
            "The programme's associations present their projects with stalls, games and soup.",
        ),
        languages=("fr", "nl", "en"),
        capacity=None,
    ),
    DemoEvent(
        day=6,
        start="14:00",
        minutes=90,
        category="workshop",
        venue="tricoterie",
        association=EF,
        title=(
            "Atelier en famille : le jeu de la paix",
            "Gezinsworkshop: het vredesspel",
            "Family workshop: the peace game",
        ),
        summary=(
            "Un jeu coopératif pour les enfants dès 8 ans et leurs parents : gagner ensemble ou pas du tout.",
            "Een coöperatief spel voor kinderen vanaf 8 jaar en hun ouders: samen winnen of helemaal niet.",
            "A cooperative game for children aged 8 and up and their parents: win together or not at all.",
        ),
        languages=("fr",),
        capacity=40,
        max_seats=6,
    ),
    DemoEvent(
        day=6,
        start="16:00",
        minutes=120,
        category="film",
        venue="beurs",
        association=None,
        title=(
            "Courts métrages : la paix vue par de jeunes cinéastes bruxellois",
            "Kortfilms: vrede door de ogen van jonge Brusselse filmmakers",
            "Short films: peace through the eyes of young Brussels film-makers",
        ),
        summary=(
            "Huit courts métrages tournés cette année dans les maisons de jeunes de la Ville.",
            "Acht kortfilms, dit jaar gedraaid in de jeugdhuizen van de Stad.",
            "Eight short films made this year in the City's youth centres.",
        ),
        languages=("fr", "nl"),
        capacity=250,
    ),
    DemoEvent(
        day=6,
        start="20:00",
        minutes=120,
        category="concert",
        venue="kaai",
        association=None,
        title=(
            "Grand concert : l'Orchestre des jeunes pour la paix",
            "Groot concert: het Jeugdorkest voor de vrede",
            "Grand concert: the Youth Orchestra for Peace",
        ),
        summary=(
            "Soixante jeunes musiciens de toutes les communes bruxelloises réunis en un orchestre.",
            "Zestig jonge muzikanten uit alle Brusselse gemeenten samen in één orkest.",
            "Sixty young musicians from every Brussels municipality together in one orchestra.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
        max_seats=6,
        registration_opens_days_before=3,
    ),
    DemoEvent(
        day=6,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="hdv",
        association=None,
        title=(
            "Installation sonore : le silence après les armes",
            "Geluidsinstallatie: de stilte na de wapens",
            "Sound installation: the silence after the guns",
        ),
        summary=(
            "Des enregistrements de villes au lendemain d'un cessez-le-feu, à écouter dans la Salle gothique.",
            "Geluidsopnames van steden de dag na een staakt-het-vuren, te beluisteren in de Gotische Zaal.",
            "Recordings of cities the day after a ceasefire, to listen to in the Gothic Hall.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    # --- Day 8 ----------------------------------------------------------------
    DemoEvent(
        day=7,
        start="19:00",
        minutes=120,
        category="debate",
        venue="national",
        association=AMNESTY,
        title=(
            "Justice internationale : la paix passe-t-elle par les tribunaux ?",
            "Internationale rechtspraak: loopt vrede via de rechtbank?",
            "International justice: does peace go through the courts?",
        ),
        summary=(
            "De La Haye à Arusha, ce que la justice internationale a changé pour les victimes et pour la paix.",
            "Van Den Haag tot Arusha: wat internationale rechtspraak veranderde voor slachtoffers en voor vrede.",
            "From The Hague to Arusha: what international justice has changed for victims and for peace.",
        ),
        languages=("fr",),
        capacity=300,
    ),
    DemoEvent(
        day=7,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="mccs",
        association=BD,
        title=(
            "Terres et paix : paysans de la région des Grands Lacs",
            "Land en vrede: boeren uit het Grote Merengebied",
            "Land and peace: farmers of the Great Lakes region",
        ),
        summary=(
            "Photographies de coopératives agricoles où d'anciens ennemis cultivent aujourd'hui les mêmes champs.",
            "Foto's van landbouwcoöperaties waar vroegere vijanden vandaag dezelfde velden bewerken.",
            "Photographs of farming cooperatives where former enemies now work the same fields.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=7,
        start="14:00",
        minutes=180,
        category="workshop",
        venue="mundob",
        association=GRIP,
        title=(
            "Atelier : comprendre le commerce des armes",
            "Workshop: de wapenhandel begrijpen",
            "Workshop: understanding the arms trade",
        ),
        summary=(
            "Suivre une cargaison d'armes de l'usine au front, à partir de documents publics.",
            "Een wapenlading volgen van de fabriek tot het front, aan de hand van openbare documenten.",
            "Following a shipment of weapons from the factory to the front line, using public documents.",
        ),
        languages=("fr", "en"),
        capacity=30,
        max_seats=2,
    ),
    DemoEvent(
        day=7,
        start="20:30",
        minutes=80,
        category="performance",
        venue="tricoterie",
        association=PAX,
        title=("Seul en scène : le casque bleu", "Monoloog: de blauwhelm", "One-man show: the blue helmet"),
        summary=(
            "Un ancien soldat de la paix raconte, avec humour et sans fard, six mois de mission.",
            "Een oud-vredessoldaat vertelt met humor en zonder opsmuk over zes maanden missie.",
            "A former peacekeeper tells, with humour and without varnish, of six months on mission.",
        ),
        languages=("fr",),
        capacity=200,
    ),
    DemoEvent(
        day=7,
        start="17:00",
        minutes=90,
        category="film",
        venue="beurs",
        association=MDM,
        title=(
            "Film et rencontre : vivre après la guerre en Bosnie",
            "Film en gesprek: leven na de oorlog in Bosnië",
            "Film and talk: life after the war in Bosnia",
        ),
        summary=(
            "À Mostar, une génération née après la guerre grandit dans une ville encore divisée.",
            "In Mostar groeit een generatie die na de oorlog geboren is op in een nog steeds verdeelde stad.",
            "In Mostar, a generation born after the war grows up in a city that is still divided.",
        ),
        languages=("fr", "other"),
        capacity=200,
    ),
    # --- Day 9 ----------------------------------------------------------------
    DemoEvent(
        day=8,
        start="18:30",
        minutes=120,
        category="debate",
        venue="markten",
        association=PAX,
        title=("Les jeunes bâtisseurs de paix", "Jongeren en vredesopbouw", "Young peacebuilders"),
        summary=(
            "Des jeunes de Bruxelles, de Belfast et de Jérusalem parlent de leurs projets de dialogue.",
            "Jongeren uit Brussel, Belfast en Jeruzalem vertellen over hun dialoogprojecten.",
            "Young people from Brussels, Belfast and Jerusalem talk about their dialogue projects.",
        ),
        languages=("nl",),
        capacity=120,
    ),
    DemoEvent(
        day=8,
        start="20:00",
        minutes=95,
        category="film",
        venue="galeries",
        association=ONZE,
        title=(
            "Documentaire : les médiatrices du Soudan du Sud",
            "Documentaire: de bemiddelaarsters van Zuid-Soedan",
            "Documentary: the mediators of South Sudan",
        ),
        summary=(
            "Dans les camps de déplacés, des femmes règlent les conflits entre communautés avant qu'ils n'explosent.",
            "In de vluchtelingenkampen beslechten vrouwen conflicten tussen gemeenschappen voor ze ontploffen.",
            "In camps for displaced people, women settle conflicts between communities before they explode.",
        ),
        languages=("nl", "en", "other"),
        capacity=150,
    ),
    DemoEvent(
        day=8,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="beurs",
        association=CNCD,
        title=("Un siècle d'affiches pour la paix", "Een eeuw vredesaffiches", "A century of peace posters"),
        summary=(
            "Cent affiches de mouvements pour la paix, de l'entre-deux-guerres à aujourd'hui.",
            "Honderd affiches van vredesbewegingen, van het interbellum tot vandaag.",
            "A hundred posters from peace movements, from the interwar years to today.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=8,
        start="14:00",
        minutes=120,
        category="other",
        venue="piano",
        association=OXFAM,
        title=(
            "Café des langues : parler de paix en dix langues",
            "Taalcafé: over vrede praten in tien talen",
            "Language café: talking peace in ten languages",
        ),
        summary=(
            "Autour d'un café, apprenez à dire « paix » et bien plus avec des Bruxellois de tous horizons.",
            "Leer bij een koffie 'vrede' en veel meer zeggen, samen met Brusselaars van overal.",
            "Over coffee, learn to say 'peace' and much more with people from all over Brussels.",
        ),
        languages=("fr", "nl", "en", "other"),
        capacity=30,
    ),
    # --- Day 10 ---------------------------------------------------------------
    DemoEvent(
        day=9,
        start="19:30",
        minutes=90,
        category="concert",
        venue="bozar",
        association=AMNESTY,
        title=(
            "Concert : voix de femmes pour la paix",
            "Concert: vrouwenstemmen voor vrede",
            "Concert: women's voices for peace",
        ),
        summary=(
            "Chanteuses d'Iran, d'Ukraine, du Soudan et de Belgique réunies sur une même scène.",
            "Zangeressen uit Iran, Oekraïne, Soedan en België samen op één podium.",
            "Singers from Iran, Ukraine, Sudan and Belgium together on one stage.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
    ),
    DemoEvent(
        day=9,
        start="14:00",
        minutes=150,
        category="workshop",
        venue="mccs",
        association=MDM,
        title=(
            "Premiers secours psychologiques : initiation",
            "Psychologische eerste hulp: initiatie",
            "Psychological first aid: an introduction",
        ),
        summary=(
            "Comment accueillir une personne qui a vécu la guerre ou l'exil : gestes simples et limites à respecter.",
            "Hoe je iemand opvangt die oorlog of ballingschap heeft meegemaakt: eenvoudige gebaren en grenzen.",
            "How to support someone who has lived through war or exile: simple steps and limits to respect.",
        ),
        languages=("fr",),
        capacity=10,
        max_seats=1,
    ),
    DemoEvent(
        day=9,
        start="18:00",
        minutes=120,
        category="debate",
        venue="magh",
        association=CNCD,
        title=(
            "Méditerranée : paix et migrations",
            "Middellandse Zee: vrede en migratie",
            "The Mediterranean: peace and migration",
        ),
        summary=(
            "Chercheuses et sauveteurs en mer débattent des routes migratoires et des conflits qui les font naître.",
            "Onderzoeksters en redders op zee debatteren over migratieroutes en de conflicten achter die routes.",
            "Researchers and sea rescuers debate migration routes and the conflicts behind them.",
        ),
        languages=("fr", "other"),
        capacity=150,
    ),
    DemoEvent(
        day=9,
        start="20:30",
        minutes=75,
        category="performance",
        venue="beurs",
        association=OXFAM,
        title=(
            "Théâtre documentaire : les négociateurs",
            "Documentair theater: de onderhandelaars",
            "Documentary theatre: the negotiators",
        ),
        summary=(
            "Trois nuits de pourparlers de paix reconstituées à partir de témoignages de diplomates.",
            "Drie nachten vredesonderhandelingen, nagespeeld op basis van getuigenissen van diplomaten.",
            "Three nights of peace talks, re-enacted from diplomats' own accounts.",
        ),
        languages=("en", "fr"),
        capacity=150,
    ),
    DemoEvent(
        day=9,
        start="10:00",
        minutes=120,
        category="workshop",
        venue="piano",
        association=EF,
        title=(
            "Atelier de médiation par les pairs pour les jeunes",
            "Workshop peer-bemiddeling voor jongeren",
            "Peer mediation workshop for young people",
        ),
        summary=(
            "De 14 à 18 ans : apprendre à aider deux camarades à sortir d'un conflit sans prendre parti.",
            "Voor 14- tot 18-jarigen: leren hoe je twee vrienden uit een conflict helpt zonder partij te kiezen.",
            "For 14 to 18-year-olds: learn to help two friends out of a conflict without taking sides.",
        ),
        languages=("fr", "nl"),
        capacity=12,
        max_seats=2,
        registration_closes_hours_before=24,
    ),
    # --- Day 11 ---------------------------------------------------------------
    DemoEvent(
        day=10,
        start="19:00",
        minutes=120,
        category="debate",
        venue="kaai",
        association=VREDESACTIE,
        title=(
            "L'Europe se réarme : et la paix ?",
            "Europa bewapent zich: en de vrede?",
            "Europe rearms: what about peace?",
        ),
        summary=(
            "Hausse des budgets militaires, industrie de défense, diplomatie : un débat contradictoire.",
            "Stijgende defensiebudgetten, wapenindustrie, diplomatie: een tegensprekelijk debat.",
            "Rising military budgets, the arms industry, diplomacy: a debate with opposing views.",
        ),
        languages=("nl", "fr", "en"),
        capacity=300,
    ),
    DemoEvent(
        day=10,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="hdv",
        association=JP,
        title=(
            "Bâtisseurs de paix : douze portraits",
            "Vredesbouwers: twaalf portretten",
            "Peacebuilders: twelve portraits",
        ),
        summary=(
            "Douze femmes et hommes, célèbres ou inconnus, qui ont consacré leur vie à la paix.",
            "Twaalf vrouwen en mannen, bekend of onbekend, die hun leven aan vrede wijdden.",
            "Twelve women and men, famous or unknown, who gave their lives to peace.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=10,
        start="15:00",
        minutes=100,
        category="film",
        venue="galeries",
        association=EF,
        title=(
            "Ciné-jeunesse : histoires de paix en animation",
            "Jeugdfilm: vredesverhalen in animatie",
            "Youth cinema: animated stories of peace",
        ),
        summary=(
            "Cinq courts métrages d'animation pour les enfants dès 6 ans, suivis d'un goûter.",
            "Vijf korte animatiefilms voor kinderen vanaf 6 jaar, met een vieruurtje achteraf.",
            "Five animated short films for children aged 6 and up, followed by an afternoon snack.",
        ),
        languages=("fr",),
        capacity=150,
        max_seats=6,
    ),
    DemoEvent(
        day=10,
        start="20:30",
        minutes=90,
        category="concert",
        venue="tricoterie",
        association=BPA,
        title=("Concert : voix de la rue", "Concert: stemmen van de straat", "Concert: voices from the street"),
        summary=(
            "Une chorale de personnes sans abri et des rappeurs bruxellois partagent la scène.",
            "Een koor van daklozen en Brusselse rappers delen het podium.",
            "A choir of homeless people and Brussels rappers share the stage.",
        ),
        languages=NO_LANGUAGE,
        capacity=250,
    ),
    DemoEvent(
        day=10,
        start="19:30",
        minutes=120,
        category="other",
        venue="markten",
        association=ONZE,
        title=("Quiz : la paix en 40 questions", "Quiz: vrede in 40 vragen", "Quiz: peace in 40 questions"),
        summary=(
            "Formez une équipe de deux à six personnes et testez vos connaissances sur la paix dans le monde.",
            "Vorm een ploeg van twee tot zes personen en test je kennis over vrede in de wereld.",
            "Form a team of two to six and test what you know about peace around the world.",
        ),
        languages=("nl", "fr", "en"),
        capacity=80,
        max_seats=6,
    ),
    # --- Day 12 ---------------------------------------------------------------
    DemoEvent(
        day=11,
        start="19:30",
        minutes=120,
        category="debate",
        venue="bozar",
        association=OXFAM,
        title=(
            "Aide humanitaire : peut-on rester neutre ?",
            "Humanitaire hulp: kun je neutraal blijven?",
            "Humanitarian aid: can you stay neutral?",
        ),
        summary=(
            "Travailleurs humanitaires et journalistes sur les dilemmes de l'aide en temps de guerre.",
            "Hulpverleners en journalisten over de dilemma's van hulp in oorlogstijd.",
            "Aid workers and journalists on the dilemmas of aid in wartime.",
        ),
        languages=("fr", "nl", "en"),
        capacity=300,
        registration_closes_hours_before=2,
    ),
    DemoEvent(
        day=11,
        start="10:00",
        minutes=180,
        category="workshop",
        venue="piano",
        association=VREDESACTIE,
        title=(
            "Méditation et résistance non violente",
            "Meditatie en geweldloos verzet",
            "Meditation and nonviolent resistance",
        ),
        summary=(
            "Rester calme face à l'hostilité : exercices de respiration et de présence tirés de l'action non violente.",
            "Kalm blijven tegenover vijandigheid: adem- en aanwezigheidsoefeningen uit het geweldloos verzet.",
            "Staying calm in the face of hostility: breathing and presence exercises from nonviolent action.",
        ),
        languages=("nl",),
        capacity=20,
        max_seats=2,
        registration_opens_days_before=1,
    ),
    DemoEvent(
        day=11,
        start="14:00",
        minutes=120,
        category="other",
        venue="mundob",
        association=CNCD,
        title=(
            "Speed-dating associatif : s'engager pour la paix",
            "Vrijwilligersspeeddate: je inzetten voor vrede",
            "Volunteering speed dating: get involved for peace",
        ),
        summary=(
            "Dix associations, dix minutes chacune : trouvez où donner de votre temps pour la paix.",
            "Tien verenigingen, elk tien minuten: ontdek waar je je tijd voor vrede kunt geven.",
            "Ten associations, ten minutes each: find where to give your time for peace.",
        ),
        languages=("fr", "nl"),
        capacity=40,
        max_seats=1,
    ),
    DemoEvent(
        day=11,
        start="20:00",
        minutes=80,
        category="performance",
        venue="national",
        association=None,
        title=("Cirque : l'équilibre fragile", "Circus: het wankele evenwicht", "Circus: the fragile balance"),
        summary=(
            "Acrobates et équilibristes mettent en scène la confiance qu'il faut pour tenir ensemble.",
            "Acrobaten en evenwichtskunstenaars tonen het vertrouwen dat nodig is om samen overeind te blijven.",
            "Acrobats and balancers stage the trust it takes to hold together.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
        status="draft",
    ),
    # --- Day 13 ---------------------------------------------------------------
    DemoEvent(
        day=12,
        start="18:30",
        minutes=120,
        category="debate",
        venue="markten",
        association=BD,
        title=("Sécurité alimentaire et paix", "Voedselzekerheid en vrede", "Food security and peace"),
        summary=(
            "Quand la faim nourrit la guerre : paysans, chercheurs et ONG cherchent des réponses.",
            "Wanneer honger oorlog voedt: boeren, onderzoekers en ngo's zoeken antwoorden.",
            "When hunger feeds war: farmers, researchers and NGOs look for answers.",
        ),
        languages=("nl", "fr"),
        capacity=120,
    ),
    DemoEvent(
        day=12,
        start="20:00",
        minutes=110,
        category="film",
        venue="galeries",
        association=GRIP,
        title=(
            "Documentaire : déminer le Cambodge",
            "Documentaire: Cambodja ontmijnen",
            "Documentary: clearing Cambodia",
        ),
        summary=(
            "Trente ans après la guerre, des démineuses rendent leurs champs aux villages cambodgiens.",
            "Dertig jaar na de oorlog geven ontmijnsters de velden terug aan de Cambodjaanse dorpen.",
            "Thirty years after the war, women deminers give fields back to Cambodian villages.",
        ),
        languages=("fr", "en"),
        capacity=150,
    ),
    DemoEvent(
        day=12,
        start="10:00",
        minutes=480,
        category="exhibition",
        venue="magh",
        association=None,
        title=(
            "Mots de paix : calligraphies arabes et latines",
            "Woorden van vrede: Arabische en Latijnse kalligrafie",
            "Words of peace: Arabic and Latin calligraphy",
        ),
        summary=(
            "Le mot « paix » tracé par des calligraphes de Bruxelles, de Tunis et de Beyrouth.",
            "Het woord 'vrede' geschreven door kalligrafen uit Brussel, Tunis en Beiroet.",
            "The word 'peace' written by calligraphers from Brussels, Tunis and Beirut.",
        ),
        languages=NO_LANGUAGE,
        capacity=None,
    ),
    DemoEvent(
        day=12,
        start="14:00",
        minutes=120,
        category="workshop",
        venue="tricoterie",
        association=AMNESTY,
        title=(
            "Atelier : écrire pour les droits",
            "Workshop: schrijven voor mensenrechten",
            "Workshop: writing for rights",
        ),
        summary=(
            "Écrire des lettres qui comptent pour des défenseurs des droits humains emprisonnés.",
            "Brieven schrijven die ertoe doen voor gevangen mensenrechtenverdedigers.",
            "Writing letters that matter for imprisoned human rights defenders.",
        ),
        languages=("fr",),
        capacity=25,
        max_seats=2,
    ),
    DemoEvent(
        day=12,
        start="16:00",
        minutes=90,
        category="performance",
        venue="kaai",
        association=None,
        title=(
            "Danse-théâtre : les murs qui tombent",
            "Danstheater: muren die vallen",
            "Dance theatre: walls that fall",
        ),
        summary=(
            "De Berlin à Nicosie, une chorégraphie sur les murs qui séparent et ceux que l'on abat.",
            "Van Berlijn tot Nicosia: een choreografie over muren die scheiden en muren die vallen.",
            "From Berlin to Nicosia, a choreography of the walls that divide and the walls that come down.",
        ),
        languages=NO_LANGUAGE,
        capacity=250,
        status="cancelled",
    ),
    # --- Day 14: closing ------------------------------------------------------
    DemoEvent(
        day=13,
        start="16:00",
        minutes=120,
        category="other",
        venue="hdv",
        association=None,
        title=("Clôture : la paix en héritage", "Slot: vrede als erfenis", "Closing: peace as a legacy"),
        summary=(
            "Les associations et le public dressent le bilan de la Quinzaine et partagent leurs engagements.",
            "De verenigingen en het publiek blikken terug op de Veertiendaagse en delen hun voornemens.",
            "The associations and the public look back on the Fortnight and share their commitments.",
        ),
        languages=("fr", "nl", "en"),
        capacity=250,
        max_seats=2,
    ),
    DemoEvent(
        day=13,
        start="20:00",
        minutes=120,
        category="concert",
        venue="beurs",
        association=None,
        title=(
            "Concert de clôture : le bal des peuples",
            "Slotconcert: het volkerenbal",
            "Closing concert: a world ball",
        ),
        summary=(
            "Un bal festif où musiques kurdes, congolaises, irlandaises et flamandes invitent à danser ensemble.",
            "Een feestelijk bal waar Koerdische, Congolese, Ierse en Vlaamse muziek uitnodigt om samen te dansen.",
            "A festive ball where Kurdish, Congolese, Irish and Flemish music invite everyone to dance together.",
        ),
        languages=NO_LANGUAGE,
        capacity=300,
        max_seats=6,
        waitlist=False,
    ),
    DemoEvent(
        day=13,
        start="10:00",
        minutes=180,
        category="workshop",
        venue="mccs",
        association=JP,
        title=(
            "Jeu de rôle : négocier un cessez-le-feu",
            "Rollenspel: een staakt-het-vuren onderhandelen",
            "Role play: negotiating a ceasefire",
        ),
        summary=(
            "Dans la peau de belligérants et de médiateurs, vivez de l'intérieur une négociation de paix.",
            "Kruip in de huid van strijdende partijen en bemiddelaars en beleef vredesonderhandelingen van binnenuit.",
            "Step into the shoes of warring parties and mediators and live a peace negotiation from the inside.",
        ),
        languages=("fr",),
        capacity=20,
        max_seats=1,
    ),
    DemoEvent(
        day=13,
        start="14:00",
        minutes=100,
        category="film",
        venue="galeries",
        association=MDM,
        title=(
            "Film : le pont de Mostar",
            "Film: de brug van Mostar",
            "Film: the bridge of Mostar",
        ),
        summary=(
            "L'histoire du Vieux Pont, détruit en 1993 et reconstruit pierre par pierre par ses habitants.",
            "Het verhaal van de Oude Brug, vernield in 1993 en steen voor steen heropgebouwd door de inwoners.",
            "The story of the Old Bridge, destroyed in 1993 and rebuilt stone by stone by the people of the town.",
        ),
        languages=("fr", "nl"),
        capacity=150,
    ),
    DemoEvent(
        day=13,
        start="11:00",
        minutes=120,
        category="debate",
        venue="magh",
        association=CNCD,
        title=(
            "Brunch-débat : Bruxelles, ville de paix ?",
            "Brunchdebat: Brussel, vredesstad?",
            "Brunch debate: Brussels, a city of peace?",
        ),
        summary=(
            "Élus, associations et habitants discutent de ce que la Ville peut faire pour la paix, ici et ailleurs.",
            "Politici, verenigingen en bewoners over wat de Stad kan doen voor vrede, hier en elders.",
            "Elected officials, associations and residents on what the City can do for peace, here and abroad.",
        ),
        languages=("fr", "nl"),
        capacity=100,
        max_seats=3,
    ),
)

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        username="organiser",
        first_name="Olivia",
        last_name="Organiser",
        email="organiser@example.org",
        is_staff=True,
        group=ORGANISERS,
    ),
    DemoAccount(username="door", first_name="Dario", last_name="Door", email="door@example.org", group=DOOR_STAFF),
    DemoAccount(
        username="association",
        first_name="Aïcha",
        last_name="Association",
        email="association@example.org",
        association=CNCD,
    ),
)
