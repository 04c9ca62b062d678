# Production image: the portal under gunicorn; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY network network
COPY members members
COPY funding funding
COPY portfolio portfolio
RUN pip install -c constraints.txt .
COPY . .
RUN DEBUG=true python manage.py compilemessages -v0 \
 && DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "network.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
