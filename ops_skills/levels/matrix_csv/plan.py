"""Planning a matrix import: a ``Sheet`` and what the database holds → a ``MatrixPlan``.

``load_state`` reads what the sheet needs as plain data, in a fixed number of queries;
``build_plan`` is a plain function from the sheet and that data to what an import would create
and change (people, skills, levels), or the errors that stop it: unknown teams and systems, and
the limits of a lead (their own team, never their own levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from ops_skills.levels import bulk
from ops_skills.levels.matrix_csv.parse import FIXED_COLUMNS, NAME_MAX, Column, ErrorList, Row, Sheet
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System


@dataclass(frozen=True, slots=True)
class TeamRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class SystemRef:
    id: int
    slug: str
    team_id: int


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: int
    email: str
    name: str
    team_id: int | None


@dataclass(frozen=True, slots=True)
class Author:
    id: int
    is_admin: bool
    team_id: int | None


Pair = tuple[int, int]  # (person id, skill id)


@dataclass
class MatrixState:
    """What the database holds that an import of this sheet needs, as plain data."""

    author: Author
    teams: list[TeamRef]
    systems: list[SystemRef]
    skills: dict[tuple[int, str], int]  # (system id, skill slug) → skill id
    people: dict[str, PersonRef]  # by email
    lead_levels: dict[Pair, int]  # latest lead assessment level
    # (count, last id) of those people's lead assessments in those skills: assessments are only
    # ever added (or deleted with their person), so an unchanged fingerprint means the same levels.
    lead_fingerprint: tuple[int, int | None] = (0, None)

    def same_as(self, other: MatrixState) -> bool:
        """Whether an import planned on ``other`` may be written as planned on this state: the
        same author, teams, systems, skills, people and lead assessments (``lead_levels`` itself
        need not be loaded again: the fingerprint tells)."""
        return (self.author, self.teams, self.systems, self.skills, self.people, self.lead_fingerprint) == (
            other.author,
            other.teams,
            other.systems,
            other.skills,
            other.people,
            other.lead_fingerprint,
        )


class NewPerson(NamedTuple):
    line: int
    email: str
    name: str
    team_id: int | None
    team: str  # for the preview


class PersonUpdate(NamedTuple):
    line: int
    person_id: int
    email: str
    name: str  # after the import
    team_id: int | None  # after the import
    what: str  # for the preview: 'name "A" → "B"; team x → y'


class NewSkill(NamedTuple):
    column: str  # "<system>/<skill>"
    system_id: int
    slug: str
    name: str


class LevelChange(NamedTuple):
    line: int
    email: str
    column: str
    person_id: int | None  # None: a person this import creates
    skill_id: int | None  # None: a skill this import creates
    old: int | None  # latest lead level, None when there is none
    new: int


@dataclass
class MatrixPlan:
    """What an import would do, or the errors that stop it."""

    people_to_create: list[NewPerson] = field(default_factory=list)
    people_to_update: list[PersonUpdate] = field(default_factory=list)
    skills_to_create: list[NewSkill] = field(default_factory=list)
    changes: list[LevelChange] = field(default_factory=list)
    rows: int = 0
    unchanged: int = 0  # filled cells equal to the latest lead level
    errors: ErrorList = field(default_factory=ErrorList)

    @property
    def ok(self) -> bool:
        return not len(self.errors)

    @property
    def has_work(self) -> bool:
        return bool(self.people_to_create or self.people_to_update or self.skills_to_create or self.changes)

    def summary(self) -> str:
        return (
            f"{_count(len(self.people_to_create), 'person', 'people')} created, "
            f"{len(self.people_to_update)} updated, "
            f"{_count(len(self.skills_to_create), 'skill')} created, "
            f"{_count(len(self.changes), 'level')} changed"
        )


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def skill_name(slug: str) -> str:
    """The name of a skill an import creates: its slug turned into words."""
    return re.sub(r"[-_]+", " ", slug).strip().capitalize()[:NAME_MAX] or slug


def build_plan(sheet: Sheet, state: MatrixState) -> MatrixPlan:
    """Resolve teams, systems, skills and people, apply the lead's limits and find the changes."""
    plan = MatrixPlan(rows=len(sheet.rows), errors=sheet.errors)
    author = state.author
    if not author.is_admin and author.team_id is None:
        plan.errors.add("you lead no team, so there is nothing you may import; ask an admin to put you on a team")
        plan.errors.sort()
        return plan
    skill_columns = _resolve_columns(sheet.columns, state, plan)
    teams_by_id = {t.id: t for t in state.teams}
    teams_by_key = {t.name.lower(): t for t in state.teams} | {t.slug.lower(): t for t in state.teams}
    own_team = teams_by_id.get(author.team_id)
    for row in sheet.rows:
        person = state.people.get(row.email)
        team = teams_by_key.get(row.team.lower()) if row.team else None
        if row.team and team is None:
            plan.errors.add(f'unknown team "{row.team}"', row.line, 3, "team")
            continue
        team_id = team.id if team else (person.team_id if person else None)
        if not author.is_admin:
            if person is not None and person.team_id != author.team_id:
                current = teams_by_id.get(person.team_id)
                plan.errors.add(
                    f"{row.email} is on {current.name if current else 'no team'}; "
                    f"leads import only people of their own team ({own_team.name})",
                    row.line,
                    1,
                    "email",
                )
                continue
            if team_id != author.team_id:
                plan.errors.add(
                    f"leads import only people of their own team ({own_team.name}); this row is for "
                    f"{team.name if team else 'no team'}",
                    row.line,
                    3,
                    "team",
                )
                continue
        if person is None:
            plan.people_to_create.append(NewPerson(row.line, row.email, row.name, team_id, team.slug if team else ""))
        else:
            _plan_person_update(plan, row, person, team, teams_by_id)
        _plan_levels(plan, row, person, skill_columns, state)
    plan.errors.sort()
    return plan


