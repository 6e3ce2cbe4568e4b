"""Real git repositories for the tests, built in a temporary directory with the ``git`` binary.

``GitRepo(path)`` initialises ``path`` (branch ``main``) unless it already holds a repository.
Every commit says who wrote it and when (author and committer date alike), so a test can spread
a history over years::

    repo = GitRepo(tmp_path / "infra")
    repo.commit({"modules/pg/main.tf": "a"}, author=("Aiko", "aiko@example.com"), date=datetime(2024, 1, 1, tzinfo=UTC))
    repo.commit({"modules/pg/main.tf": None})  # deletes it

The user's and the system's git configuration are kept out (``GIT_CONFIG_NOSYSTEM``, ``HOME`` in a
directory beside the repository), so the tests behave the same on every machine.
"""

import os
import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_AUTHOR = ("Test Author", "author@example.com")


class GitRepo:
    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        home = self.path.parent / f".{self.path.name}-home"
        home.mkdir(exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        if not (self.path / ".git").exists():
            self.git("init", "-q", "-b", "main")
            self.git("config", "user.name", DEFAULT_AUTHOR[0])
            self.git("config", "user.email", DEFAULT_AUTHOR[1])
            self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run ``git ARGS`` in the repository; returns its output, stripped. Fails the test on an error."""
        completed = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")
        return completed.stdout.strip()

    def commit(
        self,
        files: Mapping[str, str | None] | None = None,
        *,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        date: datetime | None = None,
        message: str = "Change",
        coauthors: Iterable[tuple[str, str]] = (),
        renames: Mapping[str, str] | None = None,
    ) -> str:
        """Rename (``git mv``), write (content) or delete (``None``) files, then commit them all as
        ``author`` at ``date`` (now when not given) with a ``Co-authored-by:`` trailer per co-author.
        Returns the new commit's sha."""
        for old, new in (renames or {}).items():
            (self.path / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", old, new)
        for name, content in (files or {}).items():
            target = self.path / name
            if content is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content)
        self.git("add", "-A")
        trailers = "".join(f"\nCo-authored-by: {name} <{email}>" for name, email in coauthors)
        if trailers:
            message = f"{message}\n{trailers}"
        self.git("commit", "-q", "--allow-empty", "-m", message, env=self._identity(author, date))
        return self.head()

    def branch(self, name: str) -> None:
        """Create branch ``name`` at the current commit and switch to it."""
        self.git("checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(
        self,
        branch: str,
        *,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        date: datetime | None = None,
        message: str = "Merge",
    ) -> str:
        """A real merge commit (``--no-ff``) of ``branch`` into the current branch; returns its sha."""
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=self._identity(author, date))
        return self.head()

    def reset(self, ref: str) -> None:
        """Move the current branch to ``ref`` (``git reset --hard``), as a force-push does to a clone."""
        self.git("reset", "-q", "--hard", ref)

    def write_mailmap(self, lines: Iterable[str]) -> None:
        """Write ``.mailmap`` in the working tree, where git reads it from, and keep it out of the
        commits (``.git/info/exclude``) so that it is not one of the repository's files."""
        (self.path / ".mailmap").write_text("".join(f"{line}\n" for line in lines))
        info = self.path / ".git" / "info"
        info.mkdir(exist_ok=True)
        with (info / "exclude").open("a") as exclude:
            exclude.write("/.mailmap\n")

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    @staticmethod
    def _identity(author: tuple[str, str], date: datetime | None) -> dict[str, str]:
        when = (date or datetime.now(UTC)).isoformat()
        name, email = author
        return {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        }
