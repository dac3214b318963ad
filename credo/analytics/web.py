"""The `web` section of `credo bench`: the production server under a bounded closed-loop load.

The section prepares a few things a school that runs Credo has (a 30-student section whose teacher
is signed in, a student who is signed in, a transcript shared with a college, an API token),
starts `credo serve --production` on a free port of 127.0.0.1 against the benchmark's database,
and drives it with N clients, each sending its next request as soon as the last one is answered
(a closed loop), for S seconds — first one client alone, then all N. The mix is the gradebook of
the section, the student's dashboard, the shared transcript and an API list, in equal parts (each
client goes round the four from its own starting point).

Every request goes to 127.0.0.1 only; the loops stop at their deadline (and after at most
`MAX_REQUESTS` each). On PostgreSQL a monitor samples `pg_stat_activity` to find the most
connections the server held at once.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

SECTION_STUDENTS = 30
MAX_REQUESTS = 200_000  # per client, a bound on top of the deadline
KINDS = ("gradebook", "dashboard", "transcript", "api")
# The task worker beside the server holds at most two: its loop's and its heartbeat's.
WORKER_CONNECTIONS = 2


@dataclass
class Target:
    """One kind of request of the mix: its path and the headers that authenticate it."""

    kind: str
    path: str
    headers: dict


# --- what a running school has ----------------------------------------------------------------


def prepare(bench) -> list[Target]:
    """Make the section, the signed-in people, the shared transcript and the token; return the mix."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from credo.accounts.models import Membership, Role, Student, User
    from credo.api.services import token_create
    from credo.core.worker import run_worker
    from credo.schools.models import Enrollment, School, Section
    from credo.transcripts.services import share_link_create, transcript_publish

    bench.materialize()
    roster = bench.district.schools[0]
    school = School.objects.get(pk=roster.school_id)
    section_id, teacher_id, _aligned = roster.sections[0]
    section = Section.objects.get(pk=section_id)
    enrolled = set(Enrollment.objects.filter(section=section).values_list("student_id", flat=True))
    others = [s for s in roster.student_ids if s not in enrolled]
    with transaction.atomic():
        # Top the section up to a class of 30 (the generator makes classes of 25).
        Enrollment.objects.bulk_create(
            [
                Enrollment(school=school, section=section, student_id=s)
                for s in others[: max(0, SECTION_STUDENTS - len(enrolled))]
            ]
        )
        teacher = User.objects.get(pk=teacher_id)
        # The student signs in to their own dashboard: the senior with the longest record.
        student = (
            Student.objects.filter(school=school, enrollments__section=section)
            .order_by("graduation_year", "pk")
            .first()
        )
        account = User(username=f"bench-student-{student.pk}", display_name=str(student))
        account.set_unusable_password()
        account.save()
        Student.objects.filter(pk=student.pk).update(user=account)
        Membership.objects.create(school=school, user=account, role=Role.STUDENT)
        Membership.objects.get_or_create(school=school, user=teacher, role=Role.TEACHER)
    registrar = User.objects.get(pk=roster.registrar_id)
    student.refresh_from_db()
    version = transcript_publish(actor=registrar, student=student, note="credo bench").version
    link = share_link_create(
        actor=registrar,
        version=version,
        recipient="Benchmark College",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    _token, secret = token_create(
        actor=teacher, school=school, name="credo bench", scopes=["read"], days=1
    )
    # The PDF and credentials the publication queued are made now, not during the measurement.
    run_worker(handle_signals=False, batch=True, interval=0.05)

    def session_cookie(user) -> dict:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}

    slug = school.slug
    return [
        Target(
            "gradebook",
            reverse("web:section", kwargs={"slug": slug, "section_id": section.pk}),
            session_cookie(teacher),
        ),
        Target(
            "dashboard",
            reverse("web:student", kwargs={"slug": slug, "student_id": student.pk}),
            session_cookie(account),
        ),
        Target(
            "transcript",
            reverse("transcripts:shared", kwargs={"token": link.token}),
            {},
        ),
        Target(
            "api",
            f"/api/schools/{quote(slug)}/students?limit=50",
            {"Authorization": f"Bearer {secret}"},
        ),
    ]


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL for the benchmark's database (what the server process is given)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(settings_dict['NAME'])}"


