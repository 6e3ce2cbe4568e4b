"""The demo's git repository, added by ``manage.py seed_demo`` after everything else, so that the
repository pages and the git suggestions have something to show.

``infrastructure`` is the Platform team's Terraform modules, Helm values, alert rules and
runbooks, three years of history written with the real ``git`` (one ``git fast-import``, so it
takes a fraction of a second) and read as any registered clone is, by ``ingest.read_repository``.
The history shows what the knowledge pages deal with: Tom built the network and left two months
ago; Marco committed his first months from his laptop's address (``.mailmap`` maps it) and Jonas
edits on GitHub under his noreply address (an author alias maps it, and keeps it from looking
like a bot); dependabot bumps versions (a bot, left out); pairing shows as ``Co-authored-by:``;
the runbooks were moved into a folder per system (renames); the launch configuration was
deleted; the self-hosted runners came in through a merged branch. In the last 90 days Jonas took
over network changes, Marco wrote the database migration pipeline and Aisha the alert rules, none
of them with a level there: Priya, their lead, finds three open suggestions.

Every date is fixed relative to the demo's ``today`` and every author is fixed, so the same day
gives the same repository. A second run replaces the clone and the repository's rows (its
history, mappings and suggestions): the history moves with ``today`` as the rest of the demo does.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.repos import ingest, suggestions
from ops_skills.repos.models import AuthorAlias, GitHubAccount, PathMapping, Repository
from ops_skills.skills.models import Skill, System

SLUG = "infrastructure"
DESCRIPTION = "ops-skills demo repository, rebuilt by manage.py seed_demo"  # .git/description: ours to replace

# Who committed, under which name and address.
AUTHORS = {
    "priya": ("Priya Raman", "priya@example.com"),
    "marco": ("Marco Bianchi", "marco@example.com"),
    "marco-laptop": ("marco", "marco@mbp-marco.local"),  # his first months; .mailmap maps it
    "jonas": ("Jonas Weber", "jonas@example.com"),
    "jonas-web": ("Jonas Weber", "4187233+jonasweber@users.noreply.github.com"),  # GitHub's web editor
    "aisha": ("Aisha Khan", "aisha@example.com"),
    "ravi": ("Ravi Patel", "ravi@example.com"),
    "tom": ("Tom Hughes", "tom@example.com"),
    "dependabot": ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
}
MAILMAP = "Marco Bianchi <marco@example.com> <marco@mbp-marco.local>\n"
ALIAS = ("4187233+jonasweber@users.noreply.github.com", "jonas@example.com")
# GitHub logins, for the pull-request webhook: login -> email
GITHUB_LOGINS = {"priya-raman": "priya@example.com", "mbianchi": "marco@example.com", "jonasweber": "jonas@example.com"}

# The files of each part of the repository, in the order they were added.
AREAS = {
    "base": ["README.md", "Makefile", "environments/production/main.tf", "environments/staging/main.tf"],
    "network": [
        "modules/network/main.tf",
        "modules/network/variables.tf",
        "modules/network/outputs.tf",
        "modules/network/versions.tf",
        "modules/network/vpn.tf",
        "modules/network/transit_gateway.tf",
        "modules/network/peering.tf",
        "modules/network/flow_logs.tf",
        "runbooks/network-rotate-vpn-psk.md",
    ],
    "cdn": [
        "modules/cdn/cloudfront.tf",
        "modules/cdn/variables.tf",
        "modules/cdn/versions.tf",
        "modules/cdn/waf.tf",
        "modules/cdn/certificates.tf",
    ],
    "ecs": [
        "modules/ecs-cluster/main.tf",
        "modules/ecs-cluster/variables.tf",
        "modules/ecs-cluster/outputs.tf",
        "modules/ecs-cluster/versions.tf",
        "modules/ecs-cluster/launch_configuration.tf",
        "modules/ecs-cluster/capacity_providers.tf",
        "modules/ecs-cluster/iam.tf",
        "modules/ecs-cluster/launch_template.tf",
        "runbooks/ecs-drain-node.md",
        "runbooks/ecs-upgrade-ami.md",
    ],
    "rds": [
        "modules/rds/main.tf",
        "modules/rds/variables.tf",
        "modules/rds/outputs.tf",
        "modules/rds/versions.tf",
        "modules/rds/parameters.tf",
        "modules/rds/replicas.tf",
        "modules/rds/snapshots.tf",
    ],
    "pg-runbooks": [
        "runbooks/postgres-restore.md",
        "runbooks/postgres-pitr.md",
        "runbooks/postgres-failover.md",
        "runbooks/postgres-major-upgrade.md",
    ],
    "vault": [
        "vault/config/vault.hcl",
        "vault/policies/payments-api.hcl",
        "vault/policies/batch-jobs.hcl",
        "vault/policies/ci.hcl",
        "vault/engines/database.tf",
        "vault/engines/pki.tf",
        "charts/vault/values.yaml",
        "runbooks/vault-unseal.md",
    ],
    "monitoring": [
        "charts/prometheus/Chart.yaml",
        "charts/prometheus/values.yaml",
        "charts/alertmanager/values.yaml",
        "monitoring/dashboards/ecs.jsonnet",
        "monitoring/dashboards/postgres.jsonnet",
        "monitoring/recording-rules.yml",
    ],
    "alerts": [
        "monitoring/alerts/ecs.yml",
        "monitoring/alerts/postgres.yml",
        "monitoring/alerts/vault.yml",
        "monitoring/alerts/network.yml",
        "monitoring/alerts/ci.yml",
    ],
    "ci": [
        ".github/workflows/terraform-plan.yml",
        ".github/workflows/terraform-apply.yml",
        ".github/workflows/helm-lint.yml",
        ".github/dependabot.yml",
    ],
    "runners": ["ci/runners/main.tf", "ci/runners/variables.tf", "ci/runners/user-data.sh"],
    "db-pipeline": [".github/workflows/db-migrations.yml", "ci/scripts/migrate.sh"],
}

AREA_OF = {name: area for area, names in AREAS.items() for name in names}

SUBJECTS = {
    "base": ["Document how to plan an environment", "Pin Terraform to 1.7", "Add a make target for fmt"],
    "network": [
        "Add the site-to-site VPN to the Lyon office",
        "Widen the private subnets of eu-west-1b",
        "Route the transit gateway to the payments VPC",
        "Peer the CI VPC with the shared services VPC",
        "Tag the NAT gateways with their cost centre",
        "Rotate the VPN pre-shared keys",
        "Tighten the default security group",
        "Send the VPC flow logs to S3",
        "Import the drifted route table",
    ],
    "cdn": [
        "Block the scanner user agents in the WAF",
        "Rate-limit the login path",
        "Renew the dashboard certificate",
        "Add the status page distribution",
        "Cache the static assets for a week",
    ],
    "ecs": [
        "Drain nodes before the ASG replaces them",
        "Move the cluster to Graviton instances",
        "Give the task role read access to the config bucket",
        "Raise the capacity provider's target to 90%",
        "Upgrade the ECS-optimised AMI",
        "Split the instance role from the task role",
        "Scale in more slowly at night",
    ],
    "rds": [
        "Add a second read replica",
        "Turn on performance insights",
        "Raise max_connections for the batch window",
        "Keep automated snapshots for 14 days",
        "Log slow queries over 500 ms",
        "Resize the primary to db.r6g.2xlarge",
        "Enable IAM authentication",
    ],
    "pg-runbooks": [
        "Add the row-count checks to the restore runbook",
        "Explain how to pick the recovery target time",
        "Note the DNS TTL in the failover runbook",
        "Write down the extension upgrades for PostgreSQL 16",
    ],
    "vault": [
        "Let payments-api read its PSP keys",
        "Move the storage backend to Raft",
        "Issue internal certificates from the PKI engine",
        "Rotate the database engine's root credentials",
        "Shorten the batch-jobs token TTL",
        "Document the unseal key holders",
    ],
    "monitoring": [
        "Keep metrics for 30 days",
        "Add the ECS capacity dashboard",
        "Route database alerts to the platform pager",
        "Record the p99 latency per service",
        "Upgrade Prometheus to 2.53",
    ],
    "alerts": [
        "Alert when a disk will fill within four hours",
        "Page on replica lag over five minutes",
        "Warn before the Vault certificate expires",
        "Alert on a VPN tunnel going down",
        "Alert when the runner queue backs up",
        "Lower the ECS task restart threshold",
    ],
    "ci": [
        "Plan every pull request against staging",
        "Require an approval before apply",
        "Cache the provider plugins",
        "Lint the Helm charts",
        "Run tflint on the modules",
    ],
    "runners": ["Autoscale the runners on queue depth", "Use spot instances for the runners"],
    "db-pipeline": [
        "Run the migrations in a one-off ECS task",
        "Take a snapshot before every migration",
        "Fail the pipeline on a long-running lock",
        "Post the migration plan to the pull request",
        "Retry the migration once on a lost connection",
        "Check the replica lag after migrating",
    ],
}


@dataclass(frozen=True)
class Stream:
    """Someone's work on some areas: ``commits`` commits spread from ``first`` to ``last`` days ago,
    each changing one or two of the areas' files. The ``creates`` stream adds its areas' files."""

    author: str
    areas: tuple[str, ...]
    first: int
    last: int
    commits: int
    creates: bool = False
    coauthor: str = ""


STREAMS = [
    Stream("priya", ("base",), 1098, 40, 6, creates=True),
    Stream("tom", ("network",), 1095, 62, 38, creates=True),
    Stream("tom", ("cdn",), 1010, 75, 12, creates=True),
    Stream("priya", ("ecs",), 1080, 8, 30, creates=True),
    Stream("marco-laptop", ("rds",), 1075, 905, 10, creates=True),
    Stream("marco", ("rds",), 900, 3, 24),
    Stream("marco-laptop", ("pg-runbooks",), 1000, 910, 4, creates=True),
    Stream("marco", ("pg-runbooks",), 890, 20, 8),
    Stream("marco", ("vault",), 1050, 15, 16, creates=True),
    Stream("priya", ("monitoring", "alerts"), 990, 520, 7, creates=True),
    Stream("jonas", ("ci",), 690, 4, 20, creates=True),
    Stream("jonas-web", ("ci", "alerts"), 600, 30, 5),
    Stream("jonas", ("monitoring", "alerts"), 680, 3, 20),
    Stream("jonas", ("ecs",), 600, 30, 14),
    Stream("jonas", ("runners",), 290, 10, 4),
    Stream("aisha", ("cdn",), 400, 10, 10),
    Stream("aisha", ("network",), 380, 70, 14),
    Stream("aisha", ("rds",), 300, 110, 3, coauthor="marco"),
    # The last 90 days: work on systems where these people have no level yet.
    Stream("jonas", ("network",), 85, 2, 7),
    Stream("marco", ("db-pipeline",), 80, 2, 6, creates=True),
    Stream("aisha", ("alerts",), 88, 1, 6),
]
# Dependabot bumps the provider versions and the actions.
BOT_FILES = ("versions.tf", "workflows/terraform-plan.yml")
BOT_COMMITS = (720, 2, 12)  # first, last days ago, commits

RENAME_DAY = 520  # the runbooks move into a folder per system
RENAMES = {
    "runbooks/postgres-restore.md": "runbooks/postgres-main/restore-from-snapshot.md",
    "runbooks/postgres-pitr.md": "runbooks/postgres-main/point-in-time-recovery.md",
    "runbooks/postgres-failover.md": "runbooks/postgres-main/failover.md",
    "runbooks/postgres-major-upgrade.md": "runbooks/postgres-main/major-upgrade.md",
    "runbooks/ecs-drain-node.md": "runbooks/ecs-cluster/drain-node.md",
    "runbooks/ecs-upgrade-ami.md": "runbooks/ecs-cluster/upgrade-ami.md",
    "runbooks/vault-unseal.md": "runbooks/secrets-vault/unseal.md",
    "runbooks/network-rotate-vpn-psk.md": "runbooks/terraform-network/rotate-vpn-psk.md",
}
LAUNCH_TEMPLATE_DAY = 410  # the launch configuration is deleted, a launch template added
RUNNERS_BRANCH = "ci/self-hosted-runners"
RUNNERS_DAYS = (306, 303, 301)  # Jonas's commits on the branch, one file each
RUNNERS_SUBJECTS = ["Add self-hosted runners", "Size the runners per queue", "Register the runners at boot"]
ADDED_BY_EVENTS = {"modules/ecs-cluster/launch_template.tf", *AREAS["runners"]}
MERGE_DAY = 299  # Priya merges it

# pattern, system slug, skill slug ("" for the whole system)
MAPPINGS = [
    ("modules/**", "terraform-modules", ""),
    ("modules/network/**", "terraform-network", ""),
    ("runbooks/terraform-network/**", "terraform-network", ""),
    ("runbooks/terraform-network/rotate-vpn-psk.md", "terraform-network", "rotate-the-vpn-pre-shared-keys"),
    ("modules/rds/**", "postgres-main", ""),
    ("runbooks/postgres-main/**", "postgres-main", ""),
    ("runbooks/postgres-main/restore-from-snapshot.md", "postgres-main", "restore-database-from-snapshot"),
    ("runbooks/postgres-main/point-in-time-recovery.md", "postgres-main", "point-in-time-recovery"),
    ("modules/ecs-cluster/**", "ecs-cluster", ""),
    ("runbooks/ecs-cluster/**", "ecs-cluster", ""),
    ("modules/cdn/**", "edge-cdn", ""),
    ("modules/cdn/waf.tf", "edge-cdn", "change-a-waf-rule"),
    ("vault/**", "secrets-vault", ""),
    ("charts/vault/**", "secrets-vault", ""),
    ("runbooks/secrets-vault/**", "secrets-vault", ""),
    ("vault/engines/**", "secrets-vault", "add-a-secrets-engine"),
    ("charts/prometheus/**", "monitoring", ""),
    ("charts/alertmanager/**", "monitoring", ""),
    ("monitoring/**", "monitoring", ""),
    ("monitoring/alerts/**", "monitoring", "add-an-alert"),
    (".github/workflows/**", "ci-pipelines", ""),
    ("ci/**", "ci-pipelines", ""),
]


def seed(*, today: date, root: Path) -> dict[str, int]:
    """Build the demo clone under ``root``, register it for the Platform team with its mappings
    (and Jonas's alias and some GitHub logins, unless there), read it and refresh its suggestions;
    return counts of what was created. Nothing without the Platform team or the ``git`` program."""
    counts = {"git repositories": 0, "commits": 0, "git suggestions": 0}
    team = Team.objects.filter(slug="platform").first()
    if team is None or shutil.which("git") is None:
        return counts
    path = Path(root) / SLUG
    build(path, today)
    with transaction.atomic():
        Repository.objects.filter(Q(slug=SLUG) | Q(name=SLUG)).delete()
        repo = Repository.objects.create(
            team=team, name=SLUG, slug=SLUG, path=str(path), created_at=_at(today - timedelta(days=30), 11)
        )
        systems = {s.slug: s for s in System.objects.filter(slug__in={m[1] for m in MAPPINGS})}
        skills = {(s.system.slug, s.slug): s for s in Skill.objects.filter(system__in=systems.values())}
        PathMapping.objects.bulk_create(
            PathMapping(repository=repo, pattern=pattern, system=systems[system], skill=skills.get((system, skill)))
            for pattern, system, skill in MAPPINGS
            if system in systems and (not skill or (system, skill) in skills)
        )
        people = {p.email: p for p in Person.objects.filter(email__in={ALIAS[1], *GITHUB_LOGINS.values()})}
        if ALIAS[1] in people:
            AuthorAlias.objects.get_or_create(email=ALIAS[0], defaults={"person": people[ALIAS[1]]})
        for login, email in GITHUB_LOGINS.items():
            if email in people:
                GitHubAccount.objects.get_or_create(login=login, defaults={"person": people[email]})
        result = ingest.read_repository(repo)
        counts["git repositories"] = 1
        counts["commits"] = result.commits
        counts["git suggestions"] = suggestions.suggestions_refresh(repo)
    return counts


@dataclass
class _Commit:
    when: datetime
    author: str
    subject: str
    files: dict[str, str | None]  # path -> its new content, or None when deleted
    renames: dict[str, str] = field(default_factory=dict)  # old path -> new path
    coauthor: str = ""
    branch: str = "main"
    merge: str = ""  # the branch a merge commit brings in


def build(path: Path, today: date) -> None:
    """Write the demo repository at ``path`` (replacing the demo repository already there) with
    one ``git fast-import`` of the history ``history(today)`` plans, and check it out."""
    path = Path(path)
    if path.exists() and _description(path) != DESCRIPTION:
        raise FileExistsError(f"{path} exists and is not the demo repository: move it away or set DEMO_REPOS_DIR.")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the old one and swapped in, so a failed build leaves the old one as it was.
    fresh = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        _git(fresh, "init", "--quiet", "--initial-branch=main")
        (fresh / ".git" / "description").write_text(DESCRIPTION + "\n")
        _git(fresh, "fast-import", "--quiet", "--done", stdin=_fast_import(history(today)))
        _git(fresh, "branch", "--quiet", "--delete", RUNNERS_BRANCH)  # merged, as its pull request left it
        _git(fresh, "reset", "--quiet", "--hard")
        if path.exists():
            shutil.rmtree(path)
        fresh.rename(path)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _description(path: Path) -> str:
    try:
        return (path / ".git" / "description").read_text().strip()
    except OSError:
        return ""


class _State:
    """The repository as the history goes: main's files (path -> lines), the files changed on the
    runners' branch, where each moved file went, and every path main ever had."""

    def __init__(self):
        self.tree: dict[str, list[str]] = {}
        self.branch: dict[str, list[str]] = {}
        self.moved: dict[str, str] = {}
        self.seen: set[str] = set()

    def apply(self, commit: _Commit) -> None:
        if commit.branch != "main":
            self.branch.update((name, content.splitlines()) for name, content in commit.files.items())
            return
        for old, new in commit.renames.items():
            self.tree[new] = self.tree.pop(old)
            self.moved[old] = new
        for name, content in commit.files.items():
            if content is None:
                del self.tree[name]
            else:
                self.tree[name] = content.splitlines()
        self.seen.update(self.tree)


def history(today: date) -> list[_Commit]:
    """The commits of the demo repository, oldest first: every stream's, dependabot's, and the
    events (the .mailmap, the runbooks' move, the launch template, the runners' branch and its
    merge, Ravi's first commits), each file's content growing a line per change."""
    rng = random.Random(20261201)
    planned: list[tuple[int, int, str, Stream | None]] = []  # (days ago, order, kind, stream)
    for n, stream in enumerate(STREAMS):
        for i, days in enumerate(_spread(rng, stream.first, stream.last, stream.commits)):
            planned.append((days, n * 100 + i, "stream", stream))
    for i, days in enumerate(_spread(rng, *BOT_COMMITS)):
        planned.append((days, 10_000 + i, "bot", None))
    events = [(850, "mailmap"), (RENAME_DAY, "rename"), (LAUNCH_TEMPLATE_DAY, "launch-template")]
    events += [(d, "runners") for d in RUNNERS_DAYS] + [(MERGE_DAY, "merge"), (6, "ravi-pair"), (3, "ravi")]
    planned += [(days, 20_000 + i, kind, None) for i, (days, kind) in enumerate(events)]
    planned.sort(key=lambda p: (-p[0], p[1]))

    state = _State()
    commits: list[_Commit] = []
    for days, _, kind, stream in planned:
        when = _at(today - timedelta(days=days), 9 + rng.randrange(9), rng.randrange(60))
        if commits and when <= commits[-1].when:  # a busy day: later in it
            when = commits[-1].when + timedelta(minutes=7)
        if kind == "stream":
            commit = _stream_commit(rng, stream, state, when)
        elif kind == "bot":
            commit = _bot_commit(rng, state, when)
        else:
            commit = _event(kind, state, when)
        if commit is not None:
            state.apply(commit)
            commits.append(commit)
    return commits


def _spread(rng: random.Random, first: int, last: int, count: int) -> list[int]:
    """``count`` days from ``first`` to ``last`` days ago, evenly spread with a little jitter."""
    step = (first - last) / max(count - 1, 1)
    return [min(first, max(last, round(first - i * step) + rng.randint(-2, 2))) for i in range(count)]


def _stream_commit(rng: random.Random, stream: Stream, state: _State, when: datetime) -> _Commit | None:
    """A commit of ``stream``: the creating stream adds its areas' files (half of them at first,
    then one a commit until all are there); otherwise one or two files of one of its areas change."""
    if stream.creates:
        files = [f for area in stream.areas for f in AREAS[area]]
        missing = [f for f in files if f not in state.seen and f not in ADDED_BY_EVENTS]
        if missing:
            names = missing[: max(1, len(missing) // 2)] if not state.seen.intersection(files) else missing[:1]
            subject = rng.choice(SUBJECTS[AREA_OF[names[0]]])
            return _Commit(when, stream.author, subject, {n: _grow(None, n, subject) for n in names})
    area = rng.choice(stream.areas)
    existing = [f for f in (state.moved.get(f, f) for f in AREAS[area]) if f in state.tree]
    if not existing:
        return None
    subject = rng.choice(SUBJECTS[area])
    names = rng.sample(existing, min(len(existing), rng.choice([1, 1, 2])))
    files = {n: _grow(state.tree[n], n, subject) for n in names}
    return _Commit(when, stream.author, subject, files, coauthor=stream.coauthor)


def _bot_commit(rng: random.Random, state: _State, when: datetime) -> _Commit | None:
    targets = sorted(f for f in state.tree if f.endswith(BOT_FILES))
    if not targets:
        return None
    name = rng.choice(targets)
    version = f"{rng.randint(4, 5)}.{rng.randint(0, 80)}.{rng.randint(0, 9)}"
    what = "hashicorp/aws" if name.endswith(".tf") else "hashicorp/setup-terraform"
    subject = f"Bump {what} to {version}"
    return _Commit(when, "dependabot", subject, {name: _grow(state.tree[name], name, subject)})


def _event(kind: str, state: _State, when: datetime) -> _Commit:
    """The commits the streams do not make."""
    if kind == "mailmap":
        return _Commit(when, "priya", "Map Marco's laptop address to his own", {".mailmap": MAILMAP})
    if kind == "rename":
        renames = {old: new for old, new in RENAMES.items() if old in state.tree}
        return _Commit(when, "priya", "Move the runbooks into a folder per system", {}, renames=renames)
    if kind == "launch-template":
        old, new = "modules/ecs-cluster/launch_configuration.tf", "modules/ecs-cluster/launch_template.tf"
        subject = "Replace the launch configuration with a launch template"
        return _Commit(when, "priya", subject, {old: None, new: _grow(None, new, subject)})
    if kind == "runners":
        done = len(state.branch)
        name, subject = AREAS["runners"][done], RUNNERS_SUBJECTS[done]
        return _Commit(when, "jonas", subject, {name: _grow(None, name, subject)}, branch=RUNNERS_BRANCH)
    if kind == "merge":
        files = {name: "\n".join(lines) + "\n" for name, lines in state.branch.items()}
        subject = f"Merge pull request #212 from acme/{RUNNERS_BRANCH}"
        return _Commit(when, "priya", subject, files, merge=RUNNERS_BRANCH)
    name = state.moved["runbooks/ecs-drain-node.md"]
    if kind == "ravi-pair":
        subject = "Drain the node before terminating it"
        return _Commit(when, "priya", subject, {name: _grow(state.tree[name], name, subject)}, coauthor="ravi")
    subject = "Fix the drain command's cluster flag"
    return _Commit(when, "ravi", subject, {name: _grow(state.tree[name], name, subject)})


def _grow(lines: list[str] | None, name: str, subject: str) -> str:
    """A file's content after a change: a header when it is new, then a line per change."""
    return "\n".join([*(lines or _header(name)), _comment(name, subject)]) + "\n"


def _header(name: str) -> list[str]:
    if name.endswith(".md"):
        title = Path(name).stem.replace("-", " ").capitalize()
        return [f"# {title}", "", "Purpose, preconditions, steps, verification and rollback below.", ""]
    if name.endswith(".sh"):
        return ["#!/bin/sh", "set -eu"]
    return [_comment(name, f"{name}: part of the platform team's infrastructure")]


def _comment(name: str, text: str) -> str:
    if name.endswith(".md"):
        return f"- {text}"
    if name.endswith(".jsonnet"):
        return f"// {text}"
    return f"# {text}"


def _fast_import(commits: list[_Commit]) -> bytes:
    """The ``git fast-import`` stream of ``commits``: one mark each, the branch's previous commit
    as parent (a branch starts at main's), a merge's second parent its branch's last commit."""
    out = bytearray()
    tips: dict[str, int] = {}
    for mark, commit in enumerate(commits, start=1):
        ref = commit.branch
        name, email = AUTHORS[commit.author]
        stamp = f"{int(commit.when.timestamp())} +0000"
        message = commit.subject + "\n"
        if commit.coauthor:
            co_name, co_email = AUTHORS[commit.coauthor]
            message += f"\nCo-authored-by: {co_name} <{co_email}>\n"
        out += f"commit refs/heads/{ref}\nmark :{mark}\n".encode()
        out += f"author {name} <{email}> {stamp}\ncommitter {name} <{email}> {stamp}\n".encode()
        out += _data(message)
        parent = tips.get(ref, tips.get("main"))
        if parent is not None:
            out += f"from :{parent}\n".encode()
        if commit.merge:
            out += f"merge :{tips[commit.merge]}\n".encode()
        for old, new in commit.renames.items():
            out += f"R {old} {new}\n".encode()
        for path, content in commit.files.items():
            out += f"D {path}\n".encode() if content is None else f"M 100644 inline {path}\n".encode() + _data(content)
        tips[ref] = mark
    return bytes(out + b"done\n")


def _data(text: str) -> bytes:
    raw = text.encode()
    return f"data {len(raw)}\n".encode() + raw + b"\n"


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> None:
    """Run git in ``cwd`` without the user's or the system's configuration, so that the demo is the
    same on every machine."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, check=False)  # noqa: S603, S607
    if done.returncode:
        raise RuntimeError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
