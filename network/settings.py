"""Settings for the network portal, read from environment variables and the `.env` file (see .env.example).

`make install` writes a development `.env` (DEBUG=true and a generated SECRET_KEY) when there is none; a
variable set in the environment wins over the file. ENV_FILE names another file, or none when empty."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str, load_env_file, url_with_password

BASE_DIR = Path(__file__).resolve().parent.parent

_ENV_FILE = env_str("ENV_FILE", str(BASE_DIR / ".env"))
if _ENV_FILE:
    load_env_file(BASE_DIR / _ENV_FILE)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY: str = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "simple_history",
    "core",
    "members",
    "governance",
    "funding",
    "portfolio",
    "annual",
    "demo",
]

MIDDLEWARE = [
    # Probes first (no host check, no redirect), then the request id every later log line carries.
    "core.health.HealthMiddleware",
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.AccountLanguageMiddleware",
    "core.observability.UserIdMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "network.urls"
WSGI_APPLICATION = "network.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

# Database: an embedded SQLite file unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# The password apart from the URL, so it can come from a secret file (DATABASE_PASSWORD_FILE, see core/env.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded worker writes beside the web server: a writer takes the lock when its transaction begins and
    # waits for it (up to 30 s) instead of failing with "database is locked"; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DATABASE_PASSWORD = env_str("DATABASE_PASSWORD") or ""
if DATABASE_PASSWORD:
    DATABASES["default"]["PASSWORD"] = DATABASE_PASSWORD
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "core.policy.PolicyBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "dashboard"

# Language and formats: Norwegian Bokmål by default; Nynorsk and English selectable. A logged-in person's choice
# is kept on their account (every device), anyone else's a year in the language cookie (core.middleware).
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "nb")
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["core.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 2_000_000)

# Redis: broker for Celery and the cache. Without it, the embedded default: a real Celery worker (started by
# `make run` beside the web server) takes tasks from an SQLite file under var/ (kombu's SQLAlchemy transport),
# so a page that starts a job answers at once, as in production.
# REDIS_PASSWORD (or REDIS_PASSWORD_FILE) is put into the URL, so the URL itself holds no secret.
REDIS_URL = url_with_password(env_str("REDIS_URL") or "", env_str("REDIS_PASSWORD")) or None
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
if not CELERY_BROKER_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)  # SQLite creates the file, not its folder
    CELERY_BROKER_URL = f"sqla+sqlite:///{BASE_DIR / 'var' / 'celery.sqlite'}"
# No result backend: results are not read (runs record their own state in the database), and storing them cost a
# write to Redis per task, kept for a day, that nobody read.
CELERY_TASK_IGNORE_RESULT = True
# true: tasks run inside the request that sends them (no worker needed; the browser tests use it).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that starts a job should say at once when the queue is down, not hang.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Redelivery of a task lost with its worker (Redis); the SQLAlchemy transport hands these options to its engine.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)} if CELERY_BROKER_URL.startswith("redis") else {}
)
# A task that hangs (a stalled SMTP server, a runaway PDF) is stopped: first softly (SoftTimeLimitExceeded), then
# its process is killed; both stay below the visibility timeout so a task is not delivered twice while it runs.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 900)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1200)
# A worker process is replaced once it holds more than this many KiB, or after this many tasks, so memory a PDF
# render leaves behind cannot pile up. A process settles at about 185 MB after its first render and stays there
# (150 invoices rendered in one process: +0.5 MB); replacing it every 100 tasks had left each process idle for
# a fifth of an invoice run with two of them (bench/README.md).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 1000)
# A worker process keeps its database connection from one task to the next for this many seconds (Celery's Django
# fixup would otherwise close it around every task, and each new connection costs PostgreSQL a backend and its
# catalogue, about 10 ms per invoice of a run); a connection that failed is replaced before the next task
# (network/celery.py). 0: a new connection for every task.
WORKER_DB_CONN_MAX_AGE = env_int("WORKER_DB_CONN_MAX_AGE", 600)
CELERY_DB_REUSE_MAX = 1_000_000 if WORKER_DB_CONN_MAX_AGE > 0 else None  # read by Celery's fixup: never close itself
# Where beat keeps its schedule; in the compose stack a volume, so a restart does not forget the last runs.
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILE") or "celerybeat-schedule"

CACHES = {
    "default": (
        {
            # Reads miss and writes are skipped while Redis is down, so pages keep working (see core/cache.py).
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Email: with DEBUG on, files under var/mail/ (readable at /dev/mail/ by the secretariat); SMTP otherwise, so with
# DEBUG off no signing code or reset link goes to the logs (core/checks.py refuses the console and memory backends
# in production).
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
# Where django.core.mail.backends.filebased.EmailBackend writes each message (the browser tests read it).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds before a stalled SMTP server gives up, so a request or a task does not hang on it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# The host's Peppol access point, reached over SFTP: EHF invoices for organisations that take them through Peppol
# are put in PEPPOL_SFTP_OUTBOX, and the access point's Invoice Responses are read from PEPPOL_SFTP_INBOX. Empty
# host: Peppol delivery is off (invoices wait in the outbox). The server's key must be in PEPPOL_SFTP_KNOWN_HOSTS.
PEPPOL_SFTP_HOST = env_str("PEPPOL_SFTP_HOST", "")
PEPPOL_SFTP_PORT = env_int("PEPPOL_SFTP_PORT", 22)
PEPPOL_SFTP_USER = env_str("PEPPOL_SFTP_USER", "")
PEPPOL_SFTP_KEY_PATH = env_str("PEPPOL_SFTP_KEY_PATH", "")
PEPPOL_SFTP_KEY_PASSPHRASE = env_str("PEPPOL_SFTP_KEY_PASSPHRASE", "")
PEPPOL_SFTP_KNOWN_HOSTS = env_str("PEPPOL_SFTP_KNOWN_HOSTS", "")
PEPPOL_SFTP_OUTBOX = env_str("PEPPOL_SFTP_OUTBOX", "outbox")
PEPPOL_SFTP_INBOX = env_str("PEPPOL_SFTP_INBOX", "inbox")
PEPPOL_SFTP_TIMEOUT = env_int("PEPPOL_SFTP_TIMEOUT", 30)
# Attempts at handing one invoice to the access point before it is left for the secretariat (backoff doubles).
PEPPOL_DELIVERY_MAX_RETRIES = env_int("PEPPOL_DELIVERY_MAX_RETRIES", 8)

# Transport security: every switch is a variable; the defaults are safe for production.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The orchestrator's probes ask over plain HTTP inside the network; they are never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Addresses or networks (CIDR) of the reverse proxies in front of the portal. Only when the immediate peer is one of
# them is the client's address taken from X-Forwarded-For (core/client_ip.py): for the signature audit trail, login
# throttling and the access log. Empty: the peer's own address, and X-Forwarded-For is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# A year of HSTS unless DEBUG; browsers only heed it over HTTPS, so plain-HTTP development is unaffected.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-striped align-middle"}

# The network this installation serves, until the secretariat edits its profile.
NETWORK_NAME = env_str("NETWORK_NAME", "DigiVestland")

# Logs: one JSON object a line (time, level, logger, message, request id, user id; core/observability.py),
# or plain text with LOG_FORMAT=text for development.
LOG_FORMAT = env_str("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
# The servers (gunicorn, Celery) log to stdout (LOG_STREAM=stdout in the compose file); management commands keep
# stderr, so a log line never mixes into what a command writes (dumpdata, shell -c).
LOG_STREAM = env_str("LOG_STREAM") or "stderr"
if LOG_STREAM not in ("stdout", "stderr"):
    raise ImproperlyConfigured(f"LOG_STREAM must be stdout or stderr, not {LOG_STREAM!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.observability.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{LOG_STREAM}",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery.app.trace": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The journal for the host's accounts (funding/journal.py): the accounts invoices, credit notes and payments are
# posted to, and the project dimension. The defaults are NS 4102's receivables and bank accounts and the municipal
# chart of accounts' (KOSTRA) art 1750, refunds from municipalities; set the host's own.
JOURNAL_ACCOUNT_RECEIVABLE = env_str("JOURNAL_ACCOUNT_RECEIVABLE", "1500")
JOURNAL_ACCOUNT_REVENUE = env_str("JOURNAL_ACCOUNT_REVENUE", "1750")
JOURNAL_ACCOUNT_BANK = env_str("JOURNAL_ACCOUNT_BANK", "1920")
JOURNAL_PROJECT = env_str("JOURNAL_PROJECT", "")

# The network's seal for completed agreements (PAdES). `manage.py create_seal_certificate --out var/seal`
# makes a development certificate; in production point these at the network's real certificate.
SEAL_CERTIFICATE_PATH = Path(env_str("SEAL_CERTIFICATE_PATH") or BASE_DIR / "var" / "seal" / "cert.pem")
SEAL_KEY_PATH = Path(env_str("SEAL_KEY_PATH") or BASE_DIR / "var" / "seal" / "key.pem")
SEAL_KEY_PASSWORD = env_str("SEAL_KEY_PASSWORD") or None
SEAL_TRUST_ROOT_PATH = Path(env_str("SEAL_TRUST_ROOT_PATH") or SEAL_CERTIFICATE_PATH)
# An RFC 3161 time-stamping authority: with it every seal is PAdES B-LTA (timestamp, embedded validation data and a
# document timestamp); without it B-B. SEAL_TRUST_ROOT_PATH must then hold the TSA's root too (a PEM bundle).
SEAL_TSA_URL = env_str("SEAL_TSA_URL") or ""
# The seal key in an HSM through PKCS#11 instead of SEAL_KEY_PATH: the module (e.g. the vendor's .so), the token's
# label, the user PIN and the key's label. The certificate stays SEAL_CERTIFICATE_PATH.
SEAL_PKCS11_MODULE = env_str("SEAL_PKCS11_MODULE") or ""
SEAL_PKCS11_TOKEN = env_str("SEAL_PKCS11_TOKEN") or ""
SEAL_PKCS11_PIN = env_str("SEAL_PKCS11_PIN") or ""
SEAL_PKCS11_KEY_LABEL = env_str("SEAL_PKCS11_KEY_LABEL") or ""
# The mandate the leader countersigns agreements under, when the agreement text names no adopting case,
# e.g. "Årsmøtet, sak 4/24".
AGREEMENT_COUNTERSIGN_MANDATE = env_str("AGREEMENT_COUNTERSIGN_MANDATE") or ""
# Minutes a signing code is valid; days an emailed agreement link is valid.
SIGNING_CODE_MINUTES = env_int("SIGNING_CODE_MINUTES", 10)
SIGNING_CODES_PER_HOUR = env_int("SIGNING_CODES_PER_HOUR", 3)  # per agreement, each with 5 tries
AGREEMENT_LINK_DAYS = env_int("AGREEMENT_LINK_DAYS", 14)
# The portal's address as links in emails use it; by default the address `make run` serves on (HOST, PORT).
PORTAL_BASE_URL = (
    env_str("PORTAL_BASE_URL") or f"http://{env_str('HOST') or '127.0.0.1'}:{env_int('PORT', 8000)}"
).rstrip("/")

# Retention (core/retention.py; the privacy statement states these): days django-axes keeps login attempts, days
# development mail files are kept, years other change history is kept after the year's end (money records: five,
# by law). The apps whose history is money records (the Bookkeeping Act).
AXES_RETENTION_DAYS = env_int("AXES_RETENTION_DAYS", 90)
MAIL_FILE_RETENTION_DAYS = env_int("MAIL_FILE_RETENTION_DAYS", 14)
HISTORY_RETENTION_YEARS = env_int("HISTORY_RETENTION_YEARS", 3)
HISTORY_MONEY_APPS = ["funding"]

# Hardening: login throttling (django-axes), a second factor for the secretariat (django-otp) and a
# Content-Security-Policy (django-csp). Kept together so the switches are read in one place.
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "axes.middleware.AxesMiddleware"]  # axes must come last
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
# Lock a username from one address after this many failed logins, for this many minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"
# The client's address behind the reverse proxy (TRUSTED_PROXIES), not the proxy's: else one wrong password from
# anyone would lock the username for everyone.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# Secretariat permissions hold only after a one-time code from an authenticator app (or a backup code).
OTP_REQUIRED_FOR_SECRETARIAT = env_bool("OTP_REQUIRED_FOR_SECRETARIAT", True)
OTP_TOTP_ISSUER = NETWORK_NAME
# Scripts and styles only from the portal itself; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws form controls' icons as data: SVG
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Error reporting: off unless SENTRY_DSN names a Sentry (or compatible, e.g. GlitchTip) project. No personal data is
# sent (send_default_pii off: no user names, addresses, cookies or form data); the release is PORTAL_VERSION.
SENTRY_DSN = env_str("SENTRY_DSN") or ""
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        send_default_pii=False,
        release=env_str("PORTAL_VERSION") or None,
        environment=env_str("SENTRY_ENVIRONMENT") or "production",
        traces_sample_rate=0.0,
    )

# Sign-in through OpenID Connect (core/oidc.py). ID-porten: directors sign in and step up to level high when they
# sign or decline an agreement; with it configured the mailed signing code is no longer offered. Empty issuer:
# no ID-porten, the password (and the mailed code) as before.
IDPORTEN_ISSUER = (env_str("IDPORTEN_ISSUER") or "").rstrip("/")
IDPORTEN_CLIENT_ID = env_str("IDPORTEN_CLIENT_ID") or ""
IDPORTEN_CLIENT_SECRET = env_str("IDPORTEN_CLIENT_SECRET") or ""
IDPORTEN_SCOPES = env_str("IDPORTEN_SCOPES") or "openid profile"
# The level a sign-in asks for, and the highest age (seconds) of the authentication a signature accepts.
IDPORTEN_SIGN_IN_LEVEL = env_str("IDPORTEN_SIGN_IN_LEVEL") or "idporten-loa-substantial"
IDPORTEN_STEP_UP_MAX_AGE = env_int("IDPORTEN_STEP_UP_MAX_AGE", 120)
# The host organisation's own provider for the secretariat (e.g. Microsoft Entra ID); its `amr` values that count
# as a second factor.
STAFF_OIDC_ISSUER = (env_str("STAFF_OIDC_ISSUER") or "").rstrip("/")
STAFF_OIDC_CLIENT_ID = env_str("STAFF_OIDC_CLIENT_ID") or ""
STAFF_OIDC_CLIENT_SECRET = env_str("STAFF_OIDC_CLIENT_SECRET") or ""
STAFF_OIDC_SCOPES = env_str("STAFF_OIDC_SCOPES") or "openid profile email"
STAFF_OIDC_NAME = env_str("STAFF_OIDC_NAME") or "Microsoft Entra ID"
STAFF_OIDC_SECOND_FACTOR_AMR = env_list("STAFF_OIDC_SECOND_FACTOR_AMR", ["mfa"])
# How the client authenticates at the token endpoint (client_secret_post or client_secret_basic).
OIDC_TOKEN_AUTH_METHOD = env_str("OIDC_TOKEN_AUTH_METHOD") or "client_secret_post"
# The key of the keyed hash (HMAC-SHA256) under which national identity numbers are stored; never the number itself.
# Keep it apart from SECRET_KEY (changing it unlinks every registered person) and never change it lightly.
IDENTITY_HASH_KEY = env_str("IDENTITY_HASH_KEY") or ""
if not IDENTITY_HASH_KEY:
    if IDPORTEN_ISSUER and not DEBUG:
        raise ImproperlyConfigured("IDENTITY_HASH_KEY must be set when IDPORTEN_ISSUER is")
    IDENTITY_HASH_KEY = "insecure-development-identity-key"
# The browser follows a form's redirect to the provider (the step-up at signing) only where form-action allows it.
for _issuer in sorted({IDPORTEN_ISSUER, STAFF_OIDC_ISSUER} - {""}):
    _origin = urlsplit(_issuer)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_origin.scheme}://{_origin.netloc}")
