"""The forms of the association portal and the back office. They validate what a person types;
the services (programme.services) decide and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Association, Category, Edition, Event, Proposal, Venue, speaks_flags

LANGUAGE_CHOICES = (("fr", _("French")), ("nl", _("Dutch")), ("en", _("English")), ("other", _("Other language")))


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker (`datetime-local`), in Brussels' wall-clock time."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProposalForm(forms.ModelForm):
    """What an association writes about its activity (texts in one or more languages)."""

    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: no spoken language is needed (a concert, an exhibition)."),
    )

    class Meta:
        model = Proposal
        fields = [
            "title_fr",
            "title_nl",
            "title_en",
            "summary_fr",
            "summary_nl",
            "summary_en",
            "description_fr",
            "description_nl",
            "description_en",
            "category",
            "venue",
            "venue_wish",
            "venue_address",
            "venue_accessibility",
            "expected_audience",
            "capacity",
            "accessibility",
            "technical_needs",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 6}),
            "description_nl": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "venue_accessibility": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "technical_needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["venue"].queryset = Venue.objects.order_by("name")
        self.fields["venue"].empty_label = _("None of these: see my wish below")
        for lang, name in (("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))):
            self.fields[f"title_{lang}"].label = _("Title in %(language)s") % {"language": name}
            self.fields[f"summary_{lang}"].label = _("Summary in %(language)s") % {"language": name}
            self.fields[f"description_{lang}"].label = _("Description in %(language)s") % {"language": name}
        self.fields["contact_email"].required = True
        if self.instance.pk:
            self.initial["languages"] = [code for code in self.instance.languages if code != "none"]

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f"title_{lang}") or "").strip() for lang in ("fr", "nl", "en")):
            self.add_error("title_fr", _("Give a title in at least one language."))
        return cleaned

    def proposal_data(self) -> dict:
        """The model fields, as the services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**data, **speaks_flags(self.cleaned_data.get("languages") or [])}


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput(), required=False)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput(), required=False)

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if bool(starts_at) != bool(ends_at) and not self.errors:
            raise forms.ValidationError(_("Give both the start and the end, or neither."))
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class BaseSlotFormSet(forms.BaseFormSet):
    def slots(self) -> list[tuple]:
        return [
            (form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            for form in self.forms
            if form.cleaned_data.get("starts_at") and form.cleaned_data.get("ends_at")
        ]


def slot_formset(*, data=None, proposal: Proposal | None = None) -> BaseSlotFormSet:
    """The proposal's slots and two empty rows (no script needed to propose more)."""
    initial = [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in proposal.slots.all()] if proposal else []
    extra = min(2, 10 - len(initial))
    formset_class = forms.formset_factory(SlotForm, formset=BaseSlotFormSet, extra=extra, max_num=10, absolute_max=10)
    # Bound, every row counts as typed (an unchanged row that started from `initial` would be dropped).
    return formset_class(data=data, initial=None if data is not None else initial, prefix="slots")


class NoteForm(forms.Form):
    """An organiser's message to the association, or an internal comment."""

    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    to_association = forms.TypedChoiceField(
        label=_("Who reads it"),
        choices=(("0", _("The team only (internal comment)")), ("1", _("The association (sent by e-mail)"))),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )


class DecisionForm(forms.Form):
    """An organiser's decision on a proposal, with its message."""

    action = forms.ChoiceField(
        choices=(("request_changes", _("Request changes")), ("accept", _("Accept")), ("reject", _("Reject")))
    )
    message = forms.CharField(
        label=_("Message to the association"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    venue = forms.ModelChoiceField(
        label=_("Venue of the activity (when accepting)"), queryset=Venue.objects.order_by("name"), required=False
    )


# --- The back office's activities -------------------------------------------------------------

EVENT_TEXT_FIELDS = tuple(
    f"{name}_{lang}" for name in ("title", "summary", "description") for lang in ("fr", "nl", "en")
)
#: The field each constraint of Event is about: its sentence is shown on that field.
EVENT_CONSTRAINT_FIELDS = {
    "event_ends_after_start": "ends_at",
    "event_capacity_gte_0": "capacity",
    "event_no_overbooking": "capacity",
    "event_registration_closes_after_open": "registration_closes_at",
    "event_max_seats_per_registration_gte_1": "max_seats_per_registration",
}


def event_constraint_message(name: str) -> str:
    """The sentence (translated when read) that the constraint `name` of Event says."""
    (constraint,) = [c for c in Event._meta.constraints if c.name == name]
    return constraint.violation_error_message


def _min_value(field: forms.Field, limit: int, message) -> None:
    """The form field refuses less than `limit` with `message` (a constraint's own sentence,
    not the generic "Ensure this value is greater than or equal to…")."""
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
    field.validators.append(MinValueValidator(limit, message=message))
    field.widget.attrs["min"] = limit


class EventForm(forms.ModelForm):
    """An activity as the back office writes it: its texts per language, its place and time (Brussels
    wall-clock time), its registration and, when it is new, whether it starts as a draft or
    published (an activity that exists is published or cancelled by its own buttons). It validates
    what is typed, the model's constraints included; the view saves through programme.services and
    shows their refusals with `add_model_error`."""

    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: no spoken language is needed (a concert, an exhibition)."),
    )

    class Meta:
        model = Event
        fields = [
            *EVENT_TEXT_FIELDS,
            "edition",
            "category",
            "association",
            "venue",
            "starts_at",
            "ends_at",
            "capacity",
            "max_seats_per_registration",
            "registration_opens_at",
            "registration_closes_at",
            "waitlist_enabled",
            "waitlist_limit",
            "status",
        ]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 6}),
            "description_nl": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_opens_at": DateTimeInput(),
            "registration_closes_at": DateTimeInput(),
            "status": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for lang, name in (("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))):
            self.fields[f"title_{lang}"].label = _("Title in %(language)s") % {"language": name}
            self.fields[f"summary_{lang}"].label = _("Summary in %(language)s") % {"language": name}
            self.fields[f"description_{lang}"].label = _("Description in %(language)s") % {"language": name}
        self.fields["edition"].queryset = Edition.objects.all()
        self.fields["category"].queryset = Category.objects.all()
        self.fields["venue"].queryset = Venue.objects.order_by("name")
        self.fields["association"].queryset = Association.objects.all()
        self.fields["association"].empty_label = _("No association")
        _min_value(self.fields["capacity"], 0, event_constraint_message("event_capacity_gte_0"))
        _min_value(
            self.fields["max_seats_per_registration"],
            1,
            event_constraint_message("event_max_seats_per_registration_gte_1"),
        )
        if self.instance.pk:
            del self.fields["status"]  # the Publish and Cancel buttons change it
            self.initial["languages"] = [code for code in self.instance.languages if code != "none"]
        else:
            self.fields["status"].choices = [
                (Event.Status.DRAFT, _("Draft: only organisers see it")),
                (Event.Status.PUBLISHED, _("Published: in the programme, open for registration")),
            ]

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f"title_{lang}") or "").strip() for lang in ("fr", "nl", "en")):
            self.add_error("title_fr", _("Give a title in at least one language."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the model's validation, its constraints included
        top = self._errors.pop(NON_FIELD_ERRORS, None) if self._errors else None
        if top:
            self.add_model_error(ValidationError(top.as_data()))

    def add_model_error(self, error: ValidationError) -> None:
        """Show a refusal of the model or of the services on the form: a constraint's sentence on the
        field it is about, an error on a field the form does not have at the top of the form."""
        by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        by_message = {str(event_constraint_message(name)): field for name, field in EVENT_CONSTRAINT_FIELDS.items()}
        for field, errors in by_field.items():
            for one in errors:
                target = by_message.get(one.messages[0], field) if field == NON_FIELD_ERRORS else field
                self.add_error(target if target in self.fields else None, one)

    def event_data(self) -> dict:
        """The model fields, as programme.services.event_create and event_update take them."""
        data = {name: self.cleaned_data[name] for name in self.fields if name != "languages"}
        return {**data, **speaks_flags(self.cleaned_data.get("languages") or [])}
