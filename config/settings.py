"""Settings for Credo. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

from credo.core.dburl import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CREDO_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("CREDO_DEBUG", "0") == "1"


def _local_secret_key() -> str:
    """Return this installation's own secret key, made on first use and kept in var/ (0600)."""
    import secrets

    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
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
    "django.contrib.admin",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "credo.core",
    "credo.accounts",
    "credo.schools",
    "credo.frameworks",
    "credo.evidence",
    "credo.mastery",
    "credo.transcripts",
    "credo.credentials",
    "credo.journey",
    "credo.analytics",
    "credo.interop",
    "credo.api",
    "credo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

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
