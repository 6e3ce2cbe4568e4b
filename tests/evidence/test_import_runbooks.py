"""Runbooks from a folder of Markdown files: the front matter parser (no database), and
``manage.py import_runbooks`` creating, updating, leaving alone and skipping files."""

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from ops_skills import flows
from ops_skills.evidence import runbook_import, services
from ops_skills.evidence.models import RUNBOOK_TEMPLATE, Runbook
from ops_skills.evidence.runbook_import import RunbookFileError, parse_runbook
from ops_skills.levels import store
from tests.factories import make_person, make_skill, make_system

TODAY = timezone.localdate()
BODY = RUNBOOK_TEMPLATE


def runbook_text(front: str, body: str = BODY) -> str:
    return f"---\n{front.strip()}\n---\n{body}"


GOOD = runbook_text(
    """
system: postgres-main
title: Restore the main database
skills: restore-database-from-snapshot, point-in-time-recovery
owner: Owner@Example.com
review_interval_days: 90
last_reviewed: 2026-01-15
"""
)


# Parsing, without a database -------------------------------------------------------------------


def test_a_good_file_is_parsed():
    parsed = parse_runbook(GOOD, filename="restore-from-snapshot.md")
    assert parsed.slug == "restore-from-snapshot"
    assert (parsed.system.text, parsed.system.line) == ("postgres-main", 2)
    assert parsed.title == "Restore the main database"
    assert parsed.skills == ("restore-database-from-snapshot", "point-in-time-recovery")
    assert parsed.skills_line == 4
    assert (parsed.owner.text, parsed.owner.line) == ("Owner@Example.com", 5)
    assert parsed.review_interval_days == 90
    assert (parsed.last_reviewed_on, parsed.last_reviewed_line) == (date(2026, 1, 15), 7)
    assert parsed.body == BODY


def test_optional_keys_may_be_left_out():
    parsed = parse_runbook(runbook_text("system: ci-pipelines"), filename="fix_a-Pipeline.md")
    assert parsed.slug == "fix_a-pipeline"
    assert parsed.title == "Fix a Pipeline"  # from the file name
    assert parsed.skills is None and parsed.owner is None
    assert parsed.review_interval_days is None and parsed.last_reviewed_on is None


def test_the_title_comes_from_the_first_level_one_heading_outside_code():
    body = "```\n# not this\n```\n\n## Purpose\n\n# Drain a node #\n"
    assert parse_runbook(runbook_text("system: x", body), filename="a.md").title == "Drain a node"


def test_comments_blank_lines_quotes_and_brackets_are_accepted():
    text = runbook_text(
        """
# the system's slug
system: "postgres-main"

title: 'Restore: the database'
skills: [restore, pitr, restore]
"""
    )
    parsed = parse_runbook(text, filename="a.md")
    assert parsed.system.text == "postgres-main"
    assert parsed.title == "Restore: the database"
    assert parsed.skills == ("restore", "pitr")


def test_windows_line_endings_and_a_byte_order_mark_are_read():
    parsed = parse_runbook("\ufeff" + GOOD.replace("\n", "\r\n"), filename="a.md")
    assert parsed.body == BODY and parsed.system.text == "postgres-main"


def test_an_empty_skills_line_means_no_skills():
    assert parse_runbook(runbook_text("system: x\nskills:"), filename="a.md").skills == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# Restore\n\nno front matter\n", 1, "no front matter"),
        ("", 1, "no front matter"),
        ("---\nsystem: x\n## Purpose\n", 1, "not closed"),
        (runbook_text("system: x\nsystems: y"), 3, "unknown key (the keys are system, title"),
        (runbook_text("system: x\njust words"), 3, "expected 'key: value'"),
        (runbook_text("system: x\n: y"), 3, "expected 'key: value'"),
        (runbook_text("system: x\ntitle: a\ntitle: b"), 4, "title is given twice (first on line 3)"),
        (runbook_text("title: a"), 1, "no system"),
        (runbook_text("system:"), 2, "system is empty"),
        (runbook_text("system: x\nreview_interval_days: ninety"), 3, "whole number of days"),
        (runbook_text("system: x\nreview_interval_days: 0"), 3, "whole number of days"),
        (runbook_text("system: x\nreview_interval_days: -5"), 3, "whole number of days"),
        (runbook_text("system: x\nlast_reviewed: 15/01/2026"), 3, "YYYY-MM-DD"),
        (runbook_text("system: x\nlast_reviewed: 2026-02-30"), 3, "YYYY-MM-DD"),
        (runbook_text("system: x\nowner: marco"), 3, "email address"),
        (runbook_text("system: x", "\n\n  \n"), 3, "no Markdown after the front matter"),
        (runbook_text(f"system: x\ntitle: {'x' * 201}"), 3, "longer than 200"),
    ],
)
def test_bad_front_matter_is_reported_with_its_line(text, line, message):
    with pytest.raises(RunbookFileError) as error:
        parse_runbook(text, filename="bad.md")
    assert error.value.line == line
    assert message in error.value.message


