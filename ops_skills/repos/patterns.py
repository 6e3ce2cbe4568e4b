"""Path patterns that map a repository's files to systems: globs matched against the whole path
from the repository's root, with ``/`` as separator and case counting.

- ``*`` matches any run of characters within one path segment, ``?`` one character of it;
- ``**`` as a whole segment matches any number of segments: ``modules/postgres/**`` everything
  below ``modules/postgres``, ``**/*.tf`` every ``.tf`` file at any depth (the root included),
  ``a/**/b`` ``a/b``, ``a/x/b``, ``a/x/y/b``; elsewhere (``foo**``) it is a plain ``*``;
- a trailing ``/`` means everything below: ``modules/postgres/`` is ``modules/postgres/**``;
- everything else is literal (no ``[...]`` classes). A pattern is anchored at the root, so one
  without a slash and without ``**`` matches a top-level path exactly: ``Makefile`` is the root's
  Makefile, not ``docs/Makefile``, and ``*.tf`` the root's ``.tf`` files only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError

COMPILED_PATTERNS = 1024  # compiled patterns kept: every mapping of every repository, and then some


def validate_pattern(pattern: str) -> None:
    """Raise ValidationError for a pattern that cannot name files of a repository: empty, absolute
    (the paths are relative to its root), or with an empty segment (``a//b``)."""
    if not pattern.strip():
        raise ValidationError("Enter a path pattern, such as modules/postgres/**.", code="empty")
    if pattern.startswith("/"):
        raise ValidationError(
            "Paths are relative to the repository's root: leave out the leading “/”.", code="absolute"
        )
    if "" in pattern.removesuffix("/").split("/"):
        raise ValidationError("A path pattern has no empty segment (“//”).", code="empty_segment")


@functools.lru_cache(maxsize=COMPILED_PATTERNS)
def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A function telling whether a path (relative, ``/``-separated) matches ``pattern``."""
    fullmatch = re.compile(_regex(pattern), re.DOTALL).fullmatch
    return lambda path: fullmatch(path) is not None


def literal_prefix(pattern: str) -> str:
    """What every path matching ``pattern`` starts with: the pattern up to its first wildcard
    (``modules/postgres/`` for ``modules/postgres/**``, nothing for ``**/*.tf``), so that a sorted
    list of paths is searched only where matches can be."""
    return re.split(r"[*?]", pattern, maxsplit=1)[0]


def _regex(pattern: str) -> str:
    if pattern.endswith("/"):
        pattern += "**"
    segments = pattern.split("/")
    last = len(segments) - 1
    parts = []
    for i, segment in enumerate(segments):
        if segment == "**":
            # Not last: any number of whole segments, each with its slash; last: anything below.
            parts.append("(?:[^/]+/)*" if i < last else ".+")
            continue
        parts.append("".join(_SEGMENT.get(c, re.escape(c)) for c in segment))
        if i < last:
            parts.append("/")
    return "".join(parts)


_SEGMENT = {"*": "[^/]*", "?": "[^/]"}
