"""The programme's filters, shared by the public page, the events API and the calendar feeds.

Every filter validates its value: an unknown category, venue or edition, a
malformed date or an unknown language is an error the caller shows (400), never
a silently ignored parameter.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Category, Edition, Event, Proposal, Venue
from .roles import is_organiser
from .selectors import registration_open_q, with_registration_close

FAR_PAST, FAR_FUTURE = datetime.date(1900, 1, 1), datetime.date(9000, 1, 1)
YES_NO = (("true", _("Yes")), ("false", _("No")))


class ProgrammeFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        # A parameter that is not a filter is no error, but a filter given
        # twice with different values is ambiguous.
        for name in self.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if name != "accessibility" and len(set(values)) > 1:
                self.add_error(name, _("Give this filter only once."))
        return cleaned


class EditionQueryForm(ProgrammeFilterForm):
    """The query of a back-office page about one edition: the current one unless `?edition=<slug>`
    asks for another (an unknown slug is an error, a 400). Subclasses add their own filters."""

    edition = forms.ChoiceField(
        label=_("Edition"),
        required=False,
        error_messages={"invalid_choice": _("There is no edition “%(value)s”.")},
    )

    def __init__(self, data, *, editions: list[Edition]) -> None:
        super().__init__(data)
        self.editions = {edition.slug: edition for edition in editions}
        blank = _("The current edition") if any(e.is_current for e in editions) else _("Choose an edition")
        self.fields["edition"].choices = [("", blank), *((edition.slug, str(edition)) for edition in editions)]

    @classmethod
    def for_request(cls, request):
        """The form bound to the request's query, the current edition filled in when none is asked for."""
        editions = list(Edition.objects.all())
        current = next((edition for edition in editions if edition.is_current), None)
        data = request.GET.copy()
        if not data.get("edition") and current is not None:
            data["edition"] = current.slug
        return cls(data, editions=editions)

    @property
    def chosen_edition(self) -> Edition | None:
        """The edition asked for (valid forms only); None when none is asked for and none is current."""
        return self.editions.get(self.cleaned_data["edition"])


class EventFilter(django_filters.FilterSet):
    edition = django_filters.ModelChoiceFilter(
        queryset=Edition.objects.filter(is_published=True),
        to_field_name="slug",
        label=_("Edition"),
        help_text=_("Edition slug, for example 2026. Default: the current edition."),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", label=_("Category"), help_text=_("Category code.")
    )
    date = django_filters.DateFilter(
        method="filter_date",
        label=_("Day"),
        help_text=_("YYYY-MM-DD: activities taking place on that day (Brussels time)."),
    )
    venue = django_filters.ModelChoiceFilter(queryset=Venue.objects.all(), label=_("Venue"), help_text=_("Venue id."))
    language = django_filters.ChoiceFilter(
        choices=Event.LANGUAGES,
        method="filter_language",
        label=_("Language spoken"),
        help_text=_("fr, nl, en, other, or none (no spoken language needed)."),
    )
    accessibility = django_filters.MultipleChoiceFilter(
        choices=Venue.ACCESSIBILITY_FEATURES,
        method="filter_accessibility",
        label=_("Accessibility"),
        help_text=_("Venue features; give several to require all of them."),
    )
    available = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_available",
        label=_("Seats left"),
        help_text=_(
            "true: only activities one can register for now (registration open, seats left); false: only full ones."
        ),
    )
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"), help_text=_("Words in the title, summary, venue or association.")
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = ProgrammeFilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Organisers see the events of editions not published yet (the API shows them drafts too).
        if self.request is not None and is_organiser(self.request.user):
            self.filters["edition"].queryset = Edition.objects.all()

    def filter_date(self, queryset: QuerySet[Event], name: str, value: datetime.date) -> QuerySet[Event]:
        # No activity is that far away (their dates stay within a year of their edition's),
        # and near the calendar's ends the next day or UTC would overflow.
        if not FAR_PAST < value < FAR_FUTURE:
            return queryset.none()
        tz = timezone.get_default_timezone()
        day_start = datetime.datetime.combine(value, datetime.time.min, tzinfo=tz)
        day_end = day_start + datetime.timedelta(days=1)
        return queryset.filter(starts_at__lt=day_end, ends_at__gt=day_start)

    def filter_language(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == "none":
            return queryset.filter(speaks_fr=False, speaks_nl=False, speaks_en=False, speaks_other=False)
        return queryset.filter(**{f"speaks_{value}": True})

    def filter_accessibility(self, queryset: QuerySet[Event], name: str, value: list[str]) -> QuerySet[Event]:
        valid = {code for code, _label in Venue.ACCESSIBILITY_FEATURES}
        return queryset.filter(**{f"venue__{code}": True for code in value if code in valid})

    def filter_available(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == "true":
            # What one can register for now: not an activity without registration, nor one whose
            # registration opens later or has closed (the page would say so: no form to fill in).
            return with_registration_close(queryset).filter(registration_open_q(timezone.now()))
        return queryset.exclude(Q(capacity__isnull=True) | Q(capacity__gt=F("seats_taken")))

    def filter_q(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        words = value.split()[:8]
        for word in words:
            match = Q(association__name__icontains=word)
            for lang in ("fr", "nl", "en"):
                match |= (
                    Q(**{f"title_{lang}__icontains": word})
                    | Q(**{f"summary_{lang}__icontains": word})
                    | Q(**{f"venue__name_{lang}__icontains": word})
                )
            queryset = queryset.filter(match)
        return queryset


class ProposalFilter(django_filters.FilterSet):
    """The review queue's filters (API and back office): an unknown value is a 400."""

    edition = django_filters.ModelChoiceFilter(queryset=Edition.objects.all(), to_field_name="slug")
    state = django_filters.MultipleChoiceFilter(choices=Proposal.State.choices)
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), to_field_name="slug")

    class Meta:
        model = Proposal
        fields = ["edition", "state", "category"]
        form = ProgrammeFilterForm
