"""A large, deterministic organisation for the benchmarks, written straight to the database.

``generate_org`` builds teams, people, systems, skills and assessments with ``bulk_create`` in
batches (no ``save()``, no password hashing per person), from a fixed seed: the same options give
the same organisation, dates being relative to today. One team, the *focus team*, is given a
chosen size (60 active people, 40 systems × 10 skills by default, 60% of its cells assessed, as a
team that filled its spreadsheet would have) so the filtered matrix page has a known shape.

``write_matrix_csv`` writes a spreadsheet for the import benchmark: its teams and systems are
created in the database first, its people and skills are new (the import creates them).

Django must be set up before these functions are called (``bench/run.py`` does it).
"""

from __future__ import annotations

import csv
import itertools
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System

SEED = 20240917
BATCH = 5000
EMAIL_DOMAIN = "bench.example"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"

# fmt: off
FIRST_NAMES = [
    "Aisha", "Alice", "Amir", "Ana", "Ben", "Carla", "Chen", "Dana", "Diego", "Elif", "Emma", "Fatima", "Finn",
    "Grace", "Hana", "Ines", "Ivan", "Jonas", "Julia", "Kai", "Kenji", "Lena", "Leo", "Lina", "Luca", "Maja", "Marco",
    "Maria", "Mei", "Nia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Ravi", "Sam", "Sara", "Tariq", "Tom", "Uma",
    "Vera", "Wei", "Yara", "Yusuf", "Zoe",
]
LAST_NAMES = [
    "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Khan", "Kowalski",
    "Lindqvist", "Moreau", "Nakamura", "Novak", "Okafor", "Patel", "Quinn", "Raman", "Rossi", "Schmidt", "Silva",
    "Tanaka", "Usman", "Varga", "Weber", "Wong", "Yilmaz", "Zhou",
]
TITLES = [
    "SRE", "Senior SRE", "Platform engineer", "Cloud engineer", "Network engineer", "DBA", "Backend engineer",
]
SYSTEM_WORDS = [
    "payments", "ledger", "billing", "search", "checkout", "catalog", "identity", "auth", "gateway", "cdn", "dns",
    "mail", "queue", "kafka", "postgres", "redis", "elastic", "metrics", "logging", "tracing", "alerting", "ci",
    "artifacts", "vault", "secrets", "terraform", "ecs", "k8s", "batch", "settlement", "reporting", "warehouse",
    "etl", "backup", "storage", "vpn", "firewall", "loadbalancer",
]
SYSTEM_KINDS = [
    "api", "web", "worker", "cluster", "db", "jobs", "proxy", "service",
]
# fmt: on
# Ten things one does for any system: the skills of every generated system.
SKILL_NAMES = [
    "Deploy a release",
    "Roll back a release",
    "Restore the database from a snapshot",
    "Rotate the TLS certificate",
    "Rotate the credentials",
    "Scale out for peak traffic",
    "Fail over to the standby region",
    "Upgrade to a new major version",
    "Debug high latency",
    "Triage a page at night",
]
SKILL_SLUGS = [
    "deploy",
    "rollback",
    "restore-from-snapshot",
    "rotate-tls-certificate",
    "rotate-credentials",
    "scale-out",
    "failover",
    "upgrade-major-version",
    "debug-latency",
    "night-triage",
]
SKILLS_PER_SYSTEM = len(SKILL_SLUGS)
LEVEL_WEIGHTS = [12, 25, 28, 23, 12]  # levels 0–4 in a cell of the spreadsheet / a first assessment


@dataclass
class OrgSize:
    teams: int = 20
    people: int = 2000
    systems: int = 500
    assessments: int = 200_000
    departed: float = 0.03  # share of people who have left
    own_team_share: float = 0.85  # share of a person's assessed skills that belong to their team
    focus_people: int = 60  # active people in the focus team
    focus_systems: int = 40  # systems of the focus team (10 skills each)
    focus_fill: float = 0.6  # share of the focus team's (person, skill) cells with assessments
    seed: int = SEED


@dataclass
class OrgSummary:
    teams: int
    people: int
    active_people: int
    departed_people: int
    leads: int
    systems: int
    skills: int
    assessments: int
    lead_assessments: int
    self_assessments: int
    pairs: int
    pairs_with_history: int
    focus_team: str
    focus_team_people: int
    focus_team_skills: int
    focus_team_assessments: int
    focus_lead: str
    admin: str

    def as_dict(self) -> dict:
        return asdict(self)


