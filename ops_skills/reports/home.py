"""What the reports app shows on a person's home page (see ``ops_skills.web.views.home``):
a lead is warned of skills of their team's systems that nobody covers on some day of the next
four weeks because of planned absences."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ops_skills.reports import selectors

HORIZON_DAYS = 28
SHOWN = 8


def panel(person) -> dict | None:
    """Queries: absences in the next four weeks (1); when there are any, org facts for the
    team (people, systems, skills, levels)."""
    if not person.is_lead or person.team_id is None:
        return None
    gaps = uncovered_by_absences(team=person.team, today=timezone.localdate())
    if not gaps:
        return None
    return {
        "template": "reports/_home_panel.html",
        "team": person.team,
        "gaps": gaps[:SHOWN],
        "more": max(0, len(gaps) - SHOWN),
    }


def uncovered_by_absences(*, team, today, days: int = HORIZON_DAYS) -> list[dict]:
    """Each skill of ``team``'s systems that is covered today but has no holder present on some
    day of the next ``days`` days, with the first and last such day and who is away."""
    last = today + timedelta(days=days - 1)
    absent = selectors.absent_between(today, last)
    if not absent:
        return []
    facts = selectors.org_facts(today=today, team=team, levels=False)
    people = facts.people
    gaps = []
    for skill in facts.skills:
        holders = skill.holders
        if not holders or not holders <= absent.keys():
            continue
        uncovered_days = [
            day
            for day in (today + timedelta(days=i) for i in range(days))
            if all(any(a <= day <= b for a, b in absent[p]) for p in holders)
        ]
        if uncovered_days:
            gaps.append(
                {
                    "skill": skill,
                    "system": facts.systems[skill.system_id],
                    "first": uncovered_days[0],
                    "last": uncovered_days[-1],
                    "away": sorted((people[p] for p in holders), key=lambda p: p.email),
                }
            )
    gaps.sort(key=lambda g: (g["first"], g["system"].tier, g["system"].name, g["skill"].name))
    return gaps
