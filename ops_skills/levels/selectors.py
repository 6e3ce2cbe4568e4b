"""Reads of the current levels for the pages, the exports and the API: each reads the stored
levels (``store.py``) in a fixed number of queries, whatever the size of the team.

Only the explanation, a person's timeline, recomputes (a cell's history lists its assessments),
from the same rule as the store (``rules.level_history``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import FETCH_PEERS, Case, Count, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence import selectors as evidence_selectors
from ops_skills.levels import facts, rules
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill, System

Pair = tuple[int, int]  # (person id, skill id)


@dataclass(frozen=True, slots=True)
class StoredLevel:
    """A current level as stored: the number, what gave it, and when it was last practised."""

    level: int
    basis: str
    reason: str
    practised_at: datetime | None = None
    fresh_until: date | None = None

    @property
    def label(self) -> str:
        return rules.LEVEL_LABELS[self.level]

    @property
    def covers(self) -> bool:
        return self.level >= rules.COVER_LEVEL

    @property
    def self_assessed(self) -> bool:
        return self.basis == "self"

    def explain(self) -> str:
        return self.reason

    def is_fresh(self, today: date) -> bool:
        """``rules.is_fresh``, decided from the stored last day of freshness."""
        return self.fresh_until is not None and self.fresh_until >= today


NO_LEVEL = StoredLevel(rules.NONE, "none", "no assessment or evidence")


def stored_levels(
    people: QuerySet | Iterable[int] | None, skills: QuerySet | Iterable[int] | None, *, covers_only: bool = False
) -> dict[Pair, StoredLevel]:
    """The stored level of each of ``people`` in each of ``skills`` (None: all). One query."""
    rows = CurrentLevel.objects.order_by()
    if people is not None:
        rows = rows.filter(person__in=people)
    if skills is not None:
        rows = rows.filter(skill__in=skills)
    if covers_only:
        rows = rows.filter(level__gte=rules.COVER_LEVEL)
    return {
        (person_id, skill_id): StoredLevel(level, basis, reason, practised_at, fresh_until)
        for person_id, skill_id, level, basis, reason, practised_at, fresh_until in rows.values_list(
            "person_id", "skill_id", "level", "basis", "reason", "practised_at", "fresh_until"
        ).iterator(chunk_size=5000)
    }


def plain_rows(queryset, size: int = 20_000):
    """The rows of a ``values_list`` of plain integers and strings, straight from the cursor:
    Django's per-value converters (none of which changes them) cost more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield from rows


def fresh_on(today: date) -> Case:
    """1 when a stored cover is still fresh on ``today`` (``rules.is_fresh``), else 0: decided by
    the database from the stored last day of freshness."""
    return Case(When(fresh_until__gte=today, then=Value(1)), default=Value(0), output_field=IntegerField())


# The matrix shows a level and whether it is self-assessed: one shared instance per such pair.
_CELL_LEVELS: dict[tuple[int, str], StoredLevel] = {}


def cell_levels(people: list[int], skills: list[int], *, today: date) -> dict[Pair, tuple[StoredLevel, bool]]:
    """(stored level, fresh) of each of ``people`` in each of ``skills`` that has a level, for a
    grid of thousands of cells: plain integers read from the cursor, freshness decided by the
    database, and one shared level instance per (level, basis). One query."""
    rows = (
        CurrentLevel.objects.order_by()
        .filter(person_id__in=people, skill_id__in=skills)
        .annotate(fresh=fresh_on(today))
        .values_list("person_id", "skill_id", "level", "basis", "fresh")
    )
    found = {}
    for person_id, skill_id, level, basis, fresh in plain_rows(rows):
        shared = _CELL_LEVELS.get((level, basis))
        if shared is None:
            shared = _CELL_LEVELS.setdefault((level, basis), StoredLevel(level, basis, ""))
        found[person_id, skill_id] = (shared, bool(fresh))
    return found


def level_of(person: Person, skill: Skill) -> StoredLevel:
    return stored_levels([person.pk], [skill.pk]).get((person.pk, skill.pk), NO_LEVEL)


def cover_counts(skills, *, today: date | None = None) -> dict[int, int]:
    """Bus factor of each skill: active people of any team covering it. One query."""
    today = today or timezone.localdate()
    rows = CurrentLevel.objects.filter(
        skill__in=skills, level__gte=rules.COVER_LEVEL, person__in=Person.objects.active(today).values("pk")
    )
    return dict(rows.order_by().values("skill_id").annotate(n=Count("pk")).values_list("skill_id", "n"))


@dataclass
class SkillColumn:
    skill: Skill
    bus_factor: int = 0


@dataclass
class SystemGroup:
    system: System
    columns: list[SkillColumn] = field(default_factory=list)


@dataclass
class MatrixRow:
    person: Person
    cells: list[tuple[int, StoredLevel | None, bool]]  # (skill id, level, fresh)


