from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from programme.signals import event_changed, proposal_noted

        from . import checks  # noqa: F401 - registers the system check
        from .associations import on_proposal_noted
        from .attendees import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="notifications_tell_attendees_of_event_change")
        proposal_noted.connect(on_proposal_noted, dispatch_uid="notifications_tell_association_of_proposal")
        from .accounts import connect_signals as connect_account_mails  # invitations, password resets

        connect_account_mails()
