# tenantmgmt: one image for web (the default command), Celery worker, Celery beat and migrations.
#   docker build -t REGISTRY/tenantmgmt:TAG .
# The commands each Kubernetes container runs are in k8s/*.yaml; README "Deploy to Kubernetes".

# --- build: dependencies into a virtualenv, static files collected ------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

WORKDIR /app
COPY . .
# collectstatic needs settings, not secrets: a throwaway key, no database is touched.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=0 STATIC_MANIFEST=1 VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app

# --- runtime: the virtualenv and the application, owned by root, run as an unprivileged user -----
FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=tenantmgmt.settings \
    VAR_DIR=/tmp/tenantmgmt

RUN groupadd --system --gid 10001 tenantmgmt \
    && useradd --system --uid 10001 --gid tenantmgmt --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tenantmgmt

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app

# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "tenantmgmt.wsgi:application"]
