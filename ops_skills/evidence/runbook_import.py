"""Runbooks kept as Markdown files in a repository, read into the app (``manage.py import_runbooks``).

A file starts with a small front matter between two ``---`` lines, simple ``key: value`` lines
(no YAML), then the Markdown body::

    ---
    system: postgres-main
    title: Restore the main database from a snapshot
    skills: restore-database-from-snapshot, point-in-time-recovery
    owner: marco@example.com
    review_interval_days: 90
    last_reviewed: 2026-01-15
    ---
    ## Purpose
    …

A runbook is known by its system and the slug of its file name, so renaming the title keeps it the
same runbook. Reading and checking a file are plain functions (``parse_runbook``); resolving the
names and writing happen per file, each in its own transaction, so one bad file never stops or
undoes the others. ``examples/runbooks/README.md`` documents the format for people.

The folder may come from anyone with a pull request, so: a file or folder link that leads out of
the folder is refused, a file over ``RUNBOOK_IMPORT_MAX_BYTES`` is not read, an error names the
file, line, column and key but never repeats what the file says (a bad line may hold a secret),
and reading takes time in proportion to the file (no backtracking regex, no Markdown rendering:
the section check reads the headings line by line; ``bench/runbook_import.py`` measures it).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ops_skills.evidence.markdown import missing_from_headings, normalise_source
from ops_skills.evidence.models import RUNBOOK_BODY_MAX_LENGTH, Runbook
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill, System

KEYS = ("system", "title", "skills", "owner", "review_interval_days", "last_reviewed")
MARKER = "---"
TITLE_MAX = Runbook._meta.get_field("title").max_length
SLUG_MAX = Runbook._meta.get_field("slug").max_length
SOURCE_MAX = Runbook._meta.get_field("source_path").max_length
BODY_MAX = RUNBOOK_BODY_MAX_LENGTH
# Ten years. The database takes billions, but a review date that far ahead is past the calendar's end.
REVIEW_INTERVAL_MAX = 3650
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_SETEXT = re.compile(r"[=-]+ *")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"[0-9]{1,12}")  # ASCII digits only: "²" passes str.isdigit but not int()
_SKIPPED_NAMES = {"readme.md"}


class RunbookFileError(Exception):
    """What is wrong with a file, on which line and column (1-based). The message names keys and
    limits, never the file's content."""

    def __init__(self, line: int, message: str, column: int = 1):
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Value:
    text: str
    line: int
    column: int = 1


@dataclass(frozen=True)
class RunbookFile:
    """A file's content, checked; names (system, skills, owner) are not looked up yet.
    ``None`` means the key is absent: an existing runbook keeps what it has."""

    slug: str
    system: Value
    title: str
    body: str
    skills: tuple[str, ...] | None = None
    skills_line: int = 0
    skills_columns: tuple[int, ...] = ()
    owner: Value | None = None
    review_interval_days: int | None = None
    last_reviewed_on: date | None = None
    last_reviewed_line: int = 0
    last_reviewed_column: int = 1


