from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from .roles import ensure_groups

        # After every app's migrations, since organisers hold permissions on models
        # of apps that migrate after this one.
        post_migrate.connect(ensure_groups, dispatch_uid="programme_ensure_groups")
