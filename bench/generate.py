"""A large, deterministic organisation for the benchmarks, written straight to the database.

``generate_org`` builds teams, people, systems, skills and assessments with ``bulk_create`` in
batches (no ``save()``, no password hashing per person), from a fixed seed: the same options give
the same organisation, dates being relative to today. One team, the *focus team*, is given a
chosen size (60 active people, 40 systems × 10 skills by default, 60% of its cells assessed, as a
team that filled its spreadsheet would have) so the filtered matrix page has a known shape.

Unless ``OrgSize.evidence`` is 0, the organisation also gets runbooks (one to five a system, each
exercising one to four of its skills) and ``evidence`` records: runbook executions and pairing
sessions over the last two years, mostly confirmed, done mostly by each system's own team (see
``_Evidence``). On PostgreSQL the assessments and the evidence are written with ``COPY`` (psycopg's
``cursor.copy``), about twice as fast as ``bulk_create`` there; ``OrgSize(copy=False)`` turns it off.

``write_matrix_csv`` writes a spreadsheet for the import benchmark: its teams and systems are
created in the database first, its people and skills are new (the import creates them).

Django must be set up before these functions are called (``bench/run.py`` does it).
"""

from __future__ import annotations

import csv
import itertools
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution, RunbookRevision, content_hash
from ops_skills.levels import store
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
    evidence: int = 200_000  # runbook executions + pairing sessions (0: no runbooks, no evidence)
    execution_share: float = 0.6  # share of the evidence that is runbook executions
    copy: bool = True  # on PostgreSQL, write the big tables with COPY instead of bulk_create
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
    runbooks: int = 0
    runbook_skills: int = 0
    evidence: int = 0  # executions + sessions
    executions: int = 0
    production_executions: int = 0
    execution_participants: int = 0
    sessions: int = 0
    session_learners: int = 0
    session_skills: int = 0
    confirmed: int = 0
    pending: int = 0
    disputed: int = 0
    written_with: str = "bulk_create"
    current_levels: int = 0  # stored by ``store.recompute_all`` once everything is written
    current_levels_seconds: float = 0.0
    analyze_seconds: float = 0.0  # ANALYZE before the recompute and after the commit

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
    writer = _RowWriter(size.copy)

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
        counts = _create_assessments(size, rng, now, teams[0].pk, writer)
        if size.evidence > 0:
            # An rng of its own: the organisation above stays the same with or without evidence.
            counts |= _Evidence(size, random.Random(size.seed + 3), now, writer).create()
        started = time.perf_counter()
        _analyze()  # the recompute below reads what was just written
        analyzed = time.perf_counter() - started
        # Everything above was written around the app's services: store the levels once.
        started = time.perf_counter()
        counts["current_levels"] = store.recompute_all().added
        counts["current_levels_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    _analyze(vacuum=True)  # and the stored levels too, outside the transaction
    counts["analyze_seconds"] = round(analyzed + time.perf_counter() - started, 2)

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
        written_with="COPY" if writer.copy else "bulk_create",
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


def _create_assessments(
    size: OrgSize, rng: random.Random, now: datetime, focus_team_id: int, writer: _RowWriter
) -> dict:
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

    counts["assessments"] = writer.write_objects(Assessment, rows())
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


# Runbooks and evidence ---------------------------------------------------------------------------

RUNBOOKS_PER_SYSTEM = {1: 15, 2: 30, 3: 30, 4: 15, 5: 10}  # how many runbooks a system has: weights
RUNBOOK_SKILLS = {1: 25, 2: 35, 3: 25, 4: 15}  # how many of its system's skills a runbook exercises
CREW_SIZES = {1: 10, 2: 25, 3: 30, 4: 20, 5: 10, 6: 5}  # the people who usually run a system: weights
EXECUTION_PARTICIPANTS = {0: 25, 1: 45, 2: 20, 3: 10}  # besides the performer
SESSION_LEARNERS = {1: 70, 2: 30}
SESSION_SKILLS = {1: 50, 2: 35, 3: 15}
DISPUTE_REASONS = [
    "I was not there that day.",
    "This was the staging run, not production.",
    "I only watched; I did not drive.",
    "Wrong runbook: we used the old one.",
]
NOTES = [
    "Went as written.",
    "Step 4 needed a retry; the runbook now says so.",
    "Took longer than planned because of a slow snapshot.",
    "Paired over a call, shared screen.",
    "Found a missing precondition, added it to the runbook.",
]


def _weighted(table: dict[int, int]) -> tuple[list[int], list[int]]:
    values = list(table)
    return values, list(itertools.accumulate(table.values()))


class _RowWriter:
    """Writes plain rows (tuples in ``columns`` order) to a model's table: with ``bulk_create`` in
    batches, or with ``COPY … FROM STDIN`` (psycopg's ``cursor.copy``) on PostgreSQL when asked.
    COPY skips the ORM: no model instances, no SQL to compile, rows streamed in one statement."""

    def __init__(self, copy: bool):
        self.copy = copy and connection.vendor == "postgresql"

    def write(self, model, columns: list[str], rows) -> int:
        if not self.copy:
            return _bulk(model, (model(**dict(zip(columns, row, strict=True))) for row in rows))
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def write_objects(self, model, objects) -> int:
        """Model instances (their concrete fields but the primary key) the same way."""
        if not self.copy:
            return _bulk(model, objects)
        columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return self.write(model, columns, (tuple(getattr(o, c) for c in columns) for o in objects))


def _analyze(*, vacuum: bool = False) -> None:
    """Give the query planner statistics of what was just written. PostgreSQL gathers them only
    when autovacuum runs, and this machine's server has it off: without them the planner guesses
    row counts after a COPY, and one skill page took 1.2 s instead of 45 ms. SQLite never gathers
    them by itself (no ``sqlite_stat1`` until ``ANALYZE``), and without them it assumes every index
    is equally selective; ANALYZE takes about a second here, so both databases are measured with
    statistics, as a database in use would have them.

    ``vacuum`` (after the commit, on PostgreSQL): ``VACUUM ANALYZE``, which autovacuum would also
    have done: it sets the visibility map, without which a covering index cannot be read alone
    (the report's grouped read of the stored levels took 360 ms instead of 115 ms)."""
    vacuum = vacuum and connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _reset_sequences(models) -> None:
    """Rows were written with explicit ids: move PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT counter follows explicit ids by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@dataclass
class _Member:
    id: int
    team_id: int
    lead: bool
    start: float  # the span in which they can have taken part in something: POSIX seconds
    end: float
    started_on: object
    departed_on: object

    def present(self, at: datetime) -> bool:
        day = at.date()
        return (self.started_on is None or self.started_on <= day) and (
            self.departed_on is None or day < self.departed_on
        )


class _Evidence:
    """Runbooks for every system, then ``size.evidence`` runbook executions and pairing sessions.

    Each system has a *crew*, the few people of its team who usually run it (one to six, people
    who have since left included): they perform most of its production runs and lead most of its
    pairing sessions, which keeps single points of knowledge in the reports. Staging runs and
    learning are spread over the whole team, and some work crosses teams (``1 - own_team_share``).
    Dates are uniform over the last two years within each person's time in the organisation; the
    evidence of the last fortnight is still waiting for confirmation nearly half the time."""

    def __init__(self, size: OrgSize, rng: random.Random, now: datetime, writer: _RowWriter):
        self.size, self.rng, self.now, self.writer = size, rng, now, writer
        self.today = timezone.localdate(now)
        self.counts = {
            "runbooks": 0,
            "runbook_skills": 0,
            "executions": 0,
            "production_executions": 0,
            "execution_participants": 0,
            "sessions": 0,
            "session_learners": 0,
            "session_skills": 0,
            "confirmed": 0,
            "pending": 0,
            "disputed": 0,
        }
        horizon = (now - timedelta(days=730)).timestamp()
        self.members: list[_Member] = []
        self.by_team: dict[int, list[_Member]] = {}
        self.leads: dict[int, list[_Member]] = {}
        rows = Person.objects.exclude(email=ADMIN_EMAIL).order_by("id")
        for pk, team_id, role, started_on, departed_on in rows.values_list(
            "id", "team_id", "role", "started_on", "departed_on"
        ):
            start = max(horizon, _midnight(started_on).timestamp()) if started_on else horizon
            end = (now - timedelta(hours=1)).timestamp() if departed_on is None else _midnight(departed_on).timestamp()
            end = max(end, start + 3600)
            member = _Member(pk, team_id, role == Person.Role.LEAD, start, end, started_on, departed_on)
            self.members.append(member)
            self.by_team.setdefault(team_id, []).append(member)
            if member.lead and departed_on is None:
                self.leads.setdefault(team_id, []).append(member)
        self.admin_id = Person.objects.get(email=ADMIN_EMAIL).pk
        self.systems = list(System.objects.order_by("id").values_list("id", "slug", "team_id"))
        self.skills: dict[int, list[int]] = {}
        for skill_id, system_id in Skill.objects.order_by("id").values_list("id", "system_id"):
            self.skills.setdefault(system_id, []).append(skill_id)
        self.systems = [system for system in self.systems if system[0] in self.skills]

    # choices -------------------------------------------------------------------------------

    def pick(self, table: tuple[list[int], list[int]]) -> int:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def when(self, member: _Member) -> datetime:
        return datetime.fromtimestamp(int(self.rng.uniform(member.start, member.end)), tz=UTC)

    def others(self, team_id: int, at: datetime, count: int, exclude: set[int]) -> list[_Member]:
        """Up to ``count`` people of the team who were there at ``at``, none of ``exclude``."""
        team = self.by_team.get(team_id, [])
        chosen: list[_Member] = []
        if count <= 0:
            return chosen
        for member in self.rng.sample(team, min(len(team), count * 3 + 2)):
            if member.id not in exclude and member.present(at):
                chosen.append(member)
                if len(chosen) == count:
                    break
        return chosen

    def decision(self, at: datetime, logger: int, people: list[_Member]) -> tuple:
        """(status, decided_by, decided_at, dispute_reason): another participant than the one who
        logged it, or a lead of the team, decides."""
        age = (self.now - at).days
        roll = self.rng.random()
        pending = 0.45 if age < 14 else 0.05
        if roll < pending:
            self.counts["pending"] += 1
            return "pending", None, None, ""
        deciders = [p.id for p in people if p.id != logger]
        if not deciders:
            deciders = [lead.id for lead in self.leads.get(people[0].team_id, []) if lead.id != logger] or [
                self.admin_id
            ]
        decided_at = min(self.now, at + timedelta(seconds=self.rng.randint(600, 4 * 86400)))
        if roll < pending + 0.03:
            self.counts["disputed"] += 1
            return "disputed", self.rng.choice(deciders), decided_at, self.rng.choice(DISPUTE_REASONS)
        self.counts["confirmed"] += 1
        return "confirmed", self.rng.choice(deciders), decided_at, ""

    def logged_at(self, at: datetime) -> datetime:
        return min(self.now, at + timedelta(seconds=self.rng.randint(60, 2 * 86400)))

    def evidence_columns(self, pk: int, at: datetime, logger: int, decision: tuple) -> tuple:
        """The columns executions and sessions share (id, occurred_at, notes, logged_by_id,
        logged_at, then the decision's four); the notes and logging time are drawn here, in this
        order, so the organisation stays the same for a seed."""
        return (pk, at, self.notes(), logger, self.logged_at(at), *decision)

    def notes(self) -> str:
        return self.rng.choice(NOTES) if self.rng.random() < 0.3 else ""

    # runbooks -------------------------------------------------------------------------------

    def create_runbooks(self) -> None:
        rng = self.rng
        self.crews: dict[int, list[_Member]] = {}
        self.runbooks_by_system: dict[int, list[int]] = {}
        self.runbook_skills: dict[int, list[int]] = {}
        self.runbook_system: dict[int, tuple[int, int]] = {}  # runbook -> (system, team)
        runbooks, links, revisions = [], [], []
        runbook_id = itertools.count(_next_id(Runbook))
        per_system, per_runbook, crew_sizes = (
            _weighted(RUNBOOKS_PER_SYSTEM),
            _weighted(RUNBOOK_SKILLS),
            _weighted(CREW_SIZES),
        )
        for system_id, slug, team_id in self.systems:
            team = self.by_team.get(team_id, [])
            crew = rng.sample(team, min(len(team), self.pick(crew_sizes)))
            self.crews[system_id] = crew
            skills = self.skills[system_id]
            for index in rng.sample(range(len(skills)), min(len(skills), self.pick(per_system))):
                pk = next(runbook_id)
                title = SKILL_NAMES[index % SKILLS_PER_SYSTEM]
                linked = [skills[index]]
                others = [s for s in skills if s != skills[index]]
                linked += rng.sample(others, min(len(others), self.pick(per_runbook) - 1))
                body = RUNBOOK_BODY.format(title=title, system=slug)
                created = self.now - timedelta(days=rng.randint(740, 1100))
                owner = rng.choice(crew).id if crew else None
                reviewed = None if rng.random() < 0.1 else self.today - timedelta(days=rng.randint(0, 400))
                runbooks.append(
                    (
                        pk,
                        system_id,
                        title,
                        SKILL_SLUGS[index % SKILLS_PER_SYSTEM],
                        body,
                        owner,
                        rng.choice((90, 180, 180, 365)),
                        reviewed,
                        "",
                        created,
                        created,
                    )
                )
                revisions.append((pk, 1, title, body, content_hash(body), owner, created, "Generated."))
                links += [(pk, skill_id) for skill_id in linked]
                # Some runbooks are run far more often than others (deploys, night pages).
                self.runbooks_by_system.setdefault(system_id, []).extend([pk] * rng.choice((1, 1, 2, 3, 5, 8)))
                self.runbook_skills[pk] = linked
                self.runbook_system[pk] = (system_id, team_id)
        columns = [
            "id",
            "system_id",
            "title",
            "slug",
            "body",
            "owner_id",
            "review_interval_days",
            "last_reviewed_on",
            "source_path",
            "created_at",
            "updated_at",
        ]
        self.counts["runbooks"] = self.writer.write(Runbook, columns, runbooks)
        self.counts["runbook_skills"] = self.writer.write(Runbook.skills.through, ["runbook_id", "skill_id"], links)
        self.writer.write(
            RunbookRevision,
            ["runbook_id", "number", "title", "body", "body_hash", "author_id", "created_at", "note"],
            revisions,
        )
        # Each runbook as many times as its weight, in system order.
        self.all_runbooks = [pk for system_id, *_ in self.systems for pk in self.runbooks_by_system.get(system_id, [])]

    # runbook executions ---------------------------------------------------------------------

    EXECUTION_COLUMNS = [
        "id",
        "occurred_at",
        "notes",
        "logged_by_id",
        "logged_at",
        "status",
        "decided_by_id",
        "decided_at",
        "dispute_reason",
        "runbook_id",
        "performer_id",
        "environment",
        "outcome",
        "link",
    ]

    def executions(self, count: int):
        """(execution row, participant ids) for ``count`` runbook executions."""
        rng = self.rng
        participants_table = _weighted(EXECUTION_PARTICIPANTS)
        first = _next_id(RunbookExecution)
        for pk in range(first, first + count):
            runbook_id = rng.choice(self.all_runbooks)
            system_id, team_id = self.runbook_system[runbook_id]
            crew = self.crews[system_id]
            production = rng.random() < 0.6
            # Production is mostly the crew's; staging is where the rest of the team practises.
            roll = rng.random()
            if crew and roll < (0.85 if production else 0.3):
                performer = rng.choice(crew)
            elif roll < (1 - (1 - self.size.own_team_share) / 3) or not self.members:
                performer = rng.choice(self.by_team.get(team_id) or self.members)
            else:
                performer = rng.choice(self.members)
            at = self.when(performer)
            wanted = self.pick(participants_table)
            people = [performer]
            helpers = [m for m in crew if m.id != performer.id and m.present(at)]
            if wanted and helpers and rng.random() < 0.5:
                people.append(rng.choice(helpers))
            people += self.others(team_id, at, wanted - (len(people) - 1), {p.id for p in people})
            outcome = "success" if rng.random() < 0.88 else rng.choice(("failed", "failed", "aborted"))
            logger = performer.id if rng.random() < 0.9 or len(people) == 1 else people[1].id
            decision = self.decision(at, logger, people)
            self.counts["production_executions"] += production
            link = f"https://tickets.{EMAIL_DOMAIN}/OPS-{pk}" if rng.random() < 0.2 else ""
            row = (
                *self.evidence_columns(pk, at, logger, decision),
                runbook_id,
                performer.id,
                "production" if production else "staging",
                outcome,
                link,
            )
            yield row, [p.id for p in people[1:]]

    # pairing sessions -----------------------------------------------------------------------

    SESSION_COLUMNS = [
        "id",
        "occurred_at",
        "notes",
        "logged_by_id",
        "logged_at",
        "status",
        "decided_by_id",
        "decided_at",
        "dispute_reason",
        "mentor_id",
        "duration_minutes",
    ]

    def sessions(self, count: int):
        """(session row, learner ids, skill ids) for ``count`` pairing sessions."""
        rng = self.rng
        learners_table, skills_table = _weighted(SESSION_LEARNERS), _weighted(SESSION_SKILLS)
        first = _next_id(PairingSession)
        made = 0
        while made < count:
            system_id, _, team_id = rng.choice(self.systems)
            crew = self.crews[system_id]
            roll = rng.random()
            if crew and roll < 0.7:
                mentor = rng.choice(crew)
            elif roll < 0.95 or not self.members:
                mentor = rng.choice(self.by_team.get(team_id) or self.members)
            else:
                mentor = rng.choice(self.members)
            at = self.when(mentor)
            wanted = self.pick(learners_table)
            # Learners come from the system's team, now and then from another one.
            learner_team = team_id if rng.random() < self.size.own_team_share else rng.choice(self.members).team_id
            learners = self.others(learner_team, at, wanted, {mentor.id})
            if not learners:
                continue  # nobody there to learn that day: draw again
            skills = rng.sample(self.skills[system_id], min(len(self.skills[system_id]), self.pick(skills_table)))
            people = [mentor, *learners]
            logger = mentor.id if rng.random() < 0.7 else learners[0].id
            decision = self.decision(at, logger, people)
            pk = first + made
            made += 1
            row = (
                *self.evidence_columns(pk, at, logger, decision),
                mentor.id,
                rng.choice((30, 45, 60, 60, 90, 120, 180, 240)),
            )
            yield row, [p.id for p in learners], skills

    def create(self) -> dict:
        self.create_runbooks()
        executions = round(self.size.evidence * self.size.execution_share) if self.all_runbooks else 0
        through = RunbookExecution.participants.through
        for chunk in itertools.batched(self.executions(executions), BATCH):
            rows = [row for row, _ in chunk]
            self.counts["executions"] += self.writer.write(RunbookExecution, self.EXECUTION_COLUMNS, rows)
            self.counts["execution_participants"] += self.writer.write(
                through,
                ["runbookexecution_id", "person_id"],
                [(row[0], person_id) for row, people in chunk for person_id in people],
            )
        learners, skills = PairingSession.learners.through, PairingSession.skills.through
        for chunk in itertools.batched(self.sessions(self.size.evidence - executions), BATCH):
            self.counts["sessions"] += self.writer.write(PairingSession, self.SESSION_COLUMNS, [c[0] for c in chunk])
            self.counts["session_learners"] += self.writer.write(
                learners,
                ["pairingsession_id", "person_id"],
                [(row[0], person_id) for row, people, _ in chunk for person_id in people],
            )
            self.counts["session_skills"] += self.writer.write(
                skills,
                ["pairingsession_id", "skill_id"],
                [(row[0], skill_id) for row, _, chosen in chunk for skill_id in chosen],
            )
        _reset_sequences([Runbook, RunbookExecution, PairingSession])
        self.counts["evidence"] = self.counts["executions"] + self.counts["sessions"]
        return self.counts


RUNBOOK_BODY = """## Purpose

{title} for {system}.

## Preconditions

- Access to {system} in the environment you work on
- Someone else on the call when it is production

## Steps

1. Announce it in the team channel.
2. Follow the system's procedure for this task.
3. Watch the dashboards for ten minutes.

## Verification

The health checks of {system} are green and the error rate is back to normal.

## Rollback

Undo the last step and page the system's owner.
"""


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
