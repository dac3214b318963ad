"""Settings for Credo. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

from credo.core import varfiles
from credo.core.dburl import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CREDO_VAR_DIR", BASE_DIR / "var"))

# Whatever Credo creates (database, keys, media, backups) is readable by its own user only;
# var/ itself and what sits directly in it are tightened when an older install left them open.
varfiles.private_umask()
varfiles.tighten(VAR_DIR, recursive=False)

DEBUG = os.environ.get("CREDO_DEBUG", "0") == "1"


def _local_secret_key() -> str:
    """Return this installation's own secret key, made on first use and kept in var/ (0600)."""
    import secrets

    path = VAR_DIR / "secret-key"
    if not path.exists():
        varfiles.make_private_dir(VAR_DIR)
        # Written whole under a name of its own, then linked into place: a process starting at the
        # same moment either finds no key (and makes its own attempt) or the whole key, never half.
        draft = VAR_DIR / f".secret-key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:  # another process made it first; theirs stands
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


# Production sets CREDO_SECRET_KEY; the demo and development use a key made for this installation.
SECRET_KEY = os.environ.get("CREDO_SECRET_KEY") or _local_secret_key()
# Key that seals each school's credential signing key at rest (AES-256-GCM; 32 bytes, base64url).
CREDO_KEY_ENCRYPTION_KEY = os.environ.get("CREDO_KEY_ENCRYPTION_KEY", "")
CREDO_DEMO = os.environ.get("CREDO_DEMO", "0") == "1"
CREDO_BASE_URL = os.environ.get("CREDO_BASE_URL", "http://127.0.0.1:8000")

