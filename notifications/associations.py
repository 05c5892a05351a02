"""E-mails to associations about their proposals: each change of state and each message of the
organisers, in the association's language, to the proposal's contact e-mail (else the
association's). Not part of the outbox: this module reads programme and writes outbox messages."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils import translation

from common.site import absolute_url
from programme.models import Proposal, ProposalNote

from . import outbox
from .models import Message

logger = logging.getLogger(__name__)


def on_proposal_noted(sender, *, proposal: Proposal, note: ProposalNote, **kwargs) -> None:
    """programme.signals.proposal_noted: inside the transaction that wrote `note`."""
    recipient = proposal.contact_email or proposal.association.contact_email
    if not recipient:
        logger.warning("proposal %s: no contact e-mail, the association is not told of note %s", proposal.pk, note.pk)
        return
    name = note.state if note.kind == ProposalNote.Kind.TRANSITION else "message"
    outbox.messages_create(
        [
            outbox.message(
                key=f"proposal-note-{note.pk}",
                purpose=Message.Purpose.PROPOSAL,
                recipient=recipient,
                language=proposal.association.language,
                template=f"programme/email/proposal_{name}",
                context={"message": note.text, "state": note.state},
                concerns=("proposal", proposal.pk),
            )
        ]
    )


@outbox.context_maker("proposal")
def proposal_contexts(ids: list[int]) -> dict[int, dict]:
    found = Proposal.objects.select_related("association", "edition").filter(pk__in=ids)
    contexts = {}
    for proposal in found:
        with translation.override(proposal.association.language):
            url = absolute_url(reverse("portal:proposal", kwargs={"pk": proposal.pk}))
        contexts[proposal.pk] = {
            "proposal": proposal,
            "association": proposal.association,
            "edition": proposal.edition,
            "proposal_url": url,
        }
    return contexts