class Server:
    """`credo serve --production` in a child process, stopped gracefully on exit."""

    def __init__(self, *, url: str, workers: int, threads: int, pool: int):
        self.port = free_port()
        self.workers, self.threads, self.pool = workers, threads, pool
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by stop()
        from django.conf import settings

        env = {
            **os.environ,
            # The sessions made for the load are signed with this process's key.
            "CREDO_SECRET_KEY": settings.SECRET_KEY,
            "CREDO_VAR_DIR": str(settings.VAR_DIR),
            "DATABASE_URL": url,
            "CREDO_BASE_URL": f"http://127.0.0.1:{self.port}",
            "CREDO_DB_POOL_SIZE": str(pool),
        }
        self.proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [
                sys.executable,
                "-m",
                "credo.cli",
                "serve",
                "--production",
                "--no-migrate",
                f"--workers={workers}",
                f"--threads={threads}",
                f"127.0.0.1:{self.port}",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.output()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the server did not answer in {timeout:g} s:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """Return the CPU time used so far by the server's processes (Linux /proc; 0 elsewhere)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        for pid in _descendants(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> float:
        """Stop the server with SIGTERM (gunicorn's graceful stop); return the seconds it took."""
        t = time.perf_counter()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return time.perf_counter() - t


def _descendants(root: int) -> list[int]:
    """Return `root`'s descendant process ids, read from /proc (empty where there is none)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """What one phase of the load measured."""

    clients: int
    seconds: float
    latencies: dict  # kind -> list of seconds
    errors: list
    cpu_seconds: float

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float, kind: str | None = None) -> float:
        values = self.latencies[kind] if kind else [x for v in self.latencies.values() for x in v]
        return float(np.percentile(values, q) * 1000) if values else 0.0


def drive(
    server: Server, targets: list[Target], *, clients: int, seconds: float, seed: int = 0
) -> Load:
    """Run `clients` closed loops against the server for `seconds`; return what they measured."""
    latencies: dict[str, list[float]] = {t.kind: [] for t in targets}
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(k: int) -> None:
        # Each client goes round the mix from its own starting point: equal parts, well mixed.
        first = int(np.random.default_rng(seed * 1000 + k).integers(len(targets)))
        mine = {t.kind: [] for t in targets}
        bad: list[str] = []
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        start.wait()
        for i in range(MAX_REQUESTS):
            if time.perf_counter() >= deadline[0]:
                break
            target = targets[(first + i) % len(targets)]
            t = time.perf_counter()
            try:
                conn.request("GET", target.path, headers=target.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{target.kind}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                continue
            if status != 200:
                bad.append(f"{target.kind}: HTTP {status}")
                continue
            mine[target.kind].append(time.perf_counter() - t)
        conn.close()
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for th in threads:
        th.start()
    cpu0 = server.cpu_seconds()
    deadline[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for th in threads:
        th.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - t0
    return Load(clients, elapsed, latencies, errors, server.cpu_seconds() - cpu0)


class ConnectionMonitor:
    """Sample how many connections the server holds to the PostgreSQL database, 20 times a second."""

    def __init__(self, settings_dict: dict, exclude_pids: set[int]):
        self.settings_dict = settings_dict
        self.exclude = exclude_pids
        self.max = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psycopg

        s = self.settings_dict
        with psycopg.connect(
            dbname=s["NAME"],
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            host=s.get("HOST") or None,
            port=s.get("PORT") or None,
            autocommit=True,
        ) as conn:
            while not self._stop.wait(0.05):
                (n,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
                    [s["NAME"], list(self.exclude)],
                ).fetchone()
                self.max = max(self.max, n)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


# --- the section ------------------------------------------------------------------------------


def run_web(bench) -> dict:
    """Measure the production server: one client alone, then `bench.clients`; return the figures."""
    from django.db import connection

    from credo.core.management.commands.serve import default_threads, default_workers

    clients, seconds = bench.web_clients, bench.web_seconds
    workers = bench.web_workers or default_workers()
    threads = bench.web_threads or default_threads()
    pool = threads
    bench.say("web: a 30-student section, a signed-in teacher and student, a shared transcript")
    targets = prepare(bench)
    url = database_url(connection.settings_dict)
    postgres = connection.vendor == "postgresql"
    settings_dict = dict(connection.settings_dict)
    own = set()
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own.add(cursor.fetchone()[0])
    connection.close()
    bench.say(f"web: starting `credo serve --production` ({workers} processes × {threads} threads)")
    server = Server(url=url, workers=workers, threads=threads, pool=pool)
    try:
        server.wait_ready()
        bench.say("web: warming up")
        drive(server, targets, clients=clients, seconds=min(3.0, seconds), seed=bench.seed + 99)
        bench.say(f"web: 1 client for {seconds:g} s")
        single = drive(server, targets, clients=1, seconds=seconds, seed=bench.seed + 1)
        bench.say(f"web: {clients} clients for {seconds:g} s")
        if postgres:
            with ConnectionMonitor(settings_dict, own) as monitor:
                loaded = drive(server, targets, clients=clients, seconds=seconds, seed=bench.seed)
            max_connections = monitor.max
        else:
            loaded = drive(server, targets, clients=clients, seconds=seconds, seed=bench.seed)
            max_connections = None
    finally:
        stop_s = server.stop()
    for e in sorted(set(loaded.errors))[:5]:
        bench.say(f"  error: {e}")
    out = {
        "web_clients": clients,
        "web_seconds": seconds,
        "web_server": f"gunicorn gthread, {workers} processes × {threads} threads",
        "web_requests": loaded.requests,
        "web_requests_per_s": loaded.per_second,
        "web_p50_ms": loaded.percentile(50),
        "web_p95_ms": loaded.percentile(95),
        "web_p99_ms": loaded.percentile(99),
        "web_errors": len(loaded.errors),
        "web_single_client_requests_per_s": single.per_second,
        "web_single_client_p50_ms": single.percentile(50),
        "web_single_client_errors": len(single.errors),
        "web_speedup": loaded.per_second / single.per_second if single.per_second else 0.0,
        "web_cpu_ms_per_request": (
            loaded.cpu_seconds / loaded.requests * 1000 if loaded.requests else 0.0
        ),
        "web_max_db_connections": max_connections,
        "web_db_connection_limit": workers * pool + WORKER_CONNECTIONS if postgres else None,
        "web_stop_s": stop_s,
    }
    for kind in KINDS:
        out[f"web_{kind}_p50_ms"] = loaded.percentile(50, kind)
        out[f"web_{kind}_p95_ms"] = loaded.percentile(95, kind)
        out[f"web_{kind}_single_p50_ms"] = single.percentile(50, kind)
    if postgres:
        out["web_connections_over_limit"] = max(
            0, max_connections - (workers * pool + WORKER_CONNECTIONS)
        )
    return out
