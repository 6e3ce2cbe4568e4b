"""Planning a matrix import: a ``Sheet`` and what the database holds → a ``MatrixPlan``.

``load_state`` reads what the sheet needs as plain data, in a fixed number of queries;
``build_plan`` is a plain function from the sheet and that data to what an import would create
and change (teams, systems, people, skills, levels), or the errors that stop it, and the limits
of a lead (their own team, never their own levels).

An admin's import creates the teams and systems the sheet names that do not exist yet, so that a
first import from a spreadsheet needs nothing made by hand: a team from a row's team cell, a
system (tier 2) from a column, owned by the team of the rows that give it levels. A lead's import
creates nothing outside their team: an unknown team or system is an error (admins manage teams
and systems, DESIGN.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.text import slugify

from ops_skills.levels import bulk
from ops_skills.levels.matrix_csv.parse import FIXED_COLUMNS, NAME_MAX, Column, ErrorList, Row, Sheet
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System

TEAM_NAME_MAX = Team._meta.get_field("name").max_length
TEAM_SLUG_MAX = Team._meta.get_field("slug").max_length
SYSTEM_SLUG_MAX = min(System._meta.get_field("slug").max_length, System._meta.get_field("name").max_length)


@dataclass(frozen=True, slots=True)
class TeamRef:
    id: int | None  # None: a team this import creates (known by its slug)
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class SystemRef:
    id: int
    slug: str
    team_id: int
    name: str = ""


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


class NewTeam(NamedTuple):
    line: int  # the first line naming it
    slug: str
    name: str


class NewSystem(NamedTuple):
    column: int  # the first column naming it
    slug: str
    name: str
    team_id: int | None  # None: a team this import creates, ``team``
    team: str  # the team's slug
    tier: int
    why: str  # for the preview: why this team owns it


class NewPerson(NamedTuple):
    line: int
    email: str
    name: str
    team_id: int | None  # None with a ``team``: a team this import creates
    team: str  # slug, for the preview and for a new team


class PersonUpdate(NamedTuple):
    line: int
    person_id: int
    email: str
    name: str  # after the import
    team_id: int | None  # after the import; None with a ``team``: a team this import creates
    what: str  # for the preview: 'name "A" → "B"; team x → y'
    team: str = ""  # the slug of the team after the import


class NewSkill(NamedTuple):
    column: str  # "<system>/<skill>"
    system_id: int | None  # None: a system this import creates (the column's "<system>")
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

    teams_to_create: list[NewTeam] = field(default_factory=list)
    systems_to_create: list[NewSystem] = field(default_factory=list)
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
        return bool(
            self.teams_to_create
            or self.systems_to_create
            or self.people_to_create
            or self.people_to_update
            or self.skills_to_create
            or self.changes
        )

    def summary(self) -> str:
        created = ""
        if self.teams_to_create or self.systems_to_create:
            created = (
                f"{_count(len(self.teams_to_create), 'team')} created, "
                f"{_count(len(self.systems_to_create), 'system')} created, "
            )
        return created + (
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
    teams_by_id = {t.id: t for t in state.teams}
    row_teams = _resolve_teams(sheet.rows, state, plan)
    skill_columns = _resolve_columns(sheet, row_teams, state, plan)
    own_team = teams_by_id.get(author.team_id)
    for row in sheet.rows:
        if row.line not in row_teams:
            continue  # its team is wrong: reported
        person = state.people.get(row.email)
        team = row_teams[row.line]
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


def _resolve_teams(rows: list[Row], state: MatrixState, plan: MatrixPlan) -> dict[int, TeamRef | None]:
    """The team each row names (a slug or a name, in any case), by line; None for an empty cell
    (no change). An admin's import plans the teams it does not know (``plan.teams_to_create``); a
    lead's reports them. A row whose team is wrong is left out."""
    known = {t.name.lower(): t for t in state.teams} | {t.slug.lower(): t for t in state.teams}
    by_slug = {t.slug: t for t in state.teams}
    new: dict[str, TeamRef] = {}
    found: dict[int, TeamRef | None] = {}
    for row in rows:
        team = known.get(row.team.lower()) if row.team else None
        if row.team and team is None:
            if not state.author.is_admin:
                plan.errors.add(
                    f'unknown team "{row.team}" (only an admin\'s import creates teams)', row.line, 3, "team"
                )
                continue
            team = _new_team(row, by_slug, new, plan)
            if team is None:
                continue
        found[row.line] = team
    return found