def test_a_file_name_without_letters_is_an_error():
    with pytest.raises(RunbookFileError, match="gives no slug"):
        parse_runbook(GOOD, filename="---.md")


# Importing -------------------------------------------------------------------------------------


@pytest.fixture
def system(team):
    system = make_system(team, slug="postgres-main")
    make_skill(system, slug="restore-database-from-snapshot")
    make_skill(system, slug="point-in-time-recovery")
    make_skill(system, slug="fail-over-to-the-replica")
    return system


@pytest.fixture
def owner(team):
    return make_person(team, email="owner@example.com", name="Olga Owner")


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "runbooks"


def put(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(folder, *args):
    """The command's stdout, stderr, and its CommandError if it raised one."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_runbooks", str(folder), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_a_new_file_creates_a_runbook(folder, system, owner):
    put(folder, "restore-from-snapshot.md", GOOD)
    out, err, error = run(folder)
    assert error is None and err == ""
    assert f"created {folder / 'restore-from-snapshot.md'} (revision 1)" in out
    assert out.strip().endswith("created 1, updated 0, unchanged 0, skipped 0")
    runbook = Runbook.objects.get()
    assert (runbook.system, runbook.slug, runbook.title) == (
        system,
        "restore-from-snapshot",
        "Restore the main database",
    )
    assert sorted(runbook.skills.values_list("slug", flat=True)) == [
        "point-in-time-recovery",
        "restore-database-from-snapshot",
    ]
    assert runbook.owner == owner
    assert (runbook.review_interval_days, runbook.last_reviewed_on) == (90, date(2026, 1, 15))
    assert runbook.source_path == "restore-from-snapshot.md"
    assert runbook.body == BODY
    revision = runbook.revisions.get()
    assert (revision.number, revision.author, revision.note) == (1, None, "Imported from restore-from-snapshot.md")


def test_an_unchanged_file_changes_nothing(folder, system, owner):
    put(folder, "restore.md", GOOD)
    run(folder)
    before = Runbook.objects.values().get()
    out, err, error = run(folder)
    assert error is None
    assert out.strip() == "created 0, updated 0, unchanged 1, skipped 0"
    assert Runbook.objects.values().get() == before  # updated_at included
    assert Runbook.objects.get().revisions.count() == 1


def test_a_changed_file_becomes_a_new_revision(folder, system, owner):
    path = put(folder, "restore.md", GOOD)
    run(folder)
    path.write_text(GOOD.replace("How to tell it worked.", "`SELECT 1` answers."), encoding="utf-8")
    out, err, error = run(folder)
    assert error is None
    assert f"updated {path} (revision 2)" in out
    assert out.strip().endswith("created 0, updated 1, unchanged 0, skipped 0")
    runbook = Runbook.objects.get()
    assert list(runbook.revisions.values_list("number", flat=True)) == [2, 1]
    assert "`SELECT 1` answers." in runbook.body


def test_a_renamed_title_is_the_same_runbook(folder, system, owner):
    path = put(folder, "restore.md", GOOD)
    run(folder)
    path.write_text(GOOD.replace("title: Restore the main database", "title: Restore postgres-main"))
    run(folder)
    runbook = Runbook.objects.get()
    assert runbook.title == "Restore postgres-main"
    assert runbook.revisions.count() == 2


def test_changing_only_skills_or_owner_updates_without_a_revision(folder, system, owner, team):
    path = put(folder, "restore.md", GOOD)
    run(folder)
    make_person(team, email="new@example.com")
    path.write_text(
        GOOD.replace("owner: Owner@Example.com", "owner: new@example.com").replace(
            ", point-in-time-recovery", ", fail-over-to-the-replica"
        )
    )
    out, _, _ = run(folder)
    assert out.strip().endswith("created 0, updated 1, unchanged 0, skipped 0")
    runbook = Runbook.objects.get()
    assert runbook.owner.email == "new@example.com"
    assert "fail-over-to-the-replica" in runbook.skills.values_list("slug", flat=True)
    assert runbook.revisions.count() == 1


def test_keys_left_out_keep_what_the_runbook_has(folder, system, owner):
    path = put(folder, "restore.md", GOOD)
    run(folder)
    path.write_text(runbook_text("system: postgres-main\ntitle: Restore the main database"))
    out, _, _ = run(folder)
    assert "unchanged 1" in out
    runbook = Runbook.objects.get()
    assert runbook.owner == owner and runbook.skills.count() == 2 and runbook.review_interval_days == 90


def test_an_import_never_moves_the_last_review_back(folder, system, owner):
    put(folder, "restore.md", GOOD)
    run(folder)
    Runbook.objects.update(last_reviewed_on=TODAY)  # reviewed in the app since
    out, _, _ = run(folder)
    assert "unchanged 1" in out
    assert Runbook.objects.get().last_reviewed_on == TODAY


def test_an_app_edit_is_replaced_by_the_file(folder, system, owner, lead):
    put(folder, "restore.md", GOOD)
    run(folder)
    runbook = Runbook.objects.get()
    runbook.body = "## Purpose\n\nEdited in the app\n"
    services.runbook_save(runbook=runbook, author=lead)
    out, _, _ = run(folder)
    assert "updated 1" in out
    runbook.refresh_from_db()
    assert runbook.body == BODY and runbook.revisions.count() == 3


def test_a_broken_file_is_reported_by_name_and_line_and_the_others_are_imported(folder, system, owner):
    put(folder, "a-good.md", GOOD)
    broken = put(folder, "b-broken.md", runbook_text("system: postgres-main\nreview_interval_days: soon"))
    put(folder, "c-good.md", GOOD.replace("Restore the main database", "Another"))
    out, err, error = run(folder)
    assert err.strip() == f"{broken}:3:23: review_interval_days must be a whole number of days from 1 to 3650"
    assert out.strip().endswith("created 2, updated 0, unchanged 0, skipped 1")
    assert str(error) == "1 file skipped: see the messages above."
    assert sorted(Runbook.objects.values_list("slug", flat=True)) == ["a-good", "c-good"]


def test_a_broken_change_leaves_the_runbook_as_it_was(folder, system, owner):
    path = put(folder, "restore.md", GOOD)
    run(folder)
    path.write_text("no front matter any more\n")
    _, err, error = run(folder)
    assert error is not None and f"{path}:1:1: no front matter" in err
    assert Runbook.objects.get().body == BODY


def test_an_unknown_skill_is_an_error_on_its_line(folder, system, owner):
    path = put(folder, "restore.md", GOOD.replace("point-in-time-recovery", "time-travel"))
    _, err, error = run(folder)
    assert err.strip() == f"{path}:4:41: skills: item 2 is not a skill of the runbook's system"
    assert error is not None
    assert not Runbook.objects.exists()


def test_a_skill_of_another_system_is_unknown(folder, system, owner, team):
    make_skill(make_system(team, slug="batch-jobs"), slug="re-run-a-failed-settlement")
    put(folder, "restore.md", GOOD.replace("point-in-time-recovery", "re-run-a-failed-settlement"))
    _, err, _ = run(folder)
    assert f"{folder / 'restore.md'}:4:41: skills: item 2 is not a skill of the runbook's system" in err


@pytest.mark.parametrize(
    ("old", "new", "place", "message"),
    [
        ("system: postgres-main", "system: mainframe", "2:9", "system: no system has this slug"),
        ("owner: Owner@Example.com", "owner: ghost@example.com", "5:8", "owner: nobody has this email address"),
        (
            "last_reviewed: 2026-01-15",
            f"last_reviewed: {TODAY + timedelta(days=1)}",
            "7:16",
            "last_reviewed is in the future",
        ),
    ],
)
def test_names_that_do_not_resolve_are_errors_on_their_line(folder, system, owner, old, new, place, message):
    path = put(folder, "restore.md", GOOD.replace(old, new))
    _, err, error = run(folder)
    assert err.strip() == f"{path}:{place}: {message}"
    assert error is not None and not Runbook.objects.exists()


def test_a_file_that_is_not_utf8_is_skipped(folder, system, owner):
    path = folder / "latin1.md"
    folder.mkdir()
    path.write_bytes(GOOD.replace("## Steps", "## Étapes").encode("latin-1"))
    put(folder, "restore.md", GOOD)
    _, err, _ = run(folder)
    assert err.strip() == f"{path}:18:4: not UTF-8 text"  # the byte of "É"
    assert Runbook.objects.count() == 1


def test_the_dry_run_writes_nothing(folder, system, owner):
    path = put(folder, "restore.md", GOOD)
    out, _, error = run(folder, "--dry-run")
    assert error is None
    assert out.strip().endswith("created 1, updated 0, unchanged 0, skipped 0 (dry run: nothing was written)")
    assert not Runbook.objects.exists()

    run(folder)
    path.write_text(GOOD.replace("How to tell it worked.", "Changed."))
    out, _, _ = run(folder, "--dry-run")
    assert "updated 1" in out
    runbook = Runbook.objects.get()
    assert runbook.body == BODY and runbook.revisions.count() == 1


def test_the_dry_run_still_reports_bad_files(folder, system, owner):
    path = put(folder, "restore.md", GOOD.replace("system: postgres-main", "system: nope"))
    _, err, error = run(folder, "--dry-run")
    assert f"{path}:2:9:" in err and error is not None


def test_readmes_and_hidden_folders_are_skipped_and_sub_folders_read(folder, system, owner):
    put(folder, "README.md", "# How to write runbooks\n")
    put(folder, ".drafts/wip.md", "not even front matter")
    put(folder, "postgres/restore.md", GOOD)
    out, err, error = run(folder)
    assert error is None and err == ""
    assert Runbook.objects.get().source_path == "postgres/restore.md"


def test_the_same_runbook_in_two_files_is_an_error(folder, system, owner):
    put(folder, "a/restore.md", GOOD)
    second = put(folder, "b/restore.md", GOOD)
    _, err, error = run(folder)
    first = folder / "a/restore.md"
    assert err.strip() == f"{second}:1:1: same system and file name as {first}: the same runbook twice"
    assert Runbook.objects.count() == 1


def test_a_runbook_without_every_section_is_imported_with_a_warning(folder, system, owner):
    path = put(folder, "restore.md", runbook_text("system: postgres-main", "## Steps\n\n1. Restore\n"))
    out, err, error = run(folder)
    assert error is None and err == ""
    assert f"{path}: warning: no section for Purpose, Preconditions, Verification, Rollback" in out
    assert Runbook.objects.exists()


def test_a_file_the_database_refuses_is_rolled_back_alone(folder, system, owner, monkeypatch):
    put(folder, "a.md", GOOD)
    put(folder, "b.md", GOOD)
    save = flows.runbook_save

    def refuse_b(*, runbook, **kwargs):
        result = save(runbook=runbook, **kwargs)  # written, then the transaction is rolled back
        if runbook.slug == "b":
            raise IntegrityError("refused")
        return result

    monkeypatch.setattr(flows, "runbook_save", refuse_b)
    _, err, error = run(folder)
    assert err.strip() == f"{folder / 'b.md'}:1:1: could not be saved: the database refused it (IntegrityError)"
    assert list(Runbook.objects.values_list("slug", flat=True)) == ["a"]


def test_a_missing_folder_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_runbooks", str(tmp_path / "nope"))


# The example folder ------------------------------------------------------------------------------

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "runbooks"


def test_the_examples_import_cleanly_against_the_demo_data(db, monkeypatch):
    from ops_skills.evidence import demo
    from ops_skills.web.management.commands import seed_demo

    # The people and systems, no runbooks yet.
    seeders = [(lambda *, today: {}) if s is demo.seed else s for s in seed_demo.DEMO_SEEDERS]
    monkeypatch.setattr(seed_demo, "DEMO_SEEDERS", seeders)
    seed_demo.seed(today=TODAY)
    store.recompute_all()  # as the seed does after the evidence seeder left out here
    out, err, error = run(EXAMPLES)
    assert error is None and err == "", err
    assert "warning" not in out
    assert out.strip().splitlines()[-1] == "created 6, updated 0, unchanged 0, skipped 0"
    runbooks = Runbook.objects.select_related("system", "owner").prefetch_related("skills")
    assert {r.system.slug for r in runbooks} == {
        "postgres-main",
        "batch-jobs",
        "ecs-cluster",
        "secrets-vault",
        "ci-pipelines",
        "payments-api",
    }
    for runbook in runbooks:
        assert runbook.owner is not None and runbook.skills.exists(), runbook
        assert runbook.revisions.count() == 1

    out, _, _ = run(EXAMPLES)
    assert out.strip() == "created 0, updated 0, unchanged 6, skipped 0"


def test_the_demo_imports_the_examples_and_a_later_import_changes_nothing(db):
    from ops_skills.web.management.commands.seed_demo import seed

    counts = seed(today=TODAY)
    assert counts["runbooks"] == 6
    # One of them is overdue for review on purpose, so that the demo shows the overdue list,
    # whatever day the demo is built.
    assert [r.slug for r in Runbook.objects.all() if r.is_overdue(TODAY)] == ["payment-batch-failover"]
    out, err, error = run(EXAMPLES)
    assert error is None and err == "", err
    assert out.strip() == "created 0, updated 0, unchanged 6, skipped 0"


def test_the_example_readme_documents_every_key():
    readme = (EXAMPLES / "README.md").read_text()
    for key in runbook_import.KEYS:
        assert f"`{key}`" in readme
