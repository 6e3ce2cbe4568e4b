"""Loads the plain facts the reports are computed from, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts
from ops_skills.skills import rules
from ops_skills.skills.models import Skill, System
from ops_skills.skills.selectors import levels_and_practice


def org_facts(*, today: date | None = None, team: Team | None = None) -> OrgFacts:
    """Active people (as of ``today``), systems and skills (of ``team`` only, when given) with
    each skill's holders and fresh holders. Covers count across teams: someone on another team
    who can do it covers it. Queries: people, systems, skills, then the levels (assessments and
    confirmed evidence, see ``levels_and_practice``)."""
    today = today or timezone.localdate()
    people = {
        pk: PersonFacts(pk, email, name, team_id)
        for pk, email, name, team_id in Person.objects.active(today).values_list("pk", "email", "name", "team_id")
    }
    systems_qs = System.objects.order_by("name")
    skills_qs = Skill.objects.order_by("system__name", "name")
    if team is not None:
        systems_qs = systems_qs.filter(team=team)
        skills_qs = skills_qs.filter(system__team=team)
    systems = {
        pk: SystemFacts(pk, name, slug, team_id, tier)
        for pk, name, slug, team_id, tier in systems_qs.values_list("pk", "name", "slug", "team_id", "tier")
    }
    skill_rows = list(skills_qs.values_list("pk", "system_id", "name", "slug", "freshness_days"))
    # The whole organisation reads every level unfiltered: cheaper than a subquery over all skills.
    levels, practised = levels_and_practice(None, [row[0] for row in skill_rows] if team is not None else None)
    holders: dict[int, set[int]] = {}
    fresh: dict[int, set[int]] = {}
    freshness = {row[0]: row[4] for row in skill_rows}
    active_levels = {}
    for (person_id, skill_id), level in levels.items():
        if person_id not in people or skill_id not in freshness:
            continue
        active_levels[person_id, skill_id] = level.level
        if level.level >= rules.COVER_LEVEL:
            holders.setdefault(skill_id, set()).add(person_id)
            if rules.is_fresh(practised.get((person_id, skill_id)), freshness[skill_id], today):
                fresh.setdefault(skill_id, set()).add(person_id)
    skills = tuple(
        SkillFacts(pk, system_id, name, slug, frozenset(holders.get(pk, ())), frozenset(fresh.get(pk, ())))
        for pk, system_id, name, slug, _ in skill_rows
    )
    return OrgFacts(people=people, systems=systems, skills=skills, levels=active_levels)


def absent_between(first: date, last: date, *, people=None) -> dict[int, list[tuple[date, date]]]:
    """Who is absent on any day from ``first`` to ``last`` (inclusive): person id -> their
    absences' (starts_on, ends_on) overlapping that span. One query."""
    from ops_skills.reports.models import Absence

    qs = Absence.objects.filter(starts_on__lte=last, ends_on__gte=first)
    if people is not None:
        qs = qs.filter(person__in=people)
    found: dict[int, list[tuple[date, date]]] = {}
    for person_id, starts_on, ends_on in qs.values_list("person_id", "starts_on", "ends_on"):
        found.setdefault(person_id, []).append((starts_on, ends_on))
    return found


def report_facts(*, today: date | None = None, team: Team | None = None, span: tuple[date, date] | None = None):
    """``org_facts`` as of ``span``'s first day, without the people absent on any day of it.
    Returns (facts, {absent person id: [(starts_on, ends_on)…]}). Queries: org_facts + 1."""
    if span is None:
        return org_facts(today=today, team=team), {}
    first, last = span
    facts = org_facts(today=first, team=team)
    absent = absent_between(first, last)
    absent = {pk: spans for pk, spans in absent.items() if pk in facts.people}
    return facts.without(absent), absent


def only_tier(facts: OrgFacts, tier: int | None) -> OrgFacts:
    """The same facts restricted to the systems (and their skills) of one tier."""
    if tier is None:
        return facts
    systems = {pk: s for pk, s in facts.systems.items() if s.tier == tier}
    return OrgFacts(
        people=facts.people,
        systems=systems,
        skills=tuple(s for s in facts.skills if s.system_id in systems),
        levels=facts.levels,
    )
