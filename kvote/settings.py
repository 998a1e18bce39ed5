"""Kvote settings: one module, read from the environment (12-factor).

Every value has a safe default for the demo; production sets KVOTE_ENV=production, which turns
on the secure defaults that `manage.py check --deploy` asks for and refuses to start without a
real SECRET_KEY. See README.md, "Configuration".
"""

import os
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KVOTE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool, env: Mapping[str, str] = os.environ) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("KVOTE_ENV", "development") == "production"

DEMO_SECRET_KEY = "django-insecure-kvote-demo-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEMO_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEMO_SECRET_KEY):
    raise RuntimeError("SECRET_KEY must be set to a long random value when KVOTE_ENV=production")

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "kvote.common.error_pages.csrf_failure"  # templates/403_csrf.html

INSTALLED_APPS = [
    "kvote.common.apps.KvoteAdminConfig",  # django.contrib.admin, hardened (kvote.common.admin)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    # The apps in their floors, bottom to top: each imports only the ones listed before it
    # (README, "Layout"; import-linter holds it in `make test`).
    "kvote.common",
    "kvote.jobs",
    "kvote.companies",
    "kvote.people",
    "kvote.catalog",
    "kvote.ordering",
    "kvote.budgets",
    "kvote.kits",
    "kvote.approvals",
    "kvote.checkout",
    "kvote.employees",
    "kvote.supplier",
    "kvote.api",
    "kvote.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kvote.people.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kvote.people.middleware.PortalAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "kvote.api.middleware.ApiJsonErrorsMiddleware",
    "kvote.common.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "kvote.urls"
WSGI_APPLICATION = "kvote.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kvote" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kvote.common.context_processors.portal",
                "kvote.people.context_processors.roles",
                "kvote.checkout.context_processors.cart",
            ],
        },
    },
]

