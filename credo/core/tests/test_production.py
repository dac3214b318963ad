"""Production operation: Django's deployment checks under HTTPS, `credo check` passing Django's
options through, /healthz, the worker's heartbeat, the PostgreSQL pool's bound, and the
production server itself (started, answering, stopped gracefully)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from credo.core.models import WorkerHeartbeat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def clean_env(**extra) -> dict:
    """This process's environment for a child, less what other tests set for themselves (the
    browser tests allow async-unsafe calls, which Django's deployment checks rightly refuse)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **extra}


def credo(*args, env=None, timeout=120):
    """Run `credo ARGS` in a fresh process (settings are read from the environment at start)."""
    return subprocess.run(
        [sys.executable, "-m", "credo.cli", *args],
        cwd=ROOT,
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


HTTPS = {
    "CREDO_BASE_URL": "https://credo.example.org",
    "CREDO_SECRET_KEY": "k" * 20 + "-a-long-and-varied-secret-key-0123456789-" + "xyz" * 5,
}


# --- Django's deployment checks ------------------------------------------------------------------


def test_deploy_checks_report_nothing_under_https():
    done = credo("check", "--deploy", "--fail-level", "WARNING", env=HTTPS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr


def test_deploy_checks_warn_over_plain_http_and_manage_py_reaches_them():
    """Without https:// the four warnings the issue reported are there, and `manage.py check
    --deploy` (not only `credo check --deploy`) now reaches Django's check."""
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(CREDO_BASE_URL="http://127.0.0.1:8000"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


def test_https_settings_follow_the_base_url():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, "
        "'credo.example.org' in s.ALLOWED_HOSTS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django, os; django.setup(); {code}"],
        cwd=ROOT,
        env=clean_env(**HTTPS, DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['https://credo.example.org']",
        "True",
    ], done.stderr


# --- `credo check`: Credo's consistency check, and Django's on request -----------------------------


@pytest.mark.django_db
def test_check_without_options_is_still_the_consistency_check(hill):
    out = StringIO()
    call_command("check", stdout=out)
    assert "0 differences" in out.getvalue()


@pytest.mark.django_db
def test_check_with_django_options_runs_django_checks(hill):
    out, err = StringIO(), StringIO()
    call_command("check", "--tag", "models", stdout=out, stderr=err)
    assert "System check identified no issues" in out.getvalue() + err.getvalue()
    out = StringIO()
    call_command("check", "--list-tags", stdout=out)
    assert "models" in out.getvalue().split()


@pytest.mark.django_db
def test_check_refuses_school_with_django_options(hill):
    with pytest.raises(CommandError, match="--school belongs to Credo's consistency check"):
        call_command("check", "--deploy", "--school", hill.school.slug)


# --- /healthz -------------------------------------------------------------------------------------


def beat(worker_id="w1", *, seconds_ago=0, running_task=""):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="test",
        pid=1,
        started_at=now - timezone.timedelta(seconds=seconds_ago + 60),
        seen_at=now - timezone.timedelta(seconds=seconds_ago),
        running_task=running_task,
    )


@pytest.mark.django_db
def test_healthz_without_a_worker_is_degraded(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["worker"] == {
        "ok": False,
        "alive": 0,
        "stale": 0,
        "last_heartbeat_s": None,
        "stale_after_s": 60,
        "running_tasks": 0,
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_with_a_fresh_worker_is_ok_and_counts_the_queue(client):
    from credo.transcripts.tasks import render_version_pdf

    beat(seconds_ago=2)
    # Tasks other tests' committed data left queued (the demo's publications) count too.
    already = client.get("/healthz").json()["queue"]["ready"]
    render_version_pdf.enqueue(123456)
    render_version_pdf.enqueue(123457)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"]["alive"] == 1
    assert body["queue"]["ready"] == already + 2
    assert body["queue"]["running"] == 0
    assert body["queue"]["oldest_ready_s"] >= 0


@pytest.mark.django_db
def test_healthz_reports_a_stale_worker_and_writes_nothing(client):
    beat(seconds_ago=600)
    rows = WorkerHeartbeat.objects.count()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["stale"] == 1
    assert response.json()["worker"]["last_heartbeat_s"] >= 600
    assert WorkerHeartbeat.objects.count() == rows
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_when_the_database_does_not_answer(client):
    from django.db.utils import OperationalError

    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": {"ok": False, "vendor": connection.vendor, "error": "OperationalError"},
        "status": "down",
    }


@pytest.mark.django_db
def test_healthz_names_no_school_and_needs_no_sign_in(client, hill):
    beat()
    text = client.get("/healthz").content.decode()
    assert hill.school.slug not in text and hill.school.name not in text


# --- the worker -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_tasks_beating_and_removes_its_heartbeat_when_done():
    from django_tasks_db.models import DBTaskResult

    from credo.transcripts.tasks import render_version_pdf

    render_version_pdf.enqueue(987654)  # no such version: the task fails, and is recorded so
    seen = []
    original = __import__("credo.core.worker", fromlist=["CredoWorker"]).CredoWorker.run_task

    def run_task(self, result):
        seen.append(list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)))
        return original(self, result)

    out = StringIO()
    with mock.patch("credo.core.worker.CredoWorker.run_task", run_task):
        call_command("worker", "--batch", "--worker-id", "test-worker", stdout=out)
    assert seen == [["test-worker"]]  # beating while it ran the task
    assert WorkerHeartbeat.objects.count() == 0  # and gone once it stopped
    assert DBTaskResult.objects.ready().count() == 0
    assert "stopped after 1 tasks" in out.getvalue()


