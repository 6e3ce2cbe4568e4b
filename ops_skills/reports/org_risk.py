"""The organisation's risk on an admin's home page (see ``ops_skills.web.views.home``): the skills
nobody or only one person covers, most critical first, and the systems with the lowest truck
factor, each with the way to fix it."""

from __future__ import annotations

from django.utils import timezone

from ops_skills.reports import selectors
from ops_skills.reports.summary import summarise

SKILLS_SHOWN = 8
SYSTEMS_SHOWN = 5


def panel(person) -> dict | None:
    """For admins only. Queries: the org facts without the levels below a cover (people,
    systems, skills, covers: four), whatever the size of the organisation."""
    if not person.is_admin:
        return None
    summary = summarise(selectors.org_facts(today=timezone.localdate(), levels=False))
    thin = [s for system in summary.systems for s in system.skills if s.bus_factor <= 1]
    # Nobody before one person, critical systems first, then by name: the same order every time.
    thin.sort(key=lambda s: (s.bus_factor, s.system.tier, s.system.name, s.skill.name))
    systems = sorted(
        (row for row in summary.systems if row.truck.value is not None),
        key=lambda row: (row.truck.value, row.system.tier, -row.risk, row.system.name),
    )
    return {
        "org": summary.org,
        "thin": thin[:SKILLS_SHOWN],
        "thin_more": max(0, len(thin) - SKILLS_SHOWN),
        "systems": systems[:SYSTEMS_SHOWN],
    }
