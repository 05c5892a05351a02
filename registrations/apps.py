from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from programme.signals import event_capacity_changing, event_changed

        from .services import on_event_capacity_changing, on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="registrations_promote_on_event_change")
        event_capacity_changing.connect(
            on_event_capacity_changing, dispatch_uid="registrations_keep_seats_on_capacity_change"
        )
