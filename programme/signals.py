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

#: Sent by programme.services inside the transaction that changed a proposal, when the
#: association must hear of it: `proposal`, `note` (the ProposalNote just written: a change of
#: state, or a message from the organisers). Notifications answer with the association's e-mail.
proposal_noted = Signal()

#: Asked by the portal and the back office for the registration counts of events (programme
#: keeps only the seats taken): `events`; a receiver returns {event id: {"waitlisted_seats",
#: "checked_in_seats", ...}} (registrations answers).
event_counts = Signal()

#: Sent by programme.accounts inside the transaction that made `user` a member of `association`,
#: or invited again a member who has not set a password yet: `membership` (the row of
#: Association.members.through), `user`, `association`, `invited_by`, `email` (the address typed,
#: lower-cased) and `invitation` (True: the account has no password yet and the e-mail's link sets
#: one; False: an account that has one, told it was added). Notifications answer with the e-mail.
member_invited = Signal()

#: Sent by programme.accounts when a password reset was asked for `user` (an active account with
#: a password), with `language` (the page's). Notifications answer with the e-mail and its link.
password_reset_asked = Signal()
