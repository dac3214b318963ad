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
    assert (settings["NAME"], settings["USER"], settings["PASSWORD"], settings["HOST"], settings["PORT"]) == (
        "credo", "u", "p@ss", "db.example", "6543")
    assert settings["OPTIONS"] == {"sslmode": "require"}


def test_unknown_scheme_is_refused_with_a_message():
    with pytest.raises(ValueError, match="unsupported scheme 'mysql'"):
        database_from_url("mysql://x/y")