def parse_runbook(text: str, *, filename: str) -> RunbookFile:
    """Split a runbook file into its front matter and body and check both. Raises RunbookFileError."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != MARKER:
        raise RunbookFileError(1, f"no front matter: the file must start with a line {MARKER}")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == MARKER), None)
    if end is None:
        raise RunbookFileError(1, f"the front matter is not closed by a line {MARKER}")
    values = _front_matter(lines[1:end])

    if "system" not in values:
        raise RunbookFileError(1, "the front matter has no system: line (the system's slug)")
    system = values["system"]
    if not system.text:
        raise RunbookFileError(system.line, "system is empty", system.column)

    # Leading blank lines skipped here too, to know the line the body starts on.
    first = end + 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    body = normalise_source("\n".join(lines[first:]))
    if not body:
        raise RunbookFileError(end + 1, "there is no Markdown after the front matter")
    if len(body) > BODY_MAX:
        raise RunbookFileError(first + 1, f"the Markdown is longer than {BODY_MAX:,} characters; split the runbook")

    slug = slugify(Path(filename).stem)[:SLUG_MAX]
    if not slug:
        raise RunbookFileError(1, f"the file name {filename!r} gives no slug to know the runbook by")
    title, title_line, title_column = _title(values.get("title"), body, Path(filename).stem, first_line=first + 1)
    if len(title) > TITLE_MAX:
        raise RunbookFileError(title_line, f"the title is longer than {TITLE_MAX} characters", title_column)

    skills, skills_columns = None, ()
    if "skills" in values:
        skills, skills_columns = _skill_list(values["skills"])
    owner = values.get("owner")
    if owner is not None and "@" not in owner.text:
        raise RunbookFileError(owner.line, "owner must be an email address", owner.column)
    return RunbookFile(
        slug=slug,
        system=system,
        title=title,
        body=body,
        skills=skills,
        skills_line=values["skills"].line if "skills" in values else 0,
        skills_columns=skills_columns,
        owner=owner,
        review_interval_days=_interval(values.get("review_interval_days")),
        last_reviewed_on=_date(values.get("last_reviewed")),
        last_reviewed_line=values["last_reviewed"].line if "last_reviewed" in values else 0,
        last_reviewed_column=values["last_reviewed"].column if "last_reviewed" in values else 1,
    )


def _front_matter(lines: list[str]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for number, raw in enumerate(lines, start=2):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        column = len(raw) - len(raw.lstrip()) + 1
        key, colon, text = line.partition(":")
        key = key.strip().lower()
        if not colon or not key:
            raise RunbookFileError(number, "expected 'key: value'", column)
        if key not in KEYS:
            raise RunbookFileError(number, f"unknown key (the keys are {', '.join(KEYS)})", column)
        if key in values:
            raise RunbookFileError(number, f"{key} is given twice (first on line {values[key].line})", column)
        value_column = column + len(line) - len(text.lstrip())
        text, value_column = _unquote(text.strip(), value_column)
        values[key] = Value(text, number, value_column)
    return values


def _unquote(text: str, column: int) -> tuple[str, int]:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return inner.strip(), column + 1 + len(inner) - len(inner.lstrip())
    return text, column


def _skill_list(value: Value) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The skill slugs of ``skills: a, b`` or ``[a, b]``, each once, with their columns."""
    text, column = value.text, value.column
    if text.startswith("["):
        text, column = text[1:], column + 1
    text = text.removesuffix("]")
    found: dict[str, int] = {}
    for item in text.split(","):
        slug = item.strip()
        if slug and slug not in found:
            found[slug] = column + len(item) - len(item.lstrip())
        column += len(item) + 1
    return tuple(found), tuple(found.values())


def _headings(body: str, *, first_line: int = 1) -> Iterator[tuple[int, str, int]]:
    """(level, text, line) of each heading outside fenced code, as Python-Markdown (which renders
    the runbook page) finds them: ``#`` at the start of a line, or a block's first line
    underlined with ``=`` or ``-``. Not inside lists or quotes, where the page may find more.

    Read line by line, so in time linear in the body, where rendering is not (deep brackets or
    quotes make Python-Markdown quadratic): the import's section check uses this."""
    fenced = False
    first_of_block = ""  # a block's first line, which an underline on the next makes a heading
    blank_before = True
    for number, line in enumerate(body.split("\n"), start=first_line):
        underlined, first_of_block = first_of_block, ""
        if _FENCE.match(line):
            fenced, blank_before = not fenced, False
            continue
        if fenced:
            continue
        level = len(line) - len(line.lstrip("#"))
        if level:
            yield min(level, 6), line[min(level, 6) :].rstrip("#").strip(), number
        elif underlined and _SETEXT.fullmatch(line):
            yield (1 if line.startswith("=") else 2), underlined.strip(), number - 1
        elif line.strip() and blank_before and not line.startswith("    "):
            first_of_block = line
        blank_before = not line.strip()


def section_headings_missing(body: str) -> list[str]:
    """The runbook sections (``RUNBOOK_SECTIONS``) with no heading in ``body``, as the runbook
    page reports them, from the headings read line by line."""
    return missing_from_headings(re.sub(r"[*_`]", "", text) for _, text, _ in _headings(body))


