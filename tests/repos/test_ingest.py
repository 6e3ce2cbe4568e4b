"""Storing a real git history: files followed across renames, incremental reads, rewritten
histories, and failed reads that keep what was there."""

from datetime import UTC, datetime

import pytest

from ops_skills.repos import ingest
from ops_skills.repos.gitlog import GitError, LogCommit
from ops_skills.repos.ingest import read_repository
from ops_skills.repos.models import Commit, FileChange, RepoFile, Repository
from tests.repos.gitrepo import GitRepo

AIKO = ("Aiko Sato", "aiko@example.com")
BOB = ("Bob Brown", "bob@example.com")
CARL = ("Carl Cole", "carl@example.com")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


@pytest.fixture
def git(repository):
    return GitRepo(repository.path)


def _changes(path, **filters):
    """(email, created, subject) of the changes to the live file at ``path``, oldest first."""
    file = RepoFile.objects.get(path=path, deleted=False, **filters)
    return [(c.email, c.created, c.commit.subject) for c in file.changes.select_related("commit").order_by("at", "id")]


def test_first_read_stores_commits_files_and_changes(repository, git):
    git.commit({"main.tf": "a", "vars.tf": "b"}, author=AIKO, date=datetime(2021, 6, 1, tzinfo=UTC), message="Add")
    head = git.commit({"main.tf": "c"}, author=BOB, date=datetime(2025, 2, 3, tzinfo=UTC), message="Tune")

    result = read_repository(repository)

    assert (result.commits, result.changes, result.files, result.head) == (2, 3, 2, head)
    assert result.full and not result.rewritten
    repository.refresh_from_db()
    assert repository.last_commit == head
    assert repository.read_at is not None
    assert [(c.author_email, c.authored_at.year, c.subject) for c in Commit.objects.order_by("authored_at")] == [
        ("aiko@example.com", 2021, "Add"),
        ("bob@example.com", 2025, "Tune"),
    ]
    assert _changes("main.tf") == [("aiko@example.com", True, "Add"), ("bob@example.com", False, "Tune")]
    assert _changes("vars.tf") == [("aiko@example.com", True, "Add")]


def test_a_repository_without_commits_has_nothing_to_read(repository, git):
    result = read_repository(repository)

    assert (result.commits, result.files, result.head, result.full) == (0, 0, "", True)
    repository.refresh_from_db()
    assert (repository.last_commit, repository.last_error) == ("", "")
    assert repository.read_at is not None


def test_a_renamed_file_keeps_its_history(repository, git):
    body = "".join(f"line {n}\n" for n in range(40))
    git.commit({"network/vpc.tf": body}, author=AIKO, message="Add")
    git.commit({"network/vpc.tf": body + "x\n"}, author=BOB, message="Edit")
    git.commit(renames={"network/vpc.tf": "modules/network/vpc.tf"}, author=CARL, message="Move")

    read_repository(repository)

    assert RepoFile.objects.count() == 1
    assert _changes("modules/network/vpc.tf") == [
        ("aiko@example.com", True, "Add"),
        ("bob@example.com", False, "Edit"),
        ("carl@example.com", False, "Move"),
    ]


def test_deleted_files_are_marked_and_a_path_added_again_is_a_new_file(repository, git):
    git.commit({"old.sh": "1"}, author=AIKO, message="Add")
    git.commit({"old.sh": None}, author=BOB, message="Drop")
    git.commit({"old.sh": "2"}, author=CARL, message="Back")

    result = read_repository(repository)

    assert result.files == 1
    gone = RepoFile.objects.get(deleted=True)
    assert [(c.email, c.created) for c in gone.changes.order_by("at", "id")] == [
        ("aiko@example.com", True),
        ("bob@example.com", False),
    ]
    assert _changes("old.sh") == [("carl@example.com", True, "Back")]


def test_merge_commits_are_skipped_and_the_merge_is_the_last_commit_read(repository, git):
    git.commit({"a.tf": "a"}, author=AIKO)
    git.branch("feature")
    git.commit({"b.tf": "b"}, author=BOB, message="On the branch")
    git.checkout("main")
    git.commit({"a.tf": "a2"}, author=CARL)
    merge = git.merge("feature", author=AIKO, message="Merge feature")

    result = read_repository(repository)

    assert result.commits == 3
    assert not Commit.objects.filter(sha=merge).exists()
    assert _changes("b.tf") == [("bob@example.com", True, "On the branch")]
    repository.refresh_from_db()
    assert repository.last_commit == merge


