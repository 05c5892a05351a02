"""`{% add_to_calendar event ics_url %}`: the "Add to calendar" menu of an activity
(templates/_add_to_calendar.html), with an optional `label="..."` for its button."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from programme.calendar_links import calendar_links

register = template.Library()


@register.inclusion_tag("_add_to_calendar.html")
def add_to_calendar(event, ics_url: str, label: str | None = None) -> dict:
    return {"event": event, "links": calendar_links(event, ics_url), "label": label or _("Add to my calendar")}
