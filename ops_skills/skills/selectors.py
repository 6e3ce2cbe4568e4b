"""Reads for the skill pages: a fixed number of queries, whatever the size of the team.

The rows are turned into the plain facts of ``rules`` here, and every level is computed there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import FETCH_PEERS, QuerySet
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence import selectors as evidence_selectors
from ops_skills.people.models import Person
from ops_skills.skills import rules
from ops_skills.skills.models import Assessment, Skill, System

Pair = tuple[int, int]  # (person id, skill id)


def assessment_facts(
    people: QuerySet | Iterable[int] | None, skills: QuerySet | Iterable[int] | None
) -> dict[Pair, list[rules.AssessmentFact]]:
    """All assessments of these people in these skills, grouped by (person, skill). One query.
    ``people=None``: everyone, without a ``person__in`` filter (which makes SQLite probe the
    (person, skill, assessed_at) index once per person and skill instead of using the skill index);
    ``skills=None``: every skill, a plain scan rather than a subquery over all skills."""
    rows = Assessment.objects.all()
    if skills is not None:
        rows = rows.filter(skill__in=skills)
    if people is not None:
        rows = rows.filter(person__in=people)
    rows = rows.order_by().values_list("id", "person_id", "skill_id", "level", "source", "assessed_at", "author_id")
    facts: dict[Pair, list[rules.AssessmentFact]] = defaultdict(list)
    for pk, person_id, skill_id, level, source, at, author_id in rows.iterator(chunk_size=5000):
        facts[person_id, skill_id].append(rules.AssessmentFact(pk, level, source, at, author_id))
    return facts


def levels_and_practice(people, skills) -> tuple[dict[Pair, rules.Level], dict[Pair, object]]:
    """The current level of every (person, skill) that has any assessment or confirmed
    evidence, and when each person last practised each skill. ``people=None``: everyone;
    ``skills=None``: every skill (the whole organisation: no filters at all)."""
    assessments = assessment_facts(people, skills)
    evidence = evidence_selectors.evidence_facts(people, skills)
    levels = {
        pair: rules.current_level(assessments.get(pair, ()), evidence.get(pair, ()))
        for pair in assessments.keys() | evidence.keys()
    }
    return levels, evidence_selectors.last_practised_from(evidence)


def current_levels(people, skills) -> dict[Pair, rules.Level]:
    return levels_and_practice(people, skills)[0]


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
    cells: list[tuple[int, rules.Level | None, bool]]  # (skill id, level, fresh)


@dataclass
class Matrix:
    groups: list[SystemGroup]
    rows: list[MatrixRow]

    @property
    def columns(self) -> list[SkillColumn]:
        return [c for g in self.groups for c in g.columns]


def skill_matrix(people: QuerySet, skills: QuerySet, *, today=None) -> Matrix:
    """People × skills with each cell's current level and freshness, and each skill's bus factor
    over the whole organisation (not only the people shown). Four queries: people shown, skills
    with their systems, active people, assessments in these skills (plus evidence once it exists).
    """
    today = today or timezone.localdate()
    people_list = list(people.select_related("team").fetch_mode(FETCH_PEERS))
    skill_list = list(skills.select_related("system").order_by("system__name", "name"))
    active_ids = set(Person.objects.active(today).values_list("pk", flat=True))
    levels, practised = levels_and_practice(None, skills)

    groups: list[SystemGroup] = []
    for skill in skill_list:
        if not groups or groups[-1].system.pk != skill.system_id:
            groups.append(SystemGroup(skill.system))
        groups[-1].columns.append(SkillColumn(skill))
    bus_factor = defaultdict(int)
    for (person_id, skill_id), level in levels.items():
        if level.covers and person_id in active_ids:
            bus_factor[skill_id] += 1
    for group in groups:
        for column in group.columns:
            column.bus_factor = bus_factor[column.skill.pk]

    rows = []
    for person in people_list:
        cells = []
        for skill in skill_list:
            level = levels.get((person.pk, skill.pk))
            fresh = rules.is_fresh(practised.get((person.pk, skill.pk)), skill.freshness_days, today)
            cells.append((skill.pk, level, fresh))
        rows.append(MatrixRow(person, cells))
    return Matrix(groups, rows)


@dataclass
class PersonSkillLine:
    skill: Skill
    level: rules.Level
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


def person_profile(person: Person, *, today=None) -> PersonProfile:
    """A person's current levels grouped by system, and every change of them with its cause,
    newest first. At most nine queries: assessments with skills, systems and authors; evidence
    (six); the skills only evidence names."""
    today = today or timezone.localdate()
    assessments = list(
        Assessment.objects.filter(person=person).select_related("skill__system", "author").order_by("assessed_at", "id")
    )
    facts: dict[int, list[rules.AssessmentFact]] = defaultdict(list)
    skills: dict[int, Skill] = {}
    by_id = {a.pk: a for a in assessments}
    for a in assessments:
        facts[a.skill_id].append(a.as_fact())
        skills[a.skill_id] = a.skill
    evidence = evidence_selectors.evidence_facts([person.pk], None)
    missing = {skill_id for _, skill_id in evidence} - skills.keys()
    if missing:
        skills.update(Skill.objects.select_related("system").in_bulk(missing))
    practised = evidence_selectors.last_practised_from(evidence)
    by_system: dict[int, tuple[System, list[PersonSkillLine]]] = {}
    timeline: list[TimelineEntry] = []
    for skill_id, skill in skills.items():
        skill_evidence = evidence.get((person.pk, skill_id), ())
        level = rules.current_level(facts.get(skill_id, ()), skill_evidence)
        for change in rules.level_history(facts.get(skill_id, ()), skill_evidence):
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
        if level.level == 0 and skill_id not in facts:
            continue
        fresh = rules.is_fresh(practised.get((person.pk, skill_id)), skill.freshness_days, today)
        by_system.setdefault(skill.system_id, (skill.system, []))[1].append(PersonSkillLine(skill, level, fresh))
    systems = sorted(by_system.values(), key=lambda item: item[0].name)
    for _, lines in systems:
        lines.sort(key=lambda line: (-line.level.level, line.skill.name))
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    return PersonProfile(systems, timeline)


def person_levels(person: Person, *, today=None) -> list[tuple[System, list[PersonSkillLine]]]:
    return person_profile(person, today=today).systems


@dataclass
class CoverageLine:
    skill: Skill
    bus_factor: int
    holders: list[Person]


def team_coverage(team, *, today=None) -> list[CoverageLine]:
    """Bus factor of every skill of the team's systems, counting active people of any team.
    Three queries: people, skills with systems, assessments."""
    today = today or timezone.localdate()
    people = Person.objects.active(today)
    skills = Skill.objects.for_team(team).select_related("system")
    people_by_id = {p.pk: p for p in people}
    levels = current_levels(people, skills)
    holders: dict[int, list[Person]] = defaultdict(list)
    for (person_id, skill_id), level in levels.items():
        if level.covers and person_id in people_by_id:
            holders[skill_id].append(people_by_id[person_id])
    lines = [CoverageLine(s, len(holders[s.pk]), sorted(holders[s.pk], key=str)) for s in skills]
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


def home_summary(person: Person) -> dict:
    """What matters to this person on their home page."""
    context: dict = {"person": person, "my_levels": person_levels(person)}
    covered = sum(1 for _, lines in context["my_levels"] for line in lines if line.level.covers)
    context["my_cover_count"] = covered
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
    if person.is_lead or person.is_admin:
        context["pending_invitations"] = person.team.invitations.pending().count()
    return context


@dataclass
class Holder:
    person: Person
    level: rules.Level
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
    """Each skill of the system (or just ``skills``) with everyone who has a level in it, when
    each last practised it, and the recent evidence. A fixed number of queries: skills,
    assessments, evidence (six), the people named, recent evidence (five)."""
    today = today or timezone.localdate()
    skills = list(system.skills.all() if skills is None else skills)
    levels, practised = levels_and_practice(None, [s.pk for s in skills])
    people = Person.objects.in_bulk({person_id for person_id, _ in levels})
    skills_by_id = {s.pk: s for s in skills}
    by_skill: dict[int, list[Holder]] = defaultdict(list)
    for (person_id, skill_id), level in levels.items():
        if level.level > 0:
            skill = skills_by_id[skill_id]
            last = practised.get((person_id, skill_id))
            fresh = rules.is_fresh(last, skill.freshness_days, today)
            by_skill[skill_id].append(Holder(people[person_id], level, fresh, last))
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
