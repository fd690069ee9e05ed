"""Settings for the dispute mediation portal, read from the environment (django-environ).

Every value has a safe default in DEBUG only; outside DEBUG, SECRET_KEY must be given.
See `.env.example` for the full list.
"""

from decimal import Decimal
from pathlib import Path

import environ
from django.contrib.messages import constants as message_constants
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-only-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: raises ImproperlyConfigured when missing

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "django_fsm",
    "django_tasks_db",
    # The second factor: django-allauth's MFA (TOTP and recovery codes; portal/second_factor.py
    # drives it from the portal's own sign-in). allauth.account is required by allauth.mfa.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal",
    "mediation",
    "mediation.replykit",
    "mediation.insight",
    "mediation.problems",
    "referrals",
]

MIDDLEWARE = [
    "portal.middleware.TrustedProxyHeaders",
    # Outermost but one: refusals enter the audit chain once the request's transactions are
    # over (portal/refusals.py).
    "portal.refusals.RefusalsEnterTheChain",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # request.htmx: a page's part asked for by htmx (live bundle status) is answered alone.
    "django_htmx.middleware.HtmxMiddleware",
    # A redirect answering htmx (an ended session's sign-in page) takes the whole page.
    "portal.middleware.HtmxRedirectsThePage",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.SecondFactorRequired",
    "portal.middleware.NoStoreForPeople",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionLifetime",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one (and, on SQLite, its PRAGMAs) per request cost more than
# the API's own work (bench/api.py). Health checks drop a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, and each statement a connection runs more than five
    # times parsed and planned once (psycopg's automatic preparation, which Django leaves off
    # unless asked): a case page's twenty small queries spent half their time in PostgreSQL's
    # parsing and planning (bench/scale.py).
    # Off (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that cannot keep them, such as
    # PgBouncer in transaction mode before 1.21.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, a busy timeout and IMMEDIATE transactions let the web process, the task worker
    # and the scheduled jobs share the file: a deferred transaction that upgrades from reading
    # to writing fails at once with "database is locked" instead of waiting its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# The cache holds the sign-in and API rate-limit counters. The default is per process: with
# several gunicorn workers or hosts, point CACHE_URL at a shared Redis (redis://host:6379/1) so
# that a limit is one limit.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # Parts of pages the same for everyone of a scope, kept for minutes by {% cache %} (the
    # queue's filters and bulk actions): in each process, a lookup of microseconds where a
    # shared Redis costs a round trip of 0.2-0.3 ms (bench/scale.py); each worker builds its own.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "portal.auth_backends.MobileOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
# Evidence and bundles: files under PRIVATE_STORAGE_ROOT on one machine, or, when
# OBJECT_STORAGE_BUCKET is set, an S3-compatible bucket that every app and worker host shares
# (django-storages). Either way no file has a public URL: permission-checked views stream them.
OBJECT_STORAGE_BUCKET = env.str("OBJECT_STORAGE_BUCKET", default="")
if OBJECT_STORAGE_BUCKET:
    PRIVATE_STORAGE: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OBJECT_STORAGE_BUCKET,
            "endpoint_url": env.str("OBJECT_STORAGE_ENDPOINT", default="") or None,
            "region_name": env.str("OBJECT_STORAGE_REGION", default="") or None,
            "access_key": env.str("OBJECT_STORAGE_ACCESS_KEY", default="") or None,
            "secret_key": env.str("OBJECT_STORAGE_SECRET_KEY", default="") or None,
            "location": env.str("OBJECT_STORAGE_PREFIX", default="private"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.path("PRIVATE_STORAGE_ROOT", default=VAR_DIR / "private"),
            # No base_url: private files are only ever streamed by permission-checked views.
            "base_url": None,
        },
    }
