"""Truck factor of a system (after Avelino et al., ICPC 2016, applied to skills instead of files).

DESIGN.md: the smallest number of active people whose departure leaves MORE than half of the
system's skills uncovered. A system already more than half uncovered has truck factor 0. Exact
(a smallest such set) whenever the system has ``EXACT_LIMIT`` coverers or fewer; above that the
greedy removal of the person who covers the most remaining skills. Every result names its method
and explains itself: who is removed in which order and what each removal uncovers.

Ties are broken deterministically by the people's sort keys (their emails), never by ids or
dictionary order. Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

EXACT_LIMIT = 20
EXACT, GREEDY, NO_SKILLS = "exact", "greedy", "none"


@dataclass(frozen=True, slots=True)
class Removal:
    person: int
    uncovered: tuple[int, ...]  # skills this removal left with nobody, in the input's order


@dataclass(frozen=True, slots=True)
class TruckFactor:
    value: int | None  # None for a system without skills: there is nothing to lose
    method: str  # EXACT, GREEDY or NO_SKILLS
    removals: tuple[Removal, ...]  # the key people, in removal order
    skills: int  # how many skills the system has
    already_uncovered: tuple[int, ...]  # skills nobody covers before anyone leaves

    @property
    def key_people(self) -> tuple[int, ...]:
        return tuple(r.person for r in self.removals)


def truck_factor(
    holders: Mapping[int, frozenset[int]],
    *,
    sort_key: Mapping[int, str],
    exact_limit: int = EXACT_LIMIT,
) -> TruckFactor:
    """``holders`` maps each skill of one system (in display order) to the people who cover it;
    ``sort_key`` gives each person's tie-break key (their email)."""
    skills = list(holders)
    n = len(skills)
    if n == 0:
        return TruckFactor(None, NO_SKILLS, (), 0, ())
    already = tuple(s for s in skills if not holders[s])
    needed = n // 2 + 1 - len(already)  # skills still to uncover to pass half
    if needed <= 0:
        return TruckFactor(0, EXACT, (), n, already)
    people = sorted({p for h in holders.values() for p in h}, key=lambda p: (sort_key[p], p))
    if len(people) <= exact_limit:
        chosen = _exact(holders, people, needed)
        method = EXACT
    else:
        chosen = _greedy(holders, people, needed)
        method = GREEDY
    return TruckFactor(len(chosen), method, _explain(holders, chosen, sort_key), n, already)


def _uncovered_by(holders: Mapping[int, frozenset[int]], gone: frozenset[int]) -> int:
    return sum(1 for h in holders.values() if h and h <= gone)


def _exact(holders, people: list[int], needed: int) -> list[int]:
    """A smallest set; among those of that size the first in the people's order (emails)."""
    for size in range(1, len(people) + 1):
        for combo in combinations(people, size):
            if _uncovered_by(holders, frozenset(combo)) >= needed:
                return list(combo)
    raise AssertionError("removing every coverer uncovers every skill")


def _greedy(holders, people: list[int], needed: int) -> list[int]:
    """Remove, one at a time, whoever covers the most remaining skills (then most sole covers)."""
    gone: set[int] = set()
    chosen = []
    while _uncovered_by(holders, frozenset(gone)) < needed:

        def weight(p):
            remaining = [h - gone for h in holders.values() if p in h and not (h <= gone)]
            return (-len(remaining), -sum(1 for h in remaining if len(h) == 1))

        best = min((p for p in people if p not in gone), key=lambda p: (*weight(p), people.index(p)))
        gone.add(best)
        chosen.append(best)
    return chosen


def _explain(holders, chosen: list[int], sort_key) -> tuple[Removal, ...]:
    """Order the set so that each removal uncovers as much as possible as early as possible."""
    gone: set[int] = set()
    left = list(chosen)
    removals = []
    while left:

        def uncovers(p):
            return [s for s, h in holders.items() if h and p in h and h <= gone | {p} and not h <= gone]

        best = min(left, key=lambda p: (-len(uncovers(p)), sort_key[p], p))
        removals.append(Removal(best, tuple(uncovers(best))))
        gone.add(best)
        left.remove(best)
    return tuple(removals)
