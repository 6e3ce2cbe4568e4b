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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ops_skills.evidence.markdown import missing_sections, normalise_source
from ops_skills.evidence.models import Runbook
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill, System

KEYS = ("system", "title", "skills", "owner", "review_interval_days", "last_reviewed")
MARKER = "---"
TITLE_MAX = Runbook._meta.get_field("title").max_length
SLUG_MAX = Runbook._meta.get_field("slug").max_length
SOURCE_MAX = Runbook._meta.get_field("source_path").max_length
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SKIPPED_NAMES = {"readme.md"}


class RunbookFileError(Exception):
    """What is wrong with a file, and on which line (1-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Value:
    text: str
    line: int


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
    owner: Value | None = None
    review_interval_days: int | None = None
    last_reviewed_on: date | None = None
    last_reviewed_line: int = 0


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
        raise RunbookFileError(system.line, "system is empty")

    body = normalise_source("\n".join(lines[end + 1 :]))
    if not body:
        raise RunbookFileError(end + 1, "there is no Markdown after the front matter")

    slug = slugify(Path(filename).stem)[:SLUG_MAX]
    if not slug:
        raise RunbookFileError(1, f"the file name {filename!r} gives no slug to know the runbook by")
    title, title_line = _title(values.get("title"), body, Path(filename).stem)
    if len(title) > TITLE_MAX:
        raise RunbookFileError(title_line, f"the title is longer than {TITLE_MAX} characters")

    skills = None
    if "skills" in values:
        listed = values["skills"].text.strip().removeprefix("[").removesuffix("]")
        skills = tuple(dict.fromkeys(s.strip() for s in listed.split(",") if s.strip()))
    owner = values.get("owner")
    if owner is not None and "@" not in owner.text:
        raise RunbookFileError(owner.line, f"owner must be an email address, not {owner.text!r}")
    return RunbookFile(
        slug=slug,
        system=system,
        title=title,
        body=body,
        skills=skills,
        skills_line=values["skills"].line if "skills" in values else 0,
        owner=owner,
        review_interval_days=_interval(values.get("review_interval_days")),
        last_reviewed_on=_date(values.get("last_reviewed")),
        last_reviewed_line=values["last_reviewed"].line if "last_reviewed" in values else 0,
    )


def _front_matter(lines: list[str]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for number, raw in enumerate(lines, start=2):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, colon, text = line.partition(":")
        key = key.strip().lower()
        if not colon or not key:
            raise RunbookFileError(number, f"expected 'key: value', found {line!r}")
        if key not in KEYS:
            raise RunbookFileError(number, f"unknown key {key!r} (known: {', '.join(KEYS)})")
        if key in values:
            raise RunbookFileError(number, f"{key} is given twice (first on line {values[key].line})")
        values[key] = Value(_unquote(text.strip()), number)
    return values


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def _title(given: Value | None, body: str, stem: str) -> tuple[str, int]:
    """The front matter's title, else the body's first level-1 heading, else the file name."""
    if given is not None and given.text:
        return given.text, given.line
    fenced = False
    for line in body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _H1.match(line)):
            return match.group(1), 1
    words = re.sub(r"[-_]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) or stem, 1


def _interval(value: Value | None) -> int | None:
    if value is None:
        return None
    if not value.text.isdigit() or int(value.text) < 1:
        raise RunbookFileError(value.line, f"review_interval_days must be a whole number of days, not {value.text!r}")
    return int(value.text)


def _date(value: Value | None) -> date | None:
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value.text):
            raise ValueError
        return date.fromisoformat(value.text)
    except ValueError:
        raise RunbookFileError(value.line, f"last_reviewed must be a date as YYYY-MM-DD, not {value.text!r}") from None


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
    """Every ``.md`` file under root, in order, except READMEs and hidden folders."""
    return sorted(
        path
        for path in root.rglob("*.md")
        if path.is_file()
        and path.name.lower() not in _SKIPPED_NAMES
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def import_directory(
    root: Path, *, save: Callable, dry_run: bool = False, today: date | None = None
) -> Iterator[FileResult]:
    """Import every runbook file under root, one transaction per file, yielding a result for each
    as it is done. A bad file is skipped with its error; the others are imported all the same.
    ``save`` saves a runbook: ``flows.runbook_save``, which also refreshes the levels a change of
    its skills moves (``evidence.services.runbook_save`` where nothing can, as in the demo)."""
    today = today or timezone.localdate()
    seen: dict[tuple[int, str], Path] = {}
    for path in runbook_files(root):
        source = path.relative_to(root).as_posix()
        try:
            parsed = parse_runbook(_read(path), filename=path.name)
            with transaction.atomic():
                result = _import_one(
                    parsed, path=path, source=source, dry_run=dry_run, today=today, seen=seen, save=save
                )
        except RunbookFileError as error:
            yield FileResult(path=path, action=SKIPPED, error=error)
        except DatabaseError as error:
            # Rolled back with its transaction; the files after it are still imported.
            yield FileResult(path=path, action=SKIPPED, error=RunbookFileError(1, f"could not be saved: {error}"))
        else:
            yield result


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RunbookFileError(1, f"cannot read it: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RunbookFileError(data[: error.start].count(b"\n") + 1, "not UTF-8 text") from None


def _import_one(
    parsed: RunbookFile, *, path: Path, source: str, dry_run: bool, today: date, seen: dict, save: Callable
) -> FileResult:
    system = System.objects.filter(slug=parsed.system.text).first()
    if system is None:
        raise RunbookFileError(parsed.system.line, f"no system has the slug {parsed.system.text!r}")
    if (system.pk, parsed.slug) in seen:
        raise RunbookFileError(
            1, f"same system and file name as {seen[system.pk, parsed.slug]}: the same runbook twice"
        )
    seen[system.pk, parsed.slug] = path
    skills = _skills(parsed, system)
    owner = _owner(parsed.owner)
    if parsed.last_reviewed_on is not None and parsed.last_reviewed_on > today:
        raise RunbookFileError(parsed.last_reviewed_line, "last_reviewed is in the future")

    runbook = Runbook.objects.filter(system=system, slug=parsed.slug).first()
    action = CREATED if runbook is None else UPDATED
    if runbook is None:
        runbook = Runbook(system=system, slug=parsed.slug)
        old_skills = None
    else:
        old_skills = set(runbook.skills.values_list("pk", flat=True))
    changed = _apply(runbook, parsed, owner=owner, source=source)
    skills_changed = skills is not None and {s.pk for s in skills} != old_skills
    result = FileResult(path=path, action=action, runbook=runbook, missing=missing_sections(parsed.body))
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
    unknown = [slug for slug in parsed.skills if slug not in found]
    if unknown:
        names = ", ".join(repr(s) for s in unknown)
        raise RunbookFileError(parsed.skills_line, f"{system.slug} has no skill {names}")
    return [found[slug] for slug in parsed.skills]


def _owner(value: Value | None) -> Person | None:
    if value is None:
        return None
    person = Person.objects.filter(email=value.text.lower()).first()
    if person is None:
        raise RunbookFileError(value.line, f"nobody has the email {value.text!r}")
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
