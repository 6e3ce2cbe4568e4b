"""History rows written straight to the database, as the reader stores them: faster than a real
git repository where a test is about what is done with the history, not how it is read."""

import itertools
from datetime import timedelta

from django.utils import timezone

from ops_skills.repos.models import Commit, FileChange, RepoFile

_sha = itertools.count(1)


def record_commit(repo, email, paths, *, days_ago=1, name="", coauthors=(), at=None):
    """A commit of ``email`` (and ``coauthors``) changing ``paths``, stored as the reader stores
    one: a Commit, the RepoFiles, a FileChange per file and per person credited."""
    at = at or timezone.now() - timedelta(days=days_ago)
    commit = Commit.objects.create(
        repository=repo, sha=f"{next(_sha):040x}", author_email=email, author_name=name, authored_at=at
    )
    for path in paths:
        file, created = RepoFile.objects.get_or_create(repository=repo, path=path, deleted=False)
        for who in (email, *coauthors):
            FileChange.objects.create(file=file, commit=commit, email=who, created=created, at=at)
    return commit


def commits(repo, email, n, *, path="modules/postgres/main.tf", days_ago=1, **extra):
    """``n`` commits of ``email`` to ``path``, a day apart from ``days_ago`` days ago back."""
    return [record_commit(repo, email, [path], days_ago=days_ago + i, **extra) for i in range(n)]
