"""A setting that would let two workers send the same e-mail."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sending_timeout_above_smtp_timeout(app_configs, **kwargs):
    """A worker still sending a message must never lose its claim on it. A message is held
    from its claim to the end of its SMTP exchange, which EMAIL_TIMEOUT bounds (opening the
    connection, then sending), so MAIL_SENDING_TIMEOUT must be longer than twice that."""
    smtp_timeout = settings.EMAIL_TIMEOUT
    if smtp_timeout is None or 2 * smtp_timeout >= settings.MAIL_SENDING_TIMEOUT:
        return [
            Warning(
                f"MAIL_SENDING_TIMEOUT ({settings.MAIL_SENDING_TIMEOUT} s) is not above twice EMAIL_TIMEOUT"
                f" ({smtp_timeout} s): a message still being sent may be given to another worker and go out twice.",
                hint="Keep EMAIL_TIMEOUT set (10 s by default) and MAIL_SENDING_TIMEOUT above twice that.",
                id="notifications.W001",
            )
        ]
    return []
