from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from programme.signals import event_capacity_changing, event_changed, event_counts, event_page_section

        from .selectors import on_event_counts
        from .services import on_event_capacity_changing, on_event_changed
        from .views import event_page_section as registration_form_section

        event_changed.connect(on_event_changed, dispatch_uid="registrations_promote_on_event_change")
        event_page_section.connect(registration_form_section, dispatch_uid="registrations_form_on_event_page")
        event_capacity_changing.connect(
            on_event_capacity_changing, dispatch_uid="registrations_keep_seats_on_capacity_change"
        )
        event_counts.connect(on_event_counts, dispatch_uid="registrations_counts_for_portal")
