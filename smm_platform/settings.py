"""Settings driven by the environment (see the README's configuration table).

With no environment at all the app runs on an embedded SQLite file with Celery tasks
executed eagerly, so `make run` works on a fresh machine.
"""

import ipaddress
from pathlib import Path
from typing import Any

import environ
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: fail fast in production
    if SECRET_KEY.startswith("CHANGE-ME"):
        raise ImproperlyConfigured("SECRET_KEY is still the .env.example placeholder: generate one (see README).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "axes",
    # Domain apps, in data order (docs/ARCHITECTURE.md, Layers): ready() registrations run in this order.
    "core",
    "tenancy",
    "integrations",
    "strategy",
    "content",
    "moderation",
    "ads",
    "links",
    "crm",
    "analytics",
    "adrules",
    "abtests",
    "reports",
    "portability",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "smm_platform.middleware.ApiErrorMiddleware",  # after Locale: translated API error messages
    "smm_platform.api.conventions.RateLimitHeadersMiddleware",  # on every API answer, errors included
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smm_platform.api.conventions.IdempotencyMiddleware",  # after auth: keys are per caller
    "tenancy.middleware.OrganizationTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "portability.middleware.ReadOnlyDuringDeletionMiddleware",
    # Innermost: the view and its rendering run in one transaction scoped for row-level security
    # (PostgreSQL; docs/decisions/0001-row-level-security.md).
    "tenancy.rls.RowLevelSecurityMiddleware",
]

ROOT_URLCONF = "smm_platform.urls"
WSGI_APPLICATION = "smm_platform.wsgi.application"

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
                "tenancy.context_processors.current_organization",
            ],
            "builtins": ["smm_platform.templatetags.safe_links"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="smm"),
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: one IP failing for many user names is locked out after this many failures.
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_HANDLER = "tenancy.login_security.SprayAwareAxesHandler"
# Client IP for lockouts and rate limits: X-Forwarded-For is believed only from these proxies.
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Data export download window, and the grace period before a deleted organization is purged.
ORGANIZATION_EXPORT_TTL_HOURS = env.int("ORGANIZATION_EXPORT_TTL_HOURS", default=24)
ORGANIZATION_DELETION_GRACE_DAYS = env.int("ORGANIZATION_DELETION_GRACE_DAYS", default=7)
# Rotating SECRET_KEY (docs/operations.md): old keys still verify sessions and signed links a while.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SMM Platform <noreply@localhost>")
# Report PDFs are printed by headless Chromium through Playwright (docs/decisions/0007-report-pdf.md).
REPORT_PDF_CHROMIUM = env.str("CHROMIUM_PATH", default="/usr/bin/chromium")

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"  # storage; each organization has its own display timezone
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Plotly's JS bundle comes from the installed plotly package (no CDN: machines are offline).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Post media on S3-compatible storage (AWS, Yandex Object Storage, MinIO…) through django-storages
# when a bucket is named; otherwise files stay under MEDIA_ROOT. boto3 is imported only then.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "default_acl": None,
            "file_overwrite": False,
            # Platforms download the media by URL: a public-read bucket or long-lived signed URLs.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "querystring_expire": 24 * 3600,
        },
    }

