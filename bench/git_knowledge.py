#!/usr/bin/env python
"""Benchmark of issue 16, knowledge from git history: a generated repository of 50,000 commits
over 5,000 files, read in full (``ops_skills.repos.ingest.read_repository``, aim under 60 s), then
again after 20 new commits (incremental, aim under 2 s), then the authorship and truck factors of
the repository and its ~50 mapped systems (``ops_skills.repos.selectors.repository_knowledge``)
and the repository page as an admin. Measured, not asserted.

The repository is written by ``git fast-import`` from a stream generated here with a fixed seed
(see ``generate_repository``) into ``bench/out/git-bench/``, and reused when it is there
(``--fresh`` writes it again). Its commit dates end at midnight UTC of the day it was generated.
The measurements run in a child process of their own, so that its maximum RSS is the read's and
not the generator's, on a fresh database: a SQLite file under ``bench/out/`` by default, or the
PostgreSQL database given (its name must contain ``bench``; it is dropped and created again)::

    .venv/bin/python bench/git_knowledge.py
    .venv/bin/python bench/git_knowledge.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_git_bench
    .venv/bin/python bench/git_knowledge.py --profile   # cProfile of the full read, even under its aim

The time of plain ``git log --no-merges --name-status --find-renames`` on the repository is
measured too, for reference. Results go to ``bench/out/git_knowledge.json`` (and
``git_knowledge-<vendor>.json``); see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
REPO = OUT / "git-bench"
DEFAULT_SQLITE = OUT / "git-bench.sqlite3"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 16
COMMITS = 50_000
FILES = 5_000  # live at the end; about 14% more are created and later deleted or renamed over
YEARS = 3
NEW_COMMITS = 20  # for the incremental read
BASE_TAG = "bench-base"  # the generated tip: every run starts from it
DOMAIN = "acme.example"

# The aims of issue 16, in seconds.
AIMS = {
    "full_read": ("full read, 50,000 commits (read_repository)", 60.0),
    "incremental_read": (f"incremental read, {NEW_COMMITS} new commits", 2.0),
}

# fmt: off
FIRST = [
    "Aiko", "Ben", "Carla", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kenji", "Lena", "Marco",
    "Nia", "Omar", "Priya", "Quentin", "Rafael", "Sara", "Tariq", "Uma", "Vera", "Wei", "Yusuf", "Zoe", "Amir",
    "Bea", "Chen", "Dana", "Emil", "Freya", "Gil", "Hugo", "Ivo", "Jana", "Kai", "Lior", "Maja", "Noor", "Otto",
]
LAST = [
    "Tanaka", "Okafor", "Rossi", "Ivanov", "Yilmaz", "Khan", "Novak", "Sato", "Costa", "Berg", "Mori", "Fischer",
    "Bianchi", "Adeyemi", "Haddad", "Raman", "Dubois", "Silva", "Lind", "Aziz", "Patel", "Varga", "Zhou", "Demir",
    "Quinn", "Nasser", "Holm", "Wang", "Weiss", "Moreau", "Eriksen", "Cohen", "Lopes", "Kovac", "Berger", "Ito",
    "Levi", "Nowak", "Amin", "Krause",
]
SYSTEM_WORDS = [
    "postgres", "redis", "kafka", "vault", "consul", "nginx", "haproxy", "elastic", "grafana", "prometheus",
    "loki", "tempo", "argocd", "jenkins", "gitlab", "harbor", "minio", "rabbitmq", "etcd", "coredns",
]
SYSTEM_KINDS = ["main", "edge", "batch"]
MODULE_FILES = [
    "main", "variables", "outputs", "versions", "locals", "iam", "network", "security-groups", "alarms",
    "dns", "backup", "storage", "kms", "logging", "autoscaling", "data",
]
CHART_FILES = ["Chart.yaml", "values.yaml", "values-staging.yaml", "values-production.yaml", "README.md"]
CHART_TEMPLATES = [
    "deployment", "service", "ingress", "configmap", "secret", "hpa", "pdb", "servicemonitor", "networkpolicy",
    "cronjob", "serviceaccount", "role", "rolebinding", "statefulset",
]
RUNBOOK_TOPICS = [
    "deploy", "rollback", "restore-from-snapshot", "failover", "rotate-certificates", "scale-out", "upgrade",
    "disk-full", "high-latency", "replication-lag", "rotate-credentials", "maintenance-window", "incident-triage",
    "backup-verify", "access-request", "decommission",
]
SUBMODULES = ["primary", "replica", "monitoring", "dr", "shared", "canary"]
TIMEZONES = ["+0000", "+0100", "+0200", "+0530", "+0900", "-0500", "-0800"]
BOTS = [  # (name, email, share of commits)
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", 0.025),
    ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", 0.012),
    ("Terraform CI", "ci@noreply.acme.example", 0.005),
]
# fmt: on


@dataclass
class Author:
    name: str
    email: str
    weight: float
    tz: str
    start: float  # share of the history when they made their first commit
    end: float  # and their last (1.0: still committing)
    home: list[str]  # the systems they mostly work on
    other_email: str = ""  # a second address they sometimes commit with
    via: str = ""  # how the second address is known: "mailmap", "alias" (the app's table) or ""
    registered: bool = True  # has a Person in the app (contractors do not)
    departed: bool = False  # left: a Person whose departed_on is set

    def line(self, email: str, at: int) -> str:
        return f"{self.name} <{email}> {at} {self.tz}"


@dataclass
class Plan:
    """What the generated history is made of: who commits, which systems, which files."""

    authors: list[Author]
    systems: list[str]
    pending: dict[str, list[str]]  # system -> paths not created yet, in creation order
    shared: list[str]  # top-level files of no system


def plan_repository(rng: random.Random) -> Plan:
    """Sixty systems (fifty get path mappings) of skewed sizes and forty authors with a skew like
    real repositories' (a few write most commits): some joined late, some left, four commit with
    a second address (two known from .mailmap, one from the app's alias table, one not at all),
    three are contractors the app does not know."""
    systems = [f"{word}-{kind}" for word in SYSTEM_WORDS for kind in SYSTEM_KINDS]
    rng.shuffle(systems)
    systems = sorted(systems[:60])
    sizes = [rng.lognormvariate(0, 0.8) for _ in systems]
    created = round(FILES * 1.14)
    shared = [
        "README.md",
        ".gitignore",
        "Makefile",
        *(f".github/workflows/{name}.yml" for name in ("plan", "apply", "lint", "docs", "release")),
        *(f"envs/{env}/{name}.tfvars" for env in ("dev", "staging", "production") for name in ("main", "network")),
        *(f"scripts/{name}.sh" for name in ("bootstrap", "rotate", "audit", "drift", "backup-check")),
    ]
    budget = created - len(shared)
    counts = [max(12, round(budget * s / sum(sizes))) for s in sizes]
    pending = {system: _system_paths(system, count, rng) for system, count in zip(systems, counts, strict=True)}

    authors = []
    for i in range(40):
        first, last = FIRST[i], LAST[i]
        email = f"{first}.{last}@{DOMAIN}".lower()
        home_count = min(len(systems), 2 + int(12 / (i + 1) ** 0.5) + rng.randint(0, 3))
        author = Author(
            name=f"{first} {last}",
            email=email,
            weight=1 / (i + 1) ** 1.1,
            tz=rng.choice(TIMEZONES),
            start=0.0 if i < 12 else rng.uniform(0.0, 0.8),
            end=1.0,
            home=rng.sample(systems, home_count),
        )
        authors.append(author)
    for i in (3, 9, 17, 24, 31, 36):  # left during the history; the app knows four of them as departed
        authors[i].end = rng.uniform(max(authors[i].start + 0.1, 0.3), 0.9)
        authors[i].departed = i in (3, 9, 17, 24)
    for i in (21, 33, 38):
        authors[i].registered = False
        authors[i].email = f"{FIRST[i]}.{LAST[i]}@contractor.example".lower()
    for i, other, via in (
        (1, f"{FIRST[1].lower()}@users.noreply.github.com", "mailmap"),
        (5, f"{FIRST[5].lower()}.{LAST[5].lower()}@old-acme.example", "mailmap"),
        (7, f"{FIRST[7].lower()}{LAST[7].lower()}@gmail.com", "alias"),
        (13, f"{FIRST[13].lower()}@laptop.local", ""),
    ):
        authors[i].other_email, authors[i].via = other, via
    return Plan(authors=authors, systems=systems, pending=pending, shared=shared)


def _system_paths(system: str, count: int, rng: random.Random) -> list[str]:
    """``count`` distinct paths of a system: its Terraform module (with submodules when big), its
    Helm chart and its runbooks, the core files (main.tf, the chart, deploy) first."""
    module = [f"modules/{system}/{name}.tf" for name in MODULE_FILES]
    module += [f"modules/{system}/{sub}/{name}.tf" for sub in SUBMODULES for name in MODULE_FILES[:8]]
    chart = [f"charts/{system}/{name}" for name in CHART_FILES]
    chart += [f"charts/{system}/templates/{name}.yaml" for name in CHART_TEMPLATES]
    runbooks = [f"runbooks/{system}/{topic}.md" for topic in RUNBOOK_TOPICS]
    core = [module.pop(0), chart.pop(0), chart.pop(0), runbooks.pop(0)]
    rest = module + chart + runbooks
    rng.shuffle(rest)
    paths = core + rest
    n = 1
    while len(paths) < count:  # big systems: more runbooks and module files
        paths += [f"runbooks/{system}/notes-{n:03d}.md", f"modules/{system}/extra/part-{n:03d}.tf"]
        n += 1
    return paths[:count]


class History:
    """The state of the working tree while the stream is written: the live files by system, each
    file's identity (kept through renames, so that its content stays unique) and revision."""

    def __init__(self, plan: Plan, rng: random.Random):
        self.plan = plan
        self.rng = rng
        self.live: dict[str, list[str]] = {system: [] for system in plan.systems}
        self.live[""] = []  # files of no system
        self.ident: dict[str, tuple[int, int]] = {}  # path -> (file id, revision)
        self.next_id = 0
        self.planned = {path for paths in plan.pending.values() for path in paths}  # never a rename's target
        self.counts = {"created": 0, "modified": 0, "deleted": 0, "renamed": 0}

    def system_of(self, path: str) -> str:
        parts = path.split("/")
        return parts[1] if len(parts) > 2 and parts[0] in ("modules", "charts", "runbooks") else ""

    def blob(self, path: str) -> bytes:
        file_id, revision = self.ident[path]
        return f"# file {file_id}\nrevision = {revision}\n".encode()

    def create(self, path: str) -> list[bytes]:
        self.next_id += 1
        self.ident[path] = (self.next_id, 1)
        self.live[self.system_of(path)].append(path)
        self.counts["created"] += 1
        return [_inline(path, self.blob(path))]

    def modify(self, path: str) -> list[bytes]:
        file_id, revision = self.ident[path]
        self.ident[path] = (file_id, revision + 1)
        self.counts["modified"] += 1
        return [_inline(path, self.blob(path))]

    def delete(self, path: str) -> list[bytes]:
        del self.ident[path]
        self.live[self.system_of(path)].remove(path)
        self.counts["deleted"] += 1
        return [f"D {path}\n".encode()]

    def rename(self, path: str, new: str) -> list[bytes]:
        self.ident[new] = self.ident.pop(path)
        self.live[self.system_of(path)].remove(path)
        self.live[self.system_of(new)].append(new)
        self.counts["renamed"] += 1
        return [f"R {path} {new}\n".encode()]

    def pick(self, system: str, n: int) -> list[str]:
        """``n`` distinct live files of ``system``, half the time among its first five (the
        files everybody touches: main.tf, values.yaml, …)."""
        files = self.live[system]
        chosen: list[str] = []
        for _ in range(min(n, len(files))):
            pool = files[:5] if self.rng.random() < 0.5 else files
            path = self.rng.choice(pool)
            if path not in chosen:
                chosen.append(path)
        return chosen

    def renamed_path(self, path: str) -> str:
        """Where a file moves: into ``legacy/`` of its directory, or to another system (a split)."""
        rng = self.rng
        for _ in range(20):
            if rng.random() < 0.25 and self.system_of(path):
                other = rng.choice(self.plan.systems)
                new = path.replace(f"/{self.system_of(path)}/", f"/{other}/", 1)
            else:
                head, _, name = path.rpartition("/")
                new = f"{head}/legacy/{name}" if "legacy" not in head else f"{head}/{rng.randint(2, 99)}-{name}"
            if new not in self.ident and new not in self.planned:
                return new
        return f"{path}.{self.next_id}.old"


def _inline(path: str, data: bytes) -> bytes:
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def write_stream(plan: Plan, rng: random.Random, write, end: datetime) -> dict:
    """Write the fast-import stream of ``COMMITS`` commits on ``refs/heads/main`` to ``write``:
    files created in bursts over the first 90% of the history, changes mostly by the authors of a
    system (80%), deletions (1%, one to three files) and renames (0.7%, one to four), 7% of human
    commits with ``Co-authored-by:`` trailers, 4% by bots bumping versions. Returns what was
    generated."""
    history = History(plan, rng)
    span = YEARS * 365 * 86400
    first = int(end.timestamp()) - span
    times = sorted(first + int(rng.random() * span) for _ in range(COMMITS))
    humans = plan.authors
    bot_share = sum(b[2] for b in BOTS)
    total_to_create = sum(len(p) for p in plan.pending.values())
    creators = {s: list(reversed(p)) for s, p in plan.pending.items()}  # popped from the end
    by_system: dict[str, list[Author]] = {s: [] for s in plan.systems}
    for author in humans:
        for system in author.home:
            by_system[system].append(author)
    coauthored = bot_commits = 0
    mailmap = "".join(f"{a.name} <{a.email}> <{a.other_email}>\n" for a in humans if a.via == "mailmap")

    for n, at in enumerate(times, start=1):
        share = n / COMMITS
        ops: list[bytes] = []
        trailers: list[str] = []
        if n == 1:
            author, email = humans[0], humans[0].email
            subject = "Initial layout"
            ops.append(_inline(".mailmap", mailmap.encode()))
            for path in plan.shared:
                ops += history.create(path)
        elif rng.random() < bot_share:
            name, email, _ = rng.choices(BOTS, weights=[b[2] for b in BOTS])[0]
            author = Author(name=name, email=email, weight=0, tz="+0000", start=0, end=1, home=[])
            system = rng.choice([s for s in plan.systems if history.live[s]] or [""])
            bumps = [p for p in history.live[system] if p.endswith(("versions.tf", "Chart.yaml"))] or history.pick(
                system, 1
            )
            for path in bumps[:2]:
                ops += history.modify(path)
            subject = f"Bump provider versions in {system or 'the root'}"
            bot_commits += 1
        else:
            active = [a for a in humans if a.start <= share <= a.end]
            author = rng.choices(active, weights=[a.weight for a in active])[0]
            email = author.other_email if author.other_email and rng.random() < 0.3 else author.email
            home = [s for s in author.home if history.live[s] or creators[s]]
            system = rng.choice(home) if home and rng.random() < 0.8 else rng.choice(plan.systems)
            left = sum(len(c) for c in creators.values())
            create_p = left / max(1.0, 3.0 * (0.9 * COMMITS - n)) if share < 0.9 else 1.0
            if left and (rng.random() < create_p or not history.live[system]):
                if not creators[system]:
                    system = max(creators, key=lambda s: (len(creators[s]), s))
                for _ in range(min(len(creators[system]), rng.choice((1, 1, 2, 3, 4, 6)))):
                    ops += history.create(creators[system].pop())
                subject = f"Add {system} files"
            elif rng.random() < 0.01 and len(history.live[system]) > 8:
                for path in history.pick(system, rng.randint(1, 3)):
                    ops += history.delete(path)
                subject = f"Remove unused {system} files"
            elif rng.random() < 0.007 and len(history.live[system]) > 4:
                for path in history.pick(system, rng.randint(1, 4)):
                    ops += history.rename(path, history.renamed_path(path))
                subject = f"Move {system} files"
            else:
                paths = history.pick(system, rng.choice((1, 1, 1, 2, 2, 3, 4))) or history.pick("", 1)
                if rng.random() < 0.05:
                    paths += history.pick("", 1)
                for path in dict.fromkeys(paths):
                    ops += history.modify(path)
                subject = f"Update {system or 'shared configuration'}"
            if rng.random() < 0.07:
                peers = [a for a in by_system.get(system, []) if a is not author and a.start <= share <= a.end]
                peers = peers or [a for a in active if a is not author]
                for peer in rng.sample(peers, min(len(peers), rng.choice((1, 1, 1, 2)))):
                    trailers.append(f"Co-authored-by: {peer.name} <{peer.email}>")
                coauthored += 1
        if not ops:
            ops += history.modify(rng.choice(history.live[""]))
        message = subject + ("\n\n" + "\n".join(trailers) if trailers else "") + "\n"
        line = author.line(email, at)
        write(b"commit refs/heads/main\nmark :%d\n" % n)
        write(f"author {line}\ncommitter {line}\n".encode())
        write(_data(message))
        write(b"".join(ops))
        write(b"\n")
    write(b"done\n")
    return {
        "commits": COMMITS,
        "files_to_create": total_to_create + len(plan.shared),
        **{f"files_{k}": v for k, v in history.counts.items()},
        "coauthored_commits": coauthored,
        "bot_commits": bot_commits,
        "systems": len(plan.systems),
        "authors": len(plan.authors),
        "first_commit": datetime.fromtimestamp(times[0], UTC).isoformat(),
        "last_commit": datetime.fromtimestamp(times[-1], UTC).isoformat(),
    }


def git(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, **kwargs)


def generate_repository(*, fresh: bool = False) -> dict:
    """Write the repository into ``bench/out/git-bench`` with one ``git fast-import``, unless it is
    there (and not ``fresh``); reset it to its generated tip either way. Returns what it holds."""
    summary_file = OUT / "git-bench.json"
    if fresh or not (REPO / ".git").exists() or not summary_file.exists():
        shutil.rmtree(REPO, ignore_errors=True)
        REPO.mkdir(parents=True)
        git("init", "-q", "-b", "main")
        git("config", "user.email", f"bench@{DOMAIN}")
        git("config", "user.name", "Bench")
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        rng = random.Random(SEED)
        start = time.perf_counter()
        plan = plan_repository(rng)
        importer = subprocess.Popen(
            ["git", "-C", str(REPO), "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        summary = write_stream(plan, rng, importer.stdin.write, end)
        importer.stdin.close()
        if importer.wait() != 0:
            raise SystemExit(f"git fast-import failed: {importer.stderr.read().decode()}")
        summary["fast_import_s"] = round(time.perf_counter() - start, 1)
        git("reset", "-q", "--hard", "main")
        git("tag", "-f", BASE_TAG, "main")
        summary["files_live"] = len(git("ls-tree", "-r", "--name-only", "main").stdout.splitlines())  # with .mailmap
        summary["generate_s"] = round(time.perf_counter() - start, 1)
        summary["pack_mb"] = round(
            sum(p.stat().st_size for p in (REPO / ".git/objects").rglob("*") if p.is_file()) / 2**20, 1
        )
        summary["plan"] = {
            "systems": plan.systems,
            "authors": [
                {k: getattr(a, k) for k in ("name", "email", "other_email", "via", "registered", "departed", "home")}
                for a in plan.authors
            ],
        }
        summary_file.write_text(json.dumps(summary, indent=2))
        print(f"generated {REPO.relative_to(ROOT)} in {summary['generate_s']} s", flush=True)
    else:
        git("update-ref", "refs/heads/main", BASE_TAG)
        git("reset", "-q", "--hard", "main")
        print(f"reusing {REPO.relative_to(ROOT)}", flush=True)
    return json.loads(summary_file.read_text())


def raw_git_log() -> dict:
    """Plain ``git log`` over the whole history into a pipe that is drained, for reference."""
    result = {}
    for label, extra in (("plain", []), ("-z", ["-z", "--format=%H%x00%aE%x00%aN%x00%aI%x00%B%x00"])):
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            ["git", "-C", str(REPO), "log", "--reverse", "--no-merges", "--name-status", "--find-renames", *extra],
            check=True,
            stdout=subprocess.PIPE,
        )
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result[label] = {
            "seconds": round(seconds, 2),
            "output_mb": round(len(done.stdout) / 2**20, 1),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        }
    return result


def add_commits(plan: dict, count: int = NEW_COMMITS) -> None:
    """Append ``count`` commits of the last hour to ``main`` with another fast-import: changes to
    one to three files, one new file, one rename, one deletion, two with a co-author."""
    rng = random.Random(SEED + 1)
    live = git("ls-tree", "-r", "--name-only", "main", text=True).stdout.split()
    authors = [a for a in plan["authors"] if not a["departed"]][:12]
    now = int(time.time())
    stream = []
    for n in range(count):
        author = authors[n % len(authors)]
        line = f"{author['name']} <{author['email']}> {now - (count - n) * 60} +0000"
        trailer = ""
        if n in (4, 11):
            peer = authors[(n + 1) % len(authors)]
            trailer = f"\n\nCo-authored-by: {peer['name']} <{peer['email']}>"
        if n == 0:
            path = "runbooks/incremental/new-runbook.md"
            ops = _inline(path, b"# a runbook added by the incremental benchmark\n")
        elif n == 1:
            path = live.pop(rng.randrange(len(live)))
            ops = f"R {path} {path}.renamed\n".encode()
        elif n == 2:
            ops = f"D {live.pop(rng.randrange(len(live)))}\n".encode()
        else:
            ops = b"".join(
                _inline(path, f"# changed by incremental commit {n}\n".encode())
                for path in rng.sample(live, rng.randint(1, 3))
            )
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"author {line}\ncommitter {line}\n".encode())
        stream.append(_data(f"Incremental change {n}{trailer}\n"))
        if n == 0:
            stream.append(b"from refs/heads/main^0\n")
        stream.append(ops + b"\n")
    stream.append(b"done\n")
    git("fast-import", "--quiet", "--done", input=b"".join(stream))


def make_org(plan: dict):
    """The app's side: a team owning the repository, its 60 systems (three skills each), the
    registered authors as people (the departed ones with a leaving date), an admin, the
    repository with three mappings for each of 50 systems (the runbooks exercise ``deploy``),
    the alias of the author known by alias only, and two lead assessments of level 3 in each
    mapped system's ``deploy`` (for the skill-based truck factor beside the file-based one)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from ops_skills.levels import store
    from ops_skills.people.models import Person, Team
    from ops_skills.repos.models import AuthorAlias, PathMapping, Repository
    from ops_skills.skills.models import Assessment, Skill, System

    today = timezone.localdate()
    password = make_password(None)
    team = Team.objects.create(name="Platform", slug="platform")
    systems = System.objects.bulk_create(
        System(team=team, name=name, slug=name, tier=1 + i % 3) for i, name in enumerate(plan["systems"])
    )
    skills = Skill.objects.bulk_create(
        Skill(system=system, name=name.capitalize(), slug=name)
        for system in systems
        for name in ("deploy", "rollback", "restore")
    )
    deploy = {skill.system_id: skill for skill in skills if skill.slug == "deploy"}
    admin = Person.objects.create(
        email="admin@acme.example", name="Bench Admin", role=Person.Role.ADMIN, is_staff=True, is_superuser=True
    )
    lead = None
    people = {}
    for i, author in enumerate(plan["authors"]):
        if not author["registered"]:
            continue
        person = Person.objects.create(
            email=author["email"],
            name=author["name"],
            team=team,
            role=Person.Role.LEAD if i == 0 else Person.Role.MEMBER,
            departed_on=today - timedelta(days=30 + i) if author["departed"] else None,
            is_active=not author["departed"],
            password=password,
        )
        people[author["email"]] = person
        lead = lead or person
        if author["via"] == "alias":
            AuthorAlias.objects.create(email=author["other_email"], person=person)
    repo = Repository.objects.create(
        team=team, name="infra", slug="infra", path=str(REPO), web_url="https://git.acme.example/platform/infra"
    )
    mapped = systems[:50]
    PathMapping.objects.bulk_create(
        PathMapping(
            repository=repo,
            pattern=f"{top}/{system.slug}/**",
            system=system,
            skill=deploy[system.pk] if top == "runbooks" else None,
        )
        for system in mapped
        for top in ("modules", "charts", "runbooks")
    )
    rng = random.Random(SEED + 2)
    active = [p for p in people.values() if p.is_active]
    Assessment.objects.bulk_create(
        Assessment(person=person, skill=deploy[system.pk], level=3, source="lead", author=lead, note="bench")
        for system in mapped
        for person in rng.sample(active, 2)
    )
    store.recompute_all()
    return repo, admin


class QueryCounter:
    """Counts the statements a block runs and the time spent executing them, without keeping
    their SQL (a bulk insert of thousands of rows would be kept whole by CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def timed(call) -> tuple[dict, object]:
    """Run ``call`` once: its time, statements and database time, the process's maximum RSS and
    the CPU time of git (children) during it."""
    from django.db import connection

    counter = QueryCounter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": round(seconds, 3),
        "queries": counter.count,
        "db_execute_s": round(counter.seconds, 3),
        "git_cpu_s": round(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, result


def repeated(call, runs: int) -> tuple[dict, object]:
    """Median and max of ``runs`` calls after a warm-up, with the queries of the last."""
    import statistics

    timed(call)
    times, result, last = [], None, {}
    for _ in range(runs):
        last, result = timed(call)
        times.append(last["seconds"])
    return {**last, "seconds": round(statistics.median(times), 3), "max_s": round(max(times), 3), "runs": runs}, result


def outcome(result) -> dict:
    import dataclasses

    return dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {"result": repr(result)[:300]}


def child(args) -> dict:
    """The measurements, in a process of their own (see the module docstring)."""
    import statistics
    import tracemalloc

    from bench import run

    run.configure(args.database_url)
    database = run.fresh_database(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from ops_skills.repos import gitlog, selectors
    from ops_skills.repos.ingest import read_repository
    from ops_skills.repos.models import Commit, FileChange, RepoFile, Repository
    from ops_skills.repos.suggestions import suggestions_refresh

    plan = json.loads((OUT / "git-bench.json").read_text())["plan"]
    repo, admin = make_org(plan)
    results: dict = {"database": run.database_info() | {"fresh": database}}

    def log_only():
        commits = changes = 0
        for commit in gitlog.read_log(str(REPO)):
            commits += 1
            changes += len(commit.changes)
        return {"commits": commits, "changes": changes}

    results["max_rss_before_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    step("read_log alone (parsing git log, no database)")
    results["log_only"], counted = timed(log_only)
    results["log_only"].update(counted)

    step("full read")
    results["full_read"], result = timed(lambda: read_repository(repo))
    results["full_read"]["result"] = outcome(result)
    results["stored"] = {
        "commits": Commit.objects.filter(repository=repo).count(),
        "files": RepoFile.objects.filter(repository=repo).count(),
        "live_files": RepoFile.objects.filter(repository=repo, deleted=False).count(),
        "file_changes": FileChange.objects.filter(file__repository=repo).count(),
    }
    step(f"stored {results['stored']}")

    step(f"{NEW_COMMITS} new commits, incremental read")
    add_commits(plan)
    repo.refresh_from_db()
    results["incremental_read"], result = timed(lambda: read_repository(repo))
    results["incremental_read"]["result"] = outcome(result)
    repo.refresh_from_db()
    results["nothing_new"], result = timed(lambda: read_repository(repo))
    results["nothing_new"]["result"] = outcome(result)

    step("repository_knowledge")
    results["knowledge"], knowledge = repeated(lambda: selectors.repository_knowledge(repo), args.runs)
    document = selectors.json(knowledge)
    results["knowledge"]["json"] = {
        "files": document["files"],
        "authors": len(document["authors"]),
        "truck_factor": document["truck_factor"],
        "truck_factor_authors": document["truck_factor_authors"],
        "systems": len(document["systems"]),
        "systems_by_truck_factor": dict(sorted(Counter(s["truck_factor"] for s in document["systems"]).items())),
    }

    step("suggestions_refresh")
    results["suggestions"], created = timed(lambda: suggestions_refresh(repo))
    results["suggestions"]["open"] = created

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(admin)
    for key, name, url_args in (("page", "repos:detail", [repo.slug]), ("list_page", "repos:list", [])):
        path = reverse(name, args=url_args)
        step(f"GET {path} as an admin")

        def get(path=path):
            response = client.get(path, HTTP_HOST="localhost", secure=True)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        results[key], size = repeated(get, args.runs)
        results[key].update(path=path, bytes=size)

    times = [results["full_read"]["seconds"]]
    for n in range(2, args.read_runs + 1):
        step(f"full read {n} of {args.read_runs}, into another repository on the same clone")
        again = Repository.objects.create(team=repo.team, name=f"infra {n}", slug=f"infra-{n}", path=str(REPO))
        times.append(timed(lambda again=again: read_repository(again))[0]["seconds"])
    results["full_read"].update(runs_s=times, median_s=statistics.median(times), min_s=min(times))
    if not args.no_trace:
        step("full read again, traced (tracemalloc), into a second repository on the same clone")
        traced = Repository.objects.create(team=repo.team, name="infra traced", slug="infra-traced", path=str(REPO))
        tracemalloc.start()
        results["traced_read"], _ = timed(lambda: read_repository(traced))
        results["traced_read"]["peak_traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    if args.profile or results["full_read"]["median_s"] > AIMS["full_read"][1]:
        step("full read again, profiled (cProfile), into a third repository on the same clone")
        profiled = Repository.objects.create(
            team=repo.team, name="infra profiled", slug="infra-profiled", path=str(REPO)
        )
        results["profile"] = run.profile(lambda: read_repository(profiled), OUT / f"git-read-{connection.vendor}.prof")
    results["database"] |= run.database_info()
    results["authors_in_history"] = Commit.objects.filter(repository=repo).aggregate(
        n=Count("author_email", distinct=True)
    )["n"]
    return results


def step(label: str) -> None:
    print(f"· {label}", file=sys.stderr, flush=True)


def table(results: dict) -> str:
    repo, db = results["repository"], results["measured"]["database"]
    m = results["measured"]
    lines = [
        f"issue 16 · git history · {db['vendor']} {db['version']} · {repo['commits']:,} commits, "
        f"{repo['files_live']:,} live files ({repo['files_created']:,} created, {repo['files_deleted']} deleted, "
        f"{repo['files_renamed']} renamed), {repo['authors']} authors, {repo['bot_commits']} bot commits",
        f"load average at the end {results['load_average']} on {os.cpu_count()} CPUs",
        "",
        f"{'measurement':<56} {'time':>9} {'queries':>8} {'aim':>6}  met",
    ]

    def row(label, figure, queries="", aim=None):
        met = "" if aim is None else ("yes" if figure["seconds"] <= aim else "NO")
        aim_text = "—" if aim is None else f"{aim:g} s"
        time_text = f"{figure['seconds']:.2f} s" if "max_s" not in figure else f"{figure['seconds']:.3f} s"
        lines.append(f"{label:<56} {time_text:>9} {queries!s:>8} {aim_text:>6}  {met}")

    lines.append(f"{'generation of the repository (when it was written)':<56} {repo['generate_s']:>7.1f} s")
    for label, raw in results["raw_git_log"].items():
        lines.append(f"{'git log --no-merges --name-status --find-renames ' + label:<56} {raw['seconds']:>7.2f} s")
    row("read_log alone (git log parsed, no database)", m["log_only"])
    full = m["full_read"]
    row(
        AIMS["full_read"][0] + f", median of {len(full['runs_s'])}",
        {"seconds": full["median_s"]},
        full["queries"],
        AIMS["full_read"][1],
    )
    row(
        AIMS["incremental_read"][0],
        m["incremental_read"],
        m["incremental_read"]["queries"],
        AIMS["incremental_read"][1],
    )
    row("re-read with nothing new", m["nothing_new"], m["nothing_new"]["queries"])
    row(
        f"repository_knowledge (50 systems), median of {m['knowledge']['runs']}",
        m["knowledge"],
        m["knowledge"]["queries"],
    )
    row(f"suggestions_refresh ({m['suggestions']['open']} open)", m["suggestions"], m["suggestions"]["queries"])
    for key, label in (("page", "repository page, as an admin"), ("list_page", "repositories list, as an admin")):
        row(f"{label}, median of {m[key]['runs']}", m[key], m[key]["queries"])
    lines += [
        "",
        f"full reads {full['runs_s']} s; the first: {full['db_execute_s']:.1f} s executing statements, "
        f"git {full['git_cpu_s']:.1f} s of CPU; "
        f"max RSS {m['max_rss_before_mb']:.0f} MB before it (Django, migrations), {full['max_rss_mb']:.0f} MB after"
        + (f"; tracemalloc peak {m['traced_read']['peak_traced_mb']:.0f} MB" if "traced_read" in m else ""),
        f"stored: {m['stored']}",
        f"knowledge: {m['knowledge']['json']}",
    ]
    if "profile" in m:
        lines.append(f"\nprofile of the full read ({m['profile']['file']}), by own time:\n{m['profile']['tottime']}")
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help=f"default: a fresh SQLite file, {DEFAULT_SQLITE.relative_to(ROOT)}")
    parser.add_argument("--fresh", action="store_true", help="generate the repository again even if it is there")
    parser.add_argument("--runs", type=int, default=3, help="timed calls of the knowledge and the pages (default 3)")
    parser.add_argument("--read-runs", type=int, default=3, help="full reads, each into a new repository (default 3)")
    parser.add_argument("--no-trace", action="store_true", help="leave out the traced read (tracemalloc's peak)")
    parser.add_argument("--profile", action="store_true", help="profile the full read even when under its aim")
    parser.add_argument("--generate-only", action="store_true", help="write the repository, time git log, stop")
    parser.add_argument(
        "--output", default=str(OUT / "git_knowledge.json"), help="default: bench/out/git_knowledge.json"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    return args


def main(args) -> dict:
    from bench import run

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = generate_repository(fresh=args.fresh)
    results = {"repository": {k: v for k, v in summary.items() if k != "plan"}, "raw_git_log": raw_git_log()}
    print(f"git log: {results['raw_git_log']}", flush=True)
    if args.generate_only:
        return results
    command = [sys.executable, str(Path(__file__)), "--child", "--database-url", args.database_url]
    command += (
        ["--runs", str(args.runs), "--read-runs", str(args.read_runs)]
        + ["--no-trace"] * args.no_trace
        + ["--profile"] * args.profile
    )
    done = subprocess.run(run.own_process(command), stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the measurements failed (exit {done.returncode})")
    results["measured"] = json.loads(done.stdout.strip().splitlines()[-1])
    results["load_average"] = [round(n, 1) for n in os.getloadavg()]  # the machine is shared: read figures with it
    results["total_s"] = round(time.perf_counter() - started, 1)
    return results


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        print(json.dumps(child(arguments)))
    elif arguments.generate_only:
        print(json.dumps(main(arguments), indent=2))
    else:
        found = main(arguments)
        output = Path(arguments.output)
        text = json.dumps(found, indent=2) + "\n"
        output.write_text(text)
        output.with_name(f"{output.stem}-{found['measured']['database']['vendor']}.json").write_text(text)
        print("\n" + table(found))
        print(f"\nresults written to {output}")