@dataclass
class Matrix:
    groups: list[SystemGroup]
    rows: list[MatrixRow]

    @property
    def columns(self) -> list[SkillColumn]:
        return [c for g in self.groups for c in g.columns]


def skill_matrix(people: QuerySet, skills: QuerySet, *, today=None) -> Matrix:
    """People × skills with each cell's stored level and freshness, and each skill's bus factor
    over the whole organisation (not only the people shown). Four queries: people shown, skills
    with their systems, the levels shown, the covers of these skills."""
    today = today or timezone.localdate()
    people_list = list(people.select_related("team").fetch_mode(FETCH_PEERS))
    skill_list = list(skills.select_related("system").order_by("system__name", "name"))
    skill_ids = [s.pk for s in skill_list]
    person_ids = [p.pk for p in people_list]
    levels = cell_levels(person_ids, skill_ids, today=today) if person_ids and skill_ids else {}
    bus_factor = cover_counts(skill_ids, today=today) if skill_ids else {}

    groups: list[SystemGroup] = []
    for skill in skill_list:
        if not groups or groups[-1].system.pk != skill.system_id:
            groups.append(SystemGroup(skill.system))
        groups[-1].columns.append(SkillColumn(skill, bus_factor.get(skill.pk, 0)))
    empty = (None, False)
    rows = [
        MatrixRow(person, [(skill_id, *levels.get((person_id, skill_id), empty)) for skill_id in skill_ids])
        for person, person_id in zip(people_list, person_ids, strict=True)
    ]
    return Matrix(groups, rows)


@dataclass
class PersonSkillLine:
    skill: Skill
    level: StoredLevel
    fresh: bool


@dataclass
class TimelineEntry:
    at: object
    skill: Skill
    before: int
    after: rules.Level
    assessment: Assessment | None  # the assessment that caused it, or None for evidence
    evidence: rules.EvidenceFact | None

    @property
    def evidence_url(self) -> str:
        if self.evidence is None:
            return ""
        name = "evidence:session" if self.evidence.kind == "pairing session" else "evidence:execution"
        return reverse(name, args=[self.evidence.id])


@dataclass
class PersonProfile:
    systems: list[tuple[System, list[PersonSkillLine]]]
    timeline: list[TimelineEntry]


def person_levels(person: Person, *, today=None) -> list[tuple[System, list[PersonSkillLine]]]:
    """A person's stored levels grouped by system, highest first. Two queries: the levels,
    their skills with systems."""
    today = today or timezone.localdate()
    levels = stored_levels([person.pk], None)
    skills = Skill.objects.select_related("system").in_bulk({skill_id for _, skill_id in levels})
    by_system: dict[int, tuple[System, list[PersonSkillLine]]] = {}
    for (_, skill_id), level in levels.items():
        skill = skills[skill_id]
        line = PersonSkillLine(skill, level, level.is_fresh(today))
        by_system.setdefault(skill.system_id, (skill.system, []))[1].append(line)
    systems = sorted(by_system.values(), key=lambda item: item[0].name)
    for _, lines in systems:
        lines.sort(key=lambda line: (-line.level.level, line.skill.name))
    return systems


def person_timeline(person: Person) -> list[TimelineEntry]:
    """Every change of a person's levels with its cause, newest first: an explanation, so
    recomputed from the same rule as the store. At most nine queries: assessments with skills,
    systems and authors; evidence (six); the skills only evidence names."""
    assessments = list(
        Assessment.objects.filter(person=person).select_related("skill__system", "author").order_by("assessed_at", "id")
    )
    by_skill: dict[int, list[rules.AssessmentFact]] = defaultdict(list)
    skills: dict[int, Skill] = {}
    by_id = {a.pk: a for a in assessments}
    for a in assessments:
        by_skill[a.skill_id].append(facts.assessment_fact(a))
        skills[a.skill_id] = a.skill
    evidence = facts.evidence_facts([person.pk], None)
    missing = {skill_id for _, skill_id in evidence} - skills.keys()
    if missing:
        skills.update(Skill.objects.select_related("system").in_bulk(missing))
    timeline: list[TimelineEntry] = []
    for skill_id, skill in skills.items():
        for change in rules.level_history(by_skill.get(skill_id, ()), evidence.get((person.pk, skill_id), ())):
            cause = change.cause
            is_assessment = isinstance(cause, rules.AssessmentFact)
            timeline.append(
                TimelineEntry(
                    change.at,
                    skill,
                    change.before,
                    change.after,
                    by_id.get(cause.id) if is_assessment else None,
                    None if is_assessment else cause,
                )
            )
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    return timeline


def person_profile(person: Person, *, today=None) -> PersonProfile:
    """A person's stored levels by system, and the timeline that explains them."""
    return PersonProfile(person_levels(person, today=today), person_timeline(person))


@dataclass
class CoverageLine:
    skill: Skill
    bus_factor: int
    holders: list[Person]


