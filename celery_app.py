"""The Celery application: `celery -A celery_app worker` and `celery -A celery_app beat`.

Configured from Django settings (the CELERY_ prefix); tasks are found in each
app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortnight.settings")

app = Celery("fortnight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="fortnight.ping")
def ping() -> str:
    """A task that proves the worker is alive (used by health checks and tests)."""
    return "pong"