# E-mail (sign-in links). Without CREDO_SMTP_HOST, messages are printed on the server's console.
if os.environ.get("CREDO_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["CREDO_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("CREDO_SMTP_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("CREDO_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("CREDO_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("CREDO_SMTP_TLS", "1") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("CREDO_FROM_EMAIL", "Credo <credo@localhost>")
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600  # sign-in links work for a week

ALLOWED_HOSTS = [
    h
    for h in os.environ.get("CREDO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "credo.web.apps.CredoAdminConfig",  # django.contrib.admin with the 2FA-only site (see SECURITY)
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_ratelimit",
    "credo.core",
    "credo.accounts",
    "credo.schools",
    "credo.frameworks",
    "credo.evidence",
    "credo.mastery",
    "credo.transcripts",
    "credo.credentials",
    "credo.journey",
    "credo.improve",
    "credo.growth",
    "credo.analytics",
    "credo.interop",
    "credo.api",
    "credo.notify",
    "credo.sso",
    "credo.web",
    "credo.demo",  # the demo network and `credo demo`; nothing imports it
    # Sign-in through the schools' identity providers (credo/sso): allauth speaks OpenID Connect
    # and SAML 2.0; Credo's adapters decide who it is and sign them in.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "credo.accounts.twofactor.TwoFactorMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "credo.sso.middleware.SsoMiddleware",
    # Refuses oversized bodies, control characters and unreadable forms; 409 on conflicts.
    "credo.core.middleware.InputGuardMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "credo.web.context.credo",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'credo.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:landing"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# The one cap on uploads, web and API alike: a request body or an uploaded file (core/limits.py).
CREDO_MAX_UPLOAD_MB = int(os.environ.get("CREDO_MAX_UPLOAD_MB", "25"))
DATA_UPLOAD_MAX_MEMORY_SIZE = CREDO_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = min(5 * 1024 * 1024, DATA_UPLOAD_MAX_MEMORY_SIZE)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CREDO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CREDO_LOG_LEVEL", "WARNING")},
}

# --- Production: HTTPS, static files, health ------------------------------------------------------
# One block, kept apart from the rest so other changes to this file merge cleanly.
# An https:// CREDO_BASE_URL means Credo sits behind a TLS-terminating reverse proxy: cookies are
# Secure, browsers are told to use HTTPS only (HSTS), plain HTTP is redirected, and the proxy's
# X-Forwarded-Proto says which scheme the visitor used. `credo check --deploy` then reports nothing.
from contextlib import suppress as _suppress  # noqa: E402
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

_base = _urlsplit(CREDO_BASE_URL)
CREDO_HTTPS = _base.scheme == "https"
if _base.hostname and _base.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_base.hostname)
if CREDO_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Monitoring asks the app server directly, over plain HTTP on the machine itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("CREDO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CREDO_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("CREDO_HSTS_PRELOAD", "1") == "1"

# Static files are served by the app server itself (WhiteNoise), compressed at `collectstatic`;
# `credo serve --production` collects them into STATIC_ROOT when it starts.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Until `collectstatic` fills it, the development server finds the files in the apps (urls.py);
# the folder exists so WhiteNoise does not warn about it.
with _suppress(OSError):  # read-only: WhiteNoise only warns
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Health: a task worker whose heartbeat is older than this is reported as down by /healthz.
CREDO_WORKER_STALE_SECONDS = int(os.environ.get("CREDO_WORKER_STALE_SECONDS", "60"))


# --- Sign-in and browser security (issue 12) ----------------------------------------------------
# Kept together so the other settings stay easy to merge. README.md "Security" explains each one.

# Argon2id for every new or changed password (OWASP's parameters, see credo/accounts/hashers.py);
# PBKDF2 hashes made earlier still verify and are re-hashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "credo.accounts.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# django-axes: failed sign-ins are counted per username and, separately, per address. After
# AXES_FAILURE_LIMIT failures the username (or the address) is locked out for AXES_COOLOFF_TIME
# hours, or until a school admin lifts it on the person's page (`credo axes_reset_ip ADDR` for an
# address). The backend comes first so a locked-out account is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "credo.accounts.signin.SigninLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CREDO_SIGNIN_FAILURE_LIMIT", "5"))
AXES_HANDLER = "credo.accounts.signin.SigninAttemptHandler"
CREDO_SIGNIN_ADDRESS_FACTOR = 10  # an address (a whole school behind one router) fails 10× as often
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "credo.web.views.signin.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Behind a proxy, the number of proxies in front of Credo (their X-Forwarded-For is trusted).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("CREDO_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# django-ratelimit counts "forgotten password" e-mails and sign-in links in the cache. `credo
# serve` is one process, so its memory is shared by every request; a deployment with several
# processes or machines sets CREDO_REDIS_URL (Django's Redis cache; `pip install redis`).
if os.environ.get("CREDO_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CREDO_REDIS_URL"],
        }
    }
    # W001 "not officially supported": Django's own Redis cache increments atomically.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # E003 "not a shared cache": true only across processes, and `credo serve` is one process.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# django-otp: TOTP (authenticator apps) with single-use recovery codes.
OTP_TOTP_ISSUER = "Credo"
OTP_TOTP_THROTTLE_FACTOR = 1  # after a wrong code, wait 1 s before the next is checked, then 2, 4…
OTP_STATIC_THROTTLE_FACTOR = 1

# The Django admin is not mounted unless CREDO_ADMIN=1; when it is, only superusers who signed in
# with their second factor may use it.
CREDO_ADMIN = os.environ.get("CREDO_ADMIN", "0") == "1"

# Content-Security-Policy (django-csp): scripts and styles only from Credo's own static files;
# no inline script, no inline style, no eval, no framing, forms post only to Credo.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}


# --- Sign-in through the school's accounts (issue 21) -------------------------------------------
# django-allauth only speaks OpenID Connect and SAML; the apps come from each school's
# IdentityProvider rows (credo/sso/adapter.py), nobody signs up, and Credo signs the person in.
ACCOUNT_ADAPTER = "credo.sso.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "credo.sso.adapter.SocialAccountAdapter"
# The sign-in page links to the provider (a GET): a form posted to Credo that redirects to another
# origin is blocked by the CSP's form-action in some browsers. The state parameter (OIDC) and the
# request id (SAML) still tie the answer to the session that started it.
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "credo.sso.providers.SAMLProvider"}}
# Only for tests and local trials: let a provider live at http://127.0.0.1 (never in production).
CREDO_SSO_ALLOW_HTTP_LOOPBACK = os.environ.get("CREDO_SSO_ALLOW_HTTP_LOOPBACK", "0") == "1"


# --- Languages (issue 18) -----------------------------------------------------------------------
# Kept in one block so other changes to this file merge cleanly. Pages and e-mails speak the
# person's own language (`User.language`, set by `credo.families.services.language_set`), else the
# one their browser asks for; dates and numbers follow it. The catalogue is credo/locale/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "credo" / "locale"]
LANGUAGE_COOKIE_NAME = "credo_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
INSTALLED_APPS.insert(INSTALLED_APPS.index("credo.notify") + 1, "credo.families")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "django.middleware.locale.LocaleMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "credo.families.middleware.PersonLanguageMiddleware",
)
FORMAT_MODULE_PATH = ["credo.formats"]  # English keeps ISO days; Spanish reads day first