# Database: SQLite under var/ by default; PostgreSQL (or any other) when DATABASE_URL names one.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kvote.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT for short OLTP queries, and SSD-like random reads (bench/README.md): set
    # KVOTE_PG_OPTIONS="" behind a pooler that refuses startup options.
    pg_options = os.environ.get("KVOTE_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    if pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo's web process and workers share the file;
    # IMMEDIATE transactions take the write lock up front, which serialises writers on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kvote.people.backends.EmailBackend",
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

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one email from one
# address, further attempts are refused for AXES_COOLOFF_MINUTES. An attempt's email counts as
# its login identity (kvote.people.access.login_identity: case, spaces and Unicode variants are
# one identity, the one the login looks up).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# An attempt while locked out is refused without extending the lock-out, so the page can say
# how long is left (kvote.people.access.lockout_minutes_left).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "kvote.people.access.axes_username"
AXES_LOCKOUT_CALLABLE = "kvote.people.views.locked_out"  # registration/locked_out.html, 429
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

# Internationalisation: Norwegian Bokmål by default, English as the alternative.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kvote" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kvote_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Which language a request gets (kvote.people.middleware.LanguageMiddleware): the logged-in
# user's saved language, else the language switch's cookie, else Norwegian. The browser's
# Accept-Language is not asked: the portal is Norwegian unless the person chose English.
# How dates read in each language, day first in both: kvote/formats/<language>/formats.py.
FORMAT_MODULE_PATH = "kvote.formats"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Without collectstatic (the demo, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files a browser asks for at the site's root (/favicon.ico, /apple-touch-icon.png), served as
# they are by WhiteNoise; the pages name the SVG icon under static/ (includes/head.html).
WHITENOISE_ROOT = BASE_DIR / "kvote" / "public"
STATICFILES_DIRS = [BASE_DIR / "kvote" / "static"]


def s3_media_storage(env: Mapping[str, str]) -> tuple[dict[str, object], str]:
    """STORAGES["default"] for an S3-compatible store (django-storages), from the environment,
    and the origin its files are served from (for the Content-Security-Policy's img-src)."""
    bucket = env.get("KVOTE_S3_BUCKET", "")
    if not bucket:
        raise RuntimeError("KVOTE_MEDIA_STORAGE=s3 needs KVOTE_S3_BUCKET")
    endpoint = env.get("KVOTE_S3_ENDPOINT_URL", "").rstrip("/")
    region = env.get("KVOTE_S3_REGION", "")
    domain = env.get("KVOTE_S3_CUSTOM_DOMAIN", "").strip("/")
    options: dict[str, object] = {
        "bucket_name": bucket,
        "access_key": env.get("KVOTE_S3_ACCESS_KEY") or None,
        "secret_key": env.get("KVOTE_S3_SECRET_KEY") or None,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "custom_domain": domain or None,
        # Signed URLs for a private bucket; a public bucket or CDN (a custom domain) needs none.
        "querystring_auth": env_bool("KVOTE_S3_QUERYSTRING_AUTH", not domain, env),
        "file_overwrite": False,  # names are never reused: cached copies stay right
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    if domain:
        origin = f"https://{domain.split('/')[0]}"
    elif endpoint:
        scheme, _sep, rest = endpoint.partition("://")
        origin = f"{scheme}://{rest.split('/')[0]}"
    else:
        origin = f"https://{bucket}.s3.{region + '.' if region else ''}amazonaws.com"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origin


# Uploaded and fetched files (product images, kvote.catalog.images): the file system under
# var/media/ by default, served by the portal itself at MEDIA_URL (kvote.common.media), or an
# S3-compatible store that serves them from its own address.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KVOTE_MEDIA_ROOT", VAR_DIR / "media"))
KVOTE_MEDIA_STORAGE = os.environ.get("KVOTE_MEDIA_STORAGE", "file")
MEDIA_ORIGIN = ""  # where media is served from when not the portal itself
if KVOTE_MEDIA_STORAGE == "s3":
    DEFAULT_STORAGE, MEDIA_ORIGIN = s3_media_storage(os.environ)
elif KVOTE_MEDIA_STORAGE == "file":
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
else:
    raise RuntimeError("KVOTE_MEDIA_STORAGE must be file or s3")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Django's cache: files under var/cache by default; Redis (shared by every process on every
# host) when KVOTE_CACHE_URL names one, e.g. redis://127.0.0.1:6379/0. It carries what
# workers report to pages, such as a big import's progress (kvote.catalog.imports.progress).
KVOTE_CACHE_URL = os.environ.get("KVOTE_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": KVOTE_CACHE_URL}
        if KVOTE_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

# Email: written to files under var/mail/ in the demo (one file per message); SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kvote <noreply@kvote.example>")

# Security: secure by default in production (manage.py check --deploy is clean).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles and everything else
# only from the portal itself, so no inline script or style attribute runs (templates carry
# none: a colour or a bar's width is an SVG attribute, htmx injects no indicator style), no
# framing, forms post only here. Anything the page did not ship is refused by the browser.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if env_bool("BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The portal's own settings.
KVOTE_SUPPLIER_NAME = os.environ.get("KVOTE_SUPPLIER_NAME", "AAPW")
KVOTE_VAT_RATE = os.environ.get("KVOTE_VAT_RATE", "0.25")
KVOTE_PAGE_SIZE = int(os.environ.get("KVOTE_PAGE_SIZE", "24"))
# A variant with at most this many on hand reads «Få igjen (n)» (kvote.catalog.stock).
KVOTE_FEW_LEFT = int(os.environ.get("KVOTE_FEW_LEFT", "5"))
# Where the portal is reached, for links in emails.
KVOTE_BASE_URL = os.environ.get("KVOTE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where seed_demo writes the demo's sample files (a catalogue file to try the import with).
KVOTE_DEMO_DIR = Path(os.environ.get("KVOTE_DEMO_DIR", VAR_DIR / "demo"))
# Where seed_demo keeps the demo pictures it has drawn, so a later seed copies them.
KVOTE_DEMO_PICTURES_DIR = Path(os.environ.get("KVOTE_DEMO_PICTURES_DIR", VAR_DIR / "demo-pictures"))

# Delivery of released orders to the supplier (kvote.supplier): a PEPPOL BIS Order 3.0 per order.
# The supplier as seller, identified by its organisation number (PEPPOL scheme 0192).
KVOTE_SUPPLIER_ORG_NUMBER = os.environ.get("KVOTE_SUPPLIER_ORG_NUMBER", "987654325")
# "folder": one XML file per order in KVOTE_OUTBOX_DIR; "http": POST to KVOTE_DELIVERY_URL.
KVOTE_DELIVERY_TRANSPORT = os.environ.get("KVOTE_DELIVERY_TRANSPORT", "folder")
KVOTE_OUTBOX_DIR = Path(os.environ.get("KVOTE_OUTBOX_DIR", VAR_DIR / "outbox"))
KVOTE_DELIVERY_URL = os.environ.get("KVOTE_DELIVERY_URL", "")
if KVOTE_DELIVERY_TRANSPORT not in {"folder", "http"}:
    raise RuntimeError("KVOTE_DELIVERY_TRANSPORT must be folder or http")
if KVOTE_DELIVERY_TRANSPORT == "http" and not KVOTE_DELIVERY_URL:
    raise RuntimeError("KVOTE_DELIVERY_TRANSPORT=http needs KVOTE_DELIVERY_URL")
# Shared with the supplier: signs what we send and checks what it replies (kvote.supplier.signing:
# `X-Kvote-Signature: t=<unix>,v1=<HMAC-SHA256 of t, method, path and body>`). During a rotation
# the previous secret is still accepted on what the supplier sends (never used to sign).
DEMO_SUPPLIER_SECRET = "kvote-demo-supplier-secret"
SUPPLIER_SECRET_MIN_LENGTH = 32
KVOTE_SUPPLIER_SECRET = os.environ.get("KVOTE_SUPPLIER_SECRET", DEMO_SUPPLIER_SECRET)
KVOTE_SUPPLIER_SECRET_PREVIOUS = os.environ.get("KVOTE_SUPPLIER_SECRET_PREVIOUS", "")
if PRODUCTION and KVOTE_SUPPLIER_SECRET == DEMO_SUPPLIER_SECRET:
    raise RuntimeError("KVOTE_SUPPLIER_SECRET must be set when KVOTE_ENV=production")
if PRODUCTION:
    for _name, _secret in [
        ("KVOTE_SUPPLIER_SECRET", KVOTE_SUPPLIER_SECRET),
        ("KVOTE_SUPPLIER_SECRET_PREVIOUS", KVOTE_SUPPLIER_SECRET_PREVIOUS),
    ]:
        if _secret and (
            len(_secret) < SUPPLIER_SECRET_MIN_LENGTH or _secret == DEMO_SUPPLIER_SECRET
        ):
            raise RuntimeError(
                f"{_name} must be at least {SUPPLIER_SECRET_MIN_LENGTH} characters and not the "
                "demo secret when KVOTE_ENV=production"
            )
# A signed message is refused when its time is further than this from our clock, either way.
KVOTE_SIGNATURE_TOLERANCE_SECONDS = int(os.environ.get("KVOTE_SIGNATURE_TOLERANCE_SECONDS", "300"))
if KVOTE_SIGNATURE_TOLERANCE_SECONDS <= 0:
    raise RuntimeError("KVOTE_SIGNATURE_TOLERANCE_SECONDS must be a positive number of seconds")
KVOTE_DELIVERY_TIMEOUT = float(os.environ.get("KVOTE_DELIVERY_TIMEOUT", "10"))
KVOTE_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("KVOTE_DELIVERY_MAX_ATTEMPTS", "12"))
# Retries wait about base × 2^(attempt-1) seconds, with jitter, at most an hour.
KVOTE_DELIVERY_BACKOFF_SECONDS = float(os.environ.get("KVOTE_DELIVERY_BACKOFF_SECONDS", "10"))
# A worker that dies holding a delivery gives it up after this long.
KVOTE_DELIVERY_LEASE_SECONDS = float(os.environ.get("KVOTE_DELIVERY_LEASE_SECONDS", "60"))
# Check every document against the UBL schema and the PEPPOL rules before it leaves.
KVOTE_DELIVERY_VALIDATE = env_bool("KVOTE_DELIVERY_VALIDATE", True)

# Product images fetched from URLs (kvote.catalog.images): only from these hosts (host or
# host:port, comma-separated; a host without a port allows its scheme's default port). None in
# production unless set; in development the portal's own address (KVOTE_BASE_URL), so the demo
# can import pictures from its own static files.
KVOTE_IMAGE_HOSTS = env_list(
    "KVOTE_IMAGE_HOSTS", "" if PRODUCTION else KVOTE_BASE_URL.partition("://")[2].split("/")[0]
)
KVOTE_IMAGE_MAX_BYTES = int(os.environ.get("KVOTE_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
KVOTE_IMAGE_FETCH_TIMEOUT = float(os.environ.get("KVOTE_IMAGE_FETCH_TIMEOUT", "10"))
# Pillow refuses to decode a picture of more pixels than this (a "decompression bomb").
KVOTE_IMAGE_MAX_PIXELS = int(os.environ.get("KVOTE_IMAGE_MAX_PIXELS", str(40_000_000)))

# Catalogue and price list imports (kvote.catalog.imports): a file up to this size is previewed
# and applied at once; a bigger one in the worker, with a progress bar.
KVOTE_IMPORT_INLINE_BYTES = int(os.environ.get("KVOTE_IMPORT_INLINE_BYTES", str(1024 * 1024)))
# The worker reads and applies those at this CPU niceness (0 = as any job), so customers' pages
# keep their pace meanwhile.
KVOTE_IMPORT_NICE = int(os.environ.get("KVOTE_IMPORT_NICE", "19"))

# The REST API (kvote.api): how long a token lives.
KVOTE_API_TOKEN_DAYS = int(os.environ.get("KVOTE_API_TOKEN_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
