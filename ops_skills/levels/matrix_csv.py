"""Spreadsheet import and export of the skill matrix (DESIGN.md, "Interfaces").

The file is ``email,name,team,<system>/<skill>,…`` with levels 0–4 or empty cells. Three layers,
kept apart so each reads and tests alone:

- parsing and planning: plain functions from the text (and plain data read from the database) to
  a ``MatrixPlan``, what an import would create and change, or the errors that stop it;
- services: ``matrix_import`` loads what the plan needs in a fixed number of queries and applies
  it in one transaction, all or nothing; ``matrix_export`` writes the file back;
- views: upload → preview → confirm, and the download (``views.py`` checks login and role).

Imported levels are lead assessments. A cell is a change only when it differs from the person's
latest lead assessment, and the export writes exactly those levels, so exporting and importing
again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header

from ops_skills.levels import store
from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System

FIXED_COLUMNS = ("email", "name", "team")
LEVELS = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
SLUG_MAX = 100  # Skill.slug and System.slug
NAME_MAX = 150  # Person.name and Skill.name
EMAIL_MAX = 254
NOTE_MAX = 300  # Assessment.note
MAX_ERRORS = 200  # reported one by one; the rest are counted
PREVIEW_LIMIT = 200  # rows of each list the preview page shows
ASSESSMENT_BATCH = 20_000  # rows per executemany: few round trips, flat memory
PEOPLE_BATCH = 1000


# Parsing: text → Sheet ------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The upload is not text this import can read (not UTF-8)."""


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without the BOM spreadsheets write."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("the file is UTF-16 text; save it as “CSV UTF-8 (comma delimited)” and upload it again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save it as “CSV UTF-8 (comma delimited)” and upload it again"
        ) from None


