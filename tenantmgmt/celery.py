"""The Celery application: `celery -A tenantmgmt worker` and `celery -A tenantmgmt beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantmgmt.settings")

app = Celery("tenantmgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