def team_coverage(team, *, today=None) -> list[CoverageLine]:
    """Bus factor of every skill of the team's systems, counting active people of any team.
    Three queries: skills with systems, the covers of those skills, the people covering."""
    today = today or timezone.localdate()
    skills = list(Skill.objects.for_team(team).select_related("system"))
    covers = CurrentLevel.objects.filter(
        skill__in=[s.pk for s in skills],
        level__gte=rules.COVER_LEVEL,
        person__in=Person.objects.active(today).values("pk"),
    )
    by_skill: dict[int, list[int]] = defaultdict(list)
    for person_id, skill_id in covers.order_by().values_list("person_id", "skill_id"):
        by_skill[skill_id].append(person_id)
    people = Person.objects.in_bulk({pk for pks in by_skill.values() for pk in pks}) if by_skill else {}
    lines = [
        CoverageLine(s, len(by_skill[s.pk]), sorted((people[pk] for pk in by_skill[s.pk]), key=str)) for s in skills
    ]
    lines.sort(key=lambda line: (line.bus_factor, line.skill.system.tier, line.skill.system.name, line.skill.name))
    return lines


def team_summary(team) -> dict:
    coverage = team_coverage(team)
    members = list(Person.objects.for_team(team).order_by("departed_on", "name"))
    return {
        "coverage": coverage,
        "uncovered": [line for line in coverage if line.bus_factor == 0],
        "single_points": [line for line in coverage if line.bus_factor == 1],
        "members": members,
        "leads": [p for p in members if p.is_lead and not p.is_departed],
        "systems": list(System.objects.filter(team=team).annotate_skill_count()),
    }


def levels_summary(person: Person) -> dict:
    """The levels part of a person's home page: their own levels, their team's thin covers and
    what they could learn next. A fixed number of queries (``person_levels`` and
    ``team_coverage``)."""
    context: dict = {"person": person, "my_levels": person_levels(person)}
    context["my_cover_count"] = sum(1 for _, lines in context["my_levels"] for line in lines if line.level.covers)
    if person.team_id is None:
        return context
    coverage = team_coverage(person.team)
    context["team"] = person.team
    context["skill_count"] = len(coverage)
    context["uncovered"] = [line for line in coverage if line.bus_factor == 0]
    context["single_points"] = [line for line in coverage if line.bus_factor == 1]
    context["my_single_points"] = [line for line in context["single_points"] if person in line.holders]
    my_level = {line.skill.pk: line.level.level for _, lines in context["my_levels"] for line in lines}
    # What to learn next: the team's thinnest covers that this person does not hold yet,
    # critical systems first, starting from what they already know a little.
    thin = [line for line in coverage if line.bus_factor <= 1 and my_level.get(line.skill.pk, 0) < rules.COVER_LEVEL]
    thin.sort(key=lambda line: (line.bus_factor, line.skill.system.tier, -my_level.get(line.skill.pk, 0)))
    context["learn_next"] = [
        {
            "skill": line.skill,
            "bus_factor": line.bus_factor,
            "holders": line.holders,
            "my_level": my_level.get(line.skill.pk, 0),
        }
        for line in thin[:8]
    ]
    return context


@dataclass
class Holder:
    person: Person
    level: StoredLevel
    fresh: bool
    last_practised: object = None


@dataclass
class SkillHolders:
    skill: Skill
    holders: list[Holder]

    @property
    def bus_factor(self) -> int:
        return sum(1 for h in self.holders if h.level.covers and not h.person.is_departed)

    @property
    def fresh_bus_factor(self) -> int:
        return sum(1 for h in self.holders if h.level.covers and h.fresh and not h.person.is_departed)


def system_holders(system: System, *, skills=None, today=None) -> dict:
    """Each skill of the system (or just ``skills``) with everyone who has a level in it and when
    each last practised it, and the recent evidence. A fixed number of queries: skills, stored
    levels, the people named, recent evidence (five)."""
    today = today or timezone.localdate()
    skills = list(system.skills.all() if skills is None else skills)
    levels = stored_levels(None, [s.pk for s in skills])
    people = Person.objects.in_bulk({person_id for person_id, _ in levels}) if levels else {}
    by_skill: dict[int, list[Holder]] = defaultdict(list)
    for (person_id, skill_id), level in levels.items():
        by_skill[skill_id].append(Holder(people[person_id], level, level.is_fresh(today), level.practised_at))
    lines = []
    for skill in skills:
        holders = sorted(by_skill[skill.pk], key=lambda h: (h.person.is_departed, -h.level.level, str(h.person)))
        lines.append(SkillHolders(skill, holders))
    return {
        "skill_lines": lines,
        "uncovered": sum(1 for line in lines if line.bus_factor == 0),
        "single_points": sum(1 for line in lines if line.bus_factor == 1),
        "recent_evidence": evidence_selectors.recent_evidence([s.pk for s in skills]),
    }
