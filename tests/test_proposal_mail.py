"""Decisions reach the association (SPEC section 5, "Proposals"): through the outbox, a real
Celery worker process and a real SMTP server, once, in the association's language."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from notifications.models import Message
from programme import services
from tests.servers import WORKER_SITE_URL, celery_worker, purge_broker, smtp_server, wait_until, worker_env
from tests.test_proposals import create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_decision_and_message_mails_arrive_once_in_the_associations_language(
    call_edition, association, member, organiser, venue, tmp_path
):
    purge_broker()
    proposal = create(call_edition, association, member, venue=venue)
    log = tmp_path / "worker.log"
    with smtp_server() as (port, inbox), celery_worker(worker_env(tmp_path, smtp_port=port), log):
        services.proposal_transition(proposal=proposal, action="submit", user=member)
        services.proposal_note_add(
            proposal=proposal, user=organiser, text="Merci, c'est noté & bien reçu.", to_association=True
        )
        services.proposal_transition(proposal=proposal, action="accept", user=organiser, message="Bravo <3")
        wait_until(
            lambda: Message.objects.filter(status="sent").count() == 3,
            timeout=60,
            describe=lambda: f"{list(Message.objects.values_list('status', 'last_error'))}\n{log.read_text()}",
        )

    received = inbox.messages()
    assert len(received) == 3
    rows = {row.message_id: row for row in Message.objects.all()}
    assert sorted(message["Message-ID"] for _f, _t, message in received) == sorted(rows)
    by_template = {rows[message["Message-ID"]].template: (to, message) for _f, to, message in received}
    assert set(by_template) == {
        "programme/email/proposal_submitted",
        "programme/email/proposal_message",
        "programme/email/proposal_accepted",
    }
    to, accepted = by_template["programme/email/proposal_accepted"]
    assert to == ["mariam@example.org"]
    title = "Vredesliederen uit de Sahel"  # the Dutch title: the association is Dutch-speaking
    with translation.override("nl"):
        assert accepted["Subject"] == gettext("Proposal accepted: %(title)s") % {"title": title}
        assert gettext("Proposal accepted: %(title)s") != "Proposal accepted: %(title)s"  # really Dutch
        text = accepted.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        assert gettext("The organisers' message:") + "\nBravo <3\n" in text
        assert f"{WORKER_SITE_URL}/nl/portal/proposals/{proposal.pk}/" in text
    html = accepted.get_body(preferencelist=("html",)).get_content()
    assert "Bravo &lt;3" in html
    _to, message = by_template["programme/email/proposal_message"]
    assert "Merci, c'est noté & bien reçu." in message.get_body(preferencelist=("plain",)).get_content()
