"""The Celery application: `celery -A celery_app worker` and `celery -A celery_app beat`.

Configured from Django settings (the CELERY_ prefix); tasks are found in each
app's tasks.py.
"""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")

app = Celery("fortnight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _database_connections_as_for_a_request(task=None, **kwargs) -> None:
    """Workers keep their database connections from task to task (CELERY_DB_REUSE_MAX):
    opening one per task cost more database CPU than the e-mail it sent (bench/RESULTS.md).
    Before each task, as Django does before each request, a connection older than
    CONN_MAX_AGE, or broken (the database restarted), is dropped for a new one."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's thread: its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="fortnight.ping")
def ping() -> str:
    """A task that proves the worker is alive (used by health checks and tests)."""
    return "pong"
