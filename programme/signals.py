from django.dispatch import Signal

#: Sent by programme.services inside the transaction that changed an event, with
#: the event row still locked: `event` (saved), `changed` (names of the fields
#: that changed) and `previous` (the row as it was). Registrations listen to promote
#: their waiting list, notifications to tell the attendees of a move or a cancellation.
event_changed = Signal()

#: Sent by the activity page (programme.views.event_detail) while it builds the page, so that
#: other apps add sections to it without programme knowing them: `event`, and `csrf_token`
#: to put in a form (the page is cached for every visitor; each visitor's own token replaces
#: it when the page is served). A receiver returns the section's HTML, or "" for none.
#: Registrations answer with the registration form.
event_page_section = Signal()

#: Sent by programme.services before an event's capacity changes, with the row locked:
#: `event` (not saved yet, with its new capacity). A receiver refuses the change by raising
#: django.core.exceptions.ValidationError (registrations: no registration may lose its seat).
event_capacity_changing = Signal()