# Per skill column: (its canonical "<system>/<skill>", the skill id or None when the import
# creates it), or None when the column is unusable.
ResolvedColumn = tuple[str, int | None] | None


def _resolve_columns(columns: list[Column | None], state: MatrixState, plan: MatrixPlan) -> list[ResolvedColumn]:
    author = state.author
    # Slugs are matched as written, else ignoring case: a spreadsheet may have capitalised them.
    systems = {s.slug: s for s in state.systems}
    systems_folded = {s.slug.lower(): s for s in state.systems}
    skills = {key: (skill_id, key[1]) for key, skill_id in state.skills.items()}
    skills_folded = {
        (system_id, slug.lower()): (skill_id, slug) for (system_id, slug), skill_id in state.skills.items()
    }
    resolved: list[ResolvedColumn] = []
    for column in columns:
        if column is None:
            resolved.append(None)
            continue
        system = systems.get(column.system) or systems_folded.get(column.system.lower())
        if system is None:
            plan.errors.add(
                f'unknown system "{column.system}" (an admin adds systems; an import does not)',
                1,
                column.index,
                column.header,
            )
            resolved.append(None)
            continue
        if not author.is_admin and system.team_id != author.team_id:
            plan.errors.add(
                f"{system.slug} is another team's system; leads import only their own team's systems",
                1,
                column.index,
                column.header,
            )
            resolved.append(None)
            continue
        found = skills.get((system.id, column.skill)) or skills_folded.get((system.id, column.skill.lower()))
        if found is None:
            slug = column.skill.lower()
            name = f"{system.slug}/{slug}"
            plan.skills_to_create.append(NewSkill(name, system.id, slug, skill_name(slug)))
            resolved.append((name, None))
        else:
            resolved.append((f"{system.slug}/{found[1]}", found[0]))
    return resolved


def _plan_person_update(plan: MatrixPlan, row: Row, person: PersonRef, team, teams_by_id) -> None:
    # An empty name or team cell keeps what the person has ("empty means no change").
    what = []
    name = person.name
    # Compared without surrounding spaces, as the import reads cells, so the round trip is exact.
    if row.name and row.name != person.name.strip():
        what.append(f'name "{person.name}" → "{row.name}"')
        name = row.name
    team_id = person.team_id
    if team is not None and team.id != person.team_id:
        before = teams_by_id.get(person.team_id)
        what.append(f"team {before.slug if before else '(none)'} → {team.slug}")
        team_id = team.id
    if what:
        plan.people_to_update.append(PersonUpdate(row.line, person.id, row.email, name, team_id, "; ".join(what)))


