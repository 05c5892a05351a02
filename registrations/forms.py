from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programme.models import Event

from .models import normalise_name


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send your ticket and the link to manage it here."),
    )
    seats = forms.TypedChoiceField(label=_("Seats"), coerce=int)
    language = forms.ChoiceField(label=_("Language of your e-mails"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        label=_(
            "I agree that my name and e-mail address are kept to manage this registration, "
            "and deleted after the festival."
        ),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = min(event.max_seats_per_registration, event.capacity or 1)
        self.fields["seats"].choices = [(n, str(n)) for n in range(1, maximum + 1)]
        self.fields["seats"].initial = 1
        self.fields["language"].initial = get_language()
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    def clean_name(self) -> str:
        name = normalise_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give a name."))
        return name

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


class ResendForm(forms.Form):
    email = forms.EmailField(max_length=254)