@pytest.mark.django_db
def test_worker_refuses_bad_options():
    with pytest.raises(CommandError, match="--interval"):
        call_command("worker", "--interval", "-1")
    with pytest.raises(CommandError, match="--max-tasks"):
        call_command("worker", "--max-tasks", "0")
    with pytest.raises(CommandError, match="--queue"):
        call_command("worker", "--queue", " , ")


# --- the PostgreSQL pool -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_postgres_connections_never_exceed_the_pool_under_concurrent_load():
    """Twenty threads at once, each holding its connection for a while: the pool hands out at
    most its size, the others wait their turn, and every thread is served."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (run with DATABASE_URL=postgres://…)")
    pool = connection.settings_dict["OPTIONS"]["pool"]
    size = pool["max_size"]
    name = connection.settings_dict["NAME"]
    connection.close()
    pids, failures = [], []
    lock = threading.Lock()

    def request():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.2)")
                pid = cursor.fetchone()[0]
            with lock:
                pids.append(pid)
        except Exception as exc:  # noqa: BLE001 -- collected and asserted below
            failures.append(exc)
        finally:
            connections["default"].close()  # back to the pool, as at the end of a request

    import psycopg

    s = connection.settings_dict
    most = [0]
    stop = threading.Event()

    def monitor():
        with psycopg.connect(
            dbname=name,
            user=s["USER"] or None,
            password=s["PASSWORD"] or None,
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            autocommit=True,
        ) as conn:
            while not stop.is_set():
                (n,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                ).fetchone()
                most[0] = max(most[0], n)
                time.sleep(0.01)

    watcher = threading.Thread(target=monitor)
    watcher.start()
    threads = [threading.Thread(target=request) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    stop.set()
    watcher.join()
    assert failures == []
    assert len(pids) == 20
    assert len(set(pids)) <= size
    assert 1 <= most[0] <= size


# --- the production server ------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.any_database
@pytest.mark.slow
def test_production_server_serves_pages_static_files_and_health_then_stops_gracefully(tmp_path):
    port = _free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", CREDO_VAR_DIR=str(tmp_path)
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credo.cli",
            "serve",
            "--production",
            "--workers",
            "2",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def get(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _, body = get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert status == 200, body
        status, headers, _ = get("/")
        assert status == 200 and headers["Server"] == "gunicorn"
        status, headers, css = get("/static/credo/credo.css")
        assert status == 200 and b"{" in css
        assert "max-age" in headers["Cache-Control"]  # WhiteNoise, not Django's debug view
        assert (tmp_path / "static" / "credo" / "credo.css.gz").exists()  # collected, compressed
        # Each connection is closed after its response, and more clients at once than the server
        # has threads (2 × 2) wait their turn in the listen queue: none is refused or dropped.
        assert headers["Connection"] == "close"
        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(lambda _: get("/")[0], range(36)))
        assert statuses == [200] * 36
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, output
    assert "Credo is serving on" in output
    # The task worker stopped with the server, removing its heartbeat.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from credo.core.models import WorkerHeartbeat as W; "
            "print(W.objects.count())",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "0", check.stderr


@pytest.mark.django_db
def test_healthz_on_a_database_without_credos_tables_says_so(client):
    from django.db.utils import OperationalError

    with mock.patch(
        "credo.core.health._worker_and_queue", side_effect=OperationalError("no such table")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "vendor": connection.vendor,
        "ms": response.json()["database"]["ms"],
        "error": "OperationalError: run `credo migrate`",
    }
    assert response.json()["status"] == "down"
