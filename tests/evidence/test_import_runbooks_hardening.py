"""``import_runbooks`` on files from people who make mistakes or mischief: bad numbers, links out
of the folder, huge files and secrets on bad lines. Each bad file is reported by name, line and
column without quoting it, and the other files are imported all the same."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ops_skills.evidence import markdown
from ops_skills.evidence.models import RUNBOOK_TEMPLATE, Runbook
from ops_skills.evidence.runbook_import import RunbookFileError, parse_runbook, section_headings_missing
from tests.factories import make_person, make_skill, make_system

SECRET = "hunter2-AKIA5SECRET"


def runbook_text(front: str, body: str = RUNBOOK_TEMPLATE) -> str:
    return f"---\n{front.strip()}\n---\n{body}"


GOOD = runbook_text("system: postgres-main\ntitle: Restore\nskills: restore\nowner: owner@example.com")


@pytest.fixture
def system(team):
    system = make_system(team, slug="postgres-main")
    make_skill(system, slug="restore")
    make_person(team, email="owner@example.com")
    return system


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    return folder


def put(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def run(folder):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_runbooks", str(folder), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def imported() -> list[str]:
    return sorted(Runbook.objects.values_list("slug", flat=True))


# Numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["²", "١٢", str(10**30), "9" * 5000, "0", "3651", "-1", "1e3", "90 "])
def test_a_bad_review_interval_is_reported_and_the_other_files_imported(folder, system, days):
    put(folder, "a.md", GOOD)
    bad = put(folder, "b.md", GOOD.replace("title: Restore", f"title: Restore\nreview_interval_days: {days}"))
    put(folder, "c.md", GOOD)
    out, err, error = run(folder)
    if days == "90 ":  # the value is stripped: a trailing space is fine
        assert error is None and imported() == ["a", "b", "c"]
        return
    assert err.strip() == f"{bad}:4:23: review_interval_days must be a whole number of days from 1 to 3650"
    assert str(error) == "1 file skipped: see the messages above."
    assert imported() == ["a", "c"]


def test_the_longest_review_interval_is_accepted(folder, system):
    put(
        folder,
        "a.md",
        GOOD.replace("title: Restore", "title: Restore\nreview_interval_days: 3650\nlast_reviewed: 2026-01-15"),
    )
    run(folder)
    runbook = Runbook.objects.get()
    assert runbook.review_interval_days == 3650 and runbook.review_due_on is not None


# No content in the messages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "place", "message"),
    [
        (f"{SECRET}", "3:1", "expected 'key: value'"),
        (f"aws_key_{SECRET}: x", "3:1", "unknown key"),
        (f"review_interval_days: {SECRET}", "3:23", "review_interval_days must be a whole number"),
        (f"last_reviewed: {SECRET}", "3:16", "last_reviewed must be a date"),
        (f"owner: {SECRET}", "3:8", "owner must be an email address"),
        (f"owner: '{SECRET}@example.com'", "3:9", "owner: nobody has this email address"),
        (f"skills: restore, [{SECRET}]", "3:18", "skills: item 2 is not a skill of the runbook's system"),
    ],
)
def test_errors_name_the_place_and_the_key_but_never_the_content(folder, system, line, place, message):
    path = put(folder, "a.md", runbook_text(f"system: postgres-main\n{line}"))
    out, err, error = run(folder)
    assert err.startswith(f"{path}:{place}: {message}")
    assert SECRET not in out + err + str(error)


def test_an_unknown_system_is_not_quoted(folder, system):
    path = put(folder, "a.md", runbook_text(f"title: x\n  system:   {SECRET}"))
    _, err, _ = run(folder)
    assert err.strip() == f"{path}:3:13: system: no system has this slug"


def test_a_database_error_is_not_quoted(folder, system, monkeypatch):
    from django.db import DataError

    from ops_skills import flows

    def refuse(**kwargs):
        raise DataError(f"value too long: DETAIL: Key (title)=({SECRET}) is bad")

    monkeypatch.setattr(flows, "runbook_save", refuse)
    path = put(folder, "a.md", GOOD)
    _, err, _ = run(folder)
    assert err.strip() == f"{path}:1:1: could not be saved: the database refused it (DataError)"


def test_a_nul_character_is_reported_at_its_place(folder, system):
    put(folder, "a.md", GOOD)
    bad = put(folder, "b.md", GOOD.replace("## Steps", "## St\x00eps"))
    _, err, _ = run(folder)
    assert err.strip() == f"{bad}:16:6: a NUL character, which no text holds"
    assert imported() == ["a"]


# Links ------------------------------------------------------------------------------------------


def test_a_link_to_a_file_outside_the_folder_is_refused(folder, system, tmp_path):
    outside = tmp_path / "secrets.md"
    outside.write_text(GOOD.replace("title: Restore", f"title: {SECRET}"))
    (folder / "leak.md").symlink_to(outside)
    put(folder, "good.md", GOOD)
    out, err, error = run(folder)
    assert err.strip() == f"{folder / 'leak.md'}:1:1: it is a link to outside the folder; not read"
    assert imported() == ["good"] and error is not None
    assert SECRET not in out + err


def test_a_link_through_the_folder_and_back_out_is_refused(folder, system, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.md").write_text(GOOD)
    (folder / "sub").mkdir()
    (folder / "sub" / "x.md").symlink_to(Path("..") / ".." / "elsewhere" / "x.md")
    _, err, _ = run(folder)
    assert "sub/x.md:1:1: it is a link to outside the folder" in err
    assert imported() == []


def test_a_link_to_a_folder_outside_is_refused_and_not_followed(folder, system, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text(GOOD)
    (folder / "more").symlink_to(elsewhere, target_is_directory=True)
    _, err, error = run(folder)
    assert err.strip() == f"{folder / 'more'}:1:1: it is a link to outside the folder; not read"
    assert imported() == [] and error is not None


def test_a_link_that_stays_inside_the_folder_is_read(folder, system):
    put(folder, "real/restore.md", GOOD)
    (folder / "alias.md").symlink_to(folder / "real" / "restore.md")
    (folder / "also").symlink_to(folder / "real", target_is_directory=True)  # not followed: no twice
    _, err, error = run(folder)
    assert error is None, err
    assert imported() == ["alias", "restore"]


def test_a_named_pipe_is_not_waited_for(folder, system):
    os.mkfifo(folder / "pipe.md")
    put(folder, "good.md", GOOD)
    _, err, error = run(folder)
    assert error is None, err
    assert imported() == ["good"]


# Size -------------------------------------------------------------------------------------------


def test_the_file_size_is_capped(folder, system, settings):
    settings.RUNBOOK_IMPORT_MAX_BYTES = 2000
    body = RUNBOOK_TEMPLATE + "x" * 2000
    big = put(folder, "big.md", runbook_text("system: postgres-main", body))
    text = runbook_text("system: postgres-main")
    just = put(folder, "just.md", text + "y" * (2000 - len(text.encode())))
    assert just.stat().st_size == 2000
    _, err, error = run(folder)
    assert (
        err.strip()
        == f"{big}:1:1: it is larger than 2,000 bytes (RUNBOOK_IMPORT_MAX_BYTES); split it or raise the limit"
    )
    assert imported() == ["just"]


def test_the_default_cap_is_one_mebibyte():
    assert settings.RUNBOOK_IMPORT_MAX_BYTES == 1024 * 1024


# Reading the body line by line ------------------------------------------------------------------

EXAMPLES = sorted((Path(settings.BASE_DIR) / "examples" / "runbooks").glob("*.md"))
BODIES = [
    RUNBOOK_TEMPLATE,
    "## Purpose\n\n```\n## Steps\n```\n\n~~~\n# Rollback\n~~~\n",
    "Purpose\n=======\n\nPreconditions\n-------------\n\n## 1. Steps:\n\n### **Verification** ###\n",
    "    ## Rollback (indented: code)\n\n#Purpose\n\n## Steps #\n\n   # Verification\n",
    "Some text\nPurpose\n=====\n\nsteps\n-----\n\n####### Rollback\ntext\n## Verification\nmore\n",
    "",
]


@pytest.mark.parametrize("body", [*BODIES, *(p.read_text() for p in EXAMPLES if p.name != "README.md")])
def test_the_sections_read_line_by_line_agree_with_the_rendered_page(body):
    assert section_headings_missing(body) == markdown.missing_sections(body)


@pytest.mark.parametrize(
    ("heading", "title"),
    [("# Drain a node #", "Drain a node"), ("#Up", "Up"), ("# a ## b ###", "a ## b"), ("Down\n===", "Down")],
)
def test_the_title_comes_from_the_first_level_one_heading(heading, title):
    text = runbook_text("system: x", f"{heading}\n\n## Purpose\n")
    assert parse_runbook(text, filename="a.md").title == title


def test_leading_blank_lines_are_dropped_and_lines_counted_from_the_file():
    text = runbook_text("system: x", "\n" * 5 + "#  \n# " + "x" * 201 + "\n")
    with pytest.raises(RunbookFileError) as error:
        parse_runbook(text, filename="a.md")
    assert (error.value.line, error.value.column) == (10, 1)  # line 9 is an empty heading
