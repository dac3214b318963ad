"""Turn a DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgres://...)."""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


def _int_env(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a whole number") from None
    if value < minimum:
        raise ValueError(f"{name}: {value} is below the smallest allowed value, {minimum}")
    return value


def database_from_url(url: str) -> dict:
    """Return the Django database settings for `url`; raise ValueError for an unknown scheme.

    On PostgreSQL each process keeps a bounded pool (psycopg_pool through Django's "pool" option):
    at most `CREDO_DB_POOL_SIZE` connections (default 4), a request waiting up to
    `CREDO_DB_POOL_TIMEOUT` seconds (default 30) for one when all are busy. A server of W processes
    therefore never holds more than W × CREDO_DB_POOL_SIZE connections, whatever the load.
    `CREDO_DB_POOL_SIZE=0` turns the pool off (a connection per request, closed after it).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as in SQLAlchemy and dj-database-url
        name = unquote(url[len("sqlite://") :])
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
        options: dict = dict(parse_qsl(parts.query))
        # Credo's queries are short: PostgreSQL's JIT compiler (on by default, triggered by the
        # planner's cost estimate) spent 15 ms compiling a query that ran in 0.1 ms on the
        # student dashboard. A URL that gives its own `options` keeps them.
        options.setdefault("options", "-c jit=off")
        pool_size = _int_env("CREDO_DB_POOL_SIZE", 4, 0)
        if pool_size:
            options["pool"] = {
                "min_size": 0,
                "max_size": pool_size,
                "timeout": _int_env("CREDO_DB_POOL_TIMEOUT", 30, 1),
                # Idle connections go back to the server after five minutes.
                "max_idle": 300,
            }
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            # The pool keeps the connections; Django's persistent connections cannot be combined
            # with it (and, one per thread of the development server, they were never bounded).
            "CONN_MAX_AGE": 0,
        }
    raise ValueError(
        f"DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///path or postgres://..."
    )
