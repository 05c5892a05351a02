from django.dispatch import Signal

#: Sent by programme.services inside the transaction that changed an event, with
#: the event row still locked: `event` (saved) and `changed` (names of the fields
#: that changed). Registrations listen to promote their waiting list.
event_changed = Signal()

#: Sent by programme.services before an event's capacity changes, with the row locked:
#: `event` (not saved yet, with its new capacity). A receiver refuses the change by raising
#: django.core.exceptions.ValidationError (registrations: no registration may lose its seat).
event_capacity_changing = Signal()
