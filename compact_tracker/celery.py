"""The Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact_tracker.settings")

app = Celery("compact_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="compact_tracker.ping")
def ping():
    """Answer "pong": proves a worker takes tasks from the broker and stores results."""
    return "pong"