STORAGES = {
    "default": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG


def _mailer_from_url(url: str) -> dict:
    """EMAIL_URL (smtp+tls://user:pass@host:587, consolemail://, filemail:///path) -> MAILERS."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options: dict[str, object] = {}
    if backend.endswith("smtp.EmailBackend"):
        for key, option in (
            ("EMAIL_HOST", "host"),
            ("EMAIL_PORT", "port"),
            ("EMAIL_HOST_USER", "username"),
            ("EMAIL_HOST_PASSWORD", "password"),
            ("EMAIL_USE_TLS", "use_tls"),
            ("EMAIL_USE_SSL", "use_ssl"),
        ):
            if config.get(key) not in (None, ""):
                options[option] = config[key]
        options["timeout"] = 20
    elif backend.endswith("filebased.EmailBackend"):
        # django-environ drops the leading slash of filemail:///abs/path: the path is what
        # follows "filemail://", absolute when it starts with "/".
        path = url.split("://", 1)[1].split("?", 1)[0]
        options["file_path"] = path or str(VAR_DIR / "mail")
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {
    "default": _mailer_from_url(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@bank.example")

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    # Token first: an unauthenticated call answers 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api_auth.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "portal.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["portal.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.renderers.AnyClientNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonThrottle",
        "portal.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="6000/min"),
        "auth": env.str("API_RATE_AUTH", default="5/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Dispute mediation portal API",
    "DESCRIPTION": "Disputes, evidence, bundles, referrals, judicial confirmations, "
    "arbitrations and look-back reviews. Errors are JSON: {code, message}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages for signed-in users (or a token) in production; open in
    # development.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if DEBUG
        else "rest_framework.permissions.IsAuthenticated"
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProductCategoryEnum": "mediation.models.ProductCategory",
        "EvidenceCategoryEnum": "mediation.models.EvidenceCategory",
        "VerdictEnum": "referrals.reviews.models.Verdict",
    },
}

# Security: strict in production, relaxed only where DEBUG needs plain HTTP.
# With a shared cache (CACHE_URL: Redis) sessions are read from it and written through to the
# database: one query fewer on every page. With the per-process default they stay in the
# database alone, or signing out in one worker would leave the session alive in the others'
# caches.
SHARED_CACHE = "locmem" not in CACHES["default"]["BACKEND"]
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
# Sessions end after a while without use (staff, partners, auditors, administrators: 30 minutes;
# customers: 2 hours) and 12 hours after sign-in whatever happens (portal.middleware).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_IDLE_SECONDS_CUSTOMER = env.int("SESSION_IDLE_SECONDS_CUSTOMER", default=2 * 60 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Messages live in the session, on the server: one may carry a token key or a webhook secret
# shown once, which must not travel in a (signed but readable) cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Message levels named as the design system's alerts name them (alert-danger, not alert-error).
MESSAGE_TAGS = {message_constants.ERROR: "danger"}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# The proxies in front of the portal (addresses or networks). Only a request from one of them
# may say, in X-Forwarded-For and X-Forwarded-Proto, who the client is and whether it came over
# HTTPS; from anyone else both headers are dropped (portal.middleware.TrustedProxyHeaders).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The one sign-in limiter (portal/ratelimit.py): free failures per account before the growing
# lock, failures per client address in 15 minutes, and failures portal-wide in 5 minutes.
# Text messages (portal/sms.py): the database backend in development (codes readable in the
# admin), the provider's HTTP API in production.
SMS_BACKEND = env.str(
    "SMS_BACKEND", default="portal.sms.DatabaseBackend" if DEBUG else "portal.sms.HttpBackend"
)
SMS_PROVIDER_URL = env.str("SMS_PROVIDER_URL", default="")
SMS_PROVIDER_KEY = env.str("SMS_PROVIDER_KEY", default="")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="")
SMS_TIMEOUT_SECONDS = env.int("SMS_TIMEOUT_SECONDS", default=10)
# One-time codes (portal/otp.py).
OTP_VALID_SECONDS = env.int("OTP_VALID_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_MAX_PER_NUMBER = env.int("OTP_MAX_PER_NUMBER", default=5)
OTP_MAX_PER_ADDRESS = env.int("OTP_MAX_PER_ADDRESS", default=20)
# A person's own data (portal/privacy.py, mediation/privacy.py; PIPL arts. 45-47): copies are
# kept this many days; at most this many a day. A closed case's personal data is removed this
# many days after closure (the bank's record-keeping period; a legal hold keeps it longer).
DATA_EXPORT_KEEP_DAYS = env.int("DATA_EXPORT_KEEP_DAYS", default=7)
DATA_EXPORT_MAX_PER_DAY = env.int("DATA_EXPORT_MAX_PER_DAY", default=3)
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=5 * 365)
# Webhooks go to public HTTPS addresses only (referrals/webhooks/targets.py); off only in tests
# that deliver to 127.0.0.1.
WEBHOOK_PUBLIC_HTTPS_ONLY = env.bool("WEBHOOK_PUBLIC_HTTPS_ONLY", default=True)
# The audit chain's HMAC key (portal/audit.py): from the environment, never the database;
# derived from SECRET_KEY when unset. The anchor file gets each committed head: ship it to
# write-once storage (an S3 bucket with Object Lock, a remote syslog) in production.
AUDIT_KEY = env.str("AUDIT_KEY", default="")
AUDIT_ANCHOR_PATH = env.str("AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchor.log"))
# The platform's seal on binding acts (portal/seal.py): production sets its own key, certificate
# and the root it chains to; development makes its own in SEAL_DIR.
SEAL_KEY_PATH = env.str("SEAL_KEY_PATH", default="")
SEAL_CERT_PATH = env.str("SEAL_CERT_PATH", default="")
SEAL_ROOT_PATH = env.str("SEAL_ROOT_PATH", default="")
SEAL_DEV_CERTIFICATE = env.bool("SEAL_DEV_CERTIFICATE", default=DEBUG)
SEAL_DIR = env.str("SEAL_DIR", default=str(VAR_DIR / "seal"))
# Secrets the portal reads back (webhook signing secrets, TOTP secrets) are encrypted with these
# Fernet keys (portal/crypto.py): comma-separated, newest first. Unset: one derived from
# SECRET_KEY. Make one with `python -c "from cryptography.fernet import Fernet;
# print(Fernet.generate_key().decode())"`.
DATA_ENCRYPTION_KEYS = env.list("DATA_ENCRYPTION_KEYS", default=[])
# The second factor (portal/second_factor.py, django-allauth MFA): required for every role but
# customers (who may enrol); TOTP codes from any authenticator app, ten recovery codes.
MFA_ADAPTER = "portal.second_factor.PortalMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_TOLERANCE = 1  # one 30-second period either side, for phones whose clock drifts
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="调解快车道 Dispute Portal")
SECOND_FACTOR_ROLES = ("staff", "partner", "auditor", "admin")
# A second-factor step left open (password right, code not yet entered) expires after this.
SECOND_FACTOR_PENDING_SECONDS = env.int("SECOND_FACTOR_PENDING_SECONDS", default=5 * 60)
# API tokens stop working after this many days (and at once when the password changes).
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
SIGNIN_ACCOUNT_FREE_FAILURES = env.int("SIGNIN_ACCOUNT_FREE_FAILURES", default=5)
SIGNIN_ADDRESS_MAX_FAILURES = env.int("SIGNIN_ADDRESS_MAX_FAILURES", default=30)
SIGNIN_GLOBAL_MAX_FAILURES = env.int("SIGNIN_GLOBAL_MAX_FAILURES", default=2000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "portal": {"handlers": ["console"], "level": "INFO"},
        "portal.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# ---- Business rules (DESIGN.md section 3) -------------------------------------------------
# Fast-lane eligibility: claim amount <= threshold; "以下" includes the figure itself.
FAST_LANE_THRESHOLD = Decimal(env.str("FAST_LANE_THRESHOLD", default="50000.00"))
# Below this amount the bank is bound by a mediator's proposal the customer accepts.
BANK_PRE_COMMITMENT_THRESHOLD = Decimal(
    env.str("BANK_PRE_COMMITMENT_THRESHOLD", default="10000.00")
)
# A reply granting more than this, or refusing a claim, needs a second approver (the reply
# toolkit, mediation/replykit).
REPLY_SECOND_APPROVAL_ABOVE = Decimal(env.str("REPLY_SECOND_APPROVAL_ABOVE", default="5000.00"))
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_DISPUTE_BYTES = env.int("UPLOAD_MAX_DISPUTE_BYTES", default=100 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)
# Bounded work per upload (bundles stamp and merge every page): pages per PDF, and its size
# with every stream decompressed.
UPLOAD_MAX_PDF_PAGES = env.int("UPLOAD_MAX_PDF_PAGES", default=500)
UPLOAD_MAX_PDF_EXPANDED_BYTES = env.int("UPLOAD_MAX_PDF_EXPANDED_BYTES", default=200 * 1024 * 1024)
# A customer's own limits: open disputes at once, and evidence stored over all their cases.
CUSTOMER_MAX_OPEN_DISPUTES = env.int("CUSTOMER_MAX_OPEN_DISPUTES", default=20)
CUSTOMER_MAX_STORED_BYTES = env.int("CUSTOMER_MAX_STORED_BYTES", default=500 * 1024 * 1024)
# A bundle: its pages in all, and how long building it may take before it fails with that
# reason (the previous version kept, the next bundle not held up).
BUNDLE_MAX_PAGES = env.int("BUNDLE_MAX_PAGES", default=2000)
BUNDLE_MAX_SECONDS = env.int("BUNDLE_MAX_SECONDS", default=300)
# A build still running (or a bundle still queued) after this long was left by a worker that
# died: the recurring job requeues it (at most three attempts). Keep it above BUNDLE_MAX_SECONDS.
BUNDLE_STALE_AFTER_SECONDS = env.int("BUNDLE_STALE_AFTER_SECONDS", default=900)
# Scanned letters at phone-or-letter intake are read by Tesseract with its simplified-Chinese
# data (Debian's tesseract-ocr and tesseract-ocr-chi-sim, installed by scripts/setup): the
# first pages of a scan, each read within the time given.
OCR_COMMAND = env.str("OCR_COMMAND", default="tesseract")
OCR_LANGUAGES = env.str("OCR_LANGUAGES", default="chi_sim+eng")
OCR_MAX_PAGES = env.int("OCR_MAX_PAGES", default=5)
OCR_PAGE_SECONDS = env.int("OCR_PAGE_SECONDS", default=60)
# The task worker's address-space ceiling (manage.py run_worker): an allocation beyond it
# fails with MemoryError inside the task, which fails cleanly, instead of the machine swapping.
WORKER_MEMORY_LIMIT_BYTES = env.int("WORKER_MEMORY_LIMIT_BYTES", default=3 * 1024 * 1024 * 1024)
# Uploads are streamed to disk above this size so memory stays flat.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Evidence, bundles and generated forms are personal data: readable by the portal's own user
# only (the file storage applies these to every file and directory it writes).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
LOOKBACK_RE_REVIEW_MONTHS = env.int("LOOKBACK_RE_REVIEW_MONTHS", default=3)
CONSENT_TEXT_VERSION = "2026-11-v1"

PORTAL_TITLE = _("Dispute mediation fast lane")
# Absolute address of the portal, for links in emails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
