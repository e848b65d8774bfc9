# The portal's production image: gunicorn for web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cswb.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 cswb

COPY requirements/base.lock requirements/base.lock
RUN pip install -r requirements/base.lock

COPY . .
# collectstatic needs settings, not secrets: a throwaway key for this one step.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# Where uploaded import files wait for the worker: owned by the portal's user, so the named
# volume docker-compose mounts here starts with that owner.
RUN mkdir -p /app/var/imports && chown -R cswb:cswb /app/var

USER cswb
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# Workers, timeouts and logging: gunicorn.conf.py (sizes from WEB_WORKERS and friends).
CMD ["gunicorn", "cswb.wsgi"]
