"""Reading a real git history: one streamed ``git log``, oldest first, after ``.mailmap``."""

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ops_skills.repos import gitlog
from ops_skills.repos.gitlog import GitError, HistoryRewritten, read_log
from tests.repos.gitrepo import GitRepo

AIKO = ("Aiko Sato", "Aiko@Example.com")
BOB = ("Bob Brown", "bob@example.com")
CARL = ("Carl Cole", "carl@example.com")


def _read(repo, since=""):
    return list(read_log(str(repo.path), since))


def test_commits_oldest_first_with_author_date_and_subject(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    old = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2)))
    first = repo.commit({"main.tf": "a"}, author=AIKO, date=old, message="Add main\n\nWith a body.")
    second = repo.commit({"main.tf": "b"}, author=BOB, date=datetime(2025, 1, 1, tzinfo=UTC), message="Tune it")

    commits = _read(repo)

    assert [c.sha for c in commits] == [first, second]
    assert (commits[0].author_name, commits[0].author_email) == ("Aiko Sato", "aiko@example.com")
    assert commits[0].authored_at == old
    assert commits[0].authored_at.utcoffset() == timedelta(hours=2)
    assert commits[0].subject == "Add main"
    assert commits[0].changes == [("A", "main.tf", "main.tf")]
    assert commits[1].changes == [("M", "main.tf", "main.tf")]


def test_renames_deletions_and_odd_paths(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    body = "".join(f"line {n}\n" for n in range(40))
    repo.commit({"network/vpc.tf": body, "runbooks/fail over.md": "é\n", "tmp.txt": "x"})
    repo.commit({"modules/network/vpc.tf": body + "tags = {}\n"}, renames={"network/vpc.tf": "modules/network/vpc.tf"})
    repo.commit({"tmp.txt": None})

    commits = _read(repo)

    assert commits[0].changes == [
        ("A", "network/vpc.tf", "network/vpc.tf"),
        ("A", "runbooks/fail over.md", "runbooks/fail over.md"),
        ("A", "tmp.txt", "tmp.txt"),
    ]
    assert commits[1].changes == [("R", "network/vpc.tf", "modules/network/vpc.tf")]
    assert commits[2].changes == [("D", "tmp.txt", "tmp.txt")]


def test_merge_commits_are_left_out_but_their_branch_is_read(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    base = repo.commit({"a.tf": "a"}, author=AIKO)
    repo.branch("feature")
    feature = repo.commit({"b.tf": "b"}, author=BOB)
    repo.checkout("main")
    main = repo.commit({"c.tf": "c"}, author=CARL)
    merge = repo.merge("feature", author=AIKO)

    commits = _read(repo)

    assert {c.sha for c in commits} == {base, feature, main}
    assert commits[0].sha == base
    assert merge not in {c.sha for c in commits}


def test_coauthors_from_trailers_deduplicated_after_mailmap(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    repo.write_mailmap(
        [
            "Aiko Sato <aiko@example.com> <aiko@old-laptop.local>",
            "Bob Brown <bob@example.com> Bobby <BOBBY@home.example>",
        ]
    )
    repo.commit(
        {"main.tf": "a"},
        author=("aiko", "aiko@old-laptop.local"),
        coauthors=[
            ("Bobby", "bobby@home.example"),  # Bob by the mailmap
            ("Bob Brown", "BOB@example.com"),  # Bob again
            ("Aiko", "aiko@example.com"),  # the author herself
            ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ],
    )

    (commit,) = _read(repo)

    assert (commit.author_name, commit.author_email) == ("Aiko Sato", "aiko@example.com")
    assert commit.coauthors == [
        ("Bob Brown", "bob@example.com"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    ]


def test_coauthors_are_mapped_with_one_git_call_per_distinct_address(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "infra")
    for n in range(4):
        repo.commit({"main.tf": str(n)}, author=AIKO, coauthors=[BOB, CARL])
    calls = []
    original = gitlog._git
    monkeypatch.setattr(gitlog, "_git", lambda path, *args, **kw: calls.append(args[0]) or original(path, *args, **kw))

    commits = _read(repo)

    assert all(c.coauthors == [BOB, CARL] for c in commits)
    assert calls.count("check-mailmap") == 2


def test_incremental_read_starts_after_the_given_commit(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    repo.commit({"a.tf": "1"})
    seen = repo.commit({"a.tf": "2"})
    new = [repo.commit({"a.tf": str(n)}) for n in range(3, 6)]

    assert [c.sha for c in _read(repo, since=seen)] == new
    assert _read(repo, since=new[-1]) == []


def test_a_rewritten_history_is_signalled(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    base = repo.commit({"a.tf": "1"})
    gone = repo.commit({"a.tf": "2"})
    repo.reset(base)
    repo.commit({"a.tf": "3"})

    with pytest.raises(HistoryRewritten):
        _read(repo, since=gone)
    with pytest.raises(HistoryRewritten):
        _read(repo, since="0" * 40)  # a commit the clone does not have at all


def test_an_empty_repository_has_nothing_to_read(tmp_path):
    repo = GitRepo(tmp_path / "infra")

    assert gitlog.head_commit(str(repo.path)) == ""
    assert _read(repo) == []


def test_a_missing_directory_or_a_directory_without_git_is_an_error(tmp_path):
    with pytest.raises(GitError, match="No directory at"):
        list(read_log(str(tmp_path / "nowhere")))
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="Not a git repository"):
        list(read_log(str(tmp_path / "plain")))


def test_a_git_failure_says_why(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    repo.commit({"a.tf": "1"})

    with pytest.raises(GitError, match="git log failed: fatal: bad revision .no-such-branch."):
        list(read_log(str(repo.path), head="no-such-branch"))


def test_a_git_that_takes_too_long_is_stopped(tmp_path, monkeypatch, settings):
    repo = GitRepo(tmp_path / "infra")
    sha = repo.commit({"a.tf": "1"})
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "git").write_text("#!/bin/sh\nexec sleep 30\n")
    (slow / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow}:/usr/bin:/bin")
    settings.GIT_TIMEOUT_SECONDS = 0.3

    with pytest.raises(GitError, match="took longer than 0.3 s"):
        list(read_log(str(repo.path), head=sha))


def test_no_git_program_is_an_error(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "infra")
    sha = repo.commit({"a.tf": "1"})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(GitError, match="not installed"):
        list(read_log(str(repo.path), head=sha))


class _Trickle(io.RawIOBase):
    """A stream that hands out a few bytes at a time, as a pipe may."""

    def __init__(self, data: bytes, size: int):
        self.data, self.size = data, size

    def read(self, n=-1):
        chunk, self.data = self.data[: self.size], self.data[self.size :]
        return chunk


def test_output_split_anywhere_parses_the_same(tmp_path):
    repo = GitRepo(tmp_path / "infra")
    repo.commit({"a.tf": "1", "b c.tf": "2"}, author=AIKO, coauthors=[BOB])
    repo.commit(message="Nothing changed")
    repo.commit({"a.tf": None}, author=CARL)
    whole = list(read_log(str(repo.path)))
    mailmap = gitlog._Mailmap(str(repo.path))
    raw = gitlog._git(str(repo.path), "log", "--reverse", "--name-status", "-z", gitlog._FORMAT, "HEAD")
    output = raw.stdout.encode()

    for size in (1, 2, 7, 64):
        assert list(gitlog._parse(_Trickle(output, size), mailmap)) == whole
    assert [len(c.changes) for c in whole] == [2, 0, 1]