def _new_team(row: Row, by_slug: dict[str, TeamRef], new: dict[str, TeamRef], plan: MatrixPlan) -> TeamRef | None:
    """The team an admin's import creates for this row's team cell (one per slug: "Sales" and
    "sales" are one team, named as first written), or None and an error."""
    slug = slugify(row.team)[:TEAM_SLUG_MAX].strip("-")
    problem = ""
    if len(row.team) > TEAM_NAME_MAX:
        problem = f"a team name is at most {TEAM_NAME_MAX} characters"
    elif not slug:
        problem = "a new team's name needs a letter (a–z) or a digit, for its slug"
    elif slug in by_slug:
        problem = f'its slug "{slug}" is the team {by_slug[slug].name}\'s: write "{by_slug[slug].name}"'
    if problem:
        plan.errors.add(f'unknown team "{row.team}": {problem}', row.line, 3, "team")
        return None
    if slug not in new:
        new[slug] = TeamRef(None, slug, row.team)
        plan.teams_to_create.append(NewTeam(row.line, slug, row.team))
    return new[slug]


# Per skill column: (its canonical "<system>/<skill>", the skill id or None when the import
# creates it), or None when the column is unusable.
ResolvedColumn = tuple[str, int | None] | None


def _resolve_columns(
    sheet: Sheet, row_teams: dict[int, TeamRef | None], state: MatrixState, plan: MatrixPlan
) -> list[ResolvedColumn]:
    author = state.author
    # Slugs are matched as written, else ignoring case: a spreadsheet may have capitalised them.
    systems = {s.slug: s for s in state.systems}
    systems_folded = {s.slug.lower(): s for s in state.systems}
    skills = {key: (skill_id, key[1]) for key, skill_id in state.skills.items()}
    skills_folded = {
        (system_id, slug.lower()): (skill_id, slug) for (system_id, slug), skill_id in state.skills.items()
    }
    new_systems: dict[str, NewSystem | None] = {}  # by slug; None: refused
    resolved: list[ResolvedColumn] = []
    for column in sheet.columns:
        if column is None:
            resolved.append(None)
            continue
        system = systems.get(column.system) or systems_folded.get(column.system.lower())
        if system is None and not author.is_admin:
            plan.errors.add(
                f'unknown system "{column.system}": ask an admin to add it, or to import this sheet '
                "(an admin's import creates the systems it names)",
                1,
                column.index,
                column.header,
            )
            resolved.append(None)
            continue
        if system is None:
            slug = column.system.lower()
            if slug not in new_systems:
                new_systems[slug] = _new_system(slug, column, sheet, row_teams, state, plan)
            if new_systems[slug] is None:
                resolved.append(None)
                continue
            name = f"{slug}/{column.skill.lower()}"
            plan.skills_to_create.append(NewSkill(name, None, column.skill.lower(), skill_name(column.skill.lower())))
            resolved.append((name, None))
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


