"""The Celery application: `celery -A tenantmgmt worker` and `celery -A tenantmgmt beat`."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantmgmt.settings")

app = Celery("tenantmgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(sender: object = None, **kwargs: object) -> None:
    """Before and after each task, what Django does around each request (CONN_MAX_AGE, health checks)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's process: the connection, and any open transaction, are the caller's
    close_old_connections()
