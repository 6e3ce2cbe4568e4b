#!/usr/bin/env python
"""Load: concurrent users against gunicorn, then a check that no acknowledged write was lost.

Starts gunicorn (production settings, DEBUG off) on a free port against a database made for
the run and seeded with the demo organisation (``seed_demo --force``), then runs ``--users``
simulated users (threads, each with its own keep-alive ``http.client`` connection) for
``--duration`` seconds: 70% reads (home, matrix, reports, person pages, API GETs) and 30% writes
(matrix cell levels set by the two team leads through the web form, with CSRF; pairing sessions
logged through the API with tokens). Every write answered 2xx is recorded with a unique note;
at the end each one is looked up in the database, and ``manage.py recompute_levels --check``
must find every stored level right. Prints requests, req/s, p50/p95/p99 latency, answers by
status and writes acknowledged / found; exits 1 when a write is lost, an answer is 5xx or the
levels differ.

``--sqlite`` runs the same on a SQLite file while ``manage.py import_matrix`` imports a large
sheet (``--import-people`` × ``--import-skills``, made by bench/generate.py, as bench/issue11.py
does) again and again in another process: writes must wait and succeed, or get a clear 503
"try again", never a 500.

Usage::

    .venv/bin/python bench/load.py                              # PostgreSQL, 50 users, 120 s
    .venv/bin/python bench/load.py --duration 15 --users 10     # a short trial
    .venv/bin/python bench/load.py --sqlite --duration 60       # SQLite, during an import
    .venv/bin/python bench/load.py --think 1                    # each user waits ~1 s between clicks
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_bench_load

The database is dropped and created again (its name must contain ``bench``, as for
bench/run.py); the SQLite file is ``bench/out/load-bench.sqlite3``. Results also go to
``bench/out/load-<vendor>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PYTHON = sys.executable
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/ops_skills_bench_load"
DEFAULT_SQLITE = OUT / "load-bench.sqlite3"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

LEADS = ["priya@example.com", "dana@example.com"]  # the demo's two team leads
WRITE_SHARE = 0.3
MARK = "load"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (default 120)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--database-url", help=f"default: {DEFAULT_PG}, or {DEFAULT_SQLITE.name} with --sqlite")
    parser.add_argument("--sqlite", action="store_true", help="SQLite, with a large matrix import running")
    parser.add_argument("--import-people", type=int, default=500, help="rows of the import sheet (default 500)")
    parser.add_argument("--import-skills", type=int, default=1000, help="skill columns of the sheet (default 1000)")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a user waits between requests (default 0: closed loop)"
    )
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    if args.database_url is None:
        args.database_url = f"sqlite:///{DEFAULT_SQLITE}" if args.sqlite else DEFAULT_PG
    return args


def step(label: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {label}", flush=True)


# Set-up -----------------------------------------------------------------------------------------


def environment(database_url: str) -> dict[str, str]:
    """What gunicorn and the management commands run with: production settings over plain HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ops_skills.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "load-bench-" + secrets.token_urlsafe(40),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TASKS_BACKEND": "immediate",
        "STATIC_ROOT": str(OUT / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def prepare(args) -> dict:
    """A fresh database with the demo organisation; sessions, CSRF and tokens for the users."""
    step(run.fresh_database(args.database_url))
    env = environment(args.database_url)
    for command in (["migrate"], ["createcachetable"], ["collectstatic", "--no-input"], ["seed_demo", "--force"]):
        subprocess.run([PYTHON, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from ops_skills.api.services import token_create
    from ops_skills.people.models import Person
    from ops_skills.skills.models import Skill

    people = list(Person.objects.filter(is_active=True, team__isnull=False).select_related("team"))
    sessions = {}
    for person in Person.objects.filter(is_active=True):
        store = SessionStore()
        store.update(
            {
                SESSION_KEY: str(person.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: person.get_session_auth_hash(),
            }
        )
        store.create()
        sessions[person.email] = store.session_key
    skills_by_team: dict[int, list] = {}
    for skill in Skill.objects.select_related("system"):
        skills_by_team.setdefault(skill.system.team_id, []).append(skill)
    return {
        "sessions": sessions,
        "tokens": {p.email: token_create(person=p, name="load bench")[1] for p in people},
        "people": [(p.pk, p.email, p.team_id) for p in people],
        "leads": {p.email: p.team_id for p in people if p.email in LEADS},
        "skills": {team: [(s.pk, s.column) for s in skills] for team, skills in skills_by_team.items()},
        "team_slugs": {p.team_id: p.team.slug for p in people},
        "env": env,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    log = (OUT / "load-gunicorn.log").open("w")
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "ops_skills.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
        "--keep-alive=30",
        "--timeout=120",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer on port {port}; see {log.name}")


# Users ------------------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    other: Counter = field(default_factory=Counter)  # (kind, status) of answers other than 2xx and 3xx
    samples: list[str] = field(default_factory=list)  # the first two of each
    failures: list[str] = field(default_factory=list)
    cells: list[tuple] = field(default_factory=list)  # (person id, skill id, level, note) acknowledged
    sessions: list[tuple] = field(default_factory=list)  # (session id, notes) acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            self.by_kind[kind] += 1
            if not 200 <= status < 400:
                self.other[f"{kind} {status}"] += 1
                if self.other[f"{kind} {status}"] <= 2:
                    self.samples.append(f"{status} {kind} {detail}"[:400])
            if (status >= 500 or status == 0) and len(self.failures) < 50:
                self.failures.append(f"{status} {kind} {detail}"[:300])


class User:
    """One person with a browser session and an API token, on one keep-alive connection."""

    def __init__(self, n: int, port: int, data: dict, results: Results, rng: random.Random):
        self.n, self.port, self.data, self.results, self.rng = n, port, data, results, rng
        self.lead = LEADS[n % len(LEADS)]
        self.email = self.lead if n % 3 == 0 else data["people"][n % len(data["people"])][1]
        self.csrf = secrets.token_hex(16)  # a 32-character secret: the cookie and the form agree
        self.cookie = f"sessionid={data['sessions'][self.email]}; csrftoken={self.csrf}"
        self.connection = None
        team_id = next(t for p, email, t in data["people"] if email == self.email)
        self.team_slug = data["team_slugs"][team_id]  # the API's reads are of one's own team

    def request(self, kind, method, path, body=None, headers=None, *, token=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        else:
            headers.setdefault("Cookie", self.cookie)
        started = time.perf_counter()
        status, content = 0, b""
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened again, once
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                status, content = response.status, response.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.connection.close()
                self.connection = None
                if attempt == 2 or method == "POST":
                    content = repr(exc).encode()
                    break
        self.results.record(kind, status, time.perf_counter() - started, f"{method} {path} {content[:150]!r}")
        return status, content

    def read(self) -> None:
        data = self.data
        person_id = self.rng.choice(data["people"])[0]
        team = self.team_slug
        choice = self.rng.random()
        if choice < 0.2:
            self.request("home", "GET", "/")
        elif choice < 0.4:
            self.request("matrix", "GET", "/matrix/")
        elif choice < 0.55:
            self.request("reports", "GET", "/reports/")
        elif choice < 0.75:
            self.request("person", "GET", f"/people/{person_id}/")
        elif choice < 0.88:
            self.request("api levels", "GET", f"/api/levels/?team={team}", token=data["tokens"][self.email])
        else:
            self.request("api busfactor", "GET", f"/api/busfactor/?team={team}", token=data["tokens"][self.email])

    def write(self) -> None:
        if self.rng.random() < 0.5:
            self.set_level()
        else:
            self.log_session()

    def set_level(self) -> None:
        """A lead sets a level in the matrix of their team, through the cell's form."""
        data, lead = self.data, self.lead
        team = data["leads"][lead]
        person_id = self.rng.choice([p for p, email, t in data["people"] if t == team and email != lead])
        skill_id, _ = self.rng.choice(data["skills"][team])
        level, note = self.rng.randint(0, 4), f"{MARK} {secrets.token_hex(8)}"
        body = f"csrfmiddlewaretoken={self.csrf}&level={level}&note={note.replace(' ', '+')}"
        headers = {
            "Cookie": f"sessionid={data['sessions'][lead]}; csrftoken={self.csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/matrix/",
        }
        status, _ = self.request("set level", "POST", f"/matrix/cell/{person_id}/{skill_id}/", body, headers)
        if 200 <= status < 400:  # the form answers with a redirect to the cell once saved
            with self.results.lock:
                self.results.cells.append((person_id, skill_id, level, note))

    def log_session(self) -> None:
        """Someone logs a pairing session they mentored, through the API."""
        data = self.data
        mentor = self.email
        team = next(t for p, email, t in data["people"] if email == mentor)
        learner = self.rng.choice([email for p, email, t in data["people"] if t == team and email != mentor])
        notes = f"{MARK} {secrets.token_hex(8)}"
        body = {
            "mentor": mentor,
            "learners": [learner],
            "skills": [self.rng.choice(data["skills"][team])[1]],
            "duration_minutes": self.rng.choice([30, 45, 60]),
            "notes": notes,
        }
        status, content = self.request(
            "log session",
            "POST",
            "/api/evidence/pairing-sessions/",
            json.dumps(body),
            {"Content-Type": "application/json"},
            token=data["tokens"][mentor],
        )
        if 200 <= status < 300:
            with self.results.lock:
                self.results.sessions.append((json.loads(content)["id"], notes))

    def run(self, until: float, think: float = 0.0) -> None:
        while time.monotonic() < until:
            if self.rng.random() < WRITE_SHARE:
                self.write()
            else:
                self.read()
            if think:  # a person reads the page before the next click: exponential, mean ``think`` s
                time.sleep(min(self.rng.expovariate(1 / think), max(0.0, until - time.monotonic())))
        if self.connection is not None:
            self.connection.close()


# The import running beside the users (--sqlite) ------------------------------------------------


def start_imports(args, env: dict, until: float, results: dict) -> threading.Thread:
    """Import a large sheet again and again (alternating two versions, so each import writes)
    until ``until``, in a child process each time, recording how long each took."""
    from bench import generate

    first = generate.write_matrix_csv(OUT / "load-import-1.csv", people=args.import_people, skills=args.import_skills)
    header, rows = generate.matrix_csv_rows(people=args.import_people, skills=args.import_skills)
    generate.write_csv(OUT / "load-import-2.csv", header, generate.changed_rows(rows))
    step(f"import sheet: {first.people} × {first.skills}, {first.bytes / 1e6:.1f} MB")

    def loop():
        n = 0
        while time.monotonic() < until:
            sheet = OUT / f"load-import-{n % 2 + 1}.csv"
            started = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "manage.py", "import_matrix", str(sheet), "--as", "admin@example.com"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = round(time.perf_counter() - started, 1)
            results.setdefault("imports", []).append({"seconds": seconds, "exit": done.returncode})
            if done.returncode != 0:
                results.setdefault("import_errors", []).append(done.stderr.strip()[-500:])
            n += 1

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


# Checks and figures -----------------------------------------------------------------------------


def verify(results: Results, env: dict) -> dict:
    """Every acknowledged write, found in the database; and the stored levels right."""
    from django.db import connection

    from ops_skills.evidence.models import PairingSession
    from ops_skills.skills.models import Assessment

    connection.close()
    found_cells = set(
        Assessment.objects.filter(note__startswith=MARK).values_list("person_id", "skill_id", "level", "note")
    )
    lost_cells = [c for c in results.cells if c not in found_cells]
    found_sessions = set(PairingSession.objects.filter(notes__startswith=MARK).values_list("pk", "notes"))
    lost_sessions = [s for s in results.sessions if tuple(s) not in found_sessions]
    check = subprocess.run(
        [PYTHON, "manage.py", "recompute_levels", "--check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return {
        "levels_acknowledged": len(results.cells),
        "levels_found": len(results.cells) - len(lost_cells),
        "sessions_acknowledged": len(results.sessions),
        "sessions_found": len(results.sessions) - len(lost_sessions),
        "lost": [*lost_cells, *lost_sessions][:20],
        "recompute_check_ok": check.returncode == 0,
        "recompute_check": (check.stdout + check.stderr).strip()[-1000:],
    }


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def main(args) -> int:
    OUT.mkdir(exist_ok=True)
    data = prepare(args)
    port = free_port()
    step(f"gunicorn: {args.workers} workers × {args.threads} threads on port {port}")
    server = start_gunicorn(args, data["env"], port)
    results, extra = Results(), {}
    try:
        started = time.monotonic()
        until = started + args.duration
        importer = start_imports(args, data["env"], until, extra) if args.sqlite else None
        step(f"{args.users} users for {args.duration:.0f} s ({WRITE_SHARE:.0%} writes)")
        users = [User(n, port, data, results, random.Random(args.seed + n)) for n in range(args.users)]
        threads = [threading.Thread(target=user.run, args=(until, args.think)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        if importer is not None:
            step("waiting for the import under way to finish")
            importer.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    step("checking every acknowledged write")
    checked = verify(results, data["env"])
    latencies = sorted(results.latencies)
    figures = {
        "database": "SQLite" if args.sqlite else "PostgreSQL",
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
        "max_ms": round(max(latencies, default=0) * 1000),
        "statuses": dict(sorted(results.statuses.items())),
        "requests_by_kind": dict(results.by_kind.most_common()),
        "other_answers_by_kind": dict(results.other.most_common()),
        "failures": results.failures,
        "other_answer_samples": results.samples,
        **checked,
        **extra,
    }
    output = OUT / f"load-{'sqlite' if args.sqlite else 'postgresql'}.json"
    output.write_text(json.dumps(figures, indent=2))
    print(report(figures))
    print(f"\nresults: {output.relative_to(ROOT)}")
    errors = sum(n for status, n in results.statuses.items() if status >= 500 or status == 0)
    lost = len(checked["lost"])
    return 0 if not errors and not lost and checked["recompute_check_ok"] else 1


def report(f: dict) -> str:
    statuses = ", ".join(f"{status}: {n}" for status, n in f["statuses"].items())
    lines = [
        f"\n{f['database']}, {f['users']} users, {f['duration_s']} s",
        f"requests        {f['requests']:,}  ({f['requests_per_s']} req/s)",
        f"latency         p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms",
        f"answers         {statuses}",
        f"levels set      {f['levels_acknowledged']} acknowledged, {f['levels_found']} found",
        f"sessions logged {f['sessions_acknowledged']} acknowledged, {f['sessions_found']} found",
        f"stored levels   {'right' if f['recompute_check_ok'] else 'WRONG: ' + f['recompute_check']}",
    ]
    if "imports" in f:
        lines.append(f"imports         {f['imports']}")
    for line in f.get("import_errors", [])[:3]:
        lines.append(f"import error    {line}")
    if f["other_answers_by_kind"]:
        lines.append(f"other answers   {f['other_answers_by_kind']}")
    for failure in f["failures"][:10]:
        lines.append(f"failure         {failure}")
    for lost in f["lost"][:10]:
        lines.append(f"LOST            {lost}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(parse_args()))
