"""A worker killed in the middle of delivering the outbox loses no e-mail and sends none twice,
except the ones it had in flight (SPEC section 6), with real Redis, real Celery worker and beat
processes, PostgreSQL and a real SMTP server (aiosmtpd).

The worker runs as production runs it (`celery -A celery_app worker`: a main process and a
prefork pool, here of WORKER_CONCURRENCY processes), and is killed as a crash kills it: SIGKILL
to its whole process group at once, as the OOM killer of a container, `docker kill` or a power
cut do. Killing only a pool process would be gentler: the main process would see it die and,
with reject_on_worker_lost, give its task back at once. Killing everything leaves nobody to give
anything back: what was in flight survives only as outbox rows, and the sweep (run by a real
`celery -A celery_app beat`) is what must deliver it.

The killed worker's tasks (acks_late) stay unacknowledged in Redis and would only come back after
the broker's visibility_timeout (3600 s), long after this test: it does not depend on them, and
checks at the end that they are still there, never given back; the sweep did the job.

The SMTP server takes DELAY seconds to answer each message, and holds its answer to the
KILL_AT-th one until the worker is dead: that message has arrived but the worker never learnt it,
so it is the in-flight message that must go out again, with the same Message-ID.

Times: the sweep gives a claimed row to another worker MAIL_SENDING_TIMEOUT after its claim, and
runs every MAIL_SWEEP_SECONDS. Production's are 600 and 60; the test's must only keep their
meaning. SENDING_TIMEOUT must exceed the longest a live worker holds a claim (claim, render,
the server's answer, marked sent: well under a second here): 10 s is that many times over.
SWEEP_SECONDS is shorter than that timeout; at 3 s the sweep also re-queues, in batches, rows
that are merely waiting behind others in the queue while the second worker drains it, so that
batch tasks and single-message tasks compete for the same rows, which only the claim keeps from
being sent twice.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import redis
from django.conf import settings

from notifications.models import Message
from tests.factories import register
from tests.servers import (
    celery_beat,
    celery_worker,
    kill_process_group,
    purge_broker,
    slow_smtp_server,
    wait_until,
    worker_env,
)

# serialized_rollback: the worker reads what the test committed, and the flush after the test
# must give the categories (from a migration) back to the next one.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REGISTRATIONS = 150
WORKER_CONCURRENCY = 2
#: The worker is killed while the SMTP server holds its answer to this message.
KILL_AT = 50
DELAY = 0.03
SENDING_TIMEOUT = 10
SWEEP_SECONDS = 3
#: A sweep that found nothing left to queue, in the worker's log.
SWEEP_FOUND_NOTHING = re.compile(r"Task notifications\.sweep\[[^\]]+\] succeeded in [0-9.e-]+s: 0$", re.M)


@pytest.fixture
def event(make_event):
    return make_event(capacity=REGISTRATIONS)


@pytest.fixture
def broker():
    """The test Redis database as broker, with no task left by an earlier test, and none left for
    a later one (the killed worker's unacknowledged tasks would come back in an hour)."""
    purge_broker()
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.close()
    purge_broker()


def _arrived_ids(inbox) -> Counter:
    return Counter(message["Message-ID"] for _from, _to, message in inbox.messages())


def test_mail_worker_killed_mid_delivery_each_message_arrives_once_but_in_flight(event, broker, tmp_path):
    for number in range(REGISTRATIONS):
        register(event, f"guest{number:03}")
    assert list(Message.objects.values_list("status", flat=True)) == [Message.Status.PENDING] * REGISTRATIONS
    # Each registration queued the delivery of its confirmation, and no worker runs yet.
    assert broker.llen("celery") == REGISTRATIONS

    with slow_smtp_server(delay=DELAY, hold_at=KILL_AT) as (port, inbox):
        env = worker_env(
            tmp_path, smtp_port=port, MAIL_SENDING_TIMEOUT=str(SENDING_TIMEOUT), MAIL_SWEEP_SECONDS=str(SWEEP_SECONDS)
        )
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

        with celery_worker(env, first_log, pool="prefork", concurrency=WORKER_CONCURRENCY, name="first") as first:
            wait_until(inbox.held.is_set, timeout=180, describe=first_log.read_text)
            kill_process_group(first)
        held = inbox.held_message["Message-ID"]
        # Claimed by the dead worker and never marked sent: at most one per pool process.
        in_flight = set(Message.objects.filter(status=Message.Status.SENDING).values_list("message_id", flat=True))
        # The tasks it had taken (acks_late), which Redis keeps until its visibility_timeout.
        left_unacked = set(broker.hkeys("unacked"))
        inbox.release()
        assert held in in_flight
        assert len(in_flight) <= WORKER_CONCURRENCY
        assert len(_arrived_ids(inbox)) < REGISTRATIONS

        with (
            celery_worker(env, second_log, pool="prefork", concurrency=WORKER_CONCURRENCY, name="second"),
            celery_beat(env, tmp_path / "beat.log", tmp_path / "celerybeat-schedule"),
        ):

            def describe() -> str:
                counts = Counter(Message.objects.values_list("status", flat=True))
                return f"statuses {dict(counts)}, {len(_arrived_ids(inbox))} arrived\n" + second_log.read_text()

            def all_delivered() -> bool:
                unsent = Message.objects.exclude(status=Message.Status.SENT).exists()
                return len(_arrived_ids(inbox)) == REGISTRATIONS and not unsent

            wait_until(all_delivered, timeout=300, describe=describe)
            # Two more sweeps, the second one begun after everything was sent, find nothing left:
            # nothing is sent again later either.
            sweeps = len(SWEEP_FOUND_NOTHING.findall(second_log.read_text()))
            wait_until(
                lambda: len(SWEEP_FOUND_NOTHING.findall(second_log.read_text())) >= sweeps + 2,
                timeout=120,
                describe=describe,
            )

    rows = list(Message.objects.all())
    assert {m.status for m in rows} == {Message.Status.SENT}
    arrived = _arrived_ids(inbox)
    assert set(arrived) == {m.message_id for m in rows}
    duplicated = {mid for mid, count in arrived.items() if count > 1}
    # The held message went out again, and nothing else did but another in-flight one.
    assert held in duplicated
    assert duplicated <= in_flight
    assert max(arrived.values()) == 2
    # Claimed once each, except the in-flight rows: by the dead worker, then after the sweep.
    assert {m.message_id: m.attempts for m in rows if m.attempts != 1} == dict.fromkeys(in_flight, 2)
    # Each copy went to the row's recipient (the copies of one message are the same e-mail).
    recipient = {m.message_id: m.recipient for m in rows}
    assert all(to == [recipient[message["Message-ID"]]] for _from, to, message in inbox.messages())
    # The dead worker's tasks were never given back by Redis: the sweep delivered their messages.
    assert left_unacked <= set(broker.hkeys("unacked"))
