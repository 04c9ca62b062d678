# Production image: the portal under gunicorn; the same image runs the Celery worker, beat and the backups.
# Nothing secret is built in (.dockerignore): keys, passwords and the seal come at run time as files (see README).
FROM python:3.11-slim-bookworm

# A fixed, unprivileged user, so volumes and secret files can be given to it by number on the host.
ARG PORTAL_UID=10001
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# gettext: translations; Pango, HarfBuzz and fonts: WeasyPrint; ghostscript: attachments made PDF/A for board packs;
# postgresql-client and age: the backup service.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    fonts-dejavu-core ghostscript postgresql-client age \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid "$PORTAL_UID" portal \
 && useradd --system --uid "$PORTAL_UID" --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY network network
COPY core core
COPY members members
COPY governance governance
COPY funding funding
COPY portfolio portfolio
COPY annual annual
COPY demo demo
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
# The code stays owned by root (read-only for the portal); only the folders it writes belong to it.
RUN DEBUG=true python manage.py compilemessages --ignore=.venv -v0 \
 && DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/media /app/var/celery /backups \
 && chown "$PORTAL_UID:$PORTAL_UID" /app/media /app/var/celery /backups \
 && chmod 0700 /backups
USER ${PORTAL_UID}:${PORTAL_UID}
EXPOSE 8000
# The liveness check answers without the database or the Host header (core.middleware.HealthMiddleware).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "network.wsgi:application", "--config", "network/gunicorn.conf.py"]
