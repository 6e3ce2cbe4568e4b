"""Writing a matrix: ``matrix_export`` writes the file a lead edits and imports again
(``apply.matrix_import``). It writes the latest lead levels, so exporting and importing again
changes nothing.
"""

from __future__ import annotations

import io

from ops_skills.levels.matrix_csv.parse import FIXED_COLUMNS
from ops_skills.levels.matrix_csv.plan import latest_lead_levels
from ops_skills.people import csv_safe
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill


def matrix_export(*, team: Team | None = None) -> str:
    """The matrix as CSV: every person of ``team`` (departed too; everyone when None) by email,
    every skill of the team's systems by system then skill slug, each cell the latest lead
    level or empty. Three queries."""
    people = Person.objects.all()
    skills = Skill.objects.all()
    assessments = Assessment.objects.all()
    if team is not None:
        people = people.filter(team=team)
        skills = skills.filter(system__team=team)
        assessments = assessments.filter(person__team=team, skill__system__team=team)
    skills = list(skills.order_by("system__slug", "slug").values_list("id", "system__slug", "slug"))
    levels = latest_lead_levels(assessments)
    out = io.StringIO()
    writer = csv_safe.writer(out)  # formulas neutralised; the import undoes it
    writer.writerow([*FIXED_COLUMNS, *(f"{system}/{slug}" for _, system, slug in skills)])
    skill_ids = [pk for pk, _, _ in skills]
    for person_id, email, name, team_slug in people.order_by("email").values_list("id", "email", "name", "team__slug"):
        cells = [email, name, team_slug or ""]
        cells.extend(levels.get((person_id, skill_id)) for skill_id in skill_ids)  # None: empty
        writer.writerow(cells)
    return out.getvalue()
