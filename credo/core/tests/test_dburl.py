import pytest

from credo.core.dburl import database_from_url


def test_sqlite_relative_and_absolute(tmp_path):
    assert database_from_url("sqlite:///var/x.sqlite3")["NAME"] == "var/x.sqlite3"
    absolute = tmp_path / "db.sqlite3"
    settings = database_from_url(f"sqlite:///{absolute}")
    assert settings["NAME"] == str(absolute)
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in settings["OPTIONS"]["init_command"]


def test_postgres_url():
    settings = database_from_url("postgres://u:p%40ss@db.example:6543/credo?sslmode=require")
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (
        settings["NAME"],
        settings["USER"],
        settings["PASSWORD"],
        settings["HOST"],
        settings["PORT"],
    ) == ("credo", "u", "p@ss", "db.example", "6543")
    assert settings["OPTIONS"]["sslmode"] == "require"


def test_postgres_has_a_bounded_pool_sized_from_the_environment(monkeypatch):
    monkeypatch.delenv("CREDO_DB_POOL_SIZE", raising=False)
    settings = database_from_url("postgres://u@db.example/credo")
    assert settings["OPTIONS"]["pool"]["max_size"] == 4
    assert settings["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    monkeypatch.setenv("CREDO_DB_POOL_SIZE", "9")
    monkeypatch.setenv("CREDO_DB_POOL_TIMEOUT", "5")
    pool = database_from_url("postgres://u@db.example/credo")["OPTIONS"]["pool"]
    assert (pool["max_size"], pool["timeout"]) == (9, 5)
    monkeypatch.setenv("CREDO_DB_POOL_SIZE", "0")
    assert "pool" not in database_from_url("postgres://u@db.example/credo")["OPTIONS"]


def test_a_bad_pool_size_is_refused_with_a_message(monkeypatch):
    monkeypatch.setenv("CREDO_DB_POOL_SIZE", "lots")
    with pytest.raises(ValueError, match="CREDO_DB_POOL_SIZE: 'lots' is not a whole number"):
        database_from_url("postgres://u@db.example/credo")
    monkeypatch.setenv("CREDO_DB_POOL_SIZE", "-1")
    with pytest.raises(ValueError, match="below the smallest allowed value"):
        database_from_url("postgres://u@db.example/credo")


def test_unknown_scheme_is_refused_with_a_message():
    with pytest.raises(ValueError, match="unsupported scheme 'mysql'"):
        database_from_url("mysql://x/y")


def test_postgres_connections_turn_jit_off_unless_the_url_says_otherwise():
    options = database_from_url("postgres://u@db.example/credo")["OPTIONS"]
    assert options["options"] == "-c jit=off"
    given = database_from_url("postgres://u@db.example/credo?options=-c%20work_mem%3D64MB")
    assert given["OPTIONS"]["options"] == "-c work_mem=64MB"


@pytest.mark.django_db
def test_on_postgresql_the_connection_runs_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
