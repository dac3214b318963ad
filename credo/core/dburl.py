"""Turn a DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgres://...)."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


def database_from_url(url: str) -> dict:
    """Return the Django database settings for `url`; raise ValueError for an unknown scheme."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as in SQLAlchemy and dj-database-url
        name = unquote(url[len("sqlite://"):])
        name = name[1:] if name.startswith("/") else name
        if name not in (":memory:", "") and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or ":memory:",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; "
                    # Checkpoints (which fsync) happen less often inside requests; `credo serve` also
                    # checkpoints in the background.
                    "PRAGMA wal_autocheckpoint=4000;"
                ),
            },
            "TEST": {"NAME": None},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///path or postgres://...")
