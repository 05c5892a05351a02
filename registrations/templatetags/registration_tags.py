from django import template

from registrations.forms import RegistrationForm

register = template.Library()


@register.inclusion_tag("registrations/_form.html", takes_context=True)
def registration_form(context, event):
    """The registration form of an event, for the event's page."""
    return {"event": event, "form": RegistrationForm(event=event), "csrf_token": context.get("csrf_token")}
