"""Applying a matrix sheet: ``matrix_import`` parses and plans it, then writes the plan in one
short transaction, all or nothing, refreshing the stored levels of the cells it changed.

Everything that takes time without writing (reading the file, checking every row, loading what
the database holds, planning) happens before the write transaction opens: on SQLite a write
transaction holds the database's only write lock, and every other write waits for it (for the
``timeout`` of ``settings.DATABASES``). Inside it, the state the plan was made from is read again
(a few small queries): when something changed since, the plan is made again there, so what is
checked is still what gets written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from ops_skills.levels import bulk, store
from ops_skills.levels.audit import record_matrix_import
from ops_skills.levels.matrix_csv.parse import ErrorList, Sheet, parse_sheet
from ops_skills.levels.matrix_csv.plan import MatrixPlan, Pair, build_plan, load_state
from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System

NOTE_MAX = Assessment._meta.get_field("note").max_length
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
    state = load_state(author, sheet)
    plan = build_plan(sheet, state)
    result = ImportResult(plan, filename)
    if not plan.ok or dry_run:
        return result
    if not plan.has_work:
        result.written = True  # nothing to write
        return result
    try:
        with transaction.atomic():
            plan = _plan_again_if_changed(sheet, author, state, plan)
            result = ImportResult(plan, filename)
            if plan.ok:
                _apply(plan, author=author, filename=filename)
                result.written = True
    except IntegrityError:
        plan = MatrixPlan(errors=ErrorList())
        plan.errors.add("someone changed the same people or skills during the import; nothing was written, try again")
        result = ImportResult(plan, filename)
    return result


def _plan_again_if_changed(sheet: Sheet, author: Person, state, plan: MatrixPlan) -> MatrixPlan:
    """The plan, or a new one when the database changed since it was made (inside the write
    transaction: nothing changes any more until it ends)."""
    if load_state(author, sheet, levels=False).same_as(state):
        return plan
    return build_plan(sheet, load_state(author, sheet))


def _apply(plan: MatrixPlan, *, author: Person, filename: str) -> None:
    team_ids, system_ids = _create_teams_and_systems(plan)
    plan = _with_new_ids(plan, team_ids, system_ids)
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
            emails = bulk.values_in(person_ids)
            person_ids = dict(Person.objects.filter(email__in=emails).values_list("email", "id"))
    # Before the updates below: the trail reads the teams people are leaving.
    record_matrix_import(plan, filename=filename, created_ids=person_ids, team_ids=team_ids, system_ids=system_ids)
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
            systems = bulk.values_in({s.system_id for s in plan.skills_to_create})
            by_key = {
                (system_id, slug): pk
                for pk, system_id, slug in Skill.objects.filter(system_id__in=systems).values_list(
                    "id", "system_id", "slug"
                )
            }
            skill_ids = {s.column: by_key[s.system_id, s.slug] for s in plan.skills_to_create}
    cells = {
        (change.person_id or person_ids[change.email], change.skill_id or skill_ids[change.column]): change.new
        for change in plan.changes
    }
    assessed_at = timezone.now()
    _insert_assessments(cells, author=author, note=f"imported from {filename}"[:NOTE_MAX], assessed_at=assessed_at)
    # The stored levels of exactly the cells the sheet changed, in the same transaction.
    store.refresh_after_import(cells, at=assessed_at)


def _create_teams_and_systems(plan: MatrixPlan) -> tuple[dict[str, int], dict[str, int]]:
    """Create the teams and systems an admin's import names that do not exist yet (two INSERTs
    at most); their ids by slug."""
    team_ids: dict[str, int] = {}
    if plan.teams_to_create:
        created = Team.objects.bulk_create([Team(slug=t.slug, name=t.name) for t in plan.teams_to_create])
        team_ids = {t.slug: t.pk for t in created}
        if None in team_ids.values():
            team_ids = dict(Team.objects.filter(slug__in=list(team_ids)).values_list("slug", "id"))
    system_ids: dict[str, int] = {}
    if plan.systems_to_create:
        systems = [
            System(slug=s.slug, name=s.name, tier=s.tier, team_id=s.team_id or team_ids[s.team])
            for s in plan.systems_to_create
        ]
        created = System.objects.bulk_create(systems)
        system_ids = {s.slug: s.pk for s in created}
        if None in system_ids.values():
            system_ids = dict(System.objects.filter(slug__in=list(system_ids)).values_list("slug", "id"))
    return team_ids, system_ids


def _with_new_ids(plan: MatrixPlan, team_ids: dict[str, int], system_ids: dict[str, int]) -> MatrixPlan:
    """The plan with the ids of the teams and systems just created where it named them by slug."""
    if not team_ids and not system_ids:
        return plan
    return replace(
        plan,
        systems_to_create=[s._replace(team_id=s.team_id or team_ids[s.team]) for s in plan.systems_to_create],
        people_to_create=[
            p._replace(team_id=team_ids[p.team]) if p.team_id is None and p.team in team_ids else p
            for p in plan.people_to_create
        ],
        people_to_update=[
            u._replace(team_id=team_ids[u.team]) if u.team_id is None and u.team in team_ids else u
            for u in plan.people_to_update
        ],
        skills_to_create=[
            s._replace(system_id=system_ids[s.column.partition("/")[0]]) if s.system_id is None else s
            for s in plan.skills_to_create
        ],
    )


def _insert_assessments(cells: dict[Pair, int], *, author: Person, note: str, assessed_at: datetime) -> None:
    """Insert a lead assessment by ``author`` for every (person id, skill id) -> level of
    ``cells``, all with ``note`` at ``assessed_at``.

    ``bulk.insert``: building and preparing a model instance per cell made ``bulk_create`` of a
    500 × 1,000 sheet take 40 s (the database itself took 4), longer than a web request may. The
    plan has checked every value; the table's constraints still hold.
    """
    opts = Assessment._meta
    connection = transaction.get_connection()
    column = {name: opts.get_field(name).column for name in ("person", "skill", "level", "source", "author", "note")}
    when = opts.get_field("assessed_at").get_db_prep_save(assessed_at, connection)
    bulk.insert(
        opts.db_table,
        [column["person"], column["skill"], column["level"]],
        ["bigint", "bigint", "smallint"],
        ((person_id, skill_id, level) for (person_id, skill_id), level in cells.items()),
        same=[
            (column["source"], "text", Assessment.Source.LEAD.value),
            (column["author"], "bigint", author.pk),
            (column["note"], "text", note),
            (opts.get_field("assessed_at").column, "timestamptz", when),
        ],
    )