def _new_system(
    slug: str, first: Column, sheet: Sheet, row_teams: dict[int, TeamRef | None], state: MatrixState, plan: MatrixPlan
) -> NewSystem | None:
    """The system an admin's import creates for the columns ``<slug>/…`` (tier 2), owned by the
    team whose rows give those columns the most levels (on a tie, the team of the first such
    row); when no row gives them a level, the team with the most rows. None and an error when
    no row has a team, or the slug or name is taken."""
    problem = ""
    taken = {s.name.lower(): s for s in state.systems}
    if len(slug) > SYSTEM_SLUG_MAX:
        problem = f"a system slug is at most {SYSTEM_SLUG_MAX} characters"
    elif slug in taken:
        problem = f'a system is already named "{taken[slug].name}": use its slug, "{taken[slug].slug}"'
    owner = None if problem else _owner(slug, sheet, row_teams, state)
    if owner is None and not problem:
        problem = (
            "no row of the sheet has a team, so the import cannot tell whose system it is: "
            "give the rows a team, or ask for the system to be added first"
        )
    if problem:
        plan.errors.add(f'unknown system "{first.system}": {problem}', 1, first.index, first.header)
        return None
    team, why = owner
    system = NewSystem(first.index, slug, slug, team.id, team.slug, System.Tier.IMPORTANT, why)
    plan.systems_to_create.append(system)
    return system


def _owner(
    slug: str, sheet: Sheet, row_teams: dict[int, TeamRef | None], state: MatrixState
) -> tuple[TeamRef, str] | None:
    positions = [i for i, c in enumerate(sheet.columns) if c is not None and c.system.lower() == slug]
    teams_by_id = {t.id: t for t in state.teams}
    levels: dict[str, int] = {}
    rows: dict[str, int] = {}
    first: dict[str, tuple[int, TeamRef]] = {}
    for row in sheet.rows:
        if row.line not in row_teams:
            continue
        team = row_teams[row.line]
        if team is None:  # no change: the person's team, if they have one
            person = state.people.get(row.email)
            team = teams_by_id.get(person.team_id) if person else None
        if team is None:
            continue
        first.setdefault(team.slug, (row.line, team))
        rows[team.slug] = rows.get(team.slug, 0) + 1
        given = sum(1 for i in positions if row.levels[i] is not None)
        if given:
            levels[team.slug] = levels.get(team.slug, 0) + given
    counts, what = (levels, "of its levels are") if levels else (rows, "rows of the sheet are")
    if not counts:
        return None
    best = max(counts, key=lambda key: (counts[key], -first[key][0]))
    total = sum(counts.values())
    return first[best][1], f"{counts[best]} of {total} {what} for {best}"


def _plan_person_update(plan: MatrixPlan, row: Row, person: PersonRef, team, teams_by_id) -> None:
    # An empty name or team cell keeps what the person has ("empty means no change").
    what = []
    name = person.name
    # Compared without surrounding spaces, as the import reads cells, so the round trip is exact.
    if row.name and row.name != person.name.strip():
        what.append(f'name "{person.name}" → "{row.name}"')
        name = row.name
    team_id, team_slug = person.team_id, ""
    # A team this import creates (no id yet) is a move too.
    if team is not None and (team.id is None or team.id != person.team_id):
        before = teams_by_id.get(person.team_id)
        what.append(f"team {before.slug if before else '(none)'} → {team.slug}")
        team_id, team_slug = team.id, team.slug
    if what:
        plan.people_to_update.append(
            PersonUpdate(row.line, person.id, row.email, name, team_id, "; ".join(what), team_slug)
        )


def _plan_levels(
    plan: MatrixPlan, row: Row, person: PersonRef | None, skill_columns: list[ResolvedColumn], state: MatrixState
) -> None:
    # The innermost loop of a planning: once per filled cell (300,000 in a 500 × 1,000 sheet).
    person_id = person.id if person else None
    lead_levels = state.lead_levels if person_id else {}
    author_id, line, email, changes = state.author.id, row.line, row.email, plan.changes
    own: list[int] = []
    unchanged = 0
    for position, level in enumerate(row.levels):
        if level is None:
            continue
        column = skill_columns[position]
        if column is None:
            continue
        column_name, skill_id = column
        old = lead_levels.get((person_id, skill_id)) if skill_id else None
        if old == level:
            unchanged += 1
        elif person_id == author_id:
            own.append(position)
        else:
            changes.append(LevelChange(line, email, column_name, person_id, skill_id, old, level))
    plan.unchanged += unchanged
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
    systems = [SystemRef(*s) for s in System.objects.values_list("id", "slug", "team_id", "name")]
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