def test_coauthors_and_bots_are_credited_once_per_file(repository, git):
    git.write_mailmap(["Bob Brown <bob@example.com> <bobby@home.example>"])
    git.commit(
        {"main.tf": "a", "vars.tf": "b"},
        author=AIKO,
        coauthors=[("Bobby", "bobby@home.example"), BOB, BOT],
        message="Pair",
    )

    result = read_repository(repository)

    assert result.changes == 6  # 2 files x (Aiko, Bob, the bot)
    expected = [
        ("49699333+dependabot[bot]@users.noreply.github.com", True, "Pair"),
        ("aiko@example.com", True, "Pair"),
        ("bob@example.com", True, "Pair"),
    ]
    assert sorted(_changes("main.tf")) == expected
    assert sorted(_changes("vars.tf")) == expected


def test_the_mailmap_applies_to_authors(repository, git):
    git.write_mailmap(["Aiko Sato <aiko@example.com> <aiko@old-laptop.local>"])
    git.commit({"a.tf": "a"}, author=("aiko", "AIKO@old-laptop.local"))

    read_repository(repository)

    commit = Commit.objects.get()
    assert (commit.author_name, commit.author_email) == ("Aiko Sato", "aiko@example.com")
    assert FileChange.objects.get().email == "aiko@example.com"


def test_an_incremental_read_adds_only_the_new_commits(repository, git):
    git.commit({"a.tf": "1", "b.tf": "1"}, author=AIKO, message="One")
    read_repository(repository)
    file_ids = set(RepoFile.objects.values_list("pk", flat=True))
    git.commit({"a.tf": "2", "c.tf": "1"}, author=BOB, message="Two")
    head = git.commit({"b.tf": None}, author=CARL, message="Three")

    result = read_repository(repository)

    assert (result.commits, result.changes, result.files, result.full) == (2, 3, 2, False)
    assert Commit.objects.count() == 3
    assert set(RepoFile.objects.filter(path__in=["a.tf", "b.tf"]).values_list("pk", flat=True)) == file_ids
    assert _changes("a.tf") == [("aiko@example.com", True, "One"), ("bob@example.com", False, "Two")]
    assert RepoFile.objects.get(path="b.tf").deleted
    assert read_repository(repository).commits == 0
    repository.refresh_from_db()
    assert repository.last_commit == head


def test_a_path_freed_and_taken_in_one_read_keeps_both_files_apart(repository, git, monkeypatch):
    body = "".join(f"line {n}\n" for n in range(40))
    git.commit({"x.tf": "old x\n", "y.tf": body}, author=AIKO, message="One")
    read_repository(repository)
    old_x, y = RepoFile.objects.get(path="x.tf"), RepoFile.objects.get(path="y.tf")
    git.commit(renames={"y.tf": "w.tf"}, author=CARL, message="y becomes w")
    git.commit({"x.tf": None}, author=BOB, message="Drop x")
    git.commit({"z.tf": "z"}, renames={"w.tf": "x.tf"}, author=CARL, message="w becomes x")
    # One row per update, y's first: without freeing x.tf first, y would take it while the old x
    # still holds it.
    monkeypatch.setattr(ingest, "UPDATE_BATCH", 1)

    read_repository(repository)

    old_x.refresh_from_db()
    y.refresh_from_db()
    assert (old_x.path, old_x.deleted) == ("x.tf", True)
    assert (y.path, y.deleted) == ("x.tf", False)
    assert _changes("x.tf") == [
        ("aiko@example.com", True, "One"),
        ("carl@example.com", False, "y becomes w"),
        ("carl@example.com", False, "w becomes x"),
    ]
    assert _changes("z.tf") == [("carl@example.com", True, "w becomes x")]


def test_a_file_first_seen_changed_has_no_creator(repository, git):
    # A file added by the resolution of a merge: the merge is not read, so its first change read
    # is a modification.
    git.commit({"a.tf": "a"}, author=AIKO)
    git.branch("feature")
    git.commit({"b.tf": "b"}, author=AIKO)
    git.checkout("main")
    git.commit({"c.tf": "c"}, author=AIKO)
    git.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    (git.path / "evil.tf").write_text("added in the merge\n")
    git.commit(author=AIKO, message="Merge with a new file")
    git.commit({"evil.tf": "changed\n"}, author=BOB, message="Edit")

    read_repository(repository)

    assert _changes("evil.tf") == [("bob@example.com", False, "Edit")]


