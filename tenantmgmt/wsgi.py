"""WSGI entry point: `gunicorn tenantmgmt.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantmgmt.settings")

application = get_wsgi_application()
