"""Storing a repository's history: the commits ``gitlog.read_log`` streams become ``Commit``,
``RepoFile`` and ``FileChange`` rows, written in bulk.

A read starts after ``Repository.last_commit``; when that commit is no longer in the history (a
force-push), what was stored is dropped and the whole history is read again. Either way it is one
transaction: a read that fails leaves the repository as it was, with the reason in ``last_error``.

Files keep their identity as the history goes: a rename moves the file (its earlier changes
follow it), a copy is a new file created by the commit's author, a deletion marks the file
deleted, and a file added again at a deleted path is a new file. A file first seen through a
change other than an addition (a history read from a shallow clone) has no creator.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ops_skills.repos import gitlog
from ops_skills.repos.gitlog import GitError, HistoryRewritten, LogCommit
from ops_skills.repos.models import Commit, FileChange, RepoFile, Repository

# Written every this many commits, so that memory stays bounded however long the history is.
FLUSH_COMMITS = 2000
UPDATE_BATCH = 500
_CREATING = {"A", "C"}


@dataclass
class ReadResult:
    commits: int  # commits read this time
    changes: int  # file changes stored this time (one per file and credited person)
    files: int  # files in the repository at the commit read
    head: str  # the commit read up to ("" for a repository without commits)
    full: bool  # the whole history was read (the first read, or after a rewrite)
    rewritten: bool  # the history was rewritten since the last read, and what was stored replaced


def read_repository(repo: Repository) -> ReadResult:
    """Read ``repo``'s new commits into the database and move ``last_commit`` to HEAD.

    Raises GitError (after recording it in ``last_error``) when the clone cannot be read; any
    other failure is recorded the same way and raised as it is. Nothing read by a failed call is
    kept. Queries for an incremental read do not depend on how many commits it reads: the
    repository (locked), its live files, then per 2,000 commits at most the inserts of files,
    commits and changes and the updates of renamed or deleted files, and the repository's update.
    """
    try:
        with transaction.atomic():
            result = _read(repo)
    except Exception as error:
        message = str(error) if isinstance(error, GitError) else f"{type(error).__name__}: {error}"
        repo.last_error, repo.last_error_at = message[:300], timezone.now()
        Repository.objects.filter(pk=repo.pk).update(last_error=repo.last_error, last_error_at=repo.last_error_at)
        raise
    return result


def _read(repo: Repository) -> ReadResult:
    locked = Repository.objects.select_for_update().get(pk=repo.pk)
    head = gitlog.head_commit(locked.path)
    since = locked.last_commit
    rewritten = False
    if head and head != since:
        try:
            history = _History(locked, _live_files(locked))
            history.write(gitlog.read_log(locked.path, since, head=head))
        except HistoryRewritten:
            rewritten, since = True, ""
            _forget(locked)
            history = _History(locked, {})
            history.write(gitlog.read_log(locked.path, "", head=head))
        commits, changes, files = history.commits, history.changes, len(history.live)
    else:
        commits, changes = 0, 0
        files = RepoFile.objects.filter(repository=locked, deleted=False).count()
    fields = {"last_commit": head or since, "read_at": timezone.now(), "last_error": "", "last_error_at": None}
    Repository.objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(repo, name, value)
    return ReadResult(commits=commits, changes=changes, files=files, head=head, full=not since, rewritten=rewritten)


def _live_files(repo: Repository) -> dict[str, RepoFile]:
    return {f.path: f for f in RepoFile.objects.filter(repository=repo, deleted=False)}


def _forget(repo: Repository) -> None:
    """Drop what was read of ``repo`` (changes first, so that nothing cascades row by row)."""
    FileChange.objects.filter(commit__repository=repo).delete()
    Commit.objects.filter(repository=repo).delete()
    RepoFile.objects.filter(repository=repo).delete()


class _History:
    """The repository's files as the commits go by (``live``: path -> file), and the rows waiting
    to be written. Saved files that were renamed or deleted wait in ``moved``."""

    def __init__(self, repo: Repository, live: dict[str, RepoFile]):
        self.repo = repo
        self.live = live
        self.commits = 0
        self.changes = 0
        self._new_files: list[RepoFile] = []
        self._moved: dict[int, RepoFile] = {}
        self._commits: list[Commit] = []
        self._changes: list[tuple[RepoFile, Commit, str, bool, datetime]] = []

    def write(self, log: Iterable[LogCommit]) -> None:
        for entry in log:
            self._add(entry)
            if len(self._commits) >= FLUSH_COMMITS:
                self._flush()
        self._flush()

    def _add(self, entry: LogCommit) -> None:
        commit = Commit(
            repository_id=self.repo.pk,
            sha=entry.sha,
            author_email=entry.author_email[:254],
            author_name=entry.author_name[:200],
            authored_at=entry.authored_at,
            subject=entry.subject[:300],
        )
        self._commits.append(commit)
        self.commits += 1
        credited = [entry.author_email[:254]] + [email[:254] for _, email in entry.coauthors]
        touched = set()
        for letter, old, new in entry.changes:
            file, created = self._apply(letter, old, new)
            if file is None or id(file) in touched:
                continue
            touched.add(id(file))
            self._changes.extend((file, commit, email, created, entry.authored_at) for email in credited)
        self.changes += len(touched) * len(credited)

    def _apply(self, letter: str, old: str, new: str) -> tuple[RepoFile | None, bool]:
        """The file a change touches after applying it to ``live``, and whether it created it."""
        if letter == "D":
            file = self.live.pop(new, None)
            if file is not None:
                self._retire(file)
            return file, False
        if letter == "R" and old in self.live:
            file = self.live.pop(old)
            self._take_path(file, new)
            return file, False
        if new in self.live:
            return self.live[new], False
        file = RepoFile(repository_id=self.repo.pk, path=new)
        self._new_files.append(file)
        self.live[new] = file
        return file, letter in _CREATING

    def _take_path(self, file: RepoFile, path: str) -> None:
        displaced = self.live.get(path)
        if displaced is not None:
            self._retire(displaced)
        file.path = path
        self.live[path] = file
        self._mark_moved(file)

    def _retire(self, file: RepoFile) -> None:
        file.deleted = True
        self._mark_moved(file)

    def _mark_moved(self, file: RepoFile) -> None:
        if file.pk is not None:
            self._moved[file.pk] = file

    def _flush(self) -> None:
        if self._moved:
            # Out of the live-path constraint first: a swap of paths would break it row by row.
            for ids in itertools.batched(self._moved, UPDATE_BATCH):
                RepoFile.objects.filter(pk__in=ids).update(deleted=True)
            RepoFile.objects.bulk_update(self._moved.values(), ["path", "deleted"], batch_size=UPDATE_BATCH)
        RepoFile.objects.bulk_create(self._new_files)
        Commit.objects.bulk_create(self._commits)
        # Made now that their files and commits have ids: cheaper than assigning the objects.
        FileChange.objects.bulk_create(
            FileChange(file_id=file.pk, commit_id=commit.pk, email=email, created=created, at=at)
            for file, commit, email, created, at in self._changes
        )
        self._new_files, self._moved, self._commits, self._changes = [], {}, [], []