def _split(total: int, parts: int) -> list[int]:
    """``total`` shared as evenly as possible between ``parts``."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _bulk(model, objects, batch: int = BATCH) -> int:
    count = 0
    for chunk in itertools.batched(objects, batch):
        model.objects.bulk_create(chunk, batch_size=batch)
        count += len(chunk)
    return count


def generate_org(size: OrgSize | None = None, *, now: datetime | None = None) -> OrgSummary:
    """Create the organisation in one transaction and say what was made."""
    size = size or OrgSize()
    if size.teams < 2:
        raise ValueError("at least two teams: the focus team and the rest")
    if size.focus_people + 2 * (size.teams - 1) > size.people or size.focus_systems + size.teams - 1 > size.systems:
        raise ValueError("the focus team is too large for this organisation")
    rng = random.Random(size.seed)
    now = (now or timezone.now()).replace(microsecond=0)
    today = timezone.localdate(now)
    # One unusable password hash for everyone: nobody logs in with a password here (force_login).
    password = make_password(None)

    with transaction.atomic():
        teams = _create_teams(size)
        people = _create_people(size, teams, rng, today, password)
        systems = _create_systems(size, teams, rng)
        _bulk(
            Skill,
            (
                Skill(system_id=system_id, name=name, slug=slug, freshness_days=rng.choice((90, 180, 180, 365)))
                for system_id in systems
                for name, slug in zip(SKILL_NAMES, SKILL_SLUGS, strict=True)
            ),
        )
        counts = _create_assessments(size, rng, now, teams[0].pk)

    focus = teams[0]
    focus_lead = (
        Person.objects.filter(team=focus, role=Person.Role.LEAD, departed_on__isnull=True)
        .order_by("email")
        .values_list("email", flat=True)
        .first()
    )
    return OrgSummary(
        teams=len(teams),
        people=len(people),
        active_people=Person.objects.exclude(email=ADMIN_EMAIL).filter(departed_on__isnull=True).count(),
        departed_people=Person.objects.filter(departed_on__isnull=False).count(),
        leads=Person.objects.filter(role=Person.Role.LEAD).count(),
        systems=System.objects.count(),
        skills=Skill.objects.count(),
        focus_team=focus.slug,
        focus_team_people=Person.objects.active(today).filter(team=focus).count(),
        focus_team_skills=Skill.objects.filter(system__team=focus).count(),
        focus_team_assessments=Assessment.objects.filter(person__team=focus, skill__system__team=focus).count(),
        focus_lead=focus_lead,
        admin=ADMIN_EMAIL,
        **counts,
    )


def _create_teams(size: OrgSize) -> list[Team]:
    teams = [Team(name="Focus", slug="focus", description="The team the matrix benchmark filters on.")]
    teams += [
        Team(name=f"Team {i:02d}", slug=f"team-{i:02d}", description=f"Generated team {i}.")
        for i in range(1, size.teams)
    ]
    Team.objects.bulk_create(teams)
    by_slug = dict(Team.objects.values_list("slug", "id"))
    for team in teams:
        team.pk = by_slug[team.slug]
    return teams


def _create_people(size: OrgSize, teams: list[Team], rng: random.Random, today, password: str) -> list[int]:
    """The people, team by team: one or two leads each, ~3% departed (never a lead, nobody of the
    focus team beyond its chosen active size), and an admin on no team who runs the imports."""
    # The focus team gets its active people plus its share of the departed; the rest is shared out.
    focus_departed = round(size.focus_people * size.departed)
    others = _split(size.people - size.focus_people - focus_departed, len(teams) - 1)
    team_sizes = [size.focus_people + focus_departed, *others]
    departed_left = round(size.people * size.departed) - focus_departed
    rows = []
    serial = itertools.count(1)
    for team, team_size in zip(teams, team_sizes, strict=True):
        leads = 1 if team_size < 10 else rng.choice((1, 2))
        departing = focus_departed if team is teams[0] else None
        for i in range(team_size):
            n = next(serial)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            role = Person.Role.LEAD if i < leads else Person.Role.MEMBER
            if team is teams[0]:
                departed = i >= team_size - departing
            else:
                departed = role == Person.Role.MEMBER and departed_left > 0 and rng.random() < size.departed * 1.2
                departed_left -= departed
            started = today - timedelta(days=rng.randint(30, 3000))
            departed_on = today - timedelta(days=rng.randint(1, 365)) if departed else None
            rows.append(
                Person(
                    email=f"{first}.{last}.{n:05d}@{EMAIL_DOMAIN}".lower(),
                    name=f"{first} {last}",
                    team_id=team.pk,
                    role=role,
                    title="Team lead" if role == Person.Role.LEAD else rng.choice(TITLES),
                    started_on=min(started, departed_on - timedelta(days=1)) if departed_on else started,
                    departed_on=departed_on,
                    is_active=not departed,
                    password=password,
                )
            )
    rows.append(
        Person(
            email=ADMIN_EMAIL,
            name="Bench Admin",
            role=Person.Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            password=password,
        )
    )
    _bulk(Person, rows)
    return list(Person.objects.values_list("id", flat=True))


def _create_systems(size: OrgSize, teams: list[Team], rng: random.Random) -> list[int]:
    counts = [size.focus_systems, *_split(size.systems - size.focus_systems, len(teams) - 1)]
    names = [f"{word}-{kind}" for word in SYSTEM_WORDS for kind in SYSTEM_KINDS]
    rng.shuffle(names)
    rows = []
    serial = itertools.count(1)
    for team, count in zip(teams, counts, strict=True):
        for _ in range(count):
            n = next(serial)
            slug = f"{names[n % len(names)]}-{n:03d}"
            rows.append(
                System(
                    team_id=team.pk,
                    name=slug,
                    slug=slug,
                    tier=rng.choices((1, 2, 3), weights=(2, 5, 3))[0],
                    description=f"Generated system {n} of {team.name}.",
                )
            )
    _bulk(System, rows)
    return list(System.objects.order_by("id").values_list("id", flat=True))


def _create_assessments(size: OrgSize, rng: random.Random, now: datetime, focus_team_id: int) -> dict:
    """About ``size.assessments`` rows. The focus team filled its matrix: each of its people has
    assessments in ``focus_fill`` of the team's skills. Everyone else gets the same share of what
    is left, mostly in their own team's skills. Per (person, skill): a lead assessment only, a
    self assessment only, both, or a history of three to six alternating ones."""
    people = list(
        Person.objects.exclude(email=ADMIN_EMAIL)
        .order_by("id")
        .values_list("id", "team_id", "role", "departed_on", "started_on")
    )
    admin_id = Person.objects.get(email=ADMIN_EMAIL).pk
    skills_by_team: dict[int, list[int]] = {}
    all_skills = []
    for skill_id, team_id in Skill.objects.order_by("id").values_list("id", "system__team_id"):
        skills_by_team.setdefault(team_id, []).append(skill_id)
        all_skills.append(skill_id)
    leads_by_team: dict[int, list[int]] = {}
    for person_id, team_id, role, departed_on, _ in people:
        if role == Person.Role.LEAD and departed_on is None:
            leads_by_team.setdefault(team_id, []).append(person_id)
    focus = [p for p in people if p[1] == focus_team_id]
    others = [p for p in people if p[1] != focus_team_id]
    counts = {"assessments": 0, "lead_assessments": 0, "self_assessments": 0, "pairs": 0, "pairs_with_history": 0}

    def person_rows(person, *, quota: int | None = None, pairs: int | None = None):
        """The assessments of one person: ``quota`` rows, or every row of ``pairs`` own skills."""
        person_id, team_id, _role, departed_on, started_on = person
        leads = [lead for lead in leads_by_team.get(team_id, []) if lead != person_id] or [admin_id]
        own = skills_by_team.get(team_id, [])
        start = max(now - timedelta(days=730), _midnight(started_on))
        end = now - timedelta(hours=1) if departed_on is None else min(now, _midnight(departed_on))
        span = max(int((end - start).total_seconds()), 3600)
        chosen = iter(rng.sample(own, min(pairs, len(own)))) if pairs is not None else None
        seen: set[int] = set()
        made = 0
        while len(seen) < len(all_skills):
            if chosen is not None:
                skill_id = next(chosen, None)
                if skill_id is None:
                    return
            else:
                if made >= quota:
                    return
                pool = own if own and rng.random() < size.own_team_share and len(seen) < len(own) else all_skills
                skill_id = rng.choice(pool)
                if skill_id in seen:
                    continue
            seen.add(skill_id)
            history = _pair_history(rng)
            if quota is not None:
                history = history[: quota - made]
            counts["pairs"] += 1
            counts["pairs_with_history"] += len(history) > 2
            times = sorted(start + timedelta(seconds=int(rng.random() * span)) for _ in history)
            for (source, level), at in zip(history, times, strict=True):
                made += 1
                counts[f"{source}_assessments"] += 1
                yield Assessment(
                    person_id=person_id,
                    skill_id=skill_id,
                    level=level,
                    source=source,
                    author_id=person_id if source == "self" else rng.choice(leads),
                    assessed_at=at,
                    note="" if rng.random() < 0.9 else "generated",
                )

    def rows():
        focus_pairs = round(len(skills_by_team.get(focus_team_id, [])) * size.focus_fill)
        for person in focus:
            yield from person_rows(person, pairs=focus_pairs)
        left = size.assessments - counts["lead_assessments"] - counts["self_assessments"]
        for person, quota in zip(others, _split(max(0, left), len(others)), strict=True):
            yield from person_rows(person, quota=quota)

    counts["assessments"] = _bulk(Assessment, rows())
    return counts


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _pair_history(rng: random.Random) -> list[tuple[str, int]]:
    """The (source, level) assessments of one (person, skill), oldest first."""
    level = rng.choices(range(5), weights=LEVEL_WEIGHTS)[0]
    kind = rng.random()
    if kind < 0.35:
        return [("lead", level)]
    if kind < 0.60:
        return [("self", level)]
    if kind < 0.85:
        return [("self", level), ("lead", max(0, min(4, level + rng.choice((-1, 0, 0, 1)))))]
    # A history: people learn (mostly up), leads sometimes correct a self-claim down.
    history = []
    level = rng.choice((0, 1, 1, 2))
    for step in range(rng.randint(3, 6)):
        history.append(("self" if step % 2 == 0 else "lead", level))
        level = max(0, min(4, level + rng.choice((0, 1, 1, 1, -1))))
    return history


# The import spreadsheet -----------------------------------------------------------------------


@dataclass
class MatrixCsv:
    path: str
    people: int
    skills: int
    systems: int
    teams: int
    filled_cells: int
    bytes: int


def prepare_matrix_csv_org(*, skills: int = 1000, teams: int = 5, prefix: str = "import") -> list[tuple[str, str]]:
    """Create the teams and systems an import sheet names (an import creates people and skills,
    never teams or systems), unless they exist. Returns the (team slug, system slug) of each system."""
    systems = -(-skills // SKILLS_PER_SYSTEM)
    team_slugs = [f"{prefix}-team-{i}" for i in range(1, teams + 1)]
    system_slugs = [f"{prefix}-system-{i:04d}" for i in range(1, systems + 1)]
    with transaction.atomic():
        Team.objects.bulk_create(
            [Team(name=slug.replace("-", " ").title(), slug=slug) for slug in team_slugs], ignore_conflicts=True
        )
        team_ids = dict(Team.objects.filter(slug__in=team_slugs).values_list("slug", "id"))
        placed = [(team_slugs[i % teams], slug) for i, slug in enumerate(system_slugs)]
        System.objects.bulk_create(
            [System(team_id=team_ids[team], name=slug, slug=slug, tier=2) for team, slug in placed],
            ignore_conflicts=True,
        )
    return placed


def matrix_csv_rows(
    *, people: int = 500, skills: int = 1000, fill: float = 0.6, seed: int = SEED, prefix: str = "import"
) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a P × S sheet: new people spread over the prefix's teams, columns
    ``<system>/<skill>`` (ten per system), each cell a level 0–4 with probability ``fill``."""
    rng = random.Random(seed + 1)
    systems = -(-skills // SKILLS_PER_SYSTEM)
    teams = max(1, min(5, systems))
    columns = [
        f"{prefix}-system-{i // SKILLS_PER_SYSTEM + 1:04d}/{SKILL_SLUGS[i % SKILLS_PER_SYSTEM]}" for i in range(skills)
    ]
    header = ["email", "name", "team", *columns]
    rows = []
    for n in range(1, people + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        cells = [
            str(rng.choices(range(5), weights=LEVEL_WEIGHTS)[0]) if rng.random() < fill else "" for _ in range(skills)
        ]
        rows.append([f"{prefix}.{n:05d}@{EMAIL_DOMAIN}", f"{first} {last}", f"{prefix}-team-{n % teams + 1}", *cells])
    return header, rows


def changed_rows(rows: list[list[str]], *, share: float = 0.1, seed: int = SEED) -> list[list[str]]:
    """The same sheet with ``share`` of its filled level cells set to another level: a re-import."""
    rng = random.Random(seed + 2)
    changed = []
    for row in rows:
        cells = row[3:]
        for i, cell in enumerate(cells):
            if cell and rng.random() < share:
                cells[i] = str((int(cell) + rng.randint(1, 4)) % 5)
        changed.append([*row[:3], *cells])
    return changed


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path.stat().st_size


def write_matrix_csv(
    path: Path | str,
    *,
    people: int = 500,
    skills: int = 1000,
    fill: float = 0.6,
    seed: int = SEED,
    prefix: str = "import",
) -> MatrixCsv:
    """Write a P × S matrix sheet to ``path``, creating the teams and systems it names first."""
    path = Path(path)
    header, rows = matrix_csv_rows(people=people, skills=skills, fill=fill, seed=seed, prefix=prefix)
    teams = max(1, min(5, -(-skills // SKILLS_PER_SYSTEM)))
    placed = prepare_matrix_csv_org(skills=skills, teams=teams, prefix=prefix)
    size = write_csv(path, header, rows)
    filled = sum(1 for row in rows for cell in row[3:] if cell)
    return MatrixCsv(str(path), people, skills, len(placed), teams, filled, size)
