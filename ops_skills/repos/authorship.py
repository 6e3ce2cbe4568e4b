"""Who has worked on which file, and the file-based truck factor of a repository or a system.

After Avelino, Passos, Hora and Valente, "A novel approach for estimating truck factors"
(ICPC 2016). The degree of authorship of a person in a file is

    DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)

where FA is 1 when they created the file, DL the number of their other changes to it and AC the
number of changes to it by everyone else. A person is an author of the file when their DOA is at
least 0.75 of the file's highest DOA and either reaches 3.293 or they created the file.

Adapted to ops teams (see DESIGN.md, "Repository"): changes older than a recency window do not
count at all (so an old creation gives FA = 0), bots are left out entirely, and people who left
still count as "others" for everyone else's AC but are never authors and do not set the highest
DOA. The truck factor is the paper's greedy method on the authors found that way.

Identities are plain strings (the selector uses email addresses); every order and tie is decided
by them, so the same history always gives the same answer. Nothing here imports Django.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

# The coefficients of Avelino et al. (ICPC 2016), section 3.
DOA_BASE = 3.293
DOA_FIRST_AUTHORSHIP = 1.098
DOA_DELIVERIES = 0.164
DOA_ACCEPTANCES = 0.321
# Their authorship thresholds: normalised DOA of at least 0.75, and the absolute DOA of a
# person with no deliveries and no acceptances (the base) unless they created the file.
AUTHOR_SHARE = 0.75
AUTHOR_MINIMUM = DOA_BASE
GREEDY = "greedy"


@dataclass(frozen=True, slots=True)
class Change:
    """One identity credited with one change to a file; ``created``: the change that added it."""

    identity: str
    at: datetime
    created: bool


def doa(fa: int, dl: int, ac: int) -> float:
    """The degree of authorship for first authorship ``fa`` (0 or 1), ``dl`` deliveries (own
    changes besides the creating one) and ``ac`` changes by others."""
    return DOA_BASE + DOA_FIRST_AUTHORSHIP * fa + DOA_DELIVERIES * dl - DOA_ACCEPTANCES * math.log1p(ac)


def is_author(value: float, top: float, *, created: bool) -> bool:
    """The paper's author rule for a DOA of ``value`` in a file whose highest DOA is ``top``."""
    return value >= AUTHOR_SHARE * top and (value >= AUTHOR_MINIMUM or created)


def file_authors(
    changes: Iterable[Change],
    *,
    since: datetime,
    ignored: Collection[str] = frozenset(),
    departed: Collection[str] = frozenset(),
) -> dict[str, float]:
    """The authors of one file with their DOA, in identity order. Changes before ``since`` and
    every change by an ``ignored`` identity (a bot) are dropped. ``departed`` identities' changes
    count towards the AC of the others, but they are never authors and do not count in the
    file's highest DOA."""
    created: set[str] = set()
    own: Counter[str] = Counter()  # changes per identity, the creating one included
    for change in changes:
        if change.at < since or change.identity in ignored:
            continue
        own[change.identity] += 1
        if change.created:
            created.add(change.identity)
    total = own.total()
    values: dict[str, float] = {}
    for identity in sorted(own):
        if identity in departed:
            continue
        fa = 1 if identity in created else 0
        values[identity] = doa(fa, own[identity] - fa, total - own[identity])
    if not values:
        return {}
    top = max(values.values())
    return {i: v for i, v in values.items() if is_author(v, top, created=i in created)}


@dataclass(frozen=True)
class TruckFactor:
    """The file-based truck factor and how it was found: ``removed`` are the authors taken away in
    order, ``orphaned_after`` how many files had no author left after each removal (of ``files``),
    ``orphaned_before`` how many had none before anyone was removed."""

    value: int
    removed: list[str]
    files: int
    orphaned_after: list[int]
    method: str = GREEDY
    orphaned_before: int = 0


def truck_factor(authors_by_file: Mapping[object, Collection[str]]) -> TruckFactor:
    """Avelino et al.'s greedy truck factor: rank the authors once by the number of files they
    author (most first, ties by identity), then remove them in that order for as long as at least
    half of the files still have an author. The value is the number removed: the first removals
    after which fewer than half of the files have an author. A file without any author counts as
    orphaned from the start; no files gives 0."""
    files = len(authors_by_file)
    left: list[int] = []  # authors still there, per file
    files_of: dict[str, list[int]] = {}
    for position, authors in enumerate(authors_by_file.values()):
        unique = set(authors)
        left.append(len(unique))
        for identity in unique:
            files_of.setdefault(identity, []).append(position)
    ranking = sorted(((i, len(f)) for i, f in files_of.items()), key=lambda pair: (-pair[1], pair[0]))
    orphaned = orphaned_before = left.count(0)
    removed: list[str] = []
    orphaned_after: list[int] = []
    for identity, _ in ranking:
        if 2 * (files - orphaned) < files:  # fewer than half still have an author
            break
        for position in files_of[identity]:
            left[position] -= 1
            if not left[position]:
                orphaned += 1
        removed.append(identity)
        orphaned_after.append(orphaned)
    return TruckFactor(len(removed), removed, files, orphaned_after, GREEDY, orphaned_before)