def _plan_levels(
    plan: MatrixPlan, row: Row, person: PersonRef | None, skill_columns: list[ResolvedColumn], state: MatrixState
) -> None:
    person_id = person.id if person else None
    own: list[int] = []
    for position, level in enumerate(row.levels):
        column = skill_columns[position]
        if level is None or column is None:
            continue
        column_name, skill_id = column
        old = state.lead_levels.get((person_id, skill_id)) if person_id and skill_id else None
        if old == level:
            plan.unchanged += 1
        elif person_id == state.author.id:
            own.append(position)
        else:
            plan.changes.append(LevelChange(row.line, row.email, column_name, person_id, skill_id, old, level))
    if own:
        # Nobody is their own lead (services.assessment_record): one error for the row, not per cell.
        more = f" (and {len(own) - 1} more on this line)" if len(own) > 1 else ""
        index = len(FIXED_COLUMNS) + 1 + own[0]
        header = skill_columns[own[0]][0]
        plan.errors.add(
            "you cannot set your own levels as a lead assessment: leave your own cells as they are, "
            f"or ask another lead or an admin to import them{more}",
            row.line,
            index,
            header,
        )


# Loading: what the database holds → plain data ------------------------------------------------


def latest_lead_levels(assessments: QuerySet) -> dict[Pair, int]:
    """The level of the latest lead assessment of every (person, skill) in ``assessments``; one
    query, the database keeping only the latest row of each pair (latest by time, then id, as in
    ``rules``)."""
    latest = (
        assessments.filter(source=Assessment.Source.LEAD)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("person_id"), F("skill_id")],
                order_by=[F("assessed_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .order_by()
        .values_list("person_id", "skill_id", "level")
    )
    return {(person_id, skill_id): level for person_id, skill_id, level in latest.iterator(chunk_size=5000)}


def load_state(author: Person, sheet: Sheet, *, levels: bool = True) -> MatrixState:
    """Six queries whatever the size of the sheet: teams, systems, their skills, the people
    named, a fingerprint of their lead assessments and (unless ``levels`` is false) their latest
    lead levels. The ids and emails go to the database as one parameter each (``bulk.values_in``),
    however long the file."""
    teams = [TeamRef(*t) for t in Team.objects.values_list("id", "slug", "name")]
    systems = [SystemRef(*s) for s in System.objects.values_list("id", "slug", "team_id")]
    named = {c.system.lower() for c in sheet.columns if c}
    system_ids = [s.id for s in systems if s.slug.lower() in named]
    skills = {
        (system_id, slug): skill_id
        for skill_id, system_id, slug in Skill.objects.filter(system_id__in=bulk.values_in(system_ids))
        .order_by()
        .values_list("id", "system_id", "slug")
    }
    emails = bulk.values_in(r.email for r in sheet.rows)
    people = {
        email: PersonRef(pk, email, name, team_id)
        for pk, email, name, team_id in Person.objects.filter(email__in=emails)
        .order_by()
        .values_list("id", "email", "name", "team_id")
    }
    lead_levels: dict[Pair, int] = {}
    fingerprint = (0, None)
    if people and skills:
        assessments = Assessment.objects.filter(
            person_id__in=bulk.values_in(p.id for p in people.values()),
            skill_id__in=bulk.values_in(skills.values()),
        )
        found = assessments.filter(source=Assessment.Source.LEAD).aggregate(count=Count("pk"), last=Max("pk"))
        fingerprint = (found["count"], found["last"])
        if levels:
            lead_levels = latest_lead_levels(assessments)
    return MatrixState(
        author=Author(author.pk, author.is_admin, author.team_id),
        teams=teams,
        systems=systems,
        skills=skills,
        people=people,
        lead_levels=lead_levels,
        lead_fingerprint=fingerprint,
    )