# --- Security (production) ------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# IPs/CIDRs of reverse proxies whose X-Forwarded-For is trusted (core/net.py); empty: none,
# the client IP is REMOTE_ADDR and a client-sent X-Forwarded-For is ignored.
TRUSTED_PROXIES = [str(ipaddress.ip_network(v, strict=False)) for v in env.list("TRUSTED_PROXIES", default=[])]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp 4): only our own scripts — no inline scripts or handlers
# (behaviour lives in static/js/app.js, wired by data- attributes). Swagger UI widens it for its
# own page only (smm_platform/api/docs.py).
PLOTLY_EMPTY_STYLE_SHA256 = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PLOTLY_MAPLIBRE_STYLE_SHA256 = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # No inline styles, except two exact <style> blocks plotly.js adds at run time (by hash):
        # the empty one it then fills through the CSSOM, and its bundled MapLibre stylesheet
        # (plotly.js 4.1.1; tests/e2e/test_csp.py fails if an upgrade changes it).
        "style-src": [SELF, PLOTLY_EMPTY_STYLE_SHA256, PLOTLY_MAPLIBRE_STYLE_SHA256],
        "img-src": [SELF, "data:"],  # data: for small SVG icons in CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenancy.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "smm_platform.api.parsers.JSONParser",  # refuses pathologically nested bodies with a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "smm_platform.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "tenancy.api.filters.OrganizationFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "smm_platform.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "smm_platform.api.errors.exception_handler",
    # The browsable API is a development aid: production answers JSON only (an HTML page of an API
    # response adds forms, and their choices, that no integrator needs).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_CLASSES": [
        "smm_platform.api.throttling.PrincipalRateThrottle",
        "smm_platform.api.throttling.OrganizationRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_LIMIT", default="1000/min"),
        "organization": env.str("API_ORGANIZATION_RATE_LIMIT", default="5000/min"),
        # /l/<code> per client IP (links.throttling); generous, offices share one address.
        "link_redirect": env.str("LINK_REDIRECT_RATE_LIMIT", default="300/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# /api/schema/ and /api/docs/ without sign-in: integrators need the contract before they have an
# account, and it describes endpoints, not data. Set 0 to require a session or an API token.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "SMM Platform API",
    "DESCRIPTION": "Strategy, content, analytics, moderation and ads for one organization. "
    "Authenticate with `Authorization: Bearer <token>` (API token) or a browser session.\n\n"
    "**Integrator guide** (English and Russian): [/api/guide/](/api/guide/) (`docs/api.md`) — tokens "
    "and scopes, the CRM flow step by step with curl, outbound webhooks and how to verify their "
    "signatures, errors and limits.",
    "VERSION": "1.5.0",  # docs/api-changelog.md
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Error responses, rate-limit headers, parameter constraints and idempotency on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "smm_platform.api.schema.postprocess",
    ],
    # Swagger UI served from our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Stable, meaningful names for choice sets that share a field name across apps. The shared
    # terms of core.vocabulary come first; tests/test_vocabulary.py keeps every set named once.
    "ENUM_NAME_OVERRIDES": {
        "PlatformEnum": "core.vocabulary.Platform",
        "SocialPlatformEnum": "core.vocabulary.SocialPlatform",
        "PostFormatEnum": "core.vocabulary.PostFormat",
        "CampaignStatusEnum": "core.vocabulary.CampaignStatus",
        "MemberRoleEnum": "tenancy.roles.Role",
        "InvitationStatusEnum": "tenancy.models.Invitation.Status",
        "StrategyStatusEnum": "strategy.models.Strategy.Status",
        "ExperimentStatusEnum": "strategy.models.Experiment.Status",
        "ExperimentKindEnum": "strategy.models.Experiment.Kind",
        "TrendNoteKindEnum": "strategy.models.TrendNote.Kind",
        "PostStatusEnum": "content.models.Post.Status",
        "PlatformRoleEnum": "strategy.models.PlatformChoice.Role",
        "BusinessObjectiveEnum": "core.kpis.OBJECTIVE_CHOICES",
        "PostObjectiveEnum": "content.models.PostObjective",
        "PublicationStatusEnum": "content.models.Publication.Status",
        "PublishErrorKindEnum": "content.models.ErrorKind",
        "PublishAttemptResultEnum": "content.models.PublishAttempt.Result",
        "AccountStatusEnum": "integrations.models.AccountStatus",
        "SyncStatusEnum": "integrations.models.SyncStatus",
        "SyncKindEnum": "integrations.models.SyncKind",
        "InboxKindEnum": "moderation.models.InboxKind",
        "InboxStatusEnum": "moderation.models.InboxStatus",
        "InboxTagEnum": "moderation.models.InboxTag",
        "SentimentEnum": "moderation.models.Sentiment",
        "LeadStatusEnum": "crm.models.LeadStatus",
        "KpiEnum": "core.kpis.KPI_CHOICES",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "ReportPdfStatusEnum": "reports.models.PdfStatus",
        "ReportFrequencyEnum": "reports.models.Frequency",
        "AdRuleActionEnum": "adrules.models.ActionKind",
        "AdRuleConditionEnum": "adrules.models.Condition",
        "AdRuleModeEnum": "adrules.models.Mode",
        "AdRuleActionStatusEnum": "adrules.models.ActionStatus",
    },
}

# --- Secrets for integrations ---------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Outbound webhooks may reach loopback addresses (and plain http there): only for a local test
# receiver. Never in production: it opens the door to requests against this host (docs/webhooks.md).
WEBHOOKS_ALLOW_LOOPBACK = False
# A CA bundle (PEM file) webhook receivers' certificates are verified against instead of the public
# roots: only for a test receiver with its own certificate authority. Empty (the default): the public
# roots, and verification is never off (docs/webhooks.md).
WEBHOOKS_CA_BUNDLE = ""
# The first retry's wait in seconds; the n-th waits 4**(n-1) times as long, at most 8 h. Only tests
# shorten it.
WEBHOOKS_RETRY_BASE_SECONDS = 30

# --- Logging: structured (one JSON object per line) to stdout --------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # httpx logs every request URL at INFO, and OAuth/Graph URLs can carry credentials.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