def neutralise(cell: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with ``'``, which shows it as text."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unneutralise(cell: str) -> str:
    """Undo ``neutralise``, so the round trip is exact."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _clean(cell: str) -> str:
    return unneutralise(cell.strip())


@dataclass(frozen=True, slots=True)
class MatrixError:
    """One problem in the file, at a line (1-based, the header is line 1) and a column."""

    message: str
    line: int | None = None
    column: int | None = None
    header: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"line {self.line}"
        if self.column is not None:
            where += f", column {self.column}" + (f" ({self.header})" if self.header else "")
        return f"{where}: {self.message}"


@dataclass
class ErrorList:
    """The first ``MAX_ERRORS`` errors found, the rest counted."""

    items: list[MatrixError] = field(default_factory=list)
    omitted: int = 0

    def add(self, message: str, line: int | None = None, column: int | None = None, header: str = "") -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(MatrixError(message, line, column, header))
        else:
            self.omitted += 1

    def __len__(self) -> int:
        return len(self.items) + self.omitted

    def sort(self) -> None:
        """In file order: the file as a whole first, then by line and column."""
        self.items.sort(key=lambda e: (e.line or 0, e.column or 0))


@dataclass(frozen=True, slots=True)
class Column:
    """A ``<system>/<skill>`` column as written in the header."""

    index: int  # 1-based position in the file
    header: str
    system: str
    skill: str


@dataclass(slots=True)
class Row:
    line: int
    email: str  # lower case
    name: str
    team: str  # as written: a slug or a name, "" for no change
    levels: list[int | None]  # one per skill column, None for an empty cell


@dataclass
class Sheet:
    """The file read and checked on its own, before anything is looked up."""

    columns: list[Column | None]  # one per skill column; None when the header is unusable
    rows: list[Row]
    errors: ErrorList


def _records(text: str):
    """(line, cells) for every non-blank record; a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    for cells in reader:
        line, end = end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells


def parse_sheet(text: str) -> Sheet:
    """Read the header and the rows: column forms, levels, emails, duplicates, row widths."""
    errors = ErrorList()
    sheet = Sheet([], [], errors)
    records = _records(text.removeprefix("\ufeff"))
    try:
        header_line, header = next(records, (None, None))
        if header is None:
            errors.add("the file is empty: expected the header email,name,team,<system>/<skill>,…")
            return sheet
        header = [_clean(cell) for cell in header]
        if not _check_fixed_columns(header, header_line, errors):
            return sheet
        sheet.columns = _parse_columns(header, header_line, errors)
        seen_emails: dict[str, int] = {}
        for line, cells in records:
            row = _parse_row(line, [_clean(cell) for cell in cells], header, seen_emails, errors)
            if row is not None:
                sheet.rows.append(row)
    except csv.Error as exc:
        errors.add(f"not a readable CSV file ({exc})")
    return sheet


def _check_fixed_columns(header: list[str], line: int, errors: ErrorList) -> bool:
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        errors.add("the columns must be separated by commas; save the sheet as “CSV UTF-8 (comma delimited)”", line)
        return False
    for index, expected in enumerate(FIXED_COLUMNS, start=1):
        got = header[index - 1] if index <= len(header) else ""
        if got.lower() != expected:
            errors.add(f'the first three columns must be email, name, team; got "{got}"', line, index, got)
            return False
    return True


def _parse_columns(header: list[str], line: int, errors: ErrorList) -> list[Column | None]:
    columns: list[Column | None] = []
    first_seen: dict[str, int] = {}
    for index, text in enumerate(header[len(FIXED_COLUMNS) :], start=len(FIXED_COLUMNS) + 1):
        system, slash, skill = text.partition("/")
        if not (slash and SLUG_RE.match(system) and SLUG_RE.match(skill)) or len(skill) > SLUG_MAX:
            errors.add(
                f'a skill column must be "<system>/<skill>" (slugs: letters, digits, - and _), got "{text}"',
                line,
                index,
                text,
            )
            columns.append(None)
        elif text.lower() in first_seen:
            errors.add(f"duplicate column, first in column {first_seen[text.lower()]}", line, index, text)
            columns.append(None)
        else:
            first_seen[text.lower()] = index
            columns.append(Column(index, text, system, skill))
    return columns


def _parse_row(
    line: int, cells: list[str], header: list[str], seen_emails: dict[str, int], errors: ErrorList
) -> Row | None:
    if len(cells) != len(header):
        errors.add(f"{len(cells)} cells, expected {len(header)} like the header", line)
        return None
    email, name, team = cells[0].lower(), cells[1], cells[2]
    valid = True
    if not email:
        errors.add("email is required", line, 1, "email")
        valid = False
    elif email in seen_emails:
        errors.add(f'duplicate email "{email}", first on line {seen_emails[email]}', line, 1, "email")
        valid = False
    else:
        seen_emails[email] = line
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.add(f'not a valid email address: "{cells[0]}"', line, 1, "email")
            valid = False
    if len(name) > NAME_MAX:
        errors.add(f"name is longer than {NAME_MAX} characters", line, 2, "name")
        valid = False
    levels: list[int | None] = []
    for index, cell in enumerate(cells[len(FIXED_COLUMNS) :], start=len(FIXED_COLUMNS) + 1):
        if not cell:
            levels.append(None)
            continue
        level = LEVELS.get(cell)
        if level is None:
            errors.add(f'level must be 0–4 or empty, got "{cell}"', line, index, header[index - 1])
        levels.append(level)
    return Row(line, email, name, team, levels) if valid else None


# Planning: Sheet + what the database holds → MatrixPlan ----------------------------------------


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


# Services: load, apply, export -----------------------------------------------------------------


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


def load_state(author: Person, sheet: Sheet) -> MatrixState:
    """Five queries whatever the size of the sheet: teams, systems, their skills, the people
    named, their latest lead levels."""
    teams = [TeamRef(*t) for t in Team.objects.values_list("id", "slug", "name")]
    systems = [SystemRef(*s) for s in System.objects.values_list("id", "slug", "team_id")]
    named = {c.system.lower() for c in sheet.columns if c}
    system_ids = [s.id for s in systems if s.slug.lower() in named]
    skills = {
        (system_id, slug): skill_id
        for skill_id, system_id, slug in Skill.objects.filter(system_id__in=system_ids)
        .order_by()
        .values_list("id", "system_id", "slug")
    }
    people = {
        email: PersonRef(pk, email, name, team_id)
        for pk, email, name, team_id in Person.objects.filter(email__in=[r.email for r in sheet.rows]).values_list(
            "id", "email", "name", "team_id"
        )
    }
    lead_levels = {}
    if people and skills:
        lead_levels = latest_lead_levels(
            Assessment.objects.filter(person_id__in=[p.id for p in people.values()], skill_id__in=list(skills.values()))
        )
    return MatrixState(
        author=Author(author.pk, author.is_admin, author.team_id),
        teams=teams,
        systems=systems,
        skills=skills,
        people=people,
        lead_levels=lead_levels,
    )


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

    A plain INSERT run with executemany, in batches: building and preparing a model instance per
    cell made ``bulk_create`` of a 500 × 1,000 sheet take 40 s (the database itself took 4), longer
    than a web request may. The plan has checked every value; the table's constraints still hold.
    """
    opts = Assessment._meta
    connection = transaction.get_connection()
    names = ("person", "skill", "level", "source", "author", "note", "assessed_at")
    columns = ", ".join(connection.ops.quote_name(opts.get_field(name).column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    when = opts.get_field("assessed_at").get_db_prep_save(assessed_at, connection)
    # Table and column names come from the model, never from the file.
    sql = f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for batch in itertools.batched(rows, ASSESSMENT_BATCH):
            cursor.executemany(sql, [(*row, when) for row in batch])


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


# Views ----------------------------------------------------------------------------------------

TEMPLATE = "skills/matrix_import.html"
SESSION_KEY = "skills:matrix-import"


class MatrixUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # an empty file gets the import's own error, like from the shell
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            self.add_error("file", f"The file is larger than {limit // (1024 * 1024)} MB.")
            return cleaned
        try:
            cleaned["text"] = decode(upload.read())
        except UnreadableFile as exc:
            self.add_error("file", f"Cannot read {upload.name}: {exc}.")
        cleaned["filename"] = PurePath(upload.name).name
        return cleaned


def import_view(request):
    """GET: the upload form. POST a file: the preview, nothing written. POST confirm: the write."""
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    if request.method == "POST":
        form = MatrixUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, TEMPLATE, {"form": form}, status=400)
        return _import_preview(request, form.cleaned_data["text"], form.cleaned_data["filename"])
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, TEMPLATE, {"form": MatrixUploadForm()})


def _import_preview(request, text: str, filename: str):
    request.session.pop(SESSION_KEY, None)  # a new upload replaces one waiting for confirmation
    result = matrix_import(author=request.user, text=text, filename=filename, dry_run=True)
    token = ""
    if result.ok and result.plan.has_work:
        # Kept server-side (the session is in the database) until confirmed: any worker can apply it.
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {"token": token, "text": text, "filename": result.filename}
    return _render_result(request, result, token)


def _import_confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or not constant_time_compare(pending["token"], request.POST.get("token", "")):
        messages.error(request, "This import expired or another file was uploaded since. Upload the file again.")
        return redirect("skills:matrix-import")
    del request.session[SESSION_KEY]  # used once, whatever the outcome
    result = matrix_import(author=request.user, text=pending["text"], filename=pending["filename"])
    if not result.written:
        return _render_result(request, result, "")
    messages.success(request, f"Imported {result.filename}: {result.plan.summary()}.")
    return redirect("skills:matrix")


def _render_result(request, result: ImportResult, token: str):
    plan = result.plan
    context = {
        "form": MatrixUploadForm(),
        "result": result,
        "plan": plan,
        "token": token,
        "limit": PREVIEW_LIMIT,
        "people_to_create": plan.people_to_create[:PREVIEW_LIMIT],
        "people_to_update": plan.people_to_update[:PREVIEW_LIMIT],
        "skills_to_create": plan.skills_to_create[:PREVIEW_LIMIT],
        "changes": plan.changes[:PREVIEW_LIMIT],
    }
    return render(request, TEMPLATE, context, status=200 if result.ok else 400)


def export_view(request):
    """The matrix as a CSV download, for one team (``?team=<slug>``) or everyone."""
    slug = request.GET.get("team", "")
    team = get_object_or_404(Team, slug=slug) if slug else None
    filename = f"skill-matrix-{team.slug}.csv" if team else "skill-matrix.csv"
    # The BOM makes Excel read the file as UTF-8 (names with accents); the import ignores it.
    response = HttpResponse("\ufeff" + matrix_export(team=team), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
