from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import Association, Category, Edition, Event, Proposal, ProposalNote, ProposalSlot, Venue
from .selectors import current_edition


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ("year", "theme", "starts_on", "ends_on", "is_current", "is_published")
    list_filter = ("is_current", "is_published")
    search_fields = ("theme_fr", "theme_nl", "theme_en", "slug")
    prepopulated_fields = {"slug": ("year",)}


@admin.register(Venue)
class VenueAdmin(TranslationAdmin):
    list_display = ("name", "address", "capacity", "parallel_use", "step_free_access", "accessible_toilet")
    list_filter = (
        "parallel_use",
        "step_free_access",
        "accessible_toilet",
        "hearing_loop",
        "accessible_seating",
        "quiet_room",
    )
    search_fields = ("name_fr", "name_nl", "name_en", "address")


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "slug", "position")
    search_fields = ("slug", "name_fr", "name_nl", "name_en")


@admin.register(Association)
class AssociationAdmin(TranslationAdmin):
    list_display = ("name", "contact_name", "contact_email", "website")
    search_fields = ("name", "contact_name", "contact_email")
    filter_horizontal = ("members",)


class EventAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # The service refuses it too, under the lock; asking here turns it into a field error
        # (after save_model, a ValidationError would be a 500).
        if self.instance.pk and "capacity" in self.changed_data and "capacity" in cleaned:
            try:
                services.event_check_capacity(event=self.instance, capacity=cleaned["capacity"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if not self.errors:
            other = services.event_clash(event=self.instance)
            if other is not None:
                self.add_error(None, services.VenueClash(other))


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    form = EventAdminForm
    list_display = ("title", "edition", "category", "venue", "starts_at", "capacity", "seats_taken", "status")
    list_filter = ("status", "edition", "category", "venue", "association")
    list_select_related = ("edition", "category", "venue")
    search_fields = ("title_fr", "title_nl", "title_en", "association__name")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("association", "venue")
    readonly_fields = ("seats_taken", "sequence", "created_at", "updated_at", "proposal")
    actions = ("publish", "cancel")
    fieldsets = (
        (None, {"fields": ("edition", "association", "proposal", "category", "status")}),
        (_("Texts"), {"fields": ("title", "summary", "description", "image", "image_alt")}),
        (_("Place and time"), {"fields": ("venue", "starts_at", "ends_at")}),
        (_("Languages spoken"), {"fields": ("speaks_fr", "speaks_nl", "speaks_en", "speaks_other")}),
        (
            _("Registration"),
            {
                "fields": (
                    "capacity",
                    "max_seats_per_registration",
                    "registration_opens_at",
                    "registration_closes_at",
                    "waitlist_enabled",
                    "waitlist_limit",
                    "seats_taken",
                )
            },
        ),
        (_("History"), {"fields": ("sequence", "created_at", "updated_at")}),
    )

    def get_changeform_initial_data(self, request):
        """A new activity is for the current edition unless the link says otherwise."""
        initial = super().get_changeform_initial_data(request)
        if "edition" not in initial:
            edition = current_edition()
            if edition is not None:
                initial["edition"] = edition.pk
        return initial

    def save_model(self, request, obj, form, change):
        # Every write through the services: what the form changed, in the form's own fields
        # (the texts per language, never the untranslated field that modeltranslation shadows).
        if change:
            services.event_update(event=obj, data={})
            return
        fields = {field.name for field in Event._meta.concrete_fields}
        created = services.event_create(
            data={name: value for name, value in form.cleaned_data.items() if name in fields}
        )
        obj.pk = created.pk
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checked the venue; the services check it again under the venue's lock, so an
        # event saved at the same instant into that venue is still refused (the whole save rolled
        # back): said on the form's page again, not a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.VenueClash as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Publish the selected events"), permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for event in queryset.exclude(status=Event.Status.PUBLISHED):
            try:
                services.event_publish(event=event)
            except ValidationError as exc:  # a venue clash: that one stays as it was
                self.message_user(request, f"{event}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            count += 1
        self.message_user(
            request, ngettext("%(count)d event published.", "%(count)d events published.", count) % {"count": count}
        )

    @admin.action(description=_("Cancel the selected events"), permissions=["change"])
    def cancel(self, request, queryset):
        count = 0
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            services.event_cancel(event=event)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d event cancelled.", "%(count)d events cancelled.", count) % {"count": count},
            messages.WARNING,
        )


class ProposalSlotInline(admin.TabularInline):
    model = ProposalSlot
    extra = 0


class ProposalNoteInline(admin.TabularInline):
    """The history: written by programme.services only, never here."""

    model = ProposalNote
    extra = 0
    fields = ("at", "kind", "state", "by", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(TranslationAdmin):
    """Raw data. A proposal's state changes only through the back office's review
    (programme.services.proposal_transition, which records and e-mails it)."""

    list_display = ("title", "association", "edition", "category", "state", "updated_at")
    list_filter = ("state", "edition", "category")
    list_select_related = ("association", "edition", "category")
    search_fields = ("title_fr", "title_nl", "title_en", "association__name")
    readonly_fields = ("edition", "association", "state", "created_by", "created_at", "updated_at")
    inlines = (ProposalSlotInline, ProposalNoteInline)

    def has_add_permission(self, request) -> bool:
        return False  # associations propose in their portal, while the call is open
