from django.dispatch import Signal

#: Sent by programme.services inside the transaction that changed an event, with
#: the event row still locked: `event` (saved) and `changed` (names of the fields
#: that changed). Registrations listen to promote their waiting list.
event_changed = Signal()
