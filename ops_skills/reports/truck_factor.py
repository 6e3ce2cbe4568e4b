"""Truck factor of a system (after Avelino et al., ICPC 2016, applied to skills instead of files).

DESIGN.md: the smallest number of active people whose departure leaves MORE than half of the
system's skills uncovered. A system already more than half uncovered has truck factor 0. Exact
(a smallest such set) whenever the system has ``EXACT_LIMIT`` coverers or fewer; above that the
greedy removal of the person who covers the most remaining skills. Every result names its method
and explains itself: who is removed in which order and what each removal uncovers.

Ties are broken deterministically by the people's sort keys (their emails), never by ids or
dictionary order. Nothing here imports Django.

The people are numbered in their tie-break order and each skill's holders become a bitmask over
those numbers, so "this removal uncovers that skill" is ``mask & ~gone == 0``. The exact search
is a branch and bound over sets of growing size (see ``_exact``); the greedy one keeps running
counts instead of recounting every skill at every step.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

EXACT_LIMIT = 20
CACHED_SYSTEMS = 8192  # results kept: every system's truck factor and fresh truck factor, and then some
EXACT, GREEDY, NO_SKILLS = "exact", "greedy", "none"


@dataclass(frozen=True, slots=True)
class Removal:
    person: int
    uncovered: tuple[int, ...]  # skills this removal left with nobody, in the input's order


@dataclass(frozen=True)
class TruckFactor:
    value: int | None  # None for a system without skills: there is nothing to lose
    method: str  # EXACT, GREEDY or NO_SKILLS
    chosen: tuple[int, ...]  # the key people, as found
    skills: int  # how many skills the system has
    already_uncovered: tuple[int, ...]  # skills nobody covers before anyone leaves
    # What the explanation is worked out from, the first time it is asked for: a report shows the
    # key people of the systems on its page, and never those of the fresh truck factors.
    holders: Mapping[int, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)
    sort_key: Mapping[int, str] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def removals(self) -> tuple[Removal, ...]:
        """The key people in removal order, each with what their removal uncovers."""
        return _explain(self.holders, list(self.chosen), self.sort_key) if self.chosen else ()

    @property
    def key_people(self) -> tuple[int, ...]:
        return tuple(r.person for r in self.removals)


def truck_factor(
    holders: Mapping[int, frozenset[int]],
    *,
    sort_key: Mapping[int, str],
    rank: Mapping[int, int] | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> TruckFactor:
    """``holders`` maps each skill of one system (in display order) to the people who cover it;
    ``sort_key`` gives each person's tie-break key (their email). ``rank``, when the caller has
    it: each person's place in the order of (sort key, id), which sorts them more cheaply (a
    report sorts the holders of each of its 600 systems twice).

    A pure function of its input, so its results are kept (``_solve``, least recently used
    first out): a report asked for again, or a what-if, recomputes only the systems whose
    holders changed."""
    skills = tuple((skill, frozenset(h)) for skill, h in holders.items())
    if not skills:
        return TruckFactor(None, NO_SKILLS, (), 0, ())
    everyone = frozenset().union(*(h for _, h in skills))
    if rank is None:
        people = tuple(sorted(everyone, key=lambda p: (sort_key[p], p)))
    else:
        people = tuple(sorted(everyone, key=rank.__getitem__))
    return _solve(skills, people, tuple(map(sort_key.__getitem__, people)), exact_limit)


@functools.lru_cache(maxsize=CACHED_SYSTEMS)
def _solve(
    skills: tuple[tuple[int, frozenset[int]], ...], people: tuple[int, ...], keys: tuple[str, ...], exact_limit: int
) -> TruckFactor:
    """``people`` in tie-break order, ``keys`` their sort keys (part of the cache key: a changed
    email can change a tie)."""
    holders = dict(skills)
    sort_key = dict(zip(people, keys, strict=True))
    n = len(skills)
    already = tuple(s for s, h in skills if not h)
    needed = n // 2 + 1 - len(already)  # skills still to uncover to pass half
    if needed <= 0:
        return TruckFactor(0, EXACT, (), n, already)
    index = {p: i for i, p in enumerate(people)}
    masks = [sum(1 << index[p] for p in h) for h in holders.values() if h]
    chosen = _greedy(masks, len(people), needed)
    if len(people) <= exact_limit:
        chosen = _exact(masks, len(people), needed, upper=len(chosen))
        method = EXACT
    else:
        method = GREEDY
    return TruckFactor(len(chosen), method, tuple(people[i] for i in chosen), n, already, holders, sort_key)


def _exact(masks: list[int], people: int, needed: int, *, upper: int) -> list[int]:
    """A smallest set of people (by number) whose removal uncovers ``needed`` skills; among those
    of that size the first in lexicographic order, which is what trying ``combinations`` in size
    order would return. ``upper`` is the size of a set known to work (the greedy one).

    For each size k from a lower bound up, a depth-first search takes people in increasing order,
    so the first set it completes is the lexicographically first of size k. A branch is cut when
    even its best completion cannot uncover enough. A skill can still be uncovered only if none
    of its holders was passed over and no more holders are missing than places are left (so at
    size k, skills with more than k holders are left out from the start). And since a skill is
    uncovered only when all d of its missing holders are taken, giving 1/d of it to each of them
    shows that the places left add at most the sum of the largest such shares. Skills with the
    same holders are searched once, with their count as weight."""
    weights = Counter(masks)
    scale = math.lcm(*range(1, people + 1))  # shares weight * scale / d stay whole numbers
    # Uncovering ``needed`` skills removes all holders of each: at least the needed-th smallest.
    lower = sorted(m.bit_count() for m in masks)[needed - 1]

    def reachable(live: list[tuple[int, int]], places: int) -> int:
        """At most how many more skills ``places`` more people can uncover (times ``scale``)."""
        share = [0] * people
        for m, w in live:
            part = w * scale // m.bit_count()
            while m:
                low = m & -m
                share[low.bit_length() - 1] += part
                m ^= low
        return sum(heapq.nlargest(places, share))

    def search(start: int, places: int, done: int, live: list[tuple[int, int]]) -> list[int] | None:
        """Complete a set with ``places`` more people numbered ``start`` or more. ``done`` skills
        are uncovered already; ``live`` are the others that can still be, each as the mask of its
        holders not yet taken, with its weight."""
        if (needed - done) * scale > reachable(live, places):
            return None
        # What can still be uncovered if the next person taken is p or later: the skills whose
        # missing holders all come at p or after.
        by_first = [0] * (people + 1)
        for m, w in live:
            by_first[(m & -m).bit_length() - 1] += w
        after = done + sum(by_first)
        for p in range(start, people - places + 1):
            if after < needed:
                return None
            after -= by_first[p]
            bit, passed = 1 << p, (2 << p) - 1
            gained, rest = done, []
            for m, w in live:
                if m & bit:
                    m ^= bit
                    if not m:
                        gained += w
                        continue
                if m & passed or m.bit_count() >= places:
                    continue  # needs someone passed over, or more people than places left
                rest.append((m, w))
            if places == 1:
                if gained >= needed:
                    return [p]
            elif (found := search(p + 1, places - 1, gained, rest)) is not None:
                return [p, *found]
        return None

    for size in range(lower, upper + 1):
        live = [(m, w) for m, w in weights.items() if m.bit_count() <= size]
        if (found := search(0, size, 0, live)) is not None:
            return found
    raise AssertionError("the greedy set has size `upper`, so a search that large finds one")


def _greedy(masks: list[int], people: int, needed: int) -> list[int]:
    """Remove, one at a time, whoever covers the most remaining skills (then most sole covers,
    then the first in the people's order). Every skill a person still there holds is still
    covered, so the first count is simply how many skills they hold and never changes; sole
    covers only grow as others leave, so a heap whose outdated entries are skipped keeps the
    choice cheap."""
    skills_of: list[list[int]] = [[] for _ in range(people)]
    for s, m in enumerate(masks):
        while m:
            low = m & -m
            skills_of[low.bit_length() - 1].append(s)
            m ^= low
    covers = [len(skills) for skills in skills_of]
    sole = [0] * people
    for m in masks:
        if m.bit_count() == 1:
            sole[m.bit_length() - 1] += 1
    heap = [(-covers[p], -sole[p], p) for p in range(people)]
    heapq.heapify(heap)
    left = list(masks)
    gone: set[int] = set()
    chosen: list[int] = []
    uncovered = 0
    while uncovered < needed:
        _, minus_sole, p = heapq.heappop(heap)
        if p in gone or -minus_sole != sole[p]:
            continue  # gone already, or an entry from before p gained sole covers
        gone.add(p)
        chosen.append(p)
        for s in skills_of[p]:
            left[s] ^= 1 << p
            if not left[s]:
                uncovered += 1
            elif left[s].bit_count() == 1:
                q = left[s].bit_length() - 1
                sole[q] += 1
                heapq.heappush(heap, (-covers[q], -sole[q], q))
    return chosen


def _explain(holders, chosen: list[int], sort_key) -> tuple[Removal, ...]:
    """Order the set so that each removal uncovers as much as possible as early as possible (then
    by sort key). Only skills whose holders are all in the set are ever uncovered: each is counted
    down as its holders leave, and credited to its last holder once only one is left."""
    skills = list(holders)
    in_set = set(chosen)
    would_uncover: dict[int, list[int]] = {p: [] for p in chosen}  # positions in ``skills``
    shared: dict[int, list[int]] = {p: [] for p in chosen}  # positions held with others
    staying: dict[int, set[int]] = {}  # position -> its holders not removed yet
    for position, h in enumerate(holders.values()):
        if not h or not h <= in_set:
            continue
        if len(h) == 1:
            would_uncover[next(iter(h))].append(position)
        else:
            staying[position] = set(h)
            for p in h:
                shared[p].append(position)
    # Counts only grow, so an entry whose count is out of date is skipped, not searched for.
    heap = [(-len(would_uncover[p]), sort_key[p], p) for p in chosen]
    heapq.heapify(heap)
    gone: set[int] = set()
    removals: list[Removal] = []
    while len(removals) < len(chosen):
        minus_count, _, best = heapq.heappop(heap)
        if best in gone or -minus_count != len(would_uncover[best]):
            continue
        gone.add(best)
        uncovers = would_uncover[best]  # most removals uncover nothing: no sort for them
        removals.append(Removal(best, tuple(skills[i] for i in sorted(uncovers)) if uncovers else ()))
        for position in shared[best]:
            staying[position].discard(best)
            if len(staying[position]) == 1:
                (last,) = staying[position]
                would_uncover[last].append(position)
                heapq.heappush(heap, (-len(would_uncover[last]), sort_key[last], last))
    return tuple(removals)