def test_a_rewritten_history_is_read_again_from_the_start(repository, git):
    base = git.commit({"a.tf": "1"}, author=AIKO, message="Base")
    git.commit({"gone.tf": "1"}, author=BOB, message="Force-pushed away")
    read_repository(repository)
    git.reset(base)
    head = git.commit({"b.tf": "1"}, author=CARL, message="Instead")

    result = read_repository(repository)

    assert result.rewritten and result.full
    assert (result.commits, result.files) == (2, 2)
    assert sorted(Commit.objects.values_list("subject", flat=True)) == ["Base", "Instead"]
    assert sorted(RepoFile.objects.values_list("path", flat=True)) == ["a.tf", "b.tf"]
    assert FileChange.objects.count() == 2
    repository.refresh_from_db()
    assert repository.last_commit == head


def test_a_failing_read_keeps_the_old_data_and_says_why(repository, git):
    head = git.commit({"a.tf": "1"}, author=AIKO)
    read_repository(repository)
    Repository.objects.filter(pk=repository.pk).update(path=str(git.path / "missing"))
    repository.refresh_from_db()

    with pytest.raises(GitError, match="No directory at"):
        read_repository(repository)

    repository.refresh_from_db()
    assert repository.last_error.startswith("No directory at")
    assert repository.last_error_at is not None
    assert repository.last_commit == head
    assert (Commit.objects.count(), RepoFile.objects.count(), FileChange.objects.count()) == (1, 1, 1)

    Repository.objects.filter(pk=repository.pk).update(path=str(git.path))
    repository.refresh_from_db()
    read_repository(repository)
    repository.refresh_from_db()
    assert (repository.last_error, repository.last_error_at) == ("", None)


def test_a_read_failing_half_way_writes_nothing(repository, git, monkeypatch):
    git.commit({"a.tf": "1"}, author=AIKO)
    read_repository(repository)
    before = Repository.objects.get().last_commit
    for n in range(3):
        git.commit({"a.tf": str(n), f"new{n}.tf": "x"}, author=BOB)
    monkeypatch.setattr(ingest, "FLUSH_COMMITS", 1)
    original = ingest._History._flush
    calls = []

    def flush_then_fail(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self)

    monkeypatch.setattr(ingest._History, "_flush", flush_then_fail)

    with pytest.raises(RuntimeError):
        read_repository(repository)

    repository.refresh_from_db()
    assert repository.last_commit == before
    assert repository.last_error == "RuntimeError: disk full"
    assert (Commit.objects.count(), RepoFile.objects.count(), FileChange.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize("new_commits", [5, 50])
def test_an_incremental_read_costs_the_same_queries_however_many_commits(
    repository, git, new_commits, django_assert_num_queries
):
    git.commit({f"f{n}.tf": "0" for n in range(10)}, author=AIKO)
    read_repository(repository)
    for n in range(new_commits):
        git.commit({f"f{n % 10}.tf": str(n + 1), f"new{n}.tf": "x"}, author=BOB, coauthors=[CARL])
    repository.refresh_from_db()

    # savepoint, the repository (locked), its live files, insert files, insert commits, insert
    # changes, update the repository, release the savepoint
    with django_assert_num_queries(8):
        result = read_repository(repository)

    assert (result.commits, result.changes) == (new_commits, 4 * new_commits)


def test_a_copy_is_a_new_file_created_by_its_author(repository, git, monkeypatch):
    # git reports copies (C) only when asked to find them; a clone configured so is read the same.
    git.commit({"a.tf": "a"}, author=AIKO, message="Add")
    head = git.commit({"b.tf": "a"}, author=BOB, message="Copy")
    at = datetime(2025, 1, 1, tzinfo=UTC)
    log = [
        LogCommit("1" * 40, "aiko@example.com", "Aiko", at, "Add", changes=[("A", "a.tf", "a.tf")]),
        LogCommit(head, "bob@example.com", "Bob", at, "Copy", changes=[("C", "a.tf", "b.tf")]),
    ]
    monkeypatch.setattr(ingest.gitlog, "read_log", lambda path, since, head: iter(log))

    read_repository(repository)

    assert _changes("a.tf") == [("aiko@example.com", True, "Add")]
    assert _changes("b.tf") == [("bob@example.com", True, "Copy")]
