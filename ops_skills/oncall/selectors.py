"""Loads what ``readiness`` needs, for one team or all of them, in a fixed number of queries,
and turns its answer into rows for the page, the command and the home's warning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ops_skills.levels.models import CurrentLevel
from ops_skills.oncall import readiness
from ops_skills.oncall.models import Schedule, Shift
from ops_skills.reports.selectors import absent_between
from ops_skills.skills import rules
from ops_skills.skills.models import Skill, System

# Another shift that keeps a backup busy can run past the window's end: looked for this far beyond.
BUSY_MARGIN = timedelta(weeks=2)


@dataclass(frozen=True, slots=True)
class Someone:
    pk: int
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class GapRow:
    skill_id: int
    system: str  # slug
    system_name: str
    skill: str  # slug
    skill_name: str
    why: str
    backups: tuple[Someone, ...]  # by email


@dataclass(frozen=True, slots=True)
class ShiftRow:
    pk: int
    schedule: str
    team_id: int
    email: str  # as in the feed
    person: Someone | None  # None: nobody here has that email
    start: datetime
    end: datetime
    status: str
    gaps: tuple[GapRow, ...]
    away: tuple[tuple[date, date], ...]
    systems: tuple[str, ...]  # names
    swaps: tuple[Someone, ...] = ()  # who could take the shift and be ready in it (not ready shifts only)

    @property
    def label(self) -> str:
        return readiness.LABELS[self.status]

    @property
    def due_before(self) -> date:
        """When shadowing for this shift is due: the day before it starts (today at the earliest)."""
        return max(timezone.localdate(), timezone.localtime(self.start).date() - timedelta(days=1))

    @property
    def unbacked(self) -> list[str]:
        """The gaps nobody available can fill, as "system · skill"."""
        return [f"{gap.system_name} · {gap.skill_name}" for gap in self.gaps if not gap.backups]

    def as_json(self) -> dict:
        return {
            "schedule": self.schedule,
            "person": self.email or None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status,
            "gaps": [
                {"system": g.system, "skill": g.skill, "backups": [b.email for b in g.backups]} for g in self.gaps
            ],
        }


def critical_skills():
    """The skills the person on call must be able to do alone: flagged so, or, unflagged, every
    skill of a tier-1 system."""
    return Skill.objects.filter(
        Q(oncall_critical=True) | Q(oncall_critical__isnull=True, system__tier=System.Tier.CRITICAL)
    )


def upcoming(*, teams=None, weeks: int, now: datetime | None = None) -> list[ShiftRow]:
    """Each shift of ``teams``' schedules (None: every team) that is on from ``now`` to ``weeks``
    weeks later, with its readiness, earliest first.
    Six queries: schedules, their systems, shifts, critical skills, covers, absences."""
    now = now or timezone.now()
    until = now + timedelta(weeks=weeks)
    tz = timezone.get_default_timezone()
    schedules_qs = Schedule.objects.order_by()
    if teams is not None:
        schedules_qs = schedules_qs.filter(team__in=teams)
    schedules = {pk: (name, team_id) for pk, name, team_id in schedules_qs.values_list("pk", "name", "team_id")}
    if not schedules:
        return []
    systems: dict[int, list[int]] = defaultdict(list)
    system_names: dict[int, tuple[str, str]] = {}
    through = Schedule.systems.through.objects.filter(schedule_id__in=schedules).order_by("system__name")
    for schedule_id, system_id, slug, name in through.values_list(
        "schedule_id", "system_id", "system__slug", "system__name"
    ):
        systems[schedule_id].append(system_id)
        system_names[system_id] = (slug, name)
    # Every schedule's shifts, not only the team's: a backup on call elsewhere is busy.
    shift_rows = list(
        Shift.objects.filter(start__lt=until + BUSY_MARGIN, end__gt=now)
        .order_by("start", "id")
        .values_list("pk", "schedule_id", "person_id", "email", "start", "end", "person__name")
    )
    busy: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for pk, _, person_id, _, start, end, _ in shift_rows:
        if person_id is not None:
            busy[person_id].append((pk, start, end))
    mine = [row for row in shift_rows if row[1] in schedules and row[4] < until]
    if not mine:
        return []
    skill_rows = critical_skills().filter(system_id__in=system_names).order_by("name")
    critical: dict[int, list[int]] = defaultdict(list)
    skill_names = {}
    for pk, system_id, slug, name in skill_rows.values_list("pk", "system_id", "slug", "name"):
        critical[system_id].append(pk)
        skill_names[pk] = (slug, name)
    covers: dict[int, dict[int, date | None]] = defaultdict(dict)
    people: dict[int, Someone] = {}
    # The skills' ids as a list and "active" as a condition on the joined person (what
    # ``Person.objects.active`` asks): with both as subqueries SQLite left the covers index for a
    # search per person, 20 times slower on the large organisation.
    today = timezone.localdate(now)
    active = Q(person__departed_on__isnull=True) | Q(person__departed_on__gt=today)
    cover_rows = (
        CurrentLevel.objects.filter(active, skill_id__in=list(skill_names), level__gte=rules.COVER_LEVEL)
        .order_by()
        .values_list("skill_id", "person_id", "fresh_until", "person__email", "person__name")
    )
    for skill_id, person_id, fresh_until, email, name in cover_rows:
        covers[skill_id][person_id] = fresh_until
        people[person_id] = Someone(person_id, email, name)
    first = min(readiness.shift_days(row[4], row[5], tz)[0] for row in mine)
    last = max(readiness.shift_days(row[4], row[5], tz)[1] for row in mine)
    absent = absent_between(first, last)
    facts = readiness.Facts(
        critical={k: tuple(v) for k, v in critical.items()}, covers=covers, absent=absent, shifts=busy
    )
    found = []
    by_email: dict[tuple[int, ...], tuple[Someone, ...]] = {}  # the same backups recur from gap to gap

    def backups(ids: tuple[int, ...]) -> tuple[Someone, ...]:
        if ids not in by_email:
            by_email[ids] = tuple(sorted((people[pk] for pk in ids), key=lambda p: p.email))
        return by_email[ids]

    for pk, schedule_id, person_id, email, start, end, person_name in mine:
        shift = readiness.ShiftIn(pk, person_id, start, end, tuple(systems.get(schedule_id, ())))
        result = readiness.shift_readiness(shift, facts, tz=tz)
        gaps = tuple(
            GapRow(
                gap.skill_id,
                *system_names[gap.system_id],
                *skill_names[gap.skill_id],
                gap.why,
                backups(gap.backups),
            )
            for gap in result.gaps
        )
        swap = backups(readiness.swaps(shift, facts, tz=tz)) if result.status != readiness.READY else ()
        name, team_id = schedules[schedule_id]
        holder = Someone(person_id, email, person_name) if person_id is not None else None
        found.append(
            ShiftRow(
                pk,
                name,
                team_id,
                email,
                holder,
                start,
                end,
                result.status,
                gaps,
                result.away,
                tuple(system_names[s][1] for s in shift.systems),
                swap,
            )
        )
    found.sort(key=lambda row: (row.start, row.schedule, row.pk))
    return found
