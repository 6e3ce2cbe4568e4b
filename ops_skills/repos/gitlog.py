"""Reading a clone's history with the ``git`` binary: one ``git log`` whose output is parsed as it
streams, oldest commit first, so a history of any length is read in constant memory.

Names and emails come after ``.mailmap`` (git applies it to the author; the ``Co-authored-by:``
trailers are mapped here with ``git check-mailmap``, once per distinct address). Merge commits are
left out: the commits they bring in are read on their own.
"""

import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings

# Fields of a commit's header: record and unit separators never appear in names or subjects.
_RECORD = "\x1e"
_FIELD = "\x1f"
_TRAILER = "\x1d"
_FORMAT = (
    f"--format={_RECORD}%H{_FIELD}%aN{_FIELD}%aE{_FIELD}%aI{_FIELD}%s{_FIELD}"
    "%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1d)"
)
_CONTACT = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")
_CHUNK = 1 << 16
# Git's status letters with two paths (renamed, copied); the others name one.
_TWO_PATHS = {"R", "C"}
_NO_GIT = "The git program is not installed on this server."


class GitError(Exception):
    """The repository could not be read; the message says why, for people."""


class HistoryRewritten(GitError):
    """The commit a read would start after is no longer in HEAD's history (a force-push)."""


@dataclass
class LogCommit:
    sha: str
    author_email: str
    author_name: str
    authored_at: datetime
    subject: str
    coauthors: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (status letter, old path, new path)


def head_commit(path: str) -> str:
    """The sha HEAD points at, or "" in a repository without commits. GitError when ``path`` is
    not a readable git repository."""
    directory = Path(path)
    if not directory.is_dir():
        raise GitError(f"No directory at {path}.")
    probe = _git(path, "rev-parse", "--git-dir", check=False)
    if probe.returncode:
        raise GitError(f"Not a git repository: {path} ({_last_line(probe.stderr)}).")
    head = _git(path, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return head.stdout.strip() if head.returncode == 0 else ""


def read_log(path: str, since_sha: str = "", *, head: str = "") -> Iterator[LogCommit]:
    """The non-merge commits of ``head`` (HEAD when not given) after ``since_sha`` (all when empty),
    oldest first. Raises HistoryRewritten when ``since_sha`` is not an ancestor of ``head`` and
    GitError when git fails or takes longer than GIT_TIMEOUT_SECONDS. A repository without commits
    has nothing to read."""
    head = head or head_commit(path)
    if not head or head == since_sha:
        return
    if since_sha:
        ancestor = _git(path, "merge-base", "--is-ancestor", since_sha, head, check=False)
        if ancestor.returncode:
            raise HistoryRewritten(f"Commit {since_sha[:10]} is no longer in the history of {head[:10]}.")
    revisions = f"{since_sha}..{head}" if since_sha else head
    command = [
        "git",
        "-c",
        "log.showSignature=false",
        "log",
        "--reverse",
        "--topo-order",
        "--no-merges",
        "--name-status",
        "--find-renames",
        "--no-color",
        "-z",
        _FORMAT,
        revisions,
        "--",
    ]
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, cwd=path, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603
        except FileNotFoundError:
            raise GitError(_NO_GIT) from None
        expired = threading.Event()

        def expire():
            expired.set()
            process.kill()

        timer = threading.Timer(settings.GIT_TIMEOUT_SECONDS, expire)
        timer.start()
        try:
            yield from _parse(process.stdout, _Mailmap(path))
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()
        if expired.is_set():
            raise GitError(f"git log took longer than {settings.GIT_TIMEOUT_SECONDS} s.")
        if returncode:
            errors.seek(0)
            raise GitError(f"git log failed: {_last_line(errors.read().decode(errors='replace'))}")


def _parse(stream, mailmap: "_Mailmap") -> Iterator[LogCommit]:
    """Commits from ``git log -z`` output: each starts with a header token (record separator,
    fields), then status tokens each followed by one or two paths."""
    commit = None
    pending: list[str] = []  # a status letter and the paths read so far
    for token in _tokens(stream):
        if pending:
            pending.append(token)
            if len(pending) == (3 if pending[0] in _TWO_PATHS else 2):
                letter, *paths = pending
                commit.changes.append((letter, paths[0], paths[-1]))
                pending = []
        elif token.startswith(_RECORD):
            if commit is not None:
                yield commit
            commit = _header(token[1:], mailmap)
        elif token.strip():
            # "R100", "M": the letter says how many paths follow ("\n" precedes the first).
            pending = [token.strip()[0]]
    if commit is not None:
        yield commit


def _tokens(stream) -> Iterator[str]:
    rest = b""
    while chunk := stream.read(_CHUNK):
        *tokens, rest = (rest + chunk).split(b"\0")
        for token in tokens:
            yield token.decode(errors="replace")
    if rest:
        yield rest.decode(errors="replace")


def _header(text: str, mailmap: "_Mailmap") -> LogCommit:
    sha, name, email, date, subject, trailers = text.split(_FIELD, 5)
    author_email = email.strip().lower()
    coauthors = []
    seen = {author_email}
    for value in trailers.split(_TRAILER):
        contact = _CONTACT.match(value.strip())
        if contact is None:
            continue
        coauthor = mailmap.map(contact[1], contact[2].strip())
        if coauthor[1] and coauthor[1] not in seen:
            seen.add(coauthor[1])
            coauthors.append(coauthor)
    return LogCommit(
        sha=sha,
        author_email=author_email,
        author_name=name.strip(),
        authored_at=datetime.fromisoformat(date),
        subject=subject,
        coauthors=coauthors,
    )


class _Mailmap:
    """``.mailmap`` applied to co-authors: ``git check-mailmap``, asked once per distinct contact."""

    def __init__(self, path: str):
        self.path = path
        self.known: dict[tuple[str, str], tuple[str, str]] = {}

    def map(self, name: str, email: str) -> tuple[str, str]:
        """(name, lower-case email) after the mailmap."""
        key = (name, email.lower())
        if key not in self.known:
            contact = f"{name} <{email}>" if name else f"<{email}>"
            checked = _git(self.path, "check-mailmap", contact, check=False)
            mapped = _CONTACT.match(checked.stdout.strip()) if checked.returncode == 0 else None
            self.known[key] = (mapped[1], mapped[2].lower()) if mapped else (name, email.lower())
        return self.known[key]


def _git(path: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=path,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=settings.GIT_TIMEOUT_SECONDS,
            check=check,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {settings.GIT_TIMEOUT_SECONDS} s.") from None
    except FileNotFoundError:
        raise GitError(_NO_GIT) from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
