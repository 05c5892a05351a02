"""The outbox in the back office: organisers see every e-mail, why one failed, and send the
failed ones again. Nothing here writes an e-mail or changes what it says."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations.selectors import registration_ids_with_code

from . import outbox
from .models import Message

#: Characters of the last error shown in the list; the whole error is on the e-mail's page.
ERROR_PREVIEW = 80


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only. Searched by booking code or key, never by address: the admin puts the search
    in the URL (`?q=`), and URLs end up in access logs and browser histories, where no
    e-mail address may be (CONVENTIONS, "Personal data"). A booking code opens nothing by
    itself (SPEC section 5); the registration admin finds a person's code."""

    list_display = ("created_at", "purpose", "recipient", "language", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "purpose")
    search_fields = ("key",)
    search_help_text = _("A booking code (all the e-mails of that registration), or part of a key (registration-12).")
    date_hierarchy = "created_at"
    actions = ("send_again",)
    fields = (
        ("purpose", "status"),
        ("recipient", "language"),
        "key",
        ("concerns_type", "concerns_id"),
        "template",
        "context",
        "attachments",
        "message_id",
        ("created_at", "not_before"),
        ("attempts", "claimed_at", "sent_at"),
        "last_error",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # what an e-mail says is never edited: its page shows it, read-only

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        # Sending again changes the row's delivery (status, attempts), not what it says:
        # the model's change permission, which organisers hold (programme.roles).
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.display(description=_("last error"))
    def error(self, message: Message) -> str:
        return Truncator(message.last_error).chars(ERROR_PREVIEW)

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        registration_ids = registration_ids_with_code(search_term)
        if registration_ids is not None:
            found = found | queryset.filter(Q(concerns_type="registration", concerns_id__in=registration_ids))
        return found, may_have_duplicates

    @admin.action(description=_("Send the selected failed e-mails again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        failed = list(queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True))
        if failed:
            count = outbox.messages_send_again(failed)
            self.message_user(
                request,
                ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
                % {"count": count},
                messages.SUCCESS,
            )
        skipped = queryset.count() - len(failed)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected e-mail had not failed: it was left as it is.",
                    "%(count)d selected e-mails had not failed: they were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
