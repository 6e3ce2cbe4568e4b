"""Parsing a matrix sheet: the text of the file → a ``Sheet``, before anything is looked up.

Decoding the upload, reading the header and the rows, and every error found on the way, at a
line and column. Plain functions over plain data; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ops_skills.people.csv_safe import unneutralise  # what the one CSV writer wrote
from ops_skills.people.models import Person
from ops_skills.people.validators import line_break_error, nul_error
from ops_skills.skills.models import Skill

FIXED_COLUMNS = ("email", "name", "team")
LEVELS = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
PLAIN_CELLS: dict[str, int | None] = {"": None, **LEVELS}  # cells that need no cleaning
_OTHER = object()
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
# Line breaks, NUL and the other control characters (``people.validators`` says which and why:
# a name is a single line, and PostgreSQL refuses a NUL byte), found in one pass.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What the columns are stored in, so that nothing too long reaches the database.
SLUG_MAX = Skill._meta.get_field("slug").max_length
NAME_MAX = min(Person._meta.get_field("name").max_length, Skill._meta.get_field("name").max_length)
EMAIL_MAX = Person._meta.get_field("email").max_length
MAX_ERRORS = 200  # reported one by one; the rest are counted


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
            row = _parse_row(line, cells, header, seen_emails, errors)
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
        if slash and SLUG_RE.match(system) and SLUG_RE.match(skill) and len(skill) > SLUG_MAX:
            errors.add(f"the skill slug is longer than {SLUG_MAX} characters", line, index, text[:SLUG_MAX] + "…")
            columns.append(None)
        elif not (slash and SLUG_RE.match(system) and SLUG_RE.match(skill)):
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
    """``cells`` as read: the first three are cleaned here, a level cell only when it is not
    plainly a level already (most of a sheet's hundreds of thousands)."""
    if len(cells) != len(header):
        errors.add(f"{len(cells)} cells, expected {len(header)} like the header", line)
        return None
    fixed = [_clean(cell) for cell in cells[: len(FIXED_COLUMNS)]]
    email, name, team = fixed[0].lower(), fixed[1], fixed[2]
    valid = True
    for index, column in enumerate(FIXED_COLUMNS):
        if CONTROL_RE.search(fixed[index]):
            errors.add(nul_error(fixed[index]) or line_break_error(fixed[index]), line, index + 1, column)
            valid = False
    if valid and not email:
        errors.add("email is required", line, 1, "email")
        valid = False
    elif valid and email in seen_emails:
        errors.add(f'duplicate email "{email}", first on line {seen_emails[email]}', line, 1, "email")
        valid = False
    elif valid:
        seen_emails[email] = line
        problem = _email_error(email, fixed[0])
        if problem:
            errors.add(problem, line, 1, "email")
            valid = False
    if len(name) > NAME_MAX:
        errors.add(f"name is longer than {NAME_MAX} characters", line, 2, "name")
        valid = False
    # Most cells are exactly a level or empty: read in one pass; the others cleaned one by one.
    level_cells = cells[len(FIXED_COLUMNS) :]
    levels: list = [PLAIN_CELLS.get(cell, _OTHER) for cell in level_cells]
    if _OTHER in levels:
        for position, cell in enumerate(level_cells):
            if levels[position] is not _OTHER:
                continue
            cell = _clean(cell)
            level = LEVELS.get(cell)
            if cell and level is None:
                index = len(FIXED_COLUMNS) + 1 + position
                errors.add(f'level must be 0–4 or empty, got "{cell}"', line, index, header[index - 1])
            levels[position] = level
    return Row(line, email, name, team, levels) if valid else None


def _email_error(email: str, cell: str) -> str | None:
    if len(email) > EMAIL_MAX:
        return f"email is longer than {EMAIL_MAX} characters"
    try:
        validate_email(email)
    except ValidationError:
        return f'not a valid email address: "{cell}"'
    return None
