"""Writing a matrix: ``matrix_import`` applies a sheet's plan, ``matrix_export`` writes the file.

The import parses and plans the sheet and applies the plan in one transaction, all or nothing,
refreshing the stored levels of the cells it changed; the export writes the latest lead levels,
so exporting and importing again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from ops_skills.levels import bulk, store
from ops_skills.levels.matrix_csv.parse import FIXED_COLUMNS, ErrorList, neutralise, parse_sheet
from ops_skills.levels.matrix_csv.plan import MatrixPlan, build_plan, latest_lead_levels, load_state
from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill

NOTE_MAX = 300  # Assessment.note
PEOPLE_BATCH = 1000


@dataclass
class ImportResult:
    """A plan and whether it was written (never when it has errors, nor in a dry run)."""

    plan: MatrixPlan
    filename: str
    written: bool = False

    @property
    def errors(self) -> ErrorList:
        return self.plan.errors

    @property
    def ok(self) -> bool:
        return self.plan.ok


def matrix_import(*, author: Person, text: str, filename: str, dry_run: bool = False) -> ImportResult:
    """Import a matrix sheet as lead assessments by ``author``: all of it, or nothing when any
    row or column is wrong. ``dry_run`` plans and reports without writing."""
    if not permissions.can_import(author):
        raise PermissionDenied("Only leads and admins import the skill matrix.")
    filename = PurePath(filename or "a spreadsheet").name
    sheet = parse_sheet(text)
    try:
        # Planned inside the write transaction, so what is checked is what gets written.
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            plan = build_plan(sheet, load_state(author, sheet))
            result = ImportResult(plan, filename)
            if plan.ok and not dry_run:
                _apply(plan, author=author, filename=filename)
                result.written = True
    except IntegrityError:
        plan = MatrixPlan(errors=ErrorList())
        plan.errors.add("someone changed the same people or skills during the import; nothing was written, try again")
        result = ImportResult(plan, filename)
    return result


def _apply(plan: MatrixPlan, *, author: Person, filename: str) -> None:
    person_ids = {}
    if plan.people_to_create:
        # No login until invited: active, but no usable password.
        new_people = [
            Person(
                email=p.email,
                name=p.name,
                team_id=p.team_id,
                role=Person.Role.MEMBER,
                is_active=True,
                password=make_password(None),
            )
            for p in plan.people_to_create
        ]
        created = Person.objects.bulk_create(new_people, batch_size=PEOPLE_BATCH)
        person_ids = {p.email: p.pk for p in created}
        if None in person_ids.values():  # a database that cannot return ids from a bulk insert
            person_ids = dict(Person.objects.filter(email__in=list(person_ids)).values_list("email", "id"))
    if plan.people_to_update:
        Person.objects.bulk_update(
            [Person(pk=u.person_id, name=u.name, team_id=u.team_id) for u in plan.people_to_update],
            ["name", "team"],
            batch_size=PEOPLE_BATCH,
        )
    skill_ids = {}
    if plan.skills_to_create:
        created = Skill.objects.bulk_create(
            [Skill(system_id=s.system_id, slug=s.slug, name=s.name) for s in plan.skills_to_create]
        )
        skill_ids = {s.column: skill.pk for s, skill in zip(plan.skills_to_create, created, strict=True)}
        if None in skill_ids.values():
            by_key = {
                (system_id, slug): pk
                for pk, system_id, slug in Skill.objects.filter(
                    system_id__in={s.system_id for s in plan.skills_to_create}
                ).values_list("id", "system_id", "slug")
            }
            skill_ids = {s.column: by_key[s.system_id, s.slug] for s in plan.skills_to_create}
    cells = {
        (change.person_id or person_ids[change.email], change.skill_id or skill_ids[change.column]): change.new
        for change in plan.changes
    }
    assessed_at = timezone.now()
    source, note = Assessment.Source.LEAD.value, f"imported from {filename}"[:NOTE_MAX]
    _insert_assessments(
        ((person_id, skill_id, level, source, author.pk, note) for (person_id, skill_id), level in cells.items()),
        assessed_at=assessed_at,
    )
    # The stored levels of exactly the cells the sheet changed, in the same transaction.
    store.refresh_after_import(cells, at=assessed_at)


def _insert_assessments(rows: Iterable[tuple], *, assessed_at: datetime) -> None:
    """Insert (person id, skill id, level, source, author id, note) rows, all at ``assessed_at``.

    ``bulk.insert``, in batches: building and preparing a model instance per cell made
    ``bulk_create`` of a 500 × 1,000 sheet take 40 s (the database itself took 4), longer than a
    web request may. The plan has checked every value; the table's constraints still hold.
    """
    opts = Assessment._meta
    connection = transaction.get_connection()
    names = ("person", "skill", "level", "source", "author", "note", "assessed_at")
    when = opts.get_field("assessed_at").get_db_prep_save(assessed_at, connection)
    bulk.insert(
        opts.db_table,
        [opts.get_field(name).column for name in names],
        ["bigint", "bigint", "smallint", "text", "bigint", "text", "timestamptz"],
        ((*row, when) for row in rows),
    )


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
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in [*FIXED_COLUMNS, *(f"{system}/{slug}" for _, system, slug in skills)]])
    skill_ids = [pk for pk, _, _ in skills]
    for person_id, email, name, team_slug in people.order_by("email").values_list("id", "email", "name", "team__slug"):
        cells = [neutralise(email), neutralise(name), neutralise(team_slug or "")]
        for skill_id in skill_ids:
            level = levels.get((person_id, skill_id))
            cells.append("" if level is None else str(level))
        writer.writerow(cells)
    return out.getvalue()
