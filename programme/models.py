"""The programme: editions, venues, categories, associations and events.

Texts people read (theme, venue names, titles, summaries, descriptions) are
stored in FR, NL and EN by django-modeltranslation (see translation.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def default_reminder_offsets() -> list[int]:
    return [48, 3]


class Edition(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    theme = models.CharField(_("theme"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    call_opens_at = models.DateTimeField(_("call for proposals opens"), null=True, blank=True)
    call_closes_at = models.DateTimeField(_("call for proposals closes"), null=True, blank=True)
    reminder_offsets = models.JSONField(
        _("reminder offsets (hours before the event)"),
        default=default_reminder_offsets,
        blank=True,
        help_text=_("Hours before an event at which attendees get a reminder, for example [48, 3]."),
    )
    is_current = models.BooleanField(_("current edition"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    retention_days = models.PositiveSmallIntegerField(
        _("retention period (days)"),
        default=90,
        help_text=_("Days after the last day at which the attendees' personal data is anonymised."),
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="edition_one_current",
                violation_error_message=_("Another edition is already the current one: make it not current first."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="edition_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(call_opens_at__isnull=True)
                | Q(call_closes_at__isnull=True)
                | Q(call_closes_at__gt=F("call_opens_at")),
                name="edition_call_closes_after_open",
                violation_error_message=_("The call must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.theme}"

    def clean(self) -> None:
        offsets = self.reminder_offsets
        if not isinstance(offsets, list) or not all(
            isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 24 * 30 for h in offsets
        ):
            raise ValidationError(
                {"reminder_offsets": _("Give a list of whole numbers of hours between 1 and 720, like [48, 3].")}
            )
        # The order of the days and of the call's dates: the constraints' own messages (Meta).

    @property
    def call_is_open(self) -> bool:
        now = timezone.now()
        return bool(self.call_opens_at and self.call_closes_at and self.call_opens_at <= now < self.call_closes_at)


class Venue(models.Model):
    #: Accessibility features, as (field name, query value) — the filters use them.
    ACCESSIBILITY_FEATURES = (
        ("step_free_access", _("Step-free access")),
        ("accessible_toilet", _("Accessible toilet")),
        ("hearing_loop", _("Hearing loop")),
        ("accessible_seating", _("Wheelchair seating")),
        ("quiet_room", _("Quiet room")),
    )

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, help_text=_("Street, number, postcode and town."))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessible_seating = models.BooleanField(_("wheelchair seating"), default=False)
    quiet_room = models.BooleanField(_("quiet room"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    parallel_use = models.BooleanField(
        _("several activities at once"),
        default=False,
        help_text=_(
            "A place with several rooms or spaces (an exhibition hall): its activities may overlap in time. "
            "Otherwise two activities cannot be there at the same time."
        ),
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def accessibility(self) -> list[tuple[str, str]]:
        """The features this venue has, as (code, translated label)."""
        return [(code, label) for code, label in self.ACCESSIBILITY_FEATURES if getattr(self, code)]

    @property
    def map_url(self) -> str:
        if self.latitude is not None and self.longitude is not None:
            return (
                "https://www.openstreetmap.org/"
                f"?mlat={self.latitude}&mlon={self.longitude}#map=18/{self.latitude}/{self.longitude}"
            )
        from urllib.parse import quote

        return f"https://www.openstreetmap.org/search?query={quote(self.address)}"


class Category(models.Model):
    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Association(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("The language of the e-mails the association gets."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="associations", blank=True
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: The languages an activity or a proposal can be held in, as `speaks_<code>` flags.
SPOKEN = ("fr", "nl", "en", "other")


def speaks_flags(languages: list[str]) -> dict[str, bool]:
    """The `speaks_<code>` fields for a list of language codes ("none", or none at all: no flag)."""
    return {f"speaks_{code}": code in languages for code in SPOKEN}


class SpokenLanguages:
    """`languages` from the `speaks_<code>` flags of an event or a proposal: ["none"] when none."""

    @property
    def languages(self) -> list[str]:
        codes = [code for code in SPOKEN if getattr(self, f"speaks_{code}")]
        return codes or ["none"]


#: How far from its edition's days an event's times may lie (an exhibition that opens
#: early, registration that opens months before): beyond it, a date is a typo.
EVENT_DATE_MARGIN = datetime.timedelta(days=366)
EVENT_TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


class Event(SpokenLanguages, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class RegistrationStatus(models.TextChoices):
        OPEN = "open", _("Registration open")
        WAITLIST = "waitlist", _("Waiting list")
        CLOSED = "closed", _("Registration closed")
        NOT_REQUIRED = "not_required", _("No registration needed")

    #: Languages an activity can be held in, as (code, label); "none" is
    #: "no spoken language needed" (a concert, an exhibition).
    LANGUAGES = (
        ("fr", _("French")),
        ("nl", _("Dutch")),
        ("en", _("English")),
        ("other", _("Other language")),
        ("none", _("No spoken language")),
    )
    #: Fields whose change a calendar must hear of: changing one bumps `sequence`.
    CALENDAR_FIELDS = ("title_fr", "title_nl", "title_en", "venue_id", "starts_at", "ends_at", "status")

    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="events")
    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    proposal = models.ForeignKey(
        "Proposal",
        verbose_name=_("proposal"),
        on_delete=models.SET_NULL,
        related_name="events",
        null=True,
        blank=True,
        help_text=_("The association's proposal this activity comes from."),
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    speaks_fr = models.BooleanField(_("in French"), default=False)
    speaks_nl = models.BooleanField(_("in Dutch"), default=False)
    speaks_en = models.BooleanField(_("in English"), default=False)
    speaks_other = models.BooleanField(_("in another language"), default=False)
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="events")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats that can be booked. Empty: no registration.")
    )
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    max_seats_per_registration = models.PositiveSmallIntegerField(
        _("maximum seats per registration"), default=4, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: as soon as the event is published.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when the event starts.")
    )
    waitlist_enabled = models.BooleanField(_("waiting list"), default=True)
    waitlist_limit = models.PositiveIntegerField(
        _("waiting list size"), null=True, blank=True, help_text=_("Seats the waiting list can hold. Empty: no limit.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    image = models.ImageField(_("image"), upload_to="events/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["edition", "status", "starts_at"], name="event_programme_idx"),
            # The programme cache's version is the latest updated_at.
            models.Index(fields=["updated_at"], name="event_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="event_capacity_gte_0",
                violation_error_message=_("The capacity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_no_overbooking",
                violation_error_message=_("More seats are taken than the capacity allows."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_open",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(max_seats_per_registration__gte=1),
                name="event_max_seats_per_registration_gte_1",
                violation_error_message=_("Allow at least one seat per registration."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programme:event", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.edition_id is None:
            return
        edition = self.edition
        first, last = edition.starts_on - EVENT_DATE_MARGIN, edition.ends_on + EVENT_DATE_MARGIN
        errors = {}
        for name in EVENT_TIME_FIELDS:
            value = getattr(self, name)
            if value is not None and not first <= timezone.localtime(value).date() <= last:
                errors[name] = _("Give a date within a year of the edition (%(first)s to %(last)s).") % {
                    "first": formats.date_format(edition.starts_on, "DATE_FORMAT"),
                    "last": formats.date_format(edition.ends_on, "DATE_FORMAT"),
                }
        if errors:
            raise ValidationError(errors)

    @property
    def language_labels(self) -> list[str]:
        labels = dict(self.LANGUAGES)
        return [str(labels[code]) for code in self.languages]

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    def registration_status_at(self, now) -> str:
        if self.capacity is None:
            return self.RegistrationStatus.NOT_REQUIRED
        if self.status != self.Status.PUBLISHED:
            return self.RegistrationStatus.CLOSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.RegistrationStatus.CLOSED
        closes_at = self.registration_closes_at or self.starts_at
        if now >= closes_at:
            return self.RegistrationStatus.CLOSED
        if self.seats_left:
            return self.RegistrationStatus.OPEN
        if self.waitlist_enabled:
            return self.RegistrationStatus.WAITLIST
        return self.RegistrationStatus.CLOSED

    @property
    def registration_status(self) -> str:
        return self.registration_status_at(timezone.now())

    def registration_opens_later_at(self, now) -> bool:
        """Registration is "closed" (the API's word) only because it opens after `now`: the pages
        say when it opens instead."""
        return bool(
            self.capacity is not None
            and self.status == self.Status.PUBLISHED
            and self.registration_opens_at
            and now < self.registration_opens_at
            and now < (self.registration_closes_at or self.starts_at)
        )

    @property
    def registration_opens_later(self) -> bool:
        return self.registration_opens_later_at(timezone.now())


class Proposal(SpokenLanguages, models.Model):
    """An activity an association proposes in its edition's call; organisers review it. Every
    change of state goes through programme.services.proposal_transition."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="proposals")
    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="proposals"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="proposals"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        related_name="proposals",
        null=True,
        blank=True,
        help_text=_("One of the festival's venues; or leave it empty and describe your wish or your own venue."),
    )
    venue_wish = models.CharField(
        _("venue wish or own venue"),
        max_length=200,
        blank=True,
        help_text=_("The kind of place you need, or the name of your own venue."),
    )
    venue_address = models.CharField(_("address of your own venue"), max_length=300, blank=True)
    venue_accessibility = models.TextField(_("accessibility of your own venue"), blank=True)
    expected_audience = models.CharField(
        _("expected audience"),
        max_length=300,
        blank=True,
        help_text=_("Who you expect, and how many (for example: students, about 80)."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Seats to book. Empty: no registration needed."),
    )
    speaks_fr = models.BooleanField(_("in French"), default=False)
    speaks_nl = models.BooleanField(_("in Dutch"), default=False)
    speaks_en = models.BooleanField(_("in English"), default=False)
    speaks_other = models.BooleanField(_("in another language"), default=False)
    accessibility = models.TextField(
        _("accessibility of the activity"),
        blank=True,
        help_text=_("Sign language, subtitles, easy-to-read texts, seats for wheelchairs…"),
    )
    technical_needs = models.TextField(_("technical needs"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Where the organisers' decisions and messages are sent.")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["edition", "state"], name="proposal_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="proposal_capacity_gte_1",
                violation_error_message=_("Give at least one seat, or leave it empty if no registration is needed."),
            )
        ]

    def __str__(self) -> str:
        return self.title or gettext("Proposal %(id)s") % {"id": self.pk}

    @property
    def is_editable(self) -> bool:
        """The association may change it: a draft, or sent back for changes."""
        return self.state in (self.State.DRAFT, self.State.CHANGES_REQUESTED)


class ProposalSlot(models.Model):
    """One date and time the association proposes; an accepted proposal becomes one event per slot."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("proposed slot")
        verbose_name_plural = _("proposed slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="proposal_slot_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} \u2013 {timezone.localtime(self.ends_at):%H:%M}"


class ProposalNote(models.Model):
    """A proposal's history: each change of state (with the message sent with it), each message
    to the association, and the team's internal comments (never shown to the association)."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Change of state")
        MESSAGE = "message", _("Message to the association")
        COMMENT = "comment", _("Internal comment")

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=Proposal.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("proposal history entry")
        verbose_name_plural = _("proposal history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_state_display()}"
