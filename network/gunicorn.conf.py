"""gunicorn's settings for the image (Dockerfile, docker-compose.yml): read from the environment like the portal's.

WEB_BIND (default 0.0.0.0:8000) and WEB_CONCURRENCY (worker processes, default 3). The portal writes its own access
log line per request (core.middleware.RequestLogMiddleware, JSON with the client's address from TRUSTED_PROXIES), so
gunicorn's own access log is off; its error log goes to stderr.
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = None
errorlog = "-"
# Restart a worker now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200


def on_starting(server):
    """Run the portal's checks before any worker starts: in production (DEBUG off) the portal refuses to start
    without a readable seal, with mail to the console or with a well-known database password (core/checks.py)."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    django.setup()
    call_command("check", fail_level="ERROR")
