"""The forms of the association portal and the back office. They validate what a person types;
the services (programme.services) decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Proposal, Venue, speaks_flags

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
