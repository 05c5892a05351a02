from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from programme.signals import event_changed

        from .services import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="registrations_promote_on_event_change")
