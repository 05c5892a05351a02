from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import CheckIn, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Organisers look registrations up and cancel them; seats change only through the services."""

    list_display = ("code", "name", "email", "event", "seats", "status", "created_at", "checked_in_at")
    list_filter = ("status", "event__edition", "event")
    list_select_related = ("event",)
    search_fields = ("code", "name", "email", "event__title_fr", "event__title_nl", "event__title_en")
    date_hierarchy = "created_at"
    actions = ("cancel",)
    readonly_fields = [field.name for field in Registration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
    def cancel(self, request, queryset):
        count = 0
        for registration_id in queryset.exclude(status=Registration.Status.CANCELLED).values_list("pk", flat=True):
            try:
                services.registration_cancel(registration_id=registration_id, by=Registration.CancelledBy.ORGANISER)
            except services.RegistrationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.", count)
            % {"count": count},
        )


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """The log of every scan at the doors, read-only."""

    list_display = ("created_at", "event", "result", "method", "registration", "user", "device")
    list_filter = ("result", "method", "event")
    list_select_related = ("event", "registration", "user")
    search_fields = ("registration__code", "registration__name", "device")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
