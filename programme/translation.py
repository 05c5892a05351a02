"""Fields stored in FR, NL and EN (django-modeltranslation), with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Association, Category, Edition, Event, Proposal, Venue


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("theme",)
    required_languages = ("fr", "nl", "en")


@register(Venue)
class VenueTranslation(TranslationOptions):
    fields = ("name", "accessibility_notes")


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl", "en")


@register(Association)
class AssociationTranslation(TranslationOptions):
    fields = ("description",)


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "description")


@register(Proposal)
class ProposalTranslation(TranslationOptions):
    fields = ("title", "summary", "description")