def _title(given: Value | None, body: str, stem: str, *, first_line: int) -> tuple[str, int, int]:
    """The front matter's title, else the body's first level-1 heading, else the file name; with
    its line and column."""
    if given is not None and given.text:
        return given.text, given.line, given.column
    for level, text, line in _headings(body, first_line=first_line):
        if level == 1 and text:
            return text, line, 1
    words = re.sub(r"[-_]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) or stem, 1, 1


def _interval_range() -> tuple[int, int]:
    """The days ``Runbook.review_interval_days`` accepts (its validators and the database's range),
    at most ``REVIEW_INTERVAL_MAX``."""
    field = Runbook._meta.get_field("review_interval_days")
    low = max(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
    return low, min(high, REVIEW_INTERVAL_MAX)


def _interval(value: Value | None) -> int | None:
    if value is None:
        return None
    low, high = _interval_range()
    if not _DIGITS.fullmatch(value.text) or not low <= int(value.text) <= high:
        raise RunbookFileError(
            value.line, f"review_interval_days must be a whole number of days from {low} to {high}", value.column
        )
    return int(value.text)


def _date(value: Value | None) -> date | None:
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value.text):
            raise ValueError
        return date.fromisoformat(value.text)
    except ValueError:
        raise RunbookFileError(value.line, "last_reviewed must be a date as YYYY-MM-DD", value.column) from None


# Writing ---------------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass
class FileResult:
    path: Path  # as shown to people: the directory given, joined with the file's place in it
    action: str
    error: RunbookFileError | None = None
    runbook: Runbook | None = None
    revision_number: int | None = None  # the new revision, when the text changed
    missing: list[str] = field(default_factory=list)


def runbook_files(root: Path) -> list[Path]:
    """Every ``.md`` file under root, in order, except READMEs and hidden files and folders; and
    every link to a folder outside root, so that it is reported (links are never followed into
    folders; a link to a folder inside root would only list its files twice)."""
    inside = root.resolve()
    found = []
    for folder, folders, files in os.walk(root):
        here = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(
            here / name
            for name in folders
            if (here / name).is_symlink() and not (here / name).resolve().is_relative_to(inside)
        )
        found.extend(
            here / name
            for name in files
            if name.endswith(".md")
            and not name.startswith(".")
            and name.lower() not in _SKIPPED_NAMES
            and ((here / name).is_file() or (here / name).is_symlink())
        )
    return sorted(found)


def import_directory(
    root: Path, *, save: Callable, dry_run: bool = False, today: date | None = None
) -> Iterator[FileResult]:
    """Import every runbook file under root, one transaction per file, yielding a result for each
    as it is done. A bad file is skipped with its error; the others are imported all the same.
    ``save`` saves a runbook: ``flows.runbook_save``, which also refreshes the levels a change of
    its skills moves (``evidence.services.runbook_save`` where nothing can, as in the demo)."""
    today = today or timezone.localdate()
    seen: dict[tuple[int, str], Path] = {}
    inside = root.resolve()
    for path in runbook_files(root):
        source = path.relative_to(root).as_posix()
        try:
            parsed = parse_runbook(_read(path, inside=inside), filename=path.name)
            with transaction.atomic():
                result = _import_one(
                    parsed, path=path, source=source, dry_run=dry_run, today=today, seen=seen, save=save
                )
        except RunbookFileError as error:
            yield FileResult(path=path, action=SKIPPED, error=error)
        except DatabaseError as error:
            # Rolled back with its transaction; the files after it are still imported. The
            # database's message is not shown: it may quote the file's values.
            message = f"could not be saved: the database refused it ({type(error).__name__})"
            yield FileResult(path=path, action=SKIPPED, error=RunbookFileError(1, message))
        else:
            yield result


def _read(path: Path, *, inside: Path) -> str:
    """The text of a file under ``inside`` (resolved), at most ``RUNBOOK_IMPORT_MAX_BYTES``."""
    real = path.resolve()
    if not real.is_relative_to(inside):
        raise RunbookFileError(1, "it is a link to outside the folder; not read")
    limit = settings.RUNBOOK_IMPORT_MAX_BYTES
    try:
        # The resolved path, not following a link swapped in since; never blocking on a pipe.
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise RunbookFileError(1, f"cannot read it: {error.strerror or 'error'}") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RunbookFileError(1, "it is not a regular file; not read")
        data = file.read(limit + 1) if info.st_size <= limit else b""
    if info.st_size > limit or len(data) > limit:
        raise RunbookFileError(
            1, f"it is larger than {limit:,} bytes (RUNBOOK_IMPORT_MAX_BYTES); split it or raise the limit"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        raise RunbookFileError(line, "not UTF-8 text", column) from None
    if "\x00" in text:
        line, column = _position(text, text.index("\x00"))
        raise RunbookFileError(line, "a NUL character, which no text holds", column)
    return text


def _position(data: bytes | str, offset: int) -> tuple[int, int]:
    """The line and column (1-based; in bytes for bytes) of ``offset``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    start = data.rfind(newline, 0, offset) + 1
    return data.count(newline, 0, offset) + 1, offset - start + 1


def _import_one(
    parsed: RunbookFile, *, path: Path, source: str, dry_run: bool, today: date, seen: dict, save: Callable
) -> FileResult:
    system = System.objects.filter(slug=parsed.system.text).first()
    if system is None:
        raise RunbookFileError(parsed.system.line, "system: no system has this slug", parsed.system.column)
    if (system.pk, parsed.slug) in seen:
        raise RunbookFileError(
            1, f"same system and file name as {seen[system.pk, parsed.slug]}: the same runbook twice"
        )
    seen[system.pk, parsed.slug] = path
    skills = _skills(parsed, system)
    owner = _owner(parsed.owner)
    if parsed.last_reviewed_on is not None and parsed.last_reviewed_on > today:
        raise RunbookFileError(parsed.last_reviewed_line, "last_reviewed is in the future", parsed.last_reviewed_column)

    runbook = Runbook.objects.filter(system=system, slug=parsed.slug).first()
    action = CREATED if runbook is None else UPDATED
    if runbook is None:
        runbook = Runbook(system=system, slug=parsed.slug)
        old_skills = None
    else:
        old_skills = set(runbook.skills.values_list("pk", flat=True))
    changed = _apply(runbook, parsed, owner=owner, source=source)
    skills_changed = skills is not None and {s.pk for s in skills} != old_skills
    result = FileResult(path=path, action=action, runbook=runbook, missing=section_headings_missing(parsed.body))
    if action == UPDATED and not changed and not skills_changed:
        result.action = UNCHANGED
        return result
    if dry_run:
        return result
    _, revision = save(
        runbook=runbook, author=None, skills=skills if skills_changed else None, note=f"Imported from {source}"[:200]
    )
    result.revision_number = revision.number if revision else None
    return result


def _skills(parsed: RunbookFile, system: System) -> list[Skill] | None:
    if parsed.skills is None:
        return None
    found = {s.slug: s for s in Skill.objects.filter(system=system, slug__in=parsed.skills)}
    unknown = [n for n, slug in enumerate(parsed.skills) if slug not in found]
    if unknown:
        n = unknown[0]
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise RunbookFileError(
            parsed.skills_line,
            f"skills: item {n + 1} is not a skill of the runbook's system{more}",
            parsed.skills_columns[n],
        )
    return [found[slug] for slug in parsed.skills]


def _owner(value: Value | None) -> Person | None:
    if value is None:
        return None
    person = Person.objects.filter(email=value.text.lower()).first()
    if person is None:
        raise RunbookFileError(value.line, "owner: nobody has this email address", value.column)
    return person


def _apply(runbook: Runbook, parsed: RunbookFile, *, owner: Person | None, source: str) -> bool:
    """Set the file's values on the runbook (not saved); True when any of them differs."""
    wanted = {"title": parsed.title, "body": parsed.body, "source_path": source[:SOURCE_MAX]}
    if owner is not None:
        wanted["owner_id"] = owner.pk
    if parsed.review_interval_days is not None:
        wanted["review_interval_days"] = parsed.review_interval_days
    if parsed.last_reviewed_on is not None:
        # A review recorded in the app since the file was written is not undone by importing it.
        wanted["last_reviewed_on"] = max(parsed.last_reviewed_on, runbook.last_reviewed_on or parsed.last_reviewed_on)
    changed = False
    for name, value in wanted.items():
        if getattr(runbook, name) != value:
            setattr(runbook, name, value)
            changed = True
    return changed
